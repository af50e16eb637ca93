# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Printed tables: the one writer of every register and list as PDF
(reportlab) and as .xlsx (xlsxwriter).

The registers of Decree 30/2020 (Phụ lục IV: sổ đăng ký văn bản đến,
văn bản đi), the dossier lists (mục lục văn bản, mục lục hồ sơ nộp lưu),
the weekly schedule and the statistics share one layout: the agency top
left, the title and its lines centred, the column headings (with their
numbers (1), (2)... under them on the registers) repeated on every page,
the pages numbered.  The PDF is in the serif face of :mod:`.fonts`, the
workbook in Times New Roman, the font of the Decree.

Pure functions over a :class:`Table`, no Pool: the models gather the rows.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

from .fonts import register_fonts

__all__ = ['Column', 'Table', 'table_pdf', 'table_xlsx', 'format_value',
    'KINDS', 'tables_pdf', 'tables_xlsx']

#: How the values of a column print; the last three are numbers, right
#: aligned in the PDF and kept as numbers in the workbook
KINDS = ('text', 'date', 'count', 'percent', 'days')
NUMBERS = {'count', 'percent', 'days'}

XLSX_FONT = {'font_name': 'Times New Roman', 'font_size': 11}
#: The width in characters the columns of a sheet share, as printed on
#: one A4 page across (portrait, landscape), and the bounds of a column
XLSX_PAGE_WIDTH = {False: 120, True: 180}
XLSX_COLUMN_WIDTH = (8, 60)
XLSX_NUMBER_FORMATS = {
    'count': '0',
    'percent': '0.0"%"',
    'days': '0.0',
    'date': 'dd/mm/yyyy',
    'datetime': 'dd/mm/yyyy hh:mm',
    }


@dataclass(frozen=True)
class Column:
    "A column of a printed table."

    heading: str
    width: float = 1
    "Relative width: the columns share the page in these proportions."
    kind: str = 'text'
    "One of :data:`KINDS`."

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError('unknown kind of column: %r' % self.kind)


@dataclass(frozen=True)
class Table:
    "What a printed table holds, for :func:`table_pdf` and table_xlsx."

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    """The cells of each row in the order of columns: text, numbers,
    dates or datetimes; None is a blank cell.  Read once."""
    subtitle: Sequence[str] = ()
    "Lines centred under the title (register, period, scope)."
    agency: str = ''
    "The agency, in bold at the top left (Decree 30's heading)."
    parent_agency: str = ''
    "Its governing body, above it."
    total: Sequence | None = None
    "A last row in bold, ruled off from the others."
    footer: Sequence[str] = ()
    "Lines under the table (totals in words, who signs)."
    landscape: bool = False
    numbered: bool = False
    "Number the columns (1), (2)... in a second header row."
    font_size: float = 10
    "Of the cells in the PDF; many columns need a smaller one."
    sheet_name: str = ''
    "The name of the sheet of the workbook; the title by default."


def format_value(value, kind: str = 'text') -> str:
    """Return the printed text of a cell, Vietnamese style

    >>> format_value(Decimal('66.7'), 'percent')
    '66,7%'
    >>> format_value(12345, 'count')
    '12.345'
    >>> format_value(dt.datetime(2026, 3, 2, 14, 5), 'date')
    '02/03/2026 14:05'
    """
    if value is None:
        return ''
    if isinstance(value, dt.datetime):
        return value.strftime('%d/%m/%Y %H:%M')
    if isinstance(value, dt.date):
        return value.strftime('%d/%m/%Y')
    if kind not in NUMBERS or isinstance(value, str):
        return str(value)
    if kind == 'count':
        return '{:,}'.format(int(value)).replace(',', '.')
    text = ('%.1f' % Decimal(value)).replace('.', ',')
    return text + '%' if kind == 'percent' else text


def _paragraph(text: str, style):
    from reportlab.platypus import Paragraph
    return Paragraph(escape(text).replace('\n', '<br/>'), style)


