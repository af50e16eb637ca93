# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import functools
from collections import defaultdict
from itertools import groupby

from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.tools import timezone as tz
from trytond.transaction import (
    Transaction, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import outgoing_notification
from .back_entry import (
    BackEntryMixin, RecordedLateMixin, occurred, step_time)
from .calendar import add_working_days
from .document_type import CONFIDENTIALITIES, URGENCIES, is_classified
from .employee import acting_employees, stamp_employee, user_employees
from .exceptions import IncomingError
from .file import DocumentFileMixin
from .legacy_text import LegacyTextMixin
from .notification import notify
from .protection import ServerFieldsMixin, _plain, readable, refuse
from .retention import DocumentCopies
from .role import has_agency_role
from .unicode import fold

CHANNELS = [
    ('paper', "Paper"),
    ('exchange', "Electronic Exchange"),
    ('email', "E-mail"),
    ('internal', "Internal"),
    ('other', "Other"),
    ]
STATES = [
    ('draft', "Draft"),
    ('received', "Received"),
    ('registered', "Registered"),
    ('submitted', "Submitted"),
    ('assigned', "Assigned"),
    ('processing', "Processing"),
    ('processed', "Processed"),
    ('returned', "Returned"),
    ('cancelled', "Cancelled"),
    ]
CLOSED_STATES = {'processed', 'returned', 'cancelled'}
# edXML status codes (QCVN 102:2016) reported back to the sender
STATUS_CODES = [
    (None, ""),
    ('01', "Received"),
    ('02', "Returned"),
    ('03', "Accepted"),
    ('04', "Assigned"),
    ('05', "Processing"),
    ('06', "Completed"),
    ('13', "Recall Requested"),
    ('15', "Recall Accepted"),
    ('16', "Recall Refused"),
    ]
STEPS = [
    (None, ""),
    ('receive', "Received"),
    ('register', "Registered"),
    ('reject', "Returned to Sender"),
    ('submit', "Submitted"),
    ('send_back', "Returned to Clerk"),
    ('assign', "Assigned"),
    ('read', "Opened"),
    ('progress', "Progress"),
    ('return', "Returned by Assignee"),
    ('withdraw', "Withdrawn"),
    ('finish', "Finished"),
    ('process', "Processed"),
    ('cancel', "Cancelled"),
    ('recall', "Recall"),
    ('declassify', "Confidentiality Lowered"),
    ]
# From the lowest level up: lowering is a leader's act
CONFIDENTIALITY_RANK = {c: i for i, (c, _) in enumerate(CONFIDENTIALITIES)}


class FoldedText(fields.Char):
    """The folded search text: create always fills it, so searches compare
    the column itself (not COALESCE(column, '') as for other Char fields),
    which the planner can estimate and its trigram index can serve."""

    def _domain_column(self, operator, column):
        return super(fields.Char, self)._domain_column(operator, column)


def local_date(company, value):
    "Return the date of the UTC datetime value in the agency's time zone"
    if value is None:
        return None
    zone = tz.get_tzinfo(company.timezone) if (
        company and company.timezone) else tz.SERVER
    return value.replace(tzinfo=tz.UTC).astimezone(zone).date()


def _any_official(company, test):
    "Tell whether test holds for one of the user's officials in company"
    transaction = Transaction()
    if transaction.user == 0:
        return True
    return any(test(e, company) for e in user_employees(company))


def is_leader(company):
    "Tell whether the user leads company (a delegate does not)"
    return _any_official(company, lambda e, c: e.is_leader_in(c))


def can_assign(company):
    "Tell whether the user is a leader of company or their delegate"
    return _any_official(company, lambda e, c: e.can_assign_in(c))


def clerk_button(func):
    """Refuse a user's own click unless they are a clerk of the agency of
    each document.  It wraps ModelView.button, which runs the method
    without access checks: server code (a wizard, the back-fill, a cron)
    calls the method without access checks and is not concerned."""
    @functools.wraps(func)
    def wrapper(cls, records, *args, **kwargs):
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            cls._check_clerk(records)
        return func(cls, records, *args, **kwargs)
    return wrapper


def changed_fields(record, values, names):
    "Return the names among names whose value in values changes record"
    changed = set()
    for name in names & set(values):
        value = values[name]
        current = getattr(record, name, None)
        if isinstance(value, (list, tuple)) and value and isinstance(
                value[0], (list, tuple)):
            # One2Many/Many2Many actions always change the record
            changed.add(name)
        elif _plain(value) != _plain(current):
            changed.add(name)
    return changed


class Incoming(ServerFieldsMixin, LegacyTextMixin, BackEntryMixin,
        DocumentFileMixin, DocumentCopies, ChatMixin, Workflow, ModelSQL,
        ModelView):
    "Incoming Document"
    __name__ = 'mvp.incoming'
    __string__ = "Incoming Document"
    _rec_name = 'subject'
    _readonly = ~Eval('state').in_(['draft', 'received'])
    # Only the workflow's buttons set them (issue 15): a user's create
    # starts a draft without number, a user's write never touches them
    _server_fields = frozenset({
            'state', 'arrival_number', 'year', 'registered_date',
            'registered_by', 'submitted_by', 'assigned_by',
            'recorded_late', 'origin', 'return_reason', 'events',
            })
    # the texts that may arrive typed with a pre-Unicode font
    _legacy_fields = ('subject', 'issuer_name', 'signer_name', 'notes')
    # search_text is refused in write() itself: the folded text is added
    # to the values there, before check_modification sees them
    _computed_fields = frozenset({'all_assignments'})
    _back_entry_states = ('registered', 'submitted', 'assigned', 'processing')
    # The entry of the register, typed by the clerk while the document is
    # a draft or waits in the electronic queue (client's _readonly)
    _entry_fields = frozenset({
            'company', 'register', 'arrival_date', 'issuer', 'issuer_name',
            'number', 'notation', 'issue_date', 'document_type', 'subject',
            'signer_name', 'urgency', 'confidentiality', 'pages', 'channel',
            })

    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='RESTRICT',
        states={'readonly': _readonly | Eval('arrival_number')})
    register = fields.Many2One(
        'mvp.register', "Register", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('kind', '=', 'incoming'),
            ],
        states={'readonly': _readonly})
    arrival_number = fields.Integer("Arrival Number", readonly=True)
    year = fields.Integer("Year", readonly=True)
    arrival_date = fields.DateTime(
        "Arrival Date", required=True, states={'readonly': _readonly},
        help="When the document really arrived; it may be earlier than "
        "the entry when the system was unavailable.")
    registered_date = fields.DateTime("Entry Date", readonly=True)
    recorded_late = fields.Boolean(
        "Recorded Late", readonly=True,
        help="Entered on a later day than it arrived.")
    issuer = fields.Many2One(
        'company.company', "Issuing Agency", ondelete='RESTRICT',
        states={'readonly': _readonly})
    issuer_name = fields.Char(
        "Issuer", states={'readonly': _readonly},
        help="The sender when it is not an agency of the directory.")
    number = fields.Char("Number", states={'readonly': _readonly})
    notation = fields.Char(
        "Number and Notation", states={'readonly': _readonly},
        help="Số, ký hiệu as printed, e.g. 51/TTr-STTTT.")
    issue_date = fields.Date("Issue Date", states={'readonly': _readonly})
    document_type = fields.Many2One(
        'mvp.document.type', "Document Type", ondelete='RESTRICT',
        states={'readonly': _readonly})
    subject = fields.Char(
        "Subject", states={
            'readonly': _readonly,
            'invisible': Eval('confidentiality', 'normal') != 'normal',
            },
        help="Never given for a classified document: its register keeps "
        "the entry only.")
    summary = fields.Function(
        fields.Char("Subject"), 'get_summary', searcher='search_summary')
    signer_name = fields.Char("Signer", states={'readonly': _readonly})
    urgency = fields.Selection(
        URGENCIES, "Urgency", required=True,
        states={'readonly': _readonly})
    confidentiality = fields.Selection(
        CONFIDENTIALITIES, "Confidentiality", required=True,
        states={'readonly': _readonly})
    pages = fields.Integer(
        "Pages", domain=['OR', ('pages', '=', None), ('pages', '>=', 0)],
        states={'readonly': _readonly})
    channel = fields.Selection(
        CHANNELS, "Received By", required=True,
        states={'readonly': _readonly})
    deadline = fields.Date(
        "Deadline", states={
            'readonly': Eval('state').in_(list(CLOSED_STATES)),
            })
    notes = fields.Text("Notes")
    paper_holder = fields.Many2One(
        'company.employee', "Paper Copy Held By", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') == 'cancelled'},
        help="The official who holds the paper copy; for a classified "
        "document the register records it instead of any content.")
    origin = fields.Reference(
        "Origin", selection='get_origins', readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    submitted_to = fields.Many2One(
        'company.employee', "Submitted To", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': ~Eval('state').in_(
                ['draft', 'received', 'registered']),
            },
        help="The leader, or the official the leader delegated, "
        "who assigns the document.")
    registered_by = fields.Many2One(
        'company.employee', "Registered By", readonly=True)
    submitted_by = fields.Many2One(
        'company.employee', "Submitted By", readonly=True)
    assigned_by = fields.Many2One(
        'company.employee', "Assigned By", readonly=True)
    return_reason = fields.Text(
        "Return Reason", readonly=True,
        states={'invisible': ~Eval('return_reason')})
    assignments = fields.One2Many(
        'mvp.assignment', 'incoming', "Assignments",
        domain=[('company', '=', Eval('company', -1))],
        filter=[('parent', '=', None)],
        states={
            'readonly': Eval('state').in_(
                ['draft', 'received'] + list(CLOSED_STATES)),
            })
    all_assignments = fields.One2Many(
        'mvp.assignment', 'incoming', "All Assignments", readonly=True)
    events = fields.One2Many(
        'mvp.incoming.event', 'incoming', "Timeline", readonly=True)
    search_text = FoldedText("Search Text", readonly=True)
    issuer_label = fields.Function(
        fields.Char("Issuer"), 'get_issuer_label',
        searcher='search_issuer_label')
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.search_text.search_unaccented = False
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.search_text, Index.Similarity())),
                Index(t,
                    (t.company, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t,
                    (t.register, Index.Equality()),
                    (t.year, Index.Range()),
                    (t.arrival_number, Index.Range())),
                Index(t, (t.deadline, Index.Range()),
                    where=~t.state.in_(list(CLOSED_STATES))),
                # the register lists newest first: a search page walks
                # this index instead of sorting every match
                Index(t,
                    (t.arrival_date, Index.Range()),
                    (t.id, Index.Range())),
                })
        cls._order = [
            ('arrival_date', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'registered'),
            ('received', 'registered'),
            ('received', 'returned'),
            ('registered', 'submitted'),
            ('submitted', 'registered'),
            ('registered', 'assigned'),
            ('submitted', 'assigned'),
            ('assigned', 'processing'),
            ('assigned', 'processed'),
            ('processing', 'processed'),
            ('draft', 'cancelled'),
            ('received', 'cancelled'),
            ('registered', 'cancelled'),
            ('submitted', 'cancelled'),
            ('assigned', 'cancelled'),
            ('processing', 'cancelled'),
            ('processed', 'cancelled'),
            }
        cls._buttons.update({
                'register_arrival': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': Eval('state') != 'received',
                    'depends': ['state'],
                    },
                'return_wizard': {
                    'invisible': ~Eval('state').in_(['received', 'submitted']),
                    'depends': ['state'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'registered',
                    'depends': ['state'],
                    },
                'assign': {
                    'invisible': ~Eval('state').in_(
                        ['registered', 'submitted', 'assigned',
                            'processing']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'received', 'registered', 'submitted']),
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'mark_read': RPC(readonly=False, instantiate=0),
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_arrival_date(cls):
        return datetime.datetime.now().replace(microsecond=0)

    @classmethod
    def default_recorded_late(cls):
        return False

    @classmethod
    def default_urgency(cls):
        return 'normal'

    @classmethod
    def default_confidentiality(cls):
        return 'normal'

    @classmethod
    def default_channel(cls):
        return 'paper'

    @classmethod
    def _get_origins(cls):
        "Return the models an electronic document may come from"
        return set()

    @classmethod
    def get_origins(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        return [(None, '')] + [
            (m, Model.get_name(m)) for m in sorted(cls._get_origins())]

    def chat_language(self, audience='internal'):
        return 'vi'

    @classmethod
    def get_rec_name(cls, incomings, name):
        # Three columns rather than the whole document: lists and
        # inboxes name thousands of documents
        with without_check_access():
            rows = cls.read(
                [i.id for i in incomings],
                ['arrival_number', 'notation', 'subject', 'confidentiality'])
        return {r['id']: cls._format_rec_name(r) for r in rows}

    @staticmethod
    def _format_rec_name(values):
        parts = []
        if values['arrival_number']:
            parts.append('%02d' % values['arrival_number'])
        if values['notation']:
            parts.append(values['notation'])
        parts.append(Incoming._summary(values))
        return ' - '.join(parts)

    @staticmethod
    def _summary(values):
        "Return the subject, or the label standing for a classified one"
        if is_classified(values.get('confidentiality')):
            return gettext('mvp_documents.msg_incoming_classified_label')
        return values.get('subject') or ''

    @classmethod
    def get_summary(cls, incomings, name):
        return {i.id: cls._summary({
                    'subject': i.subject,
                    'confidentiality': i.confidentiality,
                    }) for i in incomings}

    @classmethod
    def search_summary(cls, name, clause):
        return [('subject', *clause[1:])]

    @staticmethod
    def order_summary(tables):
        table, _ = tables[None]
        return [table.subject]

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.endswith('like') and isinstance(value, str):
            return [('search_text', operator.replace('ilike', 'like')
                    if operator.endswith('ilike') else operator,
                    fold(value))]
        return ['OR',
            ('subject', *clause[1:]),
            ('notation', *clause[1:]),
            ]

    def get_issuer_label(self, name):
        return self.issuer.rec_name if self.issuer else self.issuer_name

    @classmethod
    def search_issuer_label(cls, name, clause):
        return ['OR',
            ('issuer.rec_name', *clause[1:]),
            ('issuer_name', *clause[1:]),
            ]

    def get_overdue(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        return bool(self.deadline
            and self.state not in CLOSED_STATES
            and self.deadline < Date.today())

    @classmethod
    def search_overdue(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        _, operator, value = clause[:3]
        domain = [
            ('deadline', '<', Date.today()),
            ('state', 'not in', list(CLOSED_STATES)),
            ]
        if (operator == '=') != bool(value):
            domain = ['OR',
                ('deadline', '=', None),
                ('deadline', '>=', Date.today()),
                ('state', 'in', list(CLOSED_STATES)),
                ]
        return domain

    @fields.depends('confidentiality', 'company', 'register', 'subject')
    def on_change_confidentiality(self):
        pool = Pool()
        Register = pool.get('mvp.register')
        if is_classified(self.confidentiality):
            self.subject = None
        if self.company:
            register = Register.find_register(
                self.company, 'incoming',
                is_classified(self.confidentiality))
            if register:
                self.register = register

    @fields.depends(
        'deadline', 'document_type', 'urgency', 'company', 'arrival_date',
        methods=['compute_deadline'])
    def on_change_document_type(self):
        self.deadline = self.compute_deadline()

    @fields.depends(methods=['on_change_document_type'])
    def on_change_urgency(self):
        self.on_change_document_type()

    @fields.depends('issuer', 'issuer_name')
    def on_change_issuer(self):
        if self.issuer:
            self.issuer_name = None

    @fields.depends('document_type', 'urgency', 'company', 'arrival_date')
    def compute_deadline(self):
        "Return the deadline in working days set for the type and urgency"
        if not self.document_type or not self.arrival_date:
            return None
        if self.urgency and self.urgency != 'normal':
            days = self.document_type.deadline_urgent
        else:
            days = self.document_type.deadline_normal
        if not days:
            return None
        return add_working_days(
            self.company, local_date(self.company, self.arrival_date), days)

    @classmethod
    def _search_text(cls, values):
        pool = Pool()
        Company = pool.get('company.company')
        issuer = values.get('issuer_name') or ''
        if values.get('issuer'):
            issuer = Company(values['issuer']).rec_name
        return fold(' | '.join(filter(None, [
                        values.get('subject'), values.get('notation'),
                        issuer])))

    @classmethod
    def create(cls, vlist):
        vlist = cls.legacy_create_values(vlist)
        for values in vlist:
            values['search_text'] = cls._search_text(values)
        return super().create(vlist)

    _searched_fields = {'subject', 'notation', 'issuer', 'issuer_name'}

    @classmethod
    def write(cls, *args):
        if not any(args[::2]):
            # Workflow.transition writes the state of no record when the
            # action wrote it already (_register): three statements
            return
        # The folded text goes in the same UPDATE as the fields it folds:
        # a second write would validate the whole document again
        cls._check_search_text(args)
        args = cls.legacy_write_args(args)
        lowered = cls._lowered_confidentiality(args)
        actions = iter(args)
        args, classified = [], []
        for incomings, values in zip(actions, actions, strict=True):
            if is_classified(values.get('confidentiality')):
                classified.extend(i for i in incomings if i.legacy_text)
            if not (cls._searched_fields & set(values)):
                args.extend((incomings, values))
                continue
            by_text = defaultdict(list)
            for incoming in incomings:
                by_text[cls._search_text(
                        incoming._search_values(values))].append(incoming)
            for text, records in by_text.items():
                args.extend((records, {**values, 'search_text': text}))
        super().write(*args)
        if classified:
            # a classified document keeps no content, nor as received
            with without_check_access():
                super().write(classified, {'legacy_text': None})
        if lowered:
            levels = dict(cls.fields_get(['confidentiality'])[
                    'confidentiality']['selection'])
        for incoming, old, new in lowered:
            cls._step([incoming], 'declassify', gettext(
                    'mvp_documents.msg_incoming_event_declassified',
                    old=levels[old], new=levels[new]))

    @classmethod
    def _check_search_text(cls, args):
        "Refuse the folded search text in a user's own write"
        transaction = Transaction()
        if not (transaction.user and transaction.check_access):
            return
        actions = iter(args)
        for incomings, values in zip(actions, actions, strict=True):
            if 'search_text' in values:
                refuse('mvp_documents.msg_field_server_only', incomings,
                    fields={'search_text'}, model=cls.__name__,
                    field_names=cls._field_labels({'search_text'}),
                    model_name=cls.__names__()['model'])

    @classmethod
    def _lowered_confidentiality(cls, args):
        "Return (incoming, old, new level) for each registered one lowered"
        lowered = []
        actions = iter(args)
        for incomings, values in zip(actions, actions, strict=True):
            for incoming in incomings:
                if incoming._lowers_confidentiality(values):
                    lowered.append((incoming, incoming.confidentiality,
                            values['confidentiality']))
        return lowered

    def _search_values(self, values):
        "Return the searched fields of the document once values are written"
        current = {
            'subject': self.subject,
            'notation': self.notation,
            'issuer': self.issuer.id if self.issuer else None,
            'issuer_name': self.issuer_name,
            }
        current.update(
            (k, v) for k, v in values.items() if k in self._searched_fields)
        return current

    @classmethod
    def copy(cls, incomings, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'arrival_number', 'year', 'registered_date', 'registered_by',
                'submitted_by', 'assigned_by', 'return_reason', 'origin',
                'submitted_to']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        default.setdefault('recorded_late', False)
        default.setdefault('events', None)
        default.setdefault('assignments', None)
        default.setdefault('all_assignments', None)
        default.setdefault('files', None)
        return super().copy(incomings, default=default)

    @classmethod
    def validate_fields(cls, incomings, field_names):
        super().validate_fields(incomings, field_names)
        if field_names & {'subject', 'state', 'confidentiality'}:
            cls.check_subject(incomings)
        if field_names & {'deadline', 'arrival_date', 'issue_date'}:
            cls.check_dates(incomings)
        if field_names & {'register', 'company'}:
            for incoming in incomings:
                if (incoming.register
                        and incoming.register.company != incoming.company):
                    raise IncomingError(gettext(
                            'mvp_documents.msg_incoming_register_company',
                            register=incoming.register.rec_name,
                            document=incoming.rec_name))

    @classmethod
    def check_subject(cls, incomings):
        for incoming in incomings:
            classified = is_classified(incoming.confidentiality)
            if classified and (incoming.subject or '').strip():
                # the register of classified documents keeps the entry
                # only: no subject, no content (issue 15, item 6)
                refuse('mvp_documents.msg_incoming_classified_subject',
                    [incoming], fields={'subject'}, error=IncomingError,
                    document=incoming.rec_name)
            if (incoming.state != 'draft' and not classified
                    and not (incoming.subject or '').strip()):
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_subject_required'))

    @classmethod
    def check_dates(cls, incomings):
        now = datetime.datetime.now()
        for incoming in incomings:
            arrival = local_date(incoming.company, incoming.arrival_date)
            if incoming.arrival_date > now + datetime.timedelta(minutes=5):
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_arrival_future',
                        document=incoming.rec_name))
            if incoming.deadline and incoming.deadline < arrival:
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_deadline_before_arrival',
                        deadline=incoming.deadline.strftime('%d/%m/%Y'),
                        arrival=arrival.strftime('%d/%m/%Y'),
                        document=incoming.rec_name))
            if incoming.issue_date and incoming.issue_date > arrival:
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_issue_after_arrival',
                        document=incoming.rec_name))

    @classmethod
    def check_modification(cls, mode, incomings, values=None, external=False):
        super().check_modification(
            mode, incomings, values=values, external=external)
        if mode == 'delete':
            for incoming in incomings:
                if incoming.arrival_number:
                    raise IncomingError(gettext(
                            'mvp_documents.msg_incoming_delete_registered',
                            document=incoming.rec_name))
            if external:
                cls._check_clerk(incomings)
        if mode == 'write' and external and (
                {'arrival_number', 'year', 'register', 'company'}
                & set(values or {})):
            for incoming in incomings:
                if incoming.arrival_number:
                    raise IncomingError(gettext(
                            'mvp_documents.msg_incoming_number_readonly',
                            document=incoming.rec_name))
        if mode == 'write' and external and Transaction().user:
            for incoming in incomings:
                incoming._check_user_write(values)

    def _check_user_write(self, values):
        """Check that the user may change the fields of values here, as
        the web client's states allow it, and in their role"""
        entry = changed_fields(self, values, self._entry_fields)
        if self._lowers_confidentiality(values):
            # the leader's act (issue 15, item 6), with the subject the
            # document may then carry; recorded by write()
            if not is_leader(self.company):
                self._refuse_write(
                    'msg_incoming_lower_leader', {'confidentiality'})
            entry -= {'confidentiality', 'subject'}
        if entry:
            if self.state not in {'draft', 'received'}:
                self._refuse_write('msg_incoming_entry_locked', entry)
            self._check_roles(entry, 'group_mvp_clerk')
        rules = [
            ('submitted_to', {'draft', 'received', 'registered'},
                ['group_mvp_clerk']),
            ('deadline', set(dict(STATES)) - CLOSED_STATES,
                ['group_mvp_clerk', 'group_mvp_leader']),
            ('paper_holder', set(dict(STATES)) - {'cancelled'},
                ['group_mvp_clerk', 'group_mvp_leader']),
            ('assignments', set(dict(STATES)) - CLOSED_STATES
                - {'draft', 'received'}, None),
            ]
        for name, states, roles in rules:
            if not changed_fields(self, values, {name}):
                continue
            if self.state not in states:
                self._refuse_write('msg_incoming_field_locked', {name})
            if roles:
                self._check_roles({name}, *roles)

    def _lowers_confidentiality(self, values):
        "Tell whether values lower the level of the registered document"
        new = values.get('confidentiality')
        return (bool(new) and self.state not in {'draft', 'received'}
            and (CONFIDENTIALITY_RANK[new]
                < CONFIDENTIALITY_RANK[self.confidentiality]))

    def _check_roles(self, names, *roles):
        if 'group_mvp_leader' in roles and can_assign(self.company):
            return
        if not has_agency_role(self.company, *roles):
            self._refuse_write('msg_incoming_field_role', names)

    def _refuse_write(self, message, names):
        refuse('mvp_documents.' + message, [self], fields=names,
            field_names=self._field_labels(names),
            document=self.rec_name, state=self.state_string)

    @classmethod
    def _check_clerk(cls, incomings):
        "Refuse unless the user is a clerk of the agency of each incoming"
        for incoming in incomings:
            if not has_agency_role(incoming.company, 'group_mvp_clerk'):
                refuse('mvp_documents.msg_incoming_clerk_only', [incoming],
                    document=incoming.rec_name)

    # Intake

    @classmethod
    def receive_electronic(cls, company, values, files, origin=None):
        """Put an electronic document in the agency's queue (state received)

        values are mvp.incoming fields; files a list of dicts with name,
        data and kind.  The clerk then accepts or rejects it.
        """
        incoming, = cls.receive_electronic_many(
            [(company, values, files, origin)])
        return incoming

    @classmethod
    def receive_electronic_many(cls, documents):
        """receive_electronic for each (company, values, files, origin) of
        documents, in bulk: one create of the documents, one of their files
        and one 01 event per issuer (a release to 400 agencies)"""
        pool = Pool()
        File = pool.get('mvp.document.file')
        vlist = []
        for company, values, _files, origin in documents:
            values = dict(values)
            values.update({
                    'company': int(company),
                    'state': 'received',
                    'origin': str(origin) if origin else None,
                    })
            values.setdefault('channel', 'exchange')
            values.setdefault('arrival_date', cls.default_arrival_date())
            vlist.append(values)
        incomings = cls.create(vlist)
        File.create([{
                    'resource': str(incoming),
                    'company': incoming.company.id,
                    'kind': f.get('kind', 'original'),
                    'name': f['name'],
                    'data': f['data'],
                    }
                for incoming, (_, _, files, _) in zip(
                    incomings, documents, strict=True)
                for f in files])
        for _issuer, group in groupby(
                sorted(incomings, key=lambda i: i.issuer_name or ''),
                key=lambda i: i.issuer_name or ''):
            group = list(group)
            cls.add_event(group, '01', group[0].issuer_label or '',
                step='receive')
        outgoing_notification.tell_clerks_arrived(incomings)
        return incomings

    @classmethod
    @clerk_button
    @ModelView.button
    @Workflow.transition('registered')
    @stamp_employee('registered_by')
    def register_arrival(cls, incomings):
        cls._register(incomings)

    @classmethod
    @clerk_button
    @ModelView.button
    @Workflow.transition('registered')
    @stamp_employee('registered_by')
    def accept(cls, incomings):
        cls._register(incomings)

    @classmethod
    def _register(cls, incomings):
        pool = Pool()
        Register = pool.get('mvp.register')
        now = datetime.datetime.now().replace(microsecond=0)
        incomings = sorted(incomings, key=lambda i: i.arrival_date)
        for incoming in incomings:
            if (not is_classified(incoming.confidentiality)
                    and not (incoming.subject or '').strip()):
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_subject_required'))
            if not incoming.register:
                incoming.register = Register.find_register(
                    incoming.company, 'incoming',
                    is_classified(incoming.confidentiality))
            if not incoming.register:
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_no_register',
                        agency=incoming.company.rec_name))
        # Numbering waits for the other clerks of the register: lock
        # first, so that the transaction restarts before doing any work
        Register.lock_years({
                (i.register,
                    local_date(i.company, i.arrival_date).year)
                for i in incomings})
        employees = acting_employees()
        for incoming in incomings:
            arrival = local_date(incoming.company, incoming.arrival_date)
            incoming.arrival_number = Register.next_number(
                incoming.register, arrival)
            incoming.year = arrival.year
            incoming.registered_date = now
            incoming.recorded_late = (
                arrival < local_date(incoming.company, now))
            if not incoming.deadline:
                incoming.deadline = incoming.compute_deadline()
            # One UPDATE with the number, while the register is locked:
            # the transition and stamp_employee find nothing left to write
            incoming.state = 'registered'
            if not incoming.registered_by:
                incoming.registered_by = employees.get(incoming.company.id)
        cls.save(incomings)
        cls.log(incomings, 'transition', 'state:registered')
        for incoming in incomings:
            cls.add_event([incoming], '03', gettext(
                    'mvp_documents.msg_incoming_event_registered',
                    number='%02d' % incoming.arrival_number,
                    register=incoming.register.rec_name), step='register')
        cls._notify_urgent([i for i in incomings if i.urgency != 'normal'])

    @classmethod
    def reject(cls, incomings, reason):
        "Return electronic documents to their sender with reason"
        if not (reason or '').strip():
            raise IncomingError(gettext(
                    'mvp_documents.msg_incoming_reason_required'))
        # the server's own transition, whoever asked for it
        with without_check_access():
            cls._reject(incomings, reason)

    @classmethod
    @Workflow.transition('returned')
    def _reject(cls, incomings, reason):
        cls.write(incomings, {'return_reason': reason})
        cls.add_event(incomings, '02', reason, step='reject')

    @classmethod
    @clerk_button
    @ModelView.button
    @Workflow.transition('submitted')
    @stamp_employee('submitted_by')
    def submit(cls, incomings):
        for incoming in incomings:
            if not incoming.submitted_to:
                incoming.submitted_to = incoming.find_leader()
            if not incoming.submitted_to:
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_submit_nobody',
                        document=incoming.rec_name))
            if not incoming.submitted_to.can_assign_in(incoming.company):
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_submit_not_leader',
                        employee=incoming.submitted_to.rec_name,
                        document=incoming.rec_name))
        cls.save(incomings)
        for incoming in incomings:
            cls._step([incoming], 'submit', incoming.submitted_to.rec_name)
            notify(
                incoming.submitted_to.users,
                gettext('mvp_documents.msg_incoming_notify_submitted_subject',
                    document=incoming.rec_name),
                gettext('mvp_documents.msg_incoming_notify_submitted_body',
                    document=incoming.rec_name,
                    urgency=incoming.urgency_string),
                records=[incoming])

    urgency_string = urgency.translated('urgency')
    confidentiality_string = confidentiality.translated('confidentiality')
    state_string = state.translated('state')

    def find_leader(self):
        "Return the agency's leader when there is only one"
        pool = Pool()
        Employee = pool.get('company.employee')
        leaders = Employee.assigners(self.company)
        if len(leaders) == 1:
            return leaders[0]

    @classmethod
    def send_back(cls, incomings, reason):
        "Return submitted documents to the clerk with reason"
        if not (reason or '').strip():
            raise IncomingError(gettext(
                    'mvp_documents.msg_incoming_reason_required'))
        with without_check_access():
            cls._send_back(incomings, reason)

    @classmethod
    @Workflow.transition('registered')
    def _send_back(cls, incomings, reason):
        cls.write(incomings, {'return_reason': reason})
        cls._step(incomings, 'send_back', reason)
        for incoming in incomings:
            if incoming.registered_by:
                notify(
                    incoming.registered_by.users,
                    gettext('mvp_documents.msg_incoming_notify_sent_back',
                        document=incoming.rec_name),
                    reason, records=[incoming])

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_incoming_return')
    def return_wizard(cls, incomings):
        pass

    @classmethod
    @ModelView.button
    @stamp_employee('assigned_by')
    def assign(cls, incomings):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        cls.check_assigner(incomings)
        drafts = [a for i in incomings for a in i.assignments
            if a.state == 'draft']
        for incoming in incomings:
            if not any(a.state == 'draft' for a in incoming.assignments):
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_assign_nobody',
                        document=incoming.rec_name))
        with occurred(incomings, lambda i: i.arrival_date):
            Assignment.assign(drafts)
            cls._to_assigned(incomings)

    @classmethod
    @Workflow.transition('assigned')
    def _to_assigned(cls, incomings):
        pass

    @classmethod
    def check_assigner(cls, incomings):
        "Check the user may assign: a leader or the leader's delegate"
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        if transaction.user == 0:
            return
        user = User(transaction.user)
        for incoming in incomings:
            employees = user_employees(incoming.company, user)
            if not any(e.can_assign_in(incoming.company) for e in employees):
                refuse('mvp_documents.msg_incoming_assign_not_allowed',
                    [incoming], error=IncomingError,
                    document=incoming.rec_name)

    @classmethod
    @Workflow.transition('processing')
    def process(cls, incomings):
        cls.add_event(incomings, '05', step='progress')

    @classmethod
    @Workflow.transition('processed')
    def complete(cls, incomings):
        cls.add_event(incomings, '06', step='process')

    @classmethod
    @clerk_button
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, incomings):
        cls._step(incomings, 'cancel', '')

    @classmethod
    @Workflow.transition('cancelled')
    def _cancel_recalled(cls, incomings, reason):
        "The agency agreed to the sender's recall (15): see incoming_recall"
        cls.write(incomings, {'return_reason': reason})
        cls.add_event(incomings, '15', reason, step='recall')

    # Events and timeline

    @classmethod
    def add_event(cls, incomings, code, description=None, step=None):
        """Record the status code for each incoming and tell its origin

        The origin record (e.g. an outgoing recipient line, an exchange
        message) learns of it through its on_incoming_event(event).
        """
        pool = Pool()
        Event = pool.get('mvp.incoming.event')
        with without_check_access():
            events = Event.create([
                Event._event_values(
                    i, code=code, description=description, step=step)
                    for i in incomings])
        for event in events:
            origin = event.incoming.origin
            if origin and hasattr(origin, 'on_incoming_event'):
                origin.on_incoming_event(event)
        return events

    @classmethod
    def _step(cls, incomings, step, description, assignment=None):
        "Record a step of the internal processing on the timeline"
        pool = Pool()
        Event = pool.get('mvp.incoming.event')
        with without_check_access():
            return Event.create([
                    Event._event_values(
                        i, step=step, description=description,
                        assignment=assignment)
                    for i in incomings])

    # Read tracking

    @classmethod
    def read(cls, ids, fields_names):
        transaction = Transaction()
        if (transaction.user and transaction.check_access
                and fields_names and 'assignments' in fields_names):
            # only the form shows the assignments: the document is opened
            cls._record_first_read([('incoming', 'in', list(ids))])
        return super().read(ids, fields_names)

    @classmethod
    def mark_read(cls, incomings):
        "Record that the user opened the documents"
        cls._record_first_read([('incoming', 'in', [i.id for i in incomings])])

    @classmethod
    def _record_first_read(cls, domain):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        transaction = Transaction()
        employees = [e.id for e in user_employees()]
        if not employees:
            return
        domain = domain + [
            ('employee', 'in', employees),
            ('first_read', '=', None),
            ('state', 'in', ['assigned', 'in_progress', 'done']),
            ]
        with without_check_access():
            if not Assignment.search(domain, limit=1):
                return
        if transaction.readonly:
            # Opening a form is a read-only request
            with transaction.new_transaction() as new:
                with without_check_access():
                    Assignment._mark_read(Assignment.search(domain))
                new.commit()
        else:
            with without_check_access():
                Assignment._mark_read(Assignment.search(domain))

    # Notifications


    @classmethod
    def _notify_urgent(cls, incomings):
        "Tell the leaders at once about urgent documents (Decree 30, 4.2.c)"
        pool = Pool()
        Employee = pool.get('company.employee')
        for incoming in incomings:
            users = {u for e in Employee.assigners(incoming.company)
                for u in e.users}
            notify(
                users,
                gettext('mvp_documents.msg_incoming_notify_urgent_subject',
                    urgency=incoming.urgency_string,
                    document=incoming.rec_name),
                gettext('mvp_documents.msg_incoming_notify_urgent_body',
                    urgency=incoming.urgency_string,
                    document=incoming.rec_name,
                    issuer=incoming.issuer_label or ''),
                records=[incoming])


