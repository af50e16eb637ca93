# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import functools

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import (
    Transaction, check_access, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import outgoing_notification
from .back_entry import BackEntryMixin, back_entered, occurred, step_time
from .document_type import CONFIDENTIALITIES, URGENCIES, is_classified
from .employee import user_employees
from .exceptions import OutgoingError
from .file import DocumentFileMixin
from .incoming import local_date
from .legacy_text import LegacyTextMixin
from .notation import compose_notation, document_identifier, format_number
from .protection import ServerFieldsMixin, refuse
from .retention import DocumentCopies
from .role import has_agency_role

RELEASE_MODES = [
    ('electronic', "Electronic"),
    ('paper', "Paper"),
    ('both', "Electronic and Paper"),
    ]
# Fields fixed once the clerk has numbered the document
FROZEN_FIELDS = {
    'company', 'document_type', 'subject', 'register', 'number',
    'notation', 'identifier', 'issue_date', 'confidentiality', 'urgency',
    'signer', 'department', 'release_mode'}
# Fields a correction after the release may still change (an edXML
# update, business type 2)
CORRECTABLE_FIELDS = {'subject', 'urgency'}
# Fields written only by the server's buttons and transitions
SERVER_FIELDS = {
    'state', 'register', 'number', 'notation', 'issue_date', 'identifier',
    'numbered_by', 'released_by', 'release_date', 'replaces',
    'recall_reason', 'signer_name', 'signer_position', 'approvals',
    'comments', 'release_recorded_date', 'recorded_late'}
# What a classified document may not keep: it is registered with its
# metadata only (number, date, notation, level, urgency, signer,
# recipients, who holds the paper copy)
CLASSIFIED_CONTENT = {'subject', 'notes'}
CONFIDENTIALITY_LEVELS = [c for c, _ in CONFIDENTIALITIES]


def _by_server():
    "Whether the server itself (root) runs the call"
    return Transaction().user == 0


def _lower(new, old):
    "Whether confidentiality new is lower than old"
    return (CONFIDENTIALITY_LEVELS.index(new or 'normal')
        < CONFIDENTIALITY_LEVELS.index(old or 'normal'))


def check_approver(func):
    "Check the user may approve before the button records the click"
    @functools.wraps(func)
    def wrapper(cls, outgoings, *args, **kwargs):
        for outgoing in outgoings:
            outgoing._check_approver()
        return func(cls, outgoings, *args, **kwargs)
    return wrapper


class DocumentType(metaclass=PoolMeta):
    __name__ = 'mvp.document.type'
    # The approval chain of outgoing documents of this type
    initial_drafter = fields.Boolean(
        "Initialled by Drafter",
        help="The drafter initials (ký nháy) the final draft.")
    initial_department_head = fields.Boolean(
        "Initialled by Department Head",
        help="The head of the drafting department initials the final draft.")
    leader_approvals = fields.Integer(
        "Leader Approvals",
        domain=[('leader_approvals', '>=', 1)],
        help="How many distinct leaders must approve; "
        "more than one is enforced by the rules of the Approve button.")

    @classmethod
    def default_initial_drafter(cls):
        return True

    @classmethod
    def default_initial_department_head(cls):
        return True

    @classmethod
    def default_leader_approvals(cls):
        return 1


class DocumentFile(metaclass=PoolMeta):
    __name__ = 'mvp.document.file'

    @classmethod
    def _get_resources(cls):
        return super()._get_resources() | {
            'mvp.outgoing', 'mvp.outgoing.comment'}


class Outgoing(ServerFieldsMixin, LegacyTextMixin, BackEntryMixin,
        DocumentFileMixin, DocumentCopies, Workflow, ModelSQL, ModelView):
    __string__ = "Outgoing Document"
    __name__ = 'mvp.outgoing'
    _rec_name = 'subject'
    _server_fields = frozenset(SERVER_FIELDS)
    _fixed_fields = frozenset({'company', 'drafter'})
    _back_entry_states = ('submitted', 'approved', 'numbered')
    # a subject or notes pasted from a document typed with .VnTime or VNI
    _legacy_fields = ('subject', 'notes')
    _draft = {'readonly': Eval('state') != 'draft'}
    _numbered = {'readonly': ~Eval('state').in_(['draft', 'submitted'])}

    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True)
    department = fields.Many2One(
        'mvp.department', "Drafting Department", required=True,
        domain=[('company', '=', Eval('company', -1))], states=_draft)
    drafter = fields.Many2One(
        'company.employee', "Drafter", required=True,
        domain=[('company', '=', Eval('company', -1))], states=_draft)
    document_type = fields.Many2One(
        'mvp.document.type', "Document Type", required=True,
        ondelete='RESTRICT', states=_draft)
    subject = fields.Text(
        "Subject",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('confidentiality', 'normal') == 'normal',
            'invisible': Eval('confidentiality', 'normal') != 'normal',
            },
        help="Never kept for a classified document: its content stays "
        "on paper.")
    signer = fields.Many2One(
        'company.employee', "Signer",
        domain=[('company', '=', Eval('company', -1))], states=_numbered,
        help="The leader proposed to sign the document.")
    signer_name = fields.Char("Signer Name", readonly=True)
    signer_position = fields.Char("Signer Position", readonly=True)
    urgency = fields.Selection(
        URGENCIES, "Urgency", required=True, states=_numbered)
    confidentiality = fields.Selection(
        CONFIDENTIALITIES, "Confidentiality", required=True, states=_draft)
    answers = fields.Many2Many(
        'mvp.outgoing-mvp.incoming', 'outgoing', 'incoming',
        "Answers to", domain=[('company', '=', Eval('company', -1))],
        states=_draft)
    recipients = fields.One2Many(
        'mvp.outgoing.recipient', 'outgoing', "Recipients",
        states={
            'readonly': Eval('state').in_(
                ['recalled', 'replaced', 'cancelled']),
            })
    copies = fields.Integer(
        "Copies", help="Number of paper copies.", states=_numbered)
    pages = fields.Integer("Pages", states=_numbered)
    comments = fields.One2Many(
        'mvp.outgoing.comment', 'outgoing', "Comments", readonly=True)
    approvals = fields.One2Many(
        'mvp.outgoing.approval', 'outgoing', "Approval History",
        readonly=True)
    draft_version = fields.Function(
        fields.Integer("Draft Version"), 'get_draft_version')
    leader_approvals = fields.Function(
        fields.Integer("Leader Approvals"), 'on_change_with_leader_approvals')
    release_mode = fields.Selection(
        RELEASE_MODES, "Release", required=True,
        states={'readonly': ~Eval('state').in_(['draft', 'submitted'])},
        help="Decided by the leader (Article 9.2).")
    register = fields.Many2One(
        'mvp.register', "Register", readonly=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', '=', 'outgoing'),
            ])
    number = fields.Integer("Number", readonly=True)
    notation = fields.Char("Number and Notation", readonly=True)
    issue_date = fields.Date("Issue Date", readonly=True)
    identifier = fields.Char("Document Identifier", readonly=True)
    numbered_by = fields.Many2One(
        'res.user', "Numbered by", readonly=True)
    released_by = fields.Many2One(
        'res.user', "Released by", readonly=True)
    release_date = fields.DateTime("Released at", readonly=True)
    release_recorded_date = fields.DateTime(
        "Release Recorded On", readonly=True,
        states={'invisible': ~Eval('recorded_late')},
        help="When the release was entered, after an outage.")
    recorded_late = fields.Boolean(
        "Recorded Late", readonly=True,
        help="A step of the document was entered after an outage; each "
        "keeps when it happened and when it was entered.")
    replaces = fields.Many2One(
        'mvp.outgoing', "Replaces", readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    replaced_by = fields.One2Many(
        'mvp.outgoing', 'replaces', "Replaced by", readonly=True)
    recall_reason = fields.Text(
        "Recall Reason", readonly=True,
        states={'invisible': ~Eval('recall_reason')})
    notes = fields.Text(
        "Notes",
        states={
            'invisible': Eval('confidentiality', 'normal') != 'normal',
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ('numbered', "Numbered"),
            ('released', "Released"),
            ('recalled', "Recalled"),
            ('replaced', "Replaced"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _draft, _numbered

    release_mode_string = release_mode.translated('release_mode')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Range()),
                    (t.issue_date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'submitted', 'approved'])),
                })
        cls._order = [('issue_date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'approved'),
            ('approved', 'numbered'),
            ('numbered', 'released'),
            ('released', 'recalled'),
            ('released', 'replaced'),
            ('draft', 'cancelled'),
            ('submitted', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'add_version_wizard': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'request_comments': {
                    'invisible': Eval('state') != 'draft',
                    # a classified draft is on paper: no version file
                    'readonly': (~Eval('draft_version')
                        & (Eval('confidentiality') == 'normal')),
                    'depends': ['state', 'draft_version', 'confidentiality'],
                    },
                'initial': {
                    'invisible': Eval('state') != 'draft',
                    # a classified draft is on paper: no version file
                    'readonly': (~Eval('draft_version')
                        & (Eval('confidentiality') == 'normal')),
                    'depends': ['state', 'draft_version', 'confidentiality'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'send_back': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'assign_number': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'release': {
                    'invisible': Eval('state') != 'numbered',
                    'depends': ['state'],
                    },
                'deliver': {
                    'invisible': Eval('state') != 'released',
                    'depends': ['state'],
                    },
                'recall': {
                    'invisible': Eval('state') != 'released',
                    'depends': ['state'],
                    },
                'replace': {
                    'invisible': ((Eval('state') != 'released')
                        | Bool(Eval('replaced_by'))),
                    'depends': ['state', 'replaced_by'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'submitted']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'lower_confidentiality_wizard': {
                    'invisible': ((Eval('confidentiality') == 'normal')
                        | Eval('state').in_(
                            ['recalled', 'replaced', 'cancelled'])),
                    'depends': ['confidentiality', 'state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_drafter(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_department(cls):
        pool = Pool()
        Employee = pool.get('company.employee')
        employee = cls.default_drafter()
        if employee:
            employee = Employee(employee)
            if employee.department:
                return employee.department.id

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_urgency():
        return 'normal'

    @staticmethod
    def default_confidentiality():
        return 'normal'

    @staticmethod
    def default_release_mode():
        return 'electronic'

    @fields.depends('drafter', 'department')
    def on_change_drafter(self):
        if self.drafter and self.drafter.department and not self.department:
            self.department = self.drafter.department

    @fields.depends('confidentiality', 'document_type', 'release_mode')
    def on_change_confidentiality(self):
        if not self.electronic_allowed:
            self.release_mode = 'paper'

    @fields.depends(methods=['on_change_confidentiality'])
    def on_change_document_type(self):
        self.on_change_confidentiality()

    @fields.depends('document_type')
    def on_change_with_leader_approvals(self, name=None):
        if self.document_type:
            return self.document_type.leader_approvals or 1
        return 1

    @property
    def electronic_allowed(self):
        "Article 5: classified documents and complaints only on paper"
        return not (is_classified(self.confidentiality)
            or (self.document_type and self.document_type.complaint))

    @classmethod
    def get_draft_version(cls, outgoings, name):
        versions = dict.fromkeys((o.id for o in outgoings), None)
        for outgoing in outgoings:
            drafts = [f.version or 1 for f in outgoing.files
                if f.kind == 'draft']
            versions[outgoing.id] = max(drafts) if drafts else None
        return versions

    def current_files(self, kinds):
        return [f for f in self.files if f.kind in kinds and f.current]

    def get_rec_name(self, name):
        if not self.subject:
            # A classified document keeps no subject
            label = gettext('mvp_documents.msg_outgoing_classified_name')
            return f'{self.notation} ({label})' if self.notation else label
        if self.notation:
            return f'{self.notation} {self.subject}'
        return self.subject

    @property
    def classified(self):
        return is_classified(self.confidentiality)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('subject', operator, operand, *extra),
            ('notation', operator, operand, *extra),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('urgency') != 'normal', 'danger', '')),
            ]

    @classmethod
    def check_modification(cls, mode, outgoings, values=None, external=False):
        super().check_modification(
            mode, outgoings, values=values, external=external)
        if mode == 'delete':
            for outgoing in outgoings:
                if outgoing.state not in {'draft', 'cancelled'}:
                    refuse('mvp_documents.msg_outgoing_delete', [outgoing],
                        outgoing=outgoing.rec_name)
        elif mode == 'write':
            frozen = set(FROZEN_FIELDS)
            if not external:
                # the server lowers the level of a numbered document on a
                # leader's decision (lower_confidentiality)
                frozen.discard('confidentiality')
                if Transaction().context.get('_mvp_outgoing_correction'):
                    # the clerk's correction of a released document's
                    # metadata, sent as an update (mvp_interchange); a
                    # client's context never carries keys starting with _
                    frozen -= CORRECTABLE_FIELDS
            for outgoing in outgoings:
                if outgoing.state in {'recalled', 'replaced'}:
                    refuse('mvp_documents.msg_outgoing_frozen', [outgoing],
                        fields=values, outgoing=outgoing.rec_name)
                if (outgoing.state in {'numbered', 'released'}
                        and frozen & set(values)):
                    refuse('mvp_documents.msg_outgoing_numbered_frozen',
                        [outgoing], fields=frozen & set(values),
                        outgoing=outgoing.rec_name)
            if external and 'confidentiality' in values:
                cls._check_raise_confidentiality(
                    outgoings, values['confidentiality'])
            if external and 'release_mode' in values:
                cls._check_release_mode_decider(
                    outgoings, values['release_mode'])
        if mode in {'create', 'write'}:
            cls._check_classified_content(outgoings, values)
        if mode == 'create' and external and not _by_server():
            cls._check_drafter(outgoings)

    @classmethod
    def _check_raise_confidentiality(cls, outgoings, confidentiality):
        "A user's own write may raise the level, only a leader lowers it"
        for outgoing in outgoings:
            if _lower(confidentiality, outgoing.confidentiality):
                refuse('mvp_documents.msg_outgoing_lower_not_leader',
                    [outgoing], fields={'confidentiality'},
                    outgoing=outgoing.rec_name)

    @classmethod
    def _check_release_mode_decider(cls, outgoings, release_mode):
        """The drafter proposes the release mode, the leader decides it
        (Article 9.2): once submitted only a leader of the agency changes
        it, and the approval fixes it"""
        for outgoing in outgoings:
            if (outgoing.release_mode == release_mode
                    or outgoing.state == 'draft'):
                continue
            if (outgoing.state == 'submitted'
                    and has_agency_role(outgoing.company, 'group_mvp_leader')):
                continue
            refuse('mvp_documents.msg_outgoing_release_mode_leader',
                [outgoing], fields={'release_mode'},
                outgoing=outgoing.rec_name)

    @classmethod
    def _check_classified_content(cls, outgoings, values=None):
        """A classified document keeps its metadata only: no subject, no
        notes, no files (the content stays on paper)"""
        # A write checks what it sets, and everything when it raises the
        # level; a create checks everything
        whole = values is None or 'confidentiality' in values
        values = values or {}
        for outgoing in outgoings:
            level = values.get('confidentiality', outgoing.confidentiality)
            if not is_classified(level):
                continue
            names = CLASSIFIED_CONTENT if whole else (
                CLASSIFIED_CONTENT & set(values))
            content = {n for n in names
                if (values[n] if n in values else getattr(outgoing, n))}
            if whole and values and outgoing.files:
                content.add('files')
            if content:
                refuse('mvp_documents.msg_outgoing_classified_content',
                    [outgoing], fields=content, error=OutgoingError,
                    field_names=cls._field_labels(content))

    @classmethod
    def _check_drafter(cls, outgoings):
        "A user drafts in their own name, in their own agency"
        for outgoing in outgoings:
            if outgoing.drafter not in user_employees(outgoing.company):
                refuse('mvp_documents.msg_outgoing_drafter_not_you',
                    [outgoing], fields={'drafter'},
                    drafter=outgoing.drafter.rec_name)

    @classmethod
    def copy(cls, outgoings, default=None):
        default = default.copy() if default is not None else {}
        for name in ['register', 'number', 'notation', 'issue_date',
                'identifier', 'numbered_by', 'released_by', 'release_date',
                'replaces', 'replaced_by', 'recall_reason', 'comments',
                'approvals', 'signer_name', 'signer_position']:
            default.setdefault(name, None)
        default.setdefault('files', None)
        default.setdefault('state', 'draft')
        return super().copy(outgoings, default=default)

    @classmethod
    def create(cls, vlist):
        return super().create(cls.legacy_create_values(vlist))

    @classmethod
    def write(cls, *args):
        super().write(*cls.legacy_write_args(args))

    # Drafts
    @classmethod
    @ModelView.button_action('mvp_documents.wizard_outgoing_add_version')
    def add_version_wizard(cls, outgoings):
        for outgoing in outgoings:
            outgoing.check_drafter_acts()

    # Who may act on a document, beyond what its state shows
    def check_drafter_acts(self, heads=False):
        """Refuse unless the user is the drafter (or, with heads, the head
        of the drafting department) of this draft"""
        if _by_server():
            return
        employees = user_employees(self.company)
        if self.drafter in employees:
            return
        if heads and self.department.head in employees:
            return
        refuse('mvp_documents.msg_outgoing_not_drafter', [self],
            outgoing=self.rec_name, drafter=self.drafter.rec_name)

    def check_state(self, states):
        "Refuse unless the document is in one of states"
        if self.state not in states:
            names = dict(self.fields_get(['state'])['state']['selection'])
            refuse('mvp_documents.msg_outgoing_wrong_state', [self],
                error=OutgoingError, outgoing=self.rec_name,
                state=names.get(self.state, self.state))

    @classmethod
    def check_user_access(cls, outgoings, mode='write'):
        """Refuse unless the user's access rights and record rules allow
        mode on the outgoings (a wizard runs without access checks)"""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        Rule = pool.get('ir.rule')
        if _by_server() or not outgoings:
            return
        try:
            with check_access():
                ModelAccess.check(cls.__name__, mode)
                Rule.check(cls.__name__, [o.id for o in outgoings], mode)
        except AccessError:
            refuse('mvp_documents.msg_outgoing_no_access', outgoings,
                outgoing=', '.join(o.rec_name for o in outgoings))

    @classmethod
    def add_draft_version(cls, outgoing, files, note=None):
        """Add a draft version made of files (list of dicts with name and
        data, e.g. the .docx and its PDF); earlier versions are kept,
        superseded by the new one"""
        pool = Pool()
        File = pool.get('mvp.document.file')
        if outgoing.state != 'draft':
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_version_not_draft',
                    outgoing=outgoing.rec_name))
        outgoing.check_drafter_acts()
        if outgoing.classified:
            refuse('mvp_documents.msg_outgoing_classified_content',
                [outgoing], fields={'files'}, error=OutgoingError,
                field_names=cls._field_labels({'files'}))
        files = [f for f in files if f.get('data')]
        if not files:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_version_no_file'))
        previous = outgoing.current_files({'draft'})
        version = (outgoing.draft_version or 0) + 1
        new = File.create([{
                    'resource': str(outgoing),
                    'company': outgoing.company.id,
                    'kind': 'draft',
                    'name': f['name'],
                    'data': f['data'],
                    'version': version,
                    'description': note,
                    } for f in files])
        if previous:
            # superseded_by is the server's to write (file.py)
            with without_check_access():
                File.write(previous, {'superseded_by': new[0].id})
        return new

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_outgoing_request_comments')
    def request_comments(cls, outgoings):
        for outgoing in outgoings:
            outgoing.check_drafter_acts()

    # Approval
    @classmethod
    @ModelView.button
    def initial(cls, outgoings):
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        lines = []
        for outgoing in outgoings:
            outgoing.check_state({'draft'})
            role, employee = outgoing._initial_role()
            outgoing._check_draft_file()
            lines.append(Approval.line(
                    outgoing, 'initial', employee, role=role))
        Approval.save(lines)
        outgoing_notification.tell_head_to_initial(
            [l.outgoing for l in lines if l.role == 'drafter'])

    def _initial_role(self):
        "Return the role and the employee of the user in the chain"
        employees = user_employees(self.company)
        for employee in employees:
            if employee == self.drafter:
                return 'drafter', employee
            if self.department.head and employee == self.department.head:
                return 'department_head', employee
        raise OutgoingError(gettext(
                'mvp_documents.msg_outgoing_initial_not_in_chain',
                outgoing=self.rec_name,
                drafter=self.drafter.rec_name,
                head=(self.department.head.rec_name
                    if self.department.head else '-')))

    def _check_draft_file(self):
        # A classified draft is written and initialled on paper only
        if not self.draft_version and not self.classified:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_no_draft',
                    outgoing=self.rec_name))

    def missing_initials(self):
        "Return the roles that still have to initial the current version"
        done = {a.role for a in self.approvals
            if a.kind == 'initial' and a.version == self.draft_version}
        required = []
        if self.document_type.initial_drafter:
            required.append('drafter')
        if (self.document_type.initial_department_head
                and self.department.head):
            required.append('department_head')
        return [r for r in required if r not in done]

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, outgoings):
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        lines = []
        for outgoing in outgoings:
            outgoing.check_drafter_acts(heads=True)
            outgoing._check_draft_file()
            if not outgoing.signer:
                raise OutgoingError(gettext(
                        'mvp_documents.msg_outgoing_no_signer',
                        outgoing=outgoing.rec_name))
            missing = outgoing.missing_initials()
            if missing:
                names = dict(
                    Approval.fields_get(['role'])['role']['selection'])
                raise OutgoingError(gettext(
                        'mvp_documents.msg_outgoing_missing_initials',
                        outgoing=outgoing.rec_name,
                        version=outgoing.draft_version,
                        roles=', '.join(names[r] for r in missing)))
            employees = user_employees(outgoing.company)
            lines.append(Approval.line(
                    outgoing, 'submit', employees[0] if employees else None))
        Approval.save(lines)
        outgoing_notification.tell_signer(outgoings)

    @classmethod
    @check_approver
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, outgoings):
        for outgoing in outgoings:
            outgoing.check_state({'submitted'})
            outgoing._check_approver()
            outgoing._check_release_mode()
        with occurred(outgoings, lambda o: o.last_step_date({'submit'})):
            cls._approve(outgoings)
        cls._mark_late(outgoings)
        outgoing_notification.tell_clerks_approved(outgoings)

    @classmethod
    def _approve(cls, outgoings):
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        ButtonClick = pool.get('ir.model.button.click')
        User = pool.get('res.user')
        transaction = Transaction()
        lines = []
        for outgoing in outgoings:
            # With a rule requiring several leaders, every one who clicked
            # before the last is in the history too.
            users = {c.user for c in ButtonClick.search([
                        ('button.model', '=', cls.__name__),
                        ('button.name', '=', 'approve'),
                        ('record_id', '=', outgoing.id),
                        ])} - {None}
            if transaction.user:
                users.add(User(transaction.user))
            for user in sorted(users, key=lambda u: u.id):
                employees = user_employees(outgoing.company, user)
                line = Approval.line(
                    outgoing, 'approve',
                    employees[0] if employees else None,
                    role='leader', user=user)
                # the leader's decision on how it goes out (Article 9.2)
                line.release_mode = outgoing.release_mode
                lines.append(line)
        Approval.save(lines)
        for outgoing in outgoings:
            outgoing.signer_name = outgoing.signer.party.name
            outgoing.signer_position = outgoing.signer.position
        cls.save(outgoings)

    @classmethod
    def _mark_late(cls, outgoings):
        late = [o for o in outgoings
            if not o.recorded_late and any(a.recorded_late
                    for a in o.approvals)]
        if late:
            cls.write(late, {'recorded_late': True})

    def last_step_date(self, kinds):
        "Return when the latest step of kinds happened on the document"
        return max((a.date for a in self.approvals if a.kind in kinds),
            default=None)

    def _check_approver(self):
        # Only a leader of the agency approves: the drafter proposes the
        # signer, so being the signer is not enough (a drafter naming
        # themselves would approve their own draft)
        if has_agency_role(self.company, 'group_mvp_leader'):
            return
        refuse('mvp_documents.msg_outgoing_approve_not_leader', [self],
            error=OutgoingError, outgoing=self.rec_name)

    def _check_release_mode(self):
        if self.release_mode != 'paper' and not self.electronic_allowed:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_paper_only',
                    outgoing=self.rec_name))

    @classmethod
    @check_approver
    @ModelView.button_action('mvp_documents.wizard_outgoing_send_back')
    def send_back(cls, outgoings):
        pass

    @classmethod
    @Workflow.transition('draft')
    def return_to_drafter(cls, outgoings, reason):
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        if not (reason or '').strip():
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_return_reason'))
        lines = []
        for outgoing in outgoings:
            outgoing.check_state({'submitted'})
            outgoing._check_approver()
            employees = user_employees(outgoing.company)
            lines.append(Approval.line(
                    outgoing, 'return', employees[0] if employees else None,
                    role='leader', reason=reason))
        Approval.save(lines)
        outgoing_notification.tell_drafter_returned(outgoings, reason)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, outgoings):
        for outgoing in outgoings:
            outgoing.check_state({'draft', 'submitted'})
            if not has_agency_role(outgoing.company, 'group_mvp_leader'):
                outgoing.check_drafter_acts(heads=True)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, outgoings):
        for outgoing in outgoings:
            outgoing.check_state({'cancelled'})
            outgoing.check_drafter_acts()

    # Numbering
    def _check_clerk(self):
        if not has_agency_role(self.company, 'group_mvp_clerk'):
            refuse('mvp_documents.msg_outgoing_not_clerk', [self],
                error=OutgoingError, outgoing=self.rec_name)

    def get_register(self):
        pool = Pool()
        Register = pool.get('mvp.register')
        registers = Register.search([
                ('company', '=', self.company.id),
                ('kind', '=', 'outgoing'),
                ('confidential', '=', is_classified(self.confidentiality)),
                ], order=[('id', 'ASC')], limit=1)
        if not registers:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_no_register',
                    agency=self.company.rec_name))
        return registers[0]

    def compose_notation(self, number):
        if not self.company.short_name:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_no_short_name',
                    agency=self.company.rec_name))
        return compose_notation(
            number, self.company.short_name,
            abbreviation=self.document_type.abbreviation,
            department=self.department.code)

    @classmethod
    @ModelView.button
    @Workflow.transition('numbered')
    def assign_number(cls, outgoings):
        for outgoing in outgoings:
            outgoing._check_clerk()
        with occurred(outgoings, lambda o: o.last_step_date({'approve'})):
            cls._assign_number(outgoings)

    @classmethod
    def _assign_number(cls, outgoings):
        pool = Pool()
        Date = pool.get('ir.date')
        Register = pool.get('mvp.register')
        transaction = Transaction()
        for outgoing in sorted(outgoings, key=lambda o: o.id):
            with transaction.set_context(company=outgoing.company.id):
                today = Date.today()
            if back_entered():
                today = local_date(outgoing.company, step_time())
                outgoing.recorded_late = True
            register = outgoing.register or outgoing.get_register()
            outgoing.compose_notation(1)  # fail before taking a number
            number = Register.next_number(register, today)
            outgoing.register = register
            outgoing.number = number
            outgoing.issue_date = today
            outgoing.notation = outgoing.compose_notation(number)
            if outgoing.company.identifier_code:
                outgoing.identifier = document_identifier(
                    outgoing.company.identifier_code, today,
                    outgoing.notation)
            outgoing.numbered_by = transaction.user or None
        cls.save(outgoings)

    # Release and delivery
    @classmethod
    @ModelView.button
    @Workflow.transition('released')
    def release(cls, outgoings):
        for outgoing in outgoings:
            outgoing._check_clerk()
            outgoing._check_release()
        with occurred(outgoings, lambda o: o.last_step_date({'approve'})):
            cls._release(outgoings)

    @classmethod
    def _release(cls, outgoings):
        pool = Pool()
        File = pool.get('mvp.document.file')
        transaction = Transaction()
        for outgoing in outgoings:
            outgoing.released_by = transaction.user or None
            outgoing.release_date = step_time()
            if back_entered():
                outgoing.release_recorded_date = dt.datetime.now()
                outgoing.recorded_late = True
        cls.save(outgoings)
        cls._prepare_release(outgoings)
        outgoings = cls.browse(outgoings)
        File.lock([f for o in outgoings for f in o.files if not f.locked])
        cls._deliver([r for o in outgoings for r in o.recipients
                if r.state == 'draft'])
        replaced = [o.replaces for o in outgoings
            if o.replaces and o.replaces.state == 'released']
        if replaced:
            cls._replace(replaced)

    @classmethod
    def _prepare_release(cls, outgoings):
        """Hook called at release after the checks, before the files are
        locked and sent: mvp_signature extends it to apply the agency's
        signature to the signed PDF"""
        pass

    def _check_release(self):
        if not self.signer:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_no_signer',
                    outgoing=self.rec_name))
        if not self.number or not self.notation:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_not_numbered',
                    outgoing=self.rec_name))
        if not self.recipients:
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_no_recipients',
                    outgoing=self.rec_name))
        self._check_release_mode()
        if (self.document_type.legal
                and not self.current_files({'original'})):
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_original_required',
                    outgoing=self.rec_name,
                    type=self.document_type.rec_name))
        if self.release_mode != 'paper':
            if not self.current_files({'signed', 'original'}):
                raise OutgoingError(gettext(
                        'mvp_documents.msg_outgoing_no_release_file',
                        outgoing=self.rec_name))
            for recipient in self.recipients:
                recipient.check_electronic()

    @classmethod
    @ModelView.button
    def deliver(cls, outgoings):
        "Send the document to the recipients added after its release"
        recipients = []
        for outgoing in outgoings:
            outgoing.check_state({'released'})
            outgoing._check_clerk()
            outgoing._check_release()
            recipients.extend(
                r for r in outgoing.recipients if r.state == 'draft')
        cls._deliver(recipients)

    @classmethod
    def _deliver(cls, recipients):
        pool = Pool()
        Recipient = pool.get('mvp.outgoing.recipient')
        channels = {}
        for recipient in recipients:
            channels.setdefault(recipient.get_channel(), []).append(recipient)
        for channel, lines in channels.items():
            Recipient.write(lines, {'channel': channel})
        local = channels.pop('electronic', [])
        external = channels.get('external', [])
        Recipient.set_state(
            [r for lines in channels.values() for r in lines], 'sent')
        if local:
            cls._deliver_local(local)
        if external:
            cls._deliver_external(external)

    @classmethod
    def _deliver_local(cls, recipients):
        "Put an incoming document in the queue of each local agency"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Recipient = pool.get('mvp.outgoing.recipient')
        by_outgoing = {}
        for recipient in recipients:
            by_outgoing.setdefault(recipient.outgoing, []).append(recipient)
        for outgoing, lines in by_outgoing.items():
            values = outgoing.incoming_values()
            files = outgoing.incoming_files()
            with without_check_access(), Transaction().set_context(
                    _mvp_outgoing_bulk=True):
                Incoming.receive_electronic_many([
                        (r.agency, values, files, r) for r in lines])
        # 01: the software of each agency has received the document
        Recipient.set_state(recipients, 'received')

    @classmethod
    def _deliver_external(cls, recipients):
        """Deliver to agencies that are not on this installation.

        A hook: mvp_interchange overrides it to send the edXML packages.
        The recipients are already 'sent'; their later statuses come
        through OutgoingRecipient.apply_status(recipients, code)."""
        pass

    @classmethod
    def _recall_external(cls, recipients, reason):
        """Recall the document from agencies not on this installation.

        A hook for mvp_interchange (edXML status 13)."""
        pass

    def incoming_values(self):
        "Return the values of the incoming document at a recipient"
        return {
            'issuer': self.company.id,
            'issuer_name': self.company.rec_name,
            'number': format_number(self.number),
            'notation': self.notation,
            'issue_date': self.issue_date,
            'document_type': self.document_type.id,
            'subject': self.subject,
            'signer_name': self.signer_name or self.signer.rec_name,
            'urgency': self.urgency,
            'confidentiality': self.confidentiality,
            'pages': self.pages,
            'channel': 'internal',
            }

    def incoming_files(self):
        "Return the files sent to the recipients: the signed PDF first"
        files = sorted(self.current_files({'signed', 'original', 'appendix'}),
            key=lambda f: ['signed', 'original', 'appendix'].index(f.kind))
        return [{'name': f.name, 'data': f.data, 'kind': f.kind}
            for f in files]

    # Recall and replacement
    @classmethod
    @ModelView.button_action('mvp_documents.wizard_outgoing_recall')
    def recall(cls, outgoings):
        for outgoing in outgoings:
            outgoing.check_state({'released'})
            outgoing._check_clerk()

    @classmethod
    def recall_recipients(cls, recipients, reason):
        """Recall the document from some recipients (update of the
        recipients); the document stays released for the others"""
        pool = Pool()
        Recipient = pool.get('mvp.outgoing.recipient')
        if not (reason or '').strip():
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_recall_reason'))
        for outgoing in {r.outgoing for r in recipients}:
            outgoing.check_state({'released'})
            outgoing._check_clerk()
        Recipient.withdraw(recipients, reason)

    @classmethod
    @Workflow.transition('recalled')
    def recall_document(cls, outgoings, reason):
        "Recall the whole document: it is frozen, its metadata kept"
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        Recipient = pool.get('mvp.outgoing.recipient')
        if not (reason or '').strip():
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_recall_reason'))
        lines = []
        for outgoing in outgoings:
            outgoing.check_state({'released'})
            outgoing._check_clerk()
            outgoing.recall_reason = reason
            employees = user_employees(outgoing.company)
            lines.append(Approval.line(
                    outgoing, 'recall', employees[0] if employees else None,
                    reason=reason))
        cls.save(outgoings)
        Approval.save(lines)
        Recipient.withdraw(
            [r for o in outgoings for r in o.recipients], reason)

    @classmethod
    @ModelView.button
    def replace(cls, outgoings):
        "Create the draft of a document replacing the released one"
        for outgoing in outgoings:
            outgoing.check_state({'released'})
            outgoing._check_replacer()
            if outgoing.replaced_by:
                raise OutgoingError(gettext(
                        'mvp_documents.msg_outgoing_already_replaced',
                        outgoing=outgoing.rec_name))
        new = []
        for outgoing in outgoings:
            copy, = cls.copy([outgoing], default={
                    'replaces': outgoing.id,
                    'recipients': None,
                    })
            Recipient = Pool().get('mvp.outgoing.recipient')
            Recipient.copy(outgoing.recipients, default={
                    'outgoing': copy.id,
                    })
            new.append(copy)
        return new

    # Confidentiality
    @classmethod
    @ModelView.button_action(
        'mvp_documents.wizard_outgoing_lower_confidentiality')
    def lower_confidentiality_wizard(cls, outgoings):
        for outgoing in outgoings:
            outgoing._check_leader()

    def _check_leader(self):
        if not has_agency_role(self.company, 'group_mvp_leader'):
            refuse('mvp_documents.msg_outgoing_lower_not_leader', [self],
                fields={'confidentiality'}, outgoing=self.rec_name)

    @classmethod
    def lower_confidentiality(cls, outgoings, confidentiality, reason):
        """A leader lowers the confidentiality of the documents; the
        decision is recorded in their approval history"""
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        if not (reason or '').strip():
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_lower_reason'))
        names = dict(cls.fields_get(
                ['confidentiality'])['confidentiality']['selection'])
        lines = []
        for outgoing in outgoings:
            outgoing.check_state(
                {'draft', 'submitted', 'approved', 'numbered', 'released'})
            outgoing._check_leader()
            if not _lower(confidentiality, outgoing.confidentiality):
                refuse('mvp_documents.msg_outgoing_lower_not_lower',
                    [outgoing], fields={'confidentiality'},
                    error=OutgoingError, outgoing=outgoing.rec_name)
            employees = user_employees(outgoing.company)
            lines.append(Approval.line(
                    outgoing, 'lower', employees[0] if employees else None,
                    role='leader', reason=gettext(
                        'mvp_documents.msg_outgoing_lowered',
                        old=names[outgoing.confidentiality],
                        new=names[confidentiality], reason=reason)))
        with without_check_access():
            cls.write(list(outgoings), {'confidentiality': confidentiality})
        Approval.save(lines)

    def _check_replacer(self):
        "The drafter, a clerk or a leader of the agency replaces it"
        if has_agency_role(
                self.company, 'group_mvp_clerk', 'group_mvp_leader'):
            return
        self.check_drafter_acts()

    @classmethod
    @Workflow.transition('replaced')
    def _replace(cls, outgoings):
        pool = Pool()
        Recipient = pool.get('mvp.outgoing.recipient')
        for outgoing in outgoings:
            new = outgoing.replaced_by[-1]
            outgoing.recall_reason = gettext(
                'mvp_documents.msg_outgoing_replaced_reason',
                notation=new.notation)
            Recipient.withdraw(
                list(outgoing.recipients), outgoing.recall_reason)
        cls.save(outgoings)


