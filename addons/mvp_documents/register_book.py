# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Print the incoming register (sổ đăng ký văn bản đến) and the
processing slip (phiếu giải quyết văn bản đến) of Decree 30/2020,
Phụ lục IV, as PDF (reportlab) and the register also as .xlsx
(xlsxwriter).

Pure functions over dataclasses: the models gather the rows.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .fonts import register_fonts

__all__ = ['RegisterRow', 'RegisterBook', 'register_pdf', 'register_xlsx',
    'Instruction', 'Slip', 'slip_pdf', 'REGISTER_COLUMNS']

#: The ten columns of the incoming register (Phụ lục IV) and their
#: relative widths
REGISTER_COLUMNS = [
    ("Ngày đến", 9.5),
    ("Số đến", 5),
    ("Tác giả", 13),
    ("Số, ký hiệu văn bản", 12),
    ("Ngày tháng văn bản", 9.5),
    ("Tên loại và trích yếu nội dung văn bản", 24),
    ("Đơn vị hoặc người nhận", 12),
    ("Ngày chuyển", 9.5),
    ("Ký nhận", 7),
    ("Ghi chú", 9),
    ]


@dataclass(frozen=True)
class RegisterRow:
    "One document in the incoming register."

    arrival_date: dt.datetime | dt.date
    arrival_number: int | str
    issuer: str
    notation: str
    issue_date: dt.date | None
    type_and_subject: str
    recipients: str = ''
    transfer_date: dt.date | None = None
    notes: str = ''


@dataclass(frozen=True)
class RegisterBook:
    "An incoming register for a period."

    agency: str
    register: str
    start_date: dt.date
    end_date: dt.date
    rows: tuple[RegisterRow, ...]
    parent_agency: str = ''


def _date(value) -> str:
    if value is None:
        return ''
    if isinstance(value, dt.datetime):
        return value.strftime('%d/%m/%Y %H:%M')
    return value.strftime('%d/%m/%Y')


def _number(value) -> str:
    if isinstance(value, int):
        return '%02d' % value
    return str(value or '')


def _cells(row: RegisterRow) -> list[str]:
    return [_date(row.arrival_date), _number(row.arrival_number),
        row.issuer or '', row.notation or '', _date(row.issue_date),
        row.type_and_subject or '', row.recipients or '',
        _date(row.transfer_date), '', row.notes or '']


def _numbers(book: RegisterBook) -> tuple[str, str]:
    if not book.rows:
        return '', ''
    return _number(book.rows[0].arrival_number), _number(
        book.rows[-1].arrival_number)


def _title_lines(book: RegisterBook) -> list[str]:
    first, last = _numbers(book)
    lines = [
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        book.register,
        "Từ ngày %s đến ngày %s" % (
            _date(book.start_date), _date(book.end_date)),
        ]
    if first:
        lines.append("Từ số %s đến số %s" % (first, last))
    return lines


