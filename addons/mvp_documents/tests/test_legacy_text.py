# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Text typed with TCVN3 (ABC, .VnTime) or VNI fonts becomes Unicode."""
import shutil
import subprocess
import unicodedata
import unittest

from trytond.modules.mvp_documents import legacy_text
from trytond.modules.mvp_documents.legacy_text import (
    TCVN3, VNI, from_tcvn3, from_vni, repair)

UNICODE = 'Ủy ban nhân dân tỉnh Thái Bình'
TONES = ('', '\u0301', '\u0300', '\u0309', '\u0303', '\u0323')
VOWELS = 'aăâeêioôơuưy'
# Every Vietnamese letter with a mark: 12 vowels with 5 tones, the 6
# vowels with a hat or a horn alone, and đ; 67 small and 67 capitals
SMALL = [unicodedata.normalize('NFC', v + t)
    for v in VOWELS for t in TONES if v + t not in set('aeiouy')] + ['đ']
LETTERS = SMALL + [c.upper() for c in SMALL]

# VNI Windows as its keyboard tables list it (e.g. xvnkb's vni.h): per
# vowel, the plain letter then sắc, huyền, hỏi, ngã, nặng
VNI_REFERENCE = {
    'a': 'a aù aø aû aõ aï', 'ă': 'aê aé aè aú aü aë',
    'â': 'aâ aá aà aå aã aä', 'e': 'e eù eø eû eõ eï',
    'ê': 'eâ eá eà eå eã eä', 'i': 'i í ì æ ó ò',
    'o': 'o où oø oû oõ oï', 'ô': 'oâ oá oà oå oã oä',
    'ơ': 'ô ôù ôø ôû ôõ ôï', 'u': 'u uù uø uû uõ uï',
    'ư': 'ö öù öø öû öõ öï', 'y': 'y yù yø yû yõ î',
    }


def to_vni(text):
    "text written with the VNI reference table"
    forms = {'đ': 'ñ', 'Đ': 'Ñ'}
    for vowel, spelt in VNI_REFERENCE.items():
        for tone, form in zip(TONES, spelt.split(), strict=True):
            letter = unicodedata.normalize('NFC', vowel + tone)
            forms[letter], forms[letter.upper()] = form, form.upper()
    return ''.join(forms.get(c, c) for c in text)


def to_tcvn5712(text):
    "text encoded by glibc's TCVN5712-1, read as Windows-1252"
    data = subprocess.run(['iconv', '-f', 'UTF-8', '-t', 'TCVN5712-1'],
        input=text.encode(), capture_output=True, check=True).stdout
    return data.decode('cp1252')


def legacy_byte(char):
    "The byte a legacy character was read from (Windows-1252 or Latin-1)"
    try:
        return char.encode('cp1252')
    except UnicodeEncodeError:
        return char.encode('latin-1')


# Subjects, issuers and notes of real documents
SENTENCES = [
    'Quyết định về việc ban hành quy chế quản lý văn bản điện tử',
    'Kế hoạch triển khai ứng dụng công nghệ thông tin năm 2012',
    'Báo cáo tình hình thực hiện nhiệm vụ phát triển kinh tế xã hội',
    'Sở Thông tin và Truyền thông tỉnh Thái Bình',
    'Về việc đề nghị hỗ trợ kinh phí sửa chữa trụ sở làm việc',
    'Giấy mời dự hội nghị tổng kết công tác thi đua khen thưởng',
    'Công văn hướng dẫn thực hiện chế độ nghỉ hưu trước tuổi',
    'Thông báo kết luận của đồng chí Chủ tịch tại buổi làm việc',
    'Tờ trình xin phê duyệt dự toán ngân sách năm 2013',
    'Nguyễn Văn Trưởng, Phó Giám đốc',
    ]
ENGLISH_AND_OTHERS = [
    'Hello world', 'Report on the implementation of the 2012 plan',
    'Please find attached the signed copy.', 'Café crème brûlée',
    'Là où il est', 'Noël à l’hôtel de ville', 'naïve façade, déjà vu',
    'Réunion du comité à Paris, août 2012', 'Müller über die Straße',
    'El año del señor', 'São Paulo', '“Quoted” – dash…', 'UBND', '',
    '12/UBND-VP', 'Microsoft Office 365 ©', '50 € – 30 %',
    ]
# Unicode Vietnamese, some of it within Latin-1 (no ư, ơ, đ, ă...)
UNICODE_VIETNAMESE = SENTENCES + [
    UNICODE, 'Báo cáo', 'Thái Bình', 'Bình', 'Hoàng Thái', 'Lê Thị Hà',
    'Quân sự', 'Tuấn', 'Công văn số 12/UBND-VP', 'Tài chính công',
    'Hoà bình', 'Toà án nhân dân', 'Khoá học', 'Công ty Sony Việt Nam',
    'Chào anh', 'Tôi là Lê Văn Tám', 'Mời họp', '“Báo cáo” – quý I',
    'Ông Bình', 'Bà Hà', 'Cà Mau', 'Tiền Giang', 'Hà Nội', 'Huế',
    ]


