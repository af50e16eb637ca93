# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Write a statistics table as an .xlsx workbook (no Pool)"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

from trytond.modules.mvp_documents.tables import table_xlsx

from .indicator import Column, printed_table

__all__ = ['write_xlsx']


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
    return table_xlsx(printed_table(
            title, subtitles, columns, rows, total, total_label,
            sheet_name=sheet_name))
