# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Incoming(metaclass=PoolMeta):
    __name__ = 'mvp.incoming'

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() | {'mvp.interchange.message'}
