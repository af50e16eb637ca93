# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed forms of outgoing documents: the draft with its initials and the
outgoing register (Decree 30/2020, Phụ lục IV).  Plain functions, no Pool:
they take the texts to print and return the bytes of a PDF or an .xlsx."""
import io
from dataclasses import dataclass, field

from .fonts import register_fonts

__all__ = ['DraftPrint', 'render_draft_pdf',
    'render_register_pdf', 'render_register_xlsx']

# registered by fonts.register_fonts with -Bold, -Italic, -BoldItalic
FONT = 'MvpSerif'


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


def render_register_pdf(
        title: str, subtitle: str, headers: list[str],
        rows: list[list[str]]) -> bytes:
    "Return the register as a landscape A4 PDF with one column per header"
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table

    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    pagesize = landscape(A4)
    document = SimpleDocTemplate(
        buffer, pagesize=pagesize, leftMargin=10 * mm, rightMargin=10 * mm,
        topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    # Widths in the proportions of the Decree's form
    weights = [19, 13, 38, 15, 25, 15, 6, 13, 12, 12]
    weights = (weights + [10] * len(headers))[:len(headers)]
    width = pagesize[0] - 20 * mm
    widths = [width * w / sum(weights) for w in weights]
    numbers = [f'({i})' for i in range(1, len(headers) + 1)]
    data = [[_p(h, styles['cell_head']) for h in headers],
        [_p(n, styles['cell_head']) for n in numbers]]
    data += [[_p(str(v) if v is not None else '', styles['cell'])
                for v in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=2)
    table.setStyle([
            ('GRID', (0, 0), (-1, -1), 0.5, colors.black),
            ('VALIGN', (0, 0), (-1, -1), 'TOP'),
            ])

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawRightString(
            pagesize[0] - 10 * mm, 6 * mm, str(doc.page))
        canvas.restoreState()

    document.build([
            _p(title.upper(), styles['bold_center']),
            _p(subtitle, styles['italic_center']),
            Spacer(1, 5 * mm), table],
        onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def render_register_xlsx(
        title: str, subtitle: str, headers: list[str],
        rows: list[list[str]]) -> bytes:
    "Return the register as an .xlsx workbook with one sheet"
    import xlsxwriter
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    sheet = workbook.add_worksheet(title[:31])
    font = {'font_name': 'Times New Roman', 'font_size': 11}
    bold = workbook.add_format({**font, 'bold': True, 'align': 'center'})
    head = workbook.add_format({**font, 'bold': True, 'align': 'center',
            'valign': 'vcenter', 'text_wrap': True, 'border': 1})
    cell = workbook.add_format({**font, 'text_wrap': True, 'border': 1,
            'valign': 'top'})
    italic = workbook.add_format({**font, 'italic': True, 'align': 'center'})
    last = len(headers) - 1
    sheet.merge_range(0, 0, 0, last, title.upper(), bold)
    sheet.merge_range(1, 0, 1, last, subtitle, italic)
    widths = [14, 12, 45, 18, 30, 18, 8, 12, 12, 14]
    for i, header in enumerate(headers):
        sheet.set_column(i, i, widths[i] if i < len(widths) else 12)
        sheet.write(3, i, header, head)
        sheet.write(4, i, f'({i + 1})', head)
    for r, row in enumerate(rows, 5):
        for c, value in enumerate(row):
            sheet.write(r, c, value if value is not None else '', cell)
    sheet.freeze_panes(5, 0)
    sheet.repeat_rows(3, 4)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    workbook.close()
    return buffer.getvalue()
