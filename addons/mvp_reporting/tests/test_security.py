# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on the statistics as JSON-RPC calls would make them.

The print wizard runs its ``execute`` without access checks over RPC and
takes its form from the client; the reports take their data from the
client.  The agency asked for is checked against the user's scope.
"""
import io
import unittest
from contextlib import contextmanager

import openpyxl

from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.modules.mvp_reporting.tests.test_statistics import (
    PERIOD, Province, group, make_user)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access


def workbook_text(content):
    "Return every cell of the first sheet of an xlsx as one text"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return '\n'.join(str(c) for row in sheet.iter_rows(values_only=True)
        for c in row if c is not None)


class StatisticsSecurityTestCase(Province, unittest.TestCase):
    "The statistics keep to the agencies the user may see"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_reporting')

    def people(self):
        "A leader of the district, of the province, and other officials"
        pool = Pool()
        User = pool.get('res.user')
        self.create_province()
        self.district_leader = make_user(
            'ld.huyen', self.district, group('group_mvp_leader'))
        self.province_leader = make_user(
            'ld.tinh', self.province, group('group_mvp_leader'))
        self.clerk = make_user(
            'vt.huyen', self.district, group('group_mvp_clerk'))
        self.officer = make_user(
            'cv.huyen', self.district, group('group_mvp_officer'))
        self.agency_admin = make_user(
            'qt.huyen', self.district, group('group_mvp_agency_admin'))
        self.other_leader = make_user(
            'ld.so', self.department, group('group_mvp_leader'))
        self.province_admin = make_user('qt.tinh', self.province)
        User.write([self.province_admin], {'groups': [
                    ('add', [group('group_mvp_province_admin')])]})

    @contextmanager
    def as_user(self, user, access=True):
        with Transaction().set_user(user.id), \
                Transaction().set_context(company=user.company.id), \
                check_access(_access=access):
            yield

    def print_wizard(self, user, **form):
        "Run the print wizard as RPC does, with a form from the client"
        pool = Pool()
        Wizard = pool.get('mvp.statistics.print', type='wizard')
        start = dict(PERIOD, agency=None, subordinates=True, level=None,
            format='xlsx')
        start.update(form)
        with self.as_user(user, access=False):
            session_id, _, _ = Wizard.create()
            return Wizard.execute(session_id, {'start': start}, 'choose')

    def report(self, user, **data):
        pool = Pool()
        Xlsx = pool.get('mvp.statistics.agency.xlsx', type='report')
        data = dict(dict(PERIOD, agency=None, subordinates=True,
                level=None), **data)
        with self.as_user(user):
            _, content, _, _ = Xlsx.execute([], data)
        return workbook_text(content)

    @with_transaction()
    def test_forged_agency_in_the_print_form_is_refused(self):
        self.people()
        for user, agency in [
                (self.district_leader, self.department),
                (self.district_leader, self.province),
                (self.other_leader, self.district),
                (self.other_leader, self.commune),
                ]:
            with self.subTest(user=user.login, agency=agency.rec_name):
                with self.assertRaises(AccessError):
                    self.print_wizard(user, agency=agency.id)

    @with_transaction()
    def test_forged_agency_in_the_report_data_is_refused(self):
        pool = Pool()
        Xlsx = pool.get('mvp.statistics.agency.xlsx', type='report')
        Pdf = pool.get('mvp.statistics.agency.pdf', type='report')
        self.people()
        data = dict(PERIOD, agency=self.department.id, subordinates=True,
            level=None)
        for Report in [Xlsx, Pdf]:
            for user in [self.district_leader, self.other_leader]:
                agency = (self.department if user == self.district_leader
                    else self.district)
                with self.subTest(report=Report.__name__, user=user.login):
                    with self.as_user(user), \
                            self.assertRaises(AccessError):
                        Report.execute(
                            [], dict(data, agency=agency.id))

    @with_transaction()
    def test_officials_who_are_no_leaders_get_no_statistics(self):
        pool = Pool()
        Wizard = pool.get('mvp.statistics.print', type='wizard')
        Xlsx = pool.get('mvp.statistics.agency.xlsx', type='report')
        Statistics = pool.get('mvp.statistics.agency')
        ModelData = pool.get('ir.model.data')
        action_id = ModelData.get_id(
            'mvp_reporting', 'report_statistics_agency_xlsx')
        self.people()
        for user in [self.clerk, self.officer, self.agency_admin]:
            with self.subTest(user=user.login), self.as_user(user):
                with self.assertRaises(AccessError):
                    Wizard.create()
                with self.assertRaises(AccessError):
                    Xlsx.execute([], dict(
                            PERIOD, agency=None, action_id=action_id))
                with self.assertRaises(AccessError):
                    Statistics.search([])

    @with_transaction()
    def test_each_leader_prints_their_scope(self):
        self.people()
        names = {a: a.rec_name for a in self.agencies}
        for user, seen in [
                (self.district_leader, {self.district, self.commune}),
                (self.other_leader, {self.department}),
                (self.province_leader, set(self.agencies)),
                (self.province_admin, set(self.agencies)),
                ]:
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.print_wizard(user)['actions'][0][0]['report_name'],
                    'mvp.statistics.agency.xlsx')
                text = self.report(user)
                self.assertEqual(
                    {a for a, n in names.items() if n in text}, seen)
        text = self.report(
            self.district_leader, agency=self.commune.id)
        self.assertIn(names[self.commune], text)
        self.assertNotIn(names[self.district], text)

    @with_transaction()
    def test_classified_documents_are_not_listed(self):
        "The figures never show a document's subject, classified or not"
        pool = Pool()
        User = pool.get('res.user')
        agency = Agency()
        ordinary = agency.registered(subject="V/v mua sắm thiết bị CNTT")
        secret = agency.registered(
            subject=None, confidentiality='secret')
        admin = make_user('qt.tinh', agency.company)
        User.write([admin], {'groups': [
                    ('add', [group('group_mvp_province_admin')])]})
        text = self.report(admin)
        self.assertIn(agency.company.rec_name, text)
        self.assertNotIn(ordinary.notation, text)
        self.assertNotIn(secret.notation, text)
        self.assertNotIn("thiết bị", text)
