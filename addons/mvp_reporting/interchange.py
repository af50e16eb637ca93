# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Exchange (edXML) packages as a source of the agency statistics (K9)

Counted on the interchange log, packages only (not statuses), by the date
the message was logged: sent (delivered to the hub or peer), failed (given
up: dead letter), received, and received but rejected.
"""

from sql import Null

from trytond.model import fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta

from .statistics import count, period, selected_agencies


def _integer(string, help=None):
    return fields.Integer(string, readonly=True, help=help or '')


class AgencyStatistics(metaclass=PoolMeta):
    __name__ = 'mvp.statistics.agency'

    exchange_sent = _integer(
        "Packages Sent",
        help="edXML packages delivered to the exchange in the period.")
    exchange_failed = _integer(
        "Packages Failed",
        help="edXML packages given up after the retries (dead letters).")
    exchange_received = _integer(
        "Packages Received",
        help="edXML packages received from the exchange in the period.")
    exchange_rejected = _integer(
        "Packages Rejected",
        help="edXML packages received but rejected as invalid.")

    @classmethod
    def _agency_sources(cls):
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        message = Message.__table__()
        start, end, _ = period()
        package = message.kind == 'package'
        out = package & (message.direction == 'out')
        in_ = package & (message.direction == 'in')
        where = ((message.agency != Null)
            & (message.create_date >= start) & (message.create_date < end))
        ids = selected_agencies()
        if ids is not None:
            where &= SQL_OPERATORS['in'](message.agency, list(ids))
        query = message.select(
            message.agency.as_('company'),
            count(out & (message.state == 'sent')).as_('exchange_sent'),
            count(out & (message.state == 'dead')).as_('exchange_failed'),
            count(in_ & message.state.in_(
                    ['received', 'accepted', 'rejected'])).as_(
                'exchange_received'),
            count(in_ & (message.state == 'rejected')).as_(
                'exchange_rejected'),
            where=where,
            group_by=[message.agency])
        return super()._agency_sources() + [(query, [
                    'exchange_sent', 'exchange_failed', 'exchange_received',
                    'exchange_rejected'])]

    @classmethod
    def _report_fields(cls):
        return super()._report_fields() + [
            'exchange_sent', 'exchange_failed', 'exchange_received',
            'exchange_rejected']
