# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields, sequence_ordered
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .company import is_identifier_code
from . import outgoing_notification
from .exceptions import OutgoingError
from .protection import ServerFieldsMixin, refuse

# Status codes of edXML (QCVN 102) and of mvp.incoming.event
EVENT_STATES = {
    '01': 'received',
    '02': 'returned',
    '03': 'accepted',
    '04': 'assigned',
    '05': 'processing',
    '06': 'completed',
    '13': 'recall_requested',
    '15': 'recalled',
    '16': 'recall_refused',
    }
# The recall dialogue: asked (13), then agreed (15) or refused (16)
RECALL_STATES = {'recall_requested', 'recalled', 'recall_refused'}
# A recipient's progress only moves forward
PROGRESS = ['draft', 'sent', 'received', 'accepted', 'assigned',
    'processing', 'completed']


def can_move(current, new):
    "Whether a recipient in state current may move to state new"
    if new == current:
        return False
    if new in PROGRESS:
        return (current in PROGRESS
            and PROGRESS.index(new) > PROGRESS.index(current))
    if new == 'returned':
        return current in {'sent', 'received'}
    if new == 'recall_requested':
        return current not in RECALL_STATES | {'draft', 'returned'}
    if new == 'recalled':
        return current not in {'draft', 'returned', 'recall_refused'}
    if new == 'recall_refused':
        return current in {'recall_requested', 'recalled'}
    return False