class OutgoingIncoming(ModelSQL):
    __string__ = "Outgoing Document - Incoming Document answered"
    __name__ = 'mvp.outgoing-mvp.incoming'
    outgoing = fields.Many2One(
        'mvp.outgoing', "Outgoing", required=True, ondelete='CASCADE')
    incoming = fields.Many2One(
        'mvp.incoming', "Incoming", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('outgoing')


class OutgoingWizardMixin:
    """Wizards on outgoing documents: Wizard.execute runs without access
    checks, so the records are checked again with the user's rights"""
    __slots__ = ()

    def checked_records(self, mode='read'):
        "Return the active outgoings once the user may act on them"
        Outgoing = Pool().get('mvp.outgoing')
        if self.model is None or self.model.__name__ != Outgoing.__name__:
            refuse('mvp_documents.msg_outgoing_no_access',
                model=getattr(self.model, '__name__', ''),
                outgoing=getattr(self.model, '__name__', ''))
        records = list(self.records) or (
            [self.record] if self.record else [])
        Outgoing.check_user_access(records, mode)
        return Outgoing.browse(records)


class OutgoingAddVersion(OutgoingWizardMixin, Wizard):
    "Add Draft Version"
    __name__ = 'mvp.outgoing.add_version'
    start = StateView('mvp.outgoing.add_version.start',
        'mvp_documents.outgoing_add_version_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Add", 'add', 'tryton-ok', default=True),
            ])
    add = StateTransition()

    def transition_add(self):
        # The drafter writes the draft: its write rules and drafter check
        outgoing, = self.checked_records('write')[:1]
        self.model.add_draft_version(outgoing, [
                {'name': self.start.document_name,
                    'data': self.start.document},
                {'name': self.start.pdf_name, 'data': self.start.pdf},
                ], note=self.start.note)
        return 'end'


