# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 3: a user sees their open sessions and ends the others,
through JSON-RPC as the web client does."""
from .tools import (
    PASSWORD, RPC, HTTPStatusError, RPCError, SignInCase, audit)

MODEL = 'model.mvp.security.user.session.'
FIELDS = ['ip_address', 'current', 'started_at', 'last_activity']


class UserSessionTestCase(SignInCase):
    "Open sessions of a user"

    def sessions(self, rpc, session):
        return rpc.call(MODEL + 'search_read',
            [[], 0, None, None, FIELDS, {}], session)

    def test_a_user_sees_only_their_sessions_and_ends_the_others(self):
        office, phone = RPC('10.0.0.7'), RPC('10.8.1.20')
        at_office = office.login('officer', password=PASSWORD)
        on_phone = phone.login('officer', password=PASSWORD)
        admin = RPC('10.0.0.9')
        admin_session = admin.login('province.admin', password=PASSWORD)

        seen = self.sessions(office, at_office)
        self.assertEqual(
            sorted((s['ip_address'], s['current']) for s in seen),
            [('10.0.0.7', True), ('10.8.1.20', False)])
        # the key of a session is never shown
        self.assertFalse(any('key' in s for s in seen))
        # even the provincial administrator sees only their own
        self.assertEqual([s['ip_address'] for s in self.sessions(
                    admin, admin_session)], ['10.0.0.9'])
        admin_ids = [s['id'] for s in self.sessions(admin, admin_session)]

        # a forged id of another user's session does not exist for the
        # caller, and the caller's own is not ended
        with self.assertRaises(RPCError) as cm:
            office.call(MODEL + 'end', [admin_ids, {}], at_office)
        self.assertEqual(cm.exception.kind, 'UserError')
        self.assertTrue(self.sessions(admin, admin_session))
        current = [s['id'] for s in seen if s['current']]
        with self.assertRaises(RPCError):
            office.call(MODEL + 'end', [current, {}], at_office)
        self.assertEqual(len(self.sessions(office, at_office)), 2)

        others = [s['id'] for s in seen if not s['current']]
        office.call(MODEL + 'end', [others, {}], at_office)
        with self.assertRaises(HTTPStatusError) as cm:
            self.sessions(phone, on_phone)
        self.assertEqual(cm.exception.status, 401)
        self.assertEqual(
            [s['ip_address'] for s in self.sessions(office, at_office)],
            ['10.0.0.7'])
        logout = audit('logout')[-1]
        self.assertIn('10.8.1.20', logout['details'])
        self.assertEqual(logout['ip_address'], '10.0.0.7')

    def test_nobody_writes_creates_or_deletes_a_session_row(self):
        rpc = RPC()
        session = rpc.login('officer', password=PASSWORD)
        before = self.sessions(rpc, session)
        ids = [s['id'] for s in before]
        for method, params in [
                ('write', [ids, {'ip_address': '1.2.3.4'}, {}]),
                ('create', [[{'ip_address': '1.2.3.4'}], {}]),
                ('delete', [ids, {}])]:
            with self.subTest(method=method), \
                    self.assertRaises(HTTPStatusError) as cm:
                rpc.call(MODEL + method, params, session)
            # not served at all: a view of ir.session
            self.assertEqual(cm.exception.status, 403)
        self.assertEqual(
            [(s['id'], s['ip_address']) for s in self.sessions(rpc, session)],
            [(s['id'], s['ip_address']) for s in before])
