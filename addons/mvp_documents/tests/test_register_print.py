# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed incoming register, processing slip and back-fill from a paper
log, through the models."""
import datetime as dt
import unittest

from trytond.modules.mvp_documents.exceptions import CaptureError
from trytond.modules.mvp_documents.incoming_backfill import import_log
from trytond.modules.company.tests import set_company
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_agency, create_incoming, create_official)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .test_register_book import GOOD, log_xlsx, pdf_text, xlsx_rows


def registered(company, count, **values):
    pool = Pool()
    Incoming = pool.get('mvp.incoming')
    now = dt.datetime.now().replace(microsecond=0)
    incomings = []
    for i in range(count):
        incoming = create_incoming(
            company, notation='%s/TTr-STTTT' % (i + 1),
            arrival_date=now - dt.timedelta(hours=count - i),
            issue_date=(now - dt.timedelta(days=3)).date(), **values)
        Incoming.register_arrival([incoming])
        incomings.append(incoming)
    return incomings


class RegisterPrintTestCase(unittest.TestCase):
    "Printing registers and slips"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def register(self, company):
        pool = Pool()
        Register = pool.get('mvp.register')
        register, = Register.search([
                ('company', '=', company.id), ('confidential', '=', False)])
        return register

    @with_transaction()
    def test_register_pdf_and_xlsx_for_a_period(self):
        pool = Pool()
        Pdf = pool.get('mvp.incoming.register.pdf', type='report')
        Xlsx = pool.get('mvp.incoming.register.xlsx', type='report')
        Date = pool.get('ir.date')
        company = create_agency("Sở Nội vụ", 'SNV')
        registered(company, 3)
        create_incoming(company, notation='99/TTr-STTTT')  # draft: not printed
        register = self.register(company)
        today = Date.today()
        data = {
            'model': 'mvp.register', 'id': register.id,
            'ids': [register.id],
            'start_date': today - dt.timedelta(days=1),
            'end_date': today + dt.timedelta(days=1),
            }
        with set_company(company):
            oext, content, _, name = Pdf.execute([register.id], data)
        self.assertEqual(oext, 'pdf')
        text, _ = pdf_text(content)
        self.assertIn('SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', text)
        self.assertIn('SỞ NỘI VỤ', text)
        self.assertIn('Từ số 01 đến số 03', text)
        for notation in ['1/TTr-STTTT', '2/TTr-STTTT', '3/TTr-STTTT']:
            self.assertIn(notation, text)
        self.assertNotIn('99/TTr-STTTT', text)
        self.assertIn('Tờ trình: V/v triển khai', text)

        with set_company(company):
            oext, content, _, _ = Xlsx.execute([register.id], data)
        self.assertEqual(oext, 'xlsx')
        rows = xlsx_rows(content)
        header = next(i for i, r in enumerate(rows) if r[0] == 'Ngày đến')
        self.assertEqual([r[1] for r in rows[header + 2:]], ['01', '02', '03'])

        # A period before the documents arrived is empty
        data.update(start_date=today - dt.timedelta(days=30),
            end_date=today - dt.timedelta(days=20))
        with set_company(company):
            text, _ = pdf_text(Pdf.execute([register.id], data)[1])
        self.assertNotIn('TTr-STTTT', text)

    @with_transaction()
    def test_wizard_gives_the_report_data(self):
        pool = Pool()
        Wizard = pool.get('mvp.incoming.register.print', type='wizard')
        Date = pool.get('ir.date')
        company = create_agency("Sở Tư pháp", 'STP')
        register = self.register(company)
        # the wizard is the clerks' and leaders' (its menu's groups)
        clerk = create_official(
            company, 'vt', "Nguyễn Thị Văn Thư", role='group_mvp_clerk')
        with acting_as(clerk, access=False):
            session_id, _, _ = Wizard.create()
            wizard = Wizard(session_id)
            wizard.start.company = company
            wizard.start.register = register
            wizard.start.start_date = Date.today()
            wizard.start.end_date = Date.today()
            action, data = wizard.do_xlsx_({})
            today = Date.today()  # in the agency's time zone
        self.assertEqual(data['ids'], [register.id])
        self.assertEqual(data['start_date'], today)

    @with_transaction()
    def test_processing_slip_shows_the_instructions(self):
        pool = Pool()
        Slip = pool.get('mvp.incoming.slip', type='report')
        Assignment = pool.get('mvp.assignment')
        Department = pool.get('mvp.department')
        company = create_agency("Sở Y tế", 'SYT')
        department, = Department.search([
                ('company', '=', company.id), ('code', '=', 'CNTT')])
        leader = create_official(
            company, 'gd', "Nguyễn Văn Giám Đốc", role='group_mvp_leader')
        head = create_official(
            company, 'tp', "Lê Thị Trưởng Phòng",
            role='group_mvp_department_head', department=department,
            head=True)
        officer = create_official(
            company, 'cv', "Trần Văn Chuyên Viên", role='group_mvp_officer',
            department=department)
        incoming, = registered(company, 1)
        now = dt.datetime.now().replace(microsecond=0)
        deadline = incoming.arrival_date.date() + dt.timedelta(days=10)
        lead, = Assignment.create([{
                    'incoming': incoming.id, 'department': department.id,
                    'role': 'lead', 'deadline': deadline, 'state': 'assigned',
                    'assigner': leader.id, 'assigned_date': now,
                    'instruction': "Giao phòng CNTT chủ trì tham mưu.",
                    }])
        Assignment.create([{
                    'incoming': incoming.id, 'parent': lead.id,
                    'employee': officer.id, 'role': 'lead',
                    'deadline': deadline, 'state': 'assigned',
                    'assigner': head.id, 'assigned_date': now,
                    'instruction': "Đồng chí Chuyên Viên dự thảo văn bản.",
                    'result': "Đề xuất trả lời đồng ý.",
                    }])
        with acting_as(leader):
            oext, content, _, _ = Slip.execute([incoming.id], {})
        self.assertEqual(oext, 'pdf')
        text, pages = pdf_text(content)
        for expected in [
                'PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN', 'Số đến: 01',
                'Giao phòng CNTT chủ trì tham mưu.',
                'chủ trì: Phòng Công nghệ thông tin',
                'Nguyễn Văn Giám Đốc',
                'Đồng chí Chuyên Viên dự thảo văn bản.',
                'Lê Thị Trưởng Phòng', deadline.strftime('%d/%m/%Y')]:
            self.assertIn(expected, text)


class BackfillModelTestCase(unittest.TestCase):
    "Back-fill from a paper log"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def register(self, company):
        pool = Pool()
        Register = pool.get('mvp.register')
        register, = Register.search([
                ('company', '=', company.id), ('confidential', '=', False)])
        return register

    def rows(self, count):
        day = dt.date.today() - dt.timedelta(days=5)
        rows = []
        for i in range(count):
            row = list(GOOD)
            row[0] = '%s 08:%02d' % (day.strftime('%d/%m/%Y'), i)
            row[3] = '%s/BC-SNV' % (i + 1)
            row[4] = (day - dt.timedelta(days=2)).strftime('%d/%m/%Y')
            rows.append(row)
        return rows

    @with_transaction()
    def test_log_is_registered_in_order_and_marked_late(self):
        pool = Pool()
        DocumentType = pool.get('mvp.document.type')
        company = create_agency("Sở Nội vụ", 'SNV')
        issuer = create_agency("Sở Tài chính", 'STC')
        rows = self.rows(3)
        rows[0][2] = 'Bưu điện tỉnh Thái Bình'
        rows[1][2] = 'Sở Tài chính'
        rows[2][1] = 3
        incomings = import_log(self.register(company), log_xlsx(rows))
        self.assertEqual([i.arrival_number for i in incomings], [1, 2, 3])
        self.assertTrue(all(i.state == 'registered' for i in incomings))
        self.assertTrue(all(i.recorded_late for i in incomings))
        self.assertEqual(incomings[1].issuer, issuer)
        self.assertEqual(
            incomings[0].issuer_name, 'Bưu điện tỉnh Thái Bình')
        report, = DocumentType.search([('abbreviation', '=', 'BC')])
        self.assertEqual(incomings[0].document_type, report)
        self.assertEqual(incomings[0].urgency, 'urgent')

    @with_transaction()
    def test_errors_are_reported_by_row_and_nothing_is_created(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        company = create_agency("Sở Nội vụ", 'SNV')
        rows = self.rows(4)
        rows[1][5] = 'Loại lạ'
        rows[2][0] = 'hôm qua'
        rows[3][11] = '01/01/2000'
        before = Incoming.search_count([])
        with self.assertRaises(CaptureError) as cm:
            import_log(self.register(company), log_xlsx(rows))
        message = cm.exception.message
        self.assertIn('3 problems', message)
        self.assertIn('Row 3, Loại văn bản', message)
        self.assertIn('Row 4, Ngày giờ đến', message)
        self.assertIn('Row 5, Hạn giải quyết', message)
        self.assertEqual(Incoming.search_count([]), before)

    @with_transaction()
    def test_number_of_the_paper_log_must_follow_the_register(self):
        company = create_agency("Sở Nội vụ", 'SNV')
        rows = self.rows(2)
        rows[1][1] = 7
        with self.assertRaises(CaptureError) as cm:
            import_log(self.register(company), log_xlsx(rows))
        self.assertIn('says 7', cm.exception.message)

    @with_transaction()
    def test_template_is_offered_by_the_wizard(self):
        pool = Pool()
        Start = pool.get('mvp.incoming.backfill.start')
        self.assertEqual(
            xlsx_rows(Start.default_template())[0][0], 'Ngày giờ đến *')
        self.assertTrue(Start.default_template_name().endswith('.xlsx'))


