# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import defaultdict

from sql import Null
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.company.model import employee_field
from trytond.modules.mvp_documents.document_type import is_classified
from trytond.modules.mvp_documents.employee import (
    acting_user_id, stamp_employee, user_employees)
from trytond.modules.mvp_documents.file import reference_model_id
from trytond.modules.mvp_documents.notification import notify
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, checked, log_refusal, refuse)
from trytond.modules.mvp_documents.retention import (
    RETENTIONS, retention_years)
from trytond.modules.mvp_documents.role import agency_role, has_agency_role
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, check_access, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .dossier_list import CodeTitleMixin, must_hand_over
from .exceptions import DossierError, DossierWarning

STATES = [
    ('open', "Open"),
    ('closed', "Closed"),
    ('handed_over', "Handed Over"),
    ('destroyed', "Destroyed"),
    ]
USAGES = [
    ('restricted', "Restricted"),
    ('internal', "Internal"),
    ('public', "Public"),
    ]
# Fields the archive workflow may still set on a closed dossier
ARCHIVE_FIELDS = {
    'state', 'closed_by', 'closed_date',
    'handover', 'handover_due', 'handover_reminded',
    'handed_over_date', 'disposal', 'expiry_date', 'destroyed_date',
    'shares',
    }
# ... and those a user may still change on it (the links to a draft
# hand-over or disposal are checked on their own)
USER_ARCHIVE_FIELDS = {'shares', 'expiry_date'}
LINK_FIELDS = {'handover', 'disposal'}
OWNER_ROLES = ['group_mvp_leader']
ARCHIVE_ROLES = ['group_mvp_clerk', 'group_mvp_leader']



def add_years(date, years):
    try:
        return date.replace(year=date.year + years)
    except ValueError:  # 29 February
        return date.replace(year=date.year + years, day=28)


