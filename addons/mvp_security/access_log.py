# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who saw what: the access history of documents (Decree 30/2020 Phụ
lục VI, *lịch sử truy cập*).

One append-only table: who (account and official), when (UTC), what
(the document, and the file for downloads and signatures), how (open,
download, print, edit, state change, signature, sending, recall,
share) and from where (the client's address, ``num_proxies`` applied).

Writing must not slow the daily work: the rows of one call are
inserted by one SQL statement, without the ORM, and only for the calls
that are accesses (see ``documents.py`` for what counts as opening).
Nobody changes a row: no model access allows it, ``check_modification``
refuses it even to the server's own code, and the database refuses
UPDATE and DELETE with a trigger (PostgreSQL and SQLite).
"""
from sql import Cast
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.functions import Function

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction

from .append_only import AppendOnlyMixin
from .audit import remote_address, utcnow

ACTIONS = [
    ('open', "Open"),
    ('download', "Download"),
    ('print', "Print"),
    ('edit', "Edit"),
    ('state', "State change"),
    ('sign', "Signature"),
    ('send', "Sending"),
    ('recall', "Recall"),
    ('share', "Share"),
    ]

# The documents whose history is kept
DOCUMENT_MODELS = ['mvp.incoming', 'mvp.outgoing', 'mvp.dossier']
FILE_MODEL = 'mvp.document.file'


class AccessLog(AppendOnlyMixin, ModelSQL, ModelView):
    "Document Access"
    __name__ = 'mvp.access.log'
    __string__ = "Document Access"
    _append_only_message = 'the document access history is append-only'

    at = fields.Timestamp("Time", required=True, readonly=True)
    action = fields.Selection(ACTIONS, "Action", required=True, readonly=True)
    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='RESTRICT',
        help="Empty for the server's own work (e.g. a document received "
        "from the national axis).")
    employee = fields.Many2One(
        'company.employee', "Official", readonly=True, ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Agency", readonly=True, ondelete='RESTRICT',
        help="The agency of the document.")
    # A reference, not a Many2One: the history outlives a draft deleted
    # and no row is ever rewritten by a foreign key's cascade
    document = fields.Reference(
        "Document", selection='get_documents', readonly=True)
    resource = fields.Char("Record", readonly=True,
        help="The record accessed: the document, or its file.")
    details = fields.Char("Details", readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('at', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.document, Index.Equality())),
                Index(t, (t.company, Index.Range()), (t.at, Index.Range())),
                })

    @classmethod
    def get_documents(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        result = [(None, '')]
        for name in DOCUMENT_MODELS:
            try:
                pool.get(name)
            except KeyError:  # mvp_dossier not activated
                continue
            result.append((name, Model.get_name(name)))
        return result

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        # Rows are inserted by append() only: the ORM never writes them
        raise AccessError(gettext('mvp_security.msg_access_log_append_only'))

    @classmethod
    def append(cls, rows):
        """Insert rows (dicts of column values) in one statement, in the
        running transaction or, when it is read-only (a form opened),
        in a transaction of their own"""
        if not rows:
            return
        transaction = Transaction()
        if transaction.readonly:
            with transaction.new_transaction() as new:
                cls._insert(rows)
                new.commit()
        else:
            cls._insert(rows)

    @classmethod
    def _insert(cls, rows):
        table = cls.__table__()
        names = sorted({n for r in rows for n in r})
        columns = [getattr(table, n) for n in names]
        now = utcnow()
        columns += [table.create_uid, table.create_date]
        values = [[r.get(n) for n in names] + [r.get('user') or 0, now]
            for r in rows]
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.insert(columns, values))


def _actor():
    "Return (user, employee) of the transaction; (None, None) for root"
    pool = Pool()
    User = pool.get('res.user')
    user_id = Transaction().user
    if not user_id:
        return None, None
    table = User.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(
            table.employee, where=table.id == int(user_id)))
    row = cursor.fetchone()
    return user_id, (row[0] if row else None)


def _companies(model, ids, extra=()):
    """Return {id: (company, *extra columns)} of the records, read with
    SQL: the ORM would check rules again and call the read hooks"""
    Model = Pool().get(model)
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.id, table.company,
            *[getattr(table, c) for c in extra],
            where=table.id.in_([int(i) for i in ids])))
    return {row[0]: row[1:] for row in cursor}


def record(model, ids, action, details=None):
    """Record action on the records ids of model: a document (incoming,
    outgoing, dossier) or a file of one"""
    if not ids or not (model in DOCUMENT_MODELS or model == FILE_MODEL):
        return
    pool = Pool()
    AccessLog = pool.get('mvp.access.log')
    user, employee = _actor()
    base = {
        'at': utcnow(), 'action': action, 'user': user,
        'employee': employee, 'ip_address': remote_address(),
        'details': (details or '')[:256] or None,
        }
    rows = []
    if model == FILE_MODEL:
        for id_, (company, document) in _companies(
                model, ids, extra=['resource']).items():
            if (document or '').partition(',')[0] not in DOCUMENT_MODELS:
                document = None
            rows.append(dict(base, company=company, document=document,
                    resource='%s,%s' % (model, id_)))
    else:
        for id_, (company,) in _companies(model, ids).items():
            reference = '%s,%s' % (model, id_)
            rows.append(dict(base, company=company, document=reference,
                    resource=reference))
    AccessLog.append(rows)


def count_by_document(records):
    "Return {id: number of accesses} of the documents"
    AccessLog = Pool().get('mvp.access.log')
    table = AccessLog.__table__()
    cursor = Transaction().connection.cursor()
    references = {str(r): r.id for r in records}
    result = dict.fromkeys(references.values(), 0)
    cursor.execute(*table.select(table.document, Count(table.id),
            where=table.document.in_(list(references)),
            group_by=[table.document]))
    for reference, count in cursor:
        result[references[reference]] = count
    return result


class SQLiteDate(Function):
    "SQLite's DATE() of a timestamp stored as text"
    __slots__ = ()
    _function = 'DATE'


class AccessLogDaily(ModelSQL, ModelView):
    "Document Accesses per Agency and Day"
    __name__ = 'mvp.access.log.daily'
    __string__ = "Document Accesses per Agency and Day"

    company = fields.Many2One('company.company', "Agency", readonly=True)
    day = fields.Date("Day", readonly=True, help="The day in UTC.")
    accesses = fields.Integer("Accesses", readonly=True)
    opens = fields.Integer("Openings", readonly=True)
    downloads = fields.Integer("Downloads", readonly=True)
    prints = fields.Integer("Prints", readonly=True)
    changes = fields.Integer("Changes", readonly=True,
        help="Edits, state changes, signatures, sendings, recalls "
        "and shares.")
    users = fields.Integer("Users", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('day', 'DESC'), ('company', 'ASC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        AccessLog = Pool().get('mvp.access.log')
        log = AccessLog.__table__()
        if backend.name == 'sqlite':
            day = SQLiteDate(log.at)
        else:
            day = Cast(log.at, cls.day.sql_type().base)

        def count(*actions):
            return Sum(Case((log.action.in_(actions), 1), else_=0))
        changes = [a for a, _ in ACTIONS
            if a not in {'open', 'download', 'print'}]
        return log.select(
            Min(log.id).as_('id'),
            log.company.as_('company'),
            day.as_('day'),
            Count(log.id).as_('accesses'),
            count('open').as_('opens'),
            count('download').as_('downloads'),
            count('print').as_('prints'),
            count(*changes).as_('changes'),
            Count(log.user, distinct=True).as_('users'),
            group_by=[log.company, day])
