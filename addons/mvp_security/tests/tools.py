# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A JSON-RPC client on trytond's own WSGI application and the test
database (SQLite or PostgreSQL, as DB_NAME says), and the fixtures of
the sign-in tests: every call takes the real path (dispatcher,
security.login / security.check, ir.session), nothing is mocked."""
import base64
import datetime as dt
import json
import unittest
from contextlib import contextmanager

from werkzeug.test import Client

from trytond.modules.mvp_documents.tests.incoming_tools import (
    create_agency, create_official)
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction
from trytond.wsgi import app

PASSWORD = 'Mvp#Test-2026'
# activated as 'mvp_security' alone (mvp_documents comes with it): the
# database cached for test_module.py, not one more build
MODULE = 'mvp_security'
# whose Vietnamese translations the tests load
MODULES = ['mvp_documents', 'mvp_security']


class RPCError(Exception):
    "The JSON-RPC error of a call: its kind and arguments"

    def __init__(self, error):
        super().__init__(error)
        self.kind, self.args_ = error[0], error[1] if len(error) > 1 else None


class HTTPStatusError(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


class RPC:
    "A client of /<database>/rpc/ from one address"

    def __init__(self, remote_addr='127.0.0.1', wsgi=None, headers=None):
        self.client = Client(wsgi or app)
        self.environ = {'REMOTE_ADDR': remote_addr}
        self.headers = headers or {}

    def call(self, method, params, session=None):
        headers = dict(self.headers)
        if session:
            headers['Authorization'] = 'Session ' + base64.b64encode(
                ('%s:%s:%s' % session).encode()).decode()
        response = self.client.post('/%s/rpc/' % DB_NAME,
            data=json.dumps({'method': method, 'params': params, 'id': 1}),
            content_type='application/json', headers=headers,
            environ_base=self.environ)
        if response.status_code != 200:
            raise HTTPStatusError(response.status_code)
        answer = json.loads(response.data)
        if answer.get('error'):
            raise RPCError(answer['error'])
        return answer['result']

    def login(self, login, **parameters):
        "Return the session (login, user id, key) or raise the error"
        forget_backoff()
        user_id, key = self.call('common.db.login',
            [login, parameters, 'vi'])[:2]
        return (login, user_id, key)

    def attempt(self, login, password, **parameters):
        """Sign in with password: return the session, the LoginException's
        (parameter, message) or the HTTP status of a refusal"""
        try:
            return self.login(login, password=password, **parameters)
        except RPCError as error:
            assert error.kind == 'LoginException', error.args
            name, message, _ = error.args_
            return (name, message)
        except HTTPStatusError as error:
            return error.status


@contextmanager
def committed(user=0):
    "A transaction whose changes the WSGI requests see"
    with Transaction().start(DB_NAME, user) as transaction:
        yield transaction
        transaction.commit()


def forget_backoff():
    """Tryton's own brake (res.user.login.attempt) sleeps up to 2^n - 1
    seconds after the n-th failure of a window; it stays on in
    production, the tests forget it to count our lock only"""
    with committed():
        Attempt = Pool().get('res.user.login.attempt')
        table = Attempt.__table__()
        Transaction().connection.cursor().execute(*table.delete())


def audit(event=None, login=None):
    "The audit rows (oldest first) of event and login"
    with Transaction().start(DB_NAME, 0):
        Audit = Pool().get('mvp.security.audit')
        domain = []
        if event:
            domain.append(('event', '=', event))
        if login:
            domain.append(('login', '=', login))
        return [{
                'id': a.id, 'event': a.event, 'login': a.login,
                'account': a.account.id if a.account else None,
                'actor': a.actor.id if a.actor else None,
                'ip_address': a.ip_address, 'details': a.details,
                'resource': a.resource, 'hash': a.hash,
                'timestamp': a.timestamp}
            for a in Audit.search(domain, order=[('id', 'ASC')])]


def utc_ago(**delta):
    return (dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        - dt.timedelta(**delta))


class SignInCase(unittest.TestCase):
    """A database with mvp_security and one agency: an officer, an agency
    administrator and the provincial administrator, all with PASSWORD"""

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(MODULE)
        with committed():
            load_vietnamese(MODULES)
            cls.company = create_agency("Sở Nội vụ", 'SNV').id
        cls.officer = cls.create_user('officer', 'group_mvp_officer')
        cls.agency_admin = cls.create_user(
            'agency.admin', 'group_mvp_agency_admin')
        cls.province_admin = cls.create_user('province.admin', None,
            groups=['group_mvp_province_admin'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @classmethod
    def create_user(cls, login, role, groups=(), password=PASSWORD):
        "Create an official with an account as the server's set-up does"
        with committed():
            pool = Pool()
            Company = pool.get('company.company')
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            employee = create_official(
                Company(cls.company), login, "Người dùng %s" % login, role)
            user, = employee.users
            User.write([user], {
                    'password': password,
                    'groups': [('add', [
                                ModelData.get_id('mvp_documents', g)
                                for g in groups])],
                    })
            return user.id

    @staticmethod
    def set_user(user_id, **values):
        "Write columns of an account directly (time travel of the tests)"
        with committed():
            User = Pool().get('res.user')
            table = User.__table__()
            Transaction().connection.cursor().execute(*table.update(
                    [getattr(table, k) for k in values],
                    list(values.values()), where=table.id == user_id))