class Dossier(
        CodeTitleMixin, ServerFieldsMixin, Workflow, ModelSQL, ModelView):
    "Dossier"
    __name__ = 'mvp.dossier'
    __string__ = "Dossier"
    _server_fields = frozenset({
            'state', 'closed_by', 'closed_date', 'handover_due',
            'handover_reminded', 'handed_over_date', 'destroyed_date'})
    _fixed_fields = frozenset({'company'})
    # Hồ sơ công việc (ND 30/2020 Art. 28-31, Phụ lục VI Part II.III).
    # Documents are linked through mvp.dossier.line, never copied.
    _states = {'readonly': Eval('state') != 'open'}

    company = fields.Many2One(
        'company.company', "Agency", required=True,
        states={'readonly': Eval('id', -1) > 0})
    year = fields.Integer("Year", required=True, states=_states)
    list_entry = fields.Many2One(
        'mvp.dossier.list.entry', "List Entry", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('list.state', '=', 'approved'),
            ])
    code = fields.Char(
        "Number and Notation", required=True, states=_states,
        help="Số và ký hiệu hồ sơ (FileNotation), unique within the year.")
    title = fields.Char("Title", required=True, states=_states)
    retention = fields.Selection(
        RETENTIONS, "Retention", required=True, states=_states)
    responsible = fields.Many2One(
        'company.employee', "Responsible Official", required=True,
        states=_states, domain=[('company', '=', Eval('company', -1))])
    department = fields.Many2One(
        'mvp.department', "Department", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date("End Date", states=_states)
    language = fields.Char("Language", states=_states)
    usage = fields.Selection(
        USAGES, "Usage Rights", required=True, states=_states,
        help="Chế độ sử dụng (Rights in Phụ lục VI).")
    description = fields.Text("Description", states=_states)
    lines = fields.One2Many(
        'mvp.dossier.line', 'dossier', "Documents", readonly=True)
    files = fields.One2Many(
        'mvp.document.file', 'resource', "Uploaded Files", states=_states,
        help="Files uploaded straight into the dossier; each becomes one "
        "of its documents.")
    document_count = fields.Function(
        fields.Integer("Documents"), 'get_totals')
    page_count = fields.Function(fields.Integer("Pages"), 'get_totals')
    closed_by = employee_field("Closed By", states=['closed', 'handed_over',
            'destroyed'])
    closed_date = fields.Date("Closed Date", readonly=True)
    handover_due = fields.Date(
        "Hand-over Due", readonly=True,
        help="The dossier must reach the agency archive before this date.")
    handover_reminded = fields.Boolean("Hand-over Reminded", readonly=True)
    handover = fields.Many2One(
        'mvp.dossier.handover', "Hand-over", readonly=True,
        ondelete='SET NULL')
    handed_over_date = fields.Date("Handed Over Date", readonly=True)
    expiry_date = fields.Date(
        "Retention Ends",
        states={'readonly': Eval('retention') != 'until_expired'},
        help="Date when the retention runs out and the dossier "
        "comes up for disposal review.")
    disposal = fields.Many2One(
        'mvp.dossier.disposal', "Disposal", readonly=True,
        ondelete='SET NULL')
    destroyed_date = fields.Date("Destroyed Date", readonly=True)
    shares = fields.One2Many(
        'mvp.dossier.share', 'dossier', "Shared With",
        states={'readonly': Eval('state') == 'destroyed'})
    rights_logs = fields.One2Many(
        'mvp.dossier.rights.log', 'dossier', "Rights History", readonly=True)
    visible = fields.Function(
        fields.Boolean("Visible"), 'get_visible', searcher='search_visible')
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_year_code_unique', Unique(t, t.company, t.year, t.code),
                'mvp_dossier.msg_dossier_code_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    (t.handover_due, Index.Range())),
                Index(t, (t.responsible, Index.Equality())),
                })
        cls._order = [('year', 'DESC'), ('code', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'closed'),
            ('closed', 'open'),
            ('closed', 'handed_over'),
            ('closed', 'destroyed'),
            ('handed_over', 'destroyed'),
            }
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'depends': ['state'],
                    },
                'open_lines': {
                    'invisible': Eval('id', -1) < 0,
                    'depends': ['id'],
                    },
                'export_archive': {
                    'invisible': (Eval('id', -1) < 0)
                    | Eval('state').in_(['open', 'destroyed']),
                    'depends': ['id', 'state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_year():
        return dt.date.today().year

    @staticmethod
    def default_start_date():
        return dt.date.today()

    @staticmethod
    def default_language():
        return "Tiếng Việt"

    @staticmethod
    def default_usage():
        return 'restricted'

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_responsible():
        return Transaction().context.get('employee')

    @staticmethod
    def default_handover_reminded():
        return False

    @fields.depends('list_entry', 'code', 'title', 'retention',
        'responsible', 'department', 'year')
    def on_change_list_entry(self):
        entry = self.list_entry
        if not entry:
            return
        self.year = entry.list.year
        self.code = entry.code
        self.title = entry.title
        self.retention = entry.retention
        if entry.responsible:
            self.responsible = entry.responsible
        self.department = entry.department or (
            self.responsible.department if self.responsible else None)

    @property
    def file_code(self):
        "FileCode of Phụ lục VI: OrganId.FileCatalog.FileNotation"
        return '%s.%s.%s' % (
            self.company.identifier_code or '', self.year, self.code)

    @classmethod
    def get_totals(cls, dossiers, names):
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {d.id: 0 for d in dossiers} for n in names}
        for sub_ids in grouped_slice(
                [d.id for d in dossiers], backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.dossier, Count(line.id),
                    Sum(Coalesce(line.pages, 0)),
                    where=SQL_OPERATORS['in'](line.dossier, list(sub_ids)),
                    group_by=[line.dossier]))
            for dossier_id, count, pages in cursor:
                if 'document_count' in result:
                    result['document_count'][dossier_id] = count
                if 'page_count' in result:
                    result['page_count'][dossier_id] = int(pages or 0)
        return result

    # Rights: the responsible official, the head of their department and
    # the agency leaders (a separate rule) see a dossier; anyone else only
    # by explicit sharing (Phụ lục VI: phân quyền từng hồ sơ).
    @classmethod
    def _user_employees(cls):
        "Return the acting user's id and the ids of their employees"
        user_id = acting_user_id()
        if not user_id:
            return None, []
        return user_id, [e.id for e in user_employees(user=user_id)]

    def get_visible(self, name):
        return bool(self.search([
                    ('id', '=', self.id),
                    ('visible', '=', True)]))

    @classmethod
    def search_visible(cls, name, clause):
        user_id, employees = cls._user_employees()
        domain = ['OR',
            ('responsible', 'in', employees),
            ('department.head', 'in', employees),
            ('shares.user', '=', user_id),
            ('create_uid', '=', user_id),
            ]
        _, operator, value = clause[:3]
        if (operator == '=') != bool(value):
            domain = ['NOT', domain]
        return domain

    def is_owner(self, employees):
        "The responsible official, their department head or a leader"
        return (self.responsible.id in employees
            or bool(self.department and self.department.head
                and self.department.head.id in employees)
            or has_agency_role(self.company, *OWNER_ROLES))

    def can_edit(self, user_id, employees):
        if self.is_owner(employees):
            return True
        return any(s.user.id == user_id and s.permission == 'edit'
            for s in self.shares)

    @classmethod
    def validate_fields(cls, dossiers, field_names):
        super().validate_fields(dossiers, field_names)
        if field_names & {'code', 'year', 'company'}:
            cls.check_code(dossiers)
        if field_names & {'start_date', 'end_date'}:
            for dossier in dossiers:
                if (dossier.end_date and dossier.start_date
                        and dossier.end_date < dossier.start_date):
                    raise DossierError(gettext(
                            'mvp_dossier.msg_dossier_dates',
                            dossier=dossier.rec_name))

    @classmethod
    def create(cls, vlist):
        seen = set()
        for values in vlist:
            key = (values.get('company'), values.get('year'),
                values.get('code'))
            if key in seen or (all(key) and cls.search([
                            ('company', '=', key[0]),
                            ('year', '=', key[1]),
                            ('code', '=', key[2]),
                            ], limit=1)):
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_code_unique_named',
                        code=key[2], year=key[1]))
            seen.add(key)
        return super().create(vlist)

    @classmethod
    def check_code(cls, dossiers):
        for dossier in dossiers:
            others = cls.search([
                    ('company', '=', dossier.company.id),
                    ('year', '=', dossier.year),
                    ('code', '=', dossier.code),
                    ('id', '!=', dossier.id),
                    ], limit=1)
            if others:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_code_unique_named',
                        code=dossier.code, year=dossier.year))

    @classmethod
    def check_modification(cls, mode, dossiers, values=None, external=False):
        super().check_modification(
            mode, dossiers, values=values, external=external)
        if mode == 'create' and external:
            cls._check_created_links(dossiers)
        elif mode == 'write' and external:
            cls._check_user_write(dossiers, values)
        elif mode == 'write' and not (set(values) <= ARCHIVE_FIELDS):
            cls._check_open(dossiers, values)
        if mode == 'delete':
            for dossier in dossiers:
                if dossier.state != 'open' or dossier.lines:
                    raise AccessError(gettext(
                            'mvp_dossier.msg_dossier_delete',
                            dossier=dossier.rec_name))
            if external:
                cls._check_edit_rights(dossiers)

    @classmethod
    def _check_open(cls, dossiers, values):
        for dossier in dossiers:
            if dossier.state != 'open':
                refuse('mvp_dossier.msg_dossier_locked', [dossier],
                    fields=set(values), dossier=dossier.rec_name)

    @classmethod
    def _check_created_links(cls, dossiers):
        "A user's new dossier belongs to no hand-over nor disposal yet"
        tried = {n for n in LINK_FIELDS
            if any(getattr(d, n) for d in dossiers)}
        if tried:
            refuse('mvp_documents.msg_field_server_only', dossiers,
                fields=tried, model=cls.__name__,
                field_names=cls._field_labels(tried),
                model_name=cls.__names__()['model'])

    @classmethod
    def _check_user_write(cls, dossiers, values):
        names = set(values)
        if names & LINK_FIELDS:
            cls._check_archive_links(dossiers, values)
            names -= LINK_FIELDS
        if not names:
            return
        for dossier in dossiers:
            if dossier.state == 'destroyed' or (dossier.state != 'open'
                    and not names <= USER_ARCHIVE_FIELDS):
                cls._check_open([dossier], names)
        if 'expiry_date' in names:
            # computed from the retention when the dossier is closed
            for dossier in dossiers:
                if values.get('retention', dossier.retention) != (
                        'until_expired'):
                    refuse('mvp_dossier.msg_dossier_expiry_computed',
                        [dossier], fields={'expiry_date'},
                        dossier=dossier.rec_name)
        cls._check_edit_rights(dossiers)

    @classmethod
    def _check_archive_links(cls, dossiers, values):
        """A dossier joins or leaves only a draft hand-over or disposal of
        its agency, by its clerks or leaders, and only when it fits"""
        pool = Pool()
        for name in sorted(LINK_FIELDS & set(values)):
            Target = pool.get('mvp.dossier.%s' % name)
            new = Target(values[name]) if values[name] else None
            fits = getattr(cls, '_fits_%s' % name)
            for dossier in dossiers:
                targets = [t for t in [getattr(dossier, name), new] if t]
                if not (all(t.state == 'draft'
                            and t.company == dossier.company
                            for t in targets)
                        and (new is None or fits(dossier, new))
                        and has_agency_role(dossier.company, *ARCHIVE_ROLES)):
                    refuse('mvp_dossier.msg_dossier_archive_link',
                        [dossier], fields={name}, dossier=dossier.rec_name,
                        target=(new or targets[0]).rec_name
                        if targets else '')

    @staticmethod
    def _fits_handover(dossier, handover):
        return dossier.state == 'closed' and bool(dossier.handover_due)

    @staticmethod
    def _fits_disposal(dossier, disposal):
        return (dossier.state in {'closed', 'handed_over'}
            and bool(dossier.expiry_date)
            and dossier.expiry_date <= disposal.date)

    @classmethod
    def _check_edit_rights(cls, dossiers):
        user_id, employees = cls._user_employees()
        if not user_id:
            return
        for dossier in dossiers:
            if not dossier.can_edit(user_id, employees):
                refuse('mvp_dossier.msg_dossier_no_edit_right',
                    [dossier], dossier=dossier.rec_name)

    @classmethod
    def _check_export_rights(cls, dossiers):
        "Editors, clerks and leaders export; a read share does not"
        user_id, employees = cls._user_employees()
        if not user_id:
            return
        for dossier in dossiers:
            if not (dossier.can_edit(user_id, employees)
                    or has_agency_role(dossier.company, *ARCHIVE_ROLES)):
                refuse('mvp_dossier.msg_dossier_export_forbidden',
                    [dossier], fields=['export_archive'],
                    dossier=dossier.rec_name)

    @classmethod
    def on_modification(cls, mode, dossiers, field_names=None):
        super().on_modification(mode, dossiers, field_names=field_names)
        if mode == 'write' and field_names & {'responsible', 'department'}:
            pool = Pool()
            Log = pool.get('mvp.dossier.rights.log')
            Log.record([
                    (d, 'owner', None, None,
                        '%s / %s' % (d.responsible.rec_name,
                            d.department.rec_name if d.department else '-'))
                    for d in dossiers])

    @classmethod
    def open_from_entries(cls, entries):
        "Open a dossier for each entry of an approved dossier list"
        to_create = []
        for entry in entries:
            if entry.list.state != 'approved':
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_list_not_approved',
                        list=entry.list.rec_name))
            responsible = entry.responsible or cls._current_employee(
                entry.list.company)
            if not responsible:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_no_responsible',
                        entry=entry.rec_name))
            to_create.append({
                    'company': entry.list.company.id,
                    'year': entry.list.year,
                    'list_entry': entry.id,
                    'code': entry.code,
                    'title': entry.title,
                    'retention': entry.retention,
                    'responsible': responsible.id,
                    'department': (
                        entry.department or responsible.department or None),
                    })
        for values in to_create:
            if values['department']:
                values['department'] = values['department'].id
        return cls.create(to_create)

    @classmethod
    def _current_employee(cls, company):
        return next(iter(user_employees(company)), None)

    @classmethod
    def copy(cls, dossiers, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines', None)
        default.setdefault('files', None)
        default.setdefault('shares', None)
        default.setdefault('rights_logs', None)
        for name in ['closed_by', 'closed_date', 'handover_due', 'handover',
                'handed_over_date', 'disposal', 'destroyed_date',
                'expiry_date', 'end_date']:
            default.setdefault(name, None)
        default.setdefault('code', lambda data: data['code'] + ' (copy)')
        return super().copy(dossiers, default=default)

    @classmethod
    @checked('_check_edit_rights')
    @ModelView.button
    @Workflow.transition('closed')
    @stamp_employee('closed_by')
    def close(cls, dossiers):
        today = dt.date.today()
        for dossier in dossiers:
            if not dossier.document_count:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_close_empty',
                        dossier=dossier.rec_name))
        for dossier in dossiers:
            end_date = dossier.end_date or today
            years = retention_years(dossier.retention)
            cls.write([dossier], {
                    'end_date': end_date,
                    'closed_date': today,
                    'handover_due': (
                        add_years(end_date, 1)
                        if must_hand_over(dossier.retention) else None),
                    'expiry_date': (
                        add_years(end_date, years) if years
                        else dossier.expiry_date),
                    'handover_reminded': False,
                    })
        cls._lock_files(dossiers)

    @classmethod
    def _lock_files(cls, dossiers):
        # A closed dossier is a record: its files are frozen (new versions
        # remain possible for the documents, the old ones stay).  Done in
        # SQL because a dossier can hold tens of thousands of documents.
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        File = pool.get('mvp.document.file')
        line = Line.__table__()
        file = File.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        file_ids, resources = [], []
        for sub_ids in grouped_slice(
                [d.id for d in dossiers], backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(line.document,
                    where=SQL_OPERATORS['in'](line.dossier, list(sub_ids))
                    & (line.document != Null)))
            for document, in cursor:
                model, id_ = document.split(',')
                if model == File.__name__:
                    file_ids.append(int(id_))
                else:
                    resources.append(document)
        unlocked = (file.locked == False) | (file.locked == Null)  # noqa: E712
        for sub_ids in grouped_slice(file_ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*file.update([file.locked], [True],
                    where=SQL_OPERATORS['in'](file.id, list(sub_ids))
                    & unlocked))
        for sub in grouped_slice(resources, backend.MAX_QUERY_PARAMS):
            cursor.execute(*file.update([file.locked], [True],
                    where=file.resource.in_(list(sub)) & unlocked))
        transaction.counter += 1
        for cache in transaction.cache.values():
            cache.pop(File.__name__, None)

    @classmethod
    @agency_role(*OWNER_ROLES)
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, dossiers):
        cls.write(dossiers, {
                'closed_by': None,
                'closed_date': None,
                'handover_due': None,
                'handover_reminded': False,
                })

    @classmethod
    @ModelView.button_action('mvp_dossier.act_dossier_line_relate')
    def open_lines(cls, dossiers):
        pass

    @classmethod
    @checked('_check_export_rights')
    @ModelView.button_action('mvp_dossier.act_dossier_export_relate')
    def export_archive(cls, dossiers):
        pool = Pool()
        Export = pool.get('mvp.dossier.export')
        for dossier in dossiers:
            # the archive takes a finished dossier (ND 30 Art. 30); a
            # destroyed one has nothing left to export
            if dossier.state not in {'closed', 'handed_over'}:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_export_%s' % (
                            'open' if dossier.state == 'open'
                            else 'destroyed'),
                        dossier=dossier.rec_name))
        exports = [Export.build(d) for d in dossiers]
        if exports:
            return {'res_id': [exports[-1].id]}

    @classmethod
    @without_check_access
    def remind_handover(cls, date=None):
        "Notify 30 days before a closed dossier must reach the archive"
        if date is None:
            date = dt.date.today()
        dossiers = cls.search([
                ('state', '=', 'closed'),
                ('handover_due', '<=', date + dt.timedelta(days=30)),
                ('handover_reminded', '!=', True),
                ])
        for dossier in dossiers:
            notify(cls._handover_recipients(dossier),
                gettext('mvp_dossier.msg_dossier_handover_reminder',
                    dossier=dossier.rec_name),
                gettext('mvp_dossier.msg_dossier_handover_due',
                    date=dossier.handover_due.strftime('%d/%m/%Y')),
                records=[dossier])
        cls.write(dossiers, {'handover_reminded': True})
        return dossiers

    @classmethod
    def _handover_recipients(cls, dossier):
        "The responsible official and the agency's clerks"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        users = set(dossier.responsible.users)
        clerk = ModelData.get_id('mvp_documents', 'group_mvp_clerk')
        users.update(r.user for r in Role.search([
                    ('company', '=', dossier.company.id),
                    ('group', '=', clerk),
                    ]))
        return sorted(users, key=lambda u: u.id)