def register_pdf(book: RegisterBook) -> bytes:
    "Return the register as an A4 landscape PDF, header repeated per page."
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle)

    regular, bold, italic, _ = register_fonts()
    cell = ParagraphStyle('cell', fontName=regular, fontSize=10, leading=12)
    head = ParagraphStyle(
        'head', parent=cell, fontName=bold, alignment=TA_CENTER)
    agency = ParagraphStyle(
        'agency', fontName=bold, fontSize=12, leading=15)
    title = ParagraphStyle(
        'title', fontName=bold, fontSize=16, leading=20, alignment=TA_CENTER)
    subtitle = ParagraphStyle(
        'subtitle', fontName=italic, fontSize=12, leading=15,
        alignment=TA_CENTER)

    buffer = io.BytesIO()
    size = landscape(A4)
    margin = 12 * mm
    document = SimpleDocTemplate(
        buffer, pagesize=size, leftMargin=margin, rightMargin=margin,
        topMargin=margin, bottomMargin=margin + 4 * mm,
        title="Sổ đăng ký văn bản đến", author=book.agency)
    story = []
    if book.parent_agency:
        story.append(Paragraph(escape(book.parent_agency.upper()), cell))
    story.append(Paragraph(escape(book.agency.upper()), agency))
    story.append(Spacer(0, 6 * mm))
    lines = _title_lines(book)
    story.append(Paragraph(escape(lines[0]), title))
    for line in lines[1:]:
        story.append(Paragraph(escape(line), subtitle))
    story.append(Spacer(0, 6 * mm))

    width = size[0] - 2 * margin
    total = sum(w for _, w in REGISTER_COLUMNS)
    widths = [width * w / total for _, w in REGISTER_COLUMNS]
    data = [
        [Paragraph(escape(name), head) for name, _ in REGISTER_COLUMNS],
        [Paragraph('(%s)' % i, head)
            for i in range(1, len(REGISTER_COLUMNS) + 1)],
        ]
    for row in book.rows:
        data.append([Paragraph(escape(c), cell) for c in _cells(row)])
    table = Table(data, colWidths=widths, repeatRows=2)
    table.setStyle(TableStyle([
                ('GRID', (0, 0), (-1, -1), 0.5, colors.black),
                ('VALIGN', (0, 0), (-1, -1), 'TOP'),
                ('VALIGN', (0, 0), (-1, 1), 'MIDDLE'),
                ]))
    story.append(table)

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 9)
        canvas.drawRightString(
            size[0] - margin, margin / 2, "Trang %s" % doc.page)
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def register_xlsx(book: RegisterBook) -> bytes:
    "Return the register as an .xlsx workbook ready to print."
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    sheet = workbook.add_worksheet("Sổ văn bản đến")
    base = {'font_name': 'Times New Roman', 'font_size': 11}
    plain = workbook.add_format(
        {**base, 'text_wrap': True, 'valign': 'top', 'border': 1})
    date_format = workbook.add_format(
        {**base, 'valign': 'top', 'border': 1, 'num_format': 'dd/mm/yyyy'})
    datetime_format = workbook.add_format(
        {**base, 'valign': 'top', 'border': 1,
            'num_format': 'dd/mm/yyyy hh:mm'})
    header = workbook.add_format({**base, 'bold': True, 'text_wrap': True,
            'align': 'center', 'valign': 'vcenter', 'border': 1})
    title = workbook.add_format(
        {**base, 'bold': True, 'font_size': 14, 'align': 'center'})
    subtitle = workbook.add_format({**base, 'italic': True,
            'align': 'center'})
    bold = workbook.add_format({**base, 'bold': True})

    last = len(REGISTER_COLUMNS) - 1
    row = 0
    if book.parent_agency:
        sheet.write(row, 0, book.parent_agency.upper(), workbook.add_format(
                base))
        row += 1
    sheet.write(row, 0, book.agency.upper(), bold)
    row += 2
    lines = _title_lines(book)
    sheet.merge_range(row, 0, row, last, lines[0], title)
    row += 1
    for line in lines[1:]:
        sheet.merge_range(row, 0, row, last, line, subtitle)
        row += 1
    row += 1
    header_row = row
    for column, (name, width) in enumerate(REGISTER_COLUMNS):
        sheet.set_column(column, column, width * 1.6)
        sheet.write(row, column, name, header)
        sheet.write(row + 1, column, '(%s)' % (column + 1), header)
    row += 2
    for entry in book.rows:
        values = [entry.arrival_date, _number(entry.arrival_number),
            entry.issuer or '', entry.notation or '', entry.issue_date,
            entry.type_and_subject or '', entry.recipients or '',
            entry.transfer_date, '', entry.notes or '']
        for column, value in enumerate(values):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(
                    row, column, value.replace(tzinfo=None),
                    datetime_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(
                    row, column, dt.datetime.combine(value, dt.time()),
                    date_format)
            else:
                sheet.write_string(row, column, value or '', plain)
        row += 1
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row, header_row + 1)
    sheet.set_footer('&RTrang &P/&N')
    sheet.freeze_panes(header_row + 2, 0)
    workbook.close()
    return buffer.getvalue()


@dataclass(frozen=True)
class Instruction:
    "An opinion on the slip: who gave it, when, and what they decided."

    author: str
    date: dt.date | dt.datetime | None
    text: str = ''
    lead: tuple[str, ...] = ()
    "Departments or officials in charge (chủ trì)."
    coordinate: tuple[str, ...] = ()
    "Those who coordinate (phối hợp)."
    inform: tuple[str, ...] = ()
    "Those informed (để biết)."
    deadlines: tuple[tuple[str, dt.date], ...] = ()
    "Deadline of each assignee."


