# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Does this PDF open?  Written once for signing, verifying and receiving.

A reader tolerates bytes before the header (as Acrobat and pdf.js do),
but an encrypted file, a missing page tree or, when asked, a page whose
content stream does not decode is a file an official cannot read.
"""
import io

from pyhanko.pdf_utils.reader import PdfFileReader

__all__ = ['PdfProblem', 'open_pdf', 'pdf_problem']

HEADER = b'%PDF-'
HEADER_WINDOW = 1024


class PdfProblem(ValueError):
    "Why a PDF does not open: reason is not_pdf, encrypted, broken or no_page"

    def __init__(self, reason, detail=''):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


def open_pdf(data, pages=False):
    """Parse PDF bytes and return the reader

    pages: also decode every page's content streams.
    :raises PdfProblem: the file does not open.
    """
    data = bytes(data or b'')
    if HEADER not in data[:HEADER_WINDOW]:
        raise PdfProblem('not_pdf', "not a PDF file")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise PdfProblem('encrypted', "encrypted PDF")
        count = int(reader.root['/Pages']['/Count'])
        if pages:
            if count < 1:
                raise PdfProblem('no_page', "no page")
            for index in range(count):
                _decode_contents(reader, index)
    except PdfProblem:
        raise
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


def pdf_problem(data, pages=True):
    "Return '' if the PDF opens (and its pages decode), else why"
    try:
        open_pdf(data, pages=pages)
    except PdfProblem as problem:
        return str(problem)[:300]
    return ''