class LegacyTextTestCase(unittest.TestCase):
    "Test the recognition and conversion of legacy Vietnamese text"

    def test_the_134_letters(self):
        self.assertEqual(len(set(LETTERS)), 134)

    def test_tcvn3_table_is_glibc_tcvn5712(self):
        "Every TCVN3 code converts as glibc's TCVN5712-1 converts it"
        if not shutil.which('iconv'):
            self.skipTest("iconv (glibc) is not installed")
        for char, letter in legacy_text.TCVN3_TABLE.items():
            with self.subTest(char=char):
                out = subprocess.run(['iconv', '-f', 'TCVN5712-1', '-t',
                        'UTF-8'], input=legacy_byte(char),
                    capture_output=True, check=True).stdout.decode()
                self.assertEqual(out, letter)

    def test_tcvn3_abc_has_every_small_letter_once(self):
        "The ABC range 0xA1..0xFE holds the 67 small letters and ĂÂÊÔƠƯĐ"
        abc = [legacy_text.TCVN3_TABLE.get(legacy_byte(chr(b)).decode(
                    'cp1252')) for b in range(0xA1, 0xFF)]
        small = [c for c in abc if c and c.islower()]
        self.assertCountEqual(small, SMALL)
        self.assertCountEqual([c for c in abc if c and c in 'ĂÂÊÔƠƯĐ'],
            'ĂÂÊÔƠƯĐ')

    def test_tcvn3_every_letter_round_trip(self):
        "Each letter, small in .VnTime, capital in a .VnTimeH word or VN1"
        codes = {v: k for k, v in legacy_text.TCVN3_TABLE.items()
            if 0xA1 <= ord(legacy_byte(k)) <= 0xFE}
        for letter in LETTERS:
            with self.subTest(letter=letter):
                if letter.islower():
                    self.assertEqual(from_tcvn3(codes[letter]), letter)
                    self.assertEqual(
                        from_tcvn3('t' + codes[letter] + 'n'),
                        't' + letter + 'n')
                else:
                    # .VnTimeH: the small letter's code in a capital word
                    code = codes.get(letter) or codes[letter.lower()]
                    self.assertEqual(
                        from_tcvn3('T' + code + 'N'), 'T' + letter + 'N')
        vn1 = {v: k for k, v in legacy_text.TCVN3_TABLE.items()
            if v.isupper()}
        for letter, code in vn1.items():
            with self.subTest(vn1=letter):
                self.assertEqual(from_tcvn3(code), letter)

    def test_vni_every_letter_round_trip(self):
        "Each of the 134 letters, written as the VNI tables write it"
        for letter in LETTERS:
            with self.subTest(letter=letter):
                self.assertEqual(from_vni(to_vni(letter)), letter)
                word = 'th' + letter + 'n'
                self.assertEqual(from_vni(to_vni(word)), word)

    def test_real_phrases_in_both_encodings(self):
        "Subjects and names of documents typed in TCVN3 and VNI"
        self.assertEqual(repair('Quy ®Þnh vÒ'), ('Quy định về', TCVN3))
        self.assertEqual(repair('Quyeát ñònh'), ('Quyết định', VNI))
        for sentence in SENTENCES:
            with self.subTest(sentence=sentence, encoding=VNI):
                self.assertEqual(repair(to_vni(sentence)), (sentence, VNI))
            if shutil.which('iconv'):
                with self.subTest(sentence=sentence, encoding=TCVN3):
                    self.assertEqual(repair(to_tcvn5712(sentence)),
                        (sentence, TCVN3))

    def test_province_in_both_encodings(self):
        "Ủy ban nhân dân tỉnh Thái Bình typed in TCVN3 and in VNI"
        samples = [
            # the VN1 capital Ủ (0x9E) read as Windows-1252 is ž
            ('žy ban nh©n d©n tØnh Th¸i B×nh', TCVN3, UNICODE),
            # and read as Latin-1 a C1 control
            ('\x9ey ban nh©n d©n tØnh Th¸i B×nh', TCVN3, UNICODE),
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
                self.assertTrue(unicodedata.is_normalized('NFC', fixed))

    def test_subjects_and_notes(self):
        "Longer texts of both encodings"
        self.assertEqual(repair(
                'V/v b¸o c¸o t×nh h×nh thùc hiÖn kÕ ho¹ch n¨m 2012'),
            ('V/v báo cáo tình hình thực hiện kế hoạch năm 2012', TCVN3))
        self.assertEqual(repair('Veà vieäc baùo caùo tình hình thöïc hieän '
                'keá hoaïch naêm 2012; ñeà nghò UBND xem xeùt.'),
            ('Về việc báo cáo tình hình thực hiện kế hoạch năm 2012; '
                'đề nghị UBND xem xét.', VNI))
        # a few foreign words in a legacy subject
        self.assertEqual(repair(
                'Hîp ®ång mua b¶n quyÒn phÇn mÒm Microsoft Office'),
            ('Hợp đồng mua bản quyền phần mềm Microsoft Office', TCVN3))

    def test_unicode_and_other_languages_left_alone(self):
        "Unicode Vietnamese, English, French... are never converted"
        for text in UNICODE_VIETNAMESE + ENGLISH_AND_OTHERS:
            with self.subTest(text=text):
                self.assertEqual(repair(text), (text, None))
                self.assertIsNone(legacy_text.detect(text))

    def test_decomposed_unicode_becomes_nfc(self):
        "Vietnamese typed decomposed (NFD) is only normalised"
        for text in UNICODE_VIETNAMESE:
            with self.subTest(text=text):
                decomposed = unicodedata.normalize('NFD', text)
                self.assertEqual(repair(decomposed), (text, None))

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
