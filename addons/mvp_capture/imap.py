# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fetch new messages from an IMAP mailbox (an agency's official address)."""
from __future__ import annotations

import imaplib
import re
import socket
import ssl as ssl_
from dataclasses import dataclass, field

__all__ = ['ImapAccount', 'ImapError', 'fetch_unseen', 'mark_seen']


class ImapError(Exception):
    "The mailbox could not be reached, logged into or read."


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    # never in a repr (a log line, a traceback's locals)
    password: str = field(repr=False)
    folder: str = 'INBOX'
    security: str = 'ssl'
    "``'ssl'`` (IMAPS, port 993), ``'starttls'`` or ``'none'`` (tests)."
    timeout: float = 60


def _connect(account: ImapAccount) -> imaplib.IMAP4:
    try:
        if account.security == 'ssl':
            connection = imaplib.IMAP4_SSL(
                account.host, account.port,
                ssl_context=ssl_.create_default_context(),
                timeout=account.timeout)
        else:
            connection = imaplib.IMAP4(
                account.host, account.port, timeout=account.timeout)
            if account.security == 'starttls':
                connection.starttls(ssl_.create_default_context())
        connection.login(account.user, account.password)
        status, _ = connection.select(_quote(account.folder))
        if status != 'OK':
            raise ImapError("cannot open folder %s" % account.folder)
    except (OSError, socket.timeout, imaplib.IMAP4.error,
            ssl_.SSLError) as exception:
        raise ImapError(str(exception)) from exception
    return connection


def _quote(folder: str) -> str:
    return '"%s"' % folder.replace('\\', '\\\\').replace('"', '\\"')


def _close(connection: imaplib.IMAP4):
    try:
        connection.logout()
    except (OSError, imaplib.IMAP4.error):
        pass


def fetch_unseen(
        account: ImapAccount, limit: int = 50) -> list[tuple[str, bytes]]:
    """Return up to limit unseen messages as (UID, raw message) pairs.

    Messages are read with ``BODY.PEEK`` so they stay unseen until
    :func:`mark_seen` is called once they are safely stored.

    :raises ImapError: on any connection, login or protocol failure.
    """
    connection = _connect(account)
    try:
        status, data = connection.uid('SEARCH', None, 'UNSEEN')
        if status != 'OK':
            raise ImapError("SEARCH failed")
        uids = (data[0] or b'').decode().split()[:limit]
        messages = []
        for uid in uids:
            status, data = connection.uid('FETCH', uid, '(BODY.PEEK[])')
            if status != 'OK':
                raise ImapError("FETCH %s failed" % uid)
            for item in data:
                if isinstance(item, tuple) and re.search(
                        rb'BODY\[\]', item[0]):
                    messages.append((uid, bytes(item[1])))
                    break
        return messages
    except (OSError, imaplib.IMAP4.error) as exception:
        raise ImapError(str(exception)) from exception
    finally:
        _close(connection)


def mark_seen(account: ImapAccount, uids: list[str]) -> None:
    "Flag the messages as seen so they are not fetched again."
    if not uids:
        return
    connection = _connect(account)
    try:
        status, _ = connection.uid(
            'STORE', ','.join(uids), '+FLAGS', '(\\Seen)')
        if status != 'OK':
            raise ImapError("STORE failed")
    except (OSError, imaplib.IMAP4.error) as exception:
        raise ImapError(str(exception)) from exception
    finally:
        _close(connection)
