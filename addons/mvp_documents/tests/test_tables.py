# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Unit tests of the printed tables (PDF and .xlsx), read back as a reader
would: the PDF text by pdftotext, the workbook by openpyxl."""
import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
import unittest
from decimal import Decimal

import pytest

from trytond.modules.mvp_documents.fonts import find_font
from trytond.modules.mvp_documents.tables import (
    Column, Table, format_value, table_pdf, table_xlsx)

pytestmark = pytest.mark.once  # pure functions, no database

COLUMNS = [
    Column("Ngày đến", 2, 'date'),
    Column("Tác giả", 3),
    Column("Trích yếu nội dung", 6),
    Column("Số trang", 1, 'count'),
    Column("Tỷ lệ đúng hạn", 1, 'percent'),
    ]


def rows(count):
    return [[dt.datetime(2026, 3, 2, 8, 15) + dt.timedelta(days=i),
            "Sở Thông tin và Truyền thông",
            "Về việc triển khai chữ ký số số %s" % (i + 1),
            1000 + i, Decimal('66.7')]
        for i in range(count)]


def table(count, **options):
    options.setdefault('landscape', True)  # the cells hold on one line
    return Table("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", COLUMNS, rows(count),
        subtitle=["Từ ngày 01/03/2026 đến ngày 31/03/2026"],
        agency="SỞ NỘI VỤ", parent_agency="UBND TỈNH THÁI BÌNH", **options)


def pdf_pages(data):
    "Return the text of each page of the PDF, as pdftotext lays it out"
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, 'table.pdf')
        with open(path, 'wb') as file:
            file.write(data)
        text = subprocess.run(
            ['pdftotext', '-layout', path, '-'], check=True,
            capture_output=True, text=True).stdout
    # pdftotext ends every page with a form feed
    return [' '.join(page.split()) for page in text.split('\f')[:-1]]


def workbook(data):
    import openpyxl
    return openpyxl.load_workbook(io.BytesIO(data)).active


def values(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


class FormatTestCase(unittest.TestCase):
    "The text of a printed cell"

    def test_format_value(self):
        "Vietnamese decimal comma and thousands dot, dd/mm/yyyy dates"
        for value, kind, text in [
                (None, 'text', ''),
                (None, 'count', ''),
                (12345, 'count', '12.345'),
                (Decimal('66.7'), 'percent', '66,7%'),
                (Decimal('2.75'), 'days', '2,8'),
                (7, 'text', '7'),
                ('02/01/2026', 'date', '02/01/2026'),
                (dt.date(2026, 1, 2), 'date', '02/01/2026'),
                (dt.datetime(2026, 1, 2, 14, 5), 'date', '02/01/2026 14:05'),
                ("Sở Nội vụ", 'text', "Sở Nội vụ"),
                ]:
            with self.subTest(value=value, kind=kind):
                self.assertEqual(format_value(value, kind), text)


@unittest.skipUnless(shutil.which('pdftotext'),
    "pdftotext missing (Debian package poppler-utils)")
class PdfTestCase(unittest.TestCase):
    "The PDF of a table"

    def test_heading_columns_and_vietnamese_text(self):
        "the agency, title, headings and cells keep their diacritics"
        pages = pdf_pages(table_pdf(table(3, numbered=True,
                    footer=["Tổng số văn bản: 3"])))
        self.assertEqual(len(pages), 1)
        text = pages[0]
        for expected in ["UBND TỈNH THÁI BÌNH SỞ NỘI VỤ",
                "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
                "Từ ngày 01/03/2026 đến ngày 31/03/2026",
                "Ngày đến", "Tác giả", "Trích yếu nội dung", "Số trang",
                "(1) (2) (3) (4) (5)",
                "02/03/2026 08:15", "Sở Thông tin và Truyền thông",
                "Về việc triển khai chữ ký số số 3", "1.002", "66,7%",
                "Tổng số văn bản: 3", "Trang 1"]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        self.assertLess(text.index("SỞ NỘI VỤ"),
            text.index("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"))
        self.assertLess(text.index("(5)"), text.index("02/03/2026 08:15"))

    def test_header_repeated_on_every_page(self):
        "a long table repeats its headings and column numbers per page"
        pages = pdf_pages(table_pdf(table(80, numbered=True)))
        self.assertGreater(len(pages), 1)
        for number, text in enumerate(pages, 1):
            with self.subTest(page=number):
                self.assertIn("Trích yếu nội dung", text)
                self.assertIn("(1) (2) (3) (4) (5)", text)
                self.assertIn("Trang %s" % number, text)
        # the title is printed once, above the first page's table
        self.assertNotIn("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", pages[1])
        self.assertIn("Về việc triển khai chữ ký số số 80", pages[-1])

    def test_without_numbers_and_total(self):
        "no numbers row unless asked; the total row comes last"
        total = [None, "Tổng cộng", None, 4002, Decimal('50.0')]
        text, = pdf_pages(table_pdf(table(2, total=total)))
        self.assertNotIn("(1)", text)
        self.assertIn("Tổng cộng 4.002 50,0%", text)
        self.assertGreater(text.index("Tổng cộng"),
            text.index("Về việc triển khai chữ ký số số 2"))

    def test_empty_table(self):
        "a period without documents prints the headings on one page"
        text, = pdf_pages(table_pdf(table(0, numbered=True)))
        self.assertIn("Trích yếu nội dung", text)
        self.assertIn("(5)", text)

    def test_page_and_font(self):
        "A4 portrait or landscape, in the serif face with the glyphs"
        from pypdf import PdfReader
        family = os.path.basename(find_font()).split('-')[0].split('.')[0]
        for landscape, wide in [(False, False), (True, True)]:
            with self.subTest(landscape=landscape):
                data = table_pdf(table(1, landscape=landscape))
                box = PdfReader(io.BytesIO(data)).pages[0].mediabox
                self.assertEqual(
                    sorted([round(box.width), round(box.height)]),
                    [595, 842])
                self.assertEqual(box.width > box.height, wide)
                self.assertIn(family.encode(), data)


class XlsxTestCase(unittest.TestCase):
    "The workbook of a table"

    def test_heading_columns_and_cells(self):
        "agency, title, headings, numbers row, then typed cells"
        sheet = workbook(table_xlsx(table(3, numbered=True,
                    footer=["Tổng số văn bản: 3"])))
        rows = values(sheet)
        self.assertEqual(rows[0][0], "UBND TỈNH THÁI BÌNH")
        self.assertEqual(rows[1][0], "SỞ NỘI VỤ")
        self.assertTrue(sheet['A2'].font.b)
        self.assertEqual(rows[3][0], "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN")
        self.assertIn('A4:E4', {str(r) for r in sheet.merged_cells.ranges})
        self.assertEqual(rows[4][0], "Từ ngày 01/03/2026 đến ngày 31/03/2026")
        self.assertEqual(rows[6], [c.heading for c in COLUMNS])
        self.assertEqual(rows[7], ['(1)', '(2)', '(3)', '(4)', '(5)'])
        self.assertEqual(rows[8], [dt.datetime(2026, 3, 2, 8, 15),
                "Sở Thông tin và Truyền thông",
                "Về việc triển khai chữ ký số số 1", 1000, 66.7])
        self.assertEqual(sheet['A9'].number_format, 'dd/mm/yyyy hh:mm')
        self.assertEqual(sheet['E9'].number_format, '0.0"%"')
        self.assertEqual(rows[12][0], "Tổng số văn bản: 3")
        self.assertEqual(sheet['C9'].font.name, 'Times New Roman')

    def test_printed_with_the_header_on_every_page(self):
        "A4, landscape if asked, header rows repeated and frozen"
        for numbered, landscape, titles, frozen in [
                (True, True, '$7:$8', 'B9'), (False, False, '$7:$7', 'B8')]:
            with self.subTest(numbered=numbered):
                sheet = workbook(table_xlsx(table(
                            2, numbered=numbered, landscape=landscape)))
                self.assertEqual(sheet.print_title_rows, titles)
                self.assertEqual(sheet.freeze_panes, frozen)
                self.assertEqual(sheet.page_setup.paperSize, 9)
                self.assertEqual(sheet.page_setup.orientation,
                    'landscape' if landscape else 'portrait')
                self.assertEqual(sheet.title, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN")

    def test_total_dates_and_blanks(self):
        "the total row is bold; dates stay dates; None is a blank cell"
        table_ = Table("Thống kê", [Column("Cơ quan", 4),
                Column("Ngày", 1, 'date'), Column("Số", 1, 'count')],
            [["Sở Nội vụ", dt.date(2026, 1, 2), None]],
            total=["Tổng cộng", None, 7], sheet_name="Thống kê: quý I/2026")
        sheet = workbook(table_xlsx(table_))
        rows = values(sheet)
        self.assertEqual(rows[2], ["Cơ quan", "Ngày", "Số"])
        self.assertEqual(rows[3], ["Sở Nội vụ", dt.datetime(2026, 1, 2), None])
        self.assertEqual(sheet['B4'].number_format, 'dd/mm/yyyy')
        self.assertEqual(rows[4], ["Tổng cộng", None, 7])
        self.assertTrue(sheet['C5'].font.b)
        # Excel refuses : and / in the name of a sheet
        self.assertEqual(sheet.title, "Thống kê  quý I 2026")
