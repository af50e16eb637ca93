# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 3: the quarterly account review of an agency."""
import datetime as dt
import io
import subprocess
import tempfile

import openpyxl

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.tests.incoming_tools import (
    create_agency, create_official)
from trytond.modules.mvp_security.account_review import send_quarterly
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction, check_access

from .tools import (
    PASSWORD, RPC, RPCError, SignInCase, audit, committed, utc_ago)


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix='.pdf') as file:
        file.write(data)
        file.flush()
        return subprocess.run(['pdftotext', '-layout', file.name, '-'],
            check=True, capture_output=True, text=True).stdout


def sheet_rows(data):
    "The rows of the workbook's first sheet, from its header row on"
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows)
        if gettext('mvp_security.msg_review_column_login') in r)
    return rows[start], rows[start + 1:]


def run_wizard(user_id, agency_id, year=2026, quarter='4'):
    """Execute the wizard as user_id with the form's values as a client
    sends them (the agency may be forged): the review id"""
    with committed(user_id):
        Wizard = Pool().get('mvp.security.account_review', type='wizard')
        session_id, _, _ = Wizard.create()
        result = Wizard.execute(session_id, {'start': {
                    'agency': agency_id, 'year': year, 'quarter': quarter,
                    'province_admin': False}}, 'open_')
        action, = result['actions']
        return action[1]['res_id'][0]


