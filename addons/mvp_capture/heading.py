# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Read the heading of a Vietnamese administrative document.

Decree 30/2020 (Phụ lục I) fixes the layout of the first page: the
issuing body top left (its parent body above it), the national motto top
right, then ``Số: 51/TTr-STTTT`` and ``Thái Bình, ngày 05 tháng 3 năm
2025``, the type name (``TỜ TRÌNH``) and the subject (``Về việc ...``,
``V/v ...`` for a công văn).  :func:`parse_heading` finds these in the
text of an OCR'd first page, where the two columns are often run
together on one line and diacritics may be lost.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from trytond.modules.mvp_documents.unicode import fold

__all__ = ['Heading', 'parse_heading', 'normalise_name',
    'issuer_candidates', 'TYPE_NAMES']

#: Type names of Decree 30/2020 Article 7 and their abbreviation
TYPE_NAMES = {
    'NGHỊ QUYẾT': 'NQ', 'QUYẾT ĐỊNH': 'QĐ', 'CHỈ THỊ': 'CT',
    'QUY CHẾ': 'QC', 'QUY ĐỊNH': 'QyĐ', 'THÔNG CÁO': 'TC',
    'THÔNG BÁO': 'TB', 'HƯỚNG DẪN': 'HD', 'CHƯƠNG TRÌNH': 'CTr',
    'KẾ HOẠCH': 'KH', 'PHƯƠNG ÁN': 'PA', 'ĐỀ ÁN': 'ĐA', 'DỰ ÁN': 'DA',
    'BÁO CÁO': 'BC', 'BIÊN BẢN': 'BB', 'TỜ TRÌNH': 'TTr',
    'HỢP ĐỒNG': 'HĐ', 'CÔNG ĐIỆN': 'CĐ', 'BẢN GHI NHỚ': 'BGN',
    'BẢN THỎA THUẬN': 'BTT', 'GIẤY ỦY QUYỀN': 'GUQ', 'GIẤY MỜI': 'GM',
    'GIẤY GIỚI THIỆU': 'GGT', 'GIẤY NGHỈ PHÉP': 'GNP', 'PHIẾU GỬI': 'PG',
    'PHIẾU CHUYỂN': 'PC', 'PHIẾU BÁO': 'PB',
    }

_MOTTOS = [
    r'cong\s*hoa\s*xa\s*hoi\s*chu\s*nghia\s*viet\s*nam',
    r'doc\s*lap\s*[-–—.]?\s*tu\s*do\s*[-–—.]?\s*hanh\s*phuc',
    r'dang\s*cong\s*san\s*viet\s*nam',
    ]
_MOTTO_RE = re.compile('|'.join(_MOTTOS))
_NUMBER_RE = re.compile(
    r'(?:^|(?<=\s))so\s*[:.;]?\s*'
    r'(\d{1,7})\s*/\s*((?:\d{4}\s*/\s*)?[a-z][a-z0-9&.]*'
    r'(?:\s*-\s*[a-z0-9][a-z0-9&.]*)*)')
_DATE_RE = re.compile(
    r'ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})')
_UNIT_RE = re.compile(
    r'^(tinh|huyen|xa|phuong|thi xa|thi tran|quan|thanh pho|tp\.?)\b')
_SUBJECT_RE = re.compile(r'^(v\s*/\s*v\b|ve viec\b)')
_EXPANSIONS = [
    (re.compile(r'\bubnd\b'), 'uy ban nhan dan'),
    (re.compile(r'\bhdnd\b'), 'hoi dong nhan dan'),
    (re.compile(r'\btp\b\.?'), 'thanh pho'),
    (re.compile(r'\btt\s*&\s*tt\b'), 'thong tin va truyen thong'),
    ]


