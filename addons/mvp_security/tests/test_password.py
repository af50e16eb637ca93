# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 3: password rules, renewal at sign-in, expiry and reuse
for administrators, inactive accounts disabled."""
import datetime as dt
import os
from zoneinfo import ZoneInfo

from trytond import config
from trytond.modules.mvp_documents.tests.test_reminder import mail_sink
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import (
    PASSWORD, RPC, RPCError, SignInCase, audit, committed, utc_ago)

FORBIDDEN = os.path.join(os.path.dirname(os.path.dirname(__file__)),
    'data', 'forbidden_passwords.txt')
CLASSES = "Mật khẩu phải có chữ thường, chữ hoa, chữ số và ký tự đặc biệt."


class PasswordTestCase(SignInCase):
    "Passwords"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._forbidden = config.get('password', 'forbidden', default='')
        config.set('password', 'forbidden', FORBIDDEN)

    @classmethod
    def tearDownClass(cls):
        config.set('password', 'forbidden', cls._forbidden)
        super().tearDownClass()

    def setUp(self):
        self.rpc = RPC()

    def create_by_admin(self, login, password):
        "The provincial administrator creates an account over JSON-RPC"
        admin = self.rpc.login('province.admin', password=PASSWORD)
        user, = self.rpc.call('model.res.user.create', [[{
                        'login': login, 'name': login,
                        'password': password,
                        'companies': [('add', [self.company])],
                        'company': self.company}], {'language': 'vi'}],
            admin)
        return user

    def test_weak_passwords_are_refused(self):
        admin = self.rpc.login('province.admin', password=PASSWORD)
        for password, message in [
                ('short#A1', None),  # 8: long enough, all classes
                # core messages: Vietnamese from locale/core/vi.po
                ('Ab#1', "at least 8"),
                ('alllower#1', CLASSES),
                ('ALLUPPER#1', CLASSES),
                ('NoDigits#x', CLASSES),
                ('NoSpecial1x', CLASSES),
                ('Matkhau@123', "forbidden"),
                ('P@ssw0rd', "forbidden"),
                ]:
            call = ('model.res.user.write', [[self.officer],
                    {'password': password}, {'language': 'vi'}], admin)
            if message is None:
                self.rpc.call(*call)
                continue
            with self.assertRaises(RPCError) as cm:
                self.rpc.call(*call)
            self.assertEqual(cm.exception.kind, 'UserError')
            self.assertIn(message, cm.exception.args_[0], password)
        # put the officer's password back for the other tests
        with Transaction().start(DB_NAME, 0) as transaction:
            User = Pool().get('res.user')
            User.write([User(self.officer)], {'password': PASSWORD,
                    'password_must_change': False})
            transaction.commit()

    def test_given_password_is_changed_at_first_sign_in(self):
        login = 'first.time'
        user = self.create_by_admin(login, 'Cap#Moi-2026')
        name, message = self.rpc.attempt(login, 'Cap#Moi-2026')
        self.assertEqual(name, 'new_password')
        self.assertIn("vui lòng đặt mật khẩu mới", message)
        # a weak new password: asked again, with the reason
        name, message = self.rpc.attempt(login, 'Cap#Moi-2026',
            new_password='weakpass')
        self.assertEqual(name, 'new_password')
        self.assertIn(CLASSES, message)
        # the same password again is no change
        name, message = self.rpc.attempt(login, 'Cap#Moi-2026',
            new_password='Cap#Moi-2026')
        self.assertEqual(name, 'new_password')
        self.assertIn("khác mật khẩu hiện tại", message)
        name, message = self.rpc.attempt(login, 'Cap#Moi-2026',
            new_password='Cua#Toi-2026')
        self.assertEqual(name, 'new_password_confirm')
        name, message = self.rpc.attempt(login, 'Cap#Moi-2026',
            new_password='Cua#Toi-2026', new_password_confirm='Cua#Toi-2025')
        self.assertEqual(name, 'new_password_confirm')
        self.assertIn("không khớp", message)
        session = self.rpc.attempt(login, 'Cap#Moi-2026',
            new_password='Cua#Toi-2026', new_password_confirm='Cua#Toi-2026')
        self.assertEqual(session[:2], (login, user))
        # the old password is gone, the new one signs in at once
        self.assertEqual(self.rpc.attempt(login, 'Cap#Moi-2026'), 401)
        self.assertEqual(
            self.rpc.attempt(login, 'Cua#Toi-2026')[:2], (login, user))
        events = [a['event'] for a in audit(login=login)]
        self.assertIn('password_set', events)
        self.assertEqual(events.count('password_change'), 1)

    def test_reset_password_must_be_changed(self):
        login = 'forgot.it'
        user = self.create_user(login, 'group_mvp_officer')
        admin = self.rpc.login('province.admin', password=PASSWORD)
        self.rpc.call('model.res.user.reset_password', [[user], {}], admin)
        with Transaction().start(DB_NAME, 0):
            User = Pool().get('res.user')
            code = User(user).password_reset
        self.assertTrue(code)
        name, _ = self.rpc.attempt(login, code)
        self.assertEqual(name, 'new_password')
        session = self.rpc.attempt(login, code,
            new_password='Moi#Lai-2026', new_password_confirm='Moi#Lai-2026')
        self.assertEqual(session[1], user)
        reset, = audit('password_reset', login)
        self.assertEqual(reset['actor'], self.province_admin)

    def test_administrator_password_expires_after_two_months(self):
        login = 'old.admin'
        user = self.create_user(login, 'group_mvp_agency_admin')
        self.set_user(user, password_changed=utc_ago(days=59))
        self.assertEqual(len(self.rpc.login(login, password=PASSWORD)), 3)
        self.set_user(user, password_changed=utc_ago(days=61))
        name, message = self.rpc.attempt(login, PASSWORD)
        self.assertEqual(name, 'new_password')
        self.assertIn("60 ngày", message)
        # an officer's password does not expire
        self.set_user(self.officer, password_changed=utc_ago(days=400))
        self.assertEqual(len(self.rpc.login('officer', password=PASSWORD)), 3)

    def test_administrator_cannot_reuse_last_ten(self):
        login = 'careful.admin'
        user = self.create_user(login, 'group_mvp_agency_admin')
        session = self.rpc.login(login, password=PASSWORD)
        passwords = ['Lan#%02d-Doi' % i for i in range(11)]
        current = PASSWORD
        for password in passwords:
            self.rpc.call('model.res.user.set_preferences', [
                    {'password': password}, {}], session)
            current = password
            session = self.rpc.login(login, password=current)
        # the current one and the nine before it
        for old in passwords[1:]:
            with self.assertRaises(RPCError) as cm:
                self.rpc.call('model.res.user.set_preferences', [
                        {'password': old}, {'language': 'vi'}], session)
            self.assertIn("10 mật khẩu gần nhất", cm.exception.args_[0],
                old)
        # the eleventh before is allowed again
        self.rpc.call('model.res.user.set_preferences', [
                {'password': passwords[0]}, {}], session)
        session = self.rpc.login(login, password=passwords[0])
        self.rpc.call('model.res.user.set_preferences', [
                {'password': PASSWORD}, {}], session)
        self.assertEqual(len(audit('password_change', login)), 13)
        self.assertTrue(user)

    def test_unused_accounts_are_disabled(self):
        idle = self.create_user('idle.user', 'group_mvp_officer')
        fresh = self.create_user('fresh.user', 'group_mvp_officer')
        self.set_user(idle, last_login=utc_ago(days=46))
        self.set_user(fresh, last_login=utc_ago(days=44))
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            Cron = pool.get('ir.cron')
            cron, = Cron.search([
                    ('method', '=', 'res.user|disable_inactive_accounts')])
            Cron.run_once([cron])
            transaction.commit()
        with Transaction().start(DB_NAME, 0):
            User = Pool().get('res.user')
            self.assertFalse(User(idle).active)
            self.assertTrue(User(fresh).active)
        self.assertEqual(self.rpc.attempt('idle.user', PASSWORD), 401)
        disabled, = audit('account_disable', 'idle.user')
        self.assertEqual(disabled['account'], idle)


class MailedAccountTestCase(SignInCase):
    """What an account is told by e-mail: the one-time password of the
    sign-in dialog's "forgotten password" (Article 14.1) and the warning
    a week before an unused account is disabled"""

    def setUp(self):
        self.rpc = RPC()
        self.sink = mail_sink(self)

    def request_reset(self, login):
        "Ask for a reset as the sign-in dialog does; return the e-mail"
        self.sink.messages.clear()
        self.rpc.call('common.db.reset_password', [login, 'vi'])
        (to, message), = self.sink.messages
        return to, message

    def temporary_password(self, user):
        with Transaction().start(DB_NAME, 0):
            return Pool().get('res.user')(user).password_reset

    def test_reset_by_email_serves_once_and_expires(self):
        login = 'lost.phone'
        user = self.create_user(login, 'group_mvp_officer')
        self.set_user(user, email='lost.phone@snv.thaibinh.gov.vn')
        to, message = self.request_reset(login)
        self.assertEqual(to, ['lost.phone@snv.thaibinh.gov.vn'])
        code = self.temporary_password(user)
        self.assertIn(code, message.get_body(('plain', 'html')).get_content())
        self.assertEqual(audit('password_reset', login)[-1]['actor'], None)
        # the temporary password asks for a new one at once
        name, _ = self.rpc.attempt(login, code)
        self.assertEqual(name, 'new_password')
        session = self.rpc.attempt(login, code,
            new_password='Dien#Thoai-2026',
            new_password_confirm='Dien#Thoai-2026')
        self.assertEqual(session[1], user)
        # used once: it no longer signs in
        self.assertEqual(self.rpc.attempt(login, code), 401)

        # anyone may ask for a reset: the account's own password keeps
        # working, and the temporary one left to expire is refused
        self.request_reset(login)
        code = self.temporary_password(user)
        self.assertEqual(
            self.rpc.attempt(login, 'Dien#Thoai-2026')[:2], (login, user))
        self.set_user(user, password_reset_expire=utc_ago(seconds=1))
        self.assertEqual(self.rpc.attempt(login, code), 401)
        self.assertEqual(
            self.rpc.attempt(login, 'Dien#Thoai-2026')[:2], (login, user))
        self.assertEqual(len(audit('password_reset', login)), 2)

    def test_unused_account_is_warned_a_week_before(self):
        soon = self.create_user('soon.idle', 'group_mvp_officer')
        later = self.create_user('later.idle', 'group_mvp_officer')
        self.set_user(soon, last_login=utc_ago(days=40),
            email='soon.idle@snv.thaibinh.gov.vn')
        self.set_user(later, last_login=utc_ago(days=30),
            email='later.idle@snv.thaibinh.gov.vn')

        def run_cron():
            self.sink.messages.clear()
            with committed():
                Pool().get('res.user').disable_inactive_accounts()
            return {tuple(to): m for to, m in self.sink.messages}
        told = run_cron()
        self.assertIn(('soon.idle@snv.thaibinh.gov.vn',), told)
        self.assertNotIn(('later.idle@snv.thaibinh.gov.vn',), told)
        body = told[('soon.idle@snv.thaibinh.gov.vn',)].get_body(
            ('plain',)).get_content()
        disabled_on = dt.datetime.now(ZoneInfo('Asia/Ho_Chi_Minh')
            ) + dt.timedelta(days=5)
        self.assertIn(disabled_on.strftime('%d/%m/%Y'), body)
        # told once; a sign-in starts a new period
        self.assertNotIn(('soon.idle@snv.thaibinh.gov.vn',), run_cron())
        self.assertEqual(len(self.rpc.login('soon.idle', password=PASSWORD)),
            3)
        # ... weeks later: warned before its last sign-in, idle again
        self.set_user(soon, last_login=utc_ago(days=39),
            inactivity_warned=utc_ago(days=50))
        self.assertIn(('soon.idle@snv.thaibinh.gov.vn',), run_cron())
        with Transaction().start(DB_NAME, 0):
            self.assertTrue(Pool().get('res.user')(soon).active)
