# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The client of the national document axis and of the VNPT-built
provincial axes, on the wire as the vendor SDK speaks it (vn-standards.md
§1.21), no Pool.

Every call is ``POST {endpoint}/<operation>`` (``downloadEdoc`` is a GET)
whose parameters travel as ``XroadVnpt-<key>`` headers, authenticated by
an HMAC-SHA256 over those headers keyed with the unit's secret, which
never travels.  Every answer is JSON with ``ErrorCode`` "0" on success.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import socket
import unicodedata
import urllib.error
import urllib.request
from typing import Any

from .transport import TransportError

__all__ = ['AxisClient', 'AxisError', 'PREFIX', 'VERSION', 'USER_AGENT',
    'VIETNAM', 'file_hash', 'format_timestamp', 'header_text',
    'parse_timestamp', 'sign', 'signed_headers']

PREFIX = 'XroadVnpt-'
VERSION = '3.0.201608'
USER_AGENT = 'JAVASDKAgent/1.0.0 XRoad/VPCP'
#: the axis is in Vietnam and the SDK writes the local time of its machine
VIETNAM = dt.timezone(dt.timedelta(hours=7), 'ICT')
#: statuses of updateStatus: the axis-side state of a received package
UPDATE_STATUSES = ('done', 'fail', 'processing')


class AxisError(TransportError):
    """The axis failed or refused a call: the message is retried later,
    and ``message`` is what the operator reads (the server's ErrorDesc
    when it gave one)."""

    def __init__(self, code: str, message: str,
            answer: dict | None = None):
        super().__init__(code, message)
        self.answer = answer or {}


