# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Idle sessions end on the server (QCVN 12:2026/BCA 3.6.2.1.8).

Tryton checks a session's key against ``[session] max_age``, counted
from its creation, on every authenticated call (``security.check`` →
``ir.session.check``), and touches the session after each call
(``security.reset`` → ``ir.session.reset``, at most once per tenth of
``[session] timeout``).  Its ``timeout`` guards only the calls marked
``fresh_session``, so an idle session lives on.

Here ``check`` also ends a session whose last call is older than the
idle timeout (15 minutes; 5 for administrators, ``[mvp_security]
idle_timeout`` and ``admin_idle_timeout``), and ``reset`` touches it
often enough for that timeout to be exact within a tenth of it.  The
web client then gets 401 and shows its sign-in dialog.  The bus's long
polling does not touch the session: waiting is not activity.
"""
import datetime as dt

from trytond.pool import PoolMeta

from . import settings
from .audit import record
from .password import is_administrator


def idle_timeout(user_id):
    if is_administrator(user_id):
        return settings.admin_idle_timeout()
    return settings.idle_timeout()


class Session(metaclass=PoolMeta):
    __name__ = 'ir.session'

    @classmethod
    def check(cls, user, key, domain=None):
        find = super().check(user, key, domain=domain)
        if not find:
            return find
        sessions = cls.search([
                ('create_uid', '=', user),
                ('key', '=', key),
                ], limit=1)
        if not sessions:
            return None
        session, = sessions
        idle = abs(dt.datetime.now() - session.last_modified_at)
        if idle >= idle_timeout(user):
            login = session.create_uid.login
            cls.delete([session])
            record('timeout', account=user, login=login,
                details='idle for %d s' % idle.total_seconds())
            return False
        return find

    @classmethod
    def reset(cls, key, domain=None):
        now = dt.datetime.now()
        last_reset = cls._session_reset_cache.get(key)
        interval = min(
            settings.idle_timeout(), settings.admin_idle_timeout()) / 10
        if last_reset is None or (now - interval) > last_reset:
            sessions = cls.search([
                    ('key', '=', key),
                    domain or [],
                    ])
            cls.write(sessions, {})

    @classmethod
    def remove(cls, key, domain=None):
        users = [s.create_uid.id
            for s in cls.search([('key', '=', key), domain or []])]
        name = super().remove(key, domain=domain)
        if name and users:
            record('logout', account=users[0], login=name)
        return name
