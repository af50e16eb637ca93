# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.cache import Cache
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import (
    Transaction, check_access, without_check_access)

from .employee import user_employees
from .file import reference_model_id
from .protection import log_refusal


class ModelAccess(metaclass=PoolMeta):
    __name__ = 'ir.model.access'

    @classmethod
    def check(cls, model_name, mode='read', raise_exception=True):
        # A refusal of the model access (e.g. an account's groups
        # written by someone else than the provincial administrator)
        # leaves a trace like the refusals of protection.refuse.
        try:
            return super().check(
                model_name, mode=mode, raise_exception=raise_exception)
        except AccessError:
            log_refusal(model_name, (), (), 'model access: %s' % mode)
            raise


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'
    # The duration bounds how long an official who left (end date)
    # keeps the rights of their post
    _agency_contexts = Cache(
        'ir.rule.agency_context', context=False,
        duration=datetime.timedelta(hours=1))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            # the agency the user works in: res.user.company as stored,
            # never the request's context (get_working_company)
            '\n- "company" the id of the current agency'
            '\n- "employees" the user\'s officials in it'
            '\n- "departments" their departments'
            '\n- "head_departments" the departments they head')

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        context.update(cls._agency_context())
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        context = cls._agency_context()
        return (*key, context['company'], tuple(context['companies']),
            tuple(context['employees']),
            tuple(context['departments']),
            tuple(context['head_departments']))

    @classmethod
    def _agency_context(cls):
        # Every checked request needs it: computed once per user, cleared
        # when users, officials or departments change.  Not keyed on the
        # context's company: the client sends that one and it must not
        # choose the agency of the rules (res.user.get_working_company).
        key = Transaction().user
        context = cls._agency_contexts.get(key)
        if context is None:
            context = cls._agency_contexts.set(
                key, cls._compute_agency_context())
        # copies: a caller changing a list must not change the cache
        return {k: list(v) if isinstance(v, (tuple, list)) else v
            for k, v in context.items()}

    @classmethod
    def _compute_agency_context(cls):
        pool = Pool()
        User = pool.get('res.user')
        Department = pool.get('mvp.department')
        with without_check_access():
            user = User(Transaction().user)
            company = User.get_working_company(user.id)
            employees = user_employees(company, user)
            heads = Department.search([
                    ('head', 'in', [e.id for e in employees]),
                    ]) if employees else []
            return {
                'company': company.id if company else None,
                # the same agencies as res.user.get_companies: the
                # working one alone, but for the provincial administrator
                # (company filter "all"), who holds no agency role
                'companies': User._agencies_in_scope(user.id),
                'employees': sorted(e.id for e in employees),
                'departments': sorted({e.department.id for e in employees
                        if e.department}),
                'head_departments': sorted(d.id for d in heads),
                }

    @classmethod
    def clear_agency_context(cls):
        cls._agency_contexts.clear()


class ChatChannel(metaclass=PoolMeta):
    __name__ = 'ir.chat.channel'

    @classmethod
    def check_access(cls, resource):
        # The core checks the access to the model only: a discussion is
        # as confidential as its document, so apply the record rules too.
        super().check_access(resource)
        model, id_ = reference_model_id(str(resource))
        with check_access():
            Pool().get(model).read([id_], ['id'])


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('mvp.assignment|check_deadlines',
                    "Mark Work Due Soon and Overdue"),
                ('mvp.assignment|send_digests',
                    "Send the Morning Digest to Leaders"),
                ('mvp.incoming|remind_recall_requests',
                    "Remind the Clerks of Unanswered Recalls"),
                ])


class Note(metaclass=PoolMeta):
    __name__ = 'ir.note'

    def get_rec_name(self, name):
        # A note filed in a dossier is found and shown by its first line
        lines = (self.message or '').strip().splitlines()
        return lines[0][:100] if lines else str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('message', *clause[1:])]
