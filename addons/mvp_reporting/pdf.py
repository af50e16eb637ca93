# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Write a statistics table as a PDF (no Pool)

The layout, the serif font with the Vietnamese glyphs and the Vietnamese
number format are those of every printed table
(:mod:`trytond.modules.mvp_documents.tables`).
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

from trytond.modules.mvp_documents.tables import format_value, table_pdf

from .indicator import Column, printed_table

__all__ = ['write_pdf', 'format_value']


def write_pdf(
        title: str, subtitles: Sequence[str], columns: Sequence[Column],
        rows: Sequence[Mapping], total: Optional[Mapping] = None,
        total_label: str = "Total", footer: str = '',
        ) -> bytes:
    """Return the bytes of a landscape A4 PDF with the table

    The header row repeats on every page; the first column (the agency)
    takes what the numeric columns leave.
    """
    return table_pdf(printed_table(
            title, subtitles, columns, rows, total, total_label,
            footer=[footer] if footer else [], font_size=8.5))
