# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""On-screen statistics per agency (table_query models, as sale_reporting)

The agency rows come from company.company; every source of figures
(incoming documents, outgoing documents, exchange messages) extends
:class:`AgencyStatistics` and :class:`MonthStatistics` in its own file and
adds its counts through ``_agency_sources`` / ``_month_sources``, so a
source is registered only when its models are installed.
"""
import datetime

from sql import Cast, Literal, Null, Union
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.mvp_documents.protection import refuse
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateReport, StateTransition, StateView, Wizard)

from . import indicator
from .exceptions import StatisticsAccessError, StatisticsError
from .indicator import Column


# Columns of the PDF, which must fit the width of a landscape A4 page
COMPACT = {
    'incoming_received', 'incoming_exchange', 'incoming_processed',
    'incoming_on_time', 'incoming_late', 'on_time_rate', 'incoming_pending',
    'incoming_overdue', 'processing_days', 'outgoing_released',
    'outgoing_signed', 'outgoing_signed_rate', 'electronic_rate',
    }


def visible_agencies():
    """Return the ids of the agencies whose figures the user may see

    None means every agency: root and the provincial administrator.  An
    agency leader (a role that counts in the agency the user currently
    works in) sees that agency and the agencies under it; anybody else
    sees nothing.
    """
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    Company = pool.get('company.company')
    if is_province_admin():
        return None
    groups = set(User.get_groups())
    # the agency the leader works in, not the client's context
    company = User.get_working_company()
    if (company
            and ModelData.get_id('mvp_documents', 'group_mvp_leader')
            in groups):
        with without_check_access():
            return [c.id for c in Company.search([
                        ('parent', 'child_of', [company.id], 'parent'),
                        ])]
    return []


def check_scope(data, model):
    """Refuse statistics the user may not see: a user who is neither a
    leader nor the provincial administrator, or an agency outside the
    user's (the form and the report data come from the client)"""
    visible = visible_agencies()
    agency = data.get('agency')
    if isinstance(agency, dict):  # a record from a form
        agency = agency.get('id')
    if visible == []:
        refuse('mvp_reporting.msg_statistics_not_allowed', model=model,
            error=StatisticsAccessError)
    if agency is not None and visible is not None and (
            not isinstance(agency, int) or agency not in visible):
        refuse('mvp_reporting.msg_statistics_agency_not_allowed',
            model=model, fields=['agency'], error=StatisticsAccessError)


def period():
    """Return (start, end, report_date) of the context

    start and end are datetimes bounding [from_date, to_date] (end
    excluded, the day after to_date); report_date is the day at which
    pending documents are judged overdue: to_date, or today if earlier.
    """
    pool = Pool()
    Date = pool.get('ir.date')
    context = Transaction().context
    today = Date.today()
    from_date = context.get('from_date') or today.replace(month=1, day=1)
    to_date = context.get('to_date') or today
    start = datetime.datetime.combine(from_date, datetime.time())
    end = datetime.datetime.combine(
        to_date + datetime.timedelta(days=1), datetime.time())
    return start, end, min(to_date, today)


def count(condition):
    "Return SUM(CASE WHEN condition THEN 1 ELSE 0 END)"
    return Sum(Case((condition, 1), else_=0))


def count_column(condition):
    "Return CASE WHEN condition THEN 1 ELSE 0 END (summed by a union)"
    return Case((condition, 1), else_=0)


def selected_agencies():
    """Return the ids of the agencies of the context the user may see

    None means every agency.
    """
    pool = Pool()
    Company = pool.get('company.company')
    context = Transaction().context
    ids = visible_agencies()
    domain = []
    if context.get('agency'):
        if context.get('subordinates', True):
            domain.append(
                ('parent', 'child_of', [context['agency']], 'parent'))
        else:
            domain.append(('id', '=', context['agency']))
    if context.get('level'):
        domain.append(('level', '=', context['level']))
    if domain:
        with Transaction().set_context(_check_access=False):
            selected = [c.id for c in Company.search(domain)]
        ids = selected if ids is None else sorted(set(ids) & set(selected))
    return ids


