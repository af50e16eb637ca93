# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Limits on the files that enter from outside (issue 18: hostile files)

Written once here, read from the ``[file_limits]`` section of trytond's
configuration (``config/production.conf`` documents each option):

- ZIP archives: number of members, total uncompressed size, and the ratio
  of uncompressed to compressed size of a large member (a ZIP bomb);
- PDF files: number of objects, and the size a stream declares or
  decodes to (a 2 GB stream, a FlateDecode bomb);
- images: pixels per frame (a 100-megapixel PNG of a few kilobytes);
- XML: number of elements (a package of millions of empty elements).

The PDF and image parsers run in a child process (:mod:`.sandbox`) whose
memory and time are bounded by ``sandbox_memory_mb`` and
``sandbox_timeout``.  A file over a limit raises :class:`LimitExceeded`;
the models turn it into a Vietnamese message naming the file and the
limit, and store nothing of it.
"""
import zipfile
from dataclasses import dataclass

from trytond import config

__all__ = ['SECTION', 'DEFAULTS', 'Limits', 'LimitExceeded', 'limits',
    'check_zip', 'open_zip', 'read_member', 'check_pixels',
    'ElementCounter', 'megabytes']

SECTION = 'file_limits'
MB = 1024 * 1024
DEFAULTS = {
    'zip_max_members': 1000,
    'zip_max_mb': 512,
    'zip_max_ratio': 250,
    'pdf_max_objects': 200000,
    'pdf_max_stream_mb': 128,
    'image_max_pixels': 50000000,
    'xml_max_elements': 100000,
    'sandbox_memory_mb': 1024,
    'sandbox_timeout': 60,
    }
# Below this size a member of a ZIP may compress as well as it likes
RATIO_FLOOR = MB
# What each limit guards, in English for logs and exchange statuses
LABELS = {
    'zip_members': "too many files in the ZIP archive",
    'zip_size': "the ZIP archive is too large once uncompressed",
    'zip_ratio': "a file of the ZIP archive is compressed beyond reason",
    'pdf_objects': "too many objects in the PDF",
    'pdf_stream': "a stream of the PDF is too large",
    'image_pixels': "the image has too many pixels",
    'xml_elements': "too many XML elements",
    'memory': "reading the file needs too much memory",
    'timeout': "reading the file takes too long",
    }


class LimitExceeded(Exception):
    """A file goes over one of the limits

    ``code`` names the limit (``zip_members``, ``zip_size``,
    ``zip_ratio``, ``pdf_objects``, ``pdf_stream``, ``image_pixels``,
    ``xml_elements``, ``memory``, ``timeout``), ``limit`` is the limit as
    a person reads it (``512 MB``) and ``found`` what the file has.
    """

    def __init__(self, code, limit, found=''):
        super().__init__(code, limit, found)
        self.code = code
        self.limit = limit
        self.found = found

    def __str__(self):
        return "%s%s (limit %s)" % (LABELS.get(self.code, self.code),
            ": %s" % self.found if self.found else '', self.limit)


@dataclass(frozen=True)
class Limits:
    """The limits in force, passed as they are to a child process
    (which does not read trytond's configuration)"""

    zip_max_members: int = DEFAULTS['zip_max_members']
    zip_max_mb: int = DEFAULTS['zip_max_mb']
    zip_max_ratio: int = DEFAULTS['zip_max_ratio']
    pdf_max_objects: int = DEFAULTS['pdf_max_objects']
    pdf_max_stream_mb: int = DEFAULTS['pdf_max_stream_mb']
    image_max_pixels: int = DEFAULTS['image_max_pixels']
    xml_max_elements: int = DEFAULTS['xml_max_elements']
    sandbox_memory_mb: int = DEFAULTS['sandbox_memory_mb']
    sandbox_timeout: int = DEFAULTS['sandbox_timeout']

    @property
    def zip_max_size(self):
        return self.zip_max_mb * MB

    @property
    def pdf_max_stream(self):
        return self.pdf_max_stream_mb * MB


def limits():
    "Return the limits of the configuration (defaults where unset)"
    return Limits(**{name: config.getint(SECTION, name, default=default)
            for name, default in DEFAULTS.items()})


def megabytes(size):
    "Return size in bytes as a person reads it: '512 MB'"
    return '%s MB' % round(size / MB, 1 if size < 10 * MB else None)


def check_zip(archive, current=None):
    """Return the members of archive (a zipfile.ZipFile) after checking
    their number, total size and ratio as their headers declare them

    A member may lie about its size: read it with :func:`read_member`.
    :raises LimitExceeded: the archive is over a limit.
    """
    current = current or limits()
    members = archive.infolist()
    if len(members) > current.zip_max_members:
        raise LimitExceeded('zip_members', str(current.zip_max_members),
            str(len(members)))
    total = sum(m.file_size for m in members)
    if total > current.zip_max_size:
        raise LimitExceeded('zip_size', megabytes(current.zip_max_size),
            megabytes(total))
    for member in members:
        _check_ratio(member.filename, member.file_size,
            member.compress_size, current)
    return members


def _check_ratio(name, size, compressed, current):
    if size > RATIO_FLOOR and size > current.zip_max_ratio * max(
            compressed, 1):
        raise LimitExceeded('zip_ratio', '%s:1' % current.zip_max_ratio,
            '%s: %s:1' % (name, size // max(compressed, 1)))


def read_member(archive, member, out, current=None, chunk=64 * 1024):
    """Copy member of archive into the binary file out, refusing to write
    more than the total limit or the ratio allows (whatever it declares)

    :raises LimitExceeded: the member decompresses to too much.
    """
    current = current or limits()
    cap = min(current.zip_max_size,
        max(RATIO_FLOOR, current.zip_max_ratio * member.compress_size))
    written = 0
    with archive.open(member) as source:
        while data := source.read(chunk):
            written += len(data)
            if written > cap:
                if cap == current.zip_max_size:
                    raise LimitExceeded('zip_size',
                        megabytes(current.zip_max_size),
                        "%s > %s" % (member.filename, megabytes(cap)))
                _check_ratio(member.filename, written,
                    member.compress_size, current)
            out.write(data)
    return written


def open_zip(stream, current=None):
    """Return a zipfile.ZipFile of stream whose members are checked

    :raises zipfile.BadZipFile: the data is not a ZIP archive.
    :raises LimitExceeded: the archive is over a limit.
    """
    archive = zipfile.ZipFile(stream)
    try:
        check_zip(archive, current)
    except LimitExceeded:
        archive.close()
        raise
    return archive


def check_pixels(width, height, current=None):
    "Refuse an image (or a frame) of more pixels than the limit"
    current = current or limits()
    if width * height > current.image_max_pixels:
        raise LimitExceeded('image_pixels',
            '%s MP' % round(current.image_max_pixels / 1e6),
            '%sx%s' % (width, height))


class ElementCounter:
    "Count the elements of an XML document as a parser meets them"

    def __init__(self, maximum=None):
        self.maximum = maximum or limits().xml_max_elements
        self.count = 0

    def add(self):
        self.count += 1
        if self.count > self.maximum:
            raise LimitExceeded('xml_elements', str(self.maximum),
                '> %s' % self.maximum)
