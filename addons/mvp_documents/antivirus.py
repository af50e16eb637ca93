# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A small client of clamd, the ClamAV daemon (its socket protocol)

Configured by ``[antivirus] clamd = unix:///run/clamav/clamd.ctl`` or
``tcp://host:3310`` (and ``timeout`` in seconds, 60 by default).  Without
``clamd`` no file is scanned (the demo); with it, a scanner that does not
answer is an error, never a pass.
"""
import socket
import struct
import urllib.parse

from trytond import config

__all__ = ['ScannerUnavailable', 'configured', 'scan', 'ping']

SECTION = 'antivirus'
CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    "clamd did not answer, or answered with an error"


def configured():
    "Return the clamd address of the configuration, or None"
    return config.get(SECTION, 'clamd', default=None) or None


def _connect(address, timeout):
    url = urllib.parse.urlsplit(address)
    try:
        if url.scheme == 'unix':
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(url.path)
        elif url.scheme == 'tcp':
            sock = socket.create_connection(
                (url.hostname, url.port or 3310), timeout=timeout)
        else:
            raise ScannerUnavailable("unknown clamd address %r" % address)
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    return sock


def _command(address, command, payload=b''):
    "Send a z-command (and its stream), return clamd's answer as text"
    timeout = config.getfloat(SECTION, 'timeout', default=60)
    with _connect(address, timeout) as sock:
        try:
            sock.sendall(b'z' + command + b'\0')
            if command == b'INSTREAM':
                view = memoryview(payload)
                for start in range(0, len(view), CHUNK):
                    chunk = view[start:start + CHUNK]
                    sock.sendall(struct.pack('!L', len(chunk)) + chunk)
                sock.sendall(struct.pack('!L', 0))
            answer = b''
            while not answer.endswith(b'\0'):
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
        except OSError as error:
            raise ScannerUnavailable(str(error)) from error
    return answer.rstrip(b'\0').decode('utf-8', 'replace').strip()


def scan(data, address=None):
    """Return the name of the signature data matches, or None if clean

    Raises ScannerUnavailable when clamd cannot tell (no answer, a stream
    above its StreamMaxLength, an error)."""
    address = address or configured()
    answer = _command(address, b'INSTREAM', bytes(data))
    # "stream: OK", "stream: <signature> FOUND" or "<reason> ERROR"
    if answer.endswith(' FOUND'):
        name = answer[:-len(' FOUND')].split(': ', 1)[-1]
        return name.removesuffix('.UNOFFICIAL')
    if answer.endswith(': OK'):
        return None
    raise ScannerUnavailable(answer or "no answer")


def ping(address=None):
    "Tell whether clamd answers"
    try:
        return _command(address or configured(), b'PING') == 'PONG'
    except ScannerUnavailable:
        return False
