# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import io
import unittest

import openpyxl

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

TODAY = datetime.date.today()
PERIOD = {
    'from_date': TODAY.replace(month=1, day=1),
    'to_date': TODAY,
    }


def make_agency(name, code, parent=None):
    company = create_company(name=name)
    company.identifier_code = code
    company.parent = parent
    company.save()
    return company


def make_user(login, company, *groups):
    "Return a user working in company with the agency roles groups"
    pool = Pool()
    User = pool.get('res.user')
    Role = pool.get('mvp.user.role')
    employee = create_employee(company, login)
    user, = User.create([{
                'name': login, 'login': login,
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [employee.id])],
                'employee': employee.id,
                }])
    Role.create([{'user': user.id, 'company': company.id, 'group': g}
            for g in groups])
    return user


def group(xml_id):
    return Pool().get('ir.model.data').get_id('mvp_documents', xml_id)


class Province:
    "A small province: UBND tỉnh, a department, a district with a commune"

    def create_province(self):
        self.province = make_agency("UBND tỉnh Thái Bình", '000.00.00.H54')
        self.department = make_agency(
            "Sở Thông tin và Truyền thông", '000.00.11.H54', self.province)
        self.district = make_agency(
            "UBND huyện Đông Hưng", '000.00.31.H54', self.province)
        self.commune = make_agency(
            "UBND xã Đông Hợp", '000.31.01.H54', self.district)
        self.agencies = [
            self.province, self.department, self.district, self.commune]


def agencies_seen(user, **context):
    pool = Pool()
    Statistics = pool.get('mvp.statistics.agency')
    with Transaction().set_user(user.id), \
            Transaction().set_context(dict(PERIOD, **context)), \
            check_access():
        return {r.agency.id for r in Statistics.search([])}


class StatisticsAccessTestCase(Province, unittest.TestCase):
    "Who sees the figures of which agency"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_reporting')

    @with_transaction()
    def test_province_administrator_sees_every_agency(self):
        "The provincial administrator sees every agency"
        pool = Pool()
        User = pool.get('res.user')
        self.create_province()
        admin = make_user('tinh', self.province)
        User.write([admin], {'groups': [
                    ('add', [group('group_mvp_province_admin')])]})
        self.assertEqual(
            agencies_seen(admin), {a.id for a in self.agencies})
        self.assertEqual(
            agencies_seen(admin, agency=self.district.id),
            {self.district.id, self.commune.id})
        self.assertEqual(
            agencies_seen(admin, agency=self.district.id,
                subordinates=False),
            {self.district.id})

    @with_transaction()
    def test_leader_sees_own_agency_and_agencies_under_it(self):
        "A district leader sees the district and its communes only"
        self.create_province()
        leader = make_user(
            'huyen', self.district, group('group_mvp_leader'))
        self.assertEqual(agencies_seen(leader),
            {self.district.id, self.commune.id})
        # Asking for another agency gives nothing, not its figures
        self.assertEqual(
            agencies_seen(leader, agency=self.department.id), set())
        self.assertEqual(
            agencies_seen(leader, agency=self.province.id),
            {self.district.id, self.commune.id})

    @with_transaction()
    def test_leader_of_commune_cannot_see_district(self):
        "A commune leader does not see the district above it"
        self.create_province()
        leader = make_user('xa', self.commune, group('group_mvp_leader'))
        self.assertEqual(agencies_seen(leader), {self.commune.id})

    @with_transaction()
    def test_officer_sees_nothing(self):
        "An officer or a clerk may not read the statistics"
        pool = Pool()
        Statistics = pool.get('mvp.statistics.agency')
        self.create_province()
        officer = make_user('cv', self.district, group('group_mvp_officer'),
            group('group_mvp_clerk'))
        with Transaction().set_user(officer.id), check_access():
            with self.assertRaises(AccessError):
                Statistics.search([])

    @with_transaction()
    def test_officer_cannot_print(self):
        "The print wizard refuses a user who is no leader"
        pool = Pool()
        Wizard = pool.get('mvp.statistics.print', type='wizard')
        self.create_province()
        officer = make_user('cv', self.district, group('group_mvp_officer'))
        with Transaction().set_user(officer.id):
            with self.assertRaises(AccessError):
                Wizard.create()

    @with_transaction()
    def test_print_xlsx_and_pdf(self):
        "The reports give a workbook and a PDF of the leader's agencies"
        pool = Pool()
        Xlsx = pool.get('mvp.statistics.agency.xlsx', type='report')
        Pdf = pool.get('mvp.statistics.agency.pdf', type='report')
        self.create_province()
        leader = make_user(
            'huyen', self.district, group('group_mvp_leader'))
        data = dict(PERIOD, agency=None, subordinates=True, level=None)
        with Transaction().set_user(leader.id), check_access():
            oext, content, _, name = Xlsx.execute([], data)
            self.assertEqual(oext, 'xlsx')
            sheet = openpyxl.load_workbook(io.BytesIO(content)).active
            names = [r[0] for r in sheet.iter_rows(values_only=True)]
            self.assertIn(self.district.rec_name, names)
            self.assertIn(self.commune.rec_name, names)
            self.assertNotIn(self.department.rec_name, names)
            oext, content, _, _ = Pdf.execute([], data)
            self.assertEqual(oext, 'pdf')
            self.assertTrue(content.startswith(b'%PDF-'))

    @with_transaction()
    def test_months_without_documents(self):
        "The time series is empty for a period without documents"
        pool = Pool()
        Month = pool.get('mvp.statistics.month')
        with Transaction().set_context(PERIOD):
            self.assertEqual(
                [m for m in Month.search([]) if m.total_documents], [])

