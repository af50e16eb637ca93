# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Incoming documents as a source of the agency statistics

Definitions (classified documents are always excluded, A.3):

- received: arrived in the period (arrival date), neither draft nor
  cancelled (recalled by the sender); split by channel, the electronic
  exchange including the delivery between agencies of this installation;
- registered: given their arrival number in the period;
- processed: completed in the period (status 06 "completed" event);
  on time when completed on or before the deadline day, late after it;
  processed documents without deadline are neither;
- pending: arrived before the end of the period and not completed,
  returned or cancelled at its end; overdue: pending with a deadline before
  the end of the period (or today when the period is not over).
"""
import datetime
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Max
from sql.functions import Extract, ToChar

from trytond.model import fields
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.mvp_documents.calendar import count_working_days
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import indicator
from .statistics import count, count_column, period, selected_agencies

ELECTRONIC_CHANNELS = ['exchange', 'internal']


def _integer(string, help=None):
    return fields.Integer(string, readonly=True, help=help or '')


def incoming_tables():
    """Return (incoming, done, from_) where done gives each incoming's
    completion date and from_ joins both
    """
    pool = Pool()
    Incoming = pool.get('mvp.incoming')
    Event = pool.get('mvp.incoming.event')
    incoming = Incoming.__table__()
    event = Event.__table__()
    done = event.select(
        event.incoming.as_('incoming'), Max(event.date).as_('date'),
        where=event.code == '06',
        group_by=[event.incoming])
    from_ = incoming.join(
        done, 'LEFT', condition=done.incoming == incoming.id)
    return incoming, done, from_


def incoming_where(incoming):
    "Return the condition on the documents counted: not classified"
    where = ((incoming.confidentiality == Null)
        | (incoming.confidentiality == 'normal'))
    ids = selected_agencies()
    if ids is not None:
        where &= SQL_OPERATORS['in'](incoming.company, list(ids))
    return where


def on_time(incoming, done):
    "Return the condition: completed on or before the deadline day"
    return (incoming.deadline != Null) & (
        ToChar(done.date, 'YYYY-MM-DD')
        <= ToChar(incoming.deadline, 'YYYY-MM-DD'))


def late(incoming, done):
    return (incoming.deadline != Null) & (
        ToChar(done.date, 'YYYY-MM-DD')
        > ToChar(incoming.deadline, 'YYYY-MM-DD'))


class AgencyStatistics(metaclass=PoolMeta):
    __name__ = 'mvp.statistics.agency'

    incoming_received = _integer(
        "Incoming Received",
        help="Incoming documents that arrived in the period.")
    incoming_paper = _integer("Received on Paper")
    incoming_exchange = _integer(
        "Received Electronically",
        help="Received through the electronic exchange, from another "
        "agency of the province or through the national axis.")
    incoming_email = _integer("Received by E-mail")
    incoming_other = _integer("Received Otherwise")
    incoming_registered = _integer(
        "Incoming Registered",
        help="Incoming documents given their arrival number in the period.")
    incoming_processed = _integer(
        "Incoming Processed",
        help="Incoming documents completed in the period.")
    incoming_on_time = _integer(
        "Processed on Time",
        help="Completed on or before their deadline.")
    incoming_late = _integer(
        "Processed Late", help="Completed after their deadline.")
    incoming_pending = _integer(
        "Pending", help="Not completed at the end of the period.")
    incoming_overdue = _integer(
        "Overdue",
        help="Pending at the end of the period with their deadline past.")
    processing_days = fields.Function(fields.Numeric(
            "Average Processing Time (working days)", digits=(16, 1),
            help="Average number of working days from arrival to "
            "completion of the documents completed in the period."),
        'get_processing_days')
    on_time_rate = fields.Function(fields.Numeric(
            "Processed on Time (%)", digits=(16, 1),
            help="Share of the documents processed on time among those "
            "processed with a deadline."),
        'get_indicators')
    incoming_electronic_rate = fields.Function(fields.Numeric(
            "Received Electronically (%)", digits=(16, 1)),
        'get_indicators')

    @classmethod
    def _agency_sources(cls):
        incoming, done, from_ = incoming_tables()
        start, end, report_date = period()
        arrived = (
            (incoming.arrival_date >= start) & (incoming.arrival_date < end)
            & ~incoming.state.in_(['draft', 'cancelled']))
        registered = (
            (incoming.registered_date >= start)
            & (incoming.registered_date < end))
        processed = (done.date >= start) & (done.date < end)
        pending = ((incoming.arrival_date < end)
            & ~incoming.state.in_(['draft', 'returned', 'cancelled'])
            & ((done.date == Null) | (done.date >= end)))
        query = from_.select(
            incoming.company.as_('company'),
            count(arrived).as_('incoming_received'),
            count(arrived & (incoming.channel == 'paper')).as_(
                'incoming_paper'),
            count(arrived & incoming.channel.in_(ELECTRONIC_CHANNELS)).as_(
                'incoming_exchange'),
            count(arrived & (incoming.channel == 'email')).as_(
                'incoming_email'),
            count(arrived & ~incoming.channel.in_(
                    ['paper', 'email'] + ELECTRONIC_CHANNELS)).as_(
                'incoming_other'),
            count(registered).as_('incoming_registered'),
            count(processed).as_('incoming_processed'),
            count(processed & on_time(incoming, done)).as_(
                'incoming_on_time'),
            count(processed & late(incoming, done)).as_('incoming_late'),
            count(pending).as_('incoming_pending'),
            count(pending & (incoming.deadline != Null)
                & (incoming.deadline < report_date)).as_(
                'incoming_overdue'),
            where=incoming_where(incoming),
            group_by=[incoming.company])
        return super()._agency_sources() + [(query, [
                    'incoming_received', 'incoming_paper',
                    'incoming_exchange', 'incoming_email', 'incoming_other',
                    'incoming_registered', 'incoming_processed',
                    'incoming_on_time', 'incoming_late', 'incoming_pending',
                    'incoming_overdue'])]

    @classmethod
    def get_processing_days(cls, records, name):
        pool = Pool()
        Company = pool.get('company.company')
        cursor = Transaction().connection.cursor()
        incoming, done, from_ = incoming_tables()
        start, end, _ = period()
        result = {r.id: None for r in records}
        agencies = [r.id for r in records]
        query = from_.select(
            incoming.company, incoming.arrival_date, done.date,
            where=incoming_where(incoming)
            & SQL_OPERATORS['in'](incoming.company, list(agencies))
            & (done.date >= start) & (done.date < end))
        cursor.execute(*query)
        totals, counts, cache = {}, {}, {}
        for company_id, arrival, completed in cursor:
            arrival, completed = _date(arrival), _date(completed)
            key = (company_id, arrival, completed)
            if key not in cache:
                cache[key] = count_working_days(
                    Company(company_id), arrival, completed)
            totals[company_id] = totals.get(company_id, 0) + cache[key]
            counts[company_id] = counts.get(company_id, 0) + 1
        for company_id, total in totals.items():
            result[company_id] = indicator.average(
                Decimal(total), counts[company_id])
        return result


def _date(value):
    "Return the date of a datetime read from the database"
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _month_columns(date):
    return (Extract('YEAR', date).as_('year'),
        Extract('MONTH', date).as_('month'))


class MonthStatistics(metaclass=PoolMeta):
    __name__ = 'mvp.statistics.month'

    incoming_received = _integer("Incoming Received")
    incoming_exchange = _integer("Received Electronically")
    incoming_processed = _integer("Incoming Processed")
    incoming_on_time = _integer("Processed on Time")
    incoming_late = _integer("Processed Late")
    on_time_rate = fields.Function(fields.Numeric(
            "Processed on Time (%)", digits=(16, 1)), 'get_indicators')
    incoming_electronic_rate = fields.Function(fields.Numeric(
            "Received Electronically (%)", digits=(16, 1)),
        'get_indicators')

    @classmethod
    def _month_sources(cls):
        incoming, done, from_ = incoming_tables()
        start, end, _ = period()
        where = incoming_where(incoming)
        arrived = from_.select(
            *_month_columns(incoming.arrival_date),
            Literal(1).as_('incoming_received'),
            count_column(incoming.channel.in_(ELECTRONIC_CHANNELS)).as_(
                'incoming_exchange'),
            where=where
            & (incoming.arrival_date >= start) & (incoming.arrival_date < end)
            & ~incoming.state.in_(['draft', 'cancelled']))
        incoming, done, from_ = incoming_tables()
        processed = from_.select(
            *_month_columns(done.date),
            Literal(1).as_('incoming_processed'),
            count_column(on_time(incoming, done)).as_('incoming_on_time'),
            count_column(late(incoming, done)).as_('incoming_late'),
            where=incoming_where(incoming)
            & (done.date >= start) & (done.date < end))
        return super()._month_sources() + [
            (arrived, ['incoming_received', 'incoming_exchange']),
            (processed, [
                    'incoming_processed', 'incoming_on_time',
                    'incoming_late']),
            ]
