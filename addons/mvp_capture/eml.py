# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Read an e-mail (RFC 5322 ``.eml``) that brings an official document."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import html
import re
from dataclasses import dataclass, field

__all__ = ['Mail', 'MailAttachment', 'MailError', 'parse_eml',
    'looks_like_eml', 'html_text']


class MailError(Exception):
    "The data is not an e-mail message."


@dataclass(frozen=True)
class MailAttachment:
    name: str
    mimetype: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    subject: str
    sender_name: str
    sender_address: str
    date: dt.datetime | None
    message_id: str | None
    text: str
    attachments: tuple[MailAttachment, ...] = field(default_factory=tuple)


_HEADER_RE = re.compile(
    rb'^(?:Return-Path|Received|From|To|Subject|Date|Message-ID|'
    rb'MIME-Version|Delivered-To|X-[\w-]+|Content-Type):', re.IGNORECASE)


def looks_like_eml(data: bytes) -> bool:
    "Tell whether data starts like an e-mail message."
    head = data[:4096].lstrip()
    if not _HEADER_RE.match(head):
        return False
    try:
        message = email.message_from_bytes(
            head, policy=email.policy.default)
    except Exception:
        return False
    return bool(message.get('From') or message.get('Subject'))


def _text(message) -> str:
    body = message.get_body(preferencelist=('plain', 'html'))
    if body is None:
        return ''
    try:
        content = body.get_content()
    except (LookupError, ValueError):
        content = body.get_payload(decode=True).decode('utf-8', 'replace')
    if body.get_content_subtype() == 'html':
        content = html_text(content)
    return content.strip()


# A tag never spans a "<": "<<<<" is read in one pass, not once per "<"
_TOKEN = re.compile(r'<!--|<(/?)\s*+([a-zA-Z][a-zA-Z0-9]*+)?+[^<>]*+>')
_HIDDEN = {'script', 'style'}
_CLOSE = {name: re.compile(r'</\s*%s\s*>' % name, re.IGNORECASE)
    for name in _HIDDEN}


def html_text(content: str) -> str:
    """Return the text of HTML: tags dropped, scripts and styles left
    out, a line break for <br>, </p> and </div>, entities decoded.

    One pass whatever the input (a crafted e-mail of unclosed tags,
    comments or scripts costs as much as its length):

    >>> html_text('<p>Kính gửi</p><script>x()</script>UBND &amp; HĐND')
    'Kính gửi\\nUBND & HĐND'
    """
    parts = []
    position = 0
    while match := _TOKEN.search(content, position):
        parts.append(content[position:match.start()])
        position = match.end()
        name = (match.group(2) or '').lower()
        if match.group(0) == '<!--':
            end = content.find('-->', position)
            position = len(content) if end < 0 else end + 3
        elif name in _HIDDEN and not match.group(1):
            # what follows an unclosed <script> is script to the end
            close = _CLOSE[name].search(content, position)
            position = len(content) if close is None else close.end()
        elif name == 'br' or (match.group(1) and name in {'p', 'div'}):
            parts.append('\n')
    parts.append(content[position:])
    return html.unescape(''.join(parts))


def _attachments(message):
    for index, part in enumerate(message.iter_attachments(), 1):
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if not data:
            continue
        name = part.get_filename() or 'attachment-%s' % index
        name = name.replace('/', '_').replace('\\', '_')
        yield MailAttachment(
            name=name, mimetype=part.get_content_type(), data=data)


def parse_eml(data: bytes) -> Mail:
    """Return the subject, sender, date, text and attachments of data.

    :raises MailError: data is not an e-mail message.
    """
    if not data or not looks_like_eml(data):
        raise MailError("not an e-mail message")
    message = email.message_from_bytes(data, policy=email.policy.default)
    name, address = email.utils.parseaddr(str(message.get('From', '')))
    date = None
    if message.get('Date'):
        try:
            date = email.utils.parsedate_to_datetime(str(message['Date']))
        except (TypeError, ValueError):
            date = None
    return Mail(
        subject=' '.join(str(message.get('Subject', '')).split()),
        sender_name=name,
        sender_address=address.lower(),
        date=date,
        message_id=(str(message['Message-ID']).strip()
            if message.get('Message-ID') else None),
        text=_text(message),
        attachments=tuple(_attachments(message)))