class DossierLine(ServerFieldsMixin, ModelSQL, ModelView):
    "Dossier Document"
    __name__ = 'mvp.dossier.line'
    __string__ = "Dossier Document"
    _computed_fields = frozenset({'number', 'company'})
    _fixed_fields = frozenset({'dossier'})
    # One document inside one dossier.  The document itself is only
    # referenced, so it can sit in several dossiers without being copied.
    # A new row knows no dossier state yet and must stay editable; the
    # server refuses lines of a dossier that is not open.
    _states = {'readonly': Bool(Eval('dossier_state'))
        & (Eval('dossier_state') != 'open')}

    dossier = fields.Many2One(
        'mvp.dossier', "Dossier", required=True, ondelete='CASCADE',
        states={'readonly': Eval('id', -1) > 0})
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True)
    number = fields.Integer(
        "Number", readonly=True,
        help="Order of the document inside the dossier, given "
        "automatically.")
    document = fields.Reference(
        "Document", selection='get_documents', states=_states,
        help="Left empty once the dossier was destroyed.")
    description = fields.Char(
        "Title", states=_states,
        help="Kept when the document's files are destroyed.")
    notation = fields.Char("Number and Notation", states=_states)
    date = fields.Date("Date", states=_states)
    pages = fields.Integer(
        "Pages", states=_states,
        domain=[If(Eval('pages'), ('pages', '>=', 0), ())])
    dossier_state = fields.Function(
        fields.Selection(STATES, "Dossier State"), 'get_dossier_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('dossier_document_unique', Unique(t, t.dossier, t.document),
                'mvp_dossier.msg_dossier_line_duplicate'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.dossier, Index.Equality()),
                    (t.number, Index.Range())),
                Index(t, (t.document, Index.Equality())),
                })
        cls._order = [('dossier', 'ASC'), ('number', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _get_documents(cls):
        "Return the models that can be linked into a dossier"
        return {'mvp.document.file', 'ir.note', 'ir.attachment',
            'mvp.incoming', 'mvp.outgoing'}

    @classmethod
    def get_documents(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        return [(None, '')] + [
            (m, Model.get_name(m)) for m in sorted(cls._get_documents())]

    @classmethod
    def get_dossier_state(cls, lines, name):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        # a page of a large dossier lists a thousand lines of one dossier
        rows = cls.read([l.id for l in lines], ['dossier'])
        states = {
            d['id']: d['state'] for d in Dossier.read(
                list({r['dossier'] for r in rows}), ['state'])}
        return {r['id']: states[r['dossier']] for r in rows}

    def get_rec_name(self, name):
        return '%s. %s' % (self.number or '', self.description or '')

    @classmethod
    def read(cls, ids, fields_names):
        # A line shows its document only to those who may read it: the
        # nested read of the reference (document.rec_name) would raise,
        # and the title copied from it would tell its subject.
        transaction = Transaction()
        if not (transaction.user and transaction.check_access):
            return super().read(ids, fields_names)
        nested = [f for f in fields_names if f.startswith('document.')]
        names = [f for f in fields_names if f not in nested]
        rows = super().read(ids, list(set(names) | {'document', 'number'}))
        hidden = cls.unreadable_documents(
            {r['document'] for r in rows if r['document']})
        shown = [r['id'] for r in rows if r['document'] not in hidden]
        related = {}
        if nested and shown:
            related = {r['id']: r for r in super().read(shown, nested)}
        placeholder = gettext('mvp_dossier.msg_dossier_line_hidden')
        for row in rows:
            if row['document'] in hidden:
                row.update(document=None, description=placeholder,
                    notation=None)
                if 'rec_name' in row:
                    row['rec_name'] = '%s. %s' % (
                        row['number'] or '', placeholder)
            for name in nested:
                row[name] = related.get(row['id'], {}).get(name)
            for name in {'document', 'number'} - set(fields_names):
                del row[name]
        return rows

    @classmethod
    def unreadable_documents(cls, references):
        "Return the references (model,id) the user may not read"
        pool = Pool()
        if not Transaction().user:
            return set()
        by_model = defaultdict(set)
        for reference in references:
            model, _, id_ = str(reference).partition(',')
            if model in cls._get_documents() and id_.isdigit():
                by_model[model].add(int(id_))
        hidden = set()
        with check_access():
            for model, ids in by_model.items():
                Model = pool.get(model)
                readable = {r.id for r in Model.search(
                        [('id', 'in', sorted(ids))])}
                hidden.update(
                    '%s,%s' % (model, i) for i in ids - readable)
        return hidden

    @fields.depends('document')
    def on_change_document(self):
        if self.document and getattr(self.document, 'id', -1) >= 0:
            values = self._document_values(self.document)
            for name in ['description', 'notation', 'date', 'pages']:
                setattr(self, name, values.get(name))

    @classmethod
    def document_company(cls, document):
        "Return the agency that owns document"
        company = getattr(document, 'company', None)
        if company is None and document.__name__ in {
                'ir.note', 'ir.attachment'}:
            resource = document.resource
            company = getattr(resource, 'company', None) if resource else None
            if company is None and resource is not None:
                if resource.__name__ == 'mvp.dossier.line':
                    company = resource.company
        return company

    @classmethod
    def _document_values(cls, document):
        "Return metadata copied into the line when a document is linked"
        name = document.__name__
        getter = getattr(cls, '_document_values_%s' % name.replace('.', '_'),
            None)
        if getter:
            return getter(document)
        date = (getattr(document, 'issue_date', None)
            or getattr(document, 'arrival_date', None)
            or document.create_date)
        if isinstance(date, dt.datetime):
            date = date.date()
        if is_classified(getattr(document, 'confidentiality', None)):
            # the register keeps only the entry of a classified document
            description = gettext('mvp_dossier.msg_dossier_line_classified')
        else:
            description = (
                getattr(document, 'subject', None) or document.rec_name)
        return {
            'description': description,
            'notation': getattr(document, 'notation', None),
            'date': date,
            'pages': getattr(document, 'pages', None),
            }

    @classmethod
    def _document_values_ir_note(cls, note):
        text = (note.message or '').strip().splitlines()
        return {
            'description': (text[0][:200] if text else note.rec_name),
            'date': note.create_date.date() if note.create_date else None,
            'pages': 1,
            }

    @classmethod
    def _document_values_ir_attachment(cls, attachment):
        return {
            'description': attachment.name,
            'date': (attachment.create_date.date()
                if attachment.create_date else None),
            }

    @classmethod
    def _prepare(cls, vlist):
        "Fill company and metadata from the documents, in batches"
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        by_model = defaultdict(set)
        for values in vlist:
            document = values.get('document')
            if document and isinstance(document, str):
                model, id_ = document.split(',')
                if id_ and int(id_) >= 0:
                    by_model[model].add(int(id_))
        documents = {}
        for model, ids in by_model.items():
            if model not in cls._get_documents():
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_line_model',
                        model=model))
            Model = pool.get(model)
            for record in Model.browse(sorted(ids)):
                documents['%s,%s' % (model, record.id)] = record
        dossiers = {d.id: d for d in Dossier.browse(
                list({v['dossier'] for v in vlist if v.get('dossier')}))}
        for values in vlist:
            document = documents.get(values.get('document'))
            if not document:
                continue
            dossier = dossiers[values['dossier']]
            company = cls.document_company(document)
            if company is None or company.id != dossier.company.id:
                raise DossierError(gettext(
                        'mvp_dossier.msg_dossier_line_other_agency',
                        document=document.rec_name,
                        dossier=dossier.rec_name))
            for key, value in cls._document_values(document).items():
                if values.get(key) is None:
                    values[key] = value
        return vlist

    @classmethod
    def _next_numbers(cls, dossier_ids):
        line = cls.__table__()
        cursor = Transaction().connection.cursor()
        numbers = {d: 1 for d in dossier_ids}
        for sub_ids in grouped_slice(
                list(dossier_ids), backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(line.dossier, Max(line.number),
                    where=SQL_OPERATORS['in'](line.dossier, list(sub_ids)),
                    group_by=[line.dossier]))
            for dossier_id, number in cursor:
                numbers[dossier_id] = (number or 0) + 1
        return numbers

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        vlist = [v.copy() for v in vlist]
        dossier_ids = {v['dossier'] for v in vlist if v.get('dossier')}
        # numbers are given under a lock on the dossier: gapless and
        # unique even when two officials add documents at once
        Dossier.lock(Dossier.browse(sorted(dossier_ids)))
        numbers = cls._next_numbers(dossier_ids)
        dossiers = {d.id: d for d in Dossier.browse(list(dossier_ids))}
        for values in vlist:
            dossier_id = values.get('dossier')
            if dossier_id is None:
                continue
            values['company'] = dossiers[dossier_id].company.id
            values['number'] = numbers[dossier_id]
            numbers[dossier_id] += 1
        return super().create(cls._prepare(vlist))

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for lines, values in zip(actions, actions, strict=True):
            if values.get('document'):
                values = values.copy()
                vlist = [dict(values, dossier=l.dossier.id) for l in lines]
                cls._prepare(vlist)
            args.extend((lines, values))
        super().write(*args)

    @classmethod
    def delete(cls, lines):
        dossiers = {l.dossier for l in lines}
        super().delete(lines)
        cls.renumber(dossiers)

    @classmethod
    def renumber(cls, dossiers):
        "Number the documents of dossiers 1, 2, 3... again"
        line = cls.__table__()
        cursor = Transaction().connection.cursor()
        for dossier in dossiers:
            cursor.execute(*line.select(line.id, line.number,
                    where=line.dossier == dossier.id,
                    order_by=[line.number.asc, line.id.asc]))
            for number, (line_id, old) in enumerate(cursor.fetchall(), 1):
                if number != old:
                    cursor.execute(*line.update(
                            [line.number], [number],
                            where=line.id == line_id))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if not external and mode == 'write' and values == {'document': None}:
            # the server's archive workflow empties the lines it destroys
            return
        for line in lines:
            if line.dossier.state != 'open':
                refuse('mvp_dossier.msg_dossier_line_locked', [line],
                    fields=set(values or {}), dossier=line.dossier.rec_name)
        if not external:
            return
        Pool().get('mvp.dossier')._check_edit_rights(
            list({l.dossier for l in lines}))
        if mode == 'create':
            cls._check_readable(
                [(l, str(l.document)) for l in lines if l.document])
        elif mode == 'write' and values.get('document'):
            # checked before the write: the new document is in values
            model, id_ = reference_model_id(values['document'])
            cls._check_readable(
                [(l, '%s,%s' % (model, id_)) for l in lines])

    @classmethod
    def _check_readable(cls, filed):
        "A user files only documents they may read; filed: (line, ref)"
        hidden = cls.unreadable_documents({r for _, r in filed})
        for line, reference in filed:
            if reference in hidden:
                refuse('mvp_dossier.msg_dossier_document_unreadable',
                    [line], fields={'document'},
                    dossier=line.dossier.rec_name)

    @classmethod
    def link(cls, dossier, documents):
        "Link documents at the end of dossier, skipping those already in it"
        existing = {str(l.document) for l in cls.search([
                    ('dossier', '=', dossier.id),
                    ('document', 'in', [str(d) for d in documents]),
                    ])}
        return cls.create([{
                    'dossier': dossier.id,
                    'document': str(d),
                    } for d in documents if str(d) not in existing])

    def get_files(self):
        "Return (name, data) of every current file of the document"
        document = self.document
        if not document or getattr(document, 'id', -1) < 0:
            return []
        name = document.__name__
        if name == 'mvp.document.file':
            return [(document.name, document)]
        if name == 'ir.attachment':
            return [(document.name, document)]
        if name == 'ir.note':
            return [('note-%s.txt' % document.id, document)]
        files = getattr(document, 'files', None) or []
        return [(f.name, f) for f in files if not f.superseded_by]


class DossierShare(ServerFieldsMixin, ModelSQL, ModelView):
    "Dossier Share"
    __name__ = 'mvp.dossier.share'
    __string__ = "Dossier Share"
    # a share is revoked and granted anew, never moved to someone else
    _fixed_fields = frozenset({'dossier', 'user'})
    dossier = fields.Many2One(
        'mvp.dossier', "Dossier", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Agency"),
        'on_change_with_company', searcher='search_company')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE',
        domain=[('employees.company', '=', Eval('company', -1))])
    permission = fields.Selection([
            ('read', "Read"),
            ('edit', "Edit"),
            ], "Permission", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('dossier_user_unique', Unique(t, t.dossier, t.user),
                'mvp_dossier.msg_dossier_share_unique'),
            ]
        cls.__access__.add('dossier')

    @staticmethod
    def default_permission():
        return 'read'

    @fields.depends('dossier', '_parent_dossier.company')
    def on_change_with_company(self, name=None):
        return self.dossier.company if self.dossier else None

    @classmethod
    def search_company(cls, name, clause):
        return [('dossier.' + clause[0],) + tuple(clause[1:])]

    @classmethod
    def _warn(cls, dossiers):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        dossiers = sorted(dossiers, key=lambda d: d.id)
        key = Warning.format('mvp_dossier_rights', dossiers)
        if Warning.check(key):
            raise DossierWarning(key, gettext(
                    'mvp_dossier.msg_dossier_rights_change',
                    dossier=', '.join(d.rec_name for d in dossiers)))

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            # warned before anything is written
            cls._warn(Dossier.browse(
                    list({v['dossier'] for v in vlist if v.get('dossier')})))
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, shares, values=None, external=False):
        super().check_modification(
            mode, shares, values=values, external=external)
        for share in shares:
            if share.dossier.state == 'destroyed':
                raise AccessError(gettext(
                        'mvp_dossier.msg_dossier_locked',
                        dossier=share.dossier.rec_name))
        if external:
            cls._check_manage(shares, values)
        if external and mode != 'create':
            cls._warn({s.dossier for s in shares})

    @classmethod
    def _check_manage(cls, shares, values):
        """Rights are given by the owners of the dossier only: a reader
        or an editor cannot give themselves or others more"""
        Dossier = Pool().get('mvp.dossier')
        _, employees = Dossier._user_employees()
        for dossier in {s.dossier for s in shares}:
            if not dossier.is_owner(employees):
                refuse('mvp_dossier.msg_dossier_share_manage',
                    [s for s in shares if s.dossier == dossier],
                    fields=set(values or {}), dossier=dossier.rec_name)

    @classmethod
    def on_modification(cls, mode, shares, field_names=None):
        super().on_modification(mode, shares, field_names=field_names)
        if mode in {'create', 'write'}:
            action = 'grant' if mode == 'create' else 'change'
            Pool().get('mvp.dossier.rights.log').record([
                    (s.dossier, action, s.user, s.permission, None)
                    for s in shares])

    @classmethod
    def on_delete(cls, shares):
        callback = super().on_delete(shares)
        entries = [(s.dossier, 'revoke', s.user, s.permission, None)
            for s in shares]
        Log = Pool().get('mvp.dossier.rights.log')
        callback.append(lambda: Log.record(entries))
        return callback


