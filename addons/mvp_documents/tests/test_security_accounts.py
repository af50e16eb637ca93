# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on accounts, roles, the agency of a request and the bus."""
import configparser
import os
import unittest
import uuid
from contextlib import contextmanager
from unittest.mock import MagicMock, patch

from werkzeug.exceptions import Forbidden

import trytond.bus
from trytond.bus import LongPollingBus
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents import bus
from trytond.modules.mvp_documents.role import has_agency_role
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_official)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.tools import resolve
from trytond.transaction import Transaction, check_access

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))))


def group_id(xml_id):
    module, name = xml_id.split('.') if '.' in xml_id else (
        'mvp_documents', xml_id)
    return Pool().get('ir.model.data').get_id(module, name)


def user_of(employee):
    user, = employee.users
    return user


def create_province_admin(company, login='qt.tinh'):
    User = Pool().get('res.user')
    user, = User.create([{
                'login': login, 'name': "Quản trị tỉnh",
                'companies': [('add', [company.id])],
                'company': company.id,
                'groups': [('add', [group_id('group_mvp_province_admin')])],
                }])
    return user


@contextmanager
def acting_as_user(user, **context):
    "Run the block as user with access checks and the given context"
    transaction = Transaction()
    with transaction.set_user(user.id), transaction.set_context(context), \
            check_access():
        yield


@contextmanager
def attempt():
    """Run the block as one RPC call: what a refused call wrote (a
    create is checked after its insert) is rolled back with it"""
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    cursor.execute('SAVEPOINT attempt')
    try:
        yield
    except Exception:
        cursor.execute('ROLLBACK TO SAVEPOINT attempt')
        transaction.cache.clear()
        raise
    finally:
        cursor.execute('RELEASE SAVEPOINT attempt')


def join_agency(employee_of_user, company, role):
    """Make the user of employee_of_user an official of company too, with
    role there; return the new official"""
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Role = pool.get('mvp.user.role')
    user = user_of(employee_of_user)
    party, = Party.create([{'name': employee_of_user.party.name}])
    employee, = Employee.create([{'party': party.id, 'company': company.id}])
    User.write([user], {
            'companies': [('add', [company.id])],
            'employees': [('add', [employee.id])],
            })
    Role.create([{'user': user.id, 'company': company.id,
                'group': group_id(role)}])
    return employee


def account(user):
    "The fields of an account an attack could change, read as root"
    user = Pool().get('res.user')(user.id)
    return {
        'login': user.login, 'active': user.active, 'email': user.email,
        'name': user.name,
        'groups': sorted(g.id for g in user.groups),
        'companies': sorted(c.id for c in user.companies),
        'company': user.company.id if user.company else None,
        'employees': sorted(e.id for e in user.employees),
        'password_hash': _password_hash(user.id),
        }


def _password_hash(user_id):
    User = Pool().get('res.user')
    table = User.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.password_hash,
            where=table.id == user_id))
    return cursor.fetchone()[0]


def roles():
    Role = Pool().get('mvp.user.role')
    return sorted((r.user.id, r.company.id, r.group.id)
        for r in Role.search([]))


