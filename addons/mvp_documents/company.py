# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import unicode  # noqa: F401 (normalises every stored text to NFC)
from .exceptions import AgencyValidationError
from .protection import refuse
from .role import is_province_admin

# mã định danh điện tử (QĐ 20/2020/QĐ-TTg): DDD.DD.DD.Xnn, 13 characters,
# the level-1 code (province Hnn, central body Gnn) on the right.
IDENTIFIER_CODE = re.compile(r'^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$')


def is_identifier_code(code):
    return bool(code and IDENTIFIER_CODE.match(code))


class AgencyLevel(sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    "Agency Level"
    __name__ = 'mvp.agency.level'
    __string__ = "Agency Level"
    # Levels are data: the pre-2025 three-tier structure (province,
    # district, commune) and the two-tier one after the 2025 reform are
    # both sets of records, not code.
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'mvp_documents.msg_agency_level_code_unique'),
            ]


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'
    short_name = fields.Char(
        "Short Name",
        help="Abbreviation used in document notations, e.g. STTTT.")
    identifier_code = fields.Char(
        "Identifier Code", size=13,
        help="Electronic identifier code (mã định danh), "
        "e.g. 000.00.00.H54.")
    place = fields.Char(
        "Place",
        help="Name of the locality where the agency sits, written before "
        "the date of its documents (địa danh), e.g. Thái Bình.")
    level = fields.Many2One('mvp.agency.level', "Level", ondelete='RESTRICT')
    parent = fields.Many2One(
        'company.company', "Parent Agency", ondelete='RESTRICT',
        domain=[('id', '!=', Eval('id', -1))])
    children = fields.One2Many('company.company', 'parent', "Child Agencies")
    departments = fields.One2Many(
        'mvp.department', 'company', "Departments")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('identifier_code_unique', Unique(t, t.identifier_code),
                'mvp_documents.msg_agency_identifier_code_duplicate'),
            ]

    @classmethod
    def validate_fields(cls, companies, field_names):
        super().validate_fields(companies, field_names)
        if field_names & {'identifier_code'}:
            cls.check_identifier_code(companies)
        if field_names & {'parent'}:
            cls.check_parent(companies)

    @classmethod
    def check_identifier_code(cls, companies):
        for company in companies:
            if (company.identifier_code
                    and not is_identifier_code(company.identifier_code)):
                raise AgencyValidationError(gettext(
                        'mvp_documents.msg_agency_identifier_code_format',
                        code=company.identifier_code,
                        agency=company.rec_name))
        codes = [c.identifier_code for c in companies if c.identifier_code]
        if codes:
            # The SQL constraint also guards this; the check gives the
            # user a message naming the agency that already has the code.
            others = cls.search([
                    ('identifier_code', 'in', codes),
                    ('id', 'not in', [c.id for c in companies]),
                    ], limit=1)
            if others or len(codes) != len(set(codes)):
                code = others[0].identifier_code if others else codes[0]
                raise AgencyValidationError(gettext(
                        'mvp_documents.msg_agency_identifier_code_unique',
                        code=code))

    @classmethod
    def check_parent(cls, companies):
        for company in companies:
            seen = {company.id}
            parent = company.parent
            while parent:
                if parent.id in seen:
                    raise AgencyValidationError(gettext(
                            'mvp_documents.msg_agency_parent_recursion',
                            agency=company.rec_name))
                seen.add(parent.id)
                parent = parent.parent

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        return ['OR', domain,
            ('short_name',) + tuple(clause[1:]),
            ('identifier_code',) + tuple(clause[1:]),
            ]

    @classmethod
    def get_by_identifier_code(cls, code):
        companies = cls.search([('identifier_code', '=', code)], limit=1)
        return companies[0] if companies else None


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'
    department = fields.Many2One(
        'mvp.department', "Department", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    position = fields.Char(
        "Position", help="Title as printed under a signature, "
        "e.g. Giám đốc, Phó Chánh Văn phòng.")
    users = fields.Many2Many(
        'res.user-company.employee', 'employee', 'user', "Users",
        readonly=True)

    @classmethod
    def validate_fields(cls, employees, field_names):
        super().validate_fields(employees, field_names)
        if field_names & {'department', 'company'}:
            for employee in employees:
                if (employee.department
                        and employee.department.company != employee.company):
                    raise AgencyValidationError(gettext(
                            'mvp_documents.msg_employee_department_company',
                            employee=employee.rec_name,
                            department=employee.department.rec_name))

    @classmethod
    def check_modification(
            cls, mode, employees, values=None, external=False):
        super().check_modification(
            mode, employees, values=values, external=external)
        # The department of one's own post decides what one sees: like a
        # role, another administrator changes it.
        tried = {'department', 'company'} & set(values or {})
        if (not external or mode != 'write' or not tried
                or is_province_admin()):
            return
        user_id = Transaction().user
        for employee in employees:
            if user_id in {u.id for u in employee.users}:
                refuse('mvp_documents.msg_employee_own_post', [employee],
                    fields=tried, employee=employee.rec_name)

    @classmethod
    def on_modification(cls, mode, employees, field_names=None):
        callback = super().on_modification(mode, employees, field_names)
        # the record rules name the user's officials and departments
        Pool().get('ir.rule').clear_agency_context()
        return callback

