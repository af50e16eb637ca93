# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Integrity of the file store (issue 18, item 3)

Every document file has its SHA-256 recorded when it enters.  A nightly
job reads a rolling share of the stored files (``[integrity] share``,
1/7 by default: the whole store once a week), the least recently checked
first, and compares each with its hash; an altered or missing file is
marked, its document shows it, and the provincial administrators are
alerted.  ``mvp-integrity`` runs the check at once.

Tryton writes a file to the store before the transaction commits; the
files written by a transaction that rolls back are removed (see
``install``), unless a committed row refers to them.
"""
import argparse
import datetime as dt
import hashlib
import json
import logging
import math
import os
import sys
from fractions import Fraction

from sql import Column, Null
from sql.aggregate import Count
from sql.conditionals import Case

from trytond import backend, config
from trytond.filestore import filestore
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .notification import notify_each, province_admin_users

logger = logging.getLogger(__name__)

STATES = [
    (None, ""),
    ('ok', "Intact"),
    ('altered', "Altered"),
    ('missing', "Missing"),
    ]
DAMAGED = ['altered', 'missing']


def configured_share():
    "Return the share of the store checked per night: 1/7 by default"
    text = config.get('integrity', 'share', default='1/7') or '1/7'
    text = text.strip()
    try:
        share = (Fraction(text[:-1]) / 100 if text.endswith('%')
            else Fraction(text))
    except (ValueError, ZeroDivisionError):
        logger.warning("[integrity] share %r is not a fraction", text)
        share = Fraction(1, 7)
    return min(max(share, Fraction(0)), Fraction(1))


def file_state(file_id, prefix, sha256):
    "Return 'ok', 'altered' or 'missing' for a file of the store"
    try:
        data = filestore.get(file_id, prefix=prefix)
    except FileNotFoundError:
        return 'missing'
    except OSError:
        logger.exception("file %r of the store not read", file_id)
        return 'missing'
    return 'ok' if hashlib.sha256(data).hexdigest() == sha256 else 'altered'


class DocumentFile(metaclass=PoolMeta):
    __name__ = 'mvp.document.file'
    # Written by the integrity check only
    integrity_state = fields.Selection(
        STATES, "Integrity", readonly=True,
        help="What the last check of the stored file against its "
        "SHA-256 found.")
    integrity_checked = fields.Timestamp(
        "Integrity Checked", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._server_fields = cls._server_fields | {
            'integrity_state', 'integrity_checked'}
        t = cls.__table__()
        cls._sql_indexes.update({
                # the night's share is taken by last check
                Index(t, (t.integrity_checked, Index.Range(order='ASC'))),
                # the rollback clean-up looks files up by their id
                Index(t, (t.file_id, Index.Equality())),
                })

    @classmethod
    def _derived(cls, file, values):
        result = super()._derived(file, values)
        if 'data' in values:
            # new content: checked again from the start
            result.update(integrity_state=None, integrity_checked=None)
        return result

    @classmethod
    def copy(cls, files, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('integrity_state', None)
        default.setdefault('integrity_checked', None)
        return super().copy(files, default=default)

    @classmethod
    def check_integrity(cls, share=None):
        """Check the night's share of the stored files against their
        SHA-256 (the cron's job); return the report"""
        if share is None:
            share = configured_share()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        stored = ((table.file_id != Null) & (table.file_id != '')
            & (table.sha256 != Null))
        cursor.execute(*table.select(Count(table.id), where=stored))
        total, = cursor.fetchone()
        count = min(total, math.ceil(total * Fraction(share)))
        cursor.execute(*table.select(
                table.id, table.file_id, table.sha256,
                where=stored,
                # never checked first, then the longest ago
                order_by=[
                    Case((table.integrity_checked == Null, 0), else_=1),
                    table.integrity_checked.asc, table.id.asc],
                limit=count))
        prefix = cls.data.store_prefix
        if prefix is None:
            prefix = Transaction().database.name
        found = {}
        for id_, file_id, sha256 in cursor.fetchall():
            found.setdefault(file_state(file_id, prefix, sha256), []).append(
                id_)
        cls._mark_integrity(found)
        damaged = cls.browse(sorted(
                i for s in DAMAGED for i in found.get(s, [])))
        if damaged:
            cls._alert_damaged(damaged)
        return {
            'total': total, 'checked': count,
            'ok': len(found.get('ok', [])),
            'altered': [f._integrity_line() for f in damaged
                if f.integrity_state == 'altered'],
            'missing': [f._integrity_line() for f in damaged
                if f.integrity_state == 'missing'],
            }

    @classmethod
    def _mark_integrity(cls, found):
        # In SQL: a check is not a change of the file (its write date
        # and the access checks of a user's write stay out of it)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        now = dt.datetime.now()
        for state, ids in found.items():
            for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.update(
                        [table.integrity_state, table.integrity_checked],
                        [state, now],
                        where=fields.SQL_OPERATORS['in'](
                            table.id, list(sub_ids))))
        # the records read before are stale
        for cache in Transaction().cache.values():
            cache.clear()

    def _integrity_line(self):
        return {'id': self.id, 'file': self.name,
            'document': str(self.resource) if self.resource else None,
            'file_id': self.file_id, 'state': self.integrity_state}

    @classmethod
    def _alert_damaged(cls, files):
        "Notify the provincial administrators in the client and by e-mail"
        with without_check_access():
            lines = [(f.name, f.resource.rec_name if f.resource else '-',
                    f.integrity_state) for f in files]

        def compose():
            subject = gettext('mvp_documents.msg_integrity_alert',
                count=len(files))
            states = dict(cls.fields_get(
                    ['integrity_state'])['integrity_state']['selection'])
            body = '\n'.join([
                    gettext('mvp_documents.msg_integrity_alert_body',
                        count=len(files))]
                + [gettext('mvp_documents.msg_integrity_alert_line',
                        file=n, document=d, state=states[s])
                    for n, d, s in lines])
            return subject, body, '; '.join(body.splitlines()[1:])
        notify_each(province_admin_users(), compose, records=files)


