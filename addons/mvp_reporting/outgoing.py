# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Outgoing documents as a source of the agency statistics

- released: released in the period (release date), whatever happened
  after (recalled, replaced), classified documents excluded; split by
  release mode (electronic only, paper only, both);
- signed: released electronically (alone or with paper) with a digitally
  signed PDF among its files (K1).
"""
from sql import Cast, Literal, Null
from sql.operators import Concat

from trytond.model import fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta

from .statistics import count, count_column, period, selected_agencies


def _integer(string, help=None):
    return fields.Integer(string, readonly=True, help=help or '')


def outgoing_query(columns, group_by=None):
    "Return a select of columns(outgoing, signed) on the released documents"
    pool = Pool()
    Outgoing = pool.get('mvp.outgoing')
    File = pool.get('mvp.document.file')
    outgoing = Outgoing.__table__()
    file = File.__table__()
    start, end, _ = period()
    signed = Concat('mvp.outgoing,', Cast(outgoing.id, 'VARCHAR')).in_(
        file.select(file.resource, where=file.kind == 'signed'))
    signed &= outgoing.release_mode.in_(['electronic', 'both'])
    where = ((outgoing.release_date >= start) & (outgoing.release_date < end)
        & (outgoing.state != 'cancelled')
        & ((outgoing.confidentiality == Null)
            | (outgoing.confidentiality == 'normal')))
    ids = selected_agencies()
    if ids is not None:
        where &= SQL_OPERATORS['in'](outgoing.company, list(ids))
    return outgoing.select(
        *columns(outgoing, signed), where=where,
        group_by=group_by(outgoing) if group_by else None)


class AgencyStatistics(metaclass=PoolMeta):
    __name__ = 'mvp.statistics.agency'

    outgoing_released = _integer(
        "Outgoing Released",
        help="Outgoing documents released in the period.")
    outgoing_electronic = _integer(
        "Released Electronically Only")
    outgoing_paper = _integer("Released on Paper Only")
    outgoing_both = _integer("Released Electronically and on Paper")
    outgoing_signed = _integer(
        "Sent Electronically and Signed",
        help="Released electronically with a digitally signed PDF.")
    outgoing_signed_rate = fields.Function(fields.Numeric(
            "Signed (%)", digits=(16, 1),
            help="Share of the released documents sent electronically "
            "with a digital signature."),
        'get_indicators')
    outgoing_electronic_rate = fields.Function(fields.Numeric(
            "Electronic Only (%)", digits=(16, 1),
            help="Share of the released documents sent only "
            "electronically, without paper copy."),
        'get_indicators')

    @classmethod
    def _agency_sources(cls):
        names = ['outgoing_released', 'outgoing_electronic',
            'outgoing_paper', 'outgoing_both', 'outgoing_signed']
        query = outgoing_query(
            lambda o, signed: [
                o.company.as_('company'),
                count(Literal(True)).as_('outgoing_released'),
                count(o.release_mode == 'electronic').as_(
                    'outgoing_electronic'),
                count(o.release_mode == 'paper').as_('outgoing_paper'),
                count(o.release_mode == 'both').as_('outgoing_both'),
                count(signed).as_('outgoing_signed'),
                ],
            group_by=lambda o: [o.company])
        return super()._agency_sources() + [(query, names)]


class MonthStatistics(metaclass=PoolMeta):
    __name__ = 'mvp.statistics.month'

    outgoing_released = _integer("Outgoing Released")
    outgoing_electronic = _integer("Released Electronically Only")
    outgoing_both = _integer("Released Electronically and on Paper")
    outgoing_signed = _integer("Sent Electronically and Signed")
    outgoing_signed_rate = fields.Function(fields.Numeric(
            "Signed (%)", digits=(16, 1)), 'get_indicators')

    @classmethod
    def _month_sources(cls):
        from sql.functions import Extract
        query = outgoing_query(lambda o, signed: [
                Extract('YEAR', o.release_date).as_('year'),
                Extract('MONTH', o.release_date).as_('month'),
                Literal(1).as_('outgoing_released'),
                count_column(o.release_mode == 'electronic').as_(
                    'outgoing_electronic'),
                count_column(o.release_mode == 'both').as_('outgoing_both'),
                count_column(signed).as_('outgoing_signed'),
                ])
        return super()._month_sources() + [(query, [
                    'outgoing_released', 'outgoing_electronic',
                    'outgoing_both', 'outgoing_signed'])]
