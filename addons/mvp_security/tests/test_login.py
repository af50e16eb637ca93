# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 1: lockout, idle timeout, sign-out, client address.

Every test signs in through JSON-RPC on trytond's WSGI application
(common.db.login, then authenticated calls), on the database the
environment names (SQLite or PostgreSQL)."""
import datetime as dt
import statistics
import time

from trytond import config
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wsgi import NumProxyFix, app

from .tools import (
    PASSWORD, RPC, HTTPStatusError, RPCError, SignInCase, audit, committed,
    forget_backoff, utc_ago)

SIGN_IN = {'login', 'login_failed', 'login_refused', 'lock', 'unlock',
    'logout', 'timeout'}
LOCKED = "Tài khoản đã bị khóa do đăng nhập sai 5 lần liên tiếp"


def sign_ins(login):
    "The sign-in events of login: (event, account)"
    return [(a['event'], a['account']) for a in audit(login=login)
        if a['event'] in SIGN_IN]


class LoginTestCase(SignInCase):
    "Sign-in through JSON-RPC"

    def setUp(self):
        self.rpc = RPC()

    def fail_times(self, login, times, rpc=None):
        "Try a wrong password times; return the answers"
        rpc = rpc or self.rpc
        return [rpc.attempt(login, 'Wrong#Pass-%d' % i) for i in range(times)]

    def test_lock_after_five_failures_then_even_the_right_password(self):
        login = 'lock.me'
        user = self.create_user(login, 'group_mvp_officer')
        answers = self.fail_times(login, 5)
        # four plain refusals (the client asks again), the fifth locks
        self.assertEqual(answers[:4], [401] * 4)
        name, message = answers[4]
        self.assertEqual(name, 'password')
        self.assertIn(LOCKED, message)
        self.assertIn("quản trị hệ thống cấp tỉnh", message)

        # a script trying on: the right password is refused as well
        for password in ['Wrong#Pass-9', PASSWORD]:
            name, message = self.rpc.attempt(login, password)
            self.assertIn(LOCKED, message)

        events = sign_ins(login)
        self.assertEqual(events, [('login_failed', user)] * 5
            + [('lock', user)] + [('login_refused', user)] * 2)
        self.assertEqual(audit('login_failed', login)[-1]['details'],
            'failure 5 in a row')

    def test_unknown_login_gets_the_same_answers(self):
        login = 'nobody.here'
        answers = self.fail_times(login, 5)
        self.assertEqual(answers[:4], [401] * 4)
        self.assertIn(LOCKED, answers[4][1])
        self.assertIn(LOCKED, self.rpc.attempt(login, PASSWORD)[1])
        events = sign_ins(login)
        self.assertEqual(events, [('login_failed', None)] * 5
            + [('lock', None), ('login_refused', None)])

    def test_unknown_login_takes_the_same_time(self):
        "A wrong password costs one password hash, known login or not"
        def timed(login):
            durations = []
            for i in range(4):
                forget_backoff()
                started = time.monotonic()
                self.assertEqual(self.rpc.attempt(login, 'Wrong#%d' % i), 401)
                durations.append(time.monotonic() - started)
            with committed():
                Lock = Pool().get('mvp.security.login_lock')
                Lock.clear(login)
            return statistics.median(durations)
        known = timed('officer')
        unknown = timed('no.such.user')
        # without the dummy hash an unknown login answers ~10x faster
        self.assertLess(abs(known - unknown), max(known, unknown) * 0.5,
            (known, unknown))

    def test_success_starts_the_count_again(self):
        login = 'typo.prone'
        self.create_user(login, 'group_mvp_officer')
        self.fail_times(login, 4)
        self.assertEqual(len(self.rpc.login(login, password=PASSWORD)), 3)
        self.assertEqual(self.fail_times(login, 4), [401] * 4)
        self.assertEqual(len(self.rpc.login(login, password=PASSWORD)), 3)

    def test_lock_ends_after_its_duration(self):
        login = 'wait.twelve'
        self.create_user(login, 'group_mvp_officer')
        self.fail_times(login, 5)
        self.assertIn(LOCKED, self.rpc.attempt(login, PASSWORD)[1])
        with committed():
            Lock = Pool().get('mvp.security.login_lock')
            table = Lock.__table__()
            Transaction().connection.cursor().execute(*table.update(
                    [table.locked_until], [utc_ago(seconds=1)],
                    where=table.login == login))
        session = self.rpc.login(login, password=PASSWORD)
        self.assertEqual(session[0], login)
        # the count starts again from zero
        self.assertEqual(self.fail_times(login, 4), [401] * 4)

    def test_lock_lasts_twelve_hours(self):
        login = 'twelve.hours'
        self.fail_times(login, 5)
        lock, = audit('lock', login)
        until = lock['details'].split()[1]
        hours = (dt.datetime.fromisoformat(until) - lock['timestamp'])
        self.assertAlmostEqual(hours.total_seconds(), 12 * 3600, delta=2)

    def test_province_admin_unlocks(self):
        login = 'unlock.me'
        user = self.create_user(login, 'group_mvp_officer')
        self.fail_times(login, 5)
        for who in ['officer', 'agency.admin']:
            session = self.rpc.login(who, password=PASSWORD)
            with self.assertRaises(RPCError) as cm:
                self.rpc.call('model.res.user.unlock_account',
                    [[user], {}], session)
            self.assertEqual(cm.exception.kind, 'UserError')
            self.assertIn(LOCKED, self.rpc.attempt(login, PASSWORD)[1])

        admin = self.rpc.login('province.admin', password=PASSWORD)
        locked, = self.rpc.call('model.res.user.read',
            [[user], ['locked_until'], {}], admin)
        self.assertTrue(locked['locked_until'])
        self.rpc.call('model.res.user.unlock_account', [[user], {}], admin)
        self.assertEqual(self.rpc.login(login, password=PASSWORD)[1], user)
        unlock, = audit('unlock', login)
        self.assertEqual(unlock['actor'], self.province_admin)
        self.assertEqual(unlock['account'], user)

    def test_sign_in_and_out_are_recorded(self):
        login = 'comes.goes'
        user = self.create_user(login, 'group_mvp_officer')
        session = self.rpc.login(login, password=PASSWORD)
        self.rpc.call('common.db.logout', [], session)
        with self.assertRaises(HTTPStatusError) as cm:
            self.rpc.call('model.res.user.get_preferences', [True, {}],
                session)
        self.assertEqual(cm.exception.status, 401)
        events = [(a['event'], a['account'], a['ip_address'])
            for a in audit(login=login) if a['event'] in SIGN_IN]
        self.assertEqual(events, [('login', user, '127.0.0.1'),
                ('logout', user, '127.0.0.1')])
        with committed():
            User = Pool().get('res.user')
            self.assertTrue(User(user).last_login)

    def test_client_address_behind_the_proxy(self):
        "[web] num_proxies: the address nginx puts in X-Forwarded-For"
        login = 'behind.nginx'
        rpc = RPC(remote_addr='10.0.0.2', wsgi=NumProxyFix(app, 1),
            headers={'X-Forwarded-For': '203.0.113.7'})
        rpc.attempt(login, 'Wrong#Pass')
        failure, = audit('login_failed', login)
        self.assertEqual(failure['ip_address'], '203.0.113.7')


class IdleTimeoutTestCase(SignInCase):
    "The server ends idle sessions"

    def setUp(self):
        self.rpc = RPC()

    def age_session(self, session, **delta):
        "Make the last call of session older by delta"
        with committed():
            Session = Pool().get('ir.session')
            table = Session.__table__()
            Transaction().connection.cursor().execute(*table.update(
                    [table.create_date, table.write_date],
                    [utc_ago(**delta), utc_ago(**delta)],
                    where=table.key == session[2]))
            Session._session_reset_cache.clear()

    def works(self, session):
        try:
            self.rpc.call('model.res.user.get_preferences', [True, {}],
                session)
            return True
        except HTTPStatusError as error:
            self.assertEqual(error.status, 401)
            return False

    def test_officer_after_fifteen_minutes(self):
        session = self.rpc.login('officer', password=PASSWORD)
        self.age_session(session, minutes=14)
        self.assertTrue(self.works(session))
        # the call above counts as activity
        self.age_session(session, minutes=15, seconds=5)
        self.assertFalse(self.works(session))
        # and the session is gone, not just refused once
        self.assertFalse(self.works(session))
        timeout = audit('timeout', 'officer')[-1]
        self.assertEqual(timeout['account'], self.officer)

    def test_administrators_after_five_minutes(self):
        for login in ['province.admin', 'agency.admin']:
            session = self.rpc.login(login, password=PASSWORD)
            self.age_session(session, minutes=4)
            self.assertTrue(self.works(session), login)
            self.age_session(session, minutes=5, seconds=5)
            self.assertFalse(self.works(session), login)
        officer = self.rpc.login('officer', password=PASSWORD)
        self.age_session(officer, minutes=5, seconds=5)
        self.assertTrue(self.works(officer))

    def test_activity_keeps_the_session(self):
        "Real clock: calls closer than the timeout keep it, a pause ends it"
        if not config.has_section('mvp_security'):
            config.add_section('mvp_security')
        before = config.get('mvp_security', 'idle_timeout', default='900')
        config.set('mvp_security', 'idle_timeout', '3')
        try:
            session = self.rpc.login('officer', password=PASSWORD)
            for _ in range(4):
                time.sleep(1)
                self.assertTrue(self.works(session))
            time.sleep(3.2)
            self.assertFalse(self.works(session))
        finally:
            config.set('mvp_security', 'idle_timeout', before)
