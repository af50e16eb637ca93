# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import unittest

from trytond.modules.company.tests import create_company
from trytond.modules.mvp_documents.calendar import (
    add_working_days, count_working_days, is_working_day)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


class CalendarTestCase(unittest.TestCase):
    "Test working days"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @with_transaction()
    def test_national_working_days(self):
        "Weekends and public holidays, lunar Tết included, are not worked"
        for date, working in [
                (dt.date(2026, 2, 13), True),  # Friday before Tết
                (dt.date(2026, 2, 14), False),  # Saturday
                (dt.date(2026, 2, 16), False),  # Giao thừa
                (dt.date(2026, 2, 17), False),  # Mùng 1 Tết
                (dt.date(2026, 2, 20), False),  # Mùng 4 Tết
                (dt.date(2026, 2, 23), True),
                (dt.date(2026, 9, 2), False),  # National Day
                (dt.date(2026, 8, 22), True),  # Saturday worked for 31/8
                (dt.date(2026, 8, 31), False),
                ]:
            with self.subTest(date=date):
                self.assertEqual(is_working_day(None, date), working)

    @with_transaction()
    def test_add_working_days_skips_tet(self):
        "A deadline of 3 working days from the Friday before Tết"
        self.assertEqual(
            add_working_days(None, dt.date(2026, 2, 13), 3),
            dt.date(2026, 2, 25))
        self.assertEqual(
            add_working_days(None, dt.date(2026, 2, 25), -3),
            dt.date(2026, 2, 13))
        self.assertEqual(
            add_working_days(None, dt.date(2026, 2, 13), 0),
            dt.date(2026, 2, 13))
        self.assertEqual(
            count_working_days(None, dt.date(2026, 2, 13),
                dt.date(2026, 2, 25)), 3)

    @with_transaction()
    def test_add_working_days_long_period(self):
        "Counting goes past the window of agency days fetched at once"
        self.assertEqual(
            add_working_days(None, dt.date(2026, 1, 2), 100),
            dt.date(2026, 6, 3))
        self.assertEqual(
            count_working_days(None, dt.date(2026, 1, 2),
                dt.date(2026, 6, 3)), 100)

    @with_transaction()
    def test_agency_days_override(self):
        "An agency's extra day off and make-up working day win"
        pool = Pool()
        CalendarDay = pool.get('mvp.calendar.day')
        company = create_company()
        other = create_company("Other")
        CalendarDay.create([{
                    'company': company.id, 'date': dt.date(2026, 3, 2),
                    'kind': 'off', 'name': "Nghỉ bù",
                    }, {
                    'company': company.id, 'date': dt.date(2026, 3, 7),
                    'kind': 'working', 'name': "Làm bù",
                    }])
        self.assertFalse(is_working_day(company, dt.date(2026, 3, 2)))
        self.assertTrue(is_working_day(company, dt.date(2026, 3, 7)))
        self.assertTrue(is_working_day(other, dt.date(2026, 3, 2)))
        # Friday 27/2 + 1 working day: Monday 2/3 is off, so Tuesday
        self.assertEqual(
            add_working_days(company.id, dt.date(2026, 2, 27), 1),
            dt.date(2026, 3, 3))
        # Friday 6/3 + 1: the make-up Saturday
        self.assertEqual(
            add_working_days(company, dt.date(2026, 3, 6), 1),
            dt.date(2026, 3, 7))

