# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Write a statistics table as an .xlsx workbook (no Pool)"""
from __future__ import annotations

import io
from decimal import Decimal
from typing import Mapping, Optional, Sequence

import xlsxwriter

from .indicator import Column


def write_xlsx(
        title: str, subtitles: Sequence[str], columns: Sequence[Column],
        rows: Sequence[Mapping], total: Optional[Mapping] = None,
        total_label: str = "Total", sheet_name: str = "Statistics",
        ) -> bytes:
    """Return the bytes of a workbook with one sheet holding the table

    Counts are written as numbers, percentages as numbers with a
    ``0.0"%"`` format (so the sheet can be re-computed), empty ratios as
    empty cells.  The title and subtitles (period, scope) come first, then
    a header row, one row per item and the total row.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({'bold': True})
    title_format = workbook.add_format({'bold': True, 'font_size': 14})
    header = workbook.add_format({
            'bold': True, 'text_wrap': True, 'valign': 'vcenter',
            'align': 'center', 'border': 1, 'bg_color': '#DDEBF7'})
    specs = {
        'text': {'border': 1, 'text_wrap': True},
        'count': {'border': 1, 'num_format': '0'},
        'percent': {'border': 1, 'num_format': '0.0"%"'},
        'days': {'border': 1, 'num_format': '0.0'},
        }
    formats = {k: workbook.add_format(v) for k, v in specs.items()}
    total_formats = {
        k: workbook.add_format(dict(v, bold=True, top=2))
        for k, v in specs.items()}

    sheet.write(0, 0, title, title_format)
    line = 1
    for subtitle in subtitles:
        sheet.write(line, 0, subtitle, bold)
        line += 1
    line += 1
    for col, column in enumerate(columns):
        sheet.write(line, col, column.label, header)
        sheet.set_column(col, col, 32 if column.kind == 'text' else 12)
    sheet.set_row(line, 45)
    sheet.freeze_panes(line + 1, 1)
    line += 1

    def write_row(row, formats):
        for col, column in enumerate(columns):
            value = row.get(column.name)
            fmt = formats[column.kind]
            if value is None:
                sheet.write_blank(line, col, None, fmt)
            elif column.kind == 'text':
                sheet.write_string(line, col, str(value), fmt)
            else:
                if isinstance(value, Decimal):
                    value = float(value)
                sheet.write_number(line, col, value, fmt)

    for row in rows:
        write_row(row, formats)
        line += 1
    if total is not None:
        total = dict(total)
        total.setdefault(columns[0].name, total_label)
        write_row(total, total_formats)
    workbook.close()
    return buffer.getvalue()
