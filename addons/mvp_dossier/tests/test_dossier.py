# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import csv
import datetime as dt
import io
import os
import pathlib
import unittest
import zipfile
from unittest import mock

import polib
from lxml import etree

from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    set_company)
from trytond.modules.mvp_documents import archive_io
from trytond.modules.mvp_documents.retention import (
    RETENTIONS, retention_years)
from trytond.modules.mvp_documents.tests.incoming_tools import (
    OfficialsMixin, acting_as, create_incoming, create_official)
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.modules.mvp_dossier.dossier_list import (
    archive_maintenance, must_hand_over)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

from .tools import ExportDirMixin

MODULE = pathlib.Path(__file__).resolve().parent.parent


class RetentionTestCase(unittest.TestCase):
    "Retention classes of Decree 30/2020 and Circular 10/2022"

    def test_retention_years(self):
        for retention, years, hand_over in [
                ('permanent', None, True),
                ('70', 70, True),
                ('20', 20, True),
                ('10', 10, True),
                ('5', 5, True),
                ('until_expired', None, False),
                ]:
            with self.subTest(retention=retention):
                self.assertEqual(retention_years(retention), years)
                self.assertEqual(must_hand_over(retention), hand_over)

    def _index(self, maintenance="Vĩnh viễn", rights="Hạn chế"):
        "A metadata index of a dossier with a file and a văn bản đi"
        meta = archive_io.DossierMeta('000.00.01.H54', 2026, '01.VP',
            "Hồ sơ hội nghị", maintenance, rights, "Nguyễn Văn An",
            "Tiếng Việt", '01/01/2026', '31/12/2026', 2, 5, "Mô tả")
        docs = [archive_io.DocumentMeta(1, '12/UBND-VP', '02/01/2026',
                "Giấy mời", 3, ['van-ban/0001-a.pdf'], kind='outgoing',
                type_name="Giấy mời", organ_name="UBND tỉnh Thái Bình",
                signer_position="Chủ tịch", signer_name="Nguyễn Văn An",
                to=[('000.00.02.H54', "Sở Nội vụ")], priority=1,
                issued_amount=5),
            archive_io.DocumentMeta(2, '', '03/01/2026', "Ghi chú", 2)]
        out = io.BytesIO()
        archive_io.metadata_xml(out, meta, docs)
        return out.getvalue()

    def test_metadata_xml_has_appendix_vi_fields(self):
        "Dossier and document fields of Phụ lục VI, in the annex's order"
        root = etree.fromstring(self._index())
        ns = {'d': archive_io.METADATA_NS}
        self.assertEqual([etree.QName(e).localname for e in root], [
                'FileCode', 'Title', 'Maintenance', 'Rights', 'Creator',
                'Language', 'StartDate', 'EndDate', 'DocTotal',
                'PageTotal', 'Description', 'Documents'])
        self.assertEqual(
            root.findtext('d:FileCode/d:FileNotation', namespaces=ns),
            '01.VP')
        outgoing, note = root.findall('d:Documents/d:Document', ns)
        self.assertEqual([etree.QName(e).localname for e in outgoing], [
                'FileCode', 'DocOrdinal', 'TypeName', 'CodeNumber',
                'CodeNotation', 'IssuedDate', 'OrganName', 'Subject',
                'Language', 'PageAmount', 'Description', 'SignerInfo',
                'To', 'Priority', 'IssuedAmount', 'DueDate', 'File'])
        self.assertEqual([outgoing.findtext('d:' + tag, namespaces=ns)
                for tag in ['FileCode/d:FileNotation', 'CodeNumber',
                    'CodeNotation', 'SignerInfo/d:Position',
                    'To/d:OrganId', 'Priority', 'Language']],
            ['01.VP', '12', 'UBND-VP', "Chủ tịch", '000.00.02.H54', '1',
                "Tiếng Việt"])
        # a file filed straight into the dossier: the common fields 1-11
        self.assertEqual(len(note), 11)
        archive_io.validate_metadata(self._index())

    def test_archive_values_of_retentions(self):
        "Maintenance in the archive's words, valid for every retention"
        expected = {'permanent': "Vĩnh viễn", '70': "70 năm",
            '20': "20 năm", '10': "10 năm", '5': "5 năm",
            'until_expired': "Đến khi văn bản hết hiệu lực"}
        self.assertEqual(set(expected), {code for code, _ in RETENTIONS})
        for code, value in expected.items():
            with self.subTest(retention=code):
                self.assertEqual(archive_maintenance(code), value)
                archive_io.validate_metadata(self._index(maintenance=value))
        for rights in [archive_io.RESTRICTED, archive_io.PUBLIC]:
            archive_io.validate_metadata(self._index(rights=rights))

    def test_tampered_metadata_fails_its_schema(self):
        "English labels, a missing field or a field out of order fail"
        valid = self._index()
        ns = archive_io.METADATA_NS

        def without(tag):
            root = etree.fromstring(valid)
            element = root.find('.//{%s}%s' % (ns, tag))
            element.getparent().remove(element)
            return etree.tostring(root)

        def swapped():
            root = etree.fromstring(valid)
            document = root.find('.//{%s}Document' % ns)
            subject = document.find('{%s}Subject' % ns)
            document.remove(subject)
            document.insert(1, subject)
            return etree.tostring(root)

        for name, data in [
                ('English maintenance', self._index(maintenance="Permanent")),
                ('years in English', self._index(maintenance="10 years")),
                ('English rights', self._index(rights="Restricted")),
                ('no signer', without('SignerInfo')),
                ('no rights', without('Rights')),
                ('order', swapped()),
                ('date', valid.replace(b'02/01/2026', b'2026-01-02')),
                ('not XML', valid[:-20]),
                ('DTD', valid.replace(b"?>", b"?><!DOCTYPE Dossier []>", 1)),
                ]:
            with self.subTest(tampered=name):
                with self.assertRaises(archive_io.MetadataError):
                    archive_io.validate_metadata(data)

    def test_vietnamese_translations_of_messages(self):
        po = polib.pofile(str(MODULE / 'locale' / 'vi.po'))
        translated = {e.msgctxt for e in po if e.msgstr}
        for xml in ['dossier.xml']:
            tree = etree.parse(str(MODULE / xml))
            for record in tree.iterfind('.//record[@model="ir.message"]'):
                context = 'model:ir.message,text:%s' % record.get('id')
                with self.subTest(message=record.get('id')):
                    self.assertIn(context, translated)


