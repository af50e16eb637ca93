# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""How long a document is kept, beyond the dossiers that hold it.

A dossier is destroyed when its retention has run out (Luật Lưu trữ
2024), but a document of it may be kept longer: by the retention of the
register it is numbered in (an agency keeps its own issued documents)
or by a legal hold a leader has placed on it (an inspection, a lawsuit).
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .employee import user_employees
from .integrity import remove_stored
from .protection import ServerFieldsMixin, refuse
from .role import has_agency_role

# Thời hạn bảo quản (Thông tư 10/2022/TT-BNV, Luật Lưu trữ 2024)
RETENTIONS = [
    ('permanent', "Permanent"),
    ('70', "70 years"),
    ('20', "20 years"),
    ('10', "10 years"),
    ('5', "5 years"),
    ('until_expired', "Until the documents expire"),
    ]
RETENTION_YEARS = {'70': 70, '20': 20, '10': 10, '5': 5}
DOCUMENT_MODELS = ['mvp.incoming', 'mvp.outgoing']


def retention_years(retention):
    "Return the years a dossier is kept, None when kept for ever"
    return RETENTION_YEARS.get(retention)


def kept_until(retention, start):
    """Return the last year a document of start's date is kept for
    retention: None when kept for ever, 0 when it has no own retention"""
    if retention == 'permanent':
        return None
    years = retention_years(retention)
    if not years or not start:
        return 0
    return start.year + years


def document_date(document):
    "The date a document's retention runs from"
    return (getattr(document, 'issue_date', None)
        or getattr(document, 'arrival_date', None))


def own_retention(document, date):
    """Return why document is kept beyond date by its register's
    retention (the register's name and retention), None when it is not"""
    register = getattr(document, 'register', None)
    if not register or not register.retention:
        return None
    until = kept_until(register.retention, document_date(document))
    if until is None or until >= date.year:
        return dict(RETENTIONS)[register.retention]


class LegalHold(ServerFieldsMixin, DeactivableMixin, ModelSQL, ModelView):
    "Legal Hold"
    __name__ = 'mvp.legal.hold'
    __string__ = "Legal Hold"
    _server_fields = frozenset({'placed_by', 'date'})
    _fixed_fields = frozenset({'company', 'document'})
    # A leader keeps a document from destruction whatever the retention
    # of its dossiers; lifting the hold deactivates it, the record stays.
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True)
    document = fields.Reference(
        "Document", selection=[
            ('mvp.incoming', "Incoming Document"),
            ('mvp.outgoing', "Outgoing Document"),
            ], required=True,
        domain={
            'mvp.incoming': [('company', '=', Eval('company', -1))],
            'mvp.outgoing': [('company', '=', Eval('company', -1))],
            },
        states={'readonly': Eval('id', -1) >= 0})
    reason = fields.Text("Reason", required=True,
        help="The inspection, lawsuit or request that keeps the document.")
    date = fields.Date("Date", required=True, readonly=True)
    placed_by = fields.Many2One(
        'company.employee', "Placed By", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_date(cls):
        return dt.date.today()

    def get_rec_name(self, name):
        return self.document.rec_name if self.document else ''

    @fields.depends('document')
    def on_change_document(self):
        if self.document and getattr(self.document, 'company', None):
            self.company = self.document.company

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            values.setdefault('date', dt.date.today())
        holds = super().create(vlist)
        with without_check_access():
            for hold in holds:
                employees = user_employees(hold.company)
                if employees and not hold.placed_by:
                    hold.placed_by = employees[0]
            cls.save(holds)
        return holds

    @classmethod
    def check_modification(cls, mode, holds, values=None, external=False):
        super().check_modification(
            mode, holds, values=values, external=external)
        if not external or not Transaction().user:
            return
        if mode == 'delete':
            refuse('mvp_documents.msg_legal_hold_fixed', holds)
        for hold in holds:
            with without_check_access():
                company = (hold.document.company
                    if hold.document else None)
            if (company != hold.company
                    or not has_agency_role(company, 'group_mvp_leader')):
                refuse('mvp_documents.msg_legal_hold_leader', [hold],
                    fields=values or ())

    @classmethod
    def held(cls, documents):
        "Return the active holds on documents (records or references)"
        references = [str(d) for d in documents]
        if not references:
            return []
        with without_check_access():
            return cls.search([('document', 'in', references)])

    @classmethod
    def check_not_held(cls, documents, error):
        "Raise error (a UserError class) when a document is on hold"
        holds = cls.held(documents)
        if holds:
            raise error(gettext('mvp_documents.msg_legal_hold_refused',
                    documents=', '.join(sorted({
                                '"%s" (%s)' % (h.document.rec_name,
                                    h.reason.splitlines()[0])
                                for h in holds}))))


class DocumentCopies:
    """Documents know where copies of their files lie outside their own
    files (raw e-mails, exchange packages) and remove them when the files
    are destroyed; the modules that keep such copies extend
    purge_copies"""
    __slots__ = ()

    @classmethod
    def purge_copies(cls, documents):
        """Remove the copies of the files of documents kept elsewhere;
        return a line describing each removal.  The base removes the
        attachments of documents (the copy of a captured scan or e-mail)."""
        Attachment = Pool().get('ir.attachment')
        attachments = Attachment.search([
                ('resource', 'in', [str(d) for d in documents]),
                ])
        lines = [gettext('mvp_documents.msg_copy_attachment_removed',
                file=a.name, document=a.resource.rec_name)
            for a in attachments]
        remove_stored(attachments, 'data')
        Attachment.delete(attachments)
        return lines


def purge_copies(references):
    "Purge the copies of the documents of references; return the lines"
    pool = Pool()
    lines = []
    for model in DOCUMENT_MODELS:
        ids = [int(r.split(',')[1]) for r in references
            if r.startswith(model + ',')]
        if ids:
            Model = pool.get(model)
            lines.extend(Model.purge_copies(Model.browse(ids)))
    return lines
