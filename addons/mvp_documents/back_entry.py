# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Steps recorded after an outage (Article 3.2 of the regulation).

While the system is down, the office goes on on paper.  Afterwards the
clerk, the officer or the leader records each step with the time it
really happened (``occurred_at`` on the form, typed before the button).
The step then keeps both times: the real one, which deadlines, on-time
figures and reports use, and the time of the entry; it shows as
recorded late.

The real time travels in a private context key: trytond drops the keys
starting with ``_`` from a client's context, so only a button that has
checked the value sets it.
"""
import datetime
from contextlib import contextmanager

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import BackEntryError

__all__ = ['BackEntryMixin', 'RecordedLateMixin', 'occurred', 'real_time',
    'step_time', 'back_entered', 'check_real_time']

CONTEXT_KEY = '_mvp_occurred_at'
# the clocks of a client and the server may differ by this much
CLOCK_SKEW = datetime.timedelta(minutes=2)


def step_time():
    "Return when the running step happened: the real time or now"
    return (Transaction().context.get(CONTEXT_KEY)
        or datetime.datetime.now().replace(microsecond=0))


def back_entered():
    "Tell whether the running step is recorded after it happened"
    return bool(Transaction().context.get(CONTEXT_KEY))


def check_real_time(at, not_before=None, document=''):
    """Refuse a real time in the future or before not_before (the
    arrival of the document, or the step it follows)"""
    if at > datetime.datetime.now() + CLOCK_SKEW:
        raise BackEntryError(gettext(
                'mvp_documents.msg_back_entry_future',
                document=document, time=_format(at)))
    if not_before and at < not_before:
        raise BackEntryError(gettext(
                'mvp_documents.msg_back_entry_too_early',
                document=document, time=_format(at),
                earliest=_format(not_before)))


def _format(value):
    return value.strftime('%d/%m/%Y %H:%M') + ' UTC'


@contextmanager
def real_time(at):
    "Run the steps within at the checked real time at (None: now)"
    if at is None or Transaction().context.get(CONTEXT_KEY):
        yield
        return
    with Transaction().set_context({CONTEXT_KEY: at}):
        yield


@contextmanager
def occurred(records, not_before=None):
    """Run the step of records at the real time their form gives

    not_before(record) returns the earliest time the step may have
    happened.  The records' occurred_at is cleared once used, so that the
    next step is not back-dated by mistake.  A step nested in another
    (the completion a finished assignment brings) keeps the outer time.
    """
    transaction = Transaction()
    given = {r.occurred_at for r in records}
    if transaction.context.get(CONTEXT_KEY) or given <= {None}:
        yield
        return
    if len(given) > 1:
        raise BackEntryError(gettext(
                'mvp_documents.msg_back_entry_mixed'))
    at = given.pop().replace(microsecond=0)
    for record in records:
        _check_given_by_user(record)
        check_real_time(at, not_before(record) if not_before else None,
            document=record.rec_name)
    with real_time(at):
        yield
    Model = records[0].__class__
    with without_check_access():
        Model.write(list(records), {'occurred_at': None})


def _check_given_by_user(record):
    # The time backdates the step of whoever presses the button: it must
    # be theirs, not a value someone else left on the form
    user = Transaction().user
    author = record.write_uid or record.create_uid
    if user and author and author.id != user:
        raise BackEntryError(gettext(
                'mvp_documents.msg_back_entry_other_user',
                document=record.rec_name, user=author.rec_name))


class BackEntryMixin:
    "The real time of the next step, given after an outage"
    __slots__ = ()
    # the states in which a step may follow
    _back_entry_states = ()
    occurred_at = fields.DateTime(
        "Really Happened At",
        help="After an outage only: when the next step (assignment, "
        "completion, approval, numbering, release) really happened. "
        "The step keeps this time and the time of the entry and shows as "
        "recorded late. Leave empty otherwise.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.occurred_at.states = {
            'invisible': ~Eval('state').in_(list(cls._back_entry_states)),
            }


class RecordedLateMixin:
    "Both times of a step: when it happened and when it was entered"
    __slots__ = ()
    recorded_date = fields.DateTime(
        "Recorded On", readonly=True,
        help="When the step was entered in the system.")
    recorded_late = fields.Boolean(
        "Recorded Late", readonly=True,
        help="Entered after an outage, later than it happened.")

    @classmethod
    def create(cls, vlist):
        # stamped here, whoever creates: the time of the entry itself
        now = datetime.datetime.now().replace(microsecond=0)
        vlist = [{**v, 'recorded_date': now,
                'recorded_late': v.get('recorded_late') or back_entered()}
            for v in vlist]
        return super().create(vlist)
