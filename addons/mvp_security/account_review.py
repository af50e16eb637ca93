# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The quarterly account review of an agency (issue 17 item 3; QCVN
12:2026/BCA 3.6.2.1: accounts reviewed, unused ones disabled).

One row per account of the agency (its officials' accounts and the
accounts that work for it): type, name, login, state, roles, manager,
department, enabled and disabled dates, last sign-in and what the
reviewer should look at.  The agency administrator gets it on the first
day of each quarter (cron); the wizard makes it at any time, for their
own agency only, or for any or every agency for the provincial
administrator.  Making it is an "export" of the audit trail.
"""
import datetime as dt
import re
from zoneinfo import ZoneInfo

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.mvp_documents.fonts import FontError
from trytond.modules.mvp_documents.protection import refuse
from trytond.modules.mvp_documents.role import (
    agencies_role_users, has_agency_role, is_province_admin)
from trytond.modules.mvp_documents.tables import (
    Column, Table, table_pdf, table_xlsx)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from . import settings
from .audit import record, utcnow
from .exceptions import ReviewError
from .review import previous_quarter, quarter_bounds

# the account_write rows that enabled or disabled an account
STATE_CHANGE = re.compile(r'\bactive\b')
QUARTERS = [('1', "I"), ('2', "II"), ('3', "III"), ('4', "IV")]


def local(timestamp):
    "A naive UTC timestamp as a naive time of the users' time zone"
    if timestamp is None:
        return None
    if isinstance(timestamp, str):  # SQLite
        timestamp = dt.datetime.fromisoformat(timestamp)
    zone = ZoneInfo(settings.display_timezone())
    return (timestamp.replace(tzinfo=dt.timezone.utc).astimezone(zone)
        .replace(tzinfo=None, microsecond=0))


def group_ids(*xml_ids):
    ModelData = Pool().get('ir.model.data')
    return {ModelData.get_id(*x.split('.')) for x in xml_ids}


def agency_users(agency):
    "The accounts (enabled or not) of agency's officials or working for it"
    User = Pool().get('res.user')
    with without_check_access(), Transaction().set_context(
            active_test=False):
        return User.search([
                ('id', '!=', 0),
                ['OR',
                    ('employees.company', '=', agency.id),
                    ('companies', '=', agency.id),
                    ],
                ], order=[('name', 'ASC'), ('login', 'ASC')])


def state_changes(user_ids):
    """Return {account: (enabled, disabled)}: the last time the audit
    trail saw each account enabled and disabled"""
    Audit = Pool().get('mvp.security.audit')
    table = Audit.__table__()
    cursor = Transaction().connection.cursor()
    result = {}
    if not user_ids:
        return result
    cursor.execute(*table.select(
            table.account, table.event, table.details, table.timestamp,
            where=table.account.in_(list(user_ids))
            & table.event.in_(['account_disable', 'account_write']),
            order_by=[table.id.asc]))
    for account, event, details, timestamp in cursor:
        if event == 'account_disable':
            result.setdefault(account, {})['disabled'] = timestamp
        elif STATE_CHANGE.search(details or ''):
            result.setdefault(account, {})['changed'] = timestamp
    return result


def account_type(user, agency, roles):
    "administrator, person (an official of agency) or service"
    admins = group_ids('res.group_admin',
        'mvp_documents.group_mvp_province_admin',
        'mvp_documents.group_mvp_agency_admin')
    if admins & ({g.id for g in user.groups} | {g.id for g in roles}):
        return 'administrator'
    if any(e.company == agency for e in user.employees):
        return 'person'
    return 'service'


def manager(user, agency, leaders):
    """The head of the account's department, or the agency's leaders for
    a head, an official without department or a service account"""
    for employee in user.employees:
        if employee.company != agency or not employee.department:
            continue
        head = employee.department.head
        if head and head != employee:
            return head.rec_name
    return ', '.join(sorted(
            u.rec_name for u in leaders if u != user))


def enrolled_users(user_ids):
    SecondFactor = Pool().get('mvp.security.second_factor')
    with without_check_access():
        return {f.user.id for f in SecondFactor.search([
                    ('user', 'in', list(user_ids)),
                    ('secret_encrypted', '!=', None),
                    ])}


def flags(kind, state, last_use, last_login, enrolled, now):
    "What the reviewer should look at, as translated phrases"
    result = []
    unused = settings.inactive_days()
    if state != 'disabled' and last_use and last_use < now - unused:
        result.append(gettext('mvp_security.msg_review_flag_unused',
                days=unused.days))
    if last_login is None:
        result.append(gettext('mvp_security.msg_review_flag_never'))
    if kind == 'administrator' and not enrolled:
        result.append(gettext('mvp_security.msg_review_flag_admin_no_otp'))
    if kind == 'administrator' and state == 'disabled':
        result.append(gettext('mvp_security.msg_review_flag_disabled_admin'))
    return result


def account_rows(agency):
    """Return the rows of agency's accounts as dicts (times in the users'
    time zone)"""
    pool = Pool()
    Lock = pool.get('mvp.security.login_lock')
    users = agency_users(agency)
    ids = [u.id for u in users]
    changes = state_changes(ids)
    enrolled = enrolled_users(ids)
    leaders = agencies_role_users(
        [agency], 'group_mvp_leader').get(agency, set())
    now = utcnow()
    rows = []
    for user in users:
        roles = [r.group for r in user.agency_roles if r.company == agency]
        kind = account_type(user, agency, roles)
        if not user.active:
            state = 'disabled'
        elif Lock.locked_until_of(user.login or ''):
            state = 'locked'
        else:
            state = 'enabled'
        change = changes.get(user.id, {})
        changed = change.get('changed')
        if state == 'disabled':
            enabled = user.create_date
            disabled = max(filter(None, [change.get('disabled'), changed]),
                default=user.write_date)
        else:
            enabled = changed or user.create_date
            disabled = None
        departments = [e.department.rec_name for e in user.employees
            if e.company == agency and e.department]
        last_use = user.last_login or user.create_date
        rows.append({
                'agency': agency.rec_name,
                'type': kind,
                'name': user.name or '',
                'login': user.login,
                'state': state,
                'roles': ', '.join(sorted(
                        {g.name for g in user.groups}
                        | {g.name for g in roles})),
                'manager': manager(user, agency, leaders),
                'department': ', '.join(departments),
                'enabled': local(enabled),
                'disabled': local(disabled),
                'last_login': local(user.last_login),
                'flags': flags(kind, state, last_use, user.last_login,
                    user.id in enrolled, now),
                })
    return rows


COLUMNS = [
    ('type', 1.3, 'text'), ('name', 2, 'text'), ('login', 1.5, 'text'),
    ('state', 1.3, 'text'), ('roles', 2.2, 'text'), ('manager', 1.8, 'text'),
    ('department', 1.8, 'text'), ('enabled', 1.3, 'date'),
    ('disabled', 1.3, 'date'), ('last_login', 1.3, 'date'),
    ('flags', 2.5, 'text'),
    ]


def review_table(agencies, year, quarter):
    "The printed table of the accounts of agencies"
    by_agency = len(agencies) > 1
    columns = [(n, w, k) for n, w, k in COLUMNS]
    if by_agency:
        columns.insert(0, ('agency', 1.8, 'text'))
    rows = []
    for agency in agencies:
        for row in account_rows(agency):
            row['type'] = gettext('mvp_security.msg_review_type_%s'
                % row['type'])
            row['state'] = gettext('mvp_security.msg_review_state_%s'
                % row['state'])
            row['flags'] = '; '.join(row['flags'])
            rows.append([row[n] for n, _, _ in columns])
    today = local(utcnow()).date()
    return Table(
        title=gettext('mvp_security.msg_account_review_title',
            quarter=dict(QUARTERS)[str(quarter)], year=year),
        subtitle=[gettext('mvp_security.msg_account_review_subtitle',
                date=today.strftime('%d/%m/%Y'), count=len(rows))],
        agency=agencies[0].rec_name if not by_agency else '',
        columns=[Column(gettext('mvp_security.msg_review_column_%s' % n),
                width, kind) for n, width, kind in columns],
        rows=rows, landscape=True, font_size=8,
        sheet_name=gettext('mvp_security.msg_account_review_sheet'))


def make_review(agencies, agency, year, quarter):
    """Store and return the review of agencies (agency: None for all),
    its making recorded"""
    Review = Pool().get('mvp.security.review')
    table = review_table(agencies, year, quarter)
    try:
        pdf = table_pdf(table)
    except FontError as exception:
        raise ReviewError(gettext('mvp_security.msg_review_font_missing',
                font=str(exception))) from exception
    start, end = quarter_bounds(year, quarter)
    stem = 'ra-soat-tai-khoan-%s-q%s-%s' % (
        (agency.short_name or agency.id) if agency else 'tat-ca',
        quarter, year)
    review = Review.keep('account', agency, start, end, table.title, pdf,
        table_xlsx(table), stem)
    record('export', resource='%s,%s' % (review.__name__, review.id),
        details=review.name)
    return review


def check_agency(agency):
    """Refuse an agency the user may not review: an agency administrator
    reviews the agency they work in, the provincial administrator any or
    all (None); the wizard's value comes from the client"""
    if is_province_admin():
        return
    if agency is None or not has_agency_role(
            agency, 'group_mvp_agency_admin'):
        refuse('mvp_security.msg_account_review_agency', model=(
                'mvp.security.account_review'),
            fields={'agency'}, error=ReviewError)


