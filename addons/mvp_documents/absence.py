# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from .employee import user_employees
from .exceptions import AbsenceError
from .incoming import changed_fields, has_agency_role
from .protection import refuse


class Absence(ModelSQL, ModelView):
    "Absence"
    __name__ = 'mvp.absence'
    __string__ = "Absence"
    # An official away (leave, mission, training) names who stands in;
    # assigning work due while away warns and offers the substitute.
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Official", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    start_date = fields.Date(
        "Start Date", required=True,
        domain=[If(Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ())])
    end_date = fields.Date("End Date", required=True)
    substitute = fields.Many2One(
        'company.employee', "Substitute", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('employee', -1)),
            ])
    reason = fields.Char("Reason")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t,
                (t.employee, Index.Equality()),
                (t.end_date, Index.Range())))
        cls._order.insert(0, ('start_date', 'DESC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_employee(cls):
        return Transaction().context.get('employee')

    def get_rec_name(self, name):
        return '%s %s-%s' % (
            self.employee.rec_name, self.start_date.strftime('%d/%m/%Y'),
            self.end_date.strftime('%d/%m/%Y'))

    @classmethod
    def validate_fields(cls, absences, field_names):
        super().validate_fields(absences, field_names)
        for absence in absences:
            if absence.end_date < absence.start_date:
                raise AbsenceError(gettext(
                        'mvp_documents.msg_absence_dates',
                        absence=absence.rec_name))

    @classmethod
    def check_modification(cls, mode, absences, values=None, external=False):
        super().check_modification(
            mode, absences, values=values, external=external)
        if external and Transaction().user:
            # an absence sends the official's work to the substitute:
            # only they, their department head and the leaders record it
            for absence in absences:
                if (not absence._may_edit()
                        or changed_fields(absence, values or {},
                            {'employee', 'company'})):
                    refuse('mvp_documents.msg_absence_not_allowed',
                        [absence], fields=set(values or {}),
                        error=AbsenceError,
                        employee=absence.employee.rec_name)

    def _may_edit(self):
        with without_check_access():
            employees = user_employees(self.company)
            department = self.employee.department
            return (self.employee in employees
                or (department and department.head in employees)
                or has_agency_role(self.company,
                    'group_mvp_leader', 'group_mvp_agency_admin'))

    @classmethod
    @without_check_access
    def absence_of(cls, employee, date):
        "Return the absence of employee on date, if any"
        absences = cls.search([
                ('employee', '=', int(employee)),
                ('start_date', '<=', date),
                ('end_date', '>=', date),
                ], limit=1)
        return absences[0] if absences else None


class Delegation(ModelSQL, ModelView):
    "Delegation of the Right to Assign"
    __name__ = 'mvp.assignment.delegation'
    __string__ = "Delegation of the Right to Assign"
    # A leader lets someone else (usually the office chief) receive
    # submitted documents and assign them.
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    leader = fields.Many2One(
        'company.employee', "Leader", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    delegate = fields.Many2One(
        'company.employee', "Delegate", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    start_date = fields.Date("Start Date")
    end_date = fields.Date("End Date")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def validate_fields(cls, delegations, field_names):
        super().validate_fields(delegations, field_names)
        for delegation in delegations:
            if not delegation.leader.is_leader_in(delegation.company):
                raise AbsenceError(gettext(
                        'mvp_documents.msg_delegation_not_leader',
                        employee=delegation.leader.rec_name))
            if (delegation.start_date and delegation.end_date
                    and delegation.end_date < delegation.start_date):
                raise AbsenceError(gettext(
                        'mvp_documents.msg_absence_dates',
                        absence=delegation.delegate.rec_name))

    @classmethod
    def check_modification(
            cls, mode, delegations, values=None, external=False):
        super().check_modification(
            mode, delegations, values=values, external=external)
        if external and Transaction().user:
            # the right to assign is the leader's own to give
            for delegation in delegations:
                if (not delegation._may_edit()
                        or changed_fields(delegation, values or {},
                            {'leader', 'company'})):
                    refuse('mvp_documents.msg_delegation_not_allowed',
                        [delegation], fields=set(values or {}),
                        error=AbsenceError,
                        employee=delegation.leader.rec_name)

    def _may_edit(self):
        with without_check_access():
            employees = user_employees(self.company)
            return (self.leader in employees
                or has_agency_role(self.company, 'group_mvp_agency_admin'))

    @classmethod
    @without_check_access
    def active_delegates(cls, company):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        delegations = cls.search([
                ('company', '=', int(company)),
                ['OR',
                    ('start_date', '=', None),
                    ('start_date', '<=', today)],
                ['OR',
                    ('end_date', '=', None),
                    ('end_date', '>=', today)],
                ])
        return [d.delegate for d in delegations]


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    @without_check_access
    def is_leader_in(self, company):
        "Tell whether a user of the employee leads the agency"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Role = pool.get('mvp.user.role')
        if not self.users or self.company.id != int(company):
            return False
        leader = ModelData.get_id('mvp_documents', 'group_mvp_leader')
        if Role.search([
                    ('user', 'in', [u.id for u in self.users]),
                    ('company', '=', int(company)),
                    ('group', '=', leader),
                    ], limit=1):
            return True
        return any(leader in {g.id for g in u.groups} for u in self.users)

    def can_assign_in(self, company):
        pool = Pool()
        Delegation = pool.get('mvp.assignment.delegation')
        return (self.is_leader_in(company)
            or self in Delegation.active_delegates(company))

    @classmethod
    @without_check_access
    def assigners(cls, company):
        "Return the leaders of the agency and their delegates"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Role = pool.get('mvp.user.role')
        Delegation = pool.get('mvp.assignment.delegation')
        leader = ModelData.get_id('mvp_documents', 'group_mvp_leader')
        roles = Role.search([
                ('company', '=', int(company)),
                ('group', '=', leader),
                ])
        employees = [e for r in roles for e in r.user.employees
            if e.company.id == int(company)]
        employees += Delegation.active_delegates(company)
        return list(dict.fromkeys(employees))
