# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Numbers, notations and identifiers of documents (Decree 30/2020).

Plain functions, no Pool: the notation rules of Phụ lục I.3 and the
document identifier of QĐ 395/QĐ-BTTTT.
"""
import datetime as dt

__all__ = ['format_number', 'compose_notation', 'document_identifier']


def format_number(number: int) -> str:
    "Return the number as printed: below 10 with a leading zero (01-09)"
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ValueError(f"invalid document number: {number!r}")
    return f'{number:02d}'


def compose_notation(
        number: int, agency: str, abbreviation: str | None = None,
        department: str | None = None) -> str:
    """Return the số/ký hiệu of a document.

    With a type abbreviation: ``51/TTr-STTTT`` (number/type-agency).
    Without one (công văn, thư công): ``312/STTTT-CNTT``
    (number/agency-drafting department or field).
    """
    agency = (agency or '').strip()
    if not agency:
        raise ValueError("the agency abbreviation is missing")
    abbreviation = (abbreviation or '').strip()
    department = (department or '').strip()
    if abbreviation:
        symbol = f'{abbreviation}-{agency}'
    elif department:
        symbol = f'{agency}-{department}'
    else:
        symbol = agency
    if ' ' in symbol:
        raise ValueError(f"a notation has no spaces: {symbol!r}")
    return f'{format_number(number)}/{symbol}'


def document_identifier(
        agency_code: str, date: dt.date, notation: str) -> str:
    """Return the mã định danh văn bản: agency code, date and notation,
    e.g. ``000.00.01.H54,2026/11/25,51/TTr-STTTT``"""
    if not agency_code:
        raise ValueError("the agency identifier code is missing")
    if not notation:
        raise ValueError("the notation is missing")
    return f'{agency_code},{date:%Y/%m/%d},{notation}'
