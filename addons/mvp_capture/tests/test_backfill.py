# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Back-fill of the incoming register from a paper log: the reader of the
spreadsheet and the import through the models."""
import datetime as dt
import io
import unittest

from trytond.modules.mvp_capture.backfill import (
    COLUMNS, LogError, read_log, template_xlsx)
from trytond.modules.mvp_capture.exceptions import CaptureError
from trytond.modules.mvp_capture.incoming_backfill import import_log
from trytond.modules.mvp_documents.file_limits import LimitExceeded
from trytond.modules.mvp_documents.tests.hostile_files import MB, zip_bomb
from trytond.modules.mvp_documents.tests.incoming_tools import create_agency
from trytond.modules.mvp_documents.tests.test_register_book import xlsx_rows
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


def log_xlsx(rows, headings=None):
    import xlsxwriter
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    sheet = workbook.add_worksheet()
    for column, heading in enumerate(
            headings or [h for _, h, _, _, _ in COLUMNS]):
        sheet.write(0, column, heading)
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(number, column, value)
            elif value is not None:
                sheet.write(number, column, value)
    workbook.close()
    return buffer.getvalue()


GOOD = ['03/11/2025 08:30', None, 'Sở Nội vụ', '27/BC-SNV', '31/10/2025',
    'Báo cáo', 'Kết quả kiểm tra', 'Nguyễn Văn A', 'Khẩn', 'thường', 3,
    None, None]


class BackfillTestCase(unittest.TestCase):
    "Reading a paper log"

    def test_template_is_readable_and_example_ignored(self):
        rows = xlsx_rows(template_xlsx())
        self.assertEqual(rows[0][0], 'Ngày giờ đến *')
        self.assertEqual(read_log(template_xlsx()),
            ([], [LogError(0, None, 'empty')]))

    def test_good_rows(self):
        rows, errors = read_log(log_xlsx([
                    GOOD,
                    [dt.datetime(2025, 11, 3, 14, 0), 7, 'UBND huyện',
                        None, None, 'Công văn', 'V/v họp', None, None, None,
                        None, '10/11/2025', 'ghi'],
                    ]))
        self.assertEqual(errors, [])
        self.assertEqual([r.row for r in rows], [2, 3])
        self.assertEqual(rows[0].values, {
                'arrival_date': dt.datetime(2025, 11, 3, 8, 30),
                'issuer': 'Sở Nội vụ', 'notation': '27/BC-SNV',
                'issue_date': dt.date(2025, 10, 31),
                'document_type': 'Báo cáo', 'subject': 'Kết quả kiểm tra',
                'signer_name': 'Nguyễn Văn A', 'urgency': 'urgent',
                'confidentiality': 'normal', 'pages': 3})
        self.assertEqual(rows[1].values['arrival_number'], 7)
        self.assertEqual(rows[1].values['deadline'], dt.date(2025, 11, 10))

    def test_errors_by_row_and_column(self):
        bad_date = list(GOOD)
        bad_date[0] = '31/02/2025'
        no_subject = list(GOOD)
        no_subject[6] = None
        bad_choice = list(GOOD)
        bad_choice[8] = 'Rất khẩn'
        bad_choice[10] = 'ba'
        rows, errors = read_log(log_xlsx([GOOD, bad_date, [None] * 13,
                    no_subject, bad_choice]))
        self.assertEqual(errors, [
                LogError(3, 'Ngày giờ đến', 'datetime', '31/02/2025'),
                LogError(5, 'Trích yếu', 'required'),
                LogError(6, 'Độ khẩn', 'choice', 'Rất khẩn'),
                LogError(6, 'Số trang', 'integer', 'ba'),
                ])

    def test_bad_files(self):
        for name, data, code in [
                ('not xlsx', b'%PDF-1.4', 'file'),
                ('wrong headings', log_xlsx([GOOD], headings=['A', 'B']),
                    'headings'),
                ]:
            with self.subTest(name=name):
                self.assertEqual(read_log(data)[1][0].code, code)

    def test_zip_bomb_workbook_is_refused_before_it_is_read(self):
        # a workbook is a ZIP: a bomb renamed .xlsx never reaches openpyxl
        with self.assertRaises(LimitExceeded) as cm:
            read_log(zip_bomb(4 * MB))
        self.assertEqual(cm.exception.code, 'zip_ratio')


class BackfillModelTestCase(unittest.TestCase):
    "Back-fill from a paper log"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_capture')

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
