# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Read a paper incoming log typed into a spreadsheet (Article 3.2).

During an outage clerks keep the register on paper; afterwards they type
it into :func:`template_xlsx` and upload it.  :func:`read_log` returns the
rows and every error found, by row and column, so that the import can
refuse the whole file with a full report.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from trytond.modules.mvp_documents.unicode import fold

__all__ = ['COLUMNS', 'LogRow', 'LogError', 'template_xlsx', 'read_log',
    'URGENCY_LABELS', 'CONFIDENTIALITY_LABELS']

#: (key, Vietnamese heading, required, kind, example)
COLUMNS = [
    ('arrival_date', "Ngày giờ đến", True, 'datetime', '03/11/2025 08:30'),
    ('arrival_number', "Số đến", False, 'integer', '125'),
    ('issuer', "Cơ quan ban hành", True, 'text', 'Sở Nội vụ'),
    ('notation', "Số, ký hiệu", False, 'text', '27/BC-SNV'),
    ('issue_date', "Ngày văn bản", False, 'date', '31/10/2025'),
    ('document_type', "Loại văn bản", True, 'text', 'Báo cáo'),
    ('subject', "Trích yếu", True, 'text',
        'Kết quả kiểm tra công tác văn thư, lưu trữ'),
    ('signer_name', "Người ký", False, 'text', 'Nguyễn Văn A'),
    ('urgency', "Độ khẩn", False, 'urgency', 'Thường'),
    ('confidentiality', "Độ mật", False, 'confidentiality', 'Thường'),
    ('pages', "Số trang", False, 'integer', '3'),
    ('deadline', "Hạn giải quyết", False, 'date', ''),
    ('notes', "Ghi chú", False, 'text', 'Nhập bù sau sự cố mất điện'),
    ]
URGENCY_LABELS = {
    'thuong': 'normal', 'khan': 'urgent', 'thuong khan': 'very_urgent',
    'hoa toc': 'flash',
    }
CONFIDENTIALITY_LABELS = {
    'thuong': 'normal', 'mat': 'confidential', 'toi mat': 'secret',
    'tuyet mat': 'top_secret',
    }
_CHOICES = {'urgency': URGENCY_LABELS,
    'confidentiality': CONFIDENTIALITY_LABELS}
_SHEET = "Sổ văn bản đến"


@dataclass(frozen=True)
class LogError:
    "A problem in one cell (column None: the whole row or file)."

    row: int
    "Row number as the spreadsheet shows it."
    column: str | None
    "Heading of the column."
    code: str
    """required, date, datetime, integer, choice, classified, file, empty
    or headings."""
    value: str = ''


@dataclass(frozen=True)
class LogRow:
    row: int
    values: dict = field(default_factory=dict)


def template_xlsx() -> bytes:
    "Return the spreadsheet to fill: headings, one example row, notes."
    import xlsxwriter
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {'in_memory': True})
    sheet = workbook.add_worksheet(_SHEET)
    head = workbook.add_format({'bold': True, 'text_wrap': True,
            'border': 1, 'bg_color': '#DDEBF7', 'valign': 'top'})
    required = workbook.add_format({'bold': True, 'text_wrap': True,
            'border': 1, 'bg_color': '#FCE4D6', 'valign': 'top'})
    text = workbook.add_format({'num_format': '@'})
    example = workbook.add_format({'italic': True, 'font_color': '#808080',
            'num_format': '@'})
    for column, (key, heading, is_required, kind, sample) in enumerate(
            COLUMNS):
        sheet.write(0, column, heading + (' *' if is_required else ''),
            required if is_required else head)
        sheet.write_string(1, column, sample, example)
        sheet.set_column(column, column, 30 if key == 'subject' else 16,
            text)
        if kind in _CHOICES:
            labels = {'urgency': ['Thường', 'Khẩn', 'Thượng khẩn',
                    'Hỏa tốc'],
                'confidentiality': ['Thường', 'Mật', 'Tối mật',
                    'Tuyệt mật']}[kind]
            sheet.data_validation(1, column, 5000, column, {
                    'validate': 'list', 'source': labels})
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet("Hướng dẫn")
    for row, line in enumerate([
            "Mỗi dòng của sổ giấy là một dòng của bảng, theo thứ tự đến.",
            "Cột có dấu * là bắt buộc. Dòng 2 là ví dụ: xóa hoặc ghi đè.",
            "Ngày ghi dd/mm/yyyy, giờ ghi hh:mm.",
            "Số đến để trống thì hệ thống cấp tiếp theo sổ; nếu ghi thì "
            "phải đúng số hệ thống sẽ cấp.",
            "Có lỗi ở bất kỳ dòng nào thì không dòng nào được nhập.",
            ]):
        notes.write(row, 0, line)
    notes.set_column(0, 0, 90)
    workbook.close()
    return buffer.getvalue()