class DossierTestCase(ExportDirMixin, OfficialsMixin, unittest.TestCase):
    "Dossiers"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('mvp_dossier')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    # helpers
    def _dossier(self, company, responsible, code='01.VP',
            retention='10', **values):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        dossier, = Dossier.create([dict({
                        'company': company.id,
                        'year': 2026,
                        'code': code,
                        'title': "Hồ sơ %s" % code,
                        'retention': retention,
                        'responsible': responsible.id,
                        'start_date': dt.date(2026, 1, 5),
                        }, **values)])
        return dossier

    def _files(self, dossier, count, size=1000, pages=2):
        "Files uploaded into dossier (their resource)"
        pool = Pool()
        File = pool.get('mvp.document.file')
        return File.create([{
                    'resource': str(dossier),
                    'name': 'van-ban-%s.pdf' % i,
                    'data': b'%PDF-1.4 ' + bytes([i % 256]) * size,
                    'pages': pages,
                    } for i in range(count)])

    # tests
    @with_transaction()
    def test_list_copy_previous_and_open_dossier(self):
        "The list of a year starts from last year's and opens dossiers"
        pool = Pool()
        List = pool.get('mvp.dossier.list')
        Entry = pool.get('mvp.dossier.list.entry')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            old, = List.create([{
                        'company': company.id, 'year': 2025,
                        'name': "Danh mục hồ sơ năm 2025",
                        'entries': [('create', [{
                                        'code': '01.VP',
                                        'title': "Hồ sơ hội nghị tổng kết",
                                        'retention': 'permanent',
                                        'responsible': officer.id}, {
                                        'code': '02.VP',
                                        'title': "Tập công văn trao đổi",
                                        'retention': '10'}])]}])
            List.approve([old])
            new, = List.create([{'company': company.id, 'year': 2026,
                        'name': "Danh mục hồ sơ năm 2026"}])
            List.copy_previous([new])
            self.assertEqual(
                sorted(e.code for e in new.entries), ['01.VP', '02.VP'])
            List.approve([new])
            self.assertEqual(new.state, 'approved')

            entry, = Entry.search([('list', '=', new.id),
                    ('code', '=', '01.VP')])
            Dossier = pool.get('mvp.dossier')
            dossier, = Dossier.open_from_entries([entry])
            self.assertEqual(dossier.year, 2026)
            self.assertEqual(dossier.retention, 'permanent')
            self.assertEqual(dossier.responsible, officer)
            self.assertEqual(dossier.state, 'open')

    @with_transaction()
    def test_dossier_code_twice_in_a_year(self):
        "A dossier code used twice in a year is refused, nothing created"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            self._dossier(company, officer, code='05.VP')
            with self.assertRaises(UserError) as cm:
                self._dossier(company, officer, code='05.VP')
            self.assertIn('05.VP', cm.exception.message)
            self.assertEqual(
                Dossier.search_count([('code', '=', '05.VP')]), 1)
            # another year is fine
            self._dossier(company, officer, code='05.VP', year=2027)

    @with_transaction()
    def test_lines_numbered_totals_and_shared_documents(self):
        "Documents are numbered, totalled and shared without copies"
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        File = pool.get('mvp.document.file')
        Note = pool.get('ir.note')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            first = self._dossier(company, officer, code='01.VP')
            second = self._dossier(company, officer, code='02.VP')
            files = self._files(first, 3, pages=4)
            note, = Note.create([{'resource': str(first),
                        'message': "Ý kiến chỉ đạo của Giám đốc\nchi tiết"}])
            # a note is named and found by its first line
            self.assertEqual(note.rec_name, "Ý kiến chỉ đạo của Giám đốc")
            self.assertEqual(
                Note.search([('rec_name', 'ilike', '%chỉ đạo%')]), [note])
            # uploaded files are linked at once, the note on request
            self.assertEqual(len(Line.link(first, files + [note])), 1)
            lines = Line.search([('dossier', '=', first.id)])
            self.assertEqual([l.number for l in lines], [1, 2, 3, 4])
            self.assertEqual([l.document for l in lines], files + [note])
            self.assertEqual(lines[3].description,
                "Ý kiến chỉ đạo của Giám đốc")
            self.assertEqual(first.document_count, 4)
            self.assertEqual(first.page_count, 3 * 4 + 1)

            # the same file in a second dossier, not copied
            other, = Line.link(second, [files[0]])
            self.assertEqual(other.number, 1)
            self.assertEqual(File.search_count([]), 3)
            # linking twice into the same dossier adds nothing
            self.assertEqual(Line.link(first, [files[0]]), [])

            Line.delete([lines[1]])
            self.assertEqual(
                [l.number for l in Line.search(
                        [('dossier', '=', first.id)])], [1, 2, 3])

            # the clients name the dossier as a list (sao) or a record
            resources = [['mvp.dossier', second.id], second]
            uploaded = File.create([{
                        'resource': resource, 'name': 'phu-luc.pdf',
                        'data': b'%PDF-1.4 phu luc',
                        } for resource in resources])
            self.assertEqual(
                [l.document for l in Line.search(
                        [('dossier', '=', second.id)])],
                [files[0]] + uploaded)

    @with_transaction()
    def test_link_document_of_another_agency(self):
        "A document of another agency cannot be linked, nothing half-done"
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        company = self._agency()
        other = self._agency("UBND huyện Vũ Thư", '000.00.02.H54')
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            dossier = self._dossier(company, officer)
            own = self._files(dossier, 1)
            with set_company(other):
                stranger, _ = self._official(other, "Hoàng Văn Tâm", 'tam')
                foreign = self._files(
                    self._dossier(other, stranger, code='99.VT'), 1)
            self.assertEqual(
                Line.search_count([('dossier', '=', dossier.id)]), 1)
            with self.assertRaises(UserError) as cm:
                Line.link(dossier, own + foreign)
            self.assertIn(foreign[0].rec_name, cm.exception.message)
        self.assertEqual(Line.search_count([('dossier', '=', dossier.id)]),
            1)

    @with_transaction()
    def test_close_empty_dossier(self):
        "Closing a dossier with no documents is refused"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            dossier = self._dossier(company, officer)
            with self.assertRaises(UserError):
                Dossier.close([dossier])
            self.assertEqual(dossier.state, 'open')
            self.assertIsNone(dossier.closed_date)

    @with_transaction()
    def test_close_locks_dossier_and_files(self):
        "A closed dossier and its files cannot change"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        File = pool.get('mvp.document.file')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            dossier = self._dossier(company, officer, retention='20',
                end_date=dt.date(2026, 3, 1))
            files = self._files(dossier, 2)
            Line.link(dossier, files)
            Dossier.close([dossier])
            self.assertEqual(dossier.state, 'closed')
            self.assertEqual(dossier.handover_due, dt.date(2027, 3, 1))
            self.assertEqual(dossier.expiry_date, dt.date(2046, 3, 1))
            self.assertTrue(all(f.locked for f in File.browse(files)))

            with self.assertRaises(AccessError):
                Dossier.write([dossier], {'title': "Khác"})
            with self.assertRaises(AccessError):
                Line.link(dossier, self._files(dossier, 1))
            with self.assertRaises(AccessError):
                Line.delete(Line.search([('dossier', '=', dossier.id)]))
            # refused: locked (or, checked first, not a readable file)
            with self.assertRaises(UserError):
                File.write(list(File.browse(files)), {'data': b'x'})

    @with_transaction()
    def test_handover_reminder_and_list(self):
        "Closed dossiers are reminded 30 days ahead and handed over"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        Handover = pool.get('mvp.dossier.handover')
        Notification = pool.get('res.notification')
        HandoverReport = pool.get('mvp.dossier.handover.report',
            type='report')
        company = self._agency()
        with set_company(company):
            officer, officer_user = self._official(
                company, "Trần Thị Bình", 'binh', 'group_mvp_officer')
            _, clerk_user = self._official(
                company, "Lê Văn Cường", 'cuong', 'group_mvp_clerk')
            kept = self._dossier(company, officer, code='01.VP',
                retention='permanent', end_date=dt.date(2026, 2, 1))
            short = self._dossier(company, officer, code='02.VP',
                retention='until_expired', end_date=dt.date(2026, 2, 1))
            for dossier in [kept, short]:
                Line.link(dossier, self._files(dossier, 1))
            Dossier.close([kept, short])
            self.assertIsNone(short.handover_due)

            self.assertEqual(Dossier.remind_handover(dt.date(2026, 12, 1)),
                [])
            reminded = Dossier.remind_handover(dt.date(2027, 1, 5))
            self.assertEqual(reminded, [kept])
            users = {n.user for n in Notification.search([
                        ('model', '=', 'mvp.dossier')])}
            self.assertEqual(users, {officer_user, clerk_user})
            # reminded once only
            self.assertEqual(Dossier.remind_handover(dt.date(2027, 1, 6)),
                [])

            handover, = Handover.create([{'company': company.id,
                        'archivist': "Phạm Thị Dung"}])
            Handover.fill([handover])
            self.assertEqual(list(handover.dossiers), [kept])
            Handover.hand_over([handover])
            self.assertEqual(handover.state, 'done')
            self.assertEqual(kept.state, 'handed_over')
            oext, content, _, _ = HandoverReport.execute(
                [handover.id], {})
            self.assertEqual(oext, 'pdf')
            self.assertTrue(content.startswith(b'%PDF'))

    @with_transaction()
    def test_disposal_needs_approval(self):
        "Destruction needs a leader's decision and keeps the metadata"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        File = pool.get('mvp.document.file')
        Disposal = pool.get('mvp.dossier.disposal')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            dossier = self._dossier(company, officer, retention='5',
                start_date=dt.date(2015, 1, 1),
                end_date=dt.date(2015, 12, 31))
            leader, leader_user = self._official(
                company, "Nguyễn Văn An", 'an', 'group_mvp_leader')
            other = self._dossier(company, officer, code='09.VP')
            files = self._files(dossier, 3)
            Line.link(dossier, files)
            Line.link(other, files[:1])
            Dossier.close([dossier])
            self.assertEqual(dossier.expiry_date, dt.date(2020, 12, 31))

            disposal, = Disposal.create([{'company': company.id,
                        'reason': "Hết thời hạn bảo quản"}])
            Disposal.review([disposal])
            self.assertEqual(list(disposal.dossiers), [dossier])
            Disposal.submit([disposal])
            with self.assertRaises(UserError):
                Disposal.destroy([disposal])
            self.assertEqual(File.search_count([]), 3)
            self.assertEqual(dossier.state, 'closed')

            with self.assertRaises(UserError):  # no decision number
                Disposal.approve([disposal])
            disposal.decision = "15/QĐ-STTTT"
            disposal.save()
            with Transaction().set_user(leader_user.id):
                Disposal.approve([disposal])
            self.assertEqual(disposal.approved_by, leader)
            Disposal.destroy([disposal])
            self.assertEqual(disposal.state, 'done')
            self.assertEqual(dossier.state, 'destroyed')
            self.assertEqual(dossier.destroyed_date, dt.date.today())
            # the file still in another dossier stays
            self.assertEqual([f.id for f in File.search([])], [files[0].id])
            lines = Line.search([('dossier', '=', dossier.id)])
            self.assertEqual(len(lines), 3)
            self.assertTrue(all(l.description for l in lines))
            self.assertEqual(lines[0].document, files[0])
            self.assertIsNone(lines[1].document)
            self.assertIn('van-ban-1.pdf', disposal.destroyed_files)

    @with_transaction()
    def test_export_zip(self):
        "The export holds every file, the contents PDF and the indexes"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        Export = pool.get('mvp.dossier.export')
        Note = pool.get('ir.note')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            dossier = self._dossier(company, officer, retention='permanent',
                description="Hội nghị tổng kết năm")
            files = self._files(dossier, 2, pages=3)
            note, = Note.create([{'resource': str(dossier),
                        'message': "Ý kiến chỉ đạo"}])
            Line.link(dossier, files + [note])
            Dossier.close([dossier])
            export = Export.build(dossier)
            self.assertEqual(export.document_count, 3)
            # the link is signed for the user who reads it
            self.assertIn('user=%s&' % Transaction().user, export.url)
            self.assertNotIn(export.token, export.url)
            with zipfile.ZipFile(export.full_path) as archive:
                names = archive.namelist()
                self.assertIn('muc-luc-van-ban.pdf', names)
                self.assertTrue(archive.read('muc-luc-van-ban.pdf')
                    .startswith(b'%PDF'))
                self.assertEqual(
                    archive.read('van-ban/0001-van-ban-0.pdf'),
                    files[0].data)
                self.assertIn(b'\xc3',  # UTF-8 Vietnamese in the note
                    archive.read('van-ban/0003-note-%s.txt' % note.id))
                root = etree.fromstring(archive.read('metadata.xml'))
                ns = {'d': archive_io.METADATA_NS}
                self.assertEqual(root.findtext('d:FileCode/d:OrganId',
                        namespaces=ns), '000.00.01.H54')
                self.assertEqual(root.findtext('d:DocTotal',
                        namespaces=ns), '3')
                self.assertEqual(root.findtext('d:PageTotal',
                        namespaces=ns), '7')
                self.assertEqual(root.findtext('d:Maintenance',
                        namespaces=ns), "Vĩnh viễn")
                self.assertEqual(root.findtext('d:Rights',
                        namespaces=ns), "Hạn chế")
                archive_io.validate_metadata(archive.read('metadata.xml'))
                rows = list(csv.reader(io.StringIO(
                            archive.read('metadata.csv').decode(
                                'utf-8-sig'))))
                self.assertEqual(rows[0], archive_io.CSV_HEADER)
                self.assertEqual(len(rows), 2 + 3)
                self.assertEqual(rows[1][2:4], ["Vĩnh viễn", "Hạn chế"])
            path = export.full_path
            Export.delete([export])
            self.assertFalse(os.path.exists(path))

    def _export_index(self, export):
        with zipfile.ZipFile(export.full_path) as archive:
            data = archive.read('metadata.xml')
        archive_io.validate_metadata(data)
        return etree.fromstring(data)

    @with_transaction()
    def test_export_in_archive_values(self):
        """Permanent and 10-year dossiers, public or holding a classified
        document, exported with the archive's values and every field of
        the incoming documents"""
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        Export = pool.get('mvp.dossier.export')
        ns = {'d': archive_io.METADATA_NS}
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            permanent = self._dossier(company, officer, code='01.VP',
                retention='permanent', usage='public')
            ten_years = self._dossier(company, officer, code='02.VP',
                retention='10', usage='public')
            letter = create_incoming(company, notation='51/TTr-STTTT',
                signer_name="Lê Văn Cường", urgency='urgent', pages=4,
                arrival_date=dt.datetime(2026, 1, 13, 2, 0),
                deadline=dt.date(2026, 2, 1),
                issue_date=dt.date(2026, 1, 12))
            secret = create_incoming(company, notation='07/CV-CA',
                confidentiality='confidential', subject=None)
            Line.link(permanent, [letter])
            Line.link(ten_years, [secret])
            Dossier.close([permanent, ten_years])
            leader = create_official(company, 'lanh.dao', "Phạm Văn Lãnh",
                role='group_mvp_leader')

            def export(dossier):
                # as the leader, who reads every document of the agency
                with acting_as(leader):
                    export_id, = Dossier.export_archive(
                        [Dossier(dossier.id)])['res_id']
                return self._export_index(Export(export_id))

            root = export(permanent)
            self.assertEqual([root.findtext('d:' + tag, namespaces=ns)
                    for tag in ['Maintenance', 'Rights', 'Language']],
                ["Vĩnh viễn", "Công khai", "Tiếng Việt"])
            row, = root.findall('d:Documents/d:Document', ns)
            self.assertEqual([etree.QName(e).localname for e in row], [
                    'FileCode', 'DocOrdinal', 'TypeName', 'CodeNumber',
                    'CodeNotation', 'IssuedDate', 'OrganName', 'Subject',
                    'Language', 'PageAmount', 'Description', 'ArrivalDate',
                    'ArrivalNumber', 'SignerInfo', 'Priority', 'ToPlaces',
                    'DueDate'])
            values = {etree.QName(e).localname: e.text or '' for e in row}
            self.assertEqual(
                {k: values[k] for k in ['DocOrdinal', 'TypeName',
                        'CodeNumber', 'CodeNotation', 'IssuedDate',
                        'OrganName', 'Subject', 'PageAmount',
                        'ArrivalDate', 'Priority', 'DueDate']},
                {'DocOrdinal': '1', 'TypeName': letter.document_type.name,
                    'CodeNumber': '51', 'CodeNotation': 'TTr-STTTT',
                    'IssuedDate': '12/01/2026',
                    'OrganName': "Ủy ban nhân dân huyện Đông Hưng",
                    'Subject': letter.subject, 'PageAmount': '4',
                    'ArrivalDate': '13/01/2026',
                    'Priority': '1', 'DueDate': '01/02/2026'})
            self.assertEqual(row.findtext('d:SignerInfo/d:FullName',
                    namespaces=ns), "Lê Văn Cường")

            # a classified document keeps its dossier from being public
            root = export(ten_years)
            self.assertEqual([root.findtext('d:' + tag, namespaces=ns)
                    for tag in ['Maintenance', 'Rights']],
                ["10 năm", "Hạn chế"])
            row, = root.findall('d:Documents/d:Document', ns)
            self.assertEqual(row.findtext('d:CodeNotation', namespaces=ns),
                'CV-CA')
            self.assertNotEqual(row.findtext('d:Subject', namespaces=ns),
                '')

    @with_transaction()
    def test_export_refused_while_open(self):
        "An open dossier is not exported: a Vietnamese error, no archive"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        Export = pool.get('mvp.dossier.export')
        load_vietnamese(('mvp_documents', 'mvp_dossier'))
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            dossier = self._dossier(company, officer)
            Line.link(dossier, self._files(dossier, 1))
            with Transaction().set_context(language='vi'), \
                    self.assertRaises(UserError) as cm:
                Dossier.export_archive([dossier])
            self.assertIn("chưa kết thúc", cm.exception.message)
            self.assertIn('01.VP', cm.exception.message)
            self.assertEqual(Export.search([]), [])
            self.assertEqual(os.listdir(self._export_dir.name), [])
            Dossier.close([dossier])
            self.assertEqual(len(Dossier.export_archive([dossier])
                    ['res_id']), 1)

    @with_transaction()
    def test_export_refused_when_metadata_invalid(self):
        "An index that fails its schema is never delivered"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Line = pool.get('mvp.dossier.line')
        Export = pool.get('mvp.dossier.export')
        company = self._agency()
        with set_company(company):
            officer, _ = self._official(company, "Trần Thị Bình", 'binh')
            dossier = self._dossier(company, officer)
            Line.link(dossier, self._files(dossier, 1))
            Dossier.close([dossier])
            with mock.patch('trytond.modules.mvp_dossier.dossier_export.'
                    'archive_maintenance', return_value="Permanent"), \
                    self.assertRaises(UserError) as cm:
                Dossier.export_archive([dossier])
            self.assertIn('Maintenance', cm.exception.message)
            self.assertEqual(Export.search([]), [])
            self.assertEqual(os.listdir(self._export_dir.name), [])

    @with_transaction()
    def test_rights(self):
        "Responsible, department head, leaders and shares see a dossier"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Share = pool.get('mvp.dossier.share')
        Department = pool.get('mvp.department')
        company = self._agency()
        with set_company(company):
            department, = Department.create([{
                        'name': "Phòng CNTT", 'company': company.id}])
            officer, officer_user = self._official(
                company, "Trần Thị Bình", 'binh', 'group_mvp_officer',
                department)
            head, head_user = self._official(
                company, "Đỗ Văn Hùng", 'hung', 'group_mvp_department_head',
                department)
            department.head = head
            department.save()
            _, leader_user = self._official(
                company, "Nguyễn Văn An", 'an', 'group_mvp_leader')
            _, other_user = self._official(
                company, "Vũ Thị Lan", 'lan', 'group_mvp_officer')
            dossier = self._dossier(company, officer,
                department=department.id)

            def visible(user):
                with Transaction().set_user(user.id), \
                        Transaction().set_context(_check_access=True):
                    return Dossier.search([]) == [dossier]
            self.assertTrue(visible(officer_user))
            self.assertTrue(visible(head_user))
            self.assertTrue(visible(leader_user))
            self.assertFalse(visible(other_user))

            with Transaction().set_user(officer_user.id), \
                    Transaction().set_context(_check_access=True):
                with self.assertRaises(UserWarning):
                    Share.create([{'dossier': dossier.id,
                                'user': other_user.id}])
                with Transaction().set_context(_skip_warnings=True):
                    share, = Share.create([{'dossier': dossier.id,
                                'user': other_user.id}])
            self.assertTrue(visible(other_user))
            with Transaction().set_context(_skip_warnings=True):
                Share.delete([share])
            self.assertFalse(visible(other_user))
            self.assertEqual(
                [(l.action, l.user) for l in dossier.rights_logs],
                [('revoke', other_user), ('grant', other_user)])
            self.assertEqual(dossier.rights_logs[1].author, officer_user)

            # only those who may edit change the dossier
            with Transaction().set_user(other_user.id), \
                    Transaction().set_context(_check_access=True):
                with self.assertRaises(AccessError):
                    Dossier.write([Dossier(dossier.id)], {'title': "X"})
