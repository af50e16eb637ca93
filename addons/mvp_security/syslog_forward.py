# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forwarding of the audit trail to a central log store (QCVN 12:2026/BCA
3.7.2.4: logs kept apart from the system they describe).

Each audit row leaves as one RFC 5424 message once its transaction is
committed (a row that was rolled back never existed), over UDP
(RFC 5426) or TCP with octet counting (RFC 6587), to
``[mvp_security] syslog = udp://host:514`` or ``tcp://host:601``.  The
row's hash travels in the structured data, so the central store can be
compared with the chain.  A log store that does not answer never stops
the work: the failure is written to the server's log and the row stays
in the database.
"""
import datetime as dt
import logging
import os
import socket
from urllib.parse import urlsplit

from trytond import config
from trytond.transaction import Transaction

__all__ = ['forward', 'rfc5424']

logger = logging.getLogger(__name__)

APP_NAME = 'mvp-office'
# SD-ID of our parameters: "name@<private enterprise number>"; 32473 is
# the number RFC 5612 sets aside for documentation and examples
SD_ID = 'mvp@32473'
FACILITY_AUTHPRIV = 10
SEVERITY = {'login_failed': 4, 'login_refused': 4, 'lock': 4,
    'totp_failed': 4, 'totp_replay': 4}
NOTICE = 5
TIMEOUT = 5


def _sd_value(value):
    "Escape a structured data parameter value (RFC 5424 §6.3.3)"
    return (str(value).replace('\\', '\\\\').replace('"', '\\"')
        .replace(']', '\\]'))


def rfc5424(values, hostname=None, facility=FACILITY_AUTHPRIV):
    "Return the RFC 5424 message (bytes) of an audit row's values"
    priority = facility * 8 + SEVERITY.get(values['event'], NOTICE)
    timestamp = values['timestamp'].replace(tzinfo=dt.timezone.utc)
    params = [(k, values.get(k)) for k in [
            'hash', 'account', 'login', 'actor', 'ip_address', 'resource']]
    data = '[%s %s]' % (SD_ID, ' '.join('%s="%s"' % (k, _sd_value(v))
            for k, v in params if v not in {None, ''}))
    header = '<%d>1 %s %s %s %d %s %s' % (priority,
        timestamp.isoformat(timespec='microseconds').replace('+00:00', 'Z'),
        (hostname or socket.gethostname())[:255], APP_NAME, os.getpid(),
        values['event'][:32], data)
    details = values.get('details') or ''
    message = header.encode('ascii', 'replace')
    if details:
        # a UTF-8 MSG starts with the byte order mark
        message += b' \xef\xbb\xbf' + details.encode('utf-8')
    return message


def forward(values):
    "Send the audit row's values to the log store once committed"
    uri = config.get('mvp_security', 'syslog', default='')
    if not uri:
        return
    manager = Transaction().join(SyslogDataManager(uri))
    manager.put(rfc5424(values))


def send(uri, messages):
    "Send messages to the syslog receiver at uri"
    parts = urlsplit(uri)
    address = (parts.hostname, parts.port or 514)
    if parts.scheme == 'udp':
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for message in messages:
                sock.sendto(message, address)
    elif parts.scheme == 'tcp':
        with socket.create_connection(address, timeout=TIMEOUT) as sock:
            # octet counting: the length, a space, the message
            sock.sendall(b''.join(
                    b'%d %s' % (len(m), m) for m in messages))
    else:
        raise ValueError("syslog URI must be udp:// or tcp://: %s" % uri)


class SyslogDataManager:
    "Send the messages of a transaction when it is committed"

    def __init__(self, uri):
        self.uri = uri
        self.messages = []

    def put(self, message):
        self.messages.append(message)

    def __eq__(self, other):
        # one manager per transaction and receiver
        return (isinstance(other, SyslogDataManager)
            and other.uri == self.uri)

    def __hash__(self):
        return hash(self.uri)

    def abort(self, trans):
        self.messages.clear()

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        if not self.messages:
            # all rolled back, the transaction went on and committed
            return
        try:
            send(self.uri, self.messages)
        except (OSError, ValueError):
            logger.exception(
                "audit rows not forwarded to %s", self.uri)
        self.messages.clear()

    def tpc_abort(self, trans):
        self.messages.clear()
