# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two real trytond installations on 127.0.0.1, each with its own database,
agencies, server and queue worker, peered with each other."""
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PY = sys.executable
TOOL = 'trytond.modules.mvp_interchange.tests.twoservers_tool'
PG_URI = 'postgresql://postgres@127.0.0.1:5432/'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def cli(module, *args, **kwargs):
    "Run a trytond command line with this interpreter (not the shebang)"
    code = (f'import sys; from {module} import main; '
        'sys.argv[0] = "trytond"; sys.exit(main())')
    return [PY, '-c', code, *args]


class Installation:

    def __init__(self, root, name, backend='sqlite'):
        self.name = name
        self.backend = backend
        self.dir = os.path.join(root, name)
        os.makedirs(self.dir, exist_ok=True)
        self.database = f'mvp_ic_{name}_{os.getpid()}'
        self.port = free_port()
        self.server = self.worker = None
        self.conf = os.path.join(self.dir, 'trytond.conf')
        uri = 'sqlite://' if backend == 'sqlite' else PG_URI
        with open(self.conf, 'w') as f:
            f.write(f'[database]\nuri = {uri}\npath = {self.dir}\n'
                f'[web]\nlisten = 127.0.0.1:{self.port}\n'
                '[wsgi middleware]\n'
                'coalesce = trytond.modules.mvp_documents.wsgi.'
                'CoalesceResponse\n'
                f'[queue]\nworker = {backend != "sqlite"}\n'
                '[mvp_interchange]\nretry_delays = 1,1,2,2,3\n'
                'max_attempts = 30\ntimeout = 20\nstuck_hours = 1\n'
                '[session]\nmax_attempt = 100\n')
        self.log = open(os.path.join(self.dir, 'log.txt'), 'ab')

    @property
    def url(self):
        return f'http://127.0.0.1:{self.port}/{self.database}/mvp/edxml'

    def _env(self):
        env = dict(os.environ)
        env.pop('TRYTOND_DATABASE__URI', None)
        env.pop('DB_NAME', None)
        env['TRYTOND_CONFIG'] = self.conf
        env['TRYTONPASSFILE'] = os.path.join(self.dir, 'pass')
        with open(env['TRYTONPASSFILE'], 'w') as f:
            f.write('admin\n')
        return env

    def create(self, template=None):
        if self.backend == 'sqlite':
            path = os.path.join(self.dir, self.database + '.sqlite')
            if template is not None:
                shutil.copy(os.path.join(template.dir,
                        template.database + '.sqlite'), path)
                return
            open(path, 'w').close()
        else:
            args = ['createdb', '-h', '127.0.0.1', '-U', 'postgres']
            if template is not None:
                args += ['-T', template.database]
            subprocess.run(args + [self.database], check=True)
            if template is not None:
                return
        subprocess.run(cli('trytond.cli.admin', '-c', self.conf,
                '-d', self.database, '-u', 'mvp_interchange',
                '--activate-dependencies', '--email', 'admin@example.com'),
            env=self._env(), check=True, stdout=self.log, stderr=self.log)

    def drop(self):
        if self.backend == 'postgresql':
            subprocess.run(['dropdb', '-h', '127.0.0.1', '-U', 'postgres',
                    '--if-exists', '--force', self.database], check=False)

    def count(self, table, where='TRUE'):
        """Rows of table, read with one SQL query: a probe that costs the
        machine nothing, unlike call() which loads a whole pool"""
        query = f'SELECT COUNT(*) FROM "{table}" WHERE {where}'
        if self.backend == 'sqlite':
            import sqlite3
            with contextlib.closing(sqlite3.connect(os.path.join(
                            self.dir, self.database + '.sqlite'),
                        timeout=30)) as connection:
                return connection.execute(query).fetchone()[0]
        import psycopg
        with psycopg.connect(PG_URI + self.database) as connection:
            return connection.execute(query).fetchone()[0]

    def call(self, command, **kwargs):
        result = subprocess.run([PY, '-m', TOOL, self.conf, self.database,
                command, json.dumps(kwargs)], env=self._env(),
            capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f'{self.name} {command}: {result.stderr}')
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start(self):
        self.server = subprocess.Popen(cli('trytond.cli', '-c', self.conf,
                '-d', self.database), env=self._env(), stdout=self.log,
            stderr=self.log)
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                urllib.request.urlopen(urllib.request.Request(self.url,
                        data=b'', method='POST'), timeout=5)
            except urllib.error.HTTPError:
                return  # the route answers (401 without a key)
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f'{self.name}: server did not start')

    def start_worker(self):
        if self.backend == 'sqlite':
            # trytond-worker cannot wait on a SQLite connection
            args = [PY, '-m', TOOL, self.conf, self.database, 'work']
        else:
            args = cli('trytond.cli.worker', '-c', self.conf,
                '-d', self.database, '-t', '1', '-n', '1')
        # own process group: trytond-worker's pool processes go with it
        self.worker = subprocess.Popen(args, env=self._env(),
            stdout=self.log, stderr=self.log, start_new_session=True)

    def stop_server(self, kill=False):
        if self.server is not None:
            self.server.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.server.wait(30)
            self.server = None

    def stop(self):
        self.stop_server()
        if self.worker is not None:
            group = os.getpgid(self.worker.pid)
            os.killpg(group, signal.SIGTERM)
            try:
                self.worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(group, signal.SIGKILL)
            self.worker = None
        self.log.close()


def pair(backend='sqlite', root=None):
    """Create installations A (Thái Bình, H54) and B (Nghệ An, H41),
    peered both ways; return (root, a, b) with servers and workers on."""
    root = root or tempfile.mkdtemp(prefix='mvp-ic-')
    a = Installation(root, 'a', backend)
    b = Installation(root, 'b', backend)
    a.create()
    b.create(template=a)
    a.call('setup', agencies=[
            ['UBND tỉnh Thái Bình', '000.00.00.H54', 'UBND'],
            ['Sở TT&TT Thái Bình', '000.01.00.H54', 'STTTT']],
        peers=[{'name': 'b', 'kind': 'peer', 'url': b.url,
                'incoming_key_secret': 'key-b-to-a',
                'outgoing_key_secret': 'key-a-to-b'}],
        routes=[['*', 'b']])
    b.call('setup', agencies=[
            ['UBND tỉnh Nghệ An', '000.00.00.H41', 'UBND']],
        peers=[{'name': 'a', 'kind': 'peer', 'url': a.url,
                'incoming_key_secret': 'key-a-to-b',
                'outgoing_key_secret': 'key-b-to-a'}],
        routes=[['*', 'a']])
    for installation in (a, b):
        installation.start()
        installation.start_worker()
    return root, a, b


def wait(predicate, timeout=300, interval=1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def post(installation, data, key, message_id=None):
    headers = {'Authorization': f'Bearer {key}'}
    if message_id:
        headers['X-Edxml-Message-Id'] = message_id
    request = urllib.request.Request(installation.url, data=data,
        method='POST', headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b'{}')


def bench(packages=50, attachment_mb=1, backend='sqlite'):
    "packages_per_s from A to B, until the incomings exist at B"
    root, a, b = pair(backend)
    try:
        incoming = b.call('has_incoming')
        sent = a.call('send', sender='000.00.00.H54',
            recipient='000.00.00.H41', count=packages,
            attachment_kb=int(attachment_mb * 1024), prefix='9')
        start = sent['queued_at']

        # incoming documents at B, or without an incoming register the
        # messages its inbox processed (and refused)
        probe = (('mvp_incoming',) if incoming
            else ('mvp_interchange_message', "direction = 'in'"))
        before = b.count(*probe)

        def arrived():
            return b.count(*probe) - before >= packages
        done = wait(arrived, timeout=1800, interval=0.1)
        elapsed = time.time() - start
        rate = round(packages / elapsed, 2) if done else None
        result = b.call('state')
        return {'packages_per_s': rate if incoming else None,
            'transport_packages_per_s': rate, 'packages': packages,
            'attachment_mb': attachment_mb, 'backend': backend,
            'received': result.get('incomings'), 'receiver_log': result['in'],
            'seconds': round(elapsed, 1)}
    finally:
        a.stop()
        b.stop()
        a.drop()
        b.drop()
        shutil.rmtree(root, ignore_errors=True)
