# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A real clamd for the tests, with a signature database of EICAR only
(written here: nothing is downloaded at test time)."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from trytond import config

__all__ = ['EICAR', 'Clamd', 'configured_clamd']

CLAMD = shutil.which('clamd') or '/usr/sbin/clamd'
# The EICAR test file (68 bytes), built so that no scanner flags this file
EICAR = (b'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + b'EICAR-STANDARD-ANTIVIRUS'
    + b'-TEST-FILE!$H+H*')
SIGNATURE = 'Eicar-Test-Signature'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Clamd:
    "clamd in the foreground on a unix socket and a loopback TCP port"

    def __init__(self):
        if not os.path.exists(CLAMD):
            raise unittest.SkipTest("clamd is not installed (clamav-daemon)")
        self.directory = tempfile.mkdtemp(prefix='clamd-')
        database = os.path.join(self.directory, 'db')
        os.mkdir(database)
        with open(os.path.join(database, 'eicar.hdb'), 'w') as file:
            # the MD5 of the EICAR file, its size and its name
            file.write('44d88612fea8a8f36de82e1278abb02f:68:%s\n' % SIGNATURE)
        with open(os.path.join(database, 'eicar.ndb'), 'w') as file:
            # EICAR anywhere in a file (an e-mail, a package)
            file.write('%s:0:*:%s\n' % (SIGNATURE, EICAR.hex()))
        self.socket = os.path.join(self.directory, 'clamd.sock')
        self.port = free_port()
        conf = os.path.join(self.directory, 'clamd.conf')
        with open(conf, 'w') as file:
            file.write('\n'.join([
                        'Foreground yes',
                        'LocalSocket %s' % self.socket,
                        'TCPSocket %s' % self.port,
                        'TCPAddr 127.0.0.1',
                        'DatabaseDirectory %s' % database,
                        'TemporaryDirectory %s' % self.directory,
                        'LogFile %s' % os.path.join(
                            self.directory, 'clamd.log'),
                        '']))
        self.process = subprocess.Popen([CLAMD, '-c', conf],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()

    @property
    def unix(self):
        return 'unix://' + self.socket

    @property
    def tcp(self):
        return 'tcp://127.0.0.1:%s' % self.port

    def _wait(self, timeout=60):
        from trytond.modules.mvp_documents import antivirus
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError("clamd stopped at start (%s)" % self.log())
            if (os.path.exists(self.socket) and antivirus.ping(self.unix)
                    and antivirus.ping(self.tcp)):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("clamd did not answer (%s)" % self.log())

    def log(self):
        try:
            with open(os.path.join(self.directory, 'clamd.log')) as file:
                return file.read()[-2000:]
        except OSError:
            return ''

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


class configured_clamd:
    "Set [antivirus] clamd for the block (None: no scanning)"

    def __init__(self, address):
        self.address = address

    def __enter__(self):
        if not config.has_section('antivirus'):
            config.add_section('antivirus')
        self.previous = config.get('antivirus', 'clamd', default='')
        config.set('antivirus', 'clamd', self.address or '')
        return self

    def __exit__(self, *exc):
        config.set('antivirus', 'clamd', self.previous)