class AccountReviewTestCase(SignInCase):
    "The quarterly account review"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with committed():
            pool = Pool()
            Company = pool.get('company.company')
            Department = pool.get('mvp.department')
            User = pool.get('res.user')
            agency = Company(cls.company)
            it, = Department.search([
                    ('company', '=', agency.id), ('code', '=', 'CNTT')])
            create_official(agency, 'head', "Trưởng phòng CNTT",
                'group_mvp_department_head', department=it, head=True)
            create_official(agency, 'member', "Chuyên viên Lê Thị Bình",
                'group_mvp_officer', department=it)
            left = create_official(agency, 'left', "Người đã nghỉ",
                'group_mvp_officer')
            User.write(list(left.users), {'active': False})
            other = create_agency("Sở Tài chính", 'STC')
            create_official(other, 'stc.officer', "Cán bộ STC",
                'group_mvp_officer')
            cls.other = other.id
        # the officer has not signed in for 60 days
        cls.set_user(cls.officer, last_login=utc_ago(days=60))

    def review(self, review_id, user_id=0):
        with committed(user_id):
            Review = Pool().get('mvp.security.review')
            with check_access():
                values, = Review.read([review_id],
                    ['kind', 'agency', 'pdf', 'xlsx', 'name'])
            return values

    def test_agency_admin_gets_one_row_per_account_of_the_agency(self):
        review_id = run_wizard(self.agency_admin, self.company)
        values = self.review(review_id, self.agency_admin)
        self.assertEqual(values['kind'], 'account')
        self.assertEqual(values['agency'], self.company)
        with Transaction().start(DB_NAME, 0):
            header, rows = sheet_rows(values['xlsx'])
            by_login = {r[header.index(gettext(
                            'mvp_security.msg_review_column_login'))]: r
                for r in rows}

            def cell(login, column):
                return by_login[login][header.index(gettext(
                            'mvp_security.msg_review_column_%s' % column))]

            self.assertEqual(set(by_login), {'officer', 'agency.admin',
                    'province.admin', 'head', 'member', 'left'})
            self.assertEqual(cell('agency.admin', 'type'),
                gettext('mvp_security.msg_review_type_administrator'))
            self.assertEqual(cell('officer', 'type'),
                gettext('mvp_security.msg_review_type_person'))
            self.assertEqual(cell('left', 'state'),
                gettext('mvp_security.msg_review_state_disabled'))
            self.assertIsNotNone(cell('left', 'disabled'))
            self.assertEqual(cell('officer', 'state'),
                gettext('mvp_security.msg_review_state_enabled'))
            self.assertIsNone(cell('officer', 'disabled'))
            self.assertIsInstance(cell('officer', 'enabled'), dt.datetime)
            self.assertIsInstance(cell('officer', 'last_login'), dt.datetime)
            self.assertEqual(cell('member', 'manager'), "Trưởng phòng CNTT")
            self.assertEqual(cell('member', 'department'),
                "Phòng Công nghệ thông tin")
            self.assertIn("Agency Administrator", cell('agency.admin',
                    'roles'))
            self.assertIn(gettext('mvp_security.msg_review_flag_unused',
                    days=45), cell('officer', 'flags'))
            self.assertIn(gettext(
                    'mvp_security.msg_review_flag_admin_no_otp'),
                cell('agency.admin', 'flags'))
            self.assertNotIn(gettext(
                    'mvp_security.msg_review_flag_unused', days=45),
                cell('member', 'flags') or '')
            text = pdf_text(values['pdf'])
        self.assertIn('member', text)
        self.assertNotIn('stc.officer', text)
        self.assertIn("Trưởng phòng CNTT", text)
        self.assertIn("Sở Nội vụ", text)

    def test_making_and_reading_are_recorded(self):
        review_id = run_wizard(self.agency_admin, self.company)
        resource = 'mvp.security.review,%s' % review_id
        exports = [r for r in audit('export') if r['resource'] == resource]
        self.assertEqual(len(exports), 1)
        self.assertEqual(exports[0]['actor'], self.agency_admin)
        self.review(review_id, self.agency_admin)
        reads = [r for r in audit('review_read')
            if r['resource'] == resource]
        self.assertEqual([r['actor'] for r in reads], [self.agency_admin])

    def test_forged_agency_is_refused(self):
        with committed():
            Review = Pool().get('mvp.security.review')
            before = Review.search_count([])
        for agency in [self.other, None]:
            with self.subTest(agency=agency):
                with self.assertRaises(UserError) as cm:
                    run_wizard(self.agency_admin, agency)
                with Transaction().start(DB_NAME, 0):
                    self.assertEqual(cm.exception.message, gettext(
                            'mvp_security.msg_account_review_agency'))
        with self.assertRaises(UserError):
            run_wizard(self.officer, self.company)
        with committed():
            self.assertEqual(Review.search_count([]), before)

    def test_province_admin_reviews_any_or_all(self):
        review_id = run_wizard(self.province_admin, self.other)
        values = self.review(review_id)
        with Transaction().start(DB_NAME, 0):
            _, rows = sheet_rows(values['xlsx'])
        self.assertEqual([r[2] for r in rows], ['stc.officer'])
        review_id = run_wizard(self.province_admin, None)
        values = self.review(review_id)
        self.assertIsNone(values['agency'])
        with Transaction().start(DB_NAME, 0):
            header, rows = sheet_rows(values['xlsx'])
            agencies = {r[0] for r in rows}
            logins = {r[header.index(gettext(
                            'mvp_security.msg_review_column_login'))]
                for r in rows}
        self.assertLessEqual({'stc.officer', 'officer', 'member'}, logins)
        self.assertLessEqual({"Sở Nội vụ", "Sở Tài chính"}, agencies)

    def test_agency_admin_reads_the_reviews_of_their_agency_only(self):
        own = run_wizard(self.agency_admin, self.company)
        other = run_wizard(self.province_admin, self.other)
        with committed(self.agency_admin):
            Review = Pool().get('mvp.security.review')
            with check_access():
                ids = {r.id for r in Review.search([])}
        self.assertIn(own, ids)
        self.assertNotIn(other, ids)
        with self.assertRaises(AccessError):
            self.review(other, self.agency_admin)

    def test_cron_sends_each_agency_its_review_on_a_quarter_first_day(self):
        with committed():
            self.assertEqual(send_quarterly(dt.date(2026, 11, 1)), [])
            reviews = send_quarterly(dt.date(2026, 10, 1))
            self.assertEqual([r.agency.id for r in reviews], [self.company])
            review, = reviews
            self.assertEqual(review.period_start, dt.date(2026, 7, 1))
            self.assertEqual(review.period_end, dt.date(2026, 9, 30))
            self.assertTrue(review.pdf.startswith(b'%PDF'))
            Notification = Pool().get('res.notification')
            notes = Notification.search([
                    ('model', '=', 'mvp.security.review'),
                    ('records', '=', str([review.id]))])
            self.assertEqual({n.user.id for n in notes}, {self.agency_admin})

    def test_through_json_rpc(self):
        "The agency a client sends is checked; reading the files is logged"
        rpc = RPC()
        session = rpc.login('agency.admin', password=PASSWORD)
        wizard = 'wizard.mvp.security.account_review.'
        with committed():
            Review = Pool().get('mvp.security.review')
            before = Review.search_count([])
        session_id = rpc.call(wizard + 'create', [{}], session)[0]
        with self.assertRaises(RPCError) as cm:
            rpc.call(wizard + 'execute', [session_id, {'start': {
                            'agency': self.other, 'year': 2026,
                            'quarter': '4', 'province_admin': True}},
                    'open_', {'language': 'vi'}], session)
        self.assertEqual(cm.exception.kind, 'UserError')
        # told in Vietnamese, the language of the client
        self.assertIn("chỉ được rà soát tài khoản", str(cm.exception.args_))
        with committed():
            self.assertEqual(Review.search_count([]), before)
        session_id = rpc.call(wizard + 'create', [{}], session)[0]
        result = rpc.call(wizard + 'execute', [session_id, {'start': {
                        'agency': self.company, 'year': 2026,
                        'quarter': '4', 'province_admin': False}},
                'open_', {}], session)
        review_id, = result['actions'][0][1]['res_id']
        values, = rpc.call('model.mvp.security.review.read',
            [[review_id], ['xlsx_name', 'xlsx'], {}], session)
        self.assertTrue(values['xlsx_name'].endswith('.xlsx'))
        self.assertEqual([r['actor'] for r in audit('review_read')
                if r['resource'] == 'mvp.security.review,%s' % review_id],
            [self.agency_admin])
