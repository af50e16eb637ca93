# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import io
import os


def padded_pdf(size):
    "A valid one-page PDF of about size bytes (a large image-like stream)"
    content = b'BT /F1 12 Tf 72 720 Td (Cong van) Tj ET'
    padding = os.urandom(max(size - 600, 0))
    objects = [
        b'<</Type/Catalog/Pages 2 0 R>>',
        b'<</Type/Pages/Kids[3 0 R]/Count 1>>',
        b'<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R'
        b'/Resources<</XObject<</Im1 5 0 R>>>>>>',
        b'<</Length %d>>stream\n' % len(content) + content
        + b'\nendstream',
        b'<</Type/XObject/Subtype/Image/Width 1/Height %d/ColorSpace'
        b'/DeviceGray/BitsPerComponent 8/Length %d>>stream\n'
        % (len(padding), len(padding)) + padding + b'\nendstream',
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
