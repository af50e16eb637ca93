# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The monthly review of the security audit trail (issue 17 item 4;
QCVN 12:2026/BCA 3.7.2.4: the logs are reviewed).

For one month, in the users' time zone: the events counted by kind, the
accounts with the most failed sign-ins, the sign-ins from outside the
trusted networks, the administrators' actions out of office hours and
the result of the chain's verification.  The provincial administrators
get it on the first day of each month (cron) and may make it for any
month (wizard); it is kept as a security review, whose reading is
recorded.

Rows are never deleted (see audit.py): the review of any past month can
be made again from the trail itself.
"""
import datetime as dt
import ipaddress
from zoneinfo import ZoneInfo

from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.mvp_documents.fonts import FontError
from trytond.modules.mvp_documents.notification import province_admin_users
from trytond.modules.mvp_documents.protection import refuse
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.modules.mvp_documents.tables import (
    Column, Table, tables_pdf, tables_xlsx)
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from . import settings
from .account_review import group_ids, local
from .audit import record, verify
from .exceptions import ReviewError
from .review import month_bounds, previous_month

#: The kinds counted, each the events it groups; the configuration
#: changes (keys, trust roots, peers, routes, registers) are the events
#: named config_*
CATEGORIES = [
    ('login', {'login'}),
    ('login_failed', {'login_failed', 'login_refused'}),
    ('lock', {'lock'}),
    ('unlock', {'unlock'}),
    ('password_reset', {'password_reset', 'password_set'}),
    ('role_change', {'group_add', 'group_remove', 'role_add',
            'role_remove'}),
    ('configuration', None),
    ('export', {'export'}),
    ('audit_read', {'audit_read', 'review_read'}),
    ]
TOP_ACCOUNTS = 10
#: at most this many rows of a list are printed (the count says all)
LIST_LIMIT = 500
MONTHS = [(str(m), '%02d' % m) for m in range(1, 13)]


def office_hours():
    """The office hours ([mvp_security] office_hours, "07:00-18:00"),
    Monday to Friday, as (start, end) times"""
    value = config.get(settings.SECTION, 'office_hours',
        default='07:00-18:00')
    start, end = value.split('-')
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(
        end.strip())


def out_of_hours(when):
    "Whether the local time when is outside office hours"
    start, end = office_hours()
    return when.weekday() >= 5 or not (start <= when.time() < end)


def utc_bounds(year, month):
    "The UTC times (naive) bounding the local month"
    zone = ZoneInfo(settings.display_timezone())
    first, last = month_bounds(year, month)
    return [dt.datetime.combine(d, dt.time(), tzinfo=zone).astimezone(
            dt.timezone.utc).replace(tzinfo=None)
        for d in [first, last + dt.timedelta(days=1)]]


def trusted(address):
    if not address:
        return False
    try:
        address = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(address.version == n.version and address in n
        for n in settings.trusted_networks())


def administrators():
    "The ids of the accounts with an administrator's group or agency role"
    pool = Pool()
    UserGroup = pool.get('res.user-res.group')
    Role = pool.get('mvp.user.role')
    cursor = Transaction().connection.cursor()
    user_group = UserGroup.__table__()
    role = Role.__table__()
    ids = set()
    cursor.execute(*user_group.select(user_group.user,
            where=user_group.group.in_(list(group_ids('res.group_admin',
                        'mvp_documents.group_mvp_province_admin')))))
    ids.update(u for u, in cursor)
    cursor.execute(*role.select(role.user, where=role.group.in_(list(
                    group_ids('mvp_documents.group_mvp_agency_admin')))))
    ids.update(u for u, in cursor)
    return ids


def month_events(year, month):
    """The rows of the month as dicts: id, timestamp (local), event,
    account, login, actor, ip_address"""
    Audit = Pool().get('mvp.security.audit')
    table = Audit.__table__()
    cursor = Transaction().connection.cursor()
    start, end = utc_bounds(year, month)
    columns = ['id', 'timestamp', 'event', 'account', 'login', 'actor',
        'ip_address']
    cursor.execute(*table.select(*[getattr(table, c) for c in columns],
            where=(table.timestamp >= start) & (table.timestamp < end),
            order_by=[table.id.asc]))
    rows = []
    for row in cursor:
        values = dict(zip(columns, row, strict=True))
        values['timestamp'] = local(values['timestamp'])
        rows.append(values)
    return rows


def figures(year, month):
    """The figures of the review of month as a dict: counts (kind:
    count), events (event: count), failures [(login, failures, locks)],
    outside [rows], out_of_hours [rows], chain (count, reason)"""
    events = month_events(year, month)
    by_event = {}
    for row in events:
        by_event[row['event']] = by_event.get(row['event'], 0) + 1
    counts = {}
    for kind, names in CATEGORIES:
        counts[kind] = sum(n for e, n in by_event.items()
            if (e in names if names else e.startswith('config')))
    failures = {}
    for row in events:
        if row['event'] in {'login_failed', 'login_refused', 'lock'}:
            key = row['login'] or ''
            failed, locks = failures.get(key, (0, 0))
            if row['event'] == 'lock':
                locks += 1
            else:
                failed += 1
            failures[key] = (failed, locks)
    top = sorted(failures.items(), key=lambda i: (-i[1][0], i[0]))
    admins = administrators()
    outside = [r for r in events
        if r['event'] == 'login' and not trusted(r['ip_address'])]
    late = [r for r in events
        if (r['actor'] in admins
            or (r['event'] == 'login' and r['account'] in admins))
        and out_of_hours(r['timestamp'])]
    return {
        'counts': counts,
        'events': by_event,
        'failures': [(login, f, locks) for login, (f, locks) in top
            if f][:TOP_ACCOUNTS],
        'outside': outside,
        'out_of_hours': late,
        'chain': verify(),
        'total': len(events),
        }


def _heading(name, **variables):
    return gettext('mvp_security.msg_audit_review_%s' % name, **variables)


def _columns(*specs):
    return [Column(_heading('column_%s' % n), w, k) for n, w, k in specs]


def review_tables(year, month):
    "The printed tables of the review of month"
    pool = Pool()
    Audit = pool.get('mvp.security.audit')
    User = pool.get('res.user')
    values = figures(year, month)
    count, reason = values['chain']
    chain = (_heading('chain_intact', count=count) if not reason
        else _heading('chain_broken', row=count, reason=reason))
    labels = dict(Audit.fields_get(['event'])['event']['selection'])
    accounts = {}

    def account(user_id):
        if user_id is None:
            return ''
        if user_id not in accounts:
            accounts[user_id] = User(user_id).rec_name
        return accounts[user_id]

    def listed(rows):
        return rows[:LIST_LIMIT]

    summary = Table(
        title=_heading('title', month='%02d' % month, year=year),
        subtitle=[_heading('subtitle', count=values['total']), chain],
        columns=_columns(('kind', 4, 'text'), ('count', 1, 'count')),
        rows=[[_heading('kind_%s' % k), values['counts'][k]]
            for k, _ in CATEGORIES],
        sheet_name=_heading('sheet_summary'))
    events = Table(
        title=_heading('events_title'),
        columns=_columns(('event', 4, 'text'), ('count', 1, 'count')),
        rows=[[labels.get(e, e), n]
            for e, n in sorted(values['events'].items())],
        sheet_name=_heading('sheet_events'))
    failures = Table(
        title=_heading('failures_title', count=TOP_ACCOUNTS),
        columns=_columns(('login', 3, 'text'), ('failures', 1, 'count'),
            ('locks', 1, 'count')),
        rows=values['failures'],
        sheet_name=_heading('sheet_failures'))
    outside = Table(
        title=_heading('outside_title'),
        subtitle=[_heading('listed', count=len(values['outside']),
                limit=LIST_LIMIT)],
        columns=_columns(('time', 1.5, 'date'), ('login', 2, 'text'),
            ('ip_address', 1.5, 'text')),
        rows=[[r['timestamp'], r['login'], r['ip_address']]
            for r in listed(values['outside'])],
        sheet_name=_heading('sheet_outside'))
    late = Table(
        title=_heading('out_of_hours_title',
            hours='%s-%s' % tuple(t.strftime('%H:%M')
                for t in office_hours())),
        subtitle=[_heading('listed', count=len(values['out_of_hours']),
                limit=LIST_LIMIT)],
        columns=_columns(('time', 1.5, 'date'), ('event', 2, 'text'),
            ('actor', 2, 'text'), ('login', 1.5, 'text'),
            ('ip_address', 1.3, 'text')),
        rows=[[r['timestamp'], labels.get(r['event'], r['event']),
                account(r['actor'] or r['account']), r['login'],
                r['ip_address']]
            for r in listed(values['out_of_hours'])],
        sheet_name=_heading('sheet_out_of_hours'))
    return [summary, events, failures, outside, late]


def make_review(year, month):
    "Store and return the review of month, its making recorded"
    Review = Pool().get('mvp.security.review')
    tables = review_tables(year, month)
    try:
        pdf = tables_pdf(tables)
    except FontError as exception:
        raise ReviewError(gettext('mvp_security.msg_review_font_missing',
                font=str(exception))) from exception
    start, end = month_bounds(year, month)
    review = Review.keep('audit', None, start, end, tables[0].title, pdf,
        tables_xlsx(tables), 'ra-soat-nhat-ky-%04d-%02d' % (year, month))
    record('export', resource='%s,%s' % (review.__name__, review.id),
        details=review.name)
    return review


def send_monthly(today=None):
    "The cron's work: the provincial administrators get last month's"
    Date = Pool().get('ir.date')
    year, month = previous_month(today or Date.today())
    review = make_review(year, month)
    review.send(province_admin_users(), review.name, gettext(
            'mvp_security.msg_audit_review_body', title=review.name))
    return review


class AuditReviewStart(ModelView):
    "Audit Review"
    __name__ = 'mvp.security.audit_review.start'
    __string__ = "Audit Review"

    year = fields.Integer("Year", required=True)
    month = fields.Selection(MONTHS, "Month", required=True)

    @classmethod
    def default_year(cls):
        return previous_month(Pool().get('ir.date').today())[0]

    @classmethod
    def default_month(cls):
        return str(previous_month(Pool().get('ir.date').today())[1])


class AuditReview(Wizard):
    "Audit Review"
    __name__ = 'mvp.security.audit_review'
    start = StateView('mvp.security.audit_review.start',
        'mvp_security.audit_review_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Make", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('mvp_security.act_review')

    def do_open_(self, action):
        # the wizard's action groups are the client's side of this
        if not is_province_admin():
            refuse('mvp_security.msg_audit_review_province_only',
                model=self.__name__, error=ReviewError)
        review = make_review(self.start.year, int(self.start.month))
        return action, {'res_id': [review.id]}