@dataclass(frozen=True)
class Slip:
    "The processing slip of an incoming document."

    agency: str
    arrival_number: int | str
    arrival_date: dt.datetime | dt.date | None
    issuer: str
    notation: str
    issue_date: dt.date | None
    subject: str
    parent_agency: str = ''
    leader: tuple[Instruction, ...] = field(default_factory=tuple)
    department: tuple[Instruction, ...] = field(default_factory=tuple)
    proposals: tuple[Instruction, ...] = field(default_factory=tuple)


def _long_date(value) -> str:
    if value is None:
        return "Ngày ..... tháng ..... năm ........"
    return "Ngày %02d tháng %02d năm %s" % (
        value.day, value.month, value.year)


def slip_pdf(slip: Slip) -> bytes:
    "Return the processing slip (phiếu giải quyết văn bản đến) as A4 PDF."
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table)

    regular, bold, italic, _ = register_fonts()
    text = ParagraphStyle('text', fontName=regular, fontSize=13, leading=17)
    centre = ParagraphStyle('centre', parent=text, alignment=TA_CENTER)
    head = ParagraphStyle(
        'head', parent=text, fontName=bold, alignment=TA_CENTER)
    title = ParagraphStyle('title', parent=head, fontSize=14, leading=18)
    section = ParagraphStyle('section', parent=text, fontName=bold,
        spaceBefore=4 * mm)
    signed = ParagraphStyle('signed', parent=text, fontName=italic,
        alignment=TA_RIGHT)

    buffer = io.BytesIO()
    margin = 20 * mm
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=30 * mm, rightMargin=margin,
        topMargin=margin, bottomMargin=margin,
        title="Phiếu giải quyết văn bản đến", author=slip.agency)
    story = []
    agency = []
    if slip.parent_agency:
        agency.append(Paragraph(escape(slip.parent_agency.upper()), centre))
    agency.append(Paragraph(escape(slip.agency.upper()), head))
    story.append(Table([[agency, '']], colWidths=[90 * mm, None],
            style=[('ALIGN', (0, 0), (-1, -1), 'CENTER')]))
    story.append(Spacer(0, 8 * mm))
    story.append(Paragraph("PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN", title))
    story.append(Spacer(0, 4 * mm))
    facts = [
        "Số đến: <b>%s</b> &nbsp; Ngày đến: %s" % (
            escape(_number(slip.arrival_number)),
            escape(_date(slip.arrival_date))),
        "Tác giả: %s" % escape(slip.issuer or ''),
        "Số, ký hiệu: %s &nbsp; Ngày văn bản: %s" % (
            escape(slip.notation or ''), escape(_date(slip.issue_date))),
        "Trích yếu: %s" % escape(slip.subject or ''),
        ]
    for fact in facts:
        story.append(Paragraph(fact, text))

    def instruction(item: Instruction, with_roles: bool):
        parts = []
        if item.text:
            parts.append(Paragraph(escape(item.text), text))
        if with_roles:
            for label, names in [
                    ("Đơn vị, cá nhân chủ trì", item.lead),
                    ("Đơn vị, cá nhân phối hợp", item.coordinate),
                    ("Để biết", item.inform)]:
                if names:
                    parts.append(Paragraph("- %s: %s" % (
                                label, escape(', '.join(names))), text))
        elif item.lead:
            parts.append(Paragraph("- Giao cho: %s" % escape(
                        ', '.join(item.lead + item.coordinate)), text))
        if item.deadlines:
            parts.append(Paragraph(
                    "- Thời hạn giải quyết: %s" % escape('; '.join(
                            '%s: %s' % (name, _date(deadline))
                            for name, deadline in item.deadlines)), text))
        parts.append(Paragraph(escape(_long_date(item.date)), signed))
        parts.append(Paragraph(escape(item.author or ''), ParagraphStyle(
                    'author', parent=signed, fontName=bold)))
        return KeepTogether(parts)

    for number, heading, items, with_roles in [
            (1, "Ý kiến của lãnh đạo cơ quan, tổ chức:", slip.leader, True),
            (2, "Ý kiến của lãnh đạo đơn vị:", slip.department, False),
            (3, "Ý kiến đề xuất của người giải quyết:", slip.proposals,
                False)]:
        story.append(Paragraph('%s. %s' % (number, heading), section))
        if not items:
            for _ in range(3):
                story.append(Paragraph('.' * 110, text))
        for item in items:
            story.append(instruction(item, with_roles))
    document.build(story)
    return buffer.getvalue()