def _pdf_styles(font_size: float) -> dict:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    regular, bold, italic, _ = register_fonts()
    cell = ParagraphStyle('cell', fontName=regular, fontSize=font_size,
        leading=font_size * 1.2)
    return {
        'cell': cell,
        'total': ParagraphStyle('total', parent=cell, fontName=bold),
        'head': ParagraphStyle('head', parent=cell, fontName=bold,
            alignment=TA_CENTER),
        'parent_agency': ParagraphStyle('parent_agency', fontName=regular,
            fontSize=11, leading=14),
        'agency': ParagraphStyle('agency', fontName=bold, fontSize=12,
            leading=15),
        'title': ParagraphStyle('title', fontName=bold, fontSize=14,
            leading=18, alignment=TA_CENTER),
        'subtitle': ParagraphStyle('subtitle', fontName=italic,
            fontSize=12, leading=15, alignment=TA_CENTER),
        'footer': ParagraphStyle('footer', fontName=regular, fontSize=11,
            leading=14),
        }


def _pdf_heading(table: Table, styles: dict) -> list:
    "Return the agency, the title and its lines"
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer
    story = []
    if table.parent_agency:
        story.append(_paragraph(table.parent_agency, styles['parent_agency']))
    if table.agency:
        story.append(_paragraph(table.agency, styles['agency']))
    if story:
        story.append(Spacer(0, 6 * mm))
    story.append(_paragraph(table.title, styles['title']))
    story += [_paragraph(line, styles['subtitle']) for line in table.subtitle]
    story.append(Spacer(0, 5 * mm))
    return story


def _pdf_grid(table: Table, width: float, styles: dict):
    "Return the reportlab table, its header rows repeated on every page"
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    columns = table.columns

    def cells(row, style):
        # Numbers stay plain strings: a column of figures does not wrap
        return [format_value(value, column.kind)
            if column.kind in NUMBERS
            else _paragraph(format_value(value, column.kind), style)
            for column, value in zip(columns, row, strict=True)]

    data = [[_paragraph(c.heading, styles['head']) for c in columns]]
    if table.numbered:
        data.append([_paragraph('(%s)' % i, styles['head'])
                for i in range(1, len(columns) + 1)])
    header_rows = len(data)
    data += [cells(row, styles['cell']) for row in table.rows]
    cell = styles['cell']
    style = [
        ('FONT', (0, 0), (-1, -1), cell.fontName, cell.fontSize),
        ('GRID', (0, 0), (-1, -1), 0.5, colors.black),
        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
        ('VALIGN', (0, 0), (-1, header_rows - 1), 'MIDDLE'),
        ]
    style += [('ALIGN', (i, header_rows), (i, -1), 'RIGHT')
        for i, column in enumerate(columns) if column.kind in NUMBERS]
    if table.total is not None:
        data.append(cells(table.total, styles['total']))
        style += [
            ('FONT', (0, -1), (-1, -1), styles['total'].fontName,
                cell.fontSize),
            ('LINEABOVE', (0, -1), (-1, -1), 1.2, colors.black),
            ]
    total = sum(c.width for c in columns)
    grid = LongTable(data, repeatRows=header_rows,
        colWidths=[width * c.width / total for c in columns])
    grid.setStyle(TableStyle(style))
    return grid


def table_pdf(table: Table) -> bytes:
    """Return the table as an A4 PDF, its header repeated and its pages
    numbered

    :raises fonts.FontError: no serif font with Vietnamese glyphs
    """
    return tables_pdf([table])