@dataclass(frozen=True)
class Heading:
    "What the first page says about the document."

    notation: str | None = None
    "Number and notation, e.g. ``51/TTr-STTTT``."
    number: str | None = None
    "The number alone, e.g. ``51``."
    issue_date: dt.date | None = None
    place: str | None = None
    "Place name written before the date, e.g. ``Thái Bình``."
    issuer: str | None = None
    "The issuing body as printed, e.g. ``SỞ THÔNG TIN VÀ TRUYỀN THÔNG``."
    issuer_parent: str | None = None
    "The body printed above the issuer, e.g. ``UBND TỈNH THÁI BÌNH``."
    type_name: str | None = None
    "Type name from the title, e.g. ``TỜ TRÌNH`` (None for a công văn)."
    type_abbreviation: str | None = None
    "Abbreviation of the type from the title or the notation."
    subject: str | None = None
    "Subject (trích yếu), e.g. ``Về việc phê duyệt ...``."

    def __bool__(self):
        return any(getattr(self, f) for f in self.__dataclass_fields__)


_ABBREVIATIONS = {fold(v): k for k, v in TYPE_NAMES.items()}


def normalise_name(name: str) -> str:
    "Return an agency name folded, abbreviations expanded, for matching."
    name = fold(unicodedata.normalize('NFC', name))
    for pattern, replacement in _EXPANSIONS:
        name = pattern.sub(replacement, name)
    name = re.sub(r'[^a-z0-9]+', ' ', name)
    return ' '.join(name.split())


def issuer_candidates(heading: Heading) -> list[str]:
    """Return normalised names under which the issuer may be registered.

    ``SỞ TƯ PHÁP`` under ``UBND TỈNH THÁI BÌNH`` gives ``so tu phap`` and
    ``so tu phap tinh thai binh``.
    """
    if not heading.issuer:
        return []
    issuer = normalise_name(heading.issuer)
    candidates = [issuer]
    if heading.issuer_parent:
        parent = normalise_name(heading.issuer_parent)
        locality = re.sub(
            r'^(uy ban nhan dan|hoi dong nhan dan)\s*', '', parent)
        if locality and locality != parent:
            candidates.append('%s %s' % (issuer, locality))
        candidates.append(parent + ' ' + issuer)
    return candidates


def _clean(text: str) -> str:
    return ' '.join(text.replace('\u00a0', ' ').split()).strip(' .,;:')


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(
        c.isupper() for c in letters) >= 0.8 * len(letters)


def _strip(line: str, spans: list[tuple[int, int]]) -> str:
    "Return line with the given spans replaced by a column break."
    for start, end in sorted(spans, reverse=True):
        line = line[:start] + '\t' + line[end:]
    return line


def _type_name(line: str) -> str | None:
    folded = ' '.join(fold(line).split())
    for name in TYPE_NAMES:
        if folded == ' '.join(fold(name).split()):
            return name
    return None


def _number_match(line: str, folded: str) -> re.Match | None:
    "Return the match of the number written ``Số:`` (capital S) in line."
    return next((
            m for m in _NUMBER_RE.finditer(folded)
            if line[m.start()] == 'S'), None)


def _notation(line: str, match: re.Match
        ) -> tuple[str, str, str | None]:
    "Return the number, the notation and the type abbreviation in it."
    number = match.group(1)
    symbol = re.sub(r'\s+', '', line[slice(*match.span(2))])
    notation = '%s/%s' % (number, symbol.rstrip('.'))
    parts = symbol.split('/')[-1].split('-')
    type_abbreviation = parts[0] if len(parts) > 1 else None
    return number, notation, type_abbreviation


