# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import logging

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, log_refusal, refuse)
from trytond.modules.mvp_documents.secret import (
    SecretMixin, secret_field, stored_field)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import CaptureError
from .imap import ImapAccount, ImapError, fetch_unseen, mark_seen

logger = logging.getLogger(__name__)


class Inbox(SecretMixin, ServerFieldsMixin, metaclass=PoolMeta):
    __name__ = 'inbound.email.inbox'
    # An inbox polls an agency's official mailbox over IMAP; the fetched
    # e-mails go through the inbox rules (e.g. "Incoming Document" of
    # type "Incoming Official Document" for the agency).  The webhook of
    # inbound_email (/<db>/inbound_email/inbox/<identifier>, open to
    # anyone who knows the identifier) is switched off: an inbox gets no
    # identifier, and the e-mails posted to one are refused.
    _secrets = ('imap_password',)
    _imap = {
        'required': Bool(Eval('imap_active')),
        }
    agency = fields.Many2One(
        'company.company', "Agency", ondelete='CASCADE',
        help="The agency whose mailbox this is.")
    imap_active = fields.Boolean(
        "Poll IMAP", help="Fetch new e-mails from the mailbox regularly.")
    imap_host = fields.Char("IMAP Server", states=_imap)
    imap_port = fields.Integer("IMAP Port", states=_imap)
    imap_security = fields.Selection([
            ('ssl', "SSL/TLS"),
            ('starttls', "STARTTLS"),
            ('none', "None"),
            ], "IMAP Security", states=_imap)
    imap_user = fields.Char("IMAP User", states=_imap)
    imap_password_encrypted = fields.Char(
        "IMAP Password (Encrypted)", strip=False)
    imap_password_secret = secret_field("IMAP Password",
        help="Leave empty to keep the stored one.")
    imap_password_stored = stored_field("IMAP Password Stored")
    imap_folder = fields.Char("IMAP Folder", states=_imap)
    imap_last_fetch = fields.DateTime("Last Fetch", readonly=True)
    imap_error = fields.Text(
        "Last Error", readonly=True,
        states={'invisible': ~Eval('imap_error')})
    del _imap

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._server_fields = cls._server_fields | {'identifier'}
        cls._buttons.update(
            fetch_imap={
                'invisible': ~Eval('imap_active'),
                'depends': ['imap_active'],
                },
            )
        cls._buttons['new_identifier'] = {
            'invisible': True,
            'readonly': True,
            }

    @classmethod
    @ModelView.button
    def new_identifier(cls, inboxes):
        refuse('mvp_capture.msg_inbox_webhook_off', inboxes,
            fields=['identifier'], error=CaptureError)

    @classmethod
    def default_agency(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_imap_port(cls):
        return 993

    @classmethod
    def default_imap_security(cls):
        return 'ssl'

    @classmethod
    def default_imap_folder(cls):
        return 'INBOX'

    @fields.depends('imap_security', 'imap_port')
    def on_change_imap_security(self):
        self.imap_port = {'ssl': 993}.get(self.imap_security, 143)

    def _imap_account(self):
        return ImapAccount(
            host=self.imap_host, port=self.imap_port or 993,
            user=self.imap_user or '',
            password=self.get_secret('imap_password') or '',
            folder=self.imap_folder or 'INBOX',
            security=self.imap_security or 'ssl')

    @classmethod
    @ModelView.button
    def fetch_imap(cls, inboxes):
        for inbox in inboxes:
            try:
                inbox._fetch_imap()
            except ImapError as exception:
                raise CaptureError(gettext(
                        'mvp_capture.msg_capture_imap_failed',
                        inbox=inbox.rec_name,
                        error=str(exception))) from exception

    @classmethod
    def fetch_imap_all(cls):
        "Poll every active IMAP inbox (run by ir.cron)"
        inboxes = cls.search([('imap_active', '=', True)])
        for inbox in inboxes:
            try:
                inbox._fetch_imap()
            except ImapError as exception:
                logger.warning(
                    "IMAP fetch of inbox %s failed: %s", inbox.id, exception)
                with Transaction().new_transaction() as transaction:
                    cls.write([cls(inbox.id)], {
                            'imap_error': str(exception)[:1000],
                            })
                    transaction.commit()

    def _fetch_imap(self):
        "Fetch unseen e-mails, store and process them; mark seen on commit"
        pool = Pool()
        Email = pool.get('inbound.email')
        account = self._imap_account()
        messages = fetch_unseen(account)
        emails = [Email(inbox=self, data=data, data_type='raw')
            for _, data in messages]
        Email.save(emails)
        Email.process(emails)
        self.imap_last_fetch = datetime.datetime.now()
        self.imap_error = None
        self.save()
        if messages:
            Transaction().join(_MarkSeen(account)).uids.extend(
                uid for uid, _ in messages)
        return emails


class Email(metaclass=PoolMeta):
    __name__ = 'inbound.email'

    @classmethod
    def from_webhook(cls, inbox, data, data_type):
        # The HTTP route answers 400: e-mails come only over IMAP
        log_refusal(cls.__name__, [], [], 'inbound e-mail webhook is off')
        return []


class _MarkSeen:
    "Flag the fetched messages as seen once the transaction committed"

    def __init__(self, account):
        self.account = account
        self.uids = []

    def __eq__(self, other):
        return isinstance(other, _MarkSeen) and other.account == self.account

    def __hash__(self):
        return hash(self.account)

    def abort(self, trans):
        self.uids = []

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        try:
            mark_seen(self.account, self.uids)
        except ImapError as exception:
            # Fetched again next time; the Message-ID avoids a double
            logger.warning("IMAP mark seen failed: %s", exception)

    def tpc_abort(self, trans):
        self.uids = []
