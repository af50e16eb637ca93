# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Rules the server enforces on a user's own create, write and delete.

The web client's ``readonly`` and ``states`` are hints only: a JSON-RPC
call may write any field its model access allows.  trytond passes
``external=True`` to ``check_modification`` for a user's own call and
``external=False`` for the server's buttons and transitions (they run
under ``without_check_access``), which is what these checks rely on.

Every refusal is logged (user, model, ids, fields tried) before the
error is raised, so that attempts leave a trace although the
transaction is rolled back.
"""
import functools
import logging

from trytond.i18n import gettext
from trytond.model import ModelSQL
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction, check_access

__all__ = ['refuse', 'log_refusal', 'ServerFieldsMixin', 'install']

logger = logging.getLogger('mvp.security')


def log_refusal(model, ids=(), fields=(), reason=''):
    "Record a refused attempt in the server log"
    transaction = Transaction()
    # the agency the user works in, not the one the client claims
    company = Pool().get('res.user').get_working_company()
    logger.warning(
        "refused: user=%s company=%s model=%s ids=%s fields=%s: %s",
        transaction.user, company.id if company else None, model,
        sorted(ids)[:20], sorted(fields), reason)


def readable(Model, records):
    """Return records browsed again once the user read each with their
    own rights: a wizard's execute and a button run without access
    checks, so they re-read what they act on (refused as a read is)"""
    with check_access():
        return Model.browse([r['id'] for r in Model.read(
                    [r.id for r in records], ['id'])])


def refuse(message_id, records=(), fields=(), model=None,
        error=AccessError, **variables):
    """Log a refused attempt on records and raise error with the
    translated message_id (formatted with variables)"""
    records = list(records)
    if model is None:
        model = records[0].__name__ if records else ''
    log_refusal(model, [r.id for r in records if r.id is not None],
        fields, message_id)
    raise error(gettext(message_id, **variables))


def _plain(value):
    """Return value as it compares with a default: records become ids,
    and empty values (None, '', False, no records) are all None"""
    if hasattr(value, 'id'):
        return value.id
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value) or None
    # SQLite reads a Boolean False back as 0
    if value is False or value == '' or (type(value) is int and not value):
        return None
    return value


class ServerFieldsMixin:
    """Fields that only the server's own transitions and buttons write

    ``_server_fields``: a user's own ``write`` may not touch them, and a
    user's own ``create`` must leave them at their default (``state``,
    numbers, approvals, locks, who-did-it fields).
    ``_fixed_fields``: given at creation, never changed afterwards by a
    user's own ``write`` (an assignment's role, a file's document).
    ``_computed_fields``: written by the server while it creates (the
    folded search text, a file's hash): refused in a user's ``write``
    only.
    """
    __slots__ = ()
    _server_fields = frozenset()
    _fixed_fields = frozenset()
    _computed_fields = frozenset()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not external or Transaction().user == 0:
            return
        if mode == 'write':
            tried = (cls._server_fields | cls._fixed_fields
                | cls._computed_fields) & set(values or {})
        elif mode == 'create':
            tried = cls._server_fields_set(records)
        else:
            return
        if tried:
            refuse('mvp_documents.msg_field_server_only', records,
                fields=tried, model=cls.__name__,
                field_names=cls._field_labels(tried),
                model_name=cls.__names__()['model'])

    @classmethod
    def _server_fields_set(cls, records):
        "Return the server fields that differ from their default"
        tried = set()
        for name in cls._server_fields:
            getter = getattr(cls, 'default_%s' % name, None)
            default = _plain(getter()) if getter else None
            if any(_plain(getattr(r, name, None)) != default
                    for r in records):
                tried.add(name)
        return tried

    @classmethod
    def _field_labels(cls, names):
        "Return the labels of the fields in the user's language"
        definitions = cls.fields_get(sorted(names))
        return ', '.join(
            '"%s"' % definitions[n]['string'] for n in sorted(names))

def users_call(cls=None, button=None):
    """Whether the running call is a user's own (JSON-RPC, with access
    checks); a button's body always runs without them.  With cls and
    button: only when the user's groups may click it, so that the
    button's own refusal (AccessButtonError) comes first."""
    pool = Pool()
    transaction = Transaction()
    if not (transaction.user and transaction.check_access):
        return False
    if button:
        Button = pool.get('ir.model.button')
        User = pool.get('res.user')
        groups = Button.get_groups(cls.__name__, button)
        if groups and not groups & set(User.get_groups()):
            return False
    return True


def checked(check):
    """Decorator, put above @ModelView.button: on a user's own call, run
    the classmethod named check on the records before the button (which
    then runs without access checks)"""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            if users_call(cls, func.__name__):
                getattr(cls, check)(records)
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator


def refuse_unless_state(records, states, values, allowed=()):
    """Refuse a user's write of other fields than allowed on the records
    that are not in one of states (the web client's readonly states)"""
    tried = set(values or {}) - set(allowed)
    if not tried:
        return
    for record in records:
        if record.state not in states:
            refuse('mvp_documents.msg_readonly_in_state', [record],
                fields=tried, record=record.rec_name)


def _logging_refusals(check_domain_rule):
    def wrapper(cls, ids, mode):
        try:
            return check_domain_rule(cls, ids, mode)
        except AccessError:
            log_refusal(cls.__name__, ids, (), 'record rule: %s' % mode)
            raise
    wrapper.logs_refusals = True
    return wrapper


def install():
    """Log the record rules' refusals too (read, write, delete or create
    of records outside the user's rules).

    trytond 8.0.11 raises them from the private
    ``ModelSQL.__check_domain_rule``, which has no hook, and logs the
    error at INFO without the ids."""
    check = ModelSQL._ModelSQL__check_domain_rule
    if not getattr(check, 'logs_refusals', False):
        ModelSQL._ModelSQL__check_domain_rule = classmethod(
            _logging_refusals(check.__func__))