def _fold(value: str) -> str:
    return ' '.join(fold(value).split())


def _from_serial(value):
    "Return a datetime for an Excel serial number, else value."
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        from openpyxl.utils.datetime import from_excel
        return from_excel(value)
    return value


def _parse_date(value) -> dt.date:
    value = _from_serial(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = re.fullmatch(r'(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})', str(value))
    if not match:
        raise ValueError(value)
    day, month, year = map(int, match.groups())
    return dt.date(year, month, day)


def _parse_datetime(value) -> dt.datetime:
    value = _from_serial(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    match = re.fullmatch(
        r'(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?',
        str(value))
    if not match:
        raise ValueError(value)
    day, month, year, hour, minute = match.groups()
    return dt.datetime(int(year), int(month), int(day),
        int(hour or 0), int(minute or 0))


def _parse_integer(value) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(value)
    return int(text)


def _cell(value, kind):
    if kind == 'text':
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return ' '.join(str(value).split())
    if kind == 'date':
        return _parse_date(value)
    if kind == 'datetime':
        return _parse_datetime(value)
    if kind == 'integer':
        return _parse_integer(value)
    choice = _CHOICES[kind].get(_fold(str(value)))
    if choice is None:
        raise ValueError(value)
    return choice


def _is_example(values) -> bool:
    return all(
        str(v or '') == sample
        for v, (_, _, _, _, sample) in zip(values, COLUMNS, strict=True))


_SUBJECT = dict((k, h) for k, h, _, _, _ in COLUMNS)['subject']


def _classified_errors(number, parsed, errors):
    """Return the errors of a row, where a classified document keeps its
    entry only: no subject (trích yếu) is typed for it"""
    if parsed.get('confidentiality', 'normal') == 'normal':
        return errors
    errors = [e for e in errors
        if not (e.column == _SUBJECT and e.code == 'required')]
    if parsed.get('subject'):
        errors.append(LogError(number, _SUBJECT, 'classified'))
    return errors


def read_log(data: bytes) -> tuple[list[LogRow], list[LogError]]:
    """Return the rows of the log and every error found.

    Empty rows and the untouched example row are skipped.

    :raises LimitExceeded: the workbook (a ZIP) is over the file limits.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    import zipfile
    from trytond.modules.mvp_documents.file_limits import open_zip
    try:
        # a workbook is a ZIP: its members are counted and measured first
        open_zip(io.BytesIO(data)).close()
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError,
            ValueError, OSError):
        return [], [LogError(0, None, 'file')]
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    headings = next(rows_iter, None) or ()
    expected = [h for _, h, _, _, _ in COLUMNS]
    found = [str(h or '').rstrip(' *').strip() for h in headings][
        :len(expected)]
    if [_fold(h) for h in found] != [_fold(h) for h in expected]:
        return [], [LogError(1, None, 'headings')]
    rows, errors = [], []
    for number, values in enumerate(rows_iter, 2):
        values = list(values[:len(COLUMNS)]) + [None] * (
            len(COLUMNS) - len(values))
        if all(v is None or str(v).strip() == '' for v in values):
            continue
        if number == 2 and _is_example(values):
            continue
        parsed = {}
        row_errors = []
        for value, (key, heading, required, kind, _) in zip(
                values, COLUMNS, strict=True):
            if value is None or str(value).strip() == '':
                if required:
                    row_errors.append(LogError(number, heading, 'required'))
                continue
            try:
                parsed[key] = _cell(value, kind)
            except ValueError:
                row_errors.append(LogError(
                        number, heading, kind if kind in {
                            'date', 'datetime', 'integer'} else 'choice',
                        str(value)))
        errors.extend(_classified_errors(number, parsed, row_errors))
        rows.append(LogRow(number, parsed))
    workbook.close()
    if not rows and not errors:
        errors.append(LogError(0, None, 'empty'))
    return rows, errors
