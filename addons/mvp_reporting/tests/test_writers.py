# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io
import os
import shutil
import subprocess
import tempfile
import unittest
from decimal import Decimal

import openpyxl

from trytond.modules.mvp_documents.fonts import find_font
from trytond.modules.mvp_reporting import indicator
from trytond.modules.mvp_reporting.indicator import Column
from trytond.modules.mvp_reporting.pdf import format_value, write_pdf
from trytond.modules.mvp_reporting.xlsx import write_xlsx

COLUMNS = [
    Column('agency', "Cơ quan", 'text'),
    Column('incoming_received', "Văn bản đến"),
    Column('incoming_on_time', "Đúng hạn"),
    Column('on_time_rate', "Tỷ lệ đúng hạn", 'percent'),
    Column('processing_days', "Ngày xử lý bình quân", 'days'),
    ]
ROWS = [
    indicator.complete({
            'agency': "Sở Thông tin và Truyền thông",
            'incoming_received': 12, 'incoming_exchange': 9,
            'incoming_on_time': 2, 'incoming_late': 1,
            'incoming_processed': 3,
            'processing_days': Decimal('2.0'),
            }),
    indicator.complete({
            'agency': "UBND huyện Đông Hưng",
            'incoming_received': 3, 'incoming_on_time': 0,
            'incoming_processed': 1, 'processing_days': Decimal('5.0'),
            }),
    ]


class IndicatorTestCase(unittest.TestCase):
    "Indicator arithmetic"

    def test_ratio(self):
        "ratio is a percentage with one decimal, None without denominator"
        for numerator, denominator, result in [
                (0, 0, None),
                (5, 0, None),
                (0, 4, Decimal('0.0')),
                (2, 3, Decimal('66.7')),
                (1, 3, Decimal('33.3')),
                (1, 8, Decimal('12.5')),
                (1, 16, Decimal('6.3')),
                (7, 7, Decimal('100.0')),
                ]:
            with self.subTest(numerator=numerator, denominator=denominator):
                self.assertEqual(indicator.ratio(numerator, denominator),
                    result)

    def test_complete(self):
        "complete derives the electronic share and every ratio"
        figures = indicator.complete({
                'incoming_received': 10, 'incoming_exchange': 6,
                'incoming_on_time': 3, 'incoming_late': 1,
                'outgoing_released': 10, 'outgoing_electronic': 5,
                'outgoing_both': 2, 'outgoing_paper': 3,
                'outgoing_signed': 7,
                })
        self.assertEqual(figures['electronic_documents'], 6 + 5 + 2)
        self.assertEqual(figures['total_documents'], 20)
        for name, value in [
                ('electronic_rate', Decimal('65.0')),
                ('on_time_rate', Decimal('75.0')),
                ('incoming_electronic_rate', Decimal('60.0')),
                ('outgoing_signed_rate', Decimal('70.0')),
                ('outgoing_electronic_rate', Decimal('50.0')),
                ]:
            with self.subTest(name=name):
                self.assertEqual(figures[name], value)

    def test_complete_empty(self):
        "an agency without documents has zero counts and empty ratios"
        figures = indicator.complete({})
        self.assertEqual(figures['incoming_received'], 0)
        self.assertIsNone(figures['electronic_rate'])
        self.assertIsNone(figures['on_time_rate'])

    def test_total_from_sums(self):
        "the total row ratios come from the summed counts, not averages"
        total = indicator.total(ROWS)
        self.assertEqual(total['incoming_received'], 15)
        self.assertEqual(total['incoming_on_time'], 2)
        # (2/3 and 0/0 would average to 66.7 or 33.3; the sums give 2/3)
        self.assertEqual(total['on_time_rate'], Decimal('66.7'))
        self.assertEqual(total['incoming_electronic_rate'], Decimal('60.0'))
        # (2.0 × 3 + 5.0 × 1) / 4
        self.assertEqual(total['processing_days'], Decimal('2.8'))

    def test_check_balance(self):
        "pending at start + received = closed + pending at end (K8)"
        self.assertTrue(indicator.check_balance(3, 10, 8, 5))
        self.assertFalse(indicator.check_balance(3, 10, 8, 4))


class XlsxTestCase(unittest.TestCase):
    "xlsx writer"

    def test_table(self):
        "the workbook holds title, header, rows as numbers and the total"
        data = write_xlsx(
            "Thống kê văn bản theo cơ quan", ["Từ 01/01/2026 đến 30/06/2026"],
            COLUMNS, ROWS, indicator.total(ROWS), total_label="Tổng cộng")
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        self.assertEqual(values[0][0], "Thống kê văn bản theo cơ quan")
        self.assertEqual(values[1][0], "Từ 01/01/2026 đến 30/06/2026")
        self.assertEqual(values[3], [c.label for c in COLUMNS])
        self.assertEqual(values[4],
            ["Sở Thông tin và Truyền thông", 12, 2, 66.7, 2.0])
        self.assertEqual(values[5], ["UBND huyện Đông Hưng", 3, 0, None, 5.0])
        self.assertEqual(values[6], ["Tổng cộng", 15, 2, 66.7, 2.8])
        self.assertEqual(sheet.cell(5, 4).number_format, '0.0"%"')

    def test_empty(self):
        "a period without documents gives a sheet with the header only"
        data = write_xlsx("T", [], COLUMNS, [], None)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        self.assertEqual(sheet.max_row, 3)


class PdfTestCase(unittest.TestCase):
    "PDF writer"

    def test_format_value(self):
        "cells use the Vietnamese decimal comma and thousands dot"
        for value, kind, text in [
                (None, 'count', ''),
                (0, 'count', '0'),
                (12345, 'count', '12.345'),
                (Decimal('66.7'), 'percent', '66,7%'),
                (Decimal('100'), 'percent', '100,0%'),
                (Decimal('2.75'), 'days', '2,8'),
                ("Sở Nội vụ", 'text', "Sở Nội vụ"),
                ]:
            with self.subTest(value=value, kind=kind):
                self.assertEqual(format_value(value, kind), text)

    def test_pdf(self):
        """the PDF embeds the serif font with Vietnamese glyphs that the
        machine has: Liberation Serif 2, Noto Serif or DejaVu Serif"""
        family = os.path.basename(find_font()).split('-')[0].split('.')[0]
        data = write_pdf(
            "Thống kê văn bản theo cơ quan", ["Từ 01/01/2026 đến 30/06/2026"],
            COLUMNS, ROWS * 40, indicator.total(ROWS), total_label="Tổng cộng")
        self.assertTrue(data.startswith(b'%PDF-'))
        self.assertIn(family.encode(), data)

    @unittest.skipUnless(shutil.which('pdftotext'), "pdftotext missing")
    def test_pdf_text(self):
        "the Vietnamese diacritics survive in the PDF text"
        data = write_pdf(
            "Thống kê văn bản theo cơ quan", ["Từ 01/01/2026 đến 30/06/2026"],
            COLUMNS, ROWS, indicator.total(ROWS), total_label="Tổng cộng")
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, 'report.pdf')
            with open(path, 'wb') as file:
                file.write(data)
            text = subprocess.run(
                ['pdftotext', '-layout', path, '-'], check=True,
                capture_output=True, text=True).stdout
        for expected in ["Thống kê văn bản theo cơ quan",
                "Sở Thông tin và Truyền thông", "UBND huyện Đông Hưng",
                "Tổng cộng", "66,7%", "2,8"]:
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
