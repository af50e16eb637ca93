# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Destruction keeps what must be kept (issue 20, item 1): a document
its register keeps longer, a document under a legal hold; the copies of
what is destroyed go with it, and the decision lists all of it."""
import datetime as dt
import os
import unittest

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import set_company
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_agency, create_incoming, create_official)
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.modules.mvp_dossier.exceptions import DossierError
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

from .tools import ExportDirMixin


class DisposalRetentionTestCase(ExportDirMixin, unittest.TestCase):
    "Disposal of dossiers against the documents' own retention"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('mvp_dossier')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def world(self):
        """An agency whose expired dossier holds three documents: one of
        a register without retention, one of a register kept permanently
        and one of a register kept 5 years (run out)"""
        pool = Pool()
        Register = pool.get('mvp.register')
        File = pool.get('mvp.document.file')
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        company = create_agency()
        self.leader = create_official(
            company, 'lanhdao', "Nguyễn Văn An", 'group_mvp_leader')
        self.clerk = create_official(
            company, 'vanthu', "Lê Văn Cường", 'group_mvp_clerk')
        plain, = Register.search([('company', '=', company.id),
                ('confidential', '=', False)])
        permanent, five = Register.create([{
                    'company': company.id, 'kind': 'incoming',
                    'name': "Sổ văn bản đến lưu vĩnh viễn",
                    'retention': 'permanent',
                    }, {
                    'company': company.id, 'kind': 'incoming',
                    'name': "Sổ văn bản đến 5 năm", 'retention': '5',
                    }])
        documents = []
        for register in [plain, permanent, five]:
            incoming = create_incoming(company,
                issue_date=dt.date(2015, 3, 2))
            incoming.register = register
            incoming.save()
            File.create([{'resource': str(incoming), 'kind': 'original',
                        'name': 'cv-%s.pdf' % register.id,
                        'data': b'%%PDF-1.4 %d ' % register.id * 50}])
            documents.append(incoming)
        dossier, = Dossier.create([{
                    'company': company.id, 'year': 2015, 'code': '01.VP',
                    'title': "Hồ sơ công văn năm 2015", 'retention': '5',
                    'responsible': self.clerk.id,
                    'start_date': dt.date(2015, 1, 5),
                    'end_date': dt.date(2015, 12, 31),
                    }])
        Line.link(dossier, documents)
        Dossier.close([dossier])
        return company, dossier, documents

    def approved_disposal(self, company):
        Disposal = Pool().get('mvp.dossier.disposal')
        disposal, = Disposal.create([{'company': company.id,
                    'reason': "Hết thời hạn bảo quản"}])
        Disposal.review([disposal])
        Disposal.submit([disposal])
        disposal.decision = "15/QĐ-STTTT"
        disposal.save()
        with Transaction().set_user(self.leader.users[0].id):
            Disposal.approve([disposal])
        return disposal

    def files_of(self, document):
        File = Pool().get('mvp.document.file')
        return [(f.name, bytes(f.data)) for f in File.search([
                    ('resource', '=', str(document))])]

    @with_transaction()
    def test_register_retention_keeps_a_document(self):
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        Attachment = pool.get('ir.attachment')
        Export = pool.get('mvp.dossier.export')
        company, dossier, (plain, permanent, five) = self.world()
        with set_company(company):
            kept_files = self.files_of(permanent)
            Attachment.create([{'resource': str(plain),
                        'name': 'thu-goc.eml', 'data': b'From: a@b.vn'}])
            export = Export.build(dossier)
            export_path, export_name = export.full_path, export.filename
            self.assertTrue(os.path.exists(export_path))
            disposal = self.approved_disposal(company)
            Disposal.destroy([disposal])

            self.assertEqual(disposal.state, 'done')
            self.assertEqual(dossier.state, 'destroyed')
            self.assertEqual(self.files_of(plain), [])
            self.assertEqual(self.files_of(five), [])
            # kept by its register, whole and readable
            self.assertEqual(self.files_of(permanent), kept_files)
            self.assertIn(permanent.rec_name, disposal.kept_documents)
            self.assertIn("Sổ văn bản đến lưu vĩnh viễn",
                disposal.kept_documents)
            self.assertNotIn(five.rec_name, disposal.kept_documents or '')
            self.assertIn('cv-', disposal.destroyed_files)
            self.assertEqual(disposal.destroyed_files.count('sha256'), 2)
            # the copies go with the files, and the decision says so
            self.assertEqual(Attachment.search(
                    [('resource', '=', str(plain))]), [])
            self.assertIn('thu-goc.eml', disposal.removed_copies)
            self.assertEqual(Export.search([('id', '=', export.id)]), [])
            self.assertIn(export_name, disposal.removed_copies)

    @with_transaction()
    def test_legal_hold_refuses_the_destruction(self):
        pool = Pool()
        Disposal = pool.get('mvp.dossier.disposal')
        LegalHold = pool.get('mvp.legal.hold')
        load_vietnamese()
        company, dossier, (plain, _, _) = self.world()
        with set_company(company):
            with acting_as(self.leader):
                hold, = LegalHold.create([{'company': company.id,
                            'document': str(plain),
                            'reason': "Thanh tra tỉnh yêu cầu giữ lại"}])
            self.assertEqual(hold.placed_by, self.leader)
            disposal = self.approved_disposal(company)
            before = self.files_of(plain)
            with Transaction().set_context(language='vi'), \
                    self.assertRaises(DossierError) as context:
                Disposal.destroy([disposal])
            self.assertIn("đang có lệnh giữ lại", context.exception.message)
            self.assertIn("Thanh tra tỉnh", context.exception.message)
            self.assertEqual(Disposal(disposal.id).state, 'approved')
            self.assertEqual(self.files_of(plain), before)
            self.assertEqual(dossier.state, 'closed')

            # lifted by the leader, the destruction goes on
            with acting_as(self.leader):
                LegalHold.write([hold], {'active': False})
            Disposal.destroy([disposal])
            self.assertEqual(self.files_of(plain), [])

    @with_transaction()
    def test_only_a_leader_places_a_hold_and_never_deletes_it(self):
        LegalHold = Pool().get('mvp.legal.hold')
        company, _, (plain, permanent, _) = self.world()
        other = create_agency("Sở Tài chính", 'STC')
        foreign = create_official(
            other, 'lanhdao2', "Phạm Văn Bình", 'group_mvp_leader')
        with set_company(company):
            with acting_as(self.clerk), self.assertRaises(AccessError):
                LegalHold.create([{'company': company.id,
                            'document': str(plain), 'reason': "x"}])
            with acting_as(self.leader):
                hold, = LegalHold.create([{'company': company.id,
                            'document': str(plain), 'reason': "x"}])
            for values in [{'document': str(permanent)},
                    {'company': other.id}]:
                with self.subTest(values=values), \
                        acting_as(self.leader), \
                        self.assertRaises(AccessError):
                    LegalHold.write([hold], values)
            with acting_as(self.leader), self.assertRaises(AccessError):
                LegalHold.delete([hold])
        # a leader of another agency cannot hold this agency's document,
        # under their own agency or under this one
        for agency, error in [(other, UserError), (company, AccessError)]:
            with self.subTest(agency=agency.rec_name), \
                    acting_as(foreign), self.assertRaises(error):
                LegalHold.create([{'company': agency.id,
                            'document': str(plain), 'reason': "x"}])
        # (a refused create is rolled back over RPC, not in this test)
        hold = LegalHold(hold.id)
        self.assertEqual((hold.document, hold.company), (plain, company))
