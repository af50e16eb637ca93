# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Indicator arithmetic of the agency statistics (no Pool)

The figures of one agency are a dict of counts keyed by the names in
:data:`COUNTS`; ratios are derived from the counts (numerator and
denominator are kept, never only the percentage) and a total row is
computed from the summed counts, never by averaging ratios
(vn-reporting-security.md A.3, A.4).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Optional, Sequence

from trytond.modules.mvp_documents import tables

#: Counts of one agency for a period, in display order
COUNTS: tuple[str, ...] = (
    'incoming_received', 'incoming_paper', 'incoming_exchange',
    'incoming_email', 'incoming_other', 'incoming_registered',
    'incoming_processed', 'incoming_on_time', 'incoming_late',
    'incoming_pending', 'incoming_overdue',
    'outgoing_released', 'outgoing_electronic', 'outgoing_paper',
    'outgoing_both', 'outgoing_signed',
    'electronic_documents', 'total_documents',
    )


@dataclass(frozen=True)
class Ratio:
    "A ratio indicator: numerator ÷ denominator, both counts"
    name: str
    numerator: str
    denominator: str | tuple[str, ...]


#: K6 on-time rate, K3 share of incoming received electronically, K1 share
#: of outgoing sent electronically with a digital signature, K2 share sent
#: only electronically, and the national indicator: share of documents
#: (incoming + outgoing) exchanged electronically.
RATIOS: tuple[Ratio, ...] = (
    Ratio('on_time_rate', 'incoming_on_time',
        ('incoming_on_time', 'incoming_late')),
    Ratio('incoming_electronic_rate', 'incoming_exchange',
        'incoming_received'),
    Ratio('outgoing_signed_rate', 'outgoing_signed', 'outgoing_released'),
    Ratio('outgoing_electronic_rate', 'outgoing_electronic',
        'outgoing_released'),
    Ratio('electronic_rate', 'electronic_documents', 'total_documents'),
    )


def ratio(numerator: int, denominator: int) -> Optional[Decimal]:
    """Return numerator ÷ denominator as a percentage with one decimal

    None when the denominator is 0 (shown empty, not as 0 %).

    >>> ratio(2, 3)
    Decimal('66.7')
    """
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)


def _denominator(figures: Mapping[str, int], names: str | tuple[str, ...]
        ) -> int:
    if isinstance(names, str):
        names = (names,)
    return sum(figures.get(n) or 0 for n in names)


def complete(figures: Mapping[str, int]) -> dict:
    """Return a copy of figures with the derived counts and the ratios

    electronic_documents = incoming received through the exchange +
    outgoing released electronically (alone or with paper);
    total_documents = incoming received + outgoing released.
    """
    result = {n: figures.get(n) or 0 for n in COUNTS}
    result.update({k: v for k, v in figures.items() if k not in result})
    result['electronic_documents'] = (
        result['incoming_exchange']
        + result['outgoing_electronic'] + result['outgoing_both'])
    result['total_documents'] = (
        result['incoming_received'] + result['outgoing_released'])
    for r in RATIOS:
        result[r.name] = ratio(
            result[r.numerator], _denominator(result, r.denominator))
    return result


def average(total: Optional[Decimal], count: int) -> Optional[Decimal]:
    "Return total ÷ count with one decimal, None when count is 0"
    if not count or total is None:
        return None
    return (Decimal(total) / count).quantize(
        Decimal('0.1'), rounding=ROUND_HALF_UP)


def total(rows: Iterable[Mapping[str, int]]) -> dict:
    """Return the total row: summed counts, ratios of the sums

    The average processing time (``processing_days``, a mean over
    ``incoming_processed`` documents) is weighted by the processed
    documents of each row.
    """
    sums = {n: 0 for n in COUNTS}
    days, weight = Decimal(0), 0
    for row in rows:
        for n in COUNTS:
            sums[n] += row.get(n) or 0
        if row.get('processing_days') is not None:
            count = row.get('processing_count', row.get('incoming_processed'))
            days += Decimal(row['processing_days']) * (count or 0)
            weight += count or 0
    result = complete(sums)
    result['processing_days'] = average(days, weight)
    result['processing_count'] = weight
    return result


def check_balance(opening: int, received: int, closed: int, pending: int
        ) -> bool:
    """Tell whether pending at start + received = closed + pending at end

    (invariant K8 of the incoming processing report)
    """
    return opening + received == closed + pending


@dataclass(frozen=True)
class Column:
    "A column of the printed table"
    name: str
    label: str
    kind: str = 'count'  # count, percent, days


def table_rows(rows: Sequence[Mapping], columns: Sequence[Column]
        ) -> list[list]:
    "Return the cell values of rows in the order of columns"
    return [[row.get(c.name) for c in columns] for row in rows]


def printed_table(
        title: str, subtitles: Sequence[str], columns: Sequence[Column],
        rows: Sequence[Mapping], total: Optional[Mapping] = None,
        total_label: str = "Total", **options) -> tables.Table:
    """Return the statistics as a landscape printed table

    The figures share the page evenly and the agency takes at least a
    quarter of it; options go to the Table.
    """
    numbers = sum(1 for c in columns if c.kind != 'text')
    text_width = max(4, numbers / 3)
    if total is not None:
        total = dict(total)
        total.setdefault(columns[0].name, total_label)
        total = [total.get(c.name) for c in columns]
    return tables.Table(title,
        [tables.Column(c.label, text_width if c.kind == 'text' else 1,
                c.kind) for c in columns],
        table_rows(rows, columns), subtitle=subtitles, total=total,
        landscape=True, **options)