class SecurityAccountsTestCase(unittest.TestCase):
    "Accounts, roles, the agency of a request and the message bus"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @contextmanager
    def refused(self, error=AccessError):
        "Assert the block is refused and changed nothing it wrote"
        with self.assertRaises(error) as cm, attempt():
            yield cm

    def agency_with_admin(self, *args, **kwargs):
        agency = Agency(*args, **kwargs)
        prefix = kwargs.get('prefix', '')
        agency.admin = create_official(agency.company, prefix + 'qtcq',
            "Vũ Quản Trị", 'group_mvp_agency_admin', agency.office)
        agency.admin2 = create_official(agency.company, prefix + 'qtcq2',
            "Đinh Quản Lý", 'group_mvp_agency_admin', agency.office)
        return agency

    # Accounts

    @with_transaction()
    def test_agency_admin_cannot_make_themselves_administrator(self):
        "An agency administrator adding Administration to their account"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        me = user_of(a.admin)
        before = account(me)
        for xml_id in ['res.group_admin', 'group_mvp_province_admin']:
            with self.subTest(group=xml_id):
                with acting_as(a.admin), self.refused():
                    User.write([me], {
                            'groups': [('add', [group_id(xml_id)])]})
                self.assertEqual(account(me), before)
                with Transaction().set_user(me.id):
                    self.assertNotIn(group_id(xml_id), User.get_groups())

    @with_transaction()
    def test_no_user_joins_a_group_through_the_relation(self):
        "res.user-res.group is written by the provincial administrator only"
        pool = Pool()
        UserGroup = pool.get('res.user-res.group')
        a = self.agency_with_admin()
        province_admin = create_province_admin(a.company)
        theirs, = UserGroup.search([('user', '=', province_admin.id)],
            limit=1)
        for employee in [a.admin, a.officer1]:
            me = user_of(employee)
            before = account(me)
            with self.subTest(user=me.login):
                with acting_as(employee), self.refused():
                    UserGroup.create([{'user': me.id,
                                'group': group_id('res.group_admin')}])
                with acting_as(employee), self.refused():
                    UserGroup.write([theirs], {'user': me.id})
                with acting_as(employee), self.refused():
                    UserGroup.delete([theirs])
                self.assertEqual(account(me), before)
        self.assertEqual(UserGroup(theirs.id).user, province_admin)

    @with_transaction()
    def test_agency_admin_cannot_attach_an_account_to_another_agency(self):
        "Companies, company and employees are the province's"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        for target in [a.admin, a.officer1]:
            user = user_of(target)
            before = account(user)
            for values in [
                    {'companies': [('add', [b.company.id])]},
                    {'companies': [('add', [b.company.id])],
                        'company': b.company.id},
                    {'employees': [('add', [b.leader.id])]},
                    {'employee': b.leader.id},
                    ]:
                with self.subTest(user=user.login, values=values):
                    with acting_as(a.admin), \
                            self.refused():
                        User.write([user], values)
                    self.assertEqual(account(user), before)

    @with_transaction()
    def test_agency_admin_cannot_change_login_active_password_email(self):
        "An account's login, activity, password and e-mail are the province's"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        officer = user_of(a.officer1)
        before = account(officer)
        for values in [
                {'login': 'mot.khac'},
                {'active': False},
                {'password': 'Mat-khau-moi-2026'},
                {'email': 'ke-gian@example.com'},
                {'name': "Tên mới", 'email': 'ke-gian@example.com'},
                {'actions': [('add', [group_id(
                                    'ir.act_module_config_wizard')])]},
                ]:
            with self.subTest(values=values):
                with acting_as(a.admin), self.refused():
                    User.write([officer], values)
                self.assertEqual(account(officer), before)

    @with_transaction()
    def test_only_the_province_admin_creates_accounts(self):
        "An agency administrator cannot create an account"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        province_admin = create_province_admin(a.company)
        count = User.search([], count=True)
        with acting_as(a.admin), self.refused():
            User.create([{'login': 'moi', 'name': "Người mới",
                        'companies': [('add', [a.company.id])],
                        'company': a.company.id,
                        'groups': [('add', [group_id('res.group_admin')])],
                        }])
        with acting_as(a.admin), self.refused():
            User.copy([user_of(a.officer1)])
        self.assertEqual(User.search([], count=True), count)
        with acting_as_user(province_admin, company=a.company.id):
            User.create([{'login': 'moi', 'name': "Người mới",
                        'companies': [('add', [a.company.id])],
                        'company': a.company.id}])
        self.assertEqual(User.search([], count=True), count + 1)

    @with_transaction()
    def test_agency_admin_renames_an_official_of_their_agency(self):
        "What an agency administrator may change still works"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        officer = user_of(a.officer1)
        with acting_as(a.admin):
            User.write([officer], {'name': "Phạm Văn Một (CNTT)",
                    'signature': "Chuyên viên"})
        self.assertEqual(User(officer.id).name, "Phạm Văn Một (CNTT)")

    @with_transaction()
    def test_account_form_stays_readable_for_agency_admins(self):
        "The accounts form opens for an agency administrator, read-only"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        officer = user_of(a.officer1)
        with acting_as(a.admin):
            view = User.fields_view_get(view_type='form')
            # not the avatar: it is generated in a transaction of its own
            names = [n for n in view['fields'] if not n.startswith('avatar')]
            values, = User.read([officer.id], names)
            self.assertEqual(values['login'], 'officer1')
            definitions = User.fields_get(
                ['groups', 'companies', 'employees', 'login', 'active'])
            for name, definition in definitions.items():
                with self.subTest(field=name):
                    self.assertIn('readonly', definition.get('states', ''))
            roles_view = Pool().get('mvp.user.role').fields_view_get(
                view_type='tree')
            self.assertIn('user', roles_view['fields'])

    @with_transaction()
    def test_user_edits_their_own_preferences(self):
        "Password, language, signature and e-mail through set_preferences"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        officer = user_of(a.officer1)
        before = account(officer)
        # the preferences RPC runs without access checks
        with acting_as(a.officer1, access=False):
            User.set_preferences({
                    'password': 'Mat-khau-moi-2026',
                    'language': 'en',
                    'signature': "Phạm Văn Một - Phòng CNTT",
                    'email': 'mot.pham@example.com',
                    'groups': [('add', [group_id('res.group_admin')])],
                    })
        # (not get_preferences: it makes the user's avatar in a transaction
        # of its own, which on SQLite's one in-memory connection commits
        # this test's rows too)
        self.assertEqual(User(officer.id).email, 'mot.pham@example.com')
        after = account(officer)
        self.assertNotEqual(after['password_hash'], before['password_hash'])
        self.assertEqual(after['groups'], before['groups'])
        self.assertEqual(User(officer.id).signature,
            "Phạm Văn Một - Phòng CNTT")
        self.assertEqual(User(officer.id).language.code, 'en')

    @with_transaction()
    def test_province_admin_changes_groups_and_agencies(self):
        "The provincial administrator manages every account"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        province_admin = create_province_admin(a.company)
        officer = user_of(a.officer1)
        with acting_as_user(province_admin, company=a.company.id):
            User.write([officer], {
                    'companies': [('add', [b.company.id])],
                    'groups': [('add', [group_id('group_mvp_user')])],
                    'login': 'mot.pham', 'email': 'mot@example.com',
                    })
        after = account(officer)
        self.assertIn(b.company.id, after['companies'])
        self.assertIn(group_id('group_mvp_user'), after['groups'])
        self.assertEqual(after['login'], 'mot.pham')

    @with_transaction()
    def test_relations_of_accounts_are_closed_to_users(self):
        "Agencies, officials, actions, devices and login attempts of accounts"
        pool = Pool()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        a = self.agency_with_admin()
        me = user_of(a.admin)
        before = account(me)
        action_id = pool.get('ir.model.data').get_id(
            'ir', 'act_module_config_wizard')
        for model, values in [
                ('res.user-company.company',
                    {'user': me.id, 'company': b.company.id}),
                ('res.user-company.employee',
                    {'user': me.id, 'employee': b.leader.id}),
                ('res.user-ir.action',
                    {'user': user_of(b.leader).id, 'action': action_id}),
                ('res.user.device', {'login': 'b_leader', 'cookie': 'x'}),
                ('res.user.login.attempt', {'login': 'b_leader'}),
                ]:
            Model = pool.get(model)
            count = Model.search([], count=True)
            with self.subTest(model=model):
                with acting_as(a.admin), self.refused():
                    Model.create([values])
                self.assertEqual(Model.search([], count=True), count)
        for model in ['res.user.device', 'res.user.login.attempt']:
            with self.subTest(model=model), acting_as(a.officer1), \
                    self.refused():
                pool.get(model).search([])
        self.assertEqual(account(me), before)

    @with_transaction()
    def test_nobody_else_reads_a_temporary_password(self):
        "A reset password and the hash are not readable nor searchable"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        officer = user_of(a.officer1)
        User.write([officer], {'password': 'Mat-khau-cu-2026'})
        User.reset_password([officer])
        reset = User(officer.id).password_reset
        self.assertTrue(reset)
        for employee in [a.leader, a.admin]:
            with self.subTest(user=employee.rec_name):
                with acting_as(employee):
                    self.assertEqual(
                        User.read([officer.id], ['login'])[0]['login'],
                        'officer1')
                for attempt_ in [
                        lambda: User.read([officer.id], ['password_reset']),
                        lambda: User.search(
                            [('password_reset', '=', reset)]),
                        lambda: User.search(
                            [('password_hash', 'like', '$%')]),
                        ]:
                    with acting_as(employee), self.refused():
                        attempt_()

    # Roles

    @with_transaction()
    def test_agency_admin_gives_roles_to_officials_of_their_agency(self):
        "Giving and taking away a role in one's agency still works"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        a = self.agency_with_admin()
        with acting_as(a.admin):
            role, = Role.create([{'user': user_of(a.officer1).id,
                        'company': a.company.id,
                        'group': group_id('group_mvp_clerk')}])
            Role.delete([role])
            # a second administrator of the agency gives one to the first
        with acting_as(a.admin2):
            Role.create([{'user': user_of(a.admin).id,
                        'company': a.company.id,
                        'group': group_id('group_mvp_leader')}])
        self.assertIn((user_of(a.admin).id, a.company.id,
                group_id('group_mvp_leader')), roles())

    @with_transaction()
    def test_agency_admin_cannot_give_themselves_a_role(self):
        "A role for oneself needs a second administrator or the province"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        User = pool.get('res.user')
        a = self.agency_with_admin()
        me = user_of(a.admin)
        before = roles()
        for xml_id in ['group_mvp_leader', 'group_mvp_clerk']:
            with self.subTest(role=xml_id):
                with acting_as(a.admin), self.refused():
                    Role.create([{'user': me.id, 'company': a.company.id,
                                'group': group_id(xml_id)}])
                with acting_as(a.admin), self.refused():
                    User.write([me], {'agency_roles': [('create', [{
                                        'company': a.company.id,
                                        'group': group_id(xml_id)}])]})
                self.assertEqual(roles(), before)
        with Transaction().set_user(me.id):
            self.assertNotIn(group_id('group_mvp_leader'), User.get_groups())
        province_admin = create_province_admin(a.company)
        with acting_as_user(province_admin, company=a.company.id):
            Role.create([{'user': me.id, 'company': a.company.id,
                        'group': group_id('group_mvp_leader')}])

    @with_transaction()
    def test_agency_admin_cannot_give_roles_in_another_agency(self):
        "Roles of another agency, even one the administrator works in too"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        User = pool.get('res.user')
        a = self.agency_with_admin()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        join_agency(a.admin, b.company, 'group_mvp_officer')
        before = roles()
        for company_filter in ['one', 'all']:
            User.write([user_of(a.admin)], {
                    'company_filter': company_filter})
            for context in [{}, {'company': b.company.id},
                    {'companies': [a.company.id, b.company.id]}]:
                with self.subTest(filter=company_filter, context=context):
                    with acting_as(a.admin), \
                            Transaction().set_context(context), \
                            self.refused():
                        Role.create([{'user': user_of(b.officer1).id,
                                    'company': b.company.id,
                                    'group': group_id('group_mvp_leader')}])
                    victim, = Role.search([
                            ('user', '=', user_of(b.clerk).id)])
                    with acting_as(a.admin), \
                            Transaction().set_context(context), \
                            self.refused():
                        Role.delete([victim])
                    self.assertEqual(roles(), before)

    @with_transaction()
    def test_role_cannot_be_moved_by_a_write(self):
        "A role's user, agency and role are fixed"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        a = self.agency_with_admin()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        join_agency(a.officer1, b.company, 'group_mvp_officer')
        province_admin = create_province_admin(a.company)
        role, = Role.search([('user', '=', user_of(a.officer1).id),
                ('company', '=', a.company.id)])
        before = roles()
        for values in [
                {'user': user_of(a.admin).id},
                {'group': group_id('group_mvp_leader')},
                {'company': b.company.id},
                ]:
            for who in [a.admin, None]:
                with self.subTest(values=values, who=who):
                    acting = (acting_as(who) if who else acting_as_user(
                            province_admin, company=a.company.id))
                    with acting, self.refused():
                        Role.write([role], values)
                    self.assertEqual(roles(), before)

    @with_transaction()
    def test_agency_admin_cannot_make_themselves_department_head(self):
        "Heading a department is given by another administrator"
        pool = Pool()
        Department = pool.get('mvp.department')
        a = self.agency_with_admin()
        with acting_as(a.admin), self.refused():
            Department.write([a.it], {'head': a.admin.id})
        with acting_as(a.admin), self.refused():
            Department.create([{'name': "Phòng mới", 'code': 'PM',
                        'company': a.company.id, 'head': a.admin.id}])
        self.assertEqual(Department(a.it.id).head, a.head)
        self.assertEqual(Department.search([('code', '=', 'PM')]), [])
        with acting_as(a.admin2):
            Department.write([a.it], {'head': a.admin.id})
        self.assertEqual(Department(a.it.id).head, a.admin)

    @with_transaction()
    def test_agency_admin_cannot_move_their_own_post(self):
        "The department of one's own post is changed by another"
        pool = Pool()
        Employee = pool.get('company.employee')
        a = self.agency_with_admin()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        for values in [{'department': a.it.id},
                {'company': b.company.id, 'department': None}]:
            with self.subTest(values=values):
                with acting_as(a.admin), self.refused():
                    Employee.write([a.admin], values)
                admin = Employee(a.admin.id)
                self.assertEqual(
                    (admin.company, admin.department), (a.company, a.office))
        with acting_as(a.admin2):
            Employee.write([a.admin], {'department': a.it.id})
        self.assertEqual(Employee(a.admin.id).department, a.it)

    # The agency of a request

    @with_transaction()
    def test_context_company_does_not_carry_a_role_elsewhere(self):
        "A leader of Y working in Y with context X is no leader in X"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        User = pool.get('res.user')
        x = Agency()
        y = Agency("Sở Y tế", 'SYT', prefix='y_')
        waiting = x.registered()
        assigned = x.assigned([{'department': x.it, 'role': 'lead'}])
        theirs = y.registered()
        # y's leader is also an officer of x
        in_x = join_agency(y.leader, x.company, 'group_mvp_officer')
        user = user_of(y.leader)
        self.assertEqual(user.company, y.company)
        for context in [
                {'company': x.company.id, 'employee': in_x.id},
                {'company': x.company.id, 'companies': [x.company.id]},
                {'companies': [x.company.id, y.company.id]},
                ]:
            with self.subTest(context=context):
                with acting_as_user(user, **context):
                    self.assertEqual(
                        set(Incoming.search([])) & {waiting, assigned},
                        set())
                    self.assertIn(theirs, Incoming.search([]))
                    self.assertNotIn(group_id('group_mvp_officer'),
                        User.get_groups())
                    with self.refused():
                        Incoming.read([waiting.id], ['subject'])

    @with_transaction()
    def test_context_company_does_not_open_another_agency(self):
        "A clerk of X working in X with context Y does not see Y as clerk"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        User = pool.get('res.user')
        x = Agency()
        y = Agency("Sở Y tế", 'SYT', prefix='y_')
        mine = x.registered()
        theirs = y.registered()
        join_agency(x.clerk, y.company, 'group_mvp_officer')
        user = user_of(x.clerk)
        for company_filter in ['one', 'all']:
            User.write([user], {'company_filter': company_filter})
            for context in [
                    {'company': y.company.id},
                    {'company': y.company.id,
                        'companies': [x.company.id, y.company.id]},
                    {},
                    ]:
                with self.subTest(filter=company_filter, context=context):
                    with acting_as_user(user, **context):
                        found = set(Incoming.search([]))
                        self.assertIn(mine, found)
                        self.assertNotIn(theirs, found)
                        with self.refused():
                            Incoming.read([theirs.id], ['subject'])

    @with_transaction()
    def test_company_filter_all_does_not_open_accounts_of_another_agency(
            self):
        "An administrator of X working in X cannot rename officials of Y"
        pool = Pool()
        User = pool.get('res.user')
        a = self.agency_with_admin()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        join_agency(a.admin, b.company, 'group_mvp_officer')
        User.write([user_of(a.admin)], {'company_filter': 'all'})
        victim = user_of(b.clerk)
        for context in [{}, {'company': b.company.id}]:
            with self.subTest(context=context):
                with acting_as(a.admin), Transaction().set_context(context), \
                        self.refused():
                    User.write([victim], {'name': "Kẻ giả mạo"})
                self.assertEqual(User(victim.id).name, "Nguyễn Thị Thư")

    @with_transaction()
    def test_a_role_counts_only_in_the_agency_worked_in(self):
        "A clerk of X also in Y is no clerk of Y, whatever the context"
        a = Agency()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        join_agency(a.clerk, b.company, 'group_mvp_officer')
        for context in [{}, {'company': b.company.id},
                {'companies': [a.company.id, b.company.id]}]:
            with self.subTest(context=context), acting_as(a.clerk), \
                    Transaction().set_context(context):
                self.assertTrue(
                    has_agency_role(a.company, 'group_mvp_clerk'))
                self.assertFalse(
                    has_agency_role(b.company, 'group_mvp_clerk'))
                self.assertFalse(
                    has_agency_role(b.company, 'group_mvp_officer'))

    @with_transaction()
    def test_province_admin_sets_up_every_agency_they_belong_to(self):
        "Company filter All: registers of each agency, by the province only"
        pool = Pool()
        User = pool.get('res.user')
        Register = pool.get('mvp.register')
        a = self.agency_with_admin()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        province = create_province_admin(a.company)
        User.write([province], {
                'companies': [('add', [b.company.id])],
                'company_filter': 'all'})
        with acting_as_user(province):
            register, = Register.create([{
                        'company': b.company.id, 'kind': 'outgoing',
                        'name': "Sổ văn bản đi (dự phòng)"}])
        self.assertEqual(register.company, b.company)
        # an agency administrator with the same filter stays in their agency
        join_agency(a.admin, b.company, 'group_mvp_officer')
        User.write([user_of(a.admin)], {'company_filter': 'all'})
        with acting_as(a.admin), self.refused():
            Register.create([{
                        'company': b.company.id, 'kind': 'outgoing',
                        'name': "Sổ giả mạo"}])

    # The message bus

    @with_transaction()
    def test_bus_keeps_only_the_users_own_channels(self):
        "Own user, notification and client channels; nobody else's"
        a = Agency()
        me, other = user_of(a.officer1), user_of(a.leader)
        client = 'client:%s' % uuid.uuid4()
        asked = {'user:%s' % me.id, 'user:%s' % other.id,
            'notification:%s' % me.id, 'notification:%s' % other.id,
            client, 'bus', 'chat:', 'chat:res.user', 'notification:x'}
        self.assertEqual(bus.allowed_channels(me.id, asked), {
                'user:%s' % me.id, 'notification:%s' % me.id, client})

    @with_transaction()
    def test_bus_chat_only_of_records_the_user_may_read(self):
        "chat:<model>,<id> kept only for a user who may read the record"
        a = Agency()
        b = Agency("Sở Y tế", 'SYT', prefix='b_')
        incoming = a.registered()
        chat = 'chat:mvp.incoming,%s' % incoming.id
        for employee, kept in [
                (a.clerk, True),
                (a.leader, True),
                (a.officer1, False),
                (b.clerk, False),
                (b.leader, False),
                ]:
            with self.subTest(employee=employee.rec_name):
                self.assertEqual(
                    bus.allowed_channels(user_of(employee).id, {chat}),
                    {chat} if kept else set())
        clerk = user_of(a.clerk).id
        for channel in ['chat:mvp.incoming,999999', 'chat:no.such,1',
                'chat:mvp.incoming,x', 'chat:ir.session,1']:
            with self.subTest(channel=channel):
                self.assertEqual(
                    bus.allowed_channels(clerk, {channel}), set())

    def test_bus_subscription_with_a_refused_channel_is_refused(self):
        "A subscription to a channel not allowed is answered 403 at once"
        asked = {'user:7', 'chat:mvp.incoming,1'}
        with patch.object(bus, 'Transaction', MagicMock()), \
                patch.object(bus, 'allowed_channels') as allowed, \
                patch.object(LongPollingBus, 'subscribe',
                    return_value='response') as subscribe:
            allowed.return_value = asked
            self.assertEqual(
                bus.AgencyBus.subscribe('db', asked, None), 'response')
            allowed.assert_called_once_with(7, asked)
            subscribe.assert_called_once_with('db', asked, None)
            subscribe.reset_mock()
            allowed.return_value = {'user:7'}
            for channels in [asked, asked | {'user:8'}, asked - {'user:7'}]:
                with self.subTest(channels=channels), \
                        self.assertRaises(Forbidden):
                    bus.AgencyBus.subscribe('db', channels, None)
            subscribe.assert_not_called()

    def test_bus_is_filtered_when_the_configuration_forgets_it(self):
        "install() filters trytond's bus if [bus] class does not"
        original = trytond.bus.Bus
        try:
            for allow in [True, False]:
                trytond.bus.Bus = LongPollingBus
                with self.subTest(allow_subscribe=allow), \
                        patch.object(bus.config, 'getboolean',
                            return_value=allow):
                    bus.install()
                    self.assertEqual(
                        issubclass(trytond.bus.Bus, bus.ChannelFilter),
                        allow)
                    self.assertTrue(
                        issubclass(trytond.bus.Bus, LongPollingBus))
            trytond.bus.Bus = bus.AgencyBus
            with patch.object(bus.config, 'getboolean', return_value=True):
                bus.install()
            self.assertIs(trytond.bus.Bus, bus.AgencyBus)
        finally:
            trytond.bus.Bus = original

    def test_configurations_name_the_filtering_bus(self):
        "config/*.conf that allow subscriptions name AgencyBus"
        for name in ['demo.conf', 'production.conf']:
            parser = configparser.ConfigParser(interpolation=None)
            parser.read(os.path.join(ROOT, 'config', name))
            with self.subTest(config=name):
                if parser.getboolean('bus', 'allow_subscribe',
                        fallback=False):
                    self.assertIs(resolve(parser.get('bus', 'class')),
                        bus.AgencyBus)