class OutgoingAddVersionStart(ModelView):
    __string__ = "Add Draft Version"
    __name__ = 'mvp.outgoing.add_version.start'
    document = fields.Binary(
        "Document", filename='document_name', required=True,
        help="The editable file (.docx or .odt).")
    document_name = fields.Char("Document Name", required=True)
    pdf = fields.Binary("PDF", filename='pdf_name')
    pdf_name = fields.Char("PDF Name")
    note = fields.Char("Note")


class OutgoingSendBack(OutgoingWizardMixin, Wizard):
    "Return Draft"
    __name__ = 'mvp.outgoing.send_back'
    start = StateView('mvp.outgoing.send_back.start',
        'mvp_documents.outgoing_send_back_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'send_back', 'tryton-ok', default=True),
            ])
    send_back = StateTransition()

    def transition_send_back(self):
        outgoings = self.checked_records()
        for outgoing in outgoings:
            outgoing.check_state({'submitted'})
        self.model.return_to_drafter(outgoings, self.start.reason)
        return 'end'


class OutgoingSendBackStart(ModelView):
    __string__ = "Return Draft"
    __name__ = 'mvp.outgoing.send_back.start'
    reason = fields.Text("Reason", required=True)


class OutgoingRecall(OutgoingWizardMixin, Wizard):
    "Recall Outgoing Document"
    __name__ = 'mvp.outgoing.recall'
    start = StateView('mvp.outgoing.recall.start',
        'mvp_documents.outgoing_recall_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Recall", 'recall', 'tryton-ok', default=True),
            ])
    recall = StateTransition()

    def default_start(self, fields):
        return {'outgoing': self.record.id}

    def transition_recall(self):
        outgoings = self.checked_records()
        Recipient = Pool().get('mvp.outgoing.recipient')
        # The ids of the form come from the client: read them again and
        # keep them only when they are recipients of this document
        recipients = Recipient.browse(
            [r.id for r in self.start.recipients])
        for recipient in recipients:
            if recipient.outgoing not in outgoings[:1]:
                refuse('mvp_documents.msg_outgoing_recipient_other',
                    [recipient], fields={'recipients'},
                    recipient=recipient.rec_name,
                    outgoing=outgoings[0].rec_name)
        if recipients and set(recipients) != set(outgoings[0].recipients):
            self.model.recall_recipients(recipients, self.start.reason)
        else:
            self.model.recall_document(outgoings, self.start.reason)
        return 'end'