class OutgoingRecipient(
        ServerFieldsMixin, sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Outgoing Document Recipient"
    __name__ = 'mvp.outgoing.recipient'
    # The statuses come from the release and the recipients' events
    _server_fields = frozenset({
            'state', 'channel', 'status_date', 'status_description'})
    _fixed_fields = frozenset({'outgoing'})
    _new = {'readonly': Eval('state') != 'draft'}

    outgoing = fields.Many2One(
        'mvp.outgoing', "Document", required=True, ondelete='CASCADE')
    kind = fields.Selection([
            ('agency', "Agency"),
            ('department', "Own Department"),
            ('employee', "Own Official"),
            ('outside', "Outside Address"),
            ], "Kind", required=True, states=_new)
    agency = fields.Many2One(
        'company.company', "Agency", ondelete='RESTRICT',
        states={
            'required': Eval('kind') == 'agency',
            'invisible': Eval('kind') != 'agency',
            'readonly': Eval('state') != 'draft',
            })
    department = fields.Many2One(
        'mvp.department', "Department", ondelete='RESTRICT',
        domain=[('company', '=', Eval('_parent_outgoing.company', -1))],
        states={
            'required': Eval('kind') == 'department',
            'invisible': Eval('kind') != 'department',
            'readonly': Eval('state') != 'draft',
            })
    employee = fields.Many2One(
        'company.employee', "Official", ondelete='RESTRICT',
        domain=[('company', '=', Eval('_parent_outgoing.company', -1))],
        states={
            'required': Eval('kind') == 'employee',
            'invisible': Eval('kind') != 'employee',
            'readonly': Eval('state') != 'draft',
            })
    name = fields.Char(
        "Name",
        states={
            'required': Eval('kind') == 'outside',
            'invisible': Eval('kind') != 'outside',
            'readonly': Eval('state') != 'draft',
            })
    identifier_code = fields.Char(
        "Identifier Code", size=13,
        states={
            'invisible': Eval('kind') != 'outside',
            'readonly': Eval('state') != 'draft',
            },
        help="Electronic identifier of an agency outside this "
        "installation, to send the document through the interchange.")
    address = fields.Char(
        "Address",
        states={
            'invisible': Eval('kind') != 'outside',
            'readonly': Eval('state') != 'draft',
            })
    purpose = fields.Selection([
            ('action', "For Action"),
            ('information', "For Information"),
            ], "Purpose", required=True, states=_new)
    channel = fields.Selection([
            (None, ""),
            ('electronic', "Electronic"),
            ('external', "Interchange"),
            ('internal', "Internal"),
            ('paper', "Paper"),
            ], "Channel", readonly=True)
    incoming = fields.Function(fields.Many2One(
            'mvp.incoming', "Incoming Document"), 'get_incoming')
    state = fields.Selection([
            ('draft', "To Send"),
            ('sent', "Sent"),
            ('received', "Received"),
            ('returned', "Returned"),
            ('accepted', "Accepted"),
            ('assigned', "Assigned"),
            ('processing', "Processing"),
            ('completed', "Completed"),
            ('recall_requested', "Recall Requested"),
            ('recalled', "Recalled"),
            ('recall_refused', "Recall Refused"),
            ], "State", readonly=True, required=True, sort=False)
    status_date = fields.DateTime("Status Date", readonly=True)
    status_description = fields.Char("Status Description", readonly=True)
    recipient_name = fields.Function(
        fields.Char("Recipient"), 'on_change_with_recipient_name')

    del _new

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('outgoing')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'sent'))
        cls._buttons.update({
                'acknowledge': {
                    'invisible': ((Eval('state') != 'sent')
                        | ~Eval('kind').in_(['department', 'employee'])),
                    'depends': ['state', 'kind'],
                    },
                })

    @classmethod
    def default_kind(cls):
        return 'agency'

    @classmethod
    def default_purpose(cls):
        return 'action'

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_incoming(cls, recipients, name):
        "Return the incoming document created at the recipient agency"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        result = dict.fromkeys((r.id for r in recipients), None)
        with without_check_access():
            for incoming in Incoming.search([
                        ('origin', 'in', [str(r) for r in recipients]),
                        ]):
                result[incoming.origin.id] = incoming.id
        return result

    @classmethod
    def check_modification(cls, mode, recipients, values=None,
            external=False):
        super().check_modification(
            mode, recipients, values=values, external=external)
        if not external or not Transaction().user:
            return
        if mode in {'write', 'delete'}:
            # A recipient the document was sent to stays as it was sent
            for recipient in recipients:
                if recipient.state != 'draft':
                    refuse('mvp_documents.msg_outgoing_recipient_sent',
                        [recipient], fields=values or (),
                        recipient=recipient.rec_name)

    @classmethod
    def copy(cls, recipients, default=None):
        default = default.copy() if default is not None else {}
        for name in ['channel', 'status_date',
                'status_description']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        return super().copy(recipients, default=default)

    @fields.depends('kind', 'agency', 'department', 'employee', 'name')
    def on_change_with_recipient_name(self, name=None):
        record = {
            'agency': self.agency,
            'department': self.department,
            'employee': self.employee,
            }.get(self.kind)
        if record:
            return record.rec_name
        return self.name

    def get_rec_name(self, name):
        return self.recipient_name or ''

    @property
    def local_agency(self):
        "Whether the recipient is an agency working on this installation"
        return self.kind == 'agency' and bool(self.agency)

    def get_channel(self):
        if self.kind in {'department', 'employee'}:
            return 'internal'
        if self.outgoing.release_mode == 'paper':
            return 'paper'
        if self.local_agency:
            return 'electronic'
        if self.kind == 'outside' and self.identifier_code:
            return 'external'
        return 'paper'

    def check_electronic(self):
        if self.state != 'draft':
            return
        if self.kind == 'agency' and not is_identifier_code(
                self.agency.identifier_code):
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_recipient_no_code',
                    agency=self.agency.rec_name,
                    outgoing=self.outgoing.rec_name))
        if (self.kind == 'outside' and self.identifier_code
                and not is_identifier_code(self.identifier_code)):
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_recipient_bad_code',
                    code=self.identifier_code,
                    recipient=self.rec_name))

    @classmethod
    def set_state(cls, recipients, state, description=None, date=None):
        "Move the recipients to state when it is a move forward"
        date = date or dt.datetime.now()
        # Read the state again: events may have moved it meanwhile
        recipients = cls.browse([r.id for r in recipients])
        to_write = [r for r in recipients if can_move(r.state, state)]
        if to_write:
            values = {'state': state, 'status_date': date}
            if description is not None:
                values['status_description'] = description[:200]
            with without_check_access():
                cls.write(to_write, values)
        return to_write

    @classmethod
    def apply_status(cls, recipients, code, description=None, date=None):
        "Apply an edXML status code (01-06, 13, 15, 16) to the recipients"
        state = EVENT_STATES.get(code)
        if state:
            with without_check_access():
                cls.set_state(
                    recipients, state, description=description, date=date)
            if code in {'15', '16'}:
                # each answer to a recall comes once
                for recipient in recipients:
                    outgoing_notification.tell_recall_answer(
                        recipient, code, description)

    def on_incoming_event(self, event):
        "Follow the status of the incoming document at the recipient"
        if Transaction().context.get('_mvp_outgoing_bulk'):
            # Outgoing._deliver_local moves all the recipients at once
            return
        self.apply_status(
            [self], event.code, description=event.description,
            date=event.date)

    @classmethod
    def withdraw(cls, recipients, reason):
        """Recall the document from the recipients

        An agency is asked and answers (incoming_recall); an own official,
        department or a paper address has nothing to answer."""
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Incoming = pool.get('mvp.incoming')
        recipients = [r for r in recipients
            if r.state not in {'draft', 'returned', 'recall_requested',
                'recalled'}]
        asked = [r for r in recipients
            if r.incoming or r.channel == 'external']
        incomings = [r.incoming for r in asked if r.incoming]
        if incomings:
            with without_check_access():
                Incoming.request_recall(incomings, reason)
        external = [r for r in asked if r.channel == 'external']
        if external:
            Outgoing._recall_external(external, reason)
        # The events of the recipients may have done it already
        cls.set_state(cls.browse(asked), 'recall_requested',
            description=reason)
        cls.set_state(cls.browse([r for r in recipients if r not in asked]),
            'recalled', description=reason)

    @classmethod
    @ModelView.button
    def acknowledge(cls, recipients):
        "An own official or department has read the document"
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        employees = set(user.employees)
        for recipient in recipients:
            if Transaction().user and not (
                    recipient.employee in employees
                    or (recipient.department and any(
                            e.department == recipient.department
                            for e in employees))):
                raise OutgoingError(gettext(
                        'mvp_documents.msg_outgoing_recipient_not_you',
                        recipient=recipient.rec_name))
        cls.set_state(recipients, 'received')


class Incoming(metaclass=PoolMeta):
    __name__ = 'mvp.incoming'

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() | {'mvp.outgoing.recipient'}
