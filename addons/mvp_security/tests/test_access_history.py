# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 5: who saw what (Decree 30/2020 Phụ lục VI, lịch sử truy
cập), through the real JSON-RPC path from a known address."""
import unittest

from trytond import backend
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, acting_as, create_incoming)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction, TransactionError

from .tools import MODULE, PASSWORD, RPC, RPCError, committed

ADDRESS = '10.20.30.40'


def history(**domain):
    "The access rows (oldest first) matching domain, read as root"
    with Transaction().start(DB_NAME, 0):
        AccessLog = Pool().get('mvp.access.log')
        return [{
                'action': r.action, 'user': r.user.id if r.user else None,
                'employee': r.employee.id if r.employee else None,
                'company': r.company.id if r.company else None,
                'document': str(r.document) if r.document else None,
                'resource': r.resource, 'details': r.details,
                'ip_address': r.ip_address, 'at': r.at}
            for r in AccessLog.search(
                [(k, '=', v) for k, v in domain.items()],
                order=[('id', 'ASC')])]


class AccessHistoryTestCase(unittest.TestCase):
    "The access history of documents"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(MODULE)
        # registration locks its register's numbers: the transaction
        # starts again with the lock, as the RPC dispatcher does
        extras = {}
        while True:
            try:
                with Transaction().start(DB_NAME, 0, **extras) as transaction:
                    cls.create_agencies()
                    transaction.commit()
                break
            except TransactionError as error:
                error.fix(extras)
        cls.reference = 'mvp.incoming,%s' % cls.incoming

    @classmethod
    def create_agencies(cls):
        if True:
            pool = Pool()
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            DocumentFile = pool.get('mvp.document.file')
            a = Agency()
            b = Agency("Sở Tài chính", 'STC', prefix='b.')
            cls.company, cls.other_company = a.company.id, b.company.id
            users = {
                'clerk': a.clerk, 'leader': a.leader, 'officer1': a.officer1,
                'b.leader': b.leader}
            cls.users = {}
            for login, employee in users.items():
                user, = employee.users
                User.write([user], {'password': PASSWORD})
                cls.users[login] = (user.id, employee.id)
            admin, = User.create([{
                        'login': 'province.admin', 'name': "Quản trị tỉnh",
                        'password': PASSWORD,
                        'groups': [('add', [ModelData.get_id('mvp_documents',
                                        'group_mvp_province_admin')])],
                        }])
            cls.users['province.admin'] = (admin.id, None)
            with acting_as(a.clerk):
                draft = create_incoming(a.company)
            file, = DocumentFile.create([{
                        'resource': str(draft), 'kind': 'original',
                        'name': 'to-trinh.pdf', 'data': PDF}])
            cls.file = file.id
            incoming = a.registered()
            cls.incoming = incoming.id
            cls.draft = draft.id

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def setUp(self):
        self.rpc = RPC(remote_addr=ADDRESS)

    def session(self, login):
        return self.rpc.login(login, password=PASSWORD)

    def call(self, session, model, method, *args, context=None):
        return self.rpc.call('model.%s.%s' % (model, method),
            [*args, context or {}], session)

    def test_opening_the_form_is_recorded_a_list_page_is_not(self):
        clerk = self.session('clerk')
        before = len(history(document=self.reference))
        # the list: search and read of the columns
        ids = self.call(clerk, 'mvp.incoming', 'search', [], 0, 80, None)
        self.assertIn(self.incoming, ids)
        self.call(clerk, 'mvp.incoming', 'read', ids,
            ['subject', 'notation', 'state', 'rec_name'])
        self.assertEqual(len(history(document=self.reference)), before)
        # the form: its lazily loaded One2Many of the record on screen
        self.call(clerk, 'mvp.incoming', 'read', [self.incoming],
            ['subject', 'assignments', 'events'])
        rows = history(document=self.reference)
        self.assertEqual(len(rows), before + 1)
        row = rows[-1]
        user, employee = self.users['clerk']
        self.assertEqual(row['action'], 'open')
        self.assertEqual(row['user'], user)
        self.assertEqual(row['employee'], employee)
        self.assertEqual(row['company'], self.company)
        self.assertEqual(row['resource'], self.reference)
        self.assertEqual(row['ip_address'], ADDRESS)

    def test_edit_and_state_change_are_recorded(self):
        clerk = self.session('clerk')
        draft = 'mvp.incoming,%s' % self.draft
        self.call(clerk, 'mvp.incoming', 'write', [self.draft],
            {'issuer_name': "UBND huyện Kiến Xương"})
        edit = history(document=draft, action='edit')[-1]
        self.assertIn('issuer_name', edit['details'].split(','))
        self.assertEqual(edit['user'], self.users['clerk'][0])
        self.call(clerk, 'mvp.incoming', 'register_arrival', [self.draft])
        state = history(document=draft, action='state')[-1]
        self.assertEqual(state['details'], 'registered')
        self.assertEqual(state['ip_address'], ADDRESS)

    def test_download_is_recorded_the_size_is_not(self):
        leader = self.session('leader')
        reference = 'mvp.document.file,%s' % self.file
        before = len(history(resource=reference))
        self.call(leader, 'mvp.document.file', 'read', [self.file],
            ['name', 'data'],
            context={'mvp.document.file.data': 'size'})
        self.assertEqual(len(history(resource=reference)), before)
        data, = self.call(leader, 'mvp.document.file', 'read', [self.file],
            ['name', 'data'])
        self.assertTrue(data['data'])
        row = history(resource=reference)[-1]
        self.assertEqual(row['action'], 'download')
        self.assertEqual(row['document'], 'mvp.incoming,%s' % self.draft)
        self.assertEqual(row['user'], self.users['leader'][0])

    def test_print_is_recorded(self):
        clerk = self.session('clerk')
        before = len(history(document=self.reference, action='print'))
        self.rpc.call('report.mvp.incoming.slip.execute', [[self.incoming], {
                    'model': 'mvp.incoming', 'id': self.incoming,
                    'ids': [self.incoming]}, {}], clerk)
        rows = history(document=self.reference, action='print')
        self.assertEqual(len(rows), before + 1)
        self.assertEqual(rows[-1]['details'], 'mvp.incoming.slip')

    def test_sending_and_recall_are_named(self):
        "The transitions to released and recalled are a sending, a recall"
        with committed():
            pool = Pool()
            Incoming = pool.get('mvp.incoming')
            incoming = Incoming(self.incoming)
            with Transaction().set_user(self.users['clerk'][0]):
                Incoming.log([incoming], 'transition', 'state:released')
                Incoming.log([incoming], 'transition', 'state:recalled')
                Incoming.log([incoming], 'button', 'submit')
        rows = history(document=self.reference)
        self.assertEqual([r['action'] for r in rows[-2:]], ['send', 'recall'])

    def test_the_tab_shows_history_and_count_to_leaders_and_clerk(self):
        clerk = self.session('clerk')
        self.call(clerk, 'mvp.incoming', 'read', [self.incoming],
            ['assignments'])
        for login in ['leader', 'clerk']:
            with self.subTest(login=login):
                session = self.session(login)
                record, = self.call(session, 'mvp.incoming', 'read',
                    [self.incoming], ['access_logs', 'access_count'])
                self.assertGreater(record['access_count'], 0)
                self.assertTrue(record['access_logs'])
                rows = self.call(session, 'mvp.access.log', 'read',
                    record['access_logs'], ['action', 'user', 'ip_address'])
                self.assertIn('open', {r['action'] for r in rows})
                view = self.call(session, 'mvp.incoming', 'fields_view_get',
                    None, 'form')
                self.assertIn('access_logs', view['arch'])
        # the provincial administrator reads no document, but its history
        admin = self.session('province.admin')
        ids = self.call(admin, 'mvp.access.log', 'search',
            [('document', '=', self.reference)], 0, None, None)
        self.assertTrue(ids)

    def test_an_officer_sees_no_history(self):
        officer = self.session('officer1')
        view = self.call(officer, 'mvp.incoming', 'fields_view_get',
            None, 'form')
        self.assertNotIn('access_logs', view['arch'])
        for method, args in [
                ('search', [[], 0, None, None]),
                ('search_read', [[], 0, 10, None, ['action']]),
                ]:
            with self.subTest(method=method):
                with self.assertRaises(RPCError) as cm:
                    self.call(officer, 'mvp.access.log', method, *args)
                self.assertEqual(cm.exception.kind, 'UserError')

    def test_another_agencys_leader_sees_none_of_it(self):
        self.call(self.session('clerk'), 'mvp.incoming', 'read',
            [self.incoming], ['assignments'])
        other = self.session('b.leader')
        ids = self.call(other, 'mvp.access.log', 'search', [], 0, None, None)
        self.assertEqual(ids, [])
        leader = self.session('leader')
        ids = self.call(leader, 'mvp.access.log', 'search', [], 0, None, None)
        self.assertTrue(ids)

    def test_nobody_writes_creates_or_deletes_through_rpc(self):
        self.call(self.session('clerk'), 'mvp.incoming', 'read',
            [self.incoming], ['assignments'])
        for login in ['province.admin', 'leader', 'clerk']:
            session = self.session(login)
            ids = self.call(session, 'mvp.access.log', 'search',
                [], 0, 1, None)
            for method, args in [
                    ('write', [ids, {'ip_address': '1.1.1.1'}]),
                    ('delete', [ids]),
                    ('create', [[{'action': 'open'}]])]:
                with self.subTest(login=login, method=method):
                    with self.assertRaises(RPCError) as cm:
                        self.call(session, 'mvp.access.log', method, *args)
                    self.assertEqual(cm.exception.kind, 'UserError')
        self.assertFalse(history(ip_address='1.1.1.1'))

    def test_database_refuses_update_and_delete(self):
        self.call(self.session('clerk'), 'mvp.incoming', 'read',
            [self.incoming], ['assignments'])
        mark = '?' if backend.name == 'sqlite' else '%s'
        for statement in [
                'UPDATE mvp_access_log SET ip_address = %s',
                'DELETE FROM mvp_access_log WHERE ip_address <> %s']:
            with Transaction().start(DB_NAME, 0) as transaction:
                cursor = transaction.connection.cursor()
                try:
                    with self.assertRaises(Exception) as cm:
                        cursor.execute(statement % mark, ('x',))
                finally:
                    transaction.rollback()
            self.assertIn('append-only', str(cm.exception))

    def test_counts_per_agency_and_day_for_the_province(self):
        self.call(self.session('clerk'), 'mvp.incoming', 'read',
            [self.incoming], ['assignments'])
        admin = self.session('province.admin')
        rows = self.call(admin, 'mvp.access.log.daily', 'search_read',
            [('company', '=', self.company)], 0, None, None,
            ['day', 'accesses', 'opens', 'users'])
        self.assertTrue(rows)
        self.assertGreaterEqual(rows[0]['opens'], 1)
        self.assertGreaterEqual(rows[0]['accesses'], rows[0]['opens'])
        with self.assertRaises(RPCError):
            self.call(self.session('leader'), 'mvp.access.log.daily',
                'search_read', [], 0, None, None, ['accesses'])
