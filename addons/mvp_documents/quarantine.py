# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Virus scanning of every file that enters (issue 18, Article 6.1)

Every entry path (upload, scan, e-mail, IMAP, edXML, paper back-fill)
stores its files as mvp.document.file records, whose content goes through
check_file() before anything is written.  An infected file is refused and
nothing of it is stored; what is known of it is kept in a quarantine
record and the provincial administrators are alerted.
"""
import datetime as dt
import hashlib
import logging

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import antivirus
from .exceptions import ScannerUnavailableError, VirusScanError
from .notification import notify_each, province_admin_users

logger = logging.getLogger(__name__)


def check_file(name, data, resource=None):
    "Refuse data that clamd finds infected or cannot scan (when configured)"
    address = antivirus.configured()
    if not address:
        return
    try:
        signature = antivirus.scan(data, address)
    except antivirus.ScannerUnavailable as error:
        logger.warning("clamd %s did not scan %r: %s", address, name, error)
        raise ScannerUnavailableError(gettext(
                'mvp_documents.msg_antivirus_unavailable',
                file=name or '')) from error
    if signature:
        logger.warning("infected file %r refused: %s", name, signature)
        keep_after_refusal(name, data, signature, resource)
        raise VirusScanError(gettext(
                'mvp_documents.msg_file_infected',
                file=name or '', signature=signature))


def keep_after_refusal(name, data, signature, resource):
    """Record the infected file once the refused transaction has ended

    The refusal rolls back the transaction (or the savepoint of an edXML
    package), so the record is written by a transaction of its own,
    started when the refused one is over (SQLite has one connection per
    database: an autonomous transaction nested in it would commit it)."""
    transaction = Transaction()
    values = {
        'name': (name or '')[:255],
        'size': len(data),
        'sha256': hashlib.sha256(data).hexdigest(),
        'signature': signature[:255],
        'user': transaction.user or None,
        'date': dt.datetime.now(),
        }
    if resource is not None and getattr(resource, 'id', None) is not None:
        with without_check_access():
            company = getattr(resource, 'company', None)
            values.update({
                    'document': str(resource),
                    'document_model': resource.__name__,
                    'company': company.id if company else None,
                    })
    transaction.atexit(_keep, transaction.database.name, values)


def _keep(database_name, values):
    try:
        with Transaction(new=True).start(database_name, 0) as transaction:
            Quarantine = Pool().get('mvp.document.quarantine')
            Quarantine.keep(values)
            transaction.commit()
    except Exception:
        logger.exception("quarantine record of %r not kept", values)


class Quarantine(ModelSQL, ModelView):
    "Quarantined File"
    __name__ = 'mvp.document.quarantine'
    __string__ = "Quarantined File"
    # What is known of a refused infected file; its content is not kept.
    # Written by the server only, read by the provincial administrators.
    date = fields.Timestamp("Date", readonly=True)
    name = fields.Char("File Name", readonly=True)
    size = fields.Integer("Size", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    signature = fields.Char("Signature", readonly=True)
    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='SET NULL')
    company = fields.Many2One(
        'company.company', "Agency", readonly=True, ondelete='SET NULL')
    document_model = fields.Char("Document Model", readonly=True)
    # The document may not exist: it was refused with its file
    document = fields.Char("Document", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def keep(cls, values):
        "Create the record (users and agencies rolled back are dropped)"
        pool = Pool()
        User = pool.get('res.user')
        Company = pool.get('company.company')
        values = dict(values)
        for field, Model in [('user', User), ('company', Company)]:
            if values.get(field) and not Model.search(
                    [('id', '=', values[field])]):
                values[field] = None
        record, = cls.create([values])
        record.alert()
        return record

    def alert(self):
        "Notify the provincial administrators in the client and by e-mail"
        def compose():
            subject = gettext('mvp_documents.msg_quarantine_alert',
                file=self.name, signature=self.signature)
            body = gettext('mvp_documents.msg_quarantine_alert_body',
                file=self.name, signature=self.signature,
                size=self.size, sha256=self.sha256,
                user=self.user.rec_name if self.user else '-',
                document=self.document or '-')
            # a notification is one line
            return subject, body, '; '.join(body.splitlines()[1:])
        notify_each(province_admin_users(), compose, records=[self])