def send_quarterly(today=None):
    """The cron's work on the first day of a quarter: each agency with an
    administrator gets the review of the quarter before"""
    pool = Pool()
    Date = pool.get('ir.date')
    Company = pool.get('company.company')
    today = today or Date.today()
    if today.month % 3 != 1:
        return []
    year, quarter = previous_quarter(today)
    with without_check_access():
        agencies = Company.search([])
    admins = agencies_role_users(agencies, 'group_mvp_agency_admin')
    reviews = []
    for agency in agencies:
        users = admins.get(agency)
        if not users:
            continue
        review = make_review([agency], agency, year, quarter)
        review.send(users, review.name, gettext(
                'mvp_security.msg_account_review_body',
                title=review.name, agency=agency.rec_name))
        reviews.append(review)
    return reviews


class AccountReviewStart(ModelView):
    "Account Review"
    __name__ = 'mvp.security.account_review.start'
    __string__ = "Account Review"

    agency = fields.Many2One(
        'company.company', "Agency",
        states={'required': ~Eval('province_admin', False)},
        help="Leave empty to review every agency (provincial "
        "administrator).")
    year = fields.Integer("Year", required=True)
    quarter = fields.Selection(QUARTERS, "Quarter", required=True)
    province_admin = fields.Boolean("Provincial Administrator",
        readonly=True)

    @classmethod
    def default_agency(cls):
        company = Pool().get('res.user').get_working_company()
        return company.id if company else None

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_quarter(cls):
        return str((Pool().get('ir.date').today().month - 1) // 3 + 1)

    @classmethod
    def default_province_admin(cls):
        return is_province_admin()


class AccountReview(Wizard):
    "Account Review"
    __name__ = 'mvp.security.account_review'
    start = StateView('mvp.security.account_review.start',
        'mvp_security.account_review_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Make", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('mvp_security.act_review')

    def do_open_(self, action):
        Company = Pool().get('company.company')
        agency = self.start.agency
        check_agency(agency)
        if agency:
            agencies = [agency]
        else:
            with without_check_access():
                agencies = Company.search([])
        quarter = int(self.start.quarter)
        review = make_review(agencies, agency, self.start.year, quarter)
        return action, {'res_id': [review.id]}
