# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""PAdES signing of PDF files (Decree 30/2020, Appendix I).

Pure library code (no Pool): bytes and dataclasses in, bytes out.

Appearances:

- ``personal``: an official's signature box (name, position, agency,
  signing time), used on drafts and approvals;
- ``leader``: the competent person's signature at the signature place:
  position, the handwritten signature image (blue) if any, name;
- ``seal``: the agency's stamp: the seal image in red (drawn if the agency
  has none), the agency name and the signing time; placed so that it
  covers the left third of the leader's signature;
- no appearance with a ``header``: the invisible agency signature of a
  separate appendix, whose number/notation and ISO 8601 signing time are
  written at the top right of page 1 in a Times-metric serif, size 10.

Speed (tryton-notes §6): the static part of every stamp is rendered once
with reportlab (Vietnamese text in Liberation Serif) and cached; only the
signing time is laid out at signing time, in a standard PDF font (it is
ASCII), so fontTools subsetting never runs while signing.  The signature
container size is fixed (``bytes_reserved``) so pyHanko signs only once.
"""
from __future__ import annotations

import asyncio
import binascii
import functools
import io
import math
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.font.basic import SimpleFontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from trytond.modules.mvp_documents import pdf_check
from trytond.modules.mvp_documents.fonts import (
    FontError, find_font, register_fonts)

from . import speedups

speedups.install()

__all__ = [
    'VN_TZ', 'SignError', 'PdfError', 'Appearance', 'SignResult',
    'PreparedSignature', 'sign_pdf', 'prepare_external', 'finish_external',
    'render_stamp', 'iso_time', 'font_path', 'open_pdf',
    ]

VN_TZ = ZoneInfo('Asia/Ho_Chi_Minh')
RED = (0.85, 0.05, 0.05)
BLUE = (0.05, 0.15, 0.6)
BLACK = (0, 0, 0)
# The CMS container (RSA-2048, 3 certificates) is about 5 KB, 11 KB with
# a timestamp token; the reservation is in hexadecimal digits.
BYTES_RESERVED = 16384
BYTES_RESERVED_TIMESTAMP = 32768
STAMP_SIZES = {
    'personal': (220, 62),
    'leader': (200, 110),
    'seal': (120, 150),
    }


class SignError(Exception):
    "The PDF cannot be signed"


class PdfError(SignError):
    "The file is not a readable, unencrypted PDF"


@dataclass(frozen=True)
class Appearance:
    """The visible part of a signature."""

    style: str
    "``personal``, ``leader`` or ``seal``."
    name: str = ''
    "Signer's full name (personal, leader)."
    title: str = ''
    "Signer's position, e.g. ``CHỦ TỊCH`` (personal, leader)."
    agency: str = ''
    "Agency name (personal, seal)."
    image: bytes | None = None
    "PNG with transparent background: handwritten signature or seal."
    page: int = -1
    "Page index; negative counts from the end."
    box: tuple[float, float, float, float] | None = None
    "(x1, y1, x2, y2) in points; a default place when ``None``."


@dataclass(frozen=True)
class SignResult:
    """A signed PDF."""

    data: bytes
    level: str
    "PAdES baseline level reached: ``B-B``, ``B-T`` or ``B-LT``."
    signing_time: datetime
    field_name: str


def iso_time(moment: datetime) -> str:
    "Return moment in ISO 8601 with the Vietnam offset, to the second"
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def font_path(weight: str = 'regular') -> str:
    """Return the serif font file with Vietnamese glyphs (Liberation
    Serif 2, Times metrics, or Noto/DejaVu Serif)."""
    try:
        return find_font(weight)
    except FontError as error:
        raise SignError(str(error)) from error


def _fonts() -> tuple[str, str, str]:
    try:
        return register_fonts()[:3]
    except FontError as error:
        raise SignError(str(error)) from error


def open_pdf(data: bytes) -> PdfFileReader:
    """Parse PDF bytes.

    :raises PdfError: not a PDF, broken or encrypted.
    """
    try:
        return pdf_check.open_pdf(data)
    except pdf_check.PdfProblem as problem:
        if problem.reason == 'broken':
            raise PdfError(f"broken PDF: {problem}") from problem
        raise PdfError(str(problem)) from problem


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    lines: list[str] = []
    for paragraph in text.splitlines() or ['']:
        line = ''
        for word in paragraph.split():
            candidate = f'{line} {word}'.strip()
            if line and stringWidth(candidate, font, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _draw_seal(canvas, agency: str, cx: float, cy: float, radius: float):
    "Draw a round red seal with the agency name on its ring"
    regular, bold, _ = _fonts()
    canvas.setStrokeColorRGB(*RED)
    canvas.setFillColorRGB(*RED)
    canvas.setLineWidth(2)
    canvas.circle(cx, cy, radius)
    canvas.setLineWidth(0.8)
    canvas.circle(cx, cy, radius * 0.68)
    # a five-pointed star in the middle
    points = []
    for i in range(10):
        r = radius * (0.3 if i % 2 == 0 else 0.12)
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    # the agency name around the ring, centred on the top
    from reportlab.pdfbase.pdfmetrics import stringWidth
    text = agency.upper()
    size = 7.5
    ring = radius * 0.82
    widths = [stringWidth(c, bold, size) for c in text]
    total = sum(widths) / ring
    if total > 1.9 * math.pi:
        size *= 1.9 * math.pi / total
        widths = [w * 1.9 * math.pi / total for w in widths]
        total = 1.9 * math.pi
    angle = math.pi / 2 + total / 2
    for char, width in zip(text, widths, strict=True):
        angle -= width / ring / 2
        canvas.saveState()
        canvas.translate(
            cx + ring * math.cos(angle), cy + ring * math.sin(angle))
        canvas.rotate(math.degrees(angle - math.pi / 2))
        canvas.setFont(bold, size)
        canvas.drawCentredString(0, -size / 3, char)
        canvas.restoreState()
        angle -= width / ring / 2


def _draw_image(canvas, image: bytes, x, y, width, height):
    from reportlab.lib.utils import ImageReader
    canvas.drawImage(
        ImageReader(io.BytesIO(image)), x, y, width, height,
        mask='auto', preserveAspectRatio=True, anchor='c')


@functools.lru_cache(maxsize=256)
def render_stamp(appearance: Appearance) -> bytes:
    """Render the static part of a stamp as a one-page PDF.

    The bottom 10 points are left free for the signing time.  Cached:
    the same signer, position and image give the same bytes.
    """
    from reportlab.pdfgen.canvas import Canvas
    regular, bold, italic = _fonts()
    width, height = _stamp_size(appearance)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle('stamp')
    if appearance.style == 'personal':
        canvas.setStrokeColorRGB(*BLUE)
        canvas.setFillColorRGB(*BLUE)
        canvas.setLineWidth(0.8)
        canvas.rect(0.5, 0.5, width - 1, height - 1)
        lines = [('Ký bởi: ', appearance.name)]
        if appearance.title:
            lines.append(('Chức vụ: ', appearance.title))
        if appearance.agency:
            lines.append(('Cơ quan: ', appearance.agency))
        y = height - 12
        for label, value in lines:
            canvas.setFont(regular, 8.5)
            canvas.drawString(5, y, label)
            from reportlab.pdfbase.pdfmetrics import stringWidth
            offset = 5 + stringWidth(label, regular, 8.5)
            canvas.setFont(bold, 8.5)
            value, = _wrap(value, bold, 8.5, 1e6)[:1]
            canvas.drawString(offset, y, value)
            y -= 11
        canvas.setFont(regular, 8.5)
        canvas.drawString(5, 3, 'Thời gian ký:')
    elif appearance.style == 'leader':
        canvas.setFillColorRGB(*BLACK)
        canvas.setFont(bold, 11)
        y = height - 12
        for line in _wrap(appearance.title.upper(), bold, 11, width - 4):
            canvas.drawCentredString(width / 2, y, line)
            y -= 12
        if appearance.image:
            _draw_image(canvas, appearance.image, 10, 26, width - 20, y - 26)
        else:
            canvas.setFillColorRGB(*BLUE)
            canvas.setFont(italic, 9)
            canvas.drawCentredString(width / 2, (y + 26) / 2, '(Đã ký số)')
            canvas.setFillColorRGB(*BLACK)
        canvas.setFont(bold, 11)
        canvas.drawCentredString(width / 2, 13, appearance.name)
    elif appearance.style == 'seal':
        radius = min(width, height - 40) / 2 - 2
        cx, cy = width / 2, height - radius - 2
        if appearance.image:
            _draw_image(
                canvas, appearance.image, cx - radius, cy - radius,
                2 * radius, 2 * radius)
        else:
            _draw_seal(canvas, appearance.agency, cx, cy, radius)
        canvas.setFillColorRGB(*RED)
        y = cy - radius - 10
        for line in _wrap(appearance.agency, bold, 7.5, width - 2)[:2]:
            canvas.setFont(bold, 7.5)
            canvas.drawCentredString(width / 2, y, line)
            y -= 9
    else:
        raise SignError(f"unknown appearance {appearance.style!r}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _stamp_size(appearance: Appearance) -> tuple[float, float]:
    if appearance.box:
        x1, y1, x2, y2 = appearance.box
        return abs(x2 - x1), abs(y2 - y1)
    return STAMP_SIZES[appearance.style]


@functools.lru_cache(maxsize=256)
def _stamp_reader(appearance: Appearance) -> PdfFileReader:
    # Parsed once: the reader keeps the objects it resolved, so importing
    # the stamp again only copies them.
    return PdfFileReader(io.BytesIO(render_stamp(appearance)))


_stamp_lock = threading.Lock()


class _StampPage(content.PdfContent):
    "The static part of a stamp, imported as a form XObject"

    def __init__(self, appearance: Appearance):
        super().__init__()
        self.appearance = appearance

    def render(self) -> bytes:
        with _stamp_lock:
            xobj = self._ensure_writer.import_page_as_xobject(
                _stamp_reader(self.appearance))
        name = '/Stamp' + binascii.hexlify(uuid.uuid4().bytes[:6]).decode()
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()['/BBox']
        self.box = layout.BoxConstraints(
            width=abs(x2 - x1), height=abs(y2 - y1))
        return name.encode('ascii') + b' Do'


_TIME_FONT = SimpleFontEngineFactory('Times-Roman', 0.5)
_TIME_COLORS = {'personal': BLUE, 'leader': BLACK, 'seal': RED}


def _stamp_style(appearance: Appearance) -> TextStampStyle:
    x_align = {
        'personal': layout.AxisAlignment.ALIGN_MAX,
        }.get(appearance.style, layout.AxisAlignment.ALIGN_MID)
    return TextStampStyle(
        stamp_text='%(vntime)s',
        text_box_style=TextBoxStyle(
            font=_TIME_FONT, font_size=7 if appearance.style == 'seal' else 8,
            border_width=0, text_color=_TIME_COLORS[appearance.style],
            box_layout_rule=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MIN,
                margins=layout.Margins())),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=x_align, y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(left=4, right=5, bottom=2, top=0),
            inner_content_scaling=layout.InnerScaling.NO_SCALING),
        border_width=0,
        background=_StampPage(appearance),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(),
            inner_content_scaling=layout.InnerScaling.STRETCH_TO_FIT))


def _page_box(reader: PdfFileReader, page: int) -> tuple[int, tuple]:
    count = int(reader.root['/Pages']['/Count'])
    index = page if page >= 0 else count + page
    if not 0 <= index < count:
        raise SignError(f"no page {page + 1}")
    page_obj = reader.find_page_for_modification(index)[0].get_object()
    media = page_obj.get('/CropBox') or page_obj.get('/MediaBox')
    if media is None:
        media = reader.root['/Pages'].get('/MediaBox', [0, 0, 595, 842])
    return index, tuple(float(v) for v in media)


def default_box(
        style: str, media: tuple) -> tuple[float, float, float, float]:
    """Return the default place of a stamp on a page.

    The leader signs at the bottom right (the signature place of the
    Decree 30 layout); the seal covers the left third of that place; a
    personal signature goes at the bottom left.
    """
    mx1, my1, mx2, my2 = media
    lw, lh = STAMP_SIZES['leader']
    leader = (mx2 - 50 - lw, my1 + 60, mx2 - 50, my1 + 60 + lh)
    if style == 'leader':
        return leader
    if style == 'seal':
        sw, sh = STAMP_SIZES['seal']
        x2 = leader[0] + lw / 3
        return (x2 - sw, leader[1] - 10, x2, leader[1] - 10 + sh)
    pw, ph = STAMP_SIZES['personal']
    return (mx1 + 50, my1 + 20, mx1 + 50 + pw, my1 + 20 + ph)


def _field_name(reader: PdfFileReader) -> str:
    names = {name for name, _, _ in fields.enumerate_sig_fields(reader)}
    n = len(names) + 1
    while f'Signature{n}' in names:
        n += 1
    return f'Signature{n}'


@functools.lru_cache(maxsize=256)
def _render_header(lines: tuple[str, ...]) -> bytes:
    "Render the appendix information, right-aligned, serif size 10"
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas
    regular = _fonts()[0]
    width = max(stringWidth(line, regular, 10) for line in lines) + 2
    height = 12 * len(lines) + 2
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setFont(regular, 10)
    canvas.setFillColorRGB(*BLACK)
    y = height - 10
    for line in lines:
        canvas.drawRightString(width - 1, y, line)
        y -= 12
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _write_header(
        writer: IncrementalPdfFileWriter, reader: PdfFileReader,
        lines: tuple[str, ...]):
    "Write lines at the top right of page 1 (appendix information)"
    _, (mx1, my1, mx2, my2) = _page_box(reader, 0)
    stamp = PdfFileReader(io.BytesIO(_render_header(lines)))
    xobj = writer.import_page_as_xobject(stamp)
    x1, y1, x2, y2 = (float(v) for v in xobj.get_object()['/BBox'])
    x = mx2 - 28 - abs(x2 - x1)
    y = my2 - 20 - abs(y2 - y1)
    stream = generic.StreamObject(
        stream_data=b'q 1 0 0 1 %.2f %.2f cm /MvpAppendixInfo Do Q' % (x, y))
    resources = generic.DictionaryObject({
            generic.pdf_name('/XObject'): generic.DictionaryObject({
                    generic.pdf_name('/MvpAppendixInfo'): xobj,
                    }),
            })
    writer.add_stream_to_page(0, writer.add_object(stream), resources)


def _prepare(
        data: bytes, *, appearance: Appearance | None,
        header: str | None, signing_time: datetime | None,
        reason: str | None, location: str | None,
        timestamp_url: str | None,
        validation_context: ValidationContext | None,
        signer: signers.Signer, embed: bool, pades: bool = True):
    reader = open_pdf(data)
    moment = (signing_time or datetime.now(VN_TZ)).astimezone(VN_TZ)
    moment = moment.replace(microsecond=0)
    try:
        writer = IncrementalPdfFileWriter.from_reader(reader)
    except Exception as exception:
        raise PdfError(f"broken PDF: {exception}") from exception
    name = _field_name(reader)
    if header:
        _write_header(writer, reader, (header, moment.isoformat()))
    style = None
    if appearance:
        page, media = _page_box(reader, appearance.page)
        box = appearance.box or default_box(appearance.style, media)
        spec = fields.SigFieldSpec(
            name, on_page=page, box=tuple(int(round(v)) for v in box))
        style = _stamp_style(appearance)
    else:
        spec = fields.SigFieldSpec(name)
    meta = signers.PdfSignatureMetadata(
        field_name=name, md_algorithm='sha256',
        subfilter=(
            fields.SigSeedSubFilter.PADES if pades
            else fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED),
        reason=reason, location=location,
        embed_validation_info=embed,
        validation_context=validation_context if embed else None)
    timestamper = (
        timestamps.HTTPTimeStamper(timestamp_url, timeout=10)
        if timestamp_url else None)
    pdf_signer = signers.PdfSigner(
        meta, signer, timestamper=timestamper, stamp_style=style,
        new_field_spec=spec)
    return writer, pdf_signer, moment, name


def sign_pdf(
        data: bytes, signer: signers.Signer, *,
        appearance: Appearance | None = None,
        header: str | None = None,
        signing_time: datetime | None = None,
        reason: str | None = None, location: str | None = None,
        timestamp_url: str | None = None,
        validation_context: ValidationContext | None = None,
        bytes_reserved: int | None = None,
        pades: bool = True) -> SignResult:
    """Sign a PDF (PAdES, ``ETSI.CAdES.detached``) in an incremental update.

    :param data: the PDF to sign.
    :param signer: a pyHanko signer, see :mod:`.keys`.
    :param appearance: the visible stamp, or ``None`` for an invisible
        signature.
    :param header: for an appendix: the number and notation, written with
        the ISO 8601 signing time at the top right of page 1.
    :param timestamp_url: RFC 3161 timestamp authority: PAdES B-T.
    :param validation_context: trust roots and revocation sources; when
        given, the revocation data found is embedded (B-LT).  If the
        certificate cannot be validated, the PDF is signed without it.
    :param pades: ``ETSI.CAdES.detached`` (PAdES, the default) or the
        older ``adbe.pkcs7.detached``.
    :raises PdfError: the input is not a readable, unencrypted PDF.
    :raises SignError: pyHanko, the token or the TSA failed.
    """
    if bytes_reserved is None:
        bytes_reserved = _reserve(signer)
        if timestamp_url:
            bytes_reserved += BYTES_RESERVED_TIMESTAMP
        if validation_context and not pades:
            bytes_reserved += BYTES_RESERVED_TIMESTAMP
    attempts = [True, False] if validation_context else [False]
    while attempts:
        embed = attempts[0]
        writer, pdf_signer, moment, name = _prepare(
            data, appearance=appearance, header=header,
            signing_time=signing_time, reason=reason, location=location,
            timestamp_url=timestamp_url,
            validation_context=validation_context, signer=signer,
            embed=embed, pades=pades)
        try:
            output = pdf_signer.sign_pdf(
                writer, bytes_reserved=bytes_reserved,
                appearance_text_params={'vntime': moment.isoformat()})
        except Exception as exception:
            if 'larger than expected' in str(exception) and (
                    bytes_reserved < 1 << 20):
                bytes_reserved *= 2
                continue
            if embed and not _is_transport_error(exception):
                attempts.pop(0)
                continue
            raise SignError(str(exception) or repr(exception)) \
                from exception
        break
    signed = output.getvalue()
    return SignResult(
        data=signed, level=_level(signed, bool(timestamp_url)),
        signing_time=moment, field_name=name)


def _reserve(signer: signers.Signer) -> int:
    """Return the hexadecimal digits to reserve for the CMS container.

    A tight reservation matters: verifiers read the /Contents string one
    token at a time.  The certificates dominate the size; signed
    attributes, the signature value (up to RSA-4096) and the structure
    fit in 2 KB.  A container that does not fit is retried larger.
    """
    size = getattr(signer, '_mvp_reserve', None)
    if size is None:
        certs = list(signer.cert_registry or ())
        if signer.signing_cert is not None:
            certs.append(signer.signing_cert)
        size = 2 * (sum(len(c.dump()) for c in certs) + 2048)
        size = (size + 511) // 512 * 512
        try:
            signer._mvp_reserve = size
        except AttributeError:
            pass
    return size


def _is_transport_error(exception: Exception) -> bool:
    return 'timestamp' in type(exception).__name__.lower()


def _level(data: bytes, timestamped: bool) -> str:
    reader = PdfFileReader(io.BytesIO(data))
    try:
        dss = reader.root['/DSS']
    except KeyError:
        dss = None
    if dss is not None and ('/CRLs' in dss or '/OCSPs' in dss):
        return 'B-LT'
    return 'B-T' if timestamped else 'B-B'


@dataclass(frozen=True)
class PreparedSignature:
    """A PDF waiting for a signature made outside the server.

    The external signer (the official's USB token) signs
    :attr:`signed_attrs` with SHA-256 and RSA PKCS#1 v1.5, or equivalently
    signs the pre-computed :attr:`digest`.  Everything here is plain data
    that can be stored between the two calls.
    """

    pdf: bytes
    "The document with the signature placeholder."
    signed_attrs: bytes
    "DER-encoded CMS signed attributes: the bytes to sign."
    digest: bytes
    "SHA-256 of :attr:`signed_attrs`."
    document_digest: bytes
    "SHA-256 of the PDF byte ranges."
    reserved_region_start: int
    reserved_region_end: int
    signing_cert: bytes
    "DER certificate of the signer."
    chain: tuple[bytes, ...] = field(default=())
    "DER certificates of the issuing CAs."
    signing_time: datetime | None = None
    field_name: str = ''


def _certs(ders: tuple[bytes, ...]) -> list[asn1_x509.Certificate]:
    from pyhanko.keys import load_certs_from_pemder_data
    certs = []
    for der in ders:
        certs.extend(load_certs_from_pemder_data(der))
    return certs


def prepare_external(
        data: bytes, signing_cert: bytes, chain: tuple[bytes, ...] = (), *,
        appearance: Appearance | None = None, header: str | None = None,
        signing_time: datetime | None = None,
        reason: str | None = None, location: str | None = None,
        bytes_reserved: int = BYTES_RESERVED) -> PreparedSignature:
    """First half of an external (USB token) signature.

    Lays out the signature field and appearance, reserves the container
    and returns what the token must sign (pyHanko interrupted signing).

    :raises PdfError: the input is not a readable, unencrypted PDF.
    :raises SignError: the certificate cannot be read.
    """
    try:
        cert, = _certs((signing_cert,))[:1]
        ca_certs = _certs(chain)
    except Exception as exception:
        raise SignError(f"bad certificate: {exception}") from exception
    external = signers.ExternalSigner(
        signing_cert=cert,
        cert_registry=SimpleCertificateStore.from_certs(ca_certs),
        signature_value=256)
    writer, pdf_signer, moment, name = _prepare(
        data, appearance=appearance, header=header,
        signing_time=signing_time, reason=reason, location=location,
        timestamp_url=None, validation_context=None, signer=external,
        embed=False)

    async def run():
        prepared, tbs, output = await pdf_signer.async_digest_doc_for_signing(
            writer, bytes_reserved=bytes_reserved,
            appearance_text_params={'vntime': moment.isoformat()})
        attrs = await external.signed_attrs(
            prepared.document_digest, 'sha256', use_pades=True)
        return prepared, output, attrs

    try:
        prepared, output, attrs = asyncio.run(run())
    except Exception as exception:
        raise SignError(str(exception) or repr(exception)) from exception
    import hashlib
    attrs_der = attrs.dump()
    return PreparedSignature(
        pdf=output.getvalue(), signed_attrs=attrs_der,
        digest=hashlib.sha256(attrs_der).digest(),
        document_digest=prepared.document_digest,
        reserved_region_start=prepared.reserved_region_start,
        reserved_region_end=prepared.reserved_region_end,
        signing_cert=cert.dump(), chain=tuple(c.dump() for c in ca_certs),
        signing_time=moment, field_name=name)


def finish_external(
        prepared: PreparedSignature, signature_value: bytes) -> bytes:
    """Second half of an external signature: embed the signature value.

    :param signature_value: RSA PKCS#1 v1.5 (or ECDSA) signature of
        :attr:`PreparedSignature.signed_attrs` with SHA-256.
    :raises SignError: the value does not verify with the certificate.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    cert = x509.load_der_x509_certificate(prepared.signing_cert)
    public_key = cert.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(
                signature_value, prepared.signed_attrs, padding.PKCS1v15(),
                hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(
                signature_value, prepared.signed_attrs,
                ec.ECDSA(hashes.SHA256()))
        else:
            raise SignError("unsupported key type")
    except SignError:
        raise
    except Exception as exception:
        raise SignError(
            "the signature value does not match the certificate"
            ) from exception
    external = signers.ExternalSigner(
        signing_cert=asn1_x509.Certificate.load(prepared.signing_cert),
        cert_registry=SimpleCertificateStore.from_certs(
            _certs(prepared.chain)),
        signature_value=signature_value)

    async def run():
        signed_cms = await external.async_sign_prescribed_attributes(
            'sha256', signed_attrs=cms.CMSAttributes.load(
                prepared.signed_attrs))
        output = io.BytesIO(prepared.pdf)
        await PdfTBSDocument.async_finish_signing(
            output, PreparedByteRangeDigest(
                document_digest=prepared.document_digest,
                reserved_region_start=prepared.reserved_region_start,
                reserved_region_end=prepared.reserved_region_end),
            signed_cms)
        return output.getvalue()

    try:
        return asyncio.run(run())
    except Exception as exception:
        raise SignError(str(exception) or repr(exception)) from exception
