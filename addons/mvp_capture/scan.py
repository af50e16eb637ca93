# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Scans of paper documents: recognise the file, count pages, OCR.

Pure functions with no Pool: models call them and turn ScanError and
OcrError into user errors.  OCR runs the ``ocrmypdf`` command (Debian
package ``ocrmypdf``) with Tesseract's Vietnamese model
(``tesseract-ocr-vie``).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import unicodedata
import subprocess
import tempfile
from dataclasses import dataclass

__all__ = [
    'SCAN_TYPES', 'ScanError', 'OcrError', 'ScanInfo', 'OcrResult',
    'inspect_scan', 'ocr_available', 'ocr_scan', 'pdf_text',
    'classified_marking']

SCAN_TYPES = {
    'application/pdf': '.pdf',
    'image/jpeg': '.jpg',
    'image/png': '.png',
    'image/tiff': '.tif',
    }
"Media types accepted as scans, with their usual extension."

_MAGIC = [
    (b'%PDF-', 'application/pdf'),
    (b'\xff\xd8\xff', 'image/jpeg'),
    (b'\x89PNG\r\n\x1a\n', 'image/png'),
    (b'II*\x00', 'image/tiff'),
    (b'MM\x00*', 'image/tiff'),
    ]
_PIL_FORMATS = {
    'image/jpeg': 'JPEG',
    'image/png': 'PNG',
    'image/tiff': 'TIFF',
    }
#: Below this many letters per page a PDF is taken to have no text layer
MIN_TEXT_PER_PAGE = 20


class ScanError(Exception):
    """A file that cannot be used as a scan.

    :attr:`code` is ``'empty'``, ``'unsupported'`` or ``'broken'``.
    """

    def __init__(self, code: str, detail: str = ''):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class OcrError(Exception):
    "OCR could not run or failed on the file."


@dataclass(frozen=True)
class ScanInfo:
    "What :func:`inspect_scan` found in a file."

    mimetype: str
    "The media type read from the file's content (not its name)."
    pages: int
    "The number of pages (frames of a TIFF)."


@dataclass(frozen=True)
class OcrResult:
    "Text of a scan, one string per page."

    pages: tuple[str, ...]

    @property
    def text(self) -> str:
        return '\n\f'.join(self.pages)

    @property
    def first_page(self) -> str:
        return self.pages[0] if self.pages else ''


# Confidentiality stamps (độ mật: MẬT, TỐI MẬT, TUYỆT MẬT) are printed in
# capitals; "BÍ MẬT" (secret, the noun), "MẬT KHẨU" (password) and "MẬT
# MÃ" (cipher) are ordinary words of a title.
_MARKING = re.compile(
    r'(?<![\w])(?<!BÍ )(TUYỆT MẬT|TỐI MẬT|MẬT)(?![\w])(?! KHẨU)(?! MÃ)')
_LEVELS = {
    'TUYỆT MẬT': 'top_secret', 'TỐI MẬT': 'secret', 'MẬT': 'confidential'}


def classified_marking(text: str) -> str | None:
    """Return the confidentiality level stamped in text, or None.

    The level is ``'confidential'``, ``'secret'`` or ``'top_secret'``
    (the most secret one found).  Only capitals count, as on a stamp or
    a marked e-mail subject:

    >>> classified_marking('[MẬT] Báo cáo tình hình')
    'confidential'
    >>> classified_marking('Quy chế bảo vệ bí mật nhà nước') is None
    True
    """
    text = unicodedata.normalize('NFC', text or '')
    found = {_LEVELS[m.group(1)] for m in _MARKING.finditer(text)}
    for level in ['top_secret', 'secret', 'confidential']:
        if level in found:
            return level
    return None


def sniff(data: bytes) -> str | None:
    "Return the media type of data from its first bytes, or None."
    head = data[:16].lstrip(b'\x00\t\r\n ')
    for magic, mimetype in _MAGIC:
        if head.startswith(magic):
            return mimetype
    return None


def inspect_scan(data: bytes) -> ScanInfo:
    """Check that data is a readable PDF, JPEG, PNG or TIFF.

    The file is read in a child process, within the core's file limits.

    :raises ScanError: the file is empty, of another type, or damaged.
    :raises LimitExceeded: the file is over a limit (file_limits).
    """
    if not data:
        raise ScanError('empty')
    mimetype = sniff(data)
    if mimetype is None:
        raise ScanError('unsupported')
    if mimetype == 'application/pdf':
        pages = _pdf_pages(data)
    else:
        pages = _image_pages(data, mimetype)
    return ScanInfo(mimetype=mimetype, pages=pages)


