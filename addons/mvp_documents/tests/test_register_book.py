# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Unit tests of the printed register and processing slip."""
import datetime as dt
import io
import unittest

from trytond.modules.mvp_documents.fonts import find_font
from trytond.modules.mvp_documents.register_book import (
    REGISTER_COLUMNS, Instruction, RegisterBook, RegisterRow, Slip,
    register_pdf, register_xlsx, slip_pdf)


def pdf_text(data):
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(data))
    text = '\n'.join(p.extract_text() for p in reader.pages)
    return ' '.join(text.split()), len(reader.pages)


def book(count):
    rows = tuple(RegisterRow(
            arrival_date=dt.datetime(2025, 3, 6, 8, 15)
            + dt.timedelta(hours=i),
            arrival_number=i + 1, issuer='Sở Thông tin và Truyền thông',
            notation='%s/TTr-STTTT' % (50 + i),
            issue_date=dt.date(2025, 3, 5),
            type_and_subject='Tờ trình: Về việc phê duyệt danh mục',
            recipients='Phòng Hành chính - Tổng hợp',
            transfer_date=dt.date(2025, 3, 6), notes='Ghi chú ở')
        for i in range(count))
    return RegisterBook(
        agency='Sở Nội vụ', parent_agency='UBND tỉnh Thái Bình',
        register='Sổ văn bản đến', start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 3, 31), rows=rows)


def xlsx_rows(data, sheet=0):
    import openpyxl
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [list(r) for r in workbook.worksheets[sheet].iter_rows(
            values_only=True)]


class RegisterBookTestCase(unittest.TestCase):
    "Printing the incoming register"

    def test_pdf_has_the_ten_columns_and_vietnamese_text(self):
        text, pages = pdf_text(register_pdf(book(60)))
        self.assertGreater(pages, 1)
        self.assertIn('SỔ ĐĂNG KÝ VĂN BẢN ĐẾN', text)
        self.assertIn('Từ số 01 đến số 60', text)
        self.assertIn('Từ ngày 01/03/2025 đến ngày 31/03/2025', text)
        for column in ['Ký nhận', 'Ghi chú', '(10)', 'Ngày chuyển']:
            self.assertIn(column, text)
        self.assertIn('51/TTr-STTTT', text)
        self.assertIn('Ghi chú ở', text)

    def test_pdf_header_on_every_page(self):
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(register_pdf(book(60))))
        for page in reader.pages:
            self.assertIn('Số đến', ' '.join(page.extract_text().split()))

    def test_empty_period(self):
        text, pages = pdf_text(register_pdf(book(0)))
        self.assertEqual(pages, 1)
        self.assertNotIn('Từ số', text)

    def test_xlsx(self):
        rows = xlsx_rows(register_xlsx(book(3)))
        header = next(i for i, r in enumerate(rows) if r[0] == 'Ngày đến')
        self.assertEqual(
            rows[header], [name for name, _ in REGISTER_COLUMNS])
        self.assertEqual(rows[header + 1][9], '(10)')
        first = rows[header + 2]
        self.assertEqual(first[0], dt.datetime(2025, 3, 6, 8, 15))
        self.assertEqual(first[1], '01')
        self.assertEqual(first[3], '50/TTr-STTTT')
        self.assertEqual(first[4], dt.datetime(2025, 3, 5))
        self.assertEqual(len(rows), header + 5)


class SlipTestCase(unittest.TestCase):
    "Printing the processing slip"

    def test_slip_with_instructions(self):
        slip = Slip(
            agency='Sở Nội vụ', parent_agency='UBND tỉnh Thái Bình',
            arrival_number=5, arrival_date=dt.datetime(2025, 3, 6, 8, 15),
            issuer='Sở Thông tin và Truyền thông', notation='51/TTr-STTTT',
            issue_date=dt.date(2025, 3, 5), subject='Về việc phê duyệt',
            leader=(Instruction(
                    'Nguyễn Văn An', dt.date(2025, 3, 6),
                    'Giao phòng Hành chính chủ trì.',
                    lead=('Phòng Hành chính',),
                    coordinate=('Phòng Tổ chức',),
                    deadlines=(('Phòng Hành chính', dt.date(2025, 3, 15)),)),),
            department=(Instruction(
                    'Trần Thị Bình', dt.date(2025, 3, 7), 'Xử lý gấp',
                    lead=('Lê Văn Cường',)),))
        text, pages = pdf_text(slip_pdf(slip))
        self.assertEqual(pages, 1)
        for expected in [
                'PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN', 'Số đến: 05',
                'Ý kiến của lãnh đạo cơ quan, tổ chức',
                'chủ trì: Phòng Hành chính', 'phối hợp: Phòng Tổ chức',
                'Phòng Hành chính: 15/03/2025', 'Ngày 06 tháng 03 năm 2025',
                'Nguyễn Văn An', 'Ý kiến của lãnh đạo đơn vị',
                'Giao cho: Lê Văn Cường', 'Trần Thị Bình',
                'Ý kiến đề xuất của người giải quyết']:
            self.assertIn(expected, text)


class FontTestCase(unittest.TestCase):

    def test_serif_font_covers_vietnamese(self):
        for style in ['regular', 'bold', 'italic', 'bolditalic']:
            with self.subTest(style=style):
                self.assertTrue(find_font(style).endswith('.ttf'))