def format_timestamp(moment: dt.datetime) -> str:
    """The SDK's ``ddMMyyyy'T'HHmmss+SSSS`` in Vietnam time: the last four
    digits are milliseconds, not a zone.

    >>> format_timestamp(dt.datetime(2026, 12, 7, 1, 2, 3, 45000,
    ...     tzinfo=dt.timezone.utc))
    '07122026T080203+0045'
    """
    local = moment.astimezone(VIETNAM)
    return local.strftime('%d%m%YT%H%M%S') + '+%04d' % (
        local.microsecond // 1000)


def parse_timestamp(text: str) -> dt.datetime:
    "The aware moment of a timestamp header; ValueError if malformed"
    head, plus, millis = text.partition('+')
    if not plus or len(millis) != 4 or not millis.isdigit():
        raise ValueError(text)
    moment = dt.datetime.strptime(head, '%d%m%YT%H%M%S')
    return moment.replace(microsecond=int(millis) * 1000, tzinfo=VIETNAM)


def header_text(text: str, size: int = 500) -> str:
    """text as an HTTP header value can carry it (Latin-1, one line):
    Vietnamese without its marks, as the axis writes its own messages.

    >>> header_text("Gói tin bị từ chối:   Đã mật")
    'Goi tin bi tu choi: Da mat'
    """
    text = text.replace('Đ', 'D').replace('đ', 'd')
    text = unicodedata.normalize('NFKD', text)
    text = ''.join(c for c in text if not unicodedata.combining(c))
    return ' '.join(text.encode('ascii', 'ignore').decode().split())[:size]


def file_hash(body: bytes) -> str:
    "SHA-256 of the body in lowercase hex (64 characters)"
    return hashlib.sha256(body).hexdigest()


def sign(sign_header: str, secret: str) -> str:
    "Lowercase hex HMAC-SHA256 of the signed JSON, keyed with the secret"
    return hmac.new(secret.encode('utf-8'), sign_header.encode('utf-8'),
        hashlib.sha256).hexdigest()


def sign_header(entries: list[tuple[str, str]]) -> str:
    "The compact JSON object of the prefixed entries, in their order"
    return json.dumps({PREFIX + k: v for k, v in entries},
        ensure_ascii=False, separators=(',', ':'))


def signed_headers(entries: list[tuple[str, str]], secret: str
        ) -> dict[str, str]:
    """The HTTP headers of a call: each (key, value) of entries as
    ``XroadVnpt-<key>``, and the three headers that sign them.

    entries are the signed parameters in order (systemid, timestamp,
    Content-Type, then the call's own keys).
    """
    text = sign_header(entries)
    headers = {PREFIX + k: v for k, v in entries}
    headers.update({
            PREFIX + 'sign-header-key': ';'.join(k for k, _ in entries),
            PREFIX + 'sign-header': text,
            PREFIX + 'hash-header': sign(text, secret),
            })
    return headers


class AxisClient:
    """One unit (systemId) on one axis endpoint.

    >>> client = AxisClient('https://axis.example/', '000.00.00.H54', 's')
    >>> client.endpoint
    'https://axis.example'
    """

    def __init__(self, endpoint: str, system_id: str, secret: str,
            timeout: float = 60, now=None):
        self.endpoint = endpoint.rstrip('/')
        self.system_id = system_id
        self.secret = secret
        self.timeout = timeout
        # a clock of its own, so tests can send a timestamp far from now
        self.now = now or (lambda: dt.datetime.now(dt.timezone.utc))

    # ------------------------------------------------------------ calls

    def send_edoc(self, data: bytes, messagetype: str = 'edoc',
            to: list[str] | None = None) -> str:
        """Send an edXML package (messagetype ``edoc``) or status package
        (``status``); return the axis DocId"""
        params = [('from', self.system_id), ('servicetype', 'eDoc'),
            ('messagetype', messagetype)]
        if to:
            params.append(('to', json.dumps(to, separators=(',', ':'))))
        params.append(('hash-file', file_hash(data)))
        answer = self.call('sendEdoc', params, data,
            'application/octet-stream')
        doc_id = answer.get('DocId') or answer.get('DocID')
        if not doc_id:
            raise AxisError('no_doc_id', "sendEdoc: the answer has no "
                f"DocId: {_excerpt(answer)}", answer)
        return str(doc_id)

    def get_received_edoc_list(self, messagetype: str = 'edoc'
            ) -> list[dict[str, Any]]:
        "The packages (edoc) or statuses (status) waiting for this unit"
        answer = self.call('getReceivedEdocList', [
                ('servicetype', 'eDoc'), ('messagetype', messagetype)])
        return _items(answer, 'getReceivedEdocList')

    def get_edoc(self, doc_id: str) -> bytes:
        "The edXML of a received package (base64 in the JSON answer)"
        answer = self.call('getEdoc', [('docId', doc_id),
                ('filePath', f'{doc_id}.edxml')])
        try:
            data = base64.b64decode(answer.get('data') or '', validate=True)
        except (TypeError, ValueError) as error:
            raise AxisError('bad_answer', f"getEdoc {doc_id}: the data is "
                "not base64", answer) from error
        if not data:
            raise AxisError('empty', f"getEdoc {doc_id}: no data", answer)
        return data

    def download_edoc(self, doc_id: str) -> bytes:
        "The edXML of a received package as raw bytes (GET)"
        body, content_type = self._request('downloadEdoc', [
                ('docId', doc_id)], None, 'application/json', 'GET')
        if not body.strip():
            raise AxisError('empty', f"downloadEdoc {doc_id}: empty body")
        if 'json' in content_type or body.lstrip()[:1] == b'{':
            # a refusal comes as JSON, never an edXML
            _check(_decode('downloadEdoc', body), 'downloadEdoc')
            raise AxisError('bad_answer',
                f"downloadEdoc {doc_id}: JSON instead of edXML")
        if _looks_html(body):
            raise AxisError('html', f"downloadEdoc {doc_id}: an HTML page "
                f"instead of edXML: {_text(body)}")
        return body

    def update_status(self, doc_id: str, status: str,
            description: str = '') -> dict[str, Any]:
        "Acknowledge a received package to the axis: done, fail, processing"
        assert status in UPDATE_STATUSES, status
        params = [('docId', doc_id), ('status', status)]
        if description:
            params.append(('description', header_text(description)))
        return self.call('updateStatus', params)

    def get_sent_edoc_list(self, doc_id: str) -> list[dict[str, Any]]:
        "Per-recipient delivery of a package this unit sent"
        return _items(self.call('getSentEdocList', [('docId', doc_id)]),
            'getSentEdocList')

    def get_agencies_list(self) -> list[dict[str, Any]]:
        "The axis directory: id, pid, code, name, mail, oldCode"
        return _items(self.call('getAgenciesList', []), 'getAgenciesList')

    def get_agencies_list_qd20(self, level: str = '') -> list[dict[str, Any]]:
        "The directory by QĐ 20/2020 codes: id, code, name, mail, code102"
        params = [('level', level)] if level else []
        return _items(self.call('getAgenciesListQD20', params),
            'getAgenciesListQD20')

    # ---------------------------------------------------------- the wire

    def headers(self, params: list[tuple[str, str]], content_type: str
            ) -> dict[str, str]:
        "Every header of a call with params, signed"
        entries = [('systemid', self.system_id),
            ('timestamp', format_timestamp(self.now())),
            ('Content-Type', content_type)] + list(params)
        headers = signed_headers(entries, self.secret)
        headers.update({'User-Agent': USER_AGENT,
                PREFIX + 'version': VERSION, 'Content-Type': content_type})
        return headers

    def call(self, operation: str, params: list[tuple[str, str]],
            body: bytes = b'', content_type: str = 'application/json'
            ) -> dict[str, Any]:
        "POST operation; the JSON answer, or AxisError"
        data, _ = self._request(operation, params, body, content_type)
        return _check(_decode(operation, data), operation)

    def _request(self, operation, params, body, content_type,
            method='POST'):
        request = urllib.request.Request(f'{self.endpoint}/{operation}',
            data=body if method == 'POST' else None, method=method,
            headers=self.headers(params, content_type))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as r:
                return r.read(), r.headers.get('Content-Type') or ''
        except urllib.error.HTTPError as error:
            data = error.read()
            answer = _decode(operation, data, strict=False)
            raise AxisError(f'http_{error.code}', f"{operation}: HTTP "
                f"{error.code} " + (answer.get('ErrorDesc')
                    or _text(data)), answer) from error
        except (socket.timeout, TimeoutError) as error:
            raise AxisError('timeout', f"{operation}: no answer within "
                f"{self.timeout} s") from error
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            raise AxisError('connection', f"{operation}: {error}") from error


def _decode(operation: str, data: bytes, strict: bool = True
        ) -> dict[str, Any]:
    "The JSON object of an answer; AxisError for empty, HTML or other"
    try:
        if not data.strip():
            raise AxisError('empty', f"{operation}: empty answer")
        if _looks_html(data):
            raise AxisError('html', f"{operation}: an HTML page instead of "
                f"JSON: {_text(data)}")
        try:
            answer = json.loads(data)
        except ValueError as error:
            raise AxisError('bad_answer', f"{operation}: the answer is not "
                f"JSON: {_text(data)}") from error
        if not isinstance(answer, dict):
            raise AxisError('bad_answer', f"{operation}: the answer is not "
                f"a JSON object: {_text(data)}")
    except AxisError:
        if strict:
            raise
        return {}
    return answer


def _check(answer: dict[str, Any], operation: str) -> dict[str, Any]:
    "answer if it says success, else AxisError with the server's words"
    code = str(answer.get('ErrorCode', '0'))
    status = str(answer.get('status', 'OK')).upper()
    if code != '0' or status != 'OK':
        description = answer.get('ErrorDesc') or _excerpt(answer)
        raise AxisError(f'axis_{code}' if code != '0' else 'axis_fail',
            f"{operation}: {description}", answer)
    return answer


def _items(answer: dict[str, Any], operation: str) -> list[dict[str, Any]]:
    data = answer.get('data')
    if data is None:
        return []
    if not isinstance(data, list):
        raise AxisError('bad_answer', f"{operation}: data is not a list",
            answer)
    return [d for d in data if isinstance(d, dict)]


def _looks_html(data: bytes) -> bool:
    head = data.lstrip()[:200].lower()
    return head.startswith((b'<!doctype html', b'<html')) or b'<body' in head


def _text(data: bytes, size: int = 200) -> str:
    "A short readable excerpt of a body, for the operator"
    text = data.decode('utf-8', 'replace')
    if _looks_html(data):
        title = re.search(r'<title[^>]*>(.*?)</title>', text, re.I | re.S)
        text = title.group(1) if title else re.sub(r'<[^>]+>', ' ', text)
    return ' '.join(text.split())[:size]


def _excerpt(answer: dict[str, Any]) -> str:
    return json.dumps(answer, ensure_ascii=False)[:300]