def _issue_date(match: re.Match) -> dt.date | None:
    "Return the date of the match, None if it is not a valid date."
    day, month, year = map(int, match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _place(line: str, date_match: re.Match,
        number_match: re.Match | None) -> str | None:
    "Return the place name written before the date."
    start = date_match.start()
    place_text = line[:start]
    if number_match and number_match.end() <= start:
        place_text = line[number_match.end():start]
    return _clean(place_text) or None


def _header_chunks(line: str, spans: list[tuple[int, int]]) -> list[str]:
    "Return the upper case columns of line, without the mottos in spans."
    chunks = []
    for chunk in _strip(line, spans).split('\t'):
        chunk = _clean(chunk)
        if chunk and _is_upper(chunk):
            chunks.append(chunk)
    return chunks


def parse_heading(text: str) -> Heading:
    "Return what can be read of the heading in the text of a first page."
    text = unicodedata.normalize('NFC', text or '')
    lines = [l.rstrip() for l in text.splitlines()]
    notation = number = issue_date = place = None
    type_abbreviation = None
    header_lines: list[str] = []
    body_start = 0
    collecting = True
    for index, line in enumerate(lines):
        folded = fold(line)
        spans = [m.span() for m in _MOTTO_RE.finditer(folded)]
        number_match = date_match = None
        if notation is None:
            number_match = _number_match(line, folded)
        if issue_date is None:
            date_match = _DATE_RE.search(folded)
        if number_match:
            # Found once at most: notation is set from then on
            number, notation, type_abbreviation = _notation(
                line, number_match)
            body_start = index + 1
        if date_match:
            issue_date = _issue_date(date_match)
            place = _place(line, date_match, number_match)
            body_start = index + 1
            collecting = False
        if notation and issue_date:
            break
        if collecting and _type_name(_clean(line)):
            collecting = False
        if collecting and notation is None and index < 15:
            header_lines.extend(_header_chunks(line, spans))
    issuer, issuer_parent = _issuer(header_lines)
    type_name, subject = _title(lines[body_start:])
    if type_name is None and type_abbreviation:
        type_name = _ABBREVIATIONS.get(fold(type_abbreviation))
    type_abbreviation = TYPE_NAMES[type_name] if type_name else None
    if subject is None:
        subject = _subject(lines)
    return Heading(
        notation=notation, number=number, issue_date=issue_date,
        place=place, issuer=issuer, issuer_parent=issuer_parent,
        type_name=type_name, type_abbreviation=type_abbreviation,
        subject=subject)


def _issuer(header_lines: list[str]) -> tuple[str | None, str | None]:
    "Return the issuer and its parent body from the header lines."
    units: list[str] = []
    for line in header_lines:
        folded = fold(line)
        if units and (
                _UNIT_RE.match(folded)
                or re.search(r'(\bva|[-&,])$', fold(units[-1]))):
            units[-1] = '%s %s' % (units[-1], line)
        else:
            units.append(line)
    if not units:
        return None, None
    if len(units) == 1:
        return units[0], None
    return units[-1], units[-2]


def _title(lines: list[str]) -> tuple[str | None, str | None]:
    "Return the type name and the subject below it."
    for index, line in enumerate(lines):
        line = _clean(line)
        if not line:
            continue
        type_name = _type_name(line)
        if type_name:
            subject = []
            for next_line in lines[index + 1:]:
                next_line = _clean(next_line)
                if not next_line:
                    if subject:
                        break
                    continue
                if re.match(r'^(kinh gui|can cu)\b', fold(next_line)):
                    break
                subject.append(next_line)
                if len(subject) == 3:
                    break
            return type_name, ' '.join(subject) or None
        if not _is_upper(line):
            return None, None
    return None, None


def _subject(lines: list[str]) -> str | None:
    "Return the V/v line of a công văn, with its continuation lines."
    for index, line in enumerate(lines):
        folded = fold(line.strip())
        if _SUBJECT_RE.match(folded):
            subject = [_clean(line)]
            for next_line in lines[index + 1:index + 3]:
                next_line = _clean(next_line)
                if (not next_line
                        or re.match(r'^(kinh gui|can cu)\b', fold(next_line))
                        or _MOTTO_RE.search(fold(next_line))
                        or _DATE_RE.search(fold(next_line))
                        or _is_upper(next_line)):
                    break
                subject.append(next_line)
            return ' '.join(subject)
    return None
