# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Does this PDF open?  Written once for signing, verifying and receiving.

A reader tolerates bytes before the header (as Acrobat and pdf.js do),
but an encrypted file, a missing page tree or, when asked, a page whose
content stream does not decode is a file an official cannot read.

A PDF from outside is read in a child process (:func:`inspect_pdf`),
within the limits of :mod:`.file_limits`: its objects, the length its
streams declare, and what a stream decodes to (pyHanko's decode limits).
"""
import io
import re

from pyhanko.pdf_utils.decode_limits import DecodeLimits, StreamDecodeLimits
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader

from . import sandbox
from .file_limits import LimitExceeded, limits, megabytes

__all__ = ['PdfProblem', 'open_pdf', 'pdf_problem', 'inspect_pdf']

HEADER = b'%PDF-'
HEADER_WINDOW = 1024
# a direct /Length (not "/Length 12 0 R", a reference to the length)
_LENGTH = re.compile(rb'/Length\s*(\d+)(\s+\d+\s+R)?')


class PdfProblem(ValueError):
    "Why a PDF does not open: reason is not_pdf, encrypted, broken or no_page"

    def __init__(self, reason, detail=''):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail

    def __reduce__(self):
        # raised again in the parent when found in a child process
        return self.__class__, (self.reason, self.detail)


def _decode_limits(current):
    stream = StreamDecodeLimits(max_output_size=current.pdf_max_stream)
    return DecodeLimits(per_stream=stream)


def _check_lengths(data, current):
    "Refuse a stream that declares more than the limit (a 2 GB stream)"
    for match in _LENGTH.finditer(data):
        if match.group(2):
            continue
        length = int(match.group(1))
        if length > current.pdf_max_stream:
            raise LimitExceeded('pdf_stream',
                megabytes(current.pdf_max_stream), megabytes(length))


def _check_objects(reader, current):
    xrefs = reader.xrefs
    count = sum(len(list(xrefs.explicit_refs_in_revision(revision)))
        for revision in range(xrefs.total_revisions))
    if count > current.pdf_max_objects:
        raise LimitExceeded('pdf_objects', str(current.pdf_max_objects),
            str(count))


def open_pdf(data, pages=False, current=None):
    """Parse PDF bytes and return the reader

    pages: also decode every page's content streams.
    current: the file limits (those of the configuration by default).
    :raises PdfProblem: the file does not open.
    :raises LimitExceeded: the file is over a limit of file_limits.
    """
    data = bytes(data or b'')
    if HEADER not in data[:HEADER_WINDOW]:
        raise PdfProblem('not_pdf', "not a PDF file")
    current = current or limits()
    _check_lengths(data, current)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False,
            decode_limits=_decode_limits(current))
        _check_objects(reader, current)
        if reader.encrypted:
            raise PdfProblem('encrypted', "encrypted PDF")
        count = int(reader.root['/Pages']['/Count'])
        if pages:
            if count < 1:
                raise PdfProblem('no_page', "no page")
            for index in range(count):
                _decode_contents(reader, index)
    except (PdfProblem, LimitExceeded):
        raise
    except PdfDecodeLimitError as exception:
        raise LimitExceeded('pdf_stream',
            megabytes(current.pdf_max_stream)) from exception
    except Exception as exception:  # pyhanko raises many kinds
        raise PdfProblem('broken', "%s: %s" % (
                type(exception).__name__, exception)) from exception
    return reader


def _decode_contents(reader, index):
    page = reader.find_page_for_modification(index)[0]
    contents = page.get_object().get('/Contents')
    if contents is None:
        return
    contents = contents.get_object()
    items = contents if not hasattr(contents, 'data') else [contents]
    for item in items:
        # decoding the stream raises if it is broken
        _ = item.get_object().data


def _page_count(data, pages, current):
    reader = open_pdf(data, pages=pages, current=current)
    return int(reader.root['/Pages']['/Count'])


def inspect_pdf(data, pages=True, current=None):
    """Return the number of pages of a PDF from outside, read in a child
    process of bounded memory and time

    :raises PdfProblem: the file does not open.
    :raises LimitExceeded: the file is over a limit, or its reading
        needs more memory or time than the sandbox gives.
    """
    current = current or limits()
    try:
        return sandbox.run(_page_count, bytes(data or b''), pages, current,
            memory_mb=current.sandbox_memory_mb,
            timeout=current.sandbox_timeout)
    except sandbox.SandboxError as error:
        raise PdfProblem('broken', str(error)) from error


def pdf_problem(data, pages=True):
    """Return '' if the PDF opens (and its pages decode), else why; read
    in a child process (see inspect_pdf)"""
    try:
        inspect_pdf(data, pages=pages)
    except (PdfProblem, LimitExceeded) as problem:
        return str(problem)[:300]
    return ''