class StatisticsContext(ModelView):
    "Statistics Context"
    __name__ = 'mvp.statistics.context'
    __string__ = "Statistics Context"

    from_date = fields.Date(
        "From Date", required=True,
        domain=[('from_date', '<=', Eval('to_date', None))])
    to_date = fields.Date(
        "To Date", required=True,
        domain=[('to_date', '>=', Eval('from_date', None))])
    agency = fields.Many2One(
        'company.company', "Agency",
        help="Leave empty for every agency you may see.")
    subordinates = fields.Boolean(
        "Include Subordinate Agencies",
        states={'invisible': ~Eval('agency')},
        help="Include the agencies under the chosen agency.")
    level = fields.Many2One('mvp.agency.level', "Level")

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        return context.get('from_date') or Date.today().replace(
            month=1, day=1)

    @classmethod
    def default_to_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        return Transaction().context.get('to_date') or Date.today()

    @classmethod
    def default_agency(cls):
        return Transaction().context.get('agency')

    @classmethod
    def default_subordinates(cls):
        return Transaction().context.get('subordinates', True)

    @classmethod
    def default_level(cls):
        return Transaction().context.get('level')


class AgencyStatistics(ModelSQL, ModelView):
    "Statistics per Agency"
    __name__ = 'mvp.statistics.agency'
    __string__ = "Statistics per Agency"

    agency = fields.Many2One('company.company', "Agency", readonly=True)
    parent = fields.Many2One(
        'company.company', "Parent Agency", readonly=True)
    level = fields.Many2One('mvp.agency.level', "Level", readonly=True)
    electronic_documents = fields.Function(fields.Integer(
            "Electronic Documents",
            help="Incoming documents received through the electronic "
            "exchange and outgoing documents released electronically."),
        'get_indicators')
    total_documents = fields.Function(fields.Integer(
            "Documents",
            help="Incoming documents received and outgoing documents "
            "released, classified documents excluded."),
        'get_indicators')
    electronic_rate = fields.Function(fields.Numeric(
            "Electronic Exchange (%)", digits=(16, 1),
            help="Share of the documents received or released that were "
            "exchanged electronically."),
        'get_indicators')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('agency', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _agency_sources(cls):
        """Return the sources of counts as (subquery, names)

        The subquery has a column ``company`` and one column per name; it
        is joined to the agencies and its NULLs become 0.
        """
        return []

    @classmethod
    def table_query(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company = Company.__table__()
        ids = selected_agencies()
        columns = [
            company.id.as_('id'),
            Literal(0).as_('create_uid'),
            CurrentTimestamp().as_('create_date'),
            Literal(Null).as_('write_uid'),
            Literal(Null).as_('write_date'),
            company.id.as_('agency'),
            company.parent.as_('parent'),
            company.level.as_('level'),
            ]
        from_ = company
        for query, names in cls._agency_sources():
            from_ = from_.join(
                query, 'LEFT', condition=query.company == company.id)
            columns.extend(
                Coalesce(getattr(query, n), 0).as_(n) for n in names)
        if ids is None:
            where = Literal(True)
        else:
            where = SQL_OPERATORS['in'](company.id, list(ids))
        return from_.select(*columns, where=where)

    def figures(self):
        "Return the counts of the row as a dict with ratios"
        values = {n: getattr(self, n, None) or 0
            for n in indicator.COUNTS if n in self._fields
            and not isinstance(self._fields[n], fields.Function)}
        return indicator.complete(values)

    @classmethod
    def get_indicators(cls, records, names):
        result = {n: {} for n in names}
        for record in records:
            figures = record.figures()
            for name in names:
                result[name][record.id] = figures.get(name)
        return result

    @classmethod
    def report_columns(cls, compact=False):
        """Return the columns of the printed table

        compact keeps the main figures only (for a page of PDF).
        """
        names = cls._report_fields()
        if compact:
            names = [n for n in names if n in COMPACT]
        names = ['agency'] + [n for n in names if n in cls._fields]
        columns = []
        for name in names:
            field = cls._fields[name]
            if name == 'agency':
                kind = 'text'
            elif name.endswith('_rate'):
                kind = 'percent'
            elif name.endswith('_days'):
                kind = 'days'
            else:
                kind = 'count'
            columns.append(Column(name, field.string, kind))
        return columns

    @classmethod
    def _report_fields(cls):
        return list(indicator.COUNTS) + [
            'processing_days', 'on_time_rate', 'incoming_electronic_rate',
            'outgoing_signed_rate', 'outgoing_electronic_rate',
            'electronic_rate']

    @classmethod
    def report_rows(cls, compact=False):
        """Return the columns, the rows of the context's agencies and the
        total row

        Each row is a dict of the report columns and its indicators.
        """
        records = cls.search([])
        columns = cls.report_columns(compact=compact)
        rows = []
        for record in records:
            row = record.figures()
            for column in columns:
                if column.name == 'agency':
                    row['agency'] = record.agency.rec_name
                elif column.name not in row:
                    row[column.name] = getattr(record, column.name)
            if 'processing_days' in row:
                row['processing_count'] = row.get('incoming_processed', 0)
            rows.append(row)
        total = indicator.total(rows)
        for column in columns:
            if column.kind == 'count' and column.name not in total:
                total[column.name] = sum(
                    r.get(column.name) or 0 for r in rows)
        return columns, rows, total


class MonthStatistics(ModelSQL, ModelView):
    "Statistics per Month"
    __name__ = 'mvp.statistics.month'
    __string__ = "Statistics per Month"

    year = fields.Integer("Year", readonly=True)
    month = fields.Integer("Month", readonly=True)
    electronic_documents = fields.Function(fields.Integer(
            "Electronic Documents"), 'get_indicators')
    total_documents = fields.Function(fields.Integer(
            "Documents"), 'get_indicators')
    electronic_rate = fields.Function(fields.Numeric(
            "Electronic Exchange (%)", digits=(16, 1)), 'get_indicators')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('year', 'ASC'), ('month', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _month_sources(cls):
        """Return the sources of monthly counts as (query, names)

        The query has columns ``year``, ``month`` and one per name, for the
        agencies of :func:`selected_agencies` in the context period.
        """
        return []

    @classmethod
    def table_query(cls):
        sources = cls._month_sources()
        names = [n for _, ns in sources for n in ns]
        queries = []
        for query, source_names in sources:
            queries.append(query.select(
                    query.year.as_('year'), query.month.as_('month'),
                    *[(getattr(query, n) if n in source_names
                            else Literal(0)).as_(n) for n in names]))
        if not queries:
            # No source installed: an empty table with the same columns
            Company = Pool().get('company.company')
            company = Company.__table__()
            queries.append(company.select(
                    Literal(0).as_('year'), Literal(0).as_('month'),
                    where=Literal(False)))
        union = Union(*queries, all_=True) if len(queries) > 1 else queries[0]
        year = Cast(union.year, 'INTEGER')
        month = Cast(union.month, 'INTEGER')
        return union.select(
            (year * 100 + month).as_('id'),
            Literal(0).as_('create_uid'),
            CurrentTimestamp().as_('create_date'),
            Literal(Null).as_('write_uid'),
            Literal(Null).as_('write_date'),
            year.as_('year'),
            month.as_('month'),
            *[Sum(getattr(union, n)).as_(n) for n in names],
            group_by=[year, month])

    def get_rec_name(self, name):
        return '%02d/%04d' % (self.month, self.year)

    figures = AgencyStatistics.figures
    get_indicators = AgencyStatistics.get_indicators


class StatisticsPrintStart(ModelView):
    "Print Statistics"
    __name__ = 'mvp.statistics.print.start'
    __string__ = "Print Statistics"

    from_date = fields.Date(
        "From Date", required=True,
        domain=[('from_date', '<=', Eval('to_date', None))])
    to_date = fields.Date(
        "To Date", required=True,
        domain=[('to_date', '>=', Eval('from_date', None))])
    agency = fields.Many2One(
        'company.company', "Agency",
        help="Leave empty for every agency you may see.")
    subordinates = fields.Boolean(
        "Include Subordinate Agencies",
        states={'invisible': ~Eval('agency')})
    level = fields.Many2One('mvp.agency.level', "Level")
    format = fields.Selection([
            ('xlsx', "Spreadsheet (.xlsx)"),
            ('pdf', "PDF"),
            ], "Format", required=True)

    default_from_date = StatisticsContext.default_from_date
    default_to_date = StatisticsContext.default_to_date
    default_agency = StatisticsContext.default_agency
    default_subordinates = StatisticsContext.default_subordinates
    default_level = StatisticsContext.default_level

    @classmethod
    def default_format(cls):
        return 'xlsx'


class StatisticsPrint(Wizard):
    "Print Statistics"
    __name__ = 'mvp.statistics.print'
    start = StateView(
        'mvp.statistics.print.start',
        'mvp_reporting.statistics_print_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'choose', 'tryton-print', default=True),
            ])
    choose = StateTransition()
    xlsx = StateReport('mvp.statistics.agency.xlsx')
    pdf = StateReport('mvp.statistics.agency.pdf')

    def transition_choose(self):
        check_scope(self._data(), self.__name__)
        if self.start.format not in {'xlsx', 'pdf'}:
            return 'end'
        return self.start.format

    def _data(self):
        return {
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            'agency': self.start.agency.id if self.start.agency else None,
            'subordinates': self.start.subordinates,
            'level': self.start.level.id if self.start.level else None,
            }

    def do_xlsx(self, action):
        return action, self._data()

    def do_pdf(self, action):
        return action, self._data()


class AgencyStatisticsReport(Report):
    "Statistics per Agency"
    __name__ = 'mvp.statistics.agency.xlsx'
    extension = 'xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        # The data may come straight from a client, not from the wizard
        check_scope(data, cls.__name__)
        title, subtitles, columns, rows, total = cls.table(data)
        total_label = gettext('mvp_reporting.msg_statistics_total')
        if cls.extension == 'pdf':
            from trytond.modules.mvp_documents.fonts import (
                FontError as FontMissing)

            from .pdf import write_pdf
            try:
                content = write_pdf(
                    title, subtitles, columns, rows, total,
                    total_label=total_label)
            except FontMissing as exception:
                raise StatisticsError(gettext(
                        'mvp_reporting.msg_statistics_font_missing',
                        font=str(exception))) from exception
        else:
            from .xlsx import write_xlsx
            content = write_xlsx(
                title, subtitles, columns, rows, total,
                total_label=total_label, sheet_name=title)
        return cls.extension, content

    @classmethod
    def table(cls, data):
        "Return title, subtitles, columns, rows and total for data"
        pool = Pool()
        Statistics = pool.get('mvp.statistics.agency')
        Company = pool.get('company.company')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        context = {k: data.get(k) for k in [
                'from_date', 'to_date', 'agency', 'subordinates', 'level']}
        with Transaction().set_context(**context):
            columns, rows, total = Statistics.report_rows(
                compact=cls.extension == 'pdf')
        title = gettext('mvp_reporting.msg_statistics_title')
        subtitles = [gettext('mvp_reporting.msg_statistics_period',
                from_date=lang.strftime(data['from_date']),
                to_date=lang.strftime(data['to_date']))]
        if data.get('agency'):
            subtitles.append(Company(data['agency']).rec_name)
        return title, subtitles, columns, rows, total


class AgencyStatisticsPdfReport(AgencyStatisticsReport):
    "Statistics per Agency"
    __name__ = 'mvp.statistics.agency.pdf'
    extension = 'pdf'
