# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Delivery of edXML messages to a peer installation or an axis, no Pool.

A peer installation answers ``POST <url>`` with JSON (``accepted``,
``duplicate`` or ``rejected``).  An axis (national or provincial) is
reached through its peer's ``axis_send`` (axis.py, axis_client.py).
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

from trytond import config

class TransportError(Exception):
    "Temporary failure: the message is retried later"

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class Rejected(Exception):
    "The receiver refused the message for good"

    def __init__(self, code: str, message: str, answer: dict | None = None):
        super().__init__(message)
        self.code = code
        self.answer = answer or {}


def timeout() -> int:
    return config.getint('mvp_interchange', 'timeout', default=60)


def deliver(peer, data: bytes, message_id: str, kind: str = 'package',
        to: str | None = None) -> dict[str, Any]:
    "Send data to peer (for the agency code to); the JSON answer or raise"
    if peer is None:
        raise TransportError('no_route', "No peer to deliver to.")
    if peer.kind == 'hub':
        return peer.axis_send(data, kind, to)
    return post(peer.url, data, peer.get_secret('outgoing_key') or '',
        message_id)


def post(url: str, data: bytes, key: str, message_id: str
        ) -> dict[str, Any]:
    # Not */xml: trytond reads any body typed xml as an XML-RPC call.
    request = urllib.request.Request(url, data=data, method='POST',
        headers={
            'Content-Type': 'application/octet-stream',
            'Authorization': f'Bearer {key}',
            'X-Edxml-Message-Id': message_id,
            })
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:
            return _json(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        answer = _json(body, strict=False)
        if answer.get('outcome') == 'rejected':
            raise Rejected(str(answer.get('code') or error.code),
                str(answer.get('message') or ''), answer) from error
        raise TransportError(f'http_{error.code}',
            f"HTTP {error.code}: {body[:300]!r}") from error
    except (urllib.error.URLError, socket.timeout, ConnectionError,
            OSError) as error:
        raise TransportError('connection', str(error)) from error


def _json(body: bytes, strict: bool = True) -> dict[str, Any]:
    try:
        answer = json.loads(body)
        if not isinstance(answer, dict):
            raise ValueError(body)
    except ValueError as exception:
        if strict:
            raise TransportError('bad_answer',
                f"The answer is not JSON: {body[:300]!r}") from exception
        return {}
    return answer
