# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Exports and prints go to the audit trail (QCVN 12:2026/BCA level 3;
issue 17 item 4): the client's "Export data" of documents and dossiers,
and every report the offices print (registers, slips, drafts, follow-up,
statistics, schedules, hand-over records).  The access history says which
document was printed; this says that an export or print was made."""
from trytond.pool import PoolMeta
from trytond.transaction import Transaction

from .audit import read_write_rpc, record


def _record(name, count):
    if Transaction().user:
        record('export', details='%s: %s' % (name, count))


class ExportAuditMixin:
    "A model whose records a user exports through the client"
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        read_write_rpc(cls.__rpc__, ['export_data', 'export_data_domain'])

    # export_data_domain (the client's export of a search) calls it too
    @classmethod
    def export_data(cls, records, fields_names, header=False):
        result = super().export_data(records, fields_names, header=header)
        _record(cls.__name__, len(records))
        return result


class PrintAuditMixin:
    "A report whose printing is audited"
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        read_write_rpc(cls.__rpc__, ['execute'])

    @classmethod
    def execute(cls, ids, data):
        result = super().execute(ids, data)
        _record(cls.__name__, len(ids or []))
        return result


class IncomingExport(ExportAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.incoming'


class OutgoingExport(ExportAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.outgoing'


class DossierExport(ExportAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.dossier'


class IncomingSlipPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.incoming.slip'


class IncomingRegisterPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.incoming.register.pdf'


class IncomingFollowupPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.incoming.followup.pdf'


class OutgoingDraftPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.outgoing.draft'


class OutgoingRegisterPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.outgoing.register'


class StatisticsXlsxPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.statistics.agency.xlsx'


class StatisticsPdfPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.statistics.agency.pdf'


class HandoverPrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.dossier.handover.report'


class WorkSchedulePrint(PrintAuditMixin, metaclass=PoolMeta):
    __name__ = 'mvp.work.schedule.report'
