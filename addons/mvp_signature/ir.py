# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.transaction import Transaction


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'
    # Personal keys are visible to their owner only: rules may use
    # "user_id", the id of the current user.

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += '\n- "user_id" as the id of the current user'

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        if {'mvp.signature.personal_key', 'mvp.signature.request'} & set(
                model_names):
            key = (*key, Transaction().user)
        return key

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        context['user_id'] = Transaction().user
        return context
