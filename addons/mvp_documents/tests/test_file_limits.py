# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Limits on hostile files, and the child process that reads them"""
import io
import time
import unittest
import zipfile

from trytond.modules.mvp_documents import sandbox
from trytond.modules.mvp_documents.file_limits import (
    Limits, LimitExceeded, open_zip, read_member)
from trytond.modules.mvp_documents.image_check import (
    ImageProblem, inspect_image)
from trytond.modules.mvp_documents.pdf_check import (
    PdfProblem, inspect_pdf, pdf_problem)

from .hostile_files import (
    MB, normal_pdf, pdf_declaring, pdf_flate_bomb, png, zip_bomb)


def _allocate(size):
    return len(bytearray(size))


def _sleep(seconds):
    time.sleep(seconds)
    return seconds


def _fail():
    raise PdfProblem('broken', "as asked")


class ZipLimitsTestCase(unittest.TestCase):
    "ZIP archives: members, total size, ratio"

    def test_zip_bomb_is_refused_by_its_headers(self):
        bomb = zip_bomb(40 * MB)
        self.assertLess(len(bomb), 100 * 1024)
        with self.assertRaises(LimitExceeded) as cm:
            open_zip(io.BytesIO(bomb), Limits(zip_max_mb=16))
        self.assertEqual(cm.exception.code, 'zip_size')
        self.assertEqual(cm.exception.limit, '16 MB')
        # with room for its size, its ratio (1000:1) still betrays it
        with self.assertRaises(LimitExceeded) as cm:
            open_zip(io.BytesIO(bomb))
        self.assertEqual(cm.exception.code, 'zip_ratio')

    def test_too_many_members_are_refused(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w') as archive:
            for index in range(11):
                archive.writestr('f%s.txt' % index, 'x')
        with self.assertRaises(LimitExceeded) as cm:
            open_zip(io.BytesIO(buffer.getvalue()),
                Limits(zip_max_members=10))
        self.assertEqual((cm.exception.code, cm.exception.found),
            ('zip_members', '11'))

    def test_member_is_measured_while_read(self):
        # what the headers say is checked first; what the member gives
        # is counted again as it is read
        archive = zipfile.ZipFile(io.BytesIO(zip_bomb(8 * MB)))
        member, = archive.infolist()
        out = io.BytesIO()
        with self.assertRaises(LimitExceeded) as cm:
            read_member(archive, member, out, Limits(zip_max_ratio=10))
        self.assertEqual(cm.exception.code, 'zip_ratio')
        self.assertLessEqual(len(out.getvalue()), 2 * MB)

    def test_normal_archive_is_read(self):
        buffer = io.BytesIO()
        text = 'Công văn số 51/TTr-STTTT. '.encode() * 2000
        with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
            archive.writestr('cong-van.txt', text)
        archive = open_zip(io.BytesIO(buffer.getvalue()))
        out = io.BytesIO()
        read_member(archive, archive.infolist()[0], out)
        self.assertEqual(out.getvalue(), text)


class PdfLimitsTestCase(unittest.TestCase):
    "PDF files from outside: streams, read in a child process"

    def test_stream_declaring_2_gb_is_refused(self):
        with self.assertRaises(LimitExceeded) as cm:
            inspect_pdf(pdf_declaring(2 * 1024 * MB))
        self.assertEqual(cm.exception.code, 'pdf_stream')
        self.assertEqual(cm.exception.found, '2048 MB')

    def test_flate_bomb_is_refused(self):
        bomb = pdf_flate_bomb(64 * MB)
        self.assertLess(len(bomb), 100 * 1024)
        with self.assertRaises(LimitExceeded) as cm:
            inspect_pdf(bomb, current=Limits(pdf_max_stream_mb=8))
        self.assertEqual(cm.exception.code, 'pdf_stream')
        self.assertIn('too large', pdf_problem(pdf_flate_bomb(300 * MB)))

    def test_too_many_objects_are_refused(self):
        with self.assertRaises(LimitExceeded) as cm:
            inspect_pdf(normal_pdf(), current=Limits(pdf_max_objects=3))
        self.assertEqual(cm.exception.code, 'pdf_objects')

    def test_normal_pdf_opens(self):
        self.assertEqual(inspect_pdf(normal_pdf()), 1)
        self.assertEqual(pdf_problem(normal_pdf()), '')
        with self.assertRaises(PdfProblem) as cm:
            inspect_pdf(normal_pdf()[:200])
        self.assertEqual(cm.exception.reason, 'broken')


class ImageLimitsTestCase(unittest.TestCase):
    "Images from outside: pixels counted before anything is decoded"

    def test_100_megapixel_png_is_refused(self):
        data = png(10000, 10000, rows=1)
        self.assertLess(len(data), 1024)
        with self.assertRaises(LimitExceeded) as cm:
            inspect_image(data, 'PNG')
        self.assertEqual(cm.exception.code, 'image_pixels')
        self.assertEqual(cm.exception.found, '10000x10000')
        self.assertEqual(cm.exception.limit, '50 MP')

    def test_normal_png_opens(self):
        self.assertEqual(inspect_image(png(200, 100), 'PNG'), 1)
        with self.assertRaises(ImageProblem) as cm:
            inspect_image(png(200, 100), 'JPEG')
        self.assertEqual(cm.exception.reason, 'unsupported')


class SandboxTestCase(unittest.TestCase):
    "The child process: its answer, its memory, its time"

    def test_answer_and_error_come_back(self):
        self.assertEqual(sandbox.run(_allocate, 1000), 1000)
        with self.assertRaises(PdfProblem) as cm:
            sandbox.run(_fail)
        self.assertEqual(
            (cm.exception.reason, cm.exception.detail), ('broken', "as asked"))

    def test_memory_is_bounded(self):
        with self.assertRaises(LimitExceeded) as cm:
            sandbox.run(_allocate, 2048 * MB, memory_mb=512)
        self.assertEqual((cm.exception.code, cm.exception.limit),
            ('memory', '512 MB'))

    def test_time_is_bounded(self):
        start = time.monotonic()
        with self.assertRaises(LimitExceeded) as cm:
            sandbox.run(_sleep, 30, timeout=1)
        self.assertEqual(cm.exception.code, 'timeout')
        self.assertLess(time.monotonic() - start, 10)
