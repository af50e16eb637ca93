# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Integrity of the file store (issue 18, item 3): the nightly check of
the stored files against their SHA-256, and no file left behind by a
transaction that rolled back."""
import contextlib
import io
import json
import math
import os
import unittest
import uuid
from fractions import Fraction

from trytond.exceptions import UserError
from trytond.filestore import filestore
from trytond.modules.mvp_documents import integrity
from trytond.modules.mvp_documents.exceptions import DocumentFileError
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, acting_as, create_incoming, create_official)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction


def content():
    "Return a PDF of its own (each file of the tests differs)"
    return PDF + b'\n%' + uuid.uuid4().hex.encode()


def path_of(file_id):
    return filestore._filename(file_id, DB_NAME)


class IntegrityTestCase(unittest.TestCase):
    "Altered and missing files are found, marked and reported"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            ModelData = pool.get('ir.model.data')
            User = pool.get('res.user')
            Lang = pool.get('ir.lang')
            load_vietnamese()
            cls.agency = agency = Agency()
            admin = create_official(agency.company, 'integrity_admin',
                "Trần Văn Kiểm")
            user, = admin.users
            User.write([user], {
                    'language': Lang.search([('code', '=', 'vi')])[0].id,
                    'groups': [('add', [ModelData.get_id(
                                    'mvp_documents',
                                    'group_mvp_province_admin')])],
                    })
            cls.admin_user = user.id
            cls.clerk_user = agency.clerk.users[0].id
            with acting_as(agency.clerk):
                cls.incoming = create_incoming(agency.company).id
                cls.other = create_incoming(agency.company).id
            transaction.commit()

    def add_file(self, incoming=None, name='to-trinh.pdf'):
        "Store a file on an incoming document; return its id and file id"
        with Transaction().start(DB_NAME, 0) as transaction:
            File = Pool().get('mvp.document.file')
            file, = File.create([{
                        'resource': 'mvp.incoming,%s' % (
                            incoming or self.incoming),
                        'kind': 'original', 'name': name,
                        'data': content(),
                        }])
            transaction.commit()
            return file.id, file.file_id

    def check(self, share=1):
        with Transaction().start(DB_NAME, 0) as transaction:
            File = Pool().get('mvp.document.file')
            report = File.check_integrity(share=share)
            transaction.commit()
        return report

    def states(self, ids):
        with Transaction().start(DB_NAME, 0):
            File = Pool().get('mvp.document.file')
            return {f.id: (f.integrity_state, f.integrity_checked)
                for f in File.browse(ids)}

    def test_altered_and_missing_files_found_marked_and_reported(self):
        altered, altered_id = self.add_file(self.other, 'bi-sua.pdf')
        missing, missing_id = self.add_file(self.other, 'bi-mat.pdf')
        intact, _ = self.add_file(self.other, 'nguyen-ven.pdf')
        with open(path_of(altered_id), 'r+b') as file:
            file.seek(10)
            file.write(b'X')
        os.remove(path_of(missing_id))

        report = self.check()

        self.assertIn(altered, [f['id'] for f in report['altered']])
        self.assertIn(missing, [f['id'] for f in report['missing']])
        self.assertEqual(
            {i: s for i, (s, _) in self.states(
                    [altered, missing, intact]).items()},
            {altered: 'altered', missing: 'missing', intact: 'ok'})
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Incoming = pool.get('mvp.incoming')
            Notification = pool.get('res.notification')
            # the document is marked, and found by the mark
            self.assertTrue(Incoming(self.other).files_damaged)
            self.assertFalse(Incoming(self.incoming).files_damaged)
            damaged = Incoming.search([('files_damaged', '=', True)])
            self.assertIn(self.other, [d.id for d in damaged])
            self.assertNotIn(self.incoming, [d.id for d in damaged])
            self.assertIn(self.incoming, [d.id for d in Incoming.search(
                        [('files_damaged', '=', False)])])
            # the provincial administrators, in their language
            notes = Notification.search([
                    ('user', '=', self.admin_user),
                    ('model', '=', 'mvp.document.file'),
                    ])
            # (other checks of the class may have told of other files)
            notes = [n for n in notes if altered in json.loads(n.records)]
            self.assertEqual(len(notes), 1)
            note, = notes
            self.assertTrue(note.label.startswith('Kiểm tra toàn vẹn: '))
            self.assertIn('tệp đã lưu bị thay đổi hoặc bị mất', note.label)
            ids = json.loads(note.records)
            self.assertIn(altered, ids)
            self.assertIn(missing, ids)
            self.assertNotIn(intact, ids)
            self.assertIn('Bị thay đổi: bi-sua.pdf', note.description)
            self.assertIn('Bị mất: bi-mat.pdf', note.description)
            self.assertFalse(Notification.search([
                        ('user', '=', self.clerk_user),
                        ('model', '=', 'mvp.document.file'),
                        ]))

        # the same file put back is found intact at its next check
        with Transaction().start(DB_NAME, 0):
            File = Pool().get('mvp.document.file')
            sha256 = File(missing).sha256
        with Transaction().start(DB_NAME, 0) as transaction:
            File = Pool().get('mvp.document.file')
            file = File(altered)
            File.write([file], {'data': content()})
            self.assertEqual(
                (file.integrity_state, file.integrity_checked), (None, None))
            transaction.commit()
        self.check()
        self.assertEqual(self.states([altered])[altered][0], 'ok')
        self.assertEqual(self.states([missing])[missing][0], 'missing')
        self.assertEqual(len(sha256), 64)

    def test_integrity_fields_are_the_servers(self):
        "A user may not write the integrity mark of a file"
        file_id, _ = self.add_file()
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            File = pool.get('mvp.document.file')
            with acting_as(self.agency_clerk()):
                for values in [{'integrity_state': 'ok'},
                        {'integrity_checked': None}]:
                    with self.subTest(values=values):
                        with self.assertRaises(UserError):
                            File.write([File(file_id)], values)

    def agency_clerk(self):
        Employee = Pool().get('company.employee')
        User = Pool().get('res.user')
        return Employee(User(self.clerk_user).employee.id)

    def test_rolling_share_checks_each_file_once_per_cycle(self):
        for _ in range(4):
            self.add_file()
        with Transaction().start(DB_NAME, 0):
            File = Pool().get('mvp.document.file')
            ids = [f.id for f in File.search([('file_id', '!=', None)])]
        runs = []
        before = self.states(ids)
        for _ in range(3):
            report = self.check(share=Fraction(1, 3))
            after = self.states(ids)
            runs.append({i for i in ids if after[i][1] != before[i][1]})
            self.assertEqual(report['checked'], len(runs[-1]))
            self.assertEqual(report['total'], len(ids))
            before = after
        size = math.ceil(len(ids) / 3)
        self.assertEqual([len(r) for r in runs], [size] * 3)
        # every file once in the cycle; a file twice only to fill the
        # last night's share
        self.assertEqual(set().union(*runs), set(ids))
        self.assertEqual(
            sum(len(r) for r in runs) - len(ids), 3 * size - len(ids))
        self.assertFalse(runs[0] & runs[1])
        # the next cycle starts with the files checked longest ago
        self.check(share=Fraction(1, 3))
        after = self.states(ids)
        fourth = {i for i in ids if after[i][1] != before[i][1]}
        # (when the count is not a multiple of 3, the third night took
        # some of the first's again and the fourth fills up from the
        # second's)
        self.assertEqual(len(fourth), size)
        self.assertLessEqual(runs[0] - runs[2], fourth)
        self.assertLessEqual(fourth, (runs[0] | runs[1]) - runs[2])

    def test_command_prints_the_report(self):
        _, file_id = self.add_file(self.other, 'lenh.pdf')
        os.remove(path_of(file_id))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = integrity.integrity_main(['-d', DB_NAME])
        lines = out.getvalue().splitlines()
        self.assertEqual(code, 1)
        self.assertIn('missing\tlenh.pdf\tmvp.incoming,%s\t%s' % (
                self.other, file_id), lines)
        summary = json.loads(lines[-1])
        self.assertEqual(summary['checked'], summary['total'])
        self.assertGreaterEqual(summary['missing'], 1)


class RolledBackFilesTestCase(unittest.TestCase):
    "A transaction that rolls back leaves no file in the store"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')
        with Transaction().start(DB_NAME, 0) as transaction:
            cls.agency = agency = Agency()
            with acting_as(agency.clerk):
                cls.incoming = create_incoming(agency.company).id
            transaction.commit()

    def create(self, **values):
        File = Pool().get('mvp.document.file')
        file, = File.create([{
                    'resource': 'mvp.incoming,%s' % self.incoming,
                    'kind': 'original', 'name': 'to-trinh.pdf',
                    'data': content(), **values}])
        return file

    def test_rolled_back_create_leaves_no_file(self):
        with Transaction().start(DB_NAME, 0) as transaction:
            file_id = self.create().file_id
            self.assertTrue(os.path.exists(path_of(file_id)))
            transaction.rollback()
        self.assertFalse(os.path.exists(path_of(file_id)))

    def test_failed_create_leaves_no_file(self):
        "A refusal after the file was written: nothing stays"
        with self.assertRaises(DocumentFileError):
            with Transaction().start(DB_NAME, 0) as transaction:
                self.create()
                written = [i for _, i in transaction.join(
                        integrity._WrittenFiles()).files]
                # refused later in the same transaction (e.g. a check)
                self.create(kind='scan', name='bad.pdf', data=b'not a pdf')
        self.assertTrue(written)
        for file_id in written:
            self.assertFalse(os.path.exists(path_of(file_id)))

    def test_committed_file_kept_rolled_back_replacement_removed(self):
        with Transaction().start(DB_NAME, 0) as transaction:
            file = self.create()
            file_id, data = file.file_id, bytes(file.data)
            transaction.commit()
        with Transaction().start(DB_NAME, 0) as transaction:
            File = Pool().get('mvp.document.file')
            file = File(file.id)
            File.write([file], {'data': content()})
            new_id = File(file.id).file_id
            self.assertNotEqual(new_id, file_id)
            transaction.rollback()
        self.assertFalse(os.path.exists(path_of(new_id)))
        with open(path_of(file_id), 'rb') as stored:
            self.assertEqual(stored.read(), data)
        with Transaction().start(DB_NAME, 0):
            File = Pool().get('mvp.document.file')
            self.assertEqual(bytes(File(file.id).data), data)

    def test_file_a_committed_row_refers_to_is_kept(self):
        "The clean-up never removes a file that a committed row holds"
        with Transaction().start(DB_NAME, 0) as transaction:
            file = self.create()
            file_id = file.file_id
            transaction.commit()
        integrity.remove_unreferenced(DB_NAME, [(DB_NAME, file_id)])
        self.assertTrue(os.path.exists(path_of(file_id)))

    def test_destroyed_file_leaves_the_store(self):
        """A file destroyed with remove_stored leaves the store once the
        deletion is committed; a rolled back deletion keeps it"""
        with Transaction().start(DB_NAME, 0) as transaction:
            file = self.create(name='huy.pdf')
            file_id_, file_id = file.id, file.file_id
            transaction.commit()
        with Transaction().start(DB_NAME, 0) as transaction:
            File = Pool().get('mvp.document.file')
            files = File.browse([file_id_])
            integrity.remove_stored(files, 'data')
            File.delete(files)
            transaction.rollback()
        self.assertTrue(os.path.exists(path_of(file_id)))
        with Transaction().start(DB_NAME, 0) as transaction:
            File = Pool().get('mvp.document.file')
            files = File.browse([file_id_])
            integrity.remove_stored(files, 'data')
            File.delete(files)
            transaction.commit()
        self.assertFalse(os.path.exists(path_of(file_id)))
