# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import io

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.company.model import employee_field
from trytond.modules.mvp_documents import archive_io
from trytond.modules.mvp_documents.employee import stamp_employee
from trytond.modules.mvp_documents.integrity import remove_stored
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, refuse, refuse_unless_state)
from trytond.modules.mvp_documents.retention import (
    DOCUMENT_MODELS, own_retention, purge_copies)
from trytond.modules.mvp_documents.role import agency_role, has_agency_role
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

from .dossier_list import must_hand_over
from .exceptions import DossierError

CLERKS = ['group_mvp_clerk']
LEADERS = ['group_mvp_leader']
ARCHIVE_ROLES = CLERKS + LEADERS


class DossierHandover(ServerFieldsMixin, Workflow, ModelSQL, ModelView):
    "Dossier Hand-over"
    __name__ = 'mvp.dossier.handover'
    __string__ = "Dossier Hand-over"
    _server_fields = frozenset({'state', 'handed_over_by'})
    _fixed_fields = frozenset({'company'})
    # Nộp lưu hồ sơ vào Lưu trữ cơ quan (ND 30/2020 Art. 31), with its
    # mục lục hồ sơ printed for both sides to sign.
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, states=_states)
    date = fields.Date("Date", required=True, states=_states)
    department = fields.Many2One(
        'mvp.department', "Handing Department", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    archivist = fields.Char(
        "Received By", states=_states,
        help="Official of the agency archive who receives the dossiers.")
    dossiers = fields.One2Many(
        'mvp.dossier', 'handover', "Dossiers",
        add_remove=[
            ('company', '=', Eval('company', -1)),
            ('state', '=', 'closed'),
            ('handover_due', '!=', None),
            ],
        states=_states)
    handed_over_by = employee_field("Handed Over By", states=['done'])
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'done')}
        cls._buttons.update({
                'fill': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'hand_over': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return dt.date.today()

    @staticmethod
    def default_state():
        return 'draft'

    def get_rec_name(self, name):
        return '%s (%s)' % (self.date.strftime('%d/%m/%Y'),
            self.company.rec_name)

    @classmethod
    def check_modification(cls, mode, handovers, values=None,
            external=False):
        # The dossiers added or removed through "dossiers" check their
        # own link (see mvp.dossier _check_archive_links)
        super().check_modification(
            mode, handovers, values=values, external=external)
        if mode == 'write' and external:
            refuse_unless_state(handovers, {'draft'}, values)
        if mode == 'delete':
            for handover in handovers:
                if handover.state == 'done':
                    raise AccessError(gettext(
                            'mvp_dossier.msg_dossier_handover_delete',
                            handover=handover.rec_name))

    @classmethod
    @agency_role(*ARCHIVE_ROLES)
    @ModelView.button
    def fill(cls, handovers):
        "Add the closed dossiers that are due to the archive"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        for handover in handovers:
            domain = [
                ('company', '=', handover.company.id),
                ('state', '=', 'closed'),
                ('handover_due', '!=', None),
                ('handover', '=', None),
                ]
            if handover.department:
                domain.append(('department', '=', handover.department.id))
            Dossier.write(Dossier.search(domain), {'handover': handover.id})

    @classmethod
    @agency_role(*CLERKS)
    @ModelView.button
    @Workflow.transition('done')
    @stamp_employee('handed_over_by')
    def hand_over(cls, handovers):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        for handover in handovers:
            if not handover.dossiers:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_handover_empty',
                        handover=handover.rec_name))
            for dossier in handover.dossiers:
                if (dossier.state != 'closed'
                        or not must_hand_over(dossier.retention)):
                    raise DossierError(gettext(
                            'mvp_dossier.msg_dossier_handover_state',
                            dossier=dossier.rec_name))
        for handover in handovers:
            Dossier.hand_over(list(handover.dossiers), handover.date)


