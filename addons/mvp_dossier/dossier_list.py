# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import AccessError
from trytond.modules.company.model import employee_field
from trytond.modules.mvp_documents import archive_io
from trytond.modules.mvp_documents.employee import stamp_employee
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, refuse, refuse_unless_state)
from trytond.modules.mvp_documents.retention import (
    RETENTIONS, retention_years)
from trytond.modules.mvp_documents.role import agency_role
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import DossierError


def archive_maintenance(retention):
    """The Maintenance value the archive expects (Phụ lục VI):
    "Vĩnh viễn", "<n> năm" or "Đến khi văn bản hết hiệu lực"
    """
    return archive_io.maintenance(retention_years(retention),
        until_expired=retention == 'until_expired')


def must_hand_over(retention):
    "Dossiers kept 5 years or more go to the agency archive (ND 30 Art. 30)"
    return retention == 'permanent' or (retention_years(retention) or 0) >= 5


class CodeTitleMixin:
    """A dossier or an entry of the dossier list: known by its code and
    title, kept by a responsible official of a department"""
    __slots__ = ()

    @fields.depends('responsible', 'department')
    def on_change_responsible(self):
        if self.responsible and not self.department:
            self.department = self.responsible.department

    def get_rec_name(self, name):
        return '%s - %s' % (self.code, self.title)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('code', operator, value),
            ('title', operator, value),
            ]


class DossierList(ServerFieldsMixin, Workflow, ModelSQL, ModelView):
    "Dossier List"
    __name__ = 'mvp.dossier.list'
    __string__ = "Dossier List"
    _server_fields = frozenset({'state', 'approved_by', 'approved_date'})
    _fixed_fields = frozenset({'company'})
    # Danh mục hồ sơ: approved at the start of the year (ND 30 Art. 28)
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, states=_states)
    year = fields.Integer("Year", required=True, states=_states)
    name = fields.Char("Name", required=True, states=_states)
    entries = fields.One2Many(
        'mvp.dossier.list.entry', 'list', "Entries", states=_states)
    approved_by = employee_field("Approved By", states=['approved'])
    approved_date = fields.Date("Approved Date", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('approved', "Approved"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_year_unique', Unique(t, t.company, t.year),
                'mvp_dossier.msg_dossier_list_year_unique'),
            ]
        cls._order = [('year', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'approved'),
            ('approved', 'draft'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'copy_previous': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_year():
        return dt.date.today().year

    @staticmethod
    def default_state():
        return 'draft'

    @fields.depends('year', 'name')
    def on_change_year(self):
        if self.year and not self.name:
            self.name = "Danh mục hồ sơ năm %s" % self.year

    @classmethod
    def check_modification(cls, mode, lists, values=None, external=False):
        super().check_modification(
            mode, lists, values=values, external=external)
        if mode == 'write' and external:
            refuse_unless_state(lists, {'draft'}, values)
        if mode == 'delete':
            for list_ in lists:
                if list_.state != 'draft':
                    raise AccessError(gettext(
                            'mvp_dossier.msg_dossier_list_delete_approved',
                            list=list_.rec_name))

    @classmethod
    @agency_role('group_mvp_leader')
    @ModelView.button
    @Workflow.transition('approved')
    @stamp_employee('approved_by')
    def approve(cls, lists):
        for list_ in lists:
            if not list_.entries:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_list_empty',
                        list=list_.rec_name))
        cls.write(lists, {'approved_date': dt.date.today()})

    @classmethod
    @agency_role('group_mvp_leader')
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, lists):
        cls.write(lists, {'approved_by': None, 'approved_date': None})

    @classmethod
    @ModelView.button
    def copy_previous(cls, lists):
        "Start from the entries of the agency's list of the year before"
        pool = Pool()
        Entry = pool.get('mvp.dossier.list.entry')
        to_create = []
        for list_ in lists:
            previous = cls.search([
                    ('company', '=', list_.company.id),
                    ('year', '<', list_.year),
                    ], order=[('year', 'DESC')], limit=1)
            if not previous:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_list_no_previous',
                        list=list_.rec_name))
            codes = {e.code for e in list_.entries}
            for entry in previous[0].entries:
                if entry.code in codes:
                    continue
                to_create.append({
                        'list': list_.id,
                        'sequence': entry.sequence,
                        'heading': entry.heading,
                        'code': entry.code,
                        'title': entry.title,
                        'retention': entry.retention,
                        'responsible': (
                            entry.responsible.id if entry.responsible
                            else None),
                        'department': (
                            entry.department.id if entry.department
                            else None),
                        })
        Entry.create(to_create)


