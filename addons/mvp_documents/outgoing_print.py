# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed forms of outgoing documents: the draft with its initials and the
outgoing register (Decree 30/2020, Phụ lục IV).  Plain functions, no Pool:
they take the texts to print and return the bytes of a PDF or an .xlsx."""
import io
from dataclasses import dataclass, field

from . import tables
from .fonts import register_fonts

__all__ = ['DraftPrint', 'render_draft_pdf',
    'render_register_pdf', 'render_register_xlsx']

# registered by fonts.register_fonts with -Bold, -Italic, -BoldItalic
FONT = 'MvpSerif'
#: Relative widths of the outgoing register's columns, in the proportions
#: of the Decree's form
REGISTER_WIDTHS = [19, 13, 36, 15, 25, 15, 8, 13, 12, 12]


@dataclass
class DraftPrint:
    agency: str
    parent_agency: str = ''
    notation: str = ''
    place_date: str = ''
    type_name: str = ''
    subject: str = ''
    recipients: list[str] = field(default_factory=list)
    signer_position: str = ''
    signer_name: str = ''
    version: int | None = None
    # (role, name, position, date text) of each initial (ký nháy)
    initials: list[tuple[str, str, str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


def _register_fonts():
    register_fonts()


def _styles():
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    base = ParagraphStyle('base', fontName=FONT, fontSize=13, leading=16)
    return {
        'base': base,
        'center': ParagraphStyle(
            'center', parent=base, alignment=TA_CENTER),
        'bold_center': ParagraphStyle(
            'bold_center', parent=base, alignment=TA_CENTER,
            fontName=FONT + '-Bold'),
        'italic_center': ParagraphStyle(
            'italic_center', parent=base, alignment=TA_CENTER,
            fontName=FONT + '-Italic'),
        'small': ParagraphStyle(
            'small', parent=base, fontSize=11, leading=13),
        'small_bold_italic': ParagraphStyle(
            'small_bold_italic', parent=base, fontSize=12, leading=14,
            fontName=FONT + '-BoldItalic'),
        'cell': ParagraphStyle('cell', parent=base, fontSize=10, leading=12),
        'cell_head': ParagraphStyle(
            'cell_head', parent=base, fontSize=10, leading=12,
            fontName=FONT + '-Bold', alignment=TA_CENTER),
        }


def _p(text, style):
    from reportlab.platypus import Paragraph
    from xml.sax.saxutils import escape
    return Paragraph(escape(text or '').replace('\n', '<br/>'), style)


def render_draft_pdf(draft: DraftPrint) -> bytes:
    "Return the PDF of a draft with the initials block (ký nháy)"
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table

    _register_fonts()
    styles = _styles()
    labels = draft.labels
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm,
        topMargin=20 * mm, bottomMargin=20 * mm,
        title=draft.subject[:100], author=draft.agency)

    def watermark(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT + '-Bold', 11)
        canvas.setFillColor(colors.red)
        canvas.drawRightString(
            A4[0] - 15 * mm, A4[1] - 12 * mm,
            labels.get('draft', 'DRAFT') + (
                f' {draft.version}' if draft.version else ''))
        canvas.restoreState()

    header = Table([[
                [_p(draft.parent_agency.upper(), styles['center']),
                    _p(draft.agency.upper(), styles['bold_center']),
                    _p(draft.notation, styles['center'])],
                [_p(labels.get('nation', ''), styles['bold_center']),
                    _p(labels.get('motto', ''), styles['bold_center']),
                    _p(draft.place_date, styles['italic_center'])],
                ]], colWidths=[70 * mm, 95 * mm])
    header.setStyle([('VALIGN', (0, 0), (-1, -1), 'TOP')])
    story = [header, Spacer(1, 10 * mm),
        _p(draft.type_name.upper(), styles['bold_center']),
        _p(draft.subject, styles['bold_center']),
        Spacer(1, 15 * mm)]
    recipients = [_p(labels.get('recipients', 'Recipients:'),
            styles['small_bold_italic'])]
    recipients += [_p(f'- {r};', styles['small']) for r in draft.recipients]
    signature = [_p(draft.signer_position.upper(), styles['bold_center']),
        Spacer(1, 22 * mm),
        _p(draft.signer_name, styles['bold_center'])]
    closing = Table([[recipients, signature]],
        colWidths=[85 * mm, 80 * mm])
    closing.setStyle([('VALIGN', (0, 0), (-1, -1), 'TOP')])
    story += [closing, Spacer(1, 15 * mm)]

    head = [_p(labels.get(k, k), styles['cell_head'])
        for k in ['role', 'name', 'position', 'date']]
    rows = [[_p(v, styles['cell']) for v in initial]
        for initial in draft.initials]
    if not rows:
        rows = [[_p(labels.get('no_initials', '-'), styles['cell']),
                '', '', '']]
    story.append(_p(labels.get('initials', 'Initials'), styles['bold_center']))
    story.append(Spacer(1, 3 * mm))
    table = Table([head] + rows, repeatRows=1,
        colWidths=[35 * mm, 50 * mm, 45 * mm, 35 * mm])
    table.setStyle([
            ('GRID', (0, 0), (-1, -1), 0.5, colors.black),
            ('VALIGN', (0, 0), (-1, -1), 'TOP'),
            ])
    story.append(table)
    document.build(story, onFirstPage=watermark, onLaterPages=watermark)
    return buffer.getvalue()


def _register_table(title: str, subtitle: str, headers: list[str],
        rows: list[list[str]]) -> tables.Table:
    widths = (REGISTER_WIDTHS + [10] * len(headers))[:len(headers)]
    return tables.Table(title.upper(),
        [tables.Column(h, w) for h, w in zip(headers, widths, strict=True)],
        rows, subtitle=[subtitle], landscape=True, numbered=True,
        sheet_name=title)


def render_register_pdf(
        title: str, subtitle: str, headers: list[str],
        rows: list[list[str]]) -> bytes:
    "Return the register as a landscape A4 PDF with one column per header"
    return tables.table_pdf(_register_table(title, subtitle, headers, rows))


def render_register_xlsx(
        title: str, subtitle: str, headers: list[str],
        rows: list[list[str]]) -> bytes:
    "Return the register as an .xlsx workbook with one sheet"
    return tables.table_xlsx(_register_table(title, subtitle, headers, rows))