class Dossier(metaclass=PoolMeta):
    __name__ = 'mvp.dossier'

    @classmethod
    @Workflow.transition('handed_over')
    def hand_over(cls, dossiers, date):
        cls.write(dossiers, {'handed_over_date': date})

    @classmethod
    @Workflow.transition('destroyed')
    def destroy(cls, dossiers, date):
        """Remove the files of dossiers, keeping the metadata and every
        document kept longer elsewhere: in another live dossier or by its
        register's own retention.  Return the lines of the decision: the
        destroyed files, the kept documents and the removed copies."""
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        File = pool.get('mvp.document.file')
        Attachment = pool.get('ir.attachment')
        Export = pool.get('mvp.dossier.export')
        dossier_ids = {d.id for d in dossiers}
        lines = Line.search([('dossier', 'in', list(dossier_ids))])
        documents = {str(l.document) for l in lines if l.document}
        # a document kept in another dossier keeps its files
        kept = {str(l.document) for l in Line.search([
                    ('document', 'in', list(documents)),
                    ('dossier', 'not in', list(dossier_ids)),
                    ('dossier.state', '!=', 'destroyed'),
                    ])}
        # the incoming or outgoing document each line stands for, once
        owner_of = {str(l.document): _owner(l.document)
            for l in lines if l.document}
        kept_longer = cls._kept_by_own_retention(
            {r: owner_of[r] for r in documents - kept}, date)
        documents -= kept | set(kept_longer)
        file_ids, attachment_ids = set(), set()
        resources = [str(d) for d in dossiers]
        for reference in documents:
            model, id_ = reference.split(',')
            if model == File.__name__:
                file_ids.add(int(id_))
            elif model == Attachment.__name__:
                attachment_ids.add(int(id_))
            else:
                resources.append(reference)
        if resources:
            file_ids.update(f.id for f in File.search([
                        ('resource', 'in', resources)]))
        file_ids -= {int(r.split(',')[1]) for r in kept | set(kept_longer)
            if r.startswith(File.__name__ + ',')}
        files = File.browse(sorted(file_ids))
        destroyed = ['%s (%s, sha256 %s)' % (f.rec_name,
                f.resource.rec_name if f.resource else '', f.sha256)
            for f in files]
        owners = {str(owner_of[r]) for r in documents
            if owner_of[r] is not None}
        attachments = Attachment.browse(sorted(attachment_ids))
        # run by the disposal's button: the server's own deletes
        remove_stored(files, 'data')
        remove_stored(attachments, 'data')
        File.write(files, {'superseded_by': None})
        File.delete(files)
        Attachment.delete(attachments)
        Line.write([l for l in lines if str(l.document) in documents
                and l.document.__name__ in {
                    File.__name__, Attachment.__name__}],
            {'document': None})
        exports = Export.search([('dossier', 'in', list(dossier_ids))])
        copies = purge_copies(sorted(owners)) + [
            gettext('mvp_dossier.msg_dossier_disposal_export_removed',
                file=e.filename or '', dossier=e.dossier.rec_name)
            for e in exports]
        Export.delete(exports)
        cls.write(dossiers, {'destroyed_date': date})
        return destroyed, sorted(kept_longer.values()), copies

    @classmethod
    def _kept_by_own_retention(cls, owner_of, date):
        """Return the references (a document or one of its files) whose
        document (owner_of[reference]) its register keeps beyond date,
        with why"""
        kept = {}
        for reference, owner in owner_of.items():
            why = own_retention(owner, date) if owner is not None else None
            if why:
                kept[reference] = gettext(
                    'mvp_dossier.msg_dossier_disposal_kept_line',
                    document=owner.rec_name, register=owner.register.name,
                    retention=why)
        return kept

    @classmethod
    def documents_of(cls, dossiers):
        "The incoming and outgoing documents the dossiers hold"
        Line = Pool().get('mvp.dossier.line')
        lines = Line.search([('dossier', 'in', [d.id for d in dossiers])])
        owners = (_owner(l.document) for l in lines if l.document)
        return sorted({o for o in owners if o is not None},
            key=lambda o: (o.__name__, o.id))


def _owner(record):
    """Return the incoming or outgoing document of a dossier line's
    record: the document itself or the one a file or attachment is of"""
    if record.__name__ in DOCUMENT_MODELS:
        return record
    resource = getattr(record, 'resource', None)
    if resource is not None and resource.__name__ in DOCUMENT_MODELS:
        return resource


