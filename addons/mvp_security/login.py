# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Sign-in: persistent lockout and the password to change at sign-in.

Tryton's own brake (``[session] max_attempt``) counts failures in a
sliding window and still lets the right password in once the window
has passed.  QCVN 12:2026/BCA 3.6.2.1.9 asks for a lock: after 5 failed
attempts in a row the login is refused for 12 hours or until the
provincial administrator unlocks it.

The count is kept per login as typed, whether an account has it or not,
so that an unknown login gets the same answers, in the same time, as a
real one (no account enumeration).  The user is told through the
``LoginException`` the web client shows as the question of its sign-in
dialog; ``security.login`` commits the transaction before passing it
on, so the counts and the audit rows are kept.
"""
import datetime as dt
import logging
import zoneinfo

from sql import Literal

from trytond import backend
from trytond.exceptions import LoginException
from trytond.i18n import gettext
from trytond.model import ModelSQL, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import settings
from .audit import CHAIN_LOCK, record, utcnow

logger = logging.getLogger(__name__)

# res.user.login.attempt keeps 512 characters of a login, as we do
LOGIN_SIZE = 512


def local_time(timestamp):
    "Format a naive UTC timestamp in the users' time zone"
    zone = zoneinfo.ZoneInfo(settings.display_timezone())
    return (timestamp.replace(tzinfo=dt.timezone.utc).astimezone(zone)
        .strftime('%H:%M %d/%m/%Y'))


def locked_answer(until):
    "The answer to a sign-in on a locked login"
    return LoginException('password', gettext(
            'mvp_security.msg_login_locked',
            attempts=settings.lock_attempts(), until=local_time(until)),
        type='password')


class LoginLock(ModelSQL):
    "Failed Sign-ins of a Login"
    __name__ = 'mvp.security.login_lock'
    __string__ = "Failed Sign-ins of a Login"
    login = fields.Char("Login", required=True, size=LOGIN_SIZE)
    failures = fields.Integer("Failures", required=True)
    locked_until = fields.Timestamp("Locked Until")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('login_unique', Unique(t, t.login),
                'mvp_security.msg_login_lock_unique'),
            ]

    @classmethod
    def _serialize(cls):
        # Concurrent attempts on one login must all be counted: the
        # audit chain's lock serialises them (re-entrant in a session).
        if backend.name == 'postgresql':
            cursor = Transaction().connection.cursor()
            cursor.execute('SELECT pg_advisory_xact_lock(%s)', (CHAIN_LOCK,))

    @classmethod
    def _row(cls, login):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.id, table.failures, table.locked_until,
                where=table.login == login[:LOGIN_SIZE]))
        row = cursor.fetchone()
        if row and isinstance(row[2], str):  # SQLite
            row = (row[0], row[1], dt.datetime.fromisoformat(row[2]))
        return row

    @classmethod
    def locked_until_of(cls, login):
        "Return the end of the lock of login, or None when not locked"
        row = cls._row(login)
        if row and row[2] and row[2] > utcnow():
            return row[2]

    @classmethod
    def fail(cls, login):
        """Count one more failure for login; return (failures in a row,
        end of the lock when this failure locks it)"""
        cls._serialize()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        login = login[:LOGIN_SIZE]
        row = cls._row(login)
        now = utcnow()
        if row is None:
            cursor.execute(*table.insert(
                    [table.login, table.failures, table.create_date,
                        table.create_uid],
                    [[login, 1, now, 0]]))
            failures = 1
        else:
            # a lock that has run out starts a new count
            expired = row[2] is not None and row[2] <= now
            failures = 1 if expired else row[1] + 1
            cursor.execute(*table.update(
                    [table.failures, table.locked_until, table.write_date,
                        table.write_uid],
                    [failures, None, now, 0],
                    where=table.id == row[0]))
        until = None
        if failures >= settings.lock_attempts():
            until = now + settings.lock_duration()
            cursor.execute(*table.update(
                    [table.locked_until], [until],
                    where=table.login == login))
        return failures, until

    @classmethod
    def clear(cls, login):
        "Forget the failures of login (a success or an unlock)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(
                where=table.login == login[:LOGIN_SIZE]))


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def get_login(cls, login, parameters):
        pool = Pool()
        Lock = pool.get('mvp.security.login_lock')
        login = login or ''
        until = Lock.locked_until_of(login)
        if until:
            if 'password' in parameters:
                record('login_refused', account=cls._account_id(login),
                    login=login[:LOGIN_SIZE])
            # like a wrong password: no hash checked, for any login
            raise locked_answer(until)
        user_id = super().get_login(login, parameters)
        if user_id:
            cls._signed_in(user_id, login, parameters)
            return user_id
        if 'password' in parameters:
            cls._failed(login)

    @classmethod
    def _signed_in(cls, user_id, login, parameters):
        Lock = Pool().get('mvp.security.login_lock')
        Lock.clear(login)
        # may ask for a new password first (raises LoginException)
        cls._check_password_renewal(user_id, login, parameters)
        record('login', account=user_id, login=login)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.last_login], [utcnow()],
                where=table.id == user_id))

    @classmethod
    def _failed(cls, login):
        Lock = Pool().get('mvp.security.login_lock')
        failures, until = Lock.fail(login)
        account = cls._account_id(login)
        login = login[:LOGIN_SIZE]
        record('login_failed', account=account, login=login,
            details='failure %d in a row' % failures)
        if until:
            record('lock', account=account, login=login,
                details='until %s UTC' % until.isoformat(timespec='seconds'))
            raise locked_answer(until)

    @classmethod
    def _account_id(cls, login):
        "The id of the account (active or not) of login, or None"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id,
                where=(table.login == login) & (table.id != Literal(0))))
        row = cursor.fetchone()
        return row[0] if row else None

    @classmethod
    def _login_password(cls, login, parameters):
        if 'password' in parameters:
            _, password_hash, _ = cls._get_login(login)
            if not password_hash:
                # The same work for an unknown login as for a real one
                cls.check_password(parameters['password'], _dummy_hash(cls))
        return super()._login_password(login, parameters)


_DUMMY_HASH = []


def _dummy_hash(User):
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(User.hash_password('not a password: timing only'))
    return _DUMMY_HASH[0]
