# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Print the incoming register (sổ đăng ký văn bản đến) and the
processing slip (phiếu giải quyết văn bản đến) of Decree 30/2020,
Phụ lục IV: the register as PDF and .xlsx by :mod:`.tables`, the slip as
PDF (reportlab).

Pure functions over dataclasses: the models gather the rows.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from . import tables
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
#: The columns holding dates: arrival, of the document, of transfer
_DATES = {0, 4, 7}


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


def _cells(row: RegisterRow) -> list:
    return [row.arrival_date, _number(row.arrival_number),
        row.issuer or '', row.notation or '', row.issue_date,
        row.type_and_subject or '', row.recipients or '',
        row.transfer_date, '', row.notes or '']


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


def _table(book: RegisterBook) -> tables.Table:
    "Return the register as a table: landscape, its columns numbered"
    title, *subtitle = _title_lines(book)
    return tables.Table(title,
        [tables.Column(name, width, 'date' if i in _DATES else 'text')
            for i, (name, width) in enumerate(REGISTER_COLUMNS)],
        [_cells(row) for row in book.rows], subtitle=subtitle,
        agency=book.agency.upper(), parent_agency=book.parent_agency.upper(),
        landscape=True, numbered=True, sheet_name="Sổ văn bản đến")


def register_pdf(book: RegisterBook) -> bytes:
    "Return the register as an A4 landscape PDF, header repeated per page."
    return tables.table_pdf(_table(book))


def register_xlsx(book: RegisterBook) -> bytes:
    "Return the register as an .xlsx workbook ready to print."
    return tables.table_xlsx(_table(book))


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
