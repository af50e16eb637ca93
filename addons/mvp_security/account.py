# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Accounts: unlock, last sign-in, inactivity, and the audit of changes.

QCVN 12:2026/BCA 3.7.2.4 lists the events to record: creation, change
and deletion of accounts and every change of permissions (groups and
agency roles).  Accounts unused for 45 days are disabled (TCVN
14423:2026, level 2 and up).
"""
import datetime as dt
from zoneinfo import ZoneInfo

from sql import Null
from sql.conditionals import Coalesce

from trytond.i18n import gettext

from trytond.model import ModelView, fields
from trytond.modules.mvp_documents.notification import send_email
from trytond.modules.mvp_documents.protection import refuse, users_call
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import settings
from .audit import record, utcnow

# Fields written by sign-in and password changes: their own events
# record them, an "account changed" row would only repeat it.
UNLOGGED_FIELDS = frozenset({
        'last_login', 'password_changed', 'password_hash', 'password',
        'password_reset', 'password_reset_expire', 'password_must_change',
        'warnings', 'avatar', 'avatar_cache', 'inactivity_warned'})
# an unused account is told this long before it is disabled
WARNING = dt.timedelta(days=7)


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    last_login = fields.Timestamp("Last Sign-in", readonly=True)
    locked_until = fields.Function(
        fields.Timestamp("Locked Until"), 'get_locked_until')
    inactivity_warned = fields.Timestamp(
        "Warned of Inactivity", readonly=True,
        help="When the account was told it will be disabled unused.")
    _server_written = frozenset({
            'last_login', 'password_changed', 'inactivity_warned'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'unlock_account': {
                    'invisible': ~Eval('locked_until'),
                    'depends': ['locked_until'],
                    },
                })

    def get_locked_until(self, name):
        Lock = Pool().get('mvp.security.login_lock')
        return Lock.locked_until_of(self.login or '')

    @classmethod
    @ModelView.button
    def unlock_account(cls, users):
        "Lift the lock of failed sign-ins (the provincial administrator)"
        Lock = Pool().get('mvp.security.login_lock')
        if users_call() and not is_province_admin():
            refuse('mvp_security.msg_unlock_province_only', users)
        for user in users:
            Lock.clear(user.login)
            record('unlock', account=user, login=user.login)

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        super().check_modification(
            mode, users, values=values, external=external)
        if (external and mode == 'write'
                and cls._server_written & set(values or {})):
            refuse('mvp_documents.msg_field_server_only', users,
                fields=cls._server_written & set(values),
                field_names=', '.join(sorted(
                        cls._server_written & set(values))),
                model_name=cls.__names__()['model'])

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'create':
            for user in users:
                record('account_create', account=user, login=user.login)
        elif mode == 'write':
            logged = set(field_names or ()) - UNLOGGED_FIELDS
            if field_names is None or logged:
                details = 'fields: %s' % ', '.join(sorted(logged or ['*']))
                for user in users:
                    record('account_write', account=user, login=user.login,
                        details=details)

    @classmethod
    def disable_inactive_accounts(cls):
        """Disable the accounts without a sign-in for [mvp_security]
        inactive_days (45): the cron's method"""
        cls.warn_inactive_accounts()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        limit = utcnow() - settings.inactive_days()
        cursor.execute(*table.select(table.id,
                where=(table.active == True)  # noqa: E712
                & (table.id != 0)
                & (Coalesce(table.last_login, table.create_date) < limit)
                & (table.create_date != Null)))
        ids = [i for i, in cursor]
        if not ids:
            return []
        users = cls.browse(ids)
        with without_check_access():
            cls.write(users, {'active': False})
        for user in users:
            record('account_disable', account=user, login=user.login,
                details='no sign-in for %d days'
                % settings.inactive_days().days)
        return users


    @classmethod
    def warn_inactive_accounts(cls):
        """E-mail the accounts that the cron will disable within a week,
        once per period without a sign-in; return them"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        last_use = Coalesce(table.last_login, table.create_date)
        cursor.execute(*table.select(table.id, last_use,
                where=(table.active == True)  # noqa: E712
                & (table.id != 0)
                & (table.create_date != Null)
                & (last_use < utcnow() - settings.inactive_days() + WARNING)
                & ((table.inactivity_warned == Null)
                    | (table.inactivity_warned < last_use))))
        rows = cursor.fetchall()
        zone = ZoneInfo(settings.display_timezone())
        for user_id, last in rows:
            user = cls(user_id)
            if isinstance(last, str):
                # SQLite gives an expression's timestamp as text
                last = dt.datetime.fromisoformat(last)
            when = (last + settings.inactive_days()).replace(
                tzinfo=dt.timezone.utc).astimezone(zone)
            if user.email:
                send_email([user.email],
                    gettext('mvp_security.msg_inactive_warning_subject'),
                    gettext('mvp_security.msg_inactive_warning_body',
                        login=user.login, date=when.strftime('%d/%m/%Y'),
                        days=settings.inactive_days().days))
        if rows:
            cursor.execute(*table.update([table.inactivity_warned],
                    [utcnow()], where=table.id.in_([r[0] for r in rows])))
        return cls.browse([r[0] for r in rows])

class UserGroup(metaclass=PoolMeta):
    __name__ = 'res.user-res.group'

    @classmethod
    def on_modification(cls, mode, links, field_names=None):
        super().on_modification(mode, links, field_names=field_names)
        # a link written (moved to another user or group) is a grant
        event = 'group_remove' if mode == 'delete' else 'group_add'
        for link in links:
            record(event, account=link.user, login=link.user.login,
                resource='res.group,%s' % link.group.id,
                details=link.group.name)


class UserRole(metaclass=PoolMeta):
    __name__ = 'mvp.user.role'

    @classmethod
    def on_modification(cls, mode, roles, field_names=None):
        callback = super().on_modification(mode, roles, field_names)
        event = {'create': 'role_add', 'delete': 'role_remove'}.get(mode)
        if event:
            for role in roles:
                record(event, account=role.user, login=role.user.login,
                    resource='company.company,%s' % role.company.id,
                    details='%s @ %s' % (
                        role.group.name, role.company.rec_name))
        return callback
