# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Capture of incoming documents: scans through the intake queue with OCR,
e-mails (.eml upload and IMAP), duplicates."""
import datetime as dt
import email.header
import unittest

from trytond.exceptions import UserWarning
from trytond.modules.mvp_capture.exceptions import CaptureError
from trytond.modules.mvp_capture.scan import ocr_available
from trytond.modules.mvp_documents.exceptions import FileLimitError
from trytond.modules.mvp_documents.tests.hostile_files import (
    MB, pdf_declaring, pdf_flate_bomb, png)
from trytond.modules.mvp_documents.tests.incoming_tools import (
    create_agency, create_incoming)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

from .imap_server import ImapServer
from .scan_tools import can_rasterise, vietnamese_page_pdf, vietnamese_scan
from .test_scan import _eml

OCR = ocr_available('vie') and can_rasterise()
NO_OCR = "ocrmypdf, tesseract-ocr-vie or pdftoppm missing"


def run_tasks():
    "Run the queued tasks (and those they queue) as the worker would"
    pool = Pool()
    Queue = pool.get('ir.queue')
    transaction = Transaction()
    while transaction.tasks:
        Queue(transaction.tasks.pop(0)).run()


def agencies():
    "Return the receiving agency and the issuing agency of the scans"
    receiver = create_agency("Sở Nội vụ", 'SNV')
    issuer = create_agency("Sở Thông tin và Truyền thông", 'STTTT')
    return receiver, issuer


def imap_inbox(agency, server, user, password):
    "An inbox of agency polling server, its e-mails becoming drafts"
    Inbox = Pool().get('inbound.email.inbox')
    inbox, = Inbox.create([{
                'name': "Hộp thư văn thư", 'agency': agency.id,
                'imap_active': True, 'imap_host': '127.0.0.1',
                'imap_port': server.port, 'imap_security': 'none',
                'imap_user': user, 'imap_password_secret': password,
                'rules': [('create', [{
                                'action': (
                                    'document.incoming|from_inbound_email'),
                                'document_incoming_type': 'mvp_incoming',
                                'document_incoming_company': agency.id,
                                'document_incoming_process': True,
                                }])],
                }])
    return inbox


def intake(company, name, data):
    "Put a file in the intake queue and process it"
    pool = Pool()
    Document = pool.get('document.incoming')
    document = Document(
        name=name, company=company, data=data, type='mvp_incoming')
    document.save()
    Document.process([document])
    run_tasks()
    return Document(document.id)


class CaptureTestCase(unittest.TestCase):
    "Capture of incoming documents"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_capture')

    @classmethod
    def tearDownClass(cls):
        # some tests commit (mail goes out at commit): leave no agency
        # behind for the next test file of this worker
        drop_db()
        super().tearDownClass()

    @unittest.skipUnless(OCR, NO_OCR)
    @with_transaction()
    def test_scan_becomes_draft_filled_from_its_first_page(self):
        pool = Pool()
        DocumentType = pool.get('mvp.document.type')
        receiver, issuer = agencies()
        document = intake(receiver, 'scan.png', vietnamese_scan('png'))
        self.assertEqual(document.state, 'done')
        incoming = document.result
        self.assertEqual(incoming.__name__, 'mvp.incoming')
        self.assertEqual(incoming.state, 'draft')
        self.assertEqual(incoming.company, receiver)
        self.assertEqual(incoming.channel, 'paper')
        self.assertEqual(incoming.pages, 1)
        scan, = incoming.files
        self.assertEqual(scan.kind, 'scan')
        self.assertEqual(scan.mimetype, 'image/png')
        self.assertEqual(scan.ocr_state, 'done')
        self.assertIn('Thông tin và Truyền thông', scan.text)
        self.assertEqual(incoming.notation, '51/TTr-STTTT')
        self.assertEqual(incoming.number, '51')
        self.assertEqual(incoming.issue_date, dt.date(2025, 3, 5))
        self.assertEqual(incoming.issuer, issuer)
        to_trinh, = DocumentType.search([('abbreviation', '=', 'TTr')])
        self.assertEqual(incoming.document_type, to_trinh)
        self.assertTrue(incoming.subject.startswith(
                'Về việc phê duyệt danh mục mã định danh'))
        self.assertIn('51/TTr-STTTT', incoming.scan_reading)

    @unittest.skipUnless(OCR, NO_OCR)
    @with_transaction()
    def test_ocr_text_is_searchable(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        receiver, _ = agencies()
        intake(receiver, 'scan.tif', vietnamese_scan('tiff'))
        files = File.search([
                ('company', '=', receiver.id),
                ('text', 'ilike', '%kính trình%'),
                ])
        self.assertEqual(len(files), 1)

    @with_transaction()
    def test_what_the_clerk_typed_is_kept(self):
        "Recognised values fill only the empty fields of the draft"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        File = pool.get('mvp.document.file')
        receiver, _ = agencies()
        incoming = Incoming.capture_scan(
            receiver, vietnamese_page_pdf(), 'to-trinh.pdf')
        incoming.notation = '52/TTr-STTTT'
        incoming.save()
        run_tasks()
        incoming = Incoming(incoming.id)
        self.assertEqual(incoming.notation, '52/TTr-STTTT')
        self.assertEqual(incoming.issue_date, dt.date(2025, 3, 5))
        file, = incoming.files
        self.assertEqual(File(file.id).ocr_state, 'done')

    @with_transaction()
    def test_unsupported_and_broken_files_are_refused(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Document = pool.get('document.incoming')
        receiver, _ = agencies()
        pdf = vietnamese_page_pdf()
        for name, data, message in [
                ('thu.docx', b'PK\x03\x04' + b'\x00' * 50,
                    'not a scan in a supported format'),
                ('scan.pdf', pdf[:len(pdf) // 2], 'damaged or incomplete'),
                ]:
            with self.subTest(name=name):
                before = Incoming.search_count([])
                document = Document(
                    name=name, company=receiver, data=data,
                    type='mvp_incoming')
                document.save()
                with self.assertRaises(CaptureError) as cm:
                    Document.process([document])
                self.assertIn(message, cm.exception.message)
                self.assertIn(name, cm.exception.message)
                self.assertEqual(Incoming.search_count([]), before)
        with self.assertRaises(CaptureError) as cm:
            Incoming.capture_scan(receiver, b'', 'scan.png')
        self.assertIn('"scan.png" is empty', cm.exception.message)

    @with_transaction()
    def test_hostile_scans_are_refused_and_nothing_is_stored(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Document = pool.get('document.incoming')
        File = pool.get('mvp.document.file')
        receiver, _ = agencies()
        for name, data, message in [
                ('scan.png', png(10000, 10000, rows=1),
                    'measures 10000x10000 pixels, more than the limit '
                    'of 50 MP'),
                ('scan.pdf', pdf_declaring(2 * 1024 * MB),
                    'larger than the limit of 128 MB'),
                ('bomb.pdf', pdf_flate_bomb(300 * MB),
                    'larger than the limit of 128 MB'),
                ]:
            with self.subTest(name=name):
                before = Incoming.search_count([]), File.search_count([])
                document = Document(
                    name=name, company=receiver, data=data,
                    type='mvp_incoming')
                document.save()
                with self.assertRaises(FileLimitError) as cm:
                    Document.process([document])
                self.assertIn(name, cm.exception.message)
                self.assertIn(message, cm.exception.message)
                with self.assertRaises(FileLimitError):
                    Incoming.capture_scan(receiver, data, name)
                self.assertEqual(
                    (Incoming.search_count([]), File.search_count([])),
                    before)
        # a normal scan still enters
        incoming = Incoming.capture_scan(receiver, png(400, 300), 'ok.png')
        self.assertEqual(incoming.pages, 1)

    @with_transaction()
    def test_eml_upload_becomes_draft_with_attachments(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        receiver, issuer = agencies()
        pdf = vietnamese_page_pdf()
        eml = _eml('V/v phê duyệt danh mục mã định danh', [
                ('51-TTr-STTTT.pdf', 'application/pdf', pdf),
                ('phu-luc.pdf', 'application/pdf', pdf)])
        document = intake(receiver, 'thu.eml', eml)
        incoming = document.result
        self.assertEqual(incoming.channel, 'email')
        self.assertEqual(incoming.state, 'draft')
        self.assertEqual(
            incoming.subject, 'V/v phê duyệt danh mục mã định danh')
        self.assertEqual(incoming.email_message_id, '<abc@snv.gov.vn>')
        self.assertIn('vanthu@snv.gov.vn', incoming.notes)
        self.assertEqual(
            sorted((f.kind, f.name) for f in incoming.files), [
                ('appendix', 'phu-luc.pdf'),
                ('original', '51-TTr-STTTT.pdf'),
                ('other', 'thu.eml')])
        # Read from the text layer of the attached PDF
        self.assertEqual(incoming.notation, '51/TTr-STTTT')
        self.assertEqual(incoming.issuer, issuer)
        # The same e-mail twice is one document
        again = intake(receiver, 'thu.eml', eml)
        self.assertEqual(again.result, incoming)
        self.assertEqual(Incoming.search_count([
                    ('company', '=', receiver.id),
                    ('email_message_id', '=', '<abc@snv.gov.vn>'),
                    ]), 1)

    @with_transaction()
    def test_destroyed_document_takes_its_captured_copies(self):
        "The intake document and its attachment copy go with the files"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Document = pool.get('document.incoming')
        Attachment = pool.get('ir.attachment')
        receiver, _ = agencies()
        eml = _eml('V/v hủy hồ sơ', [('cv.pdf', 'application/pdf',
                    vietnamese_page_pdf())]).replace(
            b'<abc@snv.gov.vn>', b'<destroyed@snv.gov.vn>')
        incoming = intake(receiver, 'huy.eml', eml).result
        self.assertTrue(Attachment.search([('resource', '=', str(incoming))]))
        lines = Incoming.purge_copies([incoming])
        self.assertEqual(Document.search([
                    ('result', '=', str(incoming)),
                    ('active', 'in', [True, False])]), [])
        self.assertEqual(
            Attachment.search([('resource', '=', str(incoming))]), [])
        self.assertEqual(len([l for l in lines if 'huy.eml' in l]), 2)

    @with_transaction()
    def test_email_typed_with_tcvn3_arrives_in_unicode(self):
        "An e-mail from a .VnTime mailer (its subject in Windows-1252)"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        receiver, _ = agencies()
        subject = 'V/v b¸o c¸o t×nh h×nh thùc hiÖn kÕ ho¹ch n¨m 2026'
        header = email.header.Header(subject, 'windows-1252').encode()
        eml = _eml('placeholder').replace(
            b'Subject: placeholder', b'Subject: ' + header.encode())
        self.assertIn(b'windows-1252', eml)
        incoming = intake(receiver, 'thu.eml', eml).result
        incoming = Incoming(incoming.id)
        self.assertEqual(incoming.subject,
            'V/v báo cáo tình hình thực hiện kế hoạch năm 2026')
        self.assertEqual(incoming.legacy_encoding, 'tcvn3')
        self.assertIn(f"Subject: {subject}", incoming.legacy_text)
        # the sender's name and the notes were Unicode: left alone
        self.assertEqual(incoming.issuer_name, "Văn thư Sở Nội vụ")
        self.assertNotIn("Issuer:", incoming.legacy_text)

    @with_transaction()
    def test_not_an_email(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        receiver, _ = agencies()
        with self.assertRaises(CaptureError):
            Incoming.capture_email(receiver, b'Subject only', 'x.eml')

    @with_transaction()
    def test_imap_mailbox_is_polled_and_marked_seen_on_commit(self):
        pool = Pool()
        Inbox = pool.get('inbound.email.inbox')
        Email = pool.get('inbound.email')
        Incoming = pool.get('mvp.incoming')
        # This test commits: its agency must not be matched by the others
        receiver = create_agency("Văn phòng UBND tỉnh Thái Bình", 'VPUB')
        with ImapServer(user='vanthu@snv', password='s3cret') as server:
            server.deliver(_eml('Giấy mời họp', [
                        ('giay-moi.pdf', 'application/pdf',
                            vietnamese_page_pdf())]))
            server.deliver(_eml('Công văn 2', sender='a@b.vn').replace(
                    b'<abc@snv.gov.vn>', b'<def@snv.gov.vn>'))
            inbox = imap_inbox(receiver, server, 'vanthu@snv', 's3cret')
            Inbox.fetch_imap_all()
            run_tasks()
            self.assertEqual(Email.search_count([('inbox', '=', inbox.id)]), 2)
            incomings = Incoming.search([
                    ('company', '=', receiver.id), ('channel', '=', 'email'),
                    ], order=[('subject', 'ASC')])
            self.assertEqual(
                [i.subject for i in incomings], ['Công văn 2', 'Giấy mời họp'])
            self.assertEqual(
                [len(i.files) for i in incomings], [1, 2])
            self.assertEqual(server.unseen(), [1, 2])
            self.assertIsNotNone(Inbox(inbox.id).imap_last_fetch)
            Transaction().commit()
            self.assertEqual(server.unseen(), [])

    @with_transaction()
    def test_imap_error_is_recorded(self):
        pool = Pool()
        Inbox = pool.get('inbound.email.inbox')
        receiver, _ = agencies()
        with ImapServer() as server:
            inbox, = Inbox.create([{
                        'name': "Sai mật khẩu", 'agency': receiver.id,
                        'imap_active': True, 'imap_host': '127.0.0.1',
                        'imap_port': server.port, 'imap_security': 'none',
                        'imap_user': 'vanthu', 'imap_password_secret': 'wrong',
                        }])
            with self.assertRaises(CaptureError):
                Inbox.fetch_imap([inbox])

    @with_transaction()
    def test_duplicate_is_flagged_and_warned_on_registration(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        receiver, _ = agencies()
        same = {'notation': '51/TTr-STTTT'}
        first = create_incoming(
            receiver, issue_date=dt.date(2025, 3, 5), **same)
        Incoming.register_arrival([first])
        second = create_incoming(
            receiver, issue_date=dt.date(2025, 3, 5), **same)
        other = create_incoming(
            receiver, issue_date=dt.date(2025, 3, 6), **same)
        self.assertEqual(list(second.duplicates), [first])
        self.assertEqual(list(other.duplicates), [])
        with self.assertRaises(UserWarning) as cm:
            Incoming.register_arrival([second])
        self.assertIn('51/TTr-STTTT', cm.exception.message)
        self.assertEqual(Incoming(second.id).state, 'draft')
        with Transaction().set_context(_skip_warnings=True):
            Incoming.register_arrival([second])
        self.assertEqual(Incoming(second.id).state, 'registered')