class DossierDisposal(ServerFieldsMixin, Workflow, ModelSQL, ModelView):
    "Dossier Disposal"
    __name__ = 'mvp.dossier.disposal'
    __string__ = "Dossier Disposal"
    _server_fields = frozenset({
            'state', 'proposed_by', 'approved_by', 'approved_date',
            'destroyed_by', 'destroyed_date', 'destroyed_files',
            'kept_documents', 'removed_copies',
            # the leader's decision is entered once submitted
            'decision'})
    _fixed_fields = frozenset({'company'})
    # Review of dossiers whose retention has run out (Luật Lưu trữ 2024):
    # destruction only on a leader's decision, recorded with who, when
    # and why; the metadata of the destroyed dossiers stays.
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, states=_states)
    date = fields.Date("Review Date", required=True, states=_states)
    reason = fields.Text(
        "Reason", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            })
    dossiers = fields.One2Many(
        'mvp.dossier', 'disposal', "Dossiers",
        add_remove=[
            ('company', '=', Eval('company', -1)),
            ('state', 'in', ['closed', 'handed_over']),
            ('expiry_date', '<=', Eval('date', None)),
            ],
        states=_states)
    proposed_by = employee_field("Proposed By", states=[
            'submitted', 'approved', 'rejected', 'done'])
    decision = fields.Char(
        "Decision", states={
            'readonly': Eval('state') != 'submitted',
            },
        help="Number of the leader's decision to destroy.")
    approved_by = employee_field("Decided By", states=[
            'approved', 'rejected', 'done'])
    approved_date = fields.Date("Decision Date", readonly=True)
    destroyed_by = employee_field("Destroyed By", states=['done'])
    destroyed_date = fields.Date("Destroyed Date", readonly=True)
    destroyed_files = fields.Text("Destroyed Files", readonly=True)
    kept_documents = fields.Text("Kept Documents", readonly=True,
        help="Documents of the destroyed dossiers kept by their own "
        "register's retention, with their files.")
    removed_copies = fields.Text("Removed Copies", readonly=True,
        help="Copies of the destroyed files removed with them: raw "
        "e-mails, exchange packages, exports.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ('rejected', "Rejected"),
            ('done', "Destroyed"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'approved'),
            ('submitted', 'rejected'),
            ('approved', 'done'),
            }
        cls._buttons.update({
                'review': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'destroy': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return dt.date.today()

    @staticmethod
    def default_state():
        return 'draft'

    def get_rec_name(self, name):
        return '%s (%s)' % (self.date.strftime('%d/%m/%Y'),
            self.company.rec_name)

    @classmethod
    def check_modification(cls, mode, disposals, values=None,
            external=False):
        if mode == 'write' and external and 'decision' in values:
            cls._check_decision(disposals)
            values = {k: v for k, v in values.items() if k != 'decision'}
        super().check_modification(
            mode, disposals, values=values, external=external)
        if mode == 'write' and external:
            refuse_unless_state(disposals, {'draft'}, values)
        if mode == 'delete':
            for disposal in disposals:
                if disposal.state not in {'draft', 'rejected'}:
                    raise AccessError(gettext(
                            'mvp_dossier.msg_dossier_disposal_delete',
                            disposal=disposal.rec_name))

    @classmethod
    def _check_decision(cls, disposals):
        "The decision is the leader's, written while it waits for them"
        for disposal in disposals:
            if (disposal.state != 'submitted'
                    or not has_agency_role(disposal.company, *LEADERS)):
                refuse('mvp_dossier.msg_dossier_disposal_decision_leader',
                    [disposal], fields={'decision'},
                    disposal=disposal.rec_name)

    @classmethod
    @agency_role(*ARCHIVE_ROLES)
    @ModelView.button
    def review(cls, disposals):
        "List the dossiers whose retention has run out"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        for disposal in disposals:
            dossiers = Dossier.search([
                    ('company', '=', disposal.company.id),
                    ('state', 'in', ['closed', 'handed_over']),
                    ('expiry_date', '<=', disposal.date),
                    ('disposal', '=', None),
                    ])
            Dossier.write(dossiers, {'disposal': disposal.id})

    @classmethod
    @agency_role(*ARCHIVE_ROLES)
    @ModelView.button
    @Workflow.transition('submitted')
    @stamp_employee('proposed_by')
    def submit(cls, disposals):
        for disposal in disposals:
            if not disposal.dossiers:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_disposal_empty',
                        disposal=disposal.rec_name))
            if not disposal.reason:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_disposal_reason',
                        disposal=disposal.rec_name))
            for dossier in disposal.dossiers:
                if (not dossier.expiry_date
                        or dossier.expiry_date > disposal.date):
                    raise DossierError(gettext(
                            'mvp_dossier.msg_dossier_disposal_not_expired',
                            dossier=dossier.rec_name))

    @classmethod
    @agency_role(*ARCHIVE_ROLES)
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, disposals):
        pass

    @classmethod
    @agency_role(*LEADERS)
    @ModelView.button
    @Workflow.transition('approved')
    @stamp_employee('approved_by')
    def approve(cls, disposals):
        for disposal in disposals:
            if not disposal.decision:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_disposal_decision',
                        disposal=disposal.rec_name))
        cls.write(disposals, {'approved_date': dt.date.today()})

    @classmethod
    @agency_role(*LEADERS)
    @ModelView.button
    @Workflow.transition('rejected')
    @stamp_employee('approved_by')
    def reject(cls, disposals):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        cls.write(disposals, {'approved_date': dt.date.today()})
        Dossier.write([d for p in disposals for d in p.dossiers],
            {'disposal': None})

    @classmethod
    @agency_role(*ARCHIVE_ROLES)
    @ModelView.button
    def destroy(cls, disposals):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        LegalHold = pool.get('mvp.legal.hold')
        for disposal in disposals:
            if disposal.state != 'approved' or not disposal.approved_by:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_disposal_not_approved',
                        disposal=disposal.rec_name))
            with without_check_access():
                LegalHold.check_not_held(
                    Dossier.documents_of(disposal.dossiers), DossierError)
        cls._destroy(disposals)

    @classmethod
    @Workflow.transition('done')
    @stamp_employee('destroyed_by')
    def _destroy(cls, disposals):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        today = dt.date.today()
        for disposal in disposals:
            with without_check_access():
                destroyed, kept, copies = Dossier.destroy(
                    list(disposal.dossiers), today)
            cls.write([disposal], {
                    'destroyed_date': today,
                    'destroyed_files': '\n'.join(destroyed),
                    'kept_documents': '\n'.join(kept),
                    'removed_copies': '\n'.join(copies),
                    })


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('mvp.dossier|remind_handover', "Remind Dossier Hand-over"))


