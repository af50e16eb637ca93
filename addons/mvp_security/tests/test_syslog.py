# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 4: the audit trail forwarded to a central log store in
RFC 5424, over UDP and TCP, once committed."""
import re
import socket
import socketserver
import threading

from trytond import config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import RPC, SignInCase, audit, committed

# <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG (RFC 5424 §6)
MESSAGE = re.compile(
    rb'<(?P<pri>\d+)>1 (?P<time>\S+Z) (?P<host>\S+) mvp-office \d+ '
    rb'(?P<msgid>\S+) \[mvp@32473 (?P<sd>(?:[^\]\\]|\\.)*)\]'
    rb'(?: \xef\xbb\xbf(?P<msg>.*))?$', re.S)


def parameters(sd):
    return {k: v.replace('\\"', '"') for k, v in re.findall(
            r'(\w+)="((?:[^"\\]|\\.)*)"', sd.decode())}


class Receiver:
    "A syslog receiver on loopback: UDP datagrams or TCP octet counting"

    def __init__(self, kind):
        self.kind, self.messages = kind, []
        self.received = threading.Event()
        if kind == 'udp':
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(('127.0.0.1', 0))
            target = self._udp
        else:
            receiver = self

            class Handler(socketserver.StreamRequestHandler):
                def handle(self):
                    data = self.rfile.read()
                    while data:
                        length, _, rest = data.partition(b' ')
                        receiver.messages.append(rest[:int(length)])
                        data = rest[int(length):]
                    receiver.received.set()
            self.server = socketserver.TCPServer(('127.0.0.1', 0), Handler)
            self.sock = self.server.socket
            target = self.server.serve_forever
        self.uri = '%s://127.0.0.1:%s' % (kind, self.sock.getsockname()[1])
        threading.Thread(target=target, daemon=True).start()

    def _udp(self):
        while True:
            try:
                data, _ = self.sock.recvfrom(65536)
            except OSError:
                return
            self.messages.append(data)
            self.received.set()

    def close(self):
        if self.kind == 'tcp':
            self.server.shutdown()
            self.server.server_close()
        else:
            self.sock.close()


class SyslogTestCase(SignInCase):
    "The audit rows reach the central log store"

    def forwarding_to(self, uri):
        if not config.has_section('mvp_security'):
            config.add_section('mvp_security')
        config.set('mvp_security', 'syslog', uri)
        self.addCleanup(config.set, 'mvp_security', 'syslog', '')

    def receiver(self, kind):
        receiver = Receiver(kind)
        self.addCleanup(receiver.close)
        self.forwarding_to(receiver.uri)
        return receiver

    def test_failed_sign_in_forwarded_over_udp_with_its_hash(self):
        receiver = self.receiver('udp')
        RPC(remote_addr='10.1.2.3').attempt('officer', 'Sai "mật" khẩu]')
        self.assertTrue(receiver.received.wait(10))
        row = audit('login_failed', 'officer')[-1]
        messages = [MESSAGE.match(m) for m in receiver.messages]
        self.assertTrue(all(messages), receiver.messages)
        failed, = [m for m in messages if m['msgid'] == b'login_failed']
        # authpriv (10) warning (4)
        self.assertEqual(int(failed['pri']), 10 * 8 + 4)
        values = parameters(failed['sd'])
        self.assertEqual(values['hash'], row['hash'])
        self.assertEqual(
            (values['login'], values['ip_address']), ('officer', '10.1.2.3'))
        # the password typed is never in the trail nor in the message
        self.assertNotIn(b'kh\xe1\xba\xa9u', receiver.messages[0])

    def test_rows_forwarded_over_tcp_once_committed(self):
        receiver = self.receiver('tcp')
        with Transaction().start(DB_NAME, 0) as transaction:
            Pool().get('mvp.security.audit').append(
                'unlock', login='officer', details="Mở khóa thử")
            transaction.rollback()
        self.assertFalse(receiver.received.wait(1), receiver.messages)
        with committed():
            Pool().get('mvp.security.audit').append(
                'unlock', login='officer', details="Mở khóa: quên mật khẩu")
        self.assertTrue(receiver.received.wait(10))
        message, = receiver.messages
        match = MESSAGE.match(message)
        self.assertEqual(match['msgid'], b'unlock')
        self.assertEqual(
            match['msg'].decode('utf-8'), "Mở khóa: quên mật khẩu")
        self.assertEqual(parameters(match['sd'])['hash'],
            audit('unlock', 'officer')[-1]['hash'])

    def test_a_silent_log_store_stops_nothing(self):
        self.forwarding_to('tcp://127.0.0.1:9')
        before = len(audit('unlock'))
        with committed():
            Pool().get('mvp.security.audit').append('unlock', login='x')
        self.assertEqual(len(audit('unlock')), before + 1)
