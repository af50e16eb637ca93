# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Text typed with TCVN3 (ABC, .VnTime) or VNI fonts becomes Unicode."""
import shutil
import subprocess
import unicodedata
import unittest

from trytond.modules.mvp_documents import legacy_text
from trytond.modules.mvp_documents.legacy_text import TCVN3, VNI, repair

UNICODE = 'Ủy ban nhân dân tỉnh Thái Bình'


class LegacyTextTestCase(unittest.TestCase):
    "Test the recognition and conversion of legacy Vietnamese text"

    def test_tcvn3_table_is_glibc_tcvn5712(self):
        "Every TCVN3 byte converts as glibc's TCVN5712-1 converts it"
        iconv = shutil.which('iconv')
        if not iconv:
            self.skipTest("iconv (glibc) is not installed")
        for char, letter in legacy_text.TCVN3_TABLE.items():
            with self.subTest(char=char):
                out = subprocess.run([iconv, '-f', 'TCVN5712-1', '-t',
                        'UTF-8'], input=char.encode('cp1252'),
                    capture_output=True, check=True).stdout.decode()
                self.assertEqual(out, letter)

    def test_province_in_both_encodings(self):
        "Ủy ban nhân dân tỉnh Thái Bình typed in TCVN3 and in VNI"
        samples = [
            # the VN1 capital Ủ (0x9E) read as Windows-1252 is ž
            ('žy ban nh©n d©n tØnh Th¸i B×nh', TCVN3, UNICODE),
            # .VnTimeH: the capitals are the codes of the small letters
            ('ñY BAN NH¢N D¢N TØNH TH¸I B×NH', TCVN3, UNICODE.upper()),
            # the old spelling of .VnTime days
            ('Uû ban nh©n d©n tØnh Th¸i B×nh', TCVN3,
                'Uỷ ban nhân dân tỉnh Thái Bình'),
            ('UÛy ban nhaân daân tænh Thaùi Bình', VNI, UNICODE),
            ('UÛY BAN NHAÂN DAÂN TÆNH THAÙI BÌNH', VNI, UNICODE.upper()),
            ]
        for text, encoding, expected in samples:
            with self.subTest(text=text):
                fixed, seen = repair(text)
                self.assertEqual((fixed, seen), (expected, encoding))
                self.assertEqual(
                    fixed, unicodedata.normalize('NFC', fixed))

    def test_subjects_and_notes(self):
        "Longer texts of both encodings"
        self.assertEqual(repair(
                'V/v b¸o c¸o t×nh h×nh thùc hiÖn kÕ ho¹ch n¨m 2012'),
            ('V/v báo cáo tình hình thực hiện kế hoạch năm 2012', TCVN3))
        self.assertEqual(repair('Veà vieäc baùo caùo tình hình thöïc hieän '
                'keá hoaïch naêm 2012; ñeà nghò UBND xem xeùt.'),
            ('Về việc báo cáo tình hình thực hiện kế hoạch năm 2012; '
                'đề nghị UBND xem xét.', VNI))

    def test_unicode_and_other_languages_left_alone(self):
        "Unicode Vietnamese, English and French are never converted"
        for text in [UNICODE, 'Báo cáo', 'Thái Bình', 'Bình', 'Hoàng Thái',
                'Lê Thị Hà', 'Quân sự', 'Tuấn', 'Công văn số 12/UBND-VP',
                'Sở Thông tin và Truyền thông', 'Hello world',
                'Café crème brûlée', '', 'UBND', '“Báo cáo” – quý I']:
            with self.subTest(text=text):
                self.assertEqual(repair(text), (text, None))

    def test_repair_values_keeps_the_originals(self):
        "Only the converted texts are reported, with their originals"
        values = {'subject': 'Thaùi Bình', 'notes': 'Thái Bình',
            'pages': 2}
        originals, encoding = legacy_text.repair_values(
            values, ['subject', 'notes', 'pages', 'issuer_name'])
        self.assertEqual(encoding, VNI)
        self.assertEqual(originals, {'subject': 'Thaùi Bình'})
        self.assertEqual(values, {'subject': 'Thái Bình',
                'notes': 'Thái Bình', 'pages': 2})