class DamagedFilesMixin:
    "A document shows whether the integrity check found a file damaged"
    __slots__ = ()
    files_damaged = fields.Function(fields.Boolean(
            "Damaged Files",
            help="A file of the document was found altered or missing "
            "in the file store."),
        'get_files_damaged', searcher='search_files_damaged')

    @classmethod
    def get_files_damaged(cls, records, name):
        File = Pool().get('mvp.document.file')
        with without_check_access():
            damaged = File.search([
                    ('resource', 'in', [str(r) for r in records]),
                    ('integrity_state', 'in', DAMAGED),
                    ])
            resources = {str(f.resource) for f in damaged}
        return {r.id: str(r) in resources for r in records}

    @classmethod
    def search_files_damaged(cls, name, clause):
        _, operator, value = clause[:3]
        where = 'where' if (operator == '=') == bool(value) else 'not where'
        return [('files', where, [('integrity_state', 'in', DAMAGED)])]


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('mvp.document.file|check_integrity',
                "Check the Stored Files against their SHA-256"))


# Files written by a transaction that rolled back -----------------------

class _WrittenFiles:
    "Data manager of a transaction: the files it wrote to the store"

    def __init__(self):
        self.files = []

    def __eq__(self, other):
        return isinstance(other, _WrittenFiles)

    def __hash__(self):
        return hash(_WrittenFiles)

    def tpc_begin(self, transaction):
        pass

    def commit(self, transaction):
        pass

    def tpc_vote(self, transaction):
        pass

    def tpc_finish(self, transaction):
        self.files = []

    def tpc_abort(self, transaction):
        files, self.files = self.files, []
        if files:
            # once the rollback is over, in a transaction of its own
            transaction.atexit(
                remove_unreferenced, transaction.database.name, files)


def _recording(set_):
    def set(data, prefix=''):
        file_id = set_(data, prefix)
        transaction = Transaction()
        if transaction.database is not None:
            transaction.join(_WrittenFiles()).files.append((prefix, file_id))
        return file_id
    set.records_written = True
    return set