class HandoverReport(Report):
    "Dossier Hand-over List"
    __name__ = 'mvp.dossier.handover.report'
    __string__ = "Dossier Hand-over List"

    @classmethod
    def _execute(cls, records, header, data, action):
        out = io.BytesIO()
        for handover in records:
            cls.handover_pdf(out, handover)
        return 'pdf', out.getvalue()

    @classmethod
    def handover_pdf(cls, out, handover):
        "Mục lục hồ sơ nộp lưu"
        rows = []
        for i, dossier in enumerate(handover.dossiers, 1):
            retention = dict(dossier._fields['retention'].selection)
            rows.append([i, dossier.code, dossier.title,
                    '%s - %s' % (_date(dossier.start_date),
                        _date(dossier.end_date)),
                    retention.get(dossier.retention),
                    dossier.document_count, dossier.page_count,
                    dossier.responsible.rec_name])
        archive_io.table_pdf(out, "MỤC LỤC HỒ SƠ NỘP LƯU",
            [handover.company.rec_name,
                (handover.department.rec_name if handover.department
                    else ''),
                "Ngày nộp lưu: %s" % _date(handover.date)],
            [("STT", 1), ("Số, ký hiệu hồ sơ", 2.5),
                ("Tiêu đề hồ sơ", 7), ("Thời gian", 3),
                ("Thời hạn bảo quản", 2.5), ("Số văn bản", 1.5),
                ("Số trang", 1.5), ("Người lập", 3)],
            rows, landscape=True,
            footer=["Tổng số hồ sơ: %s" % len(rows),
                "Người nộp: %s" % (handover.handed_over_by.rec_name
                    if handover.handed_over_by else ''),
                "Người nhận: %s" % (handover.archivist or '')])


def _date(value):
    return value.strftime('%d/%m/%Y') if value else ''