class OutgoingRecallStart(ModelView):
    __string__ = "Recall Outgoing Document"
    __name__ = 'mvp.outgoing.recall.start'
    outgoing = fields.Many2One('mvp.outgoing', "Document", readonly=True)
    reason = fields.Text("Reason", required=True)
    recipients = fields.Many2Many(
        'mvp.outgoing.recipient', None, None, "Recipients",
        domain=[
            ('outgoing', '=', Eval('outgoing', -1)),
            ('state', 'not in', ['draft', 'recall_requested', 'recalled']),
            ],
        help="Leave empty to recall the whole document; choose recipients "
        "to withdraw it only from them.")


class OutgoingLowerConfidentiality(OutgoingWizardMixin, Wizard):
    "Lower Confidentiality"
    __name__ = 'mvp.outgoing.lower_confidentiality'
    start = StateView('mvp.outgoing.lower_confidentiality.start',
        'mvp_documents.outgoing_lower_confidentiality_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Lower", 'lower', 'tryton-ok', default=True),
            ])
    lower = StateTransition()

    def default_start(self, fields):
        outgoing, = self.checked_records()[:1]
        return {
            'outgoing': outgoing.id,
            'current': outgoing.confidentiality,
            }

    def transition_lower(self):
        self.model.lower_confidentiality(
            self.checked_records(), self.start.confidentiality,
            self.start.reason)
        return 'end'


class OutgoingLowerConfidentialityStart(ModelView):
    __string__ = "Lower Confidentiality"
    __name__ = 'mvp.outgoing.lower_confidentiality.start'
    outgoing = fields.Many2One('mvp.outgoing', "Document", readonly=True)
    current = fields.Selection(
        CONFIDENTIALITIES, "Current Level", readonly=True)
    confidentiality = fields.Selection(
        CONFIDENTIALITIES, "New Level", required=True)
    reason = fields.Text("Reason", required=True)