class DossierRightsLog(ModelSQL, ModelView):
    "Dossier Rights Change"
    __name__ = 'mvp.dossier.rights.log'
    __string__ = "Dossier Rights Change"
    dossier = fields.Many2One(
        'mvp.dossier', "Dossier", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    author = fields.Many2One('res.user', "Changed By", readonly=True)
    action = fields.Selection([
            ('grant', "Granted"),
            ('change', "Changed"),
            ('revoke', "Revoked"),
            ('owner', "Responsible changed"),
            ], "Action", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    permission = fields.Char("Permission", readonly=True)
    description = fields.Char("Description", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('dossier')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def record(cls, entries):
        "entries: (dossier, action, user, permission, description)"
        now = dt.datetime.now()
        author = Transaction().user or None
        with without_check_access():
            cls.create([{
                        'dossier': d.id,
                        'date': now,
                        'author': author,
                        'action': action,
                        'user': user.id if user else None,
                        'permission': permission,
                        'description': description,
                        } for d, action, user, permission, description
                    in entries if d.id >= 0])

    @classmethod
    def check_modification(cls, mode, logs, values=None, external=False):
        super().check_modification(
            mode, logs, values=values, external=external)
        if external:
            refuse('mvp_dossier.msg_dossier_rights_log_readonly', logs,
                fields=set(values or {}))


class DocumentFile(metaclass=PoolMeta):
    __name__ = 'mvp.document.file'

    @classmethod
    def _get_resources(cls):
        # files uploaded straight into a dossier (scans, annexes, notes)
        return super()._get_resources() | {'mvp.dossier'}

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        Dossier = pool.get('mvp.dossier')
        files = super().create(vlist)
        # a file uploaded into a dossier is one of its documents; the
        # values say where it went without reading the resource back
        by_dossier = defaultdict(list)
        for file, values in zip(files, vlist, strict=True):
            model, id_ = reference_model_id(values.get('resource'))
            if model == 'mvp.dossier' and values.get('version') in {None, 1}:
                by_dossier[id_].append(file)
        for dossier_id, dossier_files in by_dossier.items():
            Line.link(Dossier(dossier_id), dossier_files)
        return files


class DossierLinkStart(ModelView):
    __string__ = "Link to Dossier"
    __name__ = 'mvp.dossier.link.start'
    dossier = fields.Many2One(
        'mvp.dossier', "Dossier", required=True,
        domain=[('state', '=', 'open')])


class DossierLink(Wizard):
    __string__ = "Link to Dossier"
    __name__ = 'mvp.dossier.link'
    # Bound (form_action keyword) to every model of
    # DossierLine._get_documents() that wants an "Add to dossier" action.
    start = StateView('mvp.dossier.link.start',
        'mvp_dossier.dossier_link_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Link", 'link', 'tryton-ok', default=True),
            ])
    link = StateTransition()

    def transition_link(self):
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        Dossier = pool.get('mvp.dossier')
        # Wizard.execute runs without access checks and the form's
        # dossier comes from the client: re-read both with the user's
        # rights, then link as the user's own create would.
        dossier_id = self.start.dossier.id
        with check_access():
            dossiers = Dossier.search([('id', '=', dossier_id)])
            if not dossiers:
                refuse('mvp_dossier.msg_dossier_no_edit_right',
                    [Dossier(dossier_id)], dossier='#%s' % dossier_id)
            dossier, = dossiers
            if dossier.state != 'open':
                refuse('mvp_dossier.msg_dossier_locked', [dossier],
                    dossier=dossier.rec_name)
            documents = self._readable_records(dossier)
            Line.link(dossier, documents)
        return 'end'

    def _readable_records(self, dossier):
        "The active records, as far as the user may read them all"
        Model = Pool().get(self.model.__name__)
        ids = {r.id for r in self.records}
        found = Model.search([('id', 'in', sorted(ids))])
        if {r.id for r in found} != ids:
            log_refusal(Model.__name__, ids, (), 'unreadable documents')
            raise AccessError(gettext(
                    'mvp_dossier.msg_dossier_document_unreadable',
                    dossier=dossier.rec_name))
        return found
