# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on the capture paths (issue 15): intake, mailboxes, text
recognition and back-fill hold for a direct JSON-RPC call, and a classified
document keeps its register entry only."""
import datetime as dt
import io
import unittest
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.tests import (
    test_security_incoming as incoming_security)
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, acting_as, create_incoming)
from trytond.modules.mvp_documents.tests.test_security_files import (
    FileWorldMixin, upload)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from ..backfill import COLUMNS, read_log
from ..scan import OcrResult, ScanInfo
from .test_backfill import GOOD, log_xlsx
from .test_capture import run_tasks
from .test_scan import _eml


PROTECTED_OCR_STATE = 'done'


def xlsx(rows):
    "Return a paper log with the standard headings and rows"
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([h for _, h, _, _, _ in COLUMNS])
    for row in rows:
        sheet.append([row.get(k) for k, _, _, _, _ in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class SecurityCaptureTestCase(FileWorldMixin, unittest.TestCase):
    "Capture under attack"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_capture')

    # refused, and the work of the call undone as the RPC's rollback does
    assertCallRefused = (
        incoming_security.SecurityIncomingTestCase.assertRefused)

    # The state of text recognition is the server's

    @with_transaction()
    def test_nobody_writes_or_creates_the_recognition_state(self):
        File = Pool().get('mvp.document.file')
        a, _, _, _ = self.world()
        draft = create_incoming(a.company)
        file = upload(draft)
        for official in [a.clerk, a.leader, a.officer1]:
            with self.subTest(official=official.rec_name):
                with acting_as(official):
                    self.assertRefused(file, lambda: File.write(
                            [File(file.id)],
                            {'ocr_state': PROTECTED_OCR_STATE}))
        self.assertIsNone(File(file.id).ocr_state)
        with acting_as(a.clerk):
            with self.assertRaises(AccessError):
                File.create([{
                            'resource': str(draft), 'kind': 'scan',
                            'name': 'x.pdf', 'data': PDF,
                            'ocr_state': PROTECTED_OCR_STATE,
                            }])

    # Intake and mailboxes

    @with_transaction()
    def test_intake_of_another_agency_is_not_visible(self):
        pool = Pool()
        Document = pool.get('document.incoming')
        a, b, _, _ = self.world()
        document = Document(
            name='scan.pdf', company=a.company, data=PDF,
            type='mvp_incoming')
        document.save()
        unassigned = Document(
            name='scan.pdf', company=None, data=PDF, type='mvp_incoming')
        unassigned.save()
        # b's clerk also belongs to agency a, where he holds no role
        b_user, = b.clerk.users
        pool.get('res.user').write([b_user], {
                'companies': [('add', [a.company.id])]})
        with acting_as(b.clerk):
            self.assertFalse(Document.search([]))
            for record in [document, unassigned]:
                with self.assertRaises(AccessError):
                    Document.read([record.id], ['data'])
        with acting_as(a.officer1):
            with self.assertRaises(AccessError):
                Document.read([document.id], ['data'])
        with acting_as(a.clerk):
            self.assertEqual(Document.search([]), [document])

    @with_transaction()
    def test_inbound_email_webhook_is_switched_off(self):
        pool = Pool()
        Inbox = pool.get('inbound.email.inbox')
        Email = pool.get('inbound.email')
        a, _, _, _ = self.world()
        inbox = Inbox(name="Văn thư", agency=a.company)
        inbox.save()
        with self.assertRaises(UserError):
            Inbox.new_identifier([inbox])
        self.assertFalse(Inbox(inbox.id).identifier)
        self.assertEqual(
            Email.from_webhook(inbox, _eml("Thư"), 'raw'), [])


    # Classified documents keep their entry only

    @with_transaction()
    def test_ocr_never_reads_a_classified_document(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        Incoming = pool.get('mvp.incoming')
        a, _, _, _ = self.world()
        incoming = create_incoming(a.company, subject=None)
        file = upload(incoming)
        Incoming.write([incoming], {'confidentiality': 'secret'})
        with patch('trytond.modules.mvp_capture.capture.inspect_scan',
                return_value=ScanInfo('application/pdf', 1)), \
                patch('trytond.modules.mvp_capture.capture.ocr_scan',
                    return_value=OcrResult(pages=("Nội dung",))) as ocr:
            File.ocr([file])
            File.request_ocr([file])
        ocr.assert_not_called()
        self.assertIsNone(File(file.id).text)

    @with_transaction()
    def test_scan_stamped_classified_keeps_the_entry_only(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        Incoming = pool.get('mvp.incoming')
        Notification = pool.get('res.notification')
        Attachment = pool.get('ir.attachment')
        a, _, _, _ = self.world()
        page = ("UBND TỈNH THÁI BÌNH\nSỞ NỘI VỤ\nMẬT\n"
            "Số: 27/BC-SNV\nThái Bình, ngày 05 tháng 3 năm 2025\n"
            "BÁO CÁO\nVề tình hình an ninh nội bộ\n")
        with patch('trytond.modules.mvp_capture.capture.inspect_scan',
                return_value=ScanInfo('application/pdf', 1)), \
                patch('trytond.modules.mvp_capture.capture.ocr_scan',
                    return_value=OcrResult(pages=(page,))):
            incoming = Incoming.capture_scan(a.company, PDF, 'scan.pdf')
            Attachment.create([{
                        'resource': str(incoming), 'name': 'scan.pdf',
                        'type': 'data', 'data': PDF}])
            File.ocr(File.search([('resource', '=', str(incoming))]))
        incoming = Incoming(incoming.id)
        self.assertEqual(incoming.confidentiality, 'confidential')
        self.assertFalse(incoming.subject)
        self.assertFalse(incoming.scan_reading)
        self.assertEqual(incoming.notation, '27/BC-SNV')
        self.assertFalse(File.search([('resource', '=', str(incoming))]))
        self.assertFalse(Attachment.search([
                    ('resource', '=', str(incoming))]))
        clerk_user, = a.clerk.users
        told, = Notification.search([('user', '=', clerk_user.id)])
        self.assertIn('27/BC-SNV', told.label)
        self.assertNotIn('an ninh', told.label + (told.description or ''))

    @with_transaction()
    def test_email_marked_classified_keeps_the_entry_only(self):
        pool = Pool()
        Document = pool.get('document.incoming')
        File = pool.get('mvp.document.file')
        Attachment = pool.get('ir.attachment')
        a, _, _, _ = self.world()
        data = _eml("[MẬT] Kế hoạch bảo vệ an ninh",
            attachments=[('kh.pdf', 'application/pdf', PDF)])
        document = Document(
            name='mail.eml', company=a.company, data=data,
            type='mvp_incoming')
        document.save()
        Document.process([document])
        run_tasks()
        incoming, = pool.get('mvp.incoming').search([
                ('company', '=', a.company.id),
                ('channel', '=', 'email')])
        self.assertEqual(incoming.confidentiality, 'confidential')
        self.assertFalse(incoming.subject)
        self.assertFalse(File.search([('resource', '=', str(incoming))]))
        self.assertFalse(Attachment.search([
                    ('resource', '=', str(incoming))]))
        self.assertFalse(Document.search([('id', '=', document.id)]))

    @with_transaction()
    def test_paper_log_of_a_classified_document_has_no_subject(self):
        now = dt.datetime(2025, 3, 3, 8, 30)
        base = {
            'arrival_date': now.strftime('%d/%m/%Y %H:%M'),
            'issuer': "Sở Nội vụ", 'document_type': "Báo cáo",
            'confidentiality': "Mật"}
        rows, errors = read_log(xlsx([dict(base, subject="Nội dung mật")]))
        self.assertEqual([e.code for e in errors], ['classified'])
        rows, errors = read_log(xlsx([base]))
        self.assertEqual(errors, [])
        rows, errors = read_log(xlsx([dict(base, confidentiality="Thường")]))
        self.assertEqual([e.code for e in errors], ['required'])


    # Back-fill

    @with_transaction()
    def test_backfill_registers_only_into_the_clerks_agency(self):
        "The register id of the back-fill form is not trusted"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Register = pool.get('mvp.register')
        Wizard = pool.get('mvp.incoming.backfill', type='wizard')
        a = incoming_security.Agency()
        b = incoming_security.Agency("Sở Nội vụ", 'SNV', prefix='b_')
        register_b, = Register.search([
                ('company', '=', b.company.id),
                ('confidential', '=', False)])
        row = list(GOOD)
        day = dt.date.today() - dt.timedelta(days=5)
        row[0] = '%s 08:00' % day.strftime('%d/%m/%Y')
        row[4] = day.strftime('%d/%m/%Y')
        data = log_xlsx([row])
        count = Incoming.search_count([])
        for employee in [a.clerk, a.officer1]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee, access=False):
                    def run():
                        session_id, _, _ = Wizard.create()
                        Wizard.execute(session_id, {'start': {
                                    'company': b.company.id,
                                    'register': register_b.id,
                                    'data': data,
                                    'data_name': 'log.xlsx'}}, 'import_')
                    self.assertCallRefused(run)
        self.assertEqual(Incoming.search_count([]), count)
