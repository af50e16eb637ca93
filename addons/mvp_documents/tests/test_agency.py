# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import unicodedata

from trytond.model.exceptions import ValidationError
from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, ModuleTestCase, with_transaction)
from trytond.transaction import Transaction

from .tools import load_vietnamese


def make_agency(name, code, short_name=None, parent=None):
    company = create_company(name=name)
    company.identifier_code = code
    company.short_name = short_name
    company.parent = parent
    company.save()
    return company


def make_user(login, employees, company):
    User = Pool().get('res.user')
    user, = User.create([{
                'name': login, 'login': login,
                'companies': [('add', [e.company.id for e in employees])],
                'company': company.id,
                'employees': [('add', [e.id for e in employees])],
                'employee': employees[0].id,
                }])
    return user


def role(xml_id):
    return Pool().get('ir.model.data').get_id('mvp_documents', xml_id)


class AgencyTestCase(ModuleTestCase):
    "Test agencies, departments, roles"
    module = 'mvp_documents'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # committed, as an installation has them: trytond words SQL
        # constraint errors in a new transaction, which would not see
        # translations loaded by the test's own transaction
        with Transaction().start(DB_NAME, 0) as transaction:
            load_vietnamese()
            transaction.commit()

    @with_transaction()
    def test_identifier_code_must_match_the_format(self):
        "An identifier code not of the form 000.00.00.H54 is refused"
        company = create_company()
        for code in ['000.00.00.H5', '00.00.00.H541', '000-00-00-H54',
                'abc.de.fg.H54', '000.00.00.h54']:
            with self.subTest(code=code):
                company.identifier_code = code
                with self.assertRaises(ValidationError):
                    company.save()
        company.identifier_code = '000.00.01.H54'
        company.save()
        self.assertEqual(company.identifier_code, '000.00.01.H54')

    @with_transaction()
    def test_identifier_code_unique_with_vietnamese_error(self):
        "A duplicate identifier code gets a Vietnamese error, nothing saved"
        make_agency("Sở Y tế", '000.00.10.H54')
        with Transaction().set_context(language='vi'):
            with self.assertRaises(ValidationError) as cm:
                make_agency("Sở Y tế (trùng)", '000.00.10.H54')
        self.assertIn(
            "đã được dùng cho một cơ quan khác", cm.exception.message)

    @with_transaction()
    def test_parent_agency_tree_without_cycles(self):
        "Agencies form a tree through parent; a cycle is refused"
        province = make_agency("UBND tỉnh", '000.00.00.H54', 'UBND')
        district = make_agency("UBND huyện", '000.00.20.H54', parent=province)
        commune = make_agency("UBND xã", '000.01.20.H54', parent=district)
        self.assertEqual(province.children, (district,))
        province.parent = commune
        with self.assertRaises(ValidationError):
            province.save()

    @with_transaction()
    def test_levels_are_data(self):
        "A two-tier structure needs only new level records and a new parent"
        pool = Pool()
        Level = pool.get('mvp.agency.level')
        ward, = Level.create([{'name': "Phường (sau sắp xếp)",
                    'code': 'ward_2025'}])
        province = make_agency("UBND tỉnh Hưng Yên", '000.00.00.H33')
        commune = make_agency("UBND phường Trần Lãm", '000.00.50.H33',
            parent=province)
        commune.level = ward
        commune.save()
        self.assertEqual(commune.level.code, 'ward_2025')
        self.assertEqual(commune.parent, province)

    @with_transaction()
    def test_department_head_from_another_agency_refused(self):
        "A department head must work in the department's agency"
        pool = Pool()
        Department = pool.get('mvp.department')
        one = make_agency("Sở A", '000.00.11.H54')
        other = make_agency("Sở B", '000.00.12.H54')
        stranger = create_employee(other, "Người ngoài")
        with self.assertRaises(ValidationError):
            Department.create([{'name': "Văn phòng", 'company': one.id,
                        'head': stranger.id}])
        insider = create_employee(one, "Người trong")
        department, = Department.create([{'name': "Văn phòng",
                    'code': 'VP', 'company': one.id, 'head': insider.id}])
        self.assertEqual(department.head, insider)

    @with_transaction()
    def test_role_in_agency_user_does_not_belong_to_refused(self):
        "A role can only be given in an agency where the user is an official"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        one = make_agency("Sở A", '000.00.11.H54')
        other = make_agency("Sở B", '000.00.12.H54')
        employee = create_employee(one, "Trần Văn Bình")
        user = make_user('binh', [employee], one)
        with self.assertRaises(ValidationError):
            Role.create([{'user': user.id, 'company': other.id,
                        'group': role('group_mvp_leader')}])

    @with_transaction()
    def test_role_counts_only_in_current_agency(self):
        "A leader of one agency is only an officer when working in another"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        User = pool.get('res.user')
        one = make_agency("Sở A", '000.00.11.H54')
        other = make_agency("Sở B", '000.00.12.H54')
        an_one = create_employee(one, "Nguyễn Văn An")
        an_other = create_employee(other, "Nguyễn Văn An")
        user = make_user('an', [an_one, an_other], one)
        Role.create([
                {'user': user.id, 'company': one.id,
                    'group': role('group_mvp_leader')},
                {'user': user.id, 'company': other.id,
                    'group': role('group_mvp_officer')}])

        def groups():
            with Transaction().set_user(user.id):
                return set(User.get_groups())
        self.assertIn(role('group_mvp_leader'), groups())
        self.assertIn(role('group_mvp_user'), groups())
        self.assertNotIn(role('group_mvp_officer'), groups())
        User.write([user], {'company': other.id, 'employee': an_other.id})
        self.assertIn(role('group_mvp_officer'), groups())
        self.assertNotIn(role('group_mvp_leader'), groups())

    @with_transaction()
    def test_text_stored_in_nfc(self):
        "Decomposed Vietnamese input is stored precomposed (TCVN 6909)"
        pool = Pool()
        Department = pool.get('mvp.department')
        company = create_company()
        decomposed = unicodedata.normalize('NFD', "Phòng Kế hoạch - Tài chính")
        self.assertNotEqual(decomposed, "Phòng Kế hoạch - Tài chính")
        department, = Department.create([{'name': decomposed,
                    'company': company.id}])
        cursor = Transaction().connection.cursor()
        table = Department.__table__()
        cursor.execute(*table.select(table.name,
                where=table.id == department.id))
        stored, = cursor.fetchone()
        self.assertEqual(stored, "Phòng Kế hoạch - Tài chính")
        self.assertTrue(unicodedata.is_normalized('NFC', stored))
        # a decomposed search finds the precomposed value
        self.assertEqual(Department.search([('name', '=', decomposed)]),
            [department])


del ModuleTestCase