def tables_pdf(tables: Sequence[Table]) -> bytes:
    """Return the tables one after the other in one A4 PDF (a report of
    several sections); the page, the author and the fonts are the first
    table's

    :raises fonts.FontError: no serif font with Vietnamese glyphs
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    table = tables[0]
    styles = _pdf_styles(table.font_size)
    size = landscape(A4) if table.landscape else A4
    margin = 12 * mm
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=size, leftMargin=margin + 3 * mm,
        rightMargin=margin, topMargin=margin, bottomMargin=margin + 4 * mm,
        title=table.title, author=table.agency)
    story = []
    for table in tables:
        if story:
            story.append(Spacer(0, 8 * mm))
        story += _pdf_heading(table, styles)
        story.append(_pdf_grid(table, document.width, styles))
        if table.footer:
            story.append(Spacer(0, 5 * mm))
            story += [_paragraph(line, styles['footer'])
                for line in table.footer]

    def page_number(canvas, doc):
        canvas.saveState()
        canvas.setFont(styles['cell'].fontName, 9)
        canvas.drawRightString(
            size[0] - margin, margin / 2, "Trang %s" % doc.page)
        canvas.restoreState()

    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    "Return name as Excel accepts it: 31 characters, none of []:*?/\\"
    name = re.sub(r'[\[\]:*?/\\]', ' ', name).strip().strip("'")
    return name[:31] or 'Sheet1'


def _xlsx_formats(workbook) -> tuple[dict, dict]:
    "Return the formats of the cells and of the total row by kind"
    base = {**XLSX_FONT, 'border': 1, 'valign': 'top'}
    specs = {'text': {**base, 'text_wrap': True}}
    specs.update((kind, {**base, 'num_format': number_format})
        for kind, number_format in XLSX_NUMBER_FORMATS.items())
    cells = {k: workbook.add_format(v) for k, v in specs.items()}
    totals = {k: workbook.add_format({**v, 'bold': True, 'top': 2})
        for k, v in specs.items()}
    return cells, totals


def _write_cell(sheet, row: int, col: int, value, kind: str,
        formats: dict) -> None:
    "Write value keeping dates and figures as such, for re-computation"
    if value is None or value == '':
        sheet.write_blank(row, col, None, formats[kind])
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(
            row, col, value.replace(tzinfo=None), formats['datetime'])
    elif isinstance(value, dt.date):
        sheet.write_datetime(
            row, col, dt.datetime.combine(value, dt.time()), formats['date'])
    elif (kind in NUMBERS and isinstance(value, (int, float, Decimal))
            and not isinstance(value, bool)):
        sheet.write_number(row, col, float(value)
            if isinstance(value, Decimal) else value, formats[kind])
    else:
        sheet.write_string(row, col, str(value), formats['text'])


def _xlsx_heading(workbook, sheet, table: Table) -> int:
    "Write the agency, the title and its lines; return the next row"
    last = len(table.columns) - 1

    def centred(row, text, style):
        fmt = workbook.add_format({**XLSX_FONT, **style, 'align': 'center'})
        if last:
            sheet.merge_range(row, 0, row, last, text, fmt)
        else:
            sheet.write_string(row, 0, text, fmt)

    row = 0
    if table.parent_agency:
        sheet.write_string(row, 0, table.parent_agency,
            workbook.add_format(XLSX_FONT))
        row += 1
    if table.agency:
        sheet.write_string(row, 0, table.agency,
            workbook.add_format({**XLSX_FONT, 'bold': True}))
        row += 1
    if row:
        row += 1
    centred(row, table.title, {'bold': True, 'font_size': 14})
    row += 1
    for line in table.subtitle:
        centred(row, line, {'italic': True})
        row += 1
    return row + 1


def table_xlsx(table: Table) -> bytes:
    """Return the table as a workbook of one sheet, ready to print on A4
    with its header repeated on every page"""
    return tables_xlsx([table])


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    "Return the tables as a workbook of one sheet each (see table_xlsx)"
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    for table in tables:
        _xlsx_sheet(workbook, table)
    workbook.close()
    return buffer.getvalue()


def _xlsx_sheet(workbook, table: Table) -> None:
    "Add a sheet holding table to workbook"
    sheet = workbook.add_worksheet(
        _sheet_name(table.sheet_name or table.title))
    header_row = _xlsx_heading(workbook, sheet, table)
    head = workbook.add_format({**XLSX_FONT, 'bold': True, 'text_wrap': True,
            'align': 'center', 'valign': 'vcenter', 'border': 1})
    total = sum(c.width for c in table.columns)
    page = XLSX_PAGE_WIDTH[table.landscape]
    for col, column in enumerate(table.columns):
        narrowest, widest = XLSX_COLUMN_WIDTH
        sheet.set_column(col, col, min(widest, max(narrowest,
                    page * column.width / total)))
        sheet.write_string(header_row, col, column.heading, head)
        if table.numbered:
            sheet.write_string(header_row + 1, col, '(%s)' % (col + 1), head)
    row = header_row + (2 if table.numbered else 1)
    sheet.repeat_rows(header_row, row - 1)
    sheet.freeze_panes(row, 1)

    cells, totals = _xlsx_formats(workbook)
    lines = zip(table.rows, itertools.repeat(cells))
    if table.total is not None:
        lines = itertools.chain(lines, [(table.total, totals)])
    for values, formats in lines:
        for col, (column, value) in enumerate(
                zip(table.columns, values, strict=True)):
            _write_cell(sheet, row, col, value, column.kind, formats)
        row += 1
    if table.footer:
        row += 1
        text = workbook.add_format(XLSX_FONT)
        for line in table.footer:
            sheet.write_string(row, 0, line, text)
            row += 1

    if table.landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_footer('&RTrang &P/&N')
