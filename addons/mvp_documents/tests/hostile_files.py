# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Hostile files made at test time, small on disk (issue 18)"""
import io
import struct
import zipfile
import zlib

MB = 1024 * 1024


def zeros_deflated(size):
    "size bytes of zeros, deflated (about size / 1000 bytes)"
    compressor = zlib.compressobj(9)
    chunk = b'\0' * MB
    parts = [compressor.compress(chunk) for _ in range(size // MB)]
    return b''.join(parts + [compressor.flush()])


def zip_bomb(size, members=1):
    "A ZIP of members files of size bytes of zeros each"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for index in range(members):
            with archive.open('bomb-%s.txt' % index, 'w',
                    force_zip64=True) as member:
                chunk = b'\0' * MB
                for _ in range(size // MB):
                    member.write(chunk)
                member.write(b'\0' * (size % MB))
    return buffer.getvalue()


def pdf(stream_dict, stream):
    "A one-page PDF whose page content is stream (with its dictionary)"
    objects = [
        b'<</Type/Catalog/Pages 2 0 R>>',
        b'<</Type/Pages/Kids[3 0 R]/Count 1>>',
        b'<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>',
        b'<<' + stream_dict + b'>>stream\n' + stream + b'\nendstream',
        ]
    out = io.BytesIO()
    out.write(b'%PDF-1.4\n')
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b'%d 0 obj\n' % number + body + b'\nendobj\n')
    xref = out.tell()
    out.write(b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1))
    for offset in offsets:
        out.write(b'%010d 00000 n \n' % offset)
    out.write(b'trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n'
        % (len(objects) + 1, xref))
    return out.getvalue()


def normal_pdf():
    content = b'BT /F1 12 Tf 72 720 Td (Cong van) Tj ET'
    return pdf(b'/Length %d' % len(content), content)


def pdf_declaring(length):
    "A PDF whose content stream says it is length bytes long"
    content = b'BT /F1 12 Tf 72 720 Td (Cong van) Tj ET'
    return pdf(b'/Length %d' % length, content)


def pdf_flate_bomb(size):
    "A PDF whose content stream inflates to size bytes"
    data = zeros_deflated(size)
    return pdf(b'/Length %d/Filter/FlateDecode' % len(data), data)


def _chunk(kind, data):
    return (struct.pack('!I', len(data)) + kind + data
        + struct.pack('!I', zlib.crc32(kind + data)))


def png(width, height, rows=None):
    """A grey PNG of width x height; only its first rows are in the file
    when rows is given (the header still declares every pixel)"""
    rows = height if rows is None else rows
    raw = (b'\0' + b'\x80' * width) * rows
    return (b'\x89PNG\r\n\x1a\n'
        + _chunk(b'IHDR', struct.pack('!IIBBBBB', width, height, 8, 0, 0,
                0, 0))
        + _chunk(b'IDAT', zlib.compress(raw, 9))
        + _chunk(b'IEND', b''))