def _pdf_pages(data: bytes) -> int:
    # "does this PDF open" is the core's, for every module
    from trytond.modules.mvp_documents.pdf_check import (
        PdfProblem, inspect_pdf)
    try:
        return inspect_pdf(data, pages=True)
    except PdfProblem as problem:
        raise ScanError('broken', str(problem)) from problem


def _image_pages(data: bytes, mimetype: str) -> int:
    from trytond.modules.mvp_documents.image_check import (
        ImageProblem, inspect_image)
    try:
        return inspect_image(data, _PIL_FORMATS[mimetype])
    except ImageProblem as problem:
        raise ScanError(problem.reason, problem.detail) from problem


def _read_text(data: bytes) -> tuple[str, ...]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        reader = PdfReader(io.BytesIO(data))
        return tuple(
            (page.extract_text() or '').strip() for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return ()


def pdf_text(data: bytes) -> tuple[str, ...]:
    """Return the text layer of each page of a PDF (empty strings if none),
    read in a child process of bounded memory and time"""
    from trytond.modules.mvp_documents import sandbox
    from trytond.modules.mvp_documents.file_limits import (
        LimitExceeded, limits)
    current = limits()
    try:
        return sandbox.run(_read_text, bytes(data), memory_mb=(
                current.sandbox_memory_mb), timeout=current.sandbox_timeout)
    except (LimitExceeded, sandbox.SandboxError):
        return ()


def _has_text(pages: tuple[str, ...]) -> bool:
    return bool(pages) and all(
        sum(c.isalpha() for c in p) >= MIN_TEXT_PER_PAGE for p in pages)


def ocr_available(language: str = 'vie') -> bool:
    "Tell whether ocrmypdf and the Tesseract model for language exist."
    if not shutil.which('ocrmypdf') or not shutil.which('tesseract'):
        return False
    try:
        langs = subprocess.run(
            ['tesseract', '--list-langs'], capture_output=True, text=True,
            timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return False
    return language in langs


def _bounded(command, memory_mb=None):
    """command under an address-space limit (util-linux's prlimit: the
    limit is set before ocrmypdf starts and its children inherit it;
    a preexec_fn would not be safe in a threaded server)"""
    from trytond.modules.mvp_documents.file_limits import MB, limits
    if memory_mb is None:
        memory_mb = limits().sandbox_memory_mb
    if not memory_mb or not shutil.which('prlimit'):
        return command
    return ['prlimit', '--as=%d' % (memory_mb * MB), '--'] + command


def ocr_scan(
        data: bytes, mimetype: str, language: str = 'vie',
        image_dpi: int = 300, timeout: int = 600,
        memory_mb: int | None = None) -> OcrResult:
    """Return the text of a scan, recognised by ocrmypdf.

    A PDF that already has a text layer on every page is read directly.
    ``image_dpi`` is used only for images that do not record their
    resolution.  ocrmypdf and the Tesseract processes it starts may each
    use ``memory_mb`` of address space (default ``[file_limits]
    sandbox_memory_mb``): a scan crafted to exhaust the server's memory
    fails alone.

    :raises OcrError: ocrmypdf is missing or failed.
    """
    if mimetype == 'application/pdf':
        pages = pdf_text(data)
        if _has_text(pages):
            return OcrResult(pages=pages)
    if not shutil.which('ocrmypdf'):
        raise OcrError("ocrmypdf is not installed")
    suffix = SCAN_TYPES.get(mimetype, '.bin')
    with tempfile.TemporaryDirectory(prefix='mvp-ocr-') as directory:
        source = os.path.join(directory, 'in' + suffix)
        target = os.path.join(directory, 'out.pdf')
        sidecar = os.path.join(directory, 'out.txt')
        with open(source, 'wb') as file:
            file.write(data)
        command = [
            'ocrmypdf', '--quiet', '--language', language,
            '--skip-text', '--output-type', 'pdf',
            '--sidecar', sidecar]
        if mimetype != 'application/pdf':
            command += ['--image-dpi', str(image_dpi)]
        command += [source, target]
        command = _bounded(command, memory_mb)
        env = dict(os.environ, OMP_THREAD_LIMIT='1')
        # ocrmypdf waits for its workers after an error when it believes
        # it runs under pytest: the tests must see what production does
        env.pop('PYTEST_CURRENT_TEST', None)
        try:
            process = subprocess.run(
                command, capture_output=True, timeout=timeout, env=env)
        except (OSError, subprocess.SubprocessError) as exception:
            raise OcrError(str(exception)) from exception
        if process.returncode != 0:
            raise OcrError(
                process.stderr.decode('utf-8', 'replace').strip()[-500:])
        with open(sidecar, encoding='utf-8') as file:
            text = file.read()
    pages = tuple(p.strip() for p in text.split('\f'))
    while pages and not pages[-1]:
        pages = pages[:-1]
    return OcrResult(pages=pages)
