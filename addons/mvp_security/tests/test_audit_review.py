# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 4: the audit trail kept at least 12 months, and its
monthly review."""
import datetime as dt
import io
import unittest
from unittest.mock import patch

import openpyxl

from trytond import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_security import audit as audit_module
from trytond.modules.mvp_security.account_review import local
from trytond.modules.mvp_security.audit import record, utcnow, verify
from trytond.modules.mvp_security.audit_review import (
    out_of_hours, send_monthly)
from trytond.modules.mvp_security.review import (
    month_bounds, previous_month, previous_quarter, quarter_bounds)
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction, check_access

from .test_account_review import pdf_text
from .tools import PASSWORD, RPC, SignInCase, audit, committed


def sheets(data):
    "{sheet title: rows as lists} of a workbook"
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)]
        for s in workbook.worksheets}


def run_wizard(user_id, year, month):
    "Execute the audit review wizard as user_id: the review id"
    with committed(user_id):
        Wizard = Pool().get('mvp.security.audit_review', type='wizard')
        session_id, _, _ = Wizard.create()
        result = Wizard.execute(session_id, {'start': {
                    'year': year, 'month': str(month)}}, 'open_')
        action, = result['actions']
        return action[1]['res_id'][0]


def read_review(review_id, user_id):
    with committed(user_id):
        Review = Pool().get('mvp.security.review')
        with check_access():
            values, = Review.read([review_id],
                ['kind', 'agency', 'pdf', 'xlsx', 'name'])
        return values


class AuditReviewTestCase(SignInCase):
    "The monthly review of the audit trail"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.victim = cls.create_user('victim', 'group_mvp_officer')
        rpc = RPC()
        for _ in range(3):
            rpc.attempt('officer', 'Wrong#Pass1')
        rpc.login('officer', password=PASSWORD)
        for _ in range(5):
            rpc.attempt('victim', 'Wrong#Pass2')
        # every hour is out of office hours: the unlock is one
        if not config.has_section('mvp_security'):
            config.add_section('mvp_security')
        previous = config.get('mvp_security', 'office_hours',
            default='07:00-18:00')
        config.set('mvp_security', 'office_hours', '00:00-00:00')
        cls.addClassCleanup(config.set, 'mvp_security', 'office_hours',
            previous)
        with committed(cls.province_admin):
            User = Pool().get('res.user')
            User.unlock_account([User(cls.victim)])
        now = local(utcnow())
        cls.year, cls.month = now.year, now.month

    def test_review_counts_lists_and_verifies_the_month(self):
        review_id = run_wizard(self.province_admin, self.year, self.month)
        values = read_review(review_id, self.province_admin)
        self.assertEqual(values['kind'], 'audit')
        self.assertIsNone(values['agency'])
        with Transaction().start(DB_NAME, 0):
            def heading(name, **kw):
                return gettext('mvp_security.msg_audit_review_%s' % name,
                    **kw)
            book = sheets(values['xlsx'])
            summary = {r[0]: r[1] for r in book[heading('sheet_summary')]
                if r[0] and r[1] is not None}
            self.assertGreaterEqual(
                summary[heading('kind_login_failed')], 8)
            self.assertGreaterEqual(summary[heading('kind_lock')], 1)
            self.assertGreaterEqual(summary[heading('kind_unlock')], 1)
            self.assertGreaterEqual(summary[heading('kind_login')], 1)
            self.assertIn(heading('kind_configuration'), summary)
            intact = heading('chain_intact', count='\0').split('\0')[0]
            self.assertTrue(any(isinstance(c, str) and c.startswith(intact)
                    for r in book[heading('sheet_summary')] for c in r))
            failures = [r for r in book[heading('sheet_failures')]
                if r[0] in {'victim', 'officer'}]
            self.assertEqual(failures, [['victim', 5, 1], ['officer', 3, 0]])
            outside = [r[1] for r in book[heading('sheet_outside')]]
            self.assertIn('officer', outside)
            late = book[heading('sheet_out_of_hours')]
            self.assertTrue(any(r[3] == 'victim' and r[2] and
                    'province.admin' in r[2] for r in late), late)
            text = pdf_text(values['pdf'])
            self.assertIn(heading('kind_login_failed'), text)
            self.assertIn('victim', text)

    def test_making_and_reading_are_recorded(self):
        review_id = run_wizard(self.province_admin, self.year, self.month)
        resource = 'mvp.security.review,%s' % review_id
        self.assertEqual([r['actor'] for r in audit('export')
                if r['resource'] == resource], [self.province_admin])
        read_review(review_id, self.province_admin)
        self.assertEqual([r['actor'] for r in audit('review_read')
                if r['resource'] == resource], [self.province_admin])

    def test_only_the_province_admin_makes_and_reads_it(self):
        review_id = run_wizard(self.province_admin, self.year, self.month)
        for user in [self.agency_admin, self.officer]:
            with self.subTest(user=user):
                with self.assertRaises(UserError):
                    run_wizard(user, self.year, self.month)
        with self.assertRaises(AccessError):
            read_review(review_id, self.agency_admin)
        with committed(self.agency_admin):
            Review = Pool().get('mvp.security.review')
            with check_access():
                self.assertEqual(
                    Review.search([('kind', '=', 'audit')]), [])

    def test_cron_sends_last_month_to_the_province_admins(self):
        first = dt.date(self.year, self.month, 1)
        following = (first + dt.timedelta(days=31)).replace(day=1)
        with committed():
            review = send_monthly(following)
            self.assertEqual(review.kind, 'audit')
            self.assertEqual(review.period_start, first)
            self.assertTrue(review.pdf.startswith(b'%PDF'))
            Notification = Pool().get('res.notification')
            notes = Notification.search([
                    ('model', '=', 'mvp.security.review'),
                    ('records', '=', str([review.id]))])
            self.assertIn(self.province_admin, {n.user.id for n in notes})
            self.assertNotIn(self.agency_admin, {n.user.id for n in notes})

    def test_rows_older_than_a_year_stay_through_every_cron(self):
        "Nothing purges the trail: it keeps every row (≥ 12 months)"
        old = utcnow() - dt.timedelta(days=400)
        with committed(), patch.object(
                audit_module, 'utcnow', return_value=old):
            row = record('password_reset', login='victim',
                details='a row of 13 months ago')
            row_id = row.id
        with committed():
            pool = Pool()
            Cron = pool.get('ir.cron')
            Audit = pool.get('mvp.security.audit')
            count = Audit.search_count([])
            crons = Cron.search([])
            # no cron works on the trail itself
            self.assertFalse([c for c in crons
                    if c.method.startswith('mvp.security.audit|')])
            for cron in crons:
                if cron.method.split('|')[0] in {
                        'res.user', 'mvp.security.review'}:
                    getattr(pool.get(cron.method.split('|')[0]),
                        cron.method.split('|')[1])()
        with committed():
            Audit = Pool().get('mvp.security.audit')
            self.assertGreaterEqual(Audit.search_count([]), count)
            self.assertEqual(Audit(row_id).details, 'a row of 13 months ago')
            self.assertEqual(verify()[1], None)
            with self.assertRaises(AccessError):
                Audit.delete([Audit(row_id)])
        # and its month can still be reviewed
        review_id = run_wizard(self.province_admin, *[
                int(x) for x in local(old).strftime('%Y %m').split()])
        values = read_review(review_id, self.province_admin)
        with Transaction().start(DB_NAME, 0):
            book = sheets(values['xlsx'])
            summary = {r[0]: r[1] for r in book[gettext(
                        'mvp_security.msg_audit_review_sheet_summary')]}
            self.assertEqual(summary[gettext(
                        'mvp_security.msg_audit_review_kind_password_reset'
                        )], 1)



class PeriodTestCase(unittest.TestCase):
    "The periods of the reviews and the office hours (no database)"

    def test_bounds_and_previous_periods(self):
        for today, month, quarter, bounds in [
                (dt.date(2026, 1, 1), (2025, 12), (2025, 4),
                    (dt.date(2025, 10, 1), dt.date(2025, 12, 31))),
                (dt.date(2026, 4, 1), (2026, 3), (2026, 1),
                    (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
                (dt.date(2026, 10, 1), (2026, 9), (2026, 3),
                    (dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
                ]:
            with self.subTest(today=today):
                self.assertEqual(previous_month(today), month)
                self.assertEqual(previous_quarter(today), quarter)
                self.assertEqual(quarter_bounds(*quarter), bounds)
        self.assertEqual(month_bounds(2028, 2),
            (dt.date(2028, 2, 1), dt.date(2028, 2, 29)))

    def test_out_of_hours(self):
        for when, expected in [
                (dt.datetime(2026, 12, 7, 9, 0), False),  # Monday
                (dt.datetime(2026, 12, 7, 6, 59), True),
                (dt.datetime(2026, 12, 7, 18, 0), True),
                (dt.datetime(2026, 12, 12, 10, 0), True),  # Saturday
                ]:
            with self.subTest(when=when), patch(
                    'trytond.modules.mvp_security.audit_review.office_hours',
                    return_value=(dt.time(7), dt.time(18))):
                self.assertEqual(out_of_hours(when), expected)