class DossierListEntry(
        CodeTitleMixin, sequence_ordered(), ModelSQL, ModelView):
    "Dossier List Entry"
    __name__ = 'mvp.dossier.list.entry'
    __string__ = "Dossier List Entry"
    _states = {'readonly': Eval('list_state') != 'draft'}

    list = fields.Many2One(
        'mvp.dossier.list', "List", required=True, ondelete='CASCADE',
        states=_states)
    company = fields.Function(
        fields.Many2One('company.company', "Agency"),
        'on_change_with_company', searcher='search_company')
    year = fields.Function(fields.Integer("Year"), 'on_change_with_year')
    list_state = fields.Function(
        fields.Selection('get_list_states', "List State"),
        'on_change_with_list_state')
    heading = fields.Char(
        "Heading", states=_states,
        help="Section of the list, e.g. \"I. Tổng hợp\".")
    code = fields.Char(
        "Number and Notation", required=True, states=_states,
        help="Số và ký hiệu hồ sơ, unique within the year.")
    title = fields.Char("Title", required=True, states=_states)
    retention = fields.Selection(
        RETENTIONS, "Retention", required=True, states=_states)
    responsible = fields.Many2One(
        'company.employee', "Responsible Official", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    department = fields.Many2One(
        'mvp.department', "Department", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    dossiers = fields.One2Many(
        'mvp.dossier', 'list_entry', "Dossiers", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('list_code_unique', Unique(t, t.list, t.code),
                'mvp_dossier.msg_dossier_code_unique'),
            ]
        # seen by whoever sees the list: the list's agency rule applies
        cls.__access__.add('list')
        cls._buttons.update({
                'open_dossier': {
                    'invisible': Eval('list_state') != 'approved',
                    'depends': ['list_state'],
                    },
                })

    @classmethod
    def get_list_states(cls):
        pool = Pool()
        List = pool.get('mvp.dossier.list')
        return List.fields_get(['state'])['state']['selection']

    @fields.depends('list', '_parent_list.company')
    def on_change_with_company(self, name=None):
        return self.list.company if self.list else None

    @classmethod
    def search_company(cls, name, clause):
        return [('list.' + clause[0],) + tuple(clause[1:])]

    @fields.depends('list', '_parent_list.year')
    def on_change_with_year(self, name=None):
        return self.list.year if self.list else None

    @fields.depends('list', '_parent_list.state')
    def on_change_with_list_state(self, name=None):
        return self.list.state if self.list else 'draft'

    @classmethod
    def validate_fields(cls, entries, field_names):
        super().validate_fields(entries, field_names)
        if field_names & {'code', 'list'}:
            cls.check_code(entries)

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        List = pool.get('mvp.dossier.list')
        seen = set()
        for values in vlist:
            key = (values.get('list'), values.get('code'))
            if key in seen or (all(key) and cls.search([
                            ('list', '=', key[0]), ('code', '=', key[1])],
                        limit=1)):
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_code_unique_named',
                        code=key[1], year=List(key[0]).year))
            seen.add(key)
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, entries, values=None, external=False):
        super().check_modification(
            mode, entries, values=values, external=external)
        if not external:
            return
        pool = Pool()
        List = pool.get('mvp.dossier.list')
        lists = {e.list for e in entries}
        if mode == 'write' and values.get('list'):
            lists.add(List(values['list']))
        for list_ in lists:
            if list_.state != 'draft':
                refuse('mvp_dossier.msg_dossier_list_entry_locked',
                    entries, fields=set(values or {}), list=list_.rec_name)

    @classmethod
    def check_code(cls, entries):
        # The SQL constraint guards it too; this names the code.
        for entry in entries:
            others = cls.search([
                    ('list', '=', entry.list.id),
                    ('code', '=', entry.code),
                    ('id', '!=', entry.id),
                    ], limit=1)
            if others:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_code_unique_named',
                        code=entry.code, year=entry.list.year))

    @classmethod
    @ModelView.button_action('mvp_dossier.act_dossier_form')
    def open_dossier(cls, entries):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        dossiers = Dossier.open_from_entries(entries)
        if len(dossiers) == 1:
            return {'res_id': [dossiers[0].id]}
        return {'domain': [('id', 'in', [d.id for d in dossiers])]}
