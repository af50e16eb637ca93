# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered,
    tree)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import DepartmentValidationError
from .protection import refuse
from .role import is_province_admin


class Department(
        sequence_ordered(), tree(), DeactivableMixin, ModelSQL, ModelView):
    "Department"
    __name__ = 'mvp.department'
    __string__ = "Department"
    name = fields.Char("Name", required=True)
    code = fields.Char(
        "Code", help="Abbreviation used in the notation of a công văn, "
        "e.g. CNTT in 312/STTTT-CNTT.")
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    parent = fields.Many2One(
        'mvp.department', "Parent", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    children = fields.One2Many('mvp.department', 'parent', "Children")
    head = fields.Many2One(
        'company.employee', "Head", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    is_office = fields.Boolean(
        "Office", help="The agency's office (văn phòng), "
        "where the clerks work.")
    members = fields.One2Many('company.employee', 'department', "Members")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_company_unique', Unique(t, t.company, t.code),
                'mvp_documents.msg_department_code_unique'),
            ]

    @classmethod
    def on_modification(cls, mode, departments, field_names=None):
        callback = super().on_modification(mode, departments, field_names)
        # the record rules name the departments a user heads
        Pool().get('ir.rule').clear_agency_context()
        return callback

    @classmethod
    def check_modification(
            cls, mode, departments, values=None, external=False):
        super().check_modification(
            mode, departments, values=values, external=external)
        # A department's head sees what is given to the department: like
        # a role, an administrator does not give it to themselves.
        if not external or is_province_admin():
            return
        if mode == 'create':
            heads = {d: d.head for d in departments if d.head}
        elif mode == 'write' and (values or {}).get('head'):
            Employee = Pool().get('company.employee')
            head = Employee(values['head'])
            heads = {d: head for d in departments}
        else:
            return
        user_id = Transaction().user
        for department, head in heads.items():
            if user_id in {u.id for u in head.users}:
                refuse('mvp_documents.msg_department_head_self',
                    [department], fields={'head'},
                    department=department.rec_name)

    @classmethod
    def validate_fields(cls, departments, field_names):
        super().validate_fields(departments, field_names)
        if field_names & {'head', 'company', 'parent'}:
            for department in departments:
                cls._check_same_agency(department)

    @classmethod
    def _check_same_agency(cls, department):
        if department.head and department.head.company != department.company:
            raise DepartmentValidationError(gettext(
                    'mvp_documents.msg_department_head_company',
                    head=department.head.rec_name,
                    department=department.rec_name))
        if (department.parent
                and department.parent.company != department.company):
            raise DepartmentValidationError(gettext(
                    'mvp_documents.msg_department_parent_company',
                    department=department.rec_name))
