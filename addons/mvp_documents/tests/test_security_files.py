# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on document files and notifications (issue 15):
every rule of the web client also holds for a direct JSON-RPC call."""
import datetime as dt
import hashlib
import unittest
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents import reminder
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, acting_as, create_incoming)
from trytond.modules.mvp_documents.tests.test_incoming import (
    Agency, department)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

OTHER_PDF = PDF.replace(b'Count 0', b'Count 0 ')
PROTECTED = {
    'locked': True,
    'superseded_by': None,
    'version': 9,
    'sha256': '0' * 64,
    'size': 1,
    'file_id': 'forged',
    'mimetype': 'text/html',
    'company': None,
    'text': "forged text",
    'resource': None,
    }


def upload(document, name='scan.pdf', data=PDF, kind='scan'):
    "Return a file of document, stored by the server"
    File = Pool().get('mvp.document.file')
    file, = File.create([{
                'resource': str(document), 'kind': kind, 'name': name,
                'data': data,
                }])
    return file


def snapshot(file):
    "Return what a file holds, read back as root"
    File = Pool().get('mvp.document.file')
    file = File(file.id)
    return (bytes(file.data), file.name, file.kind, file.sha256,
        file.locked, file.superseded_by, file.text, str(file.resource))


class FileWorldMixin:
    "Two agencies and a registered scan to attack"

    def world(self):
        "Return agency a with a registered scan and agency b"
        a = Agency()
        b = Agency("Sở Tài chính", 'STC', prefix='b-')
        self.a, self.b = a, b
        incoming = a.assigned([{
                    'employee': a.officer1.id, 'role': 'lead'}])
        scan = upload(incoming)
        return a, b, incoming, scan

    def assertRefused(self, file, call, error=AccessError):
        "Assert that call is refused with error and file stays as it was"
        before = snapshot(file)
        with self.assertRaises(error):
            call()
        self.assertEqual(snapshot(file), before)


class SecurityFilesTestCase(FileWorldMixin, unittest.TestCase):
    "Files, capture and notifications under attack"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    # Item 1: a registered scan and every locked file stay as they are

    @with_transaction()
    def test_clerk_and_officer_cannot_replace_a_registered_scan(self):
        File = Pool().get('mvp.document.file')
        a, _, incoming, scan = self.world()
        for official in [a.clerk, a.officer1, a.leader]:
            with self.subTest(official=official.rec_name):
                with acting_as(official):
                    self.assertRefused(scan, lambda: File.write(
                            [File(scan.id)], {'data': OTHER_PDF}))
                    self.assertRefused(scan, lambda: File.write(
                            [File(scan.id)], {'name': 'other.pdf'}))

    @with_transaction()
    def test_clerk_cannot_delete_a_registered_scan(self):
        File = Pool().get('mvp.document.file')
        a, _, incoming, scan = self.world()
        for official in [a.clerk, a.officer1]:
            with acting_as(official):
                self.assertRefused(
                    scan, lambda: File.delete([File(scan.id)]))
        self.assertTrue(File.search([('id', '=', scan.id)]))

    @with_transaction()
    def test_server_only_fields_cannot_be_written_by_anyone(self):
        File = Pool().get('mvp.document.file')
        a, _, _, _ = self.world()
        draft = create_incoming(a.company)
        file = upload(draft)
        other = upload(draft, name='other.pdf', data=OTHER_PDF)
        for name, value in PROTECTED.items():
            if name == 'superseded_by':
                value = other.id
            elif name == 'resource':
                value = str(create_incoming(a.company))
            elif name == 'company':
                value = self.b.company.id
            for official in [a.clerk, a.leader, a.officer1]:
                with self.subTest(field=name, official=official.rec_name):
                    with acting_as(official):
                        self.assertRefused(
                            file, lambda name=name, value=value: File.write(
                                [File(file.id)], {name: value}))

    @with_transaction()
    def test_clerk_cannot_unlock_a_signed_file(self):
        File = Pool().get('mvp.document.file')
        a, _, _, _ = self.world()
        draft = create_incoming(a.company)
        file = upload(draft, kind='signed')
        File.lock([file])
        with acting_as(a.clerk):
            self.assertRefused(file, lambda: File.write(
                    [File(file.id)], {'locked': False}))
            self.assertRefused(file, lambda: File.write(
                    [File(file.id)], {'data': OTHER_PDF}))
            self.assertRefused(file, lambda: File.delete([File(file.id)]))
        self.assertTrue(File(file.id).locked)

    @with_transaction()
    def test_context_flag_does_not_unlock_a_file(self):
        File = Pool().get('mvp.document.file')
        a, _, _, _ = self.world()
        draft = create_incoming(a.company)
        file = upload(draft)
        File.lock([file])
        with acting_as(a.clerk), Transaction().set_context(
                _mvp_file_unlock=True):
            self.assertRefused(file, lambda: File.write(
                    [File(file.id)], {'data': OTHER_PDF, 'locked': False}))
            self.assertRefused(file, lambda: File.delete([File(file.id)]))

    @with_transaction()
    def test_user_cannot_create_a_file_with_server_values(self):
        File = Pool().get('mvp.document.file')
        a, _, _, _ = self.world()
        draft = create_incoming(a.company)
        for name in ['locked', 'text']:
            with self.subTest(field=name), acting_as(a.clerk):
                with self.assertRaises(AccessError):
                    File.create([{
                                'resource': str(draft), 'kind': 'scan',
                                'name': 'x.pdf', 'data': PDF,
                                name: PROTECTED[name],
                                }])
        with acting_as(a.clerk):
            file, = File.create([{
                        'resource': str(draft), 'kind': 'scan',
                        'name': 'x.pdf', 'data': PDF, 'version': 9,
                        'sha256': '0' * 64, 'size': 1,
                        'mimetype': 'text/html',
                        'company': self.b.company.id,
                        }])
        file = File(file.id)
        self.assertEqual(file.version, 1)
        self.assertEqual(file.sha256, hashlib.sha256(PDF).hexdigest())
        self.assertEqual(file.size, len(PDF))
        self.assertEqual(file.mimetype, 'application/pdf')
        self.assertEqual(file.company, a.company)

    @with_transaction()
    def test_correction_of_a_registered_scan_is_a_new_version(self):
        File = Pool().get('mvp.document.file')
        a, _, incoming, scan = self.world()
        with acting_as(a.clerk):
            new = File(scan.id).supersede(OTHER_PDF)
        old, new = File(scan.id), File(new.id)
        self.assertEqual(old.superseded_by, new)
        self.assertEqual(bytes(old.data), PDF)
        self.assertEqual(new.version, 2)
        with acting_as(a.clerk):
            self.assertRefused(old, lambda: File.delete([File(old.id)]))
            self.assertRefused(old, lambda: File.write(
                    [File(old.id)], {'superseded_by': None}))

    # Item 2: files follow their document

    @with_transaction()
    def test_files_of_a_document_one_may_not_see_are_hidden(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        Note = pool.get('ir.note')
        a, b, incoming, scan = self.world()
        with Transaction().set_user(0):
            File.write([scan], {'text': "Nội dung mật của bản quét"})
        note, = Note.create([{
                    'resource': str(scan), 'message': "Ghi chú"}])
        for official in [a.officer2, a.officer3, b.clerk, b.leader]:
            with self.subTest(official=official.rec_name), \
                    acting_as(official):
                self.assertNotIn(scan, File.search([]))
                self.assertFalse(File.search([
                            ('text', 'ilike', '%mật%')]))
                self.assertEqual(File.search([], count=True), 0)
                for names in [['data'], ['text'], ['name'], ['file_id']]:
                    with self.assertRaises(AccessError):
                        File.read([scan.id], names)
                with self.assertRaises(AccessError):
                    Note.read([note.id], ['message'])
                self.assertNotIn(note, Note.search([]))
        for official in [a.officer1, a.clerk, a.leader]:
            with self.subTest(official=official.rec_name), \
                    acting_as(official):
                self.assertIn(scan, File.search([]))
                data, = File.read([scan.id], ['data'])
                self.assertEqual(bytes(data['data']), PDF)
                Note.read([note.id], ['message'])

    @with_transaction()
    def test_officer_cannot_upload_onto_a_document_he_may_not_see(self):
        File = Pool().get('mvp.document.file')
        a, b, incoming, scan = self.world()
        for official in [a.officer2, b.clerk]:
            with self.subTest(official=official.rec_name), \
                    acting_as(official):
                with self.assertRaises(AccessError):
                    File.create([{
                                'resource': str(incoming), 'kind': 'other',
                                'name': 'x.pdf', 'data': PDF,
                                }])

    # Item 3: classified documents keep their entry only

    @with_transaction()
    def test_upload_onto_a_classified_document_is_refused(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        a, _, _, _ = self.world()
        secret = create_incoming(
            a.company, confidentiality='secret', subject=None)
        ordinary = create_incoming(a.company, subject=None)
        file = upload(ordinary)
        for user in [a.clerk, a.leader]:
            with self.subTest(user=user.rec_name), acting_as(user):
                with self.assertRaises(UserError) as cm:
                    File.create([{
                                'resource': str(secret), 'kind': 'scan',
                                'name': 'mat.pdf', 'data': PDF,
                                }])
                self.assertIn('classified', cm.exception.message)
        # the server's own code is refused too
        with self.assertRaises(UserError):
            upload(secret)
        self.assertFalse(File.search([('resource', '=', str(secret))]))
        # an e-mail capture or a version cannot bring content in either
        Pool().get('mvp.incoming').write([ordinary], {
                'confidentiality': 'confidential'})
        with self.assertRaises(UserError):
            File(file.id).supersede(OTHER_PDF)

    @with_transaction()
    def test_upload_onto_a_classified_outgoing_is_refused(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        DocumentType = pool.get('mvp.document.type')
        a, _, _, _ = self.world()
        type_, = DocumentType.search([], limit=1)
        outgoing, = Outgoing.create([{
                    'company': a.company.id,
                    'department': department(a.company, 'CNTT').id,
                    'drafter': a.officer1.id, 'document_type': type_.id,
                    'subject': None, 'urgency': 'normal',
                    'confidentiality': 'top_secret',
                    }])
        with self.assertRaises(UserError):
            upload(outgoing, name='du-thao.pdf', kind='draft')

    @with_transaction()
    def test_reminders_and_digest_name_a_classified_document_only(self):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Incoming = pool.get('mvp.incoming')
        Date = pool.get('ir.date')
        a, _, _, _ = self.world()
        today = Date.today()
        secret = create_incoming(
            a.company, confidentiality='secret', subject=None,
            notation='7/PA-CA', issue_date=today - dt.timedelta(days=12),
            arrival_date=dt.datetime.now().replace(microsecond=0)
            - dt.timedelta(days=10))
        # a subject left from before the rule: never told to anyone
        table = Incoming.__table__()
        Transaction().connection.cursor().execute(*table.update(
                [table.subject], ["Phương án bảo vệ mục tiêu trọng yếu"],
                where=table.id == secret.id))
        Transaction().cache.clear()
        assignment, = Assignment.create([{
                    'incoming': secret.id, 'employee': a.officer1.id,
                    'role': 'lead', 'state': 'assigned',
                    'deadline': today - dt.timedelta(days=1),
                    'assigner': a.leader.id,
                    }])
        sent = []
        with patch.object(reminder, 'notify',
                lambda users, subject, body, records=None:
                sent.append(subject + body)):
            assignment._remind('overdue')
            assignment._remind('due_soon')
        subject, body = Assignment._digest(
            a.leader, today, [Incoming(secret.id)], [], [assignment])
        for text in sent + [subject, body]:
            self.assertNotIn('mục tiêu', text)
        self.assertIn('7/PA-CA', body)
        self.assertEqual(len(sent), 2)
        self.assertIn('7/PA-CA', sent[0])
