# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Delivery of edXML messages to a peer installation or a hub, no Pool.

A peer installation answers ``POST <url>`` with JSON (``accepted``,
``duplicate`` or ``rejected``).  A hub speaks the national-axis calls
(vn-standards.md §1.8) through :class:`HubClient`.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

from trytond import config

MESSAGE_TYPES = {'0': 'edoc', '1': 'revocation', '2': 'update',
    '3': 'replacement'}


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
        business_type: str | None = None) -> dict[str, Any]:
    "Send data to peer; return the JSON answer or raise"
    if peer is None:
        raise TransportError('no_route', "No peer to deliver to.")
    if peer.kind == 'hub':
        client = HubClient(peer.url, peer.system_id or '',
            peer.get_secret('outgoing_key') or '')
        messagetype = ('status' if kind == 'status'
            else MESSAGE_TYPES.get(business_type or '0', 'edoc'))
        answer = client.send_edoc(data, messagetype)
        if str(answer.get('status', '')).upper() != 'OK':
            raise Rejected('hub', str(answer.get('ErrorDesc') or answer),
                answer)
        return {'outcome': 'accepted', 'id': answer.get('DocID')}
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


class HubClient:
    """The national-axis calls (§1.8): sendEdoc, getReceivedEdocList,
    getEdoc, updateStatus, authenticated by systemId and secret."""

    def __init__(self, url: str, system_id: str, secret: str):
        self.url = url.rstrip('/')
        self.system_id = system_id
        self.secret = secret

    def _call(self, name: str, body: bytes, content_type: str,
            header: dict | None = None) -> bytes:
        headers = {'systemId': self.system_id, 'secret': self.secret,
            'Content-Type': content_type}
        if header is not None:
            headers['header'] = json.dumps(header)
        request = urllib.request.Request(f'{self.url}/{name}', data=body,
            method='POST', headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout()) as r:
                return r.read()
        except urllib.error.HTTPError as error:
            raise TransportError(f'http_{error.code}',
                f"hub {name}: HTTP {error.code}") from error
        except (urllib.error.URLError, socket.timeout, ConnectionError,
                OSError) as error:
            raise TransportError(
                'connection', f"hub {name}: {error}") from error

    def _json_call(self, name: str, payload: dict) -> dict[str, Any]:
        return _json(self._call(name, json.dumps(payload).encode(),
                'application/json'))

    def send_edoc(self, data: bytes, messagetype: str = 'edoc'
            ) -> dict[str, Any]:
        header = {'from': self.system_id, 'servicetype': 'eDoc',
            'messagetype': messagetype}
        return _json(self._call('sendEdoc', data, 'application/xml', header))

    def get_received_edoc_list(self, messagetype: str | None = None
            ) -> list[dict[str, Any]]:
        payload = {'servicetype': 'eDoc', 'from': self.system_id}
        if messagetype:
            payload['messagetype'] = messagetype
        answer = self._json_call('getReceivedEdocList', payload)
        return list(answer.get('data') or [])

    def get_edoc(self, doc_id: str) -> bytes:
        return self._call('getEdoc', json.dumps({'docId': doc_id}).encode(),
            'application/json')

    def update_status(self, doc_id: str, status: str) -> dict[str, Any]:
        return self._json_call('updateStatus',
            {'docId': doc_id, 'status': status})
