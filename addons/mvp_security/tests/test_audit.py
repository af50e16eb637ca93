# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 4: the append-only, hash-chained audit trail."""
import contextlib
import io

from trytond import backend
from trytond.modules.mvp_security import verify as verify_command
from trytond.modules.mvp_security.append_only import trigger_statements
from trytond.modules.mvp_security.audit import verify
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from .tools import PASSWORD, RPC, RPCError, SignInCase, audit, committed


def group_id(name, module='mvp_documents'):
    return Pool().get('ir.model.data').get_id(module, name)


class AuditTestCase(SignInCase):
    "The security audit trail"

    def setUp(self):
        self.rpc = RPC()

    def run_verify(self):
        "The verify command, as run from the shell; (status, output)"
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            status = verify_command.main(['-d', DB_NAME])
        return status, output.getvalue()

    def test_chain_holds_and_the_command_says_so(self):
        self.rpc.attempt('officer', 'Wrong#Pass')
        self.rpc.login('officer', password=PASSWORD)
        status, output = self.run_verify()
        self.assertEqual(status, 0, output)
        self.assertIn('chain intact', output)
        with Transaction().start(DB_NAME, 0):
            count, reason = verify()
        self.assertIsNone(reason)
        self.assertGreater(count, 5)

    def test_rows_chain_and_use_utc(self):
        rows = audit()
        with Transaction().start(DB_NAME, 0):
            Audit = Pool().get('mvp.security.audit')
            records = Audit.search([], order=[('id', 'ASC')])
            for previous, row in zip(records, records[1:], strict=False):
                self.assertEqual(row.previous_hash, previous.hash)
                self.assertEqual(len(row.hash), 64)
        from .tools import utc_ago
        self.assertLess(abs((rows[-1]['timestamp'] - utc_ago()
                    ).total_seconds()), 600)

    def test_database_refuses_update_and_delete(self):
        self.rpc.attempt('officer', 'Wrong#Pass')
        mark = '?' if backend.name == 'sqlite' else '%s'
        for statement in ['UPDATE mvp_security_audit SET login = %s',
                'DELETE FROM mvp_security_audit WHERE login <> %s']:
            with Transaction().start(DB_NAME, 0) as transaction:
                cursor = transaction.connection.cursor()
                cursor.execute('SELECT COUNT(*) FROM mvp_security_audit')
                self.assertGreater(cursor.fetchone()[0], 0)
                try:
                    with self.assertRaises(Exception) as cm:
                        cursor.execute(statement % mark, ('x',))
                finally:
                    transaction.rollback()
            self.assertIn('append-only', str(cm.exception))

    def test_server_code_cannot_write_or_delete(self):
        from trytond.model.exceptions import AccessError
        with Transaction().start(DB_NAME, 0) as transaction:
            Audit = Pool().get('mvp.security.audit')
            row, = Audit.search([], limit=1)
            try:
                with self.assertRaises(AccessError):
                    Audit.write([row], {'login': 'x'})
                with self.assertRaises(AccessError):
                    Audit.delete([row])
                with self.assertRaises(AccessError):
                    Audit.create([{
                                'event': 'login', 'timestamp': row.timestamp,
                                }])
            finally:
                # the refused create inserted before its check
                transaction.rollback()

    def test_only_the_province_admin_reads_and_the_read_is_recorded(self):
        for who in ['officer', 'agency.admin']:
            session = self.rpc.login(who, password=PASSWORD)
            with self.assertRaises(RPCError) as cm:
                self.rpc.call('model.mvp.security.audit.search_read',
                    [[], 0, 10, None, ['event'], {}], session)
            self.assertEqual(cm.exception.kind, 'UserError')
        admin = self.rpc.login('province.admin', password=PASSWORD)
        before = len(audit('audit_read'))
        ids = self.rpc.call('model.mvp.security.audit.search',
            [[], 0, 5, None, {}], admin)
        rows = self.rpc.call('model.mvp.security.audit.read',
            [ids, ['event', 'hash'], {}], admin)
        self.assertEqual(len(rows), len(ids))
        reads = audit('audit_read')
        self.assertEqual(len(reads), before + 1)
        self.assertEqual(reads[-1]['actor'], self.province_admin)
        for method, args in [
                ('write', [ids[:1], {'login': 'x'}]),
                ('delete', [ids[:1]]),
                ('create', [[{'event': 'login'}]])]:
            with self.assertRaises(RPCError) as cm:
                self.rpc.call('model.mvp.security.audit.%s' % method,
                    args + [{}], admin)
            self.assertEqual(cm.exception.kind, 'UserError', method)

    def test_account_group_and_role_changes_are_recorded(self):
        admin = self.rpc.login('province.admin', password=PASSWORD)
        with Transaction().start(DB_NAME, 0):
            User = Pool().get('res.user')
            officer = User(self.officer)
            employee = officer.employee.id
            admin_group = group_id('group_admin', 'res')
            leader = group_id('group_mvp_leader')
        user, = self.rpc.call('model.res.user.create', [[{
                        'login': 'new.account', 'name': "Tài khoản mới",
                        'password': 'Khoi#Tao-2026',
                        'companies': [('add', [self.company])],
                        'company': self.company,
                        }], {}], admin)
        self.rpc.call('model.res.user.write', [[user], {
                    'groups': [('add', [admin_group])]}, {}], admin)
        self.rpc.call('model.res.user.write', [[user], {
                    'groups': [('remove', [admin_group])]}, {}], admin)
        self.rpc.call('model.res.user.write', [[self.officer], {
                    'agency_roles': [('create', [{
                                    'company': self.company,
                                    'group': leader}])]}, {}], admin)
        role, = self.rpc.call('model.mvp.user.role.search', [[
                    ('user', '=', self.officer), ('group', '=', leader)],
                0, None, None, {}], admin)
        self.rpc.call('model.mvp.user.role.delete', [[role], {}], admin)
        self.assertTrue(employee)

        events = [(a['event'], a['account'], a['actor'])
            for a in audit() if a['account'] in {user, self.officer}
            and a['actor'] == self.province_admin]
        expected = [
            ('account_create', user, self.province_admin),
            ('password_set', user, self.province_admin),
            ('group_add', user, self.province_admin),
            ('account_write', user, self.province_admin),
            ('group_remove', user, self.province_admin),
            ('account_write', user, self.province_admin),
            ('role_add', self.officer, self.province_admin),
            ('account_write', self.officer, self.province_admin),
            ('role_remove', self.officer, self.province_admin),
            ]
        for event in expected:
            self.assertIn(event, events)
        group_add, = [a for a in audit('group_add')
            if a['account'] == user]
        self.assertEqual(group_add['resource'], 'res.group,%s' % admin_group)

    def test_tampered_row_is_named(self):
        "Runs last: it breaks the chain, then puts the row back"
        self.rpc.attempt('officer', 'Wrong#Pass')
        with Transaction().start(DB_NAME, 0):
            Audit = Pool().get('mvp.security.audit')
            victim, = Audit.search([('event', '=', 'login_failed')],
                order=[('id', 'ASC')], limit=1)
            victim_id, login = victim.id, victim.login
        table = Audit._table
        mark = '?' if backend.name == 'sqlite' else '%s'

        def tamper(value):
            # what an intruder with the database's rights would do
            with committed() as transaction:
                cursor = transaction.connection.cursor()
                if backend.name == 'postgresql':
                    cursor.execute('ALTER TABLE "%s" DISABLE TRIGGER USER'
                        % table)
                else:
                    cursor.execute('DROP TRIGGER "%s_no_update"' % table)
                cursor.execute('UPDATE "%s" SET login = %s WHERE id = %s'
                    % (table, mark, mark), (value, victim_id))
                if backend.name == 'postgresql':
                    cursor.execute('ALTER TABLE "%s" ENABLE TRIGGER USER'
                        % table)
                else:
                    for statement in trigger_statements(
                            table, Audit._append_only_message):
                        cursor.execute(statement)
        tamper('someone.else')
        try:
            status, output = self.run_verify()
            self.assertEqual(status, 1)
            self.assertIn('BROKEN at audit row %s' % victim_id, output)
        finally:
            tamper(login)
        self.assertEqual(self.run_verify()[0], 0)

    test_zz_tampered_row_is_named = test_tampered_row_is_named
    del test_tampered_row_is_named
