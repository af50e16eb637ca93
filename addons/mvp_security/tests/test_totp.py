# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 2: the second factor (TOTP, RFC 6238).

The sign-in tests go through JSON-RPC on trytond's WSGI application
(common.db.login → res.user.get_login → _login_password, _login_totp)
with ``[session] authentications = password+totp``, from an address
inside or outside ``[mvp_security] trusted_networks``, on the database
the environment names (SQLite or PostgreSQL)."""
import base64
import re
import time
import unittest

import pyotp

from trytond import config
from trytond.exceptions import UserError
from trytond.modules.company.tests import set_company
from trytond.modules.mvp_documents.tests.incoming_tools import acting_as
from trytond.modules.mvp_documents.tests.tools import (
    ALL_MODULES, load_vietnamese)
from trytond.modules.mvp_documents.secret import secret_models
from trytond.modules.mvp_security import otp
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

from .tools import (
    PASSWORD, RPC, HTTPStatusError, RPCError, SignInCase, audit, committed,
    utc_ago)

INSIDE = '10.20.3.4'
OUTSIDE = '203.0.113.9'
ASK = "Nhập mã gồm 6 chữ số"
WRONG = "Mã không đúng hoặc đã hết hạn"
REPLAYED = "Mã này đã được dùng"
NOT_ENROLLED = "chưa có ứng dụng xác thực"


class SecondFactorConfig:
    "password+totp, and the provincial network 10.20.0.0/16"
    options = {
        ('session', 'authentications'): 'password+totp',
        ('mvp_security', 'trusted_networks'): '10.20.0.0/16, fd00::/8',
        }
    defaults = {
        ('session', 'authentications'): 'password',
        ('mvp_security', 'trusted_networks'): '',
        }

    def setUp(self):
        super().setUp()
        self._saved = {}
        for (section, option), value in self.options.items():
            if not config.has_section(section):
                config.add_section(section)
            self._saved[section, option] = config.get(
                section, option, default=self.defaults[section, option])
            config.set(section, option, value)

    def tearDown(self):
        for (section, option), value in self._saved.items():
            config.set(section, option, value)
        super().tearDown()


def code_of(secret, steps=0):
    "The code of secret steps time steps from now"
    return pyotp.TOTP(secret).at(time.time() + steps * otp.INTERVAL)


def wrong_code(secret):
    "A 6-digit code that matches no step within the drift"
    valid = {code_of(secret, s) for s in (-1, 0, 1)}
    return next(c for c in ('%06d' % i for i in range(10 ** 6))
        if c not in valid)


class SecondFactorSignInTestCase(SecondFactorConfig, SignInCase):
    "Sign-in with password+totp through JSON-RPC"

    def enrol(self, user_id):
        """Enrol user_id as the wizard does; return its secret.  The
        steps before the previous one count as used."""
        with committed():
            SecondFactor = Pool().get('mvp.security.second_factor')
            factor = SecondFactor.get_or_create(user_id)
            secret = factor.begin()
            self.assertTrue(factor.activate(code_of(secret)))
            factor._write({'last_step': otp.current_step() - 2})
        return secret

    def old_account(self, login, role='group_mvp_officer', groups=()):
        "An account created before its enrolment window"
        user_id = self.create_user(login, role, groups=groups)
        self.set_user(user_id, create_date=utc_ago(days=30))
        return user_id

    def test_officer_inside_the_network_is_not_asked(self):
        user_id = self.old_account('inside.officer')
        session = RPC(INSIDE).login('inside.officer', password=PASSWORD)
        self.assertEqual(session[1], user_id)
        # enrolled or not: the provincial network is trusted
        self.enrol(user_id)
        session = RPC(INSIDE).login('inside.officer', password=PASSWORD)
        self.assertEqual(session[1], user_id)

    def test_officer_outside_gives_a_code(self):
        login = 'roaming.officer'
        user_id = self.old_account(login)
        secret = self.enrol(user_id)
        rpc = RPC(OUTSIDE)
        name, message = rpc.attempt(login, PASSWORD)
        self.assertEqual(name, 'totp_code')
        self.assertIn(ASK, message)
        # a wrong password is refused before any question of a code
        self.assertEqual(rpc.attempt(login, 'Wrong#Pass-1'), 401)
        session = rpc.login(login, password=PASSWORD,
            totp_code=code_of(secret))
        self.assertEqual(session[1], user_id)
        self.assertEqual([a['event'] for a in audit(login=login)
                if a['event'].startswith('totp')], ['totp_success'])
        success, = audit('totp_success', login)
        self.assertEqual(success['ip_address'], OUTSIDE)

    def test_wrong_expired_and_replayed_codes_are_refused(self):
        login = 'careless.officer'
        user_id = self.old_account(login)
        secret = self.enrol(user_id)
        rpc = RPC(OUTSIDE)
        for code in [wrong_code(secret), code_of(secret, -3)]:
            name, message = rpc.attempt(login, PASSWORD, totp_code=code)
            self.assertEqual(name, 'totp_code')
            self.assertIn(WRONG, message)
        code = code_of(secret)
        self.assertEqual(rpc.login(login, password=PASSWORD,
                totp_code=code)[1], user_id)
        name, message = rpc.attempt(login, PASSWORD, totp_code=code)
        self.assertEqual(name, 'totp_code')
        self.assertIn(REPLAYED, message)
        # nor a code older than the last one used
        with committed():
            SecondFactor = Pool().get('mvp.security.second_factor')
            SecondFactor.of(user_id)._write(
                {'last_step': otp.current_step() + 1})
        name, message = rpc.attempt(login, PASSWORD,
            totp_code=code_of(secret))
        self.assertIn(REPLAYED, message)
        events = [a['event'] for a in audit(login=login)
            if a['event'].startswith('totp')]
        self.assertEqual(events, ['totp_failed', 'totp_failed',
                'totp_success', 'totp_replay', 'totp_replay'])

    def test_wrong_codes_lock_the_login(self):
        "Guessing codes counts as failed sign-ins: 5 lock the login"
        login = 'guessing.codes'
        user_id = self.old_account(login)
        secret = self.enrol(user_id)
        rpc = RPC(OUTSIDE)
        answers = [rpc.attempt(login, PASSWORD, totp_code=wrong_code(secret))
            for _ in range(5)]
        self.assertIn(WRONG, answers[0][1])
        self.assertIn("Tài khoản đã bị khóa", answers[4][1])
        name, message = rpc.attempt(login, PASSWORD,
            totp_code=code_of(secret, 1))
        self.assertIn("Tài khoản đã bị khóa", message)

    def test_recovery_code_works_once(self):
        login = 'lost.phone'
        user_id = self.old_account(login)
        self.enrol(user_id)
        with committed():
            RecoveryCode = Pool().get('mvp.security.recovery_code')
            codes = RecoveryCode.renew(user_id)
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        rpc = RPC(OUTSIDE)
        session = rpc.login(login, password=PASSWORD,
            totp_code=codes[3].lower())
        self.assertEqual(session[1], user_id)
        name, message = rpc.attempt(login, PASSWORD, totp_code=codes[3])
        self.assertEqual(name, 'totp_code')
        self.assertIn(WRONG, message)
        recovery, = audit('totp_recovery', login)
        self.assertEqual(recovery['details'], '9 left')
        # kept hashed: no row holds a code
        with committed():
            stored = [r.code_hash for r in RecoveryCode.search(
                    [('user', '=', user_id)])]
        self.assertEqual(len(stored), 10)
        self.assertFalse(set(codes) & set(stored))

    def test_administrators_are_asked_inside_the_network(self):
        for login, role, groups in [
                ('agency.admin.2fa', 'group_mvp_agency_admin', ()),
                ('province.admin.2fa', None, ['group_mvp_province_admin'])]:
            user_id = self.old_account(login, role, groups)
            secret = self.enrol(user_id)
            rpc = RPC(INSIDE)
            name, message = rpc.attempt(login, PASSWORD)
            self.assertEqual(name, 'totp_code', login)
            self.assertEqual(rpc.login(login, password=PASSWORD,
                    totp_code=code_of(secret))[1], user_id)

    def test_administrator_without_enrolment_cannot_sign_in(self):
        login = 'lazy.admin'
        user_id = self.old_account(
            login, None, ['group_mvp_province_admin'])
        for address in [INSIDE, OUTSIDE]:
            name, message = RPC(address).attempt(login, PASSWORD,
                totp_code='123456')
            self.assertEqual(name, 'password')
            self.assertIn(NOT_ENROLLED, message)
        refusal = audit('totp_failed', login)[-1]
        self.assertEqual(refusal['details'], 'not enrolled')
        self.assertFalse(audit('login', login))
        with committed():
            SecondFactor = Pool().get('mvp.security.second_factor')
            self.assertIsNone(SecondFactor.of(user_id))

    def test_new_administrator_enrols_at_first_sign_in(self):
        login = 'new.admin'
        user_id = self.create_user(login, 'group_mvp_agency_admin')
        rpc = RPC(INSIDE)
        name, message = rpc.attempt(login, PASSWORD)
        self.assertEqual(name, 'totp_code')
        key, = re.findall(r'mã khóa ((?:[A-Z2-7]{4} ?)+)', message)
        secret = key.replace(' ', '')
        # the same key until enrolled: the question comes back to it
        name, again = rpc.attempt(login, PASSWORD,
            totp_code=wrong_code(secret))
        self.assertIn(WRONG, again)
        self.assertNotIn(key.strip(), again)
        name, again = rpc.attempt(login, PASSWORD)
        self.assertIn(key.strip(), again)
        session = rpc.login(login, password=PASSWORD,
            totp_code=code_of(secret))
        self.assertEqual(session[1], user_id)
        enrol, = audit('totp_enrol', login)
        self.assertEqual(enrol['details'], 'at sign-in')
        # from now on the key is the account's
        name, message = rpc.attempt(login, PASSWORD)
        self.assertIn(ASK, message)

    def test_enrolment_wizard_in_the_web_client(self):
        login = 'wizard.officer'
        user_id = self.old_account(login)
        rpc = RPC(INSIDE)
        session = rpc.login(login, password=PASSWORD)
        wizard = 'wizard.mvp.security.second_factor.enrol'
        vi = {'language': 'vi'}
        wizard_id, start, _ = rpc.call(wizard + '.create', [vi], session)
        view = rpc.call(wizard + '.execute',
            [wizard_id, {}, start, vi], session)['view']
        defaults = view['defaults']
        self.assertFalse(defaults['enrolled'])
        png = base64.b64decode(defaults['qr_code']['base64'])
        self.assertTrue(png.startswith(b'\x89PNG'))
        secret = defaults['key'].replace(' ', '')

        def confirm(**values):
            return rpc.call(wizard + '.execute',
                [wizard_id, {'start': values}, 'confirm', vi], session)

        with self.assertRaises(RPCError) as cm:
            confirm(code=wrong_code(secret))
        self.assertIn("không khớp với mã khóa mới", cm.exception.args_[0])
        codes = confirm(code=code_of(secret))['view']['defaults'][
            'recovery_codes'].split('\n')
        self.assertEqual(len(codes), 10)
        rpc.call(wizard + '.delete', [wizard_id, vi], session)
        self.assertEqual(audit('totp_enrol', login)[0]['account'], user_id)
        read, = rpc.call('model.res.user.read',
            [[user_id], ['second_factor_enrolled'], {}], session)
        self.assertTrue(read['second_factor_enrolled'])

        # from outside now: the app's code, or a recovery code
        outside = RPC(OUTSIDE)
        self.assertEqual(outside.login(login, password=PASSWORD,
                totp_code=codes[0])[1], user_id)

        # a stolen session cannot replace the factor without a code
        wizard_id, start, _ = rpc.call(wizard + '.create', [vi], session)
        defaults = rpc.call(wizard + '.execute',
            [wizard_id, {}, start, vi], session)['view']['defaults']
        self.assertTrue(defaults['enrolled'])
        attacker = defaults['key'].replace(' ', '')
        with self.assertRaises(RPCError) as cm:
            confirm(code=code_of(attacker), current_code='000000')
        self.assertIn("ứng dụng xác thực hiện tại", cm.exception.args_[0])
        self.assertEqual(outside.attempt(login, PASSWORD,
                totp_code=code_of(attacker))[0], 'totp_code')

    def test_secrets_are_never_readable(self):
        login = 'curious.officer'
        user_id = self.old_account(login)
        self.enrol(user_id)
        province = self.old_account(
            'province.admin.curious', None, ['group_mvp_province_admin'])
        secret = self.enrol(province)
        rpc = RPC(INSIDE)
        for session in [rpc.login(login, password=PASSWORD),
                rpc.login('province.admin.curious', password=PASSWORD,
                    totp_code=code_of(secret))]:
            for model, field in [
                    ('mvp.security.second_factor', 'secret_encrypted'),
                    ('mvp.security.recovery_code', 'code_hash')]:
                # trytond answers an AccessError with 403 Forbidden
                with self.assertRaises(HTTPStatusError) as cm:
                    rpc.call('model.%s.search_read' % model,
                        [[], 0, None, None, [field], {}], session)
                self.assertEqual(cm.exception.status, 403, model)

    def test_the_secret_is_stored_encrypted(self):
        "The column holds a Fernet token, never the base32 secret"
        user_id = self.old_account('encrypted.officer')
        secret = self.enrol(user_id)
        with Transaction().start(DB_NAME, 0):
            SecondFactor = Pool().get('mvp.security.second_factor')
            factor = SecondFactor.of(user_id)
            self.assertNotIn(secret, factor.secret_encrypted)
            self.assertEqual(factor.get_secret('secret'), secret)
            self.assertIn(SecondFactor, secret_models(Pool()))

    def test_reset_by_the_provincial_administrator(self):
        login = 'phone.stolen'
        user_id = self.old_account(login)
        self.enrol(user_id)
        province = self.old_account(
            'province.admin.reset', None, ['group_mvp_province_admin'])
        secret = self.enrol(province)
        rpc = RPC(INSIDE)
        officer = rpc.login('officer', password=PASSWORD)
        with self.assertRaises(RPCError):
            rpc.call('model.res.user.reset_second_factor',
                [[user_id], {}], officer)
        admin = rpc.login('province.admin.reset', password=PASSWORD,
            totp_code=code_of(secret))
        rpc.call('model.res.user.reset_second_factor', [[user_id], {}],
            admin)
        reset, = audit('totp_reset', login)
        self.assertEqual(reset['actor'], province)
        # enrol again at the next sign-in from outside
        name, message = RPC(OUTSIDE).attempt(login, PASSWORD)
        self.assertEqual(name, 'totp_code')
        self.assertIn("mã khóa", message)

    def test_totp_alone_is_refused(self):
        "A configuration where totp would stand alone lets nobody in"
        config.set('session', 'authentications', 'totp')
        self.assertEqual(RPC(INSIDE).attempt('officer', PASSWORD), 401)

    def test_client_address_behind_the_proxy(self):
        "[web] num_proxies: the address nginx forwards decides"
        from trytond.wsgi import NumProxyFix, app
        login = 'proxied.officer'
        self.old_account(login)
        inside = RPC(remote_addr='127.0.0.1', wsgi=NumProxyFix(app, 1),
            headers={'X-Forwarded-For': INSIDE})
        self.assertEqual(inside.login(login, password=PASSWORD)[0], login)
        outside = RPC(remote_addr=INSIDE, wsgi=NumProxyFix(app, 1),
            headers={'X-Forwarded-For': OUTSIDE})
        name, message = outside.attempt(login, PASSWORD)
        self.assertEqual(name, 'password')
        self.assertIn(NOT_ENROLLED, message)


class DossierDestructionTestCase(SecondFactorConfig, unittest.TestCase):
    "Destroying dossiers asks for a fresh confirmation with a code"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(ALL_MODULES)
        with committed():
            load_vietnamese(['mvp_documents', 'mvp_dossier', 'mvp_security'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def world(self):
        from trytond.modules.mvp_dossier.tests.test_disposal import (
            DisposalRetentionTestCase)
        company, dossier, _ = DisposalRetentionTestCase.world(self)
        with set_company(company):
            disposal = DisposalRetentionTestCase.approved_disposal(
                self, company)
        return company, dossier, disposal

    def confirm(self, code):
        Confirm = Pool().get('mvp.security.second_factor.confirm',
            type='wizard')
        session_id, _, _ = Confirm.create()
        wizard = Confirm(session_id)
        wizard.start.code = code
        try:
            return wizard.transition_confirm()
        finally:
            Confirm.delete(session_id)

    @with_transaction()
    def test_destruction_needs_a_fresh_confirmation(self):
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        SecondFactor = pool.get('mvp.security.second_factor')
        company, dossier, disposal = self.world()
        clerk, = self.clerk.users
        factor = SecondFactor.get_or_create(clerk.id)
        secret = factor.begin()
        used = code_of(secret)
        factor.activate(used)
        with acting_as(self.clerk), \
                Transaction().set_context(language='vi'):
            with self.assertRaises(UserError) as cm:
                Disposal.destroy([disposal])
            self.assertIn("xác nhận lại", cm.exception.message)
            with self.assertRaises(UserError) as cm:
                self.confirm(used)
            self.assertIn(REPLAYED, cm.exception.message)
            self.assertEqual(self.confirm(code_of(secret, 1)), 'end')
            Disposal.destroy([disposal])
        self.assertEqual(Disposal(disposal.id).state, 'done')
        self.assertEqual(type(dossier)(dossier.id).state, 'destroyed')
        audit = pool.get('mvp.security.audit')
        self.assertEqual(len(audit.search([
                        ('event', '=', 'totp_reauth'),
                        ('account', '=', clerk.id)])), 1)

    @with_transaction()
    def test_a_confirmation_allows_one_destruction_for_five_minutes(self):
        pool = Pool()
        SecondFactor = pool.get('mvp.security.second_factor')
        company, dossier, disposal = self.world()
        clerk, = self.clerk.users
        factor = SecondFactor.get_or_create(clerk.id)
        factor.activate(code_of(factor.begin(), -1))
        factor.confirm()
        self.assertTrue(SecondFactor.use_confirmation(clerk.id))
        self.assertFalse(SecondFactor.use_confirmation(clerk.id))
        factor._write({'confirmed': utc_ago(minutes=5, seconds=1)})
        self.assertFalse(SecondFactor.use_confirmation(clerk.id))
