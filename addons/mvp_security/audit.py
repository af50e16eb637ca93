# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The security audit trail (QCVN 12:2026/BCA 3.7.2.4 and 3.9.2.1).

One append-only table: every row carries the SHA-256 of its content and
of the previous row's hash, so that a row changed, removed or inserted
afterwards breaks the chain (``verify``).  Nobody writes or deletes a
row: no model access allows it, ``check_modification`` refuses it even
to the server's own code, and the database refuses UPDATE and DELETE
with a trigger (PostgreSQL and SQLite).  Times are UTC.

Kept (QCVN 12 asks for 12 months at least): nothing purges the trail,
neither a cron nor a command.  An archive-and-purge is left out on
purpose: the chain starts at GENESIS, so dropping its oldest rows would
need an anchor (the last dropped hash) that ``verify`` trusts, which
whoever can delete rows could rewrite as well, and the triggers would
have to be lifted for it.  The trail leaves the database only in its
backups and the syslog copy; ``tests/test_audit_review.py`` checks that
a row of 13 months ago outlives every cron.
"""
import copy
import datetime as dt
import hashlib
import json
import logging

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import syslog_forward
from .append_only import AppendOnlyMixin

__all__ = ['Audit', 'record', 'verify']

logger = logging.getLogger(__name__)

GENESIS = '0' * 64
# pg_advisory_xact_lock key: one writer at a time extends the chain
CHAIN_LOCK = 0x6d767061756469  # "mvpaudi"

EVENTS = [
    ('login', "Sign-in"),
    ('login_failed', "Failed sign-in"),
    ('login_refused', "Sign-in refused (locked)"),
    ('lock', "Account locked"),
    ('unlock', "Account unlocked"),
    ('logout', "Sign-out"),
    ('timeout', "Session timed out"),
    ('password_change', "Password changed"),
    ('password_set', "Password set by an administrator"),
    ('password_reset', "Password reset"),
    ('password_expired', "Password expired"),
    ('account_create', "Account created"),
    ('account_write', "Account changed"),
    ('account_disable', "Account disabled for inactivity"),
    ('group_add', "Group given"),
    ('group_remove', "Group taken away"),
    ('role_add', "Agency role given"),
    ('role_remove', "Agency role taken away"),
    ('audit_read', "Audit trail read"),
    ('totp_enrol', "Second factor enrolled"),
    ('totp_success', "Second factor accepted"),
    ('totp_failed', "Second factor refused"),
    ('totp_replay', "Second factor code replayed"),
    ('totp_recovery', "Recovery code used"),
    ('totp_reset', "Second factor reset"),
    ('totp_reauth', "Confirmed with the second factor"),
    ('config_create', "Configuration record created"),
    ('config_write', "Configuration changed"),
    ('config_delete', "Configuration record deleted"),
    ('backup_delete', "Backup deleted"),
    ('backup_delete_refused', "Backup deletion refused"),
    ]


def utcnow():
    "The current UTC time, naive as Tryton stores timestamps"
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def remote_address():
    "The client's address of the request (num_proxies applied)"
    address, _ = Transaction().remote_address()
    return str(address) if address else None


def record(event, account=None, login=None, resource=None, details=''):
    """Append one event to the audit trail in the running transaction.

    account: the res.user concerned (or its id), login: the login
    concerned (the one typed for a sign-in), resource: 'model,id' of the
    record concerned, details: free text (never a secret)."""
    return Pool().get('mvp.security.audit').append(
        event, account=account, login=login, resource=resource,
        details=details)


def read_write_rpc(rpcs, names):
    """Make the RPC of names read-write: a call that is recorded writes
    its row (PostgreSQL refuses an INSERT in a read-only transaction)"""
    for name in names:
        rpc = copy.copy(rpcs[name])
        rpc.readonly = False
        rpcs[name] = rpc


def row_hash(previous, values):
    "The SHA-256 (hex) of a row's content chained to the previous hash"
    content = json.dumps([
            values['timestamp'].isoformat(timespec='microseconds'),
            values['event'], values.get('account'), values.get('login'),
            values.get('actor'), values.get('ip_address'),
            values.get('resource'), values.get('details') or ''],
        ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256(
        (previous + '\n' + content).encode('utf-8')).hexdigest()


class Audit(AppendOnlyMixin, ModelSQL, ModelView):
    "Security Audit Event"
    __name__ = 'mvp.security.audit'
    __string__ = "Security Audit Event"
    _append_only_message = 'the security audit trail is append-only'
    _rec_name = 'hash'

    timestamp = fields.Timestamp("Time", required=True, readonly=True)
    event = fields.Selection(EVENTS, "Event", required=True, readonly=True)
    # Accounts are never deleted in Tryton (res.user.delete refuses), so
    # the links hold; RESTRICT keeps the database from rewriting a row.
    account = fields.Many2One(
        'res.user', "Account", readonly=True, ondelete='RESTRICT')
    login = fields.Char("Login", readonly=True)
    actor = fields.Many2One(
        'res.user', "By", readonly=True, ondelete='RESTRICT',
        help="The user who acted; empty for the system or a sign-in.")
    ip_address = fields.Char("IP Address", readonly=True)
    resource = fields.Char("Record", readonly=True)
    details = fields.Text("Details", readonly=True)
    previous_hash = fields.Char("Previous Hash", readonly=True)
    hash = fields.Char("Hash", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.timestamp, Index.Range())),
                Index(t, (t.account, Index.Range())),
                Index(t, (t.event, Index.Equality())),
                })
        # Reading the trail is itself recorded, so read writes a row
        read_write_rpc(cls.__rpc__, ['read', 'search_read', 'export_data'])

    @classmethod
    def append(cls, event, account=None, login=None, resource=None,
            details=''):
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        if backend.name == 'postgresql':
            cursor.execute('SELECT pg_advisory_xact_lock(%s)', (CHAIN_LOCK,))
        table = cls.__table__()
        cursor.execute(*table.select(table.hash,
                order_by=[table.id.desc], limit=1))
        row = cursor.fetchone()
        previous = row[0] if row else GENESIS
        values = {
            'timestamp': utcnow(),
            'event': event,
            'account': int(account) if account is not None else None,
            'login': login,
            'actor': transaction.user or None,
            'ip_address': remote_address(),
            'resource': resource,
            'details': details or '',
            }
        values['previous_hash'] = previous
        values['hash'] = row_hash(previous, values)
        with without_check_access(), \
                transaction.set_user(0), \
                transaction.set_context(_mvp_audit_append=True):
            audit, = cls.create([values])
        logger.info("audit %s account=%s login=%r ip=%s", event,
            values['account'], login, values['ip_address'])
        syslog_forward.forward(values)
        return audit

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'create' and Transaction().context.get(
                '_mvp_audit_append'):
            return
        # Append-only, for the server's own code too
        raise AccessError(gettext('mvp_security.msg_audit_append_only'))

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        transaction = Transaction()
        if (transaction.user and transaction.check_access
                and not transaction.readonly and ids):
            record('audit_read', details='%d rows: %s' % (
                    len(ids), ', '.join(map(str, sorted(ids)[:20]))))
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        if Transaction().user and records:
            record('audit_read', details='export of %d rows' % len(records))
        return super().export_data(records, fields_names, header=header)


def verify(cursor=None):
    """Check the chain of the whole trail in id order.

    Return (number of rows checked, None) when intact, or (row id,
    reason) for the first row that breaks it."""
    Audit = Pool().get('mvp.security.audit')
    if cursor is None:
        cursor = Transaction().connection.cursor()
    table = Audit.__table__()
    columns = ['id', 'timestamp', 'event', 'account', 'login', 'actor',
        'ip_address', 'resource', 'details', 'previous_hash', 'hash']
    query = table.select(*[getattr(table, c) for c in columns],
        order_by=[table.id.asc])
    cursor.execute(*query)
    previous, count = GENESIS, 0
    for row in cursor:
        values = dict(zip(columns, row, strict=True))
        if isinstance(values['timestamp'], str):  # SQLite
            values['timestamp'] = dt.datetime.fromisoformat(
                values['timestamp'])
        if values['previous_hash'] != previous:
            return values['id'], 'previous hash does not match'
        if row_hash(previous, values) != values['hash']:
            return values['id'], 'content does not match its hash'
        previous, count = values['hash'], count + 1
    return count, None
