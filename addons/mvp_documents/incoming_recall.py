# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The recall dialogue of a received document (edXML statuses 13, 15, 16).

The sender asks (13); a clerk or a leader of the receiving agency agrees
(15: the document is cancelled with its assignments) or refuses with a
reason (16: the document stays).  Nothing is cancelled before the
receiver agrees, because the document may already be in hand.  A request
left unanswered for 2 working days reminds the agency's clerks.  The
same dialogue answers a replacement and a recipient removed by an update.
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import outgoing_notification
from .calendar import add_working_days
from .exceptions import IncomingError
from .protection import readable
from .role import has_agency_role

# how long a request may wait before the clerks are reminded
REMINDER_WORKING_DAYS = 2
# a recall never reaches these: nothing to cancel
CLOSED_STATES = {'cancelled', 'returned'}


class Incoming(metaclass=PoolMeta):
    __name__ = 'mvp.incoming'
    recall_state = fields.Selection([
            (None, ""),
            ('requested', "Requested"),
            ('agreed', "Agreed"),
            ('refused', "Refused"),
            ], "Recall", readonly=True,
        states={'invisible': ~Eval('recall_state')})
    recall_request = fields.Text("Recall Request", readonly=True,
        states={'invisible': ~Eval('recall_state')},
        help="Why the sender recalls the document.")
    recall_requested_at = fields.DateTime("Recall Requested At",
        readonly=True, states={'invisible': ~Eval('recall_state')})
    recall_answer = fields.Text("Recall Answer", readonly=True,
        states={'invisible': ~Eval('recall_state').in_(
                ['agreed', 'refused'])})
    recall_reminded = fields.Boolean("Recall Reminded", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._server_fields |= {
            'recall_state', 'recall_request', 'recall_requested_at',
            'recall_answer', 'recall_reminded'}
        cls._buttons.update({
                'answer_recall': {
                    'invisible': Eval('recall_state') != 'requested',
                    'depends': ['recall_state'],
                    },
                })

    @classmethod
    def copy(cls, incomings, default=None):
        default = default.copy() if default is not None else {}
        for name in ['recall_state', 'recall_request', 'recall_requested_at',
                'recall_answer']:
            default.setdefault(name, None)
        default.setdefault('recall_reminded', False)
        return super().copy(incomings, default=default)

    @classmethod
    def request_recall(cls, incomings, reason):
        """The sender recalls the documents (13): the agency answers

        Called by the sender's side (a local recall, a received status 13,
        a revocation, a replacement), never by a user's click."""
        incomings = [i for i in cls.browse(incomings)
            if i.state not in CLOSED_STATES and i.recall_state != 'requested']
        if not incomings:
            return
        with without_check_access():
            cls.write(incomings, {
                    'recall_state': 'requested',
                    'recall_request': reason,
                    'recall_requested_at': dt.datetime.now(),
                    'recall_answer': None,
                    'recall_reminded': False,
                    })
            cls.add_event(incomings, '13', reason, step='recall')
        outgoing_notification.tell_recalled(incomings, reason)

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_incoming_recall_answer')
    def answer_recall(cls, incomings):
        pass

    @classmethod
    def check_recall_answerer(cls, incomings):
        "A clerk or a leader of the agency answers its recall requests"
        if not Transaction().user:
            return
        for incoming in incomings:
            if incoming.recall_state != 'requested':
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_recall_not_requested',
                        document=incoming.rec_name))
            if not has_agency_role(incoming.company,
                    'group_mvp_clerk', 'group_mvp_leader'):
                raise IncomingError(gettext(
                        'mvp_documents.msg_incoming_recall_not_answerer',
                        document=incoming.rec_name))

    @classmethod
    def agree_recall(cls, incomings, answer=None):
        "Agree to the recall (15): the document and its assignments end"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        cls.check_recall_answerer(incomings)
        with Transaction().set_user(0):
            Assignment.withdraw([a for i in incomings
                    for a in i.all_assignments
                    if a.state in {'draft', 'assigned', 'in_progress'}])
        with without_check_access():
            cls.write(list(incomings), {
                    'recall_state': 'agreed',
                    'recall_answer': answer or None,
                    })
            cls._cancel_recalled(
                incomings, answer or incomings[0].recall_request)

    @classmethod
    def refuse_recall(cls, incomings, answer):
        "Refuse the recall (16) for a reason: the document stays"
        cls.check_recall_answerer(incomings)
        if not (answer or '').strip():
            raise IncomingError(gettext(
                    'mvp_documents.msg_incoming_recall_refuse_reason'))
        with without_check_access():
            cls.write(list(incomings), {
                    'recall_state': 'refused',
                    'recall_answer': answer,
                    })
            cls.add_event(incomings, '16', answer, step='recall')

    @classmethod
    def remind_recall_requests(cls):
        """Remind the clerks of recall requests waiting for 2 working days

        Run every morning by ir.cron; each request is reminded once."""
        today = dt.date.today()
        with without_check_access():
            waiting = cls.search([
                    ('recall_state', '=', 'requested'),
                    ('recall_reminded', '=', False),
                    ])
            due = [i for i in waiting if add_working_days(
                    i.company, i.recall_requested_at.date(),
                    REMINDER_WORKING_DAYS) <= today]
            outgoing_notification.tell_clerks(due, 'recall_waiting',
                lambda incoming: {
                    'date': incoming.recall_requested_at.strftime(
                        '%d/%m/%Y')})
            if due:
                cls.write(due, {'recall_reminded': True})
        return due


class IncomingRecallAnswerStart(ModelView):
    "Answer the Recall"
    __name__ = 'mvp.incoming.recall.answer.start'
    __string__ = "Answer the Recall"
    request = fields.Text("Recall Request", readonly=True)
    answer = fields.Text("Answer",
        help="Required to refuse: why the document stays.")


class IncomingRecallAnswer(Wizard):
    "Answer the Recall"
    __name__ = 'mvp.incoming.recall.answer'
    __string__ = "Answer the Recall"
    start = StateView(
        'mvp.incoming.recall.answer.start',
        'mvp_documents.incoming_recall_answer_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Refuse", 'refuse', 'tryton-cancel'),
            Button("Agree", 'agree', 'tryton-ok', default=True),
            ])
    agree = StateTransition()
    refuse = StateTransition()

    def default_start(self, fields):
        return {'request': '\n'.join(
                r.recall_request or '' for r in self.records)}

    def _documents(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        records = readable(Incoming, self.records)
        Incoming.check_recall_answerer(records)
        return records

    def transition_agree(self):
        self.model.agree_recall(self._documents(), self.start.answer)
        return 'end'

    def transition_refuse(self):
        self.model.refuse_recall(self._documents(), self.start.answer)
        return 'end'
