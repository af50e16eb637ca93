# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Where the documents tell the access history what happened to them.

- Opening: a user's read (through RPC, access checked) that asks for a
  field only the document's form shows, a One2Many the client loads
  lazily, i.e. for the record on screen only (the way mvp_documents
  records an assignment's first read).  List pages, the inbox's names
  of documents and the server's own reads are not openings: they are
  not logged, and cost one set intersection.
- Download: a user's read of a file's content (the Binary field without
  the client's "size" context that list and form views use).
- Print: the rendering of a report of documents (slip, draft).
- Edit, state change, sending, recall: the ``log`` hook every write of a
  user and every workflow transition already calls (trytond
  ModelStorage.log).
- Signature (mvp_signature) and share (mvp_dossier): in their modules'
  sections below.
"""
from trytond.model import dualmethod, fields
from trytond.pool import PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from . import access_log
from .access_log import FILE_MODEL

# target state of a transition -> action other than "state"
TRANSITION_ACTIONS = {
    'released': 'send',
    'recalled': 'recall',
    }


def users_read():
    "Tell whether the running read is a user's own (RPC, access checked)"
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


class AccessHistoryMixin:
    "A document whose openings and changes are recorded"
    __slots__ = ()
    # Form-only fields whose read means the form is opened
    _access_open_fields = frozenset()

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if (ids and fields_names
                and not cls._access_open_fields.isdisjoint(fields_names)
                and users_read()):
            access_log.record(cls.__name__, ids, 'open')
        return result

    @dualmethod
    def log(cls, records, event, target=None, user=None, **extra):
        action = details = None
        if event == 'write':
            # Called for a user's write only (or a "_log" context)
            action, details = 'edit', target
        elif event == 'transition':
            state = (target or '').partition(':')[2]
            action = TRANSITION_ACTIONS.get(state, 'state')
            details = state
        if action and records:
            for sub_records in grouped_slice(records):
                access_log.record(cls.__name__,
                    [r.id for r in sub_records], action, details=details)
        return super().log(
            records, event, target=target, user=user, **extra)

    @classmethod
    def get_access_count(cls, records, name):
        return access_log.count_by_document(records)


class Incoming(AccessHistoryMixin, metaclass=PoolMeta):
    __name__ = 'mvp.incoming'
    _access_open_fields = frozenset({'assignments', 'events'})
    access_logs = fields.One2Many(
        'mvp.access.log', 'document', "Access History", readonly=True)
    access_count = fields.Function(
        fields.Integer("Accesses"), 'get_access_count')


class Outgoing(AccessHistoryMixin, metaclass=PoolMeta):
    __name__ = 'mvp.outgoing'
    _access_open_fields = frozenset({'recipients', 'comments', 'approvals'})
    access_logs = fields.One2Many(
        'mvp.access.log', 'document', "Access History", readonly=True)
    access_count = fields.Function(
        fields.Integer("Accesses"), 'get_access_count')


class DocumentFile(metaclass=PoolMeta):
    __name__ = FILE_MODEL

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if (ids and fields_names and 'data' in fields_names
                and Transaction().context.get(
                    '%s.data' % cls.__name__) != 'size'
                and users_read()):
            access_log.record(cls.__name__, ids, 'download')
        return result


class PrintMixin:
    "A report of documents whose printing is recorded"
    __slots__ = ()

    @classmethod
    def _execute(cls, records, header, data, action):
        result = super()._execute(records, header, data, action)
        if records and Transaction().user:
            access_log.record(records[0].__name__, [r.id for r in records],
                'print', details=cls.__name__)
        return result


class IncomingSlip(PrintMixin, metaclass=PoolMeta):
    __name__ = 'mvp.incoming.slip'


class OutgoingDraft(PrintMixin, metaclass=PoolMeta):
    __name__ = 'mvp.outgoing.draft'


class Dossier(AccessHistoryMixin, metaclass=PoolMeta):
    __name__ = 'mvp.dossier'
    _access_open_fields = frozenset({'lines', 'shares', 'rights_logs'})
    access_logs = fields.One2Many(
        'mvp.access.log', 'document', "Access History", readonly=True)
    access_count = fields.Function(
        fields.Integer("Accesses"), 'get_access_count')


class DossierShare(metaclass=PoolMeta):
    __name__ = 'mvp.dossier.share'

    @classmethod
    def create(cls, vlist):
        shares = super().create(vlist)
        by_dossier = {}
        for share in shares:
            by_dossier.setdefault(share.dossier.id, []).append(
                '%s:%s' % (share.user.login, share.permission))
        for dossier, grants in by_dossier.items():
            access_log.record('mvp.dossier', [dossier], 'share',
                details=', '.join(grants))
        return shares


class DocumentFile_Signature(metaclass=PoolMeta):
    __name__ = FILE_MODEL

    def sign(self, kind, *args, **kwargs):
        new = super().sign(kind, *args, **kwargs)
        access_log.record(FILE_MODEL, [self.id], 'sign', details=kind)
        return new
