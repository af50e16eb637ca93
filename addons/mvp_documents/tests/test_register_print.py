# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed incoming register and processing slip, through the models."""
import datetime as dt
import unittest

from trytond.modules.company.tests import set_company
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_agency, create_incoming, create_official)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .test_register_book import pdf_text, xlsx_rows


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