class IncomingEvent(RecordedLateMixin, ModelSQL, ModelView):
    "Incoming Document Event"
    __name__ = 'mvp.incoming.event'
    __string__ = "Incoming Document Event"
    incoming = fields.Many2One(
        'mvp.incoming', "Document", required=True, ondelete='CASCADE')
    date = fields.DateTime("Date", required=True)
    code = fields.Selection(
        STATUS_CODES, "Status", sort=False,
        help="The edXML status reported to the sender.")
    step = fields.Selection(STEPS, "Step", sort=False)
    description = fields.Text("Description")
    user = fields.Many2One('res.user', "User", ondelete='SET NULL')
    employee = fields.Many2One(
        'company.employee', "Official", ondelete='SET NULL')
    assignment = fields.Many2One(
        'mvp.assignment', "Assignment", ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('incoming')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.incoming, Index.Equality()),
                (t.date, Index.Range())))

    @classmethod
    def _event_values(cls, incoming, **values):
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        user = User(transaction.user)
        employee = user.employee
        if employee and employee.company != incoming.company:
            employee = None
        if values.get('assignment') is not None:
            values['assignment'] = int(values['assignment'])
        return {
            'incoming': incoming.id,
            # the step's real time, after an outage earlier than its entry
            'date': step_time(),
            'user': transaction.user or None,
            'employee': employee.id if employee else None,
            **values,
            }

    def get_rec_name(self, name):
        label = self.code_string if self.code else self.step_string
        return '%s %s' % (self.date.strftime('%d/%m/%Y %H:%M'), label)

    code_string = code.translated('code')
    step_string = step.translated('step')

    @classmethod
    def check_modification(cls, mode, events, values=None, external=False):
        super().check_modification(
            mode, events, values=values, external=external)
        # The timeline is the audit of the document: only the server's
        # own steps write it, never a user's create, write or delete
        if external and Transaction().user:
            refuse('mvp_documents.msg_incoming_event_readonly', events,
                fields=set(values or {}), model=cls.__name__,
                error=IncomingError)


class IncomingReturnStart(ModelView):
    "Return Incoming Document"
    __name__ = 'mvp.incoming.return.start'
    __string__ = "Return Incoming Document"
    reason = fields.Text("Reason", required=True)


class IncomingReturn(Wizard):
    "Return Incoming Document"
    __name__ = 'mvp.incoming.return'
    __string__ = "Return Incoming Document"
    start = StateView(
        'mvp.incoming.return.start',
        'mvp_documents.incoming_return_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'return_', 'tryton-ok', default=True),
            ])
    return_ = StateTransition()

    def transition_return_(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        records = readable(Incoming, self.records)
        received = [r for r in records if r.state == 'received']
        submitted = [r for r in records if r.state == 'submitted']
        if received:
            Incoming._check_clerk(received)
            Incoming.reject(received, self.start.reason)
        if submitted:
            Incoming.check_assigner(submitted)
            Incoming.send_back(submitted, self.start.reason)
        return 'end'


class DocumentFile(metaclass=PoolMeta):
    __name__ = 'mvp.document.file'

    @classmethod
    def _get_resources(cls):
        return super()._get_resources() | {'mvp.incoming', 'mvp.assignment'}
