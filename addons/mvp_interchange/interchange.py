# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The exchange log: every edXML package or status in or out.

The outbox (outbox.py) delivers what goes out, the inbox (inbox.py)
processes what arrives, statuses.py maps the edXML status codes."""
import datetime as dt

from trytond import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.mvp_documents.document_type import is_classified
from trytond.modules.mvp_documents.integrity import remove_stored
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, refuse)
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import xml_io

SECTION = 'mvp_interchange'
DIRECTIONS = [
    ('in', "Received"),
    ('out', "Sent"),
    ]
KINDS = [
    ('package', "Package"),
    ('status', "Status"),
    ]
STATES = [
    ('queued', "Queued"),
    ('retrying', "Retrying"),
    ('sent', "Sent"),
    ('dead', "Dead Letter"),
    ('received', "Received"),
    ('accepted', "Accepted"),
    ('rejected', "Rejected"),
    ]
BUSINESS_TYPES = [
    (None, ""),
    ('0', "New"),
    ('1', "Revoke"),
    ('2', "Update"),
    ('3', "Replace"),
    ]


class Message(ServerFieldsMixin, ModelSQL, ModelView):
    __name__ = 'mvp.interchange.message'
    __string__ = "Interchange Message"
    # Every edXML package or status in or out: the log, the outbox
    # (queued/retrying/sent/dead) and the inbox (accepted/rejected).
    direction = fields.Selection(DIRECTIONS, "Direction", required=True,
        readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    message_id = fields.Char("Message ID", required=True, readonly=True,
        help="Stable identifier reused on every retry.")
    peer = fields.Many2One('mvp.interchange.peer', "Peer", readonly=True,
        ondelete='RESTRICT')
    agency = fields.Many2One('company.company', "Agency", readonly=True,
        ondelete='RESTRICT',
        help="The agency of this installation concerned.")
    sender_code = fields.Char("Sender Code", readonly=True)
    recipient_code = fields.Char("Recipient Code", readonly=True)
    document_id = fields.Char("Document ID", readonly=True)
    business_type = fields.Selection(BUSINESS_TYPES, "Business Type",
        readonly=True)
    status_code = fields.Char("Status Code", readonly=True)
    notation = fields.Char("Number and Notation", readonly=True)
    promulgation_date = fields.Date("Issue Date", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    data = fields.Binary("edXML", filename='filename', file_id='data_id',
        readonly=True)
    data_id = fields.Char("edXML ID", readonly=True)
    filename = fields.Char("File Name", readonly=True)
    size = fields.Integer("Size", readonly=True)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.Timestamp("Next Attempt", readonly=True)
    done_at = fields.Timestamp("Done at", readonly=True)
    error_code = fields.Char("Error Code", readonly=True)
    last_error = fields.Text("Last Error", readonly=True)
    answer = fields.Text("Answer", readonly=True)
    remote_id = fields.Char("Remote ID", readonly=True)
    duplicates = fields.Integer("Duplicates", readonly=True,
        help="How many times the same message arrived again.")
    delivered_status = fields.Char("Last Status", readonly=True,
        help="Highest status received from the recipient.")
    package = fields.Many2One('mvp.interchange.message', "Package",
        readonly=True, ondelete='SET NULL',
        help="For a status: the package it is about.")
    origin = fields.Reference("Origin", selection='get_origins',
        readonly=True)
    age = fields.Function(fields.TimeDelta("Age"), 'get_age')
    stuck = fields.Function(fields.Boolean("Stuck",
            help="Not delivered after the configured time."),
        'get_stuck', searcher='search_stuck')

    # The log is the server's: no user writes any of it
    _server_fields = frozenset({'direction', 'kind', 'state', 'message_id',
            'peer', 'agency', 'sender_code', 'recipient_code', 'document_id',
            'business_type', 'status_code', 'notation', 'promulgation_date',
            'subject', 'data', 'data_id', 'filename', 'size', 'attempts',
            'next_attempt', 'done_at', 'error_code', 'last_error', 'answer',
            'remote_id', 'duplicates', 'delivered_status', 'package',
            'origin'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('dedupe_unique', Unique(t, t.direction, t.sender_code,
                    t.document_id, t.business_type, t.status_code,
                    t.message_id),
                'mvp_interchange.msg_message_duplicate'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    (t.next_attempt, Index.Range())),
                Index(t, (t.document_id, Index.Equality()),
                    (t.direction, Index.Equality())),
                })
        cls._order.insert(0, ('create_date', 'DESC'))

    @classmethod
    def check_modification(cls, mode, messages, values=None,
            external=False):
        super().check_modification(
            mode, messages, values=values, external=external)
        if external and mode == 'delete' and Transaction().user:
            refuse('mvp_interchange.msg_message_server_only', messages,
                model=cls.__name__)

    @classmethod
    def purge_data(cls, messages):
        """Remove the edXML of packages whose documents' files are
        destroyed (the log of what was exchanged stays); return a line
        for each"""
        messages = [m for m in messages if m.kind == 'package' and m.data_id]
        lines = [gettext('mvp_interchange.msg_message_data_removed',
                file=m.filename or m.message_id, notation=m.notation or '')
            for m in messages]
        remove_stored(messages, 'data')
        cls.write(messages, {'data': None})
        return lines

    @staticmethod
    def default_attempts():
        return 0

    @staticmethod
    def default_duplicates():
        return 0

    @classmethod
    def _get_origins(cls):
        return {'mvp.outgoing.recipient', 'mvp.incoming.event'}

    @classmethod
    def get_origins(cls):
        Model = Pool().get('ir.model')
        models = Model.search([('name', 'in', list(cls._get_origins()))])
        return [(None, '')] + [(m.name, m.string) for m in models]

    def get_age(self, name):
        if self.create_date:
            end = self.done_at or dt.datetime.now()
            return end - self.create_date

    @staticmethod
    def _stuck_limit():
        hours = config.getint(SECTION, 'stuck_hours', default=4)
        return dt.datetime.now() - dt.timedelta(hours=hours)

    def get_stuck(self, name):
        return bool(self.state in {'queued', 'retrying', 'dead'}
            and self.create_date and self.create_date < self._stuck_limit())

    @classmethod
    def search_stuck(cls, name, clause):
        _, operator, value = clause[:3]
        domain = [('state', 'in', ['queued', 'retrying', 'dead']),
            ('create_date', '<', cls._stuck_limit())]
        if (operator == '=') != bool(value):
            domain = ['OR',
                ('state', 'not in', ['queued', 'retrying', 'dead']),
                ('create_date', '>=', cls._stuck_limit())]
        return domain

    def get_rec_name(self, name):
        return ' '.join(filter(None, [self.direction, self.kind,
                    self.notation or self.document_id, self.status_code]))

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR', ('document_id',) + tuple(clause[1:]),
            ('notation',) + tuple(clause[1:]),
            ('message_id',) + tuple(clause[1:])]


def document_of(origin):
    "The outgoing or incoming document an origin (record or str) is of"
    if isinstance(origin, str):
        model, _, id_ = origin.partition(',')
        if not id_.lstrip('-').isdigit():
            return None
        origin = Pool().get(model)(int(id_))
    name = getattr(origin, '__name__', None)
    if name == 'mvp.outgoing.recipient':
        return origin.outgoing
    if name == 'mvp.incoming.event':
        return origin.incoming
    return None


def exchange_forbidden(document):
    "Classified documents and complaints never travel (Art. 5)"
    return bool(is_classified(getattr(document, 'confidentiality', None))
        or getattr(getattr(document, 'document_type', None), 'complaint',
            False))


def organization(company):
    party = company.party
    return xml_io.Organization(
        organ_id=company.identifier_code or '',
        organization_in_charge=(company.parent.rec_name
            if getattr(company, 'parent', None) else party.name),
        organ_name=party.name,
        organ_add=getattr(party.addresses[0], 'full_address', '').replace(
            '\n', ', ') if getattr(party, 'addresses', None) else '',
        email=getattr(party, 'email', '') or '',
        telephone=getattr(party, 'phone', '') or '',
        fax=getattr(party, 'fax', '') or '',
        website=getattr(party, 'website', '') or '')
