# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The follow-up register of incoming documents (sổ theo dõi giải quyết
văn bản đến), printed through the models as PDF and .xlsx."""
import datetime as dt
import unittest

from trytond.exceptions import UserError
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, agency_today)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from .test_register_book import pdf_text, xlsx_rows
from .tools import load_vietnamese


def vietnamese():
    return Transaction().set_context(language='vi')


class RegisterFollowupTestCase(unittest.TestCase):
    "Printing the follow-up register of incoming documents"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def register(self, company, confidential=False):
        pool = Pool()
        Register = pool.get('mvp.register')
        register, = Register.search([
                ('company', '=', company.id),
                ('kind', '=', 'incoming'),
                ('confidential', '=', confidential)])
        return register

    def arrived(self, a, days, **values):
        "Return a document of a registered days ago"
        now = dt.datetime.now().replace(microsecond=0)
        values.setdefault(
            'issue_date', agency_today() - dt.timedelta(days=days + 2))
        return a.registered(
            arrival_date=now - dt.timedelta(days=days), **values)

    def finish(self, employee, incoming):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        with acting_as(employee):
            mine, = Assignment.search([
                    ('incoming', '=', incoming.id),
                    ('employee', '=', employee.id)])
            Assignment.finish([mine])

    def answer(self, a, incoming, notation, state):
        "An outgoing document of a answering incoming, in state"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        outgoing, = Outgoing.create([{
                    'company': a.company.id, 'department': a.it.id,
                    'drafter': a.officer1.id,
                    'document_type': incoming.document_type.id,
                    'subject': "Trả lời về chuyển đổi số",
                    'answers': [('add', [incoming.id])],
                    }])
        Outgoing.write([outgoing], {'state': state, 'notation': notation})

    def story(self):
        """An agency whose register holds, in the last 20 days, documents
        overdue, done late, done in time and only registered, and one
        that arrived 40 days ago"""
        today = agency_today()
        now = dt.datetime.now().replace(microsecond=0)
        earlier = {'issue_date': today - dt.timedelta(days=12)}
        a = Agency()
        self.arrived(a, 40, notation='1/BC-OLD')
        a.overdue = a.assigned([{'department': a.it, 'role': 'lead',
                    'deadline': today - dt.timedelta(days=3)}],
            arrival_date=now - dt.timedelta(days=10), notation='2/TTr-OPEN',
            notes="Xin ý kiến các sở", **earlier)
        a.late = a.assigned([{'employee': a.officer1, 'role': 'lead',
                    'deadline': today - dt.timedelta(days=2)}],
            arrival_date=now - dt.timedelta(days=9), notation='3/TTr-LATE',
            **earlier)
        self.finish(a.officer1, a.late)
        a.in_time = a.assigned([{'employee': a.officer2, 'role': 'lead',
                    'deadline': today + dt.timedelta(days=5)},
                {'employee': a.officer3, 'role': 'coordinate'}],
            arrival_date=now - dt.timedelta(days=8), notation='4/TTr-DONE',
            **earlier)
        self.finish(a.officer2, a.in_time)
        self.answer(a, a.in_time, '12/STTTT-VP', 'released')
        self.answer(a, a.in_time, '13/STTTT-VP', 'draft')
        a.waiting = self.arrived(a, 5, notation='5/TTr-WAIT')
        return a

    def data(self, register, start, end):
        return {'model': 'mvp.register', 'id': register.id,
            'ids': [register.id], 'start_date': start, 'end_date': end}

    @with_transaction()
    def test_register_shows_the_progress_of_the_period(self):
        pool = Pool()
        Pdf = pool.get('mvp.incoming.followup.pdf', type='report')
        Xlsx = pool.get('mvp.incoming.followup.xlsx', type='report')
        today = agency_today()
        load_vietnamese()
        a = self.story()
        register = self.register(a.company)
        data = self.data(register, today - dt.timedelta(days=20), today)
        with acting_as(a.clerk), vietnamese():
            oext, content, _, name = Pdf.execute([register.id], data)
        self.assertEqual(oext, 'pdf')
        text, _ = pdf_text(content)
        for expected in [
                'SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN',
                'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
                'Từ ngày %s' % (today - dt.timedelta(days=20)).strftime(
                    '%d/%m/%Y'),
                'Thời hạn giải quyết', 'Tiến độ giải quyết',
                'Số, ký hiệu văn bản trả lời',
                '2/TTr-OPEN', '3/TTr-LATE', '4/TTr-DONE', '5/TTr-WAIT',
                'quá hạn 3 ngày', 'chậm 2 ngày', '12/STTTT-VP',
                'Tổng số văn bản: 4',
                ]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        for absent in ['1/BC-OLD', '13/STTTT-VP']:
            with self.subTest(absent=absent):
                self.assertNotIn(absent, text)

        with acting_as(a.leader), vietnamese():
            oext, content, _, _ = Xlsx.execute([register.id], data)
        self.assertEqual(oext, 'xlsx')
        rows = xlsx_rows(content)
        header = next(i for i, r in enumerate(rows) if r[0] == 'Số đến')
        self.assertEqual(rows[header][:7], [
                'Số đến',
                'Tên loại, số, ký hiệu, ngày, tháng và tên cơ quan ban hành',
                'Đơn vị hoặc người nhận', 'Thời hạn giải quyết',
                'Tiến độ giải quyết', 'Số, ký hiệu văn bản trả lời',
                'Ghi chú'])
        body = {r[1].split('\n')[0].split(' ')[-3]: r
            for r in rows[header + 2:] if r[1]}
        self.assertEqual(set(body), {
                '2/TTr-OPEN', '3/TTr-LATE', '4/TTr-DONE', '5/TTr-WAIT'})
        overdue = body['2/TTr-OPEN']
        self.assertEqual(overdue[2], a.it.rec_name)
        self.assertEqual(overdue[3].date(), today - dt.timedelta(days=3))
        self.assertEqual(overdue[4], 'Đã phân công, quá hạn 3 ngày')
        self.assertEqual(overdue[6], "Xin ý kiến các sở")
        late = body['3/TTr-LATE']
        self.assertEqual(late[4], 'Đã giải quyết xong ngày %s, chậm 2 ngày'
            % today.strftime('%d/%m/%Y'))
        done = body['4/TTr-DONE']
        # the lead only: the coordinating officer is not in charge
        self.assertEqual(done[2], a.officer2.rec_name)
        self.assertEqual(done[4],
            'Đã giải quyết xong ngày %s' % today.strftime('%d/%m/%Y'))
        self.assertEqual(done[5], '12/STTTT-VP')
        waiting = body['5/TTr-WAIT']
        self.assertEqual(waiting[2], None)
        self.assertEqual(waiting[4], 'Đã vào sổ')
        self.assertGreater(waiting[3].date(), today)
        self.assertIn('quá hạn: 1', ' '.join(
                str(c) for r in rows[header + 2:] for c in r if c))

    @with_transaction()
    def test_only_the_clerks_and_leaders_of_the_agency_print_it(self):
        "The register id of the form or of the report data is checked"
        pool = Pool()
        Wizard = pool.get('mvp.incoming.followup.print', type='wizard')
        Pdf = pool.get('mvp.incoming.followup.pdf', type='report')
        Xlsx = pool.get('mvp.incoming.followup.xlsx', type='report')
        today = agency_today()
        a = Agency()
        b = Agency("Sở Nội vụ", 'SNV', prefix='b_')
        b.registered(notation='7/TTr-SNV')
        register_a = self.register(a.company)
        register_b = self.register(b.company)

        def run(employee, company, register):
            with acting_as(employee, access=False):
                session_id, _, _ = Wizard.create()
                return Wizard.execute(session_id, {'start': {
                            'company': company.id,
                            'register': register.id,
                            'start_date': today,
                            'end_date': today}}, 'pdf_')

        # the clerk of A with agency B or with A and B's register
        for employee, company in [(a.clerk, b.company), (a.clerk, a.company),
                (a.leader, b.company), (a.officer1, a.company)]:
            with self.subTest(employee=employee.rec_name,
                    company=company.rec_name):
                with self.assertRaises(UserError):
                    run(employee, company, register_b)
        # an officer is not a reader of the register, even of their own
        with self.assertRaises(UserError):
            run(a.officer1, a.company, register_a)

        data = self.data(register_b, today, today)
        for Report in [Pdf, Xlsx]:
            for employee in [a.clerk, a.leader, b.officer1]:
                with self.subTest(report=Report.__name__,
                        employee=employee.rec_name):
                    with acting_as(employee), self.assertRaises(UserError):
                        Report.execute([register_b.id], data)

        # B's clerk prints it, through the wizard's data
        result = run(b.clerk, b.company, register_b)
        action = result['actions'][0]
        self.assertEqual(action[0]['report_name'],
            'mvp.incoming.followup.pdf')
        self.assertEqual(action[1]['ids'], [register_b.id])
        with acting_as(b.clerk):
            text, _ = pdf_text(Pdf.execute(
                    [register_b.id], action[1])[1])
        self.assertIn('7/TTr-SNV', text)

    @with_transaction()
    def test_a_classified_document_shows_its_entry_only(self):
        "No subject or notes of a document classified mật"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Pdf = pool.get('mvp.incoming.followup.pdf', type='report')
        today = agency_today()
        load_vietnamese()
        a = Agency()
        secret = a.registered(confidentiality='secret', subject=None,
            notation='9/TTr-MAT', notes="Nội dung mật về di dời")
        Incoming.write([secret], {'paper_holder': a.clerk.id})
        register = self.register(a.company, confidential=True)
        self.assertEqual(Incoming(secret.id).register, register)
        with acting_as(a.clerk), vietnamese():
            table = Pdf.table([register], self.data(register, today, today))
        row, = table.rows
        self.assertIn('9/TTr-MAT', row[1])
        self.assertNotIn('di dời', ' '.join(str(c) for c in row))
        self.assertIn(a.clerk.rec_name, row[6])

    @with_transaction()
    def test_bad_period_is_refused(self):
        pool = Pool()
        Pdf = pool.get('mvp.incoming.followup.pdf', type='report')
        today = agency_today()
        a = Agency()
        register = self.register(a.company)
        with acting_as(a.clerk), self.assertRaises(UserError):
            Pdf.execute([register.id], self.data(
                    register, today, today - dt.timedelta(days=1)))
