# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Working days of an agency (deadlines count working days).

A day is a working day unless it is a weekend or a Vietnamese public
holiday (the ``holidays`` package, lunar Tết included, with the
Government's swapped days), and the agency may declare extra days off
or make-up working days in ``mvp.calendar.day``; those win.
"""
import datetime
import functools

import holidays

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

__all__ = [
    'CalendarDay', 'is_working_day', 'add_working_days',
    'count_working_days']

# How many calendar days to fetch at once from mvp.calendar.day
_WINDOW = 62


@functools.lru_cache(maxsize=64)
def _national(year):
    return holidays.country_holidays('VN', years=[year])


def _is_national_working_day(date):
    return _national(date.year).is_working_day(date)


def _company_id(company):
    if company is None:
        return None
    return int(company)


def _agency_days(company, start, end):
    "Return {date: kind} of the agency's own days between start and end"
    if company is None:
        return {}
    CalendarDay = Pool().get('mvp.calendar.day')
    with without_check_access():
        days = CalendarDay.search([
                ('company', '=', company),
                ('date', '>=', start),
                ('date', '<=', end),
                ])
    return {d.date: d.kind for d in days}


def _to_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def is_working_day(company, date):
    "Tell whether date is a working day in company (an id or record)"
    date = _to_date(date)
    kind = _agency_days(_company_id(company), date, date).get(date)
    if kind:
        return kind == 'working'
    return _is_national_working_day(date)


def _working_days(company, start, forward=True):
    "Yield the working days after start (excluded), going forward or back"
    company = _company_id(company)
    step = datetime.timedelta(days=1 if forward else -1)
    day = start
    while True:
        if forward:
            window = (day + step, day + _WINDOW * step)
        else:
            window = (day + _WINDOW * step, day + step)
        agency = _agency_days(company, *window)
        for _ in range(_WINDOW):
            day += step
            kind = agency.get(day)
            if kind == 'working' or (
                    kind is None and _is_national_working_day(day)):
                yield day


def add_working_days(company, start_date, days):
    """Return the date that is days working days after start_date

    A negative number counts backwards; zero returns start_date.
    """
    start_date = _to_date(start_date)
    if not days:
        return start_date
    for n, day in enumerate(
            _working_days(company, start_date, forward=days > 0), 1):
        if n == abs(days):
            return day


def count_working_days(company, start_date, end_date):
    "Return the number of working days after start_date up to end_date"
    start_date, end_date = _to_date(start_date), _to_date(end_date)
    if end_date <= start_date:
        return 0
    count = 0
    for day in _working_days(company, start_date):
        if day > end_date:
            return count
        count += 1


class CalendarDay(ModelSQL, ModelView):
    "Agency Calendar Day"
    __name__ = 'mvp.calendar.day'
    __string__ = "Agency Calendar Day"
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('off', "Day Off"),
            ('working', "Working Day"),
            ], "Kind", required=True,
        help="A day off on a weekday, or a make-up working day "
        "on a weekend.")
    name = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_date_unique', Unique(t, t.company, t.date),
                'mvp_documents.msg_calendar_day_unique'),
            ]
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'off'