def install():
    "Record the files that each transaction writes to the store"
    if not getattr(filestore.set, 'records_written', False):
        # setmany calls set
        filestore.set = _recording(filestore.set)


def referenced(file_ids):
    """Return the ids of file_ids that a row of the database refers to,
    in any field kept in the file store"""
    pool = Pool()
    cursor = Transaction().connection.cursor()
    result = set()
    for _, Model in pool.iterobject():
        if not issubclass(Model, ModelSQL) or Model._is_table_query():
            continue
        for field in Model._fields.values():
            if not isinstance(field, fields.Binary) or not field.file_id:
                continue
            table = Model.__table__()
            column = Column(table, field.file_id)
            for sub_ids in grouped_slice(
                    file_ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*table.select(column,
                        where=fields.SQL_OPERATORS['in'](
                            column, list(sub_ids))))
                result.update(r for r, in cursor)
    return result


def _open_sqlite_transaction(database_name):
    "Return a transaction still open on the SQLite database, or None"
    if backend.name != 'sqlite':
        return None
    for transaction in reversed(Transaction._local.transactions):
        database = transaction.database
        if database is not None and database.name == database_name:
            return transaction


def remove_stored(records, name):
    """Remove the content of the Binary field name of records from the
    file store once the transaction is over, unless a row still refers to
    it: a destroyed document must not stay on disk (the store shares one
    copy between the rows of the same content)"""
    transaction = Transaction()
    files = []
    for record in records:
        field = record._fields[name]
        file_id = getattr(record, field.file_id or '', None)
        if file_id:
            prefix = field.store_prefix
            if prefix is None:
                prefix = transaction.database.name
            files.append((prefix, file_id))
    if files:
        transaction.atexit(
            remove_unreferenced, transaction.database.name, files)


def remove_unreferenced(database_name, files):
    "Remove the files of a rolled back transaction that no row refers to"
    outer = _open_sqlite_transaction(database_name)
    if outer is not None:
        # SQLite has one connection per database: a transaction of our
        # own would end the open one's work; wait until it is over
        outer.atexit(remove_unreferenced, database_name, files)
        return
    try:
        with Transaction(new=True).start(
                database_name, 0, readonly=True):
            kept = referenced(sorted({i for _, i in files}))
    except Exception:
        logger.exception("files of a rolled back transaction kept: %r",
            files)
        return
    for prefix, file_id in files:
        if file_id not in kept:
            filestore.delete(file_id, prefix=prefix)


# mvp-integrity ---------------------------------------------------------

def integrity_main(argv=None):
    parser = argparse.ArgumentParser(prog='mvp-integrity',
        description="Check the stored files of a database against their "
        "SHA-256 now; print the altered and missing ones.")
    parser.add_argument('-c', '--config', default=os.environ.get(
            'TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--share', default='1',
        help="share of the store to check, the least recently checked "
        "first (default: 1, the whole store; the nightly job checks "
        "[integrity] share)")
    args = parser.parse_args(argv)
    config.update_etc(args.config)
    try:
        share = Fraction(args.share)
    except (ValueError, ZeroDivisionError):
        parser.error("--share must be a fraction such as 1/7")
    logging.basicConfig(level=logging.WARNING)
    Pool.start()
    pool = Pool(args.database)
    if args.database not in Pool.database_list():
        with Transaction().start(args.database, 0, readonly=True):
            pool.init()
    with Transaction().start(args.database, 0) as transaction:
        File = pool.get('mvp.document.file')
        report = File.check_integrity(share=share)
        transaction.commit()
    for line in report['altered'] + report['missing']:
        print("%(state)s\t%(file)s\t%(document)s\t%(file_id)s" % line)
    print(json.dumps(report | {
                'altered': len(report['altered']),
                'missing': len(report['missing']),
                }, ensure_ascii=False))
    return 1 if report['altered'] or report['missing'] else 0


if __name__ == '__main__':
    sys.exit(integrity_main())
