# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class Incoming(metaclass=PoolMeta):
    __name__ = 'mvp.incoming'

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() | {'mvp.interchange.message'}

    @classmethod
    def purge_copies(cls, incomings):
        "The edXML packages the documents were received in too"
        Message = Pool().get('mvp.interchange.message')
        lines = super().purge_copies(incomings)
        with without_check_access():
            lines += Message.purge_data([i.origin for i in incomings
                    if isinstance(i.origin, Message)])
        return lines
