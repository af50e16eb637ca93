# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fixtures of the cross-module tests: a demo server on loopback."""
import base64
import json
import os
import socket
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUTPUT = Path(os.environ.get('MVP_TEST_OUTPUT', ROOT / 'var' / 'test-output'))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Server:
    "A trytond server with a small demo database, spoken to by JSON-RPC"

    def __init__(self, url, database, logins):
        self.url, self.database, self.logins = url, database, logins

    def rpc(self, method, params, session=None):
        request = urllib.request.Request(
            '%s/%s/rpc/' % (self.url, self.database),
            json.dumps({'method': method, 'params': params, 'id': 1}
                ).encode(), {'Content-Type': 'application/json'})
        if session:
            request.add_header('Authorization', 'Session ' + base64.b64encode(
                    ('%s:%s:%s' % session).encode()).decode())
        answer = json.loads(urllib.request.urlopen(request, timeout=60).read())
        if answer.get('error'):
            raise RuntimeError(answer['error'])
        return answer['result']

    def login(self, login, password):
        user_id, key = self.rpc('common.db.login',
            [login, {'password': password}, 'vi'])[:2]
        return (login, user_id, key)


@pytest.fixture(scope='session')
def demo_server(tmp_path_factory):
    "Build a small demo database (province + STTTT) and serve it"
    yield from serve_demo(tmp_path_factory)


@pytest.fixture(scope='session')
def attacked_server(tmp_path_factory):
    """A demo server of its own for the attack tests: what they leave
    (accounts, files) must not meet the browser's stories"""
    yield from serve_demo(tmp_path_factory)


@pytest.fixture(scope='session')
def second_factor_server(demo_server, tmp_path_factory):
    """A copy of the demo database served as production signs in: the
    password and a second factor for everyone (no trusted network), and
    sessions ended after 20 idle seconds"""
    yield from serve_demo(tmp_path_factory, copy_of=demo_server,
        session__authentications='password+totp',
        mvp_security__trusted_networks='',
        mvp_security__idle_timeout=str(SECOND_FACTOR_IDLE),
        mvp_security__admin_idle_timeout=str(SECOND_FACTOR_IDLE))


SECOND_FACTOR_IDLE = 20


def serve_demo(tmp_path_factory, copy_of=None, **overrides):
    """Build a demo database (or copy the one copy_of serves) and serve it
    with the demo configuration and overrides"""
    from scripts import demo
    directory = tmp_path_factory.mktemp('demo')
    port = free_port()
    config = demo.effective_config(ROOT / 'config' / 'demo.conf',
        directory / 'trytond.conf', **dict({
                'database__path': str(directory),
                'web__listen': '127.0.0.1:%s' % port,
                'email__uri': 'smtp://127.0.0.1:%s' % free_port(),
                # a role's session serves a whole run, which on a loaded
                # machine outlasts the administrators' 5 idle minutes
                # (mvp_security's own tests check the idle logout)
                'mvp_security__idle_timeout': '7200',
                'mvp_security__admin_idle_timeout': '7200',
                }, **overrides))
    env = dict(os.environ, MVP_DEMO_AGENCIES='UBND,STTTT',
        TZ='Asia/Ho_Chi_Minh')
    for key in list(env):
        if (key.startswith('TRYTOND_DATABASE')
                or key in {'DB_NAME', 'DB_CACHE'}):
            del env[key]
    if copy_of:
        copy_database(copy_of.database_file, directory)
        logins = copy_of.logins
    else:
        logins = demo.build_database(config, 'mvp_demo', directory, env=env)
    processes = demo.start(config, 'mvp_demo', env=env, cron=False)
    url = 'http://127.0.0.1:%s' % port
    try:
        assert demo.wait_http(url + '/', timeout=120), "server did not start"
        server = Server(url, 'mvp_demo', logins)
        # the SQLite file, for tests that check as root what is stored
        server.database_file = directory / 'mvp_demo.sqlite'
        yield server
    finally:
        demo.stop(processes)


def copy_database(database_file, directory):
    """Copy a served demo database (SQLite's online backup: consistent
    while its server runs) and its file store into directory"""
    import shutil
    import sqlite3
    source = sqlite3.connect(database_file)
    target = sqlite3.connect(directory / database_file.name)
    with target:
        source.backup(target)
    source.close()
    target.close()
    store = database_file.parent / database_file.stem
    if store.is_dir():
        shutil.copytree(store, directory / store.name)
