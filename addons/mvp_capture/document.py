# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import email.message
import logging
import re

from trytond import config
from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.mvp_documents.document_type import is_classified
from trytond.modules.mvp_documents.exceptions import (
    ScannerUnavailableError, VirusScanError)
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .eml import MailError, looks_like_eml, parse_eml
from .exceptions import CaptureError

logger = logging.getLogger(__name__)
# how long a capture waits for clamd before it is tried again
RETRY_DELAY = dt.timedelta(minutes=5)


class Incoming(metaclass=PoolMeta):
    __name__ = 'document.incoming'
    # Capture goes through Tryton's intake queue: a scan uploaded in the
    # client or posted by a scanner to /<db>/document_incoming, or an
    # e-mail fetched by an inbound_email inbox, becomes a draft
    # mvp.incoming for the clerk.

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.type.selection.append(
            ('mvp_incoming', "Incoming Official Document"))

    @classmethod
    def default_company(cls):
        # A scanner posting to /<db>/document_incoming has no company in
        # its context: its user's agency, not a document seen by all
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        company = transaction.context.get('company')
        if company is None and transaction.user:
            user = User(transaction.user)
            company = user.company.id if user.company else None
        return company

    @classmethod
    def default_type(cls):
        return 'mvp_incoming'

    @classmethod
    def _get_results(cls):
        return super()._get_results() | {'mvp.incoming'}

    @fields.depends('name', 'data')
    def on_change_with_mime_type(self, name=None):
        mime_type = super().on_change_with_mime_type(name=name)
        if (not mime_type and self.name
                and self.name.lower().endswith('.eml')):
            mime_type = 'message/rfc822'
        return mime_type

    @classmethod
    def process(cls, documents, with_children=False):
        # Refuse a bad file at once, not later in the queue worker
        for document in documents:
            if document.type == 'mvp_incoming' and document.state == 'draft':
                document.check_mvp_incoming()
        super().process(documents, with_children=with_children)

    @classmethod
    def proceed(cls, documents, with_children=False):
        pool = Pool()
        MvpIncoming = pool.get('mvp.incoming')
        super().proceed(documents, with_children=with_children)
        # A capture that met a classified marking keeps only the entry:
        # the raw scan or e-mail and its copy as attachment go away
        classified = [d.result for d in documents
            if isinstance(d.result, MvpIncoming)
            and is_classified(d.result.confidentiality)]
        if classified:
            MvpIncoming._purge_capture(classified)

    def check_mvp_incoming(self):
        pool = Pool()
        MvpIncoming = pool.get('mvp.incoming')
        if not self.company:
            raise CaptureError(gettext(
                    'mvp_capture.msg_capture_no_agency',
                    document=self.name))
        data = bytes(self.data or b'')
        if looks_like_eml(data):
            try:
                parse_eml(data)
            except MailError as exception:
                raise CaptureError(gettext(
                        'mvp_capture.msg_capture_email_invalid',
                        file=self.name)) from exception
        else:
            MvpIncoming._inspect_scan(data, self.name)

    def _process_mvp_incoming(self):
        pool = Pool()
        MvpIncoming = pool.get('mvp.incoming')
        if not self.company:
            raise CaptureError(gettext(
                    'mvp_capture.msg_capture_no_agency',
                    document=self.name))
        data = bytes(self.data or b'')
        try:
            if looks_like_eml(data):
                return MvpIncoming.capture_email(
                    self.company, data, self.name)
            return MvpIncoming.capture_scan(self.company, data, self.name)
        except ScannerUnavailableError:
            # clamd does not answer: nothing is lost, the capture waits
            # for it and is tried again later by the worker
            transaction = Transaction()
            transaction.atexit(_retry_later, transaction.database.name,
                self.id, transaction.user)
            raise
        except VirusScanError:
            # The refusal rolls the capture back, which would leave the
            # infected scan or e-mail stored here and in its inbound
            # e-mail: they go once the refused transaction is over (the
            # quarantine keeps what is known of the file).
            transaction = Transaction()
            transaction.atexit(
                _purge_infected, transaction.database.name, self.id)
            raise

    @classmethod
    def from_inbound_email(cls, email_, rule):
        if rule.document_incoming_type != 'mvp_incoming':
            return super().from_inbound_email(email_, rule)
        # One document per e-mail: the attachments are its files, not
        # separate documents as the generic intake would make them.
        data = _raw_email(email_)
        subject = email_.as_dict().get('subject') or 'email'
        name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', ' ', subject).strip()
        document = cls(
            name=(name[:120] or 'email') + '.eml',
            company=rule.document_incoming_company,
            data=data,
            type='mvp_incoming',
            source='inbound_email')
        document.save()
        return document


def _retry_later(database_name, document_id, user_id):
    """Queue the capture of document_id again, after RETRY_DELAY, when a
    worker runs the queue (without one the clerk processes it again:
    a task run at once would meet clamd still down, and again)"""
    if not config.getboolean('queue', 'worker', default=False):
        return
    try:
        with Transaction(new=True).start(
                database_name, user_id) as transaction:
            Document = Pool().get('document.incoming')
            documents = Document.search([
                    ('id', '=', document_id),
                    ('active', 'in', [True, False]),
                    ('result', '=', None),
                    ])
            with transaction.set_context(queue_scheduled_at=RETRY_DELAY):
                Document.__queue__.proceed(documents)
            transaction.commit()
        logger.info("capture of intake document %s waits for clamd",
            document_id)
    except Exception:
        logger.exception(
            "capture of intake document %s not queued again", document_id)


def _purge_infected(database_name, document_id):
    "Delete the intake document and the e-mails that hold infected data"
    try:
        with Transaction(new=True).start(
                database_name, 0) as transaction:
            pool = Pool()
            Document = pool.get('document.incoming')
            Email = pool.get('inbound.email')
            documents = Document.search([
                    ('id', '=', document_id),
                    ('active', 'in', [True, False]),
                    ])
            if documents:
                Email.delete(Email.search([
                            ('result', '=', str(documents[0])),
                            ]))
                Document.delete(documents)
            transaction.commit()
        logger.warning("infected intake document %s removed", document_id)
    except Exception:
        logger.exception(
            "infected intake document %s not removed", document_id)


def _raw_email(email_):
    "Return the RFC 5322 bytes of an inbound.email"
    if email_.data_type == 'raw':
        return bytes(email_.data)
    values = email_.as_dict()
    message = email.message.EmailMessage()
    if values.get('from'):
        message['From'] = values['from']
    if values.get('to'):
        message['To'] = ', '.join(values['to'])
    message['Subject'] = values.get('subject') or ''
    message.set_content(values.get('text') or values.get('html') or '')
    for attachment in values.get('attachments', []):
        maintype, _, subtype = (
            attachment.get('type') or 'application/octet-stream'
            ).partition('/')
        message.add_attachment(
            attachment['data'], maintype=maintype, subtype=subtype,
            filename=attachment.get('filename') or 'attachment')
    return message.as_bytes()



