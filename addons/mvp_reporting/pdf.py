# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Write a statistics table as a PDF with reportlab (no Pool)

Liberation Serif (Times metrics, the face of administrative documents,
Decree 30/2020) carries the Vietnamese diacritics from version 2 on: the
Debian package fonts-liberation2.  The older fonts-liberation (1.07)
lacks the precomposed Vietnamese letters (ố, ả, ơ...), so it is used only
if it covers them.
"""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Mapping, Optional, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle)

from trytond.modules.mvp_documents.fonts import (
    register_fonts as register_serif_fonts)

from .indicator import Column

# The project's one serif family with Vietnamese glyphs
FONT = 'MvpSerif'
FONT_BOLD = 'MvpSerif-Bold'


def register_fonts() -> None:
    register_serif_fonts()


def format_value(value, kind: str) -> str:
    """Return the text of a cell, Vietnamese style (decimal comma)

    >>> format_value(Decimal('66.7'), 'percent')
    '66,7%'
    """
    if value is None:
        return ''
    if kind == 'text':
        return str(value)
    if kind == 'count':
        return '{:,}'.format(int(value)).replace(',', '.')
    text = '%.1f' % Decimal(value)
    text = text.replace('.', ',')
    return text + '%' if kind == 'percent' else text


def _escape(text: str) -> str:
    return (text.replace('&', '&amp;').replace('<', '&lt;')
        .replace('>', '&gt;'))


def write_pdf(
        title: str, subtitles: Sequence[str], columns: Sequence[Column],
        rows: Sequence[Mapping], total: Optional[Mapping] = None,
        total_label: str = "Total", footer: str = '',
        ) -> bytes:
    """Return the bytes of a landscape A4 PDF with the table

    The header row repeats on every page; the first column (the agency)
    takes what the numeric columns leave.
    """
    register_fonts()
    buffer = io.BytesIO()
    page = landscape(A4)
    margin = 12 * mm
    document = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=margin, rightMargin=margin,
        topMargin=margin, bottomMargin=margin, title=title,
        author='MVP Office')
    title_style = ParagraphStyle(
        'title', fontName=FONT_BOLD, fontSize=14, leading=18,
        alignment=1, spaceAfter=4)
    subtitle_style = ParagraphStyle(
        'subtitle', fontName=FONT, fontSize=11, leading=14, alignment=1)
    header_style = ParagraphStyle(
        'header', fontName=FONT_BOLD, fontSize=8, leading=9.5, alignment=1)
    cell_style = ParagraphStyle(
        'cell', fontName=FONT, fontSize=8.5, leading=10)
    total_style = ParagraphStyle(
        'total', fontName=FONT_BOLD, fontSize=8.5, leading=10)

    numeric = [c for c in columns if c.kind != 'text']
    width = page[0] - 2 * margin
    number_width = min(16 * mm, (width * 0.75) / max(len(numeric), 1))
    text_columns = len(columns) - len(numeric)
    text_width = (width - number_width * len(numeric)) / max(text_columns, 1)
    widths = [text_width if c.kind == 'text' else number_width
        for c in columns]

    def cells(row, style):
        result = []
        for column in columns:
            text = format_value(row.get(column.name), column.kind)
            if column.kind == 'text':
                result.append(Paragraph(_escape(text), style))
            else:
                result.append(text)
        return result

    data = [[Paragraph(_escape(c.label), header_style) for c in columns]]
    data.extend(cells(row, cell_style) for row in rows)
    if total is not None:
        total = dict(total)
        total.setdefault(columns[0].name, total_label)
        data.append(cells(total, total_style))
    table = LongTable(data, colWidths=widths, repeatRows=1)
    style = [
        ('FONT', (0, 0), (-1, -1), FONT, 8.5),
        ('GRID', (0, 0), (-1, -1), 0.4, colors.black),
        ('VALIGN', (0, 0), (-1, -1), 'MIDDLE'),
        ('BACKGROUND', (0, 0), (-1, 0), colors.HexColor('#DDEBF7')),
        ]
    for i, column in enumerate(columns):
        if column.kind != 'text':
            style.append(('ALIGN', (i, 1), (i, -1), 'RIGHT'))
    if total is not None:
        style.append(('FONT', (0, -1), (-1, -1), FONT_BOLD, 8.5))
        style.append(('LINEABOVE', (0, -1), (-1, -1), 1.2, colors.black))
    table.setStyle(TableStyle(style))

    story = [Paragraph(_escape(title), title_style)]
    story.extend(Paragraph(_escape(s), subtitle_style) for s in subtitles)
    story.append(Spacer(1, 5 * mm))
    story.append(table)
    if footer:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(_escape(footer), cell_style))
    document.build(story)
    return buffer.getvalue()
