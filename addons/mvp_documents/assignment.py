# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from sql import Null

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .back_entry import (
    BackEntryMixin, RecordedLateMixin, back_entered, check_real_time,
    occurred, real_time, step_time)
from .document_type import URGENCIES
from .document_type import is_classified
from .exceptions import AssignmentError, AssignmentWarning
from .employee import user_employees
from .file import DocumentFileMixin
from .incoming import can_assign, changed_fields, local_date
from .notification import notify
from .protection import ServerFieldsMixin, readable, refuse

ROLES = [
    ('lead', "Lead"),
    ('coordinate', "Coordinate"),
    ('info', "For Information"),
    ]
STATES = [
    ('draft', "Draft"),
    ('assigned', "Assigned"),
    ('in_progress', "In Progress"),
    ('done', "Done"),
    ('returned', "Returned"),
    ('withdrawn', "Withdrawn"),
    ]
OPEN_STATES = ['assigned', 'in_progress']
ACTIVE_STATES = ['draft', 'assigned', 'in_progress', 'done']


class Assignment(ServerFieldsMixin, BackEntryMixin, DocumentFileMixin,
        Workflow, ModelSQL, ModelView):
    "Assignment"
    __name__ = 'mvp.assignment'
    __string__ = "Assignment"
    # Phân công xử lý: the leader gives a department or an official a role
    # on an incoming document, a deadline and an instruction; a department
    # head splits the department's part among its officials (children).
    _draft = Eval('state') != 'draft'
    # Set by the buttons only (issue 15); due_state by the morning cron
    _server_fields = frozenset({
            'state', 'assigner', 'assigned_date', 'first_read', 'done_date',
            'return_reason', 'due_state', 'recorded_late',
            })
    _fixed_fields = frozenset({'incoming', 'parent', 'company'})
    _back_entry_states = ('draft', 'assigned', 'in_progress')
    # What the person who assigns gives, while the assignment is a draft
    _given_fields = frozenset({
            'department', 'employee', 'role', 'deadline', 'instruction'})

    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='CASCADE')
    incoming = fields.Many2One(
        'mvp.incoming', "Document", required=True, ondelete='CASCADE',
        states={'readonly': Eval('id', -1) >= 0})
    parent = fields.Many2One(
        'mvp.assignment', "Assigned Within", ondelete='CASCADE',
        readonly=True)
    children = fields.One2Many(
        'mvp.assignment', 'parent', "Assignments Within Department",
        states={
            'invisible': ~Eval('department'),
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    department = fields.Many2One(
        'mvp.department', "Department", ondelete='RESTRICT',
        states={'readonly': _draft})
    employee = fields.Many2One(
        'company.employee', "Official", ondelete='RESTRICT',
        states={'readonly': _draft})
    role = fields.Selection(
        ROLES, "Role", required=True, states={'readonly': _draft})
    deadline = fields.Date("Deadline", states={'readonly': _draft})
    instruction = fields.Text(
        "Instruction", states={'readonly': _draft},
        help="Ý kiến chỉ đạo of the person who assigns.")
    assigner = fields.Many2One(
        'company.employee', "Assigned By", readonly=True)
    assigned_date = fields.DateTime("Assigned On", readonly=True)
    first_read = fields.DateTime(
        "First Opened", readonly=True,
        help="When the assignee first opened the document.")
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    progress = fields.One2Many(
        'mvp.assignment.progress', 'assignment', "Progress",
        states={'readonly': ~Eval('state').in_(OPEN_STATES)})
    result = fields.Text(
        "Result", states={'readonly': ~Eval('state').in_(OPEN_STATES)})
    done_date = fields.DateTime("Finished On", readonly=True)
    recorded_late = fields.Boolean(
        "Recorded Late", readonly=True,
        help="A step of the assignment was entered after an outage; the "
        "timeline keeps when it happened and when it was entered.")
    return_reason = fields.Text(
        "Return Reason", readonly=True,
        states={'invisible': ~Eval('return_reason')})
    assignee = fields.Function(fields.Char("Assignee"), 'get_assignee')
    substitute = fields.Function(
        fields.Many2One('company.employee', "Substitute"),
        'on_change_with_substitute')
    absence_note = fields.Function(
        fields.Char("Absence"), 'on_change_with_absence_note')
    subject = fields.Function(
        fields.Char("Subject"), 'get_incoming_field',
        searcher='search_incoming_field')
    notation = fields.Function(
        fields.Char("Number and Notation"), 'get_incoming_field',
        searcher='search_incoming_field')
    arrival_number = fields.Function(
        fields.Integer("Arrival Number"), 'get_incoming_field')
    urgency = fields.Function(
        fields.Selection(URGENCIES, "Urgency"), 'get_incoming_field',
        searcher='search_incoming_field')
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')

    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('incoming')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.employee, Index.Equality()),
                    (t.state, Index.Equality()),
                    (t.deadline, Index.Range(order='ASC'))),
                Index(t,
                    (t.department, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.incoming, Index.Equality())),
                Index(t, (t.deadline, Index.Range()),
                    where=t.state.in_(OPEN_STATES)),
                # an officer's inbox: their open work by deadline, read
                # in order (without it the planner walks every open
                # assignment of the province by deadline)
                Index(t,
                    (t.employee, Index.Equality()),
                    (t.deadline, Index.Range()),
                    where=t.state.in_(OPEN_STATES)),
                })
        cls._order = [
            ('deadline', 'ASC NULLS LAST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'assigned'),
            ('assigned', 'in_progress'),
            ('assigned', 'done'),
            ('in_progress', 'done'),
            ('assigned', 'returned'),
            ('in_progress', 'returned'),
            ('draft', 'withdrawn'),
            ('assigned', 'withdrawn'),
            ('in_progress', 'withdrawn'),
            }
        cls._buttons.update({
                'start': {
                    'invisible': Eval('state') != 'assigned',
                    'depends': ['state'],
                    },
                'finish': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'return_wizard': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'withdraw': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'distribute': {
                    'invisible': (~Eval('state').in_(OPEN_STATES)
                        | ~Eval('department')),
                    'depends': ['state', 'department'],
                    },
                'use_substitute': {
                    'invisible': ((Eval('state') != 'draft')
                        | ~Bool(Eval('substitute'))),
                    'depends': ['state', 'substitute'],
                    },
                })
        cls.__rpc__.update({
                'mark_read': RPC(readonly=False, instantiate=0),
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_role(cls):
        return 'lead'

    @fields.depends('incoming', '_parent_incoming.company',
        '_parent_incoming.deadline', 'deadline', 'parent',
        '_parent_parent.deadline')
    def on_change_incoming(self):
        if self.incoming:
            self.company = self.incoming.company
            if not self.deadline:
                self.deadline = self.incoming.deadline

    @fields.depends('parent', '_parent_parent.incoming',
        '_parent_parent.company', '_parent_parent.department',
        '_parent_parent.deadline', 'deadline')
    def on_change_parent(self):
        if self.parent:
            self.incoming = self.parent.incoming
            self.company = self.parent.company
            if not self.deadline:
                self.deadline = self.parent.deadline

    @classmethod
    def get_rec_name(cls, assignments, name):
        # Inboxes list many assignments: the names are read in batches
        # of a few columns, not record by record
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        rows = cls.read(
            [a.id for a in assignments], ['incoming', 'role', 'assignee'])
        documents = {
            r['id']: r['rec_name'] for r in Incoming.read(
                list({r['incoming'] for r in rows}), ['rec_name'])}
        roles = dict(cls.fields_get(['role'])['role']['selection'])
        return {
            r['id']: '%s: %s (%s)' % (
                documents[r['incoming']], r['assignee'],
                roles.get(r['role'], ''))
            for r in rows}

    role_string = role.translated('role')
    state_string = state.translated('state')

    @classmethod
    def get_assignee(cls, assignments, name):
        pool = Pool()
        Employee = pool.get('company.employee')
        Department = pool.get('mvp.department')
        rows = cls.read(
            [a.id for a in assignments], ['employee', 'department'])
        names = {}
        for Model, field in [
                (Employee, 'employee'), (Department, 'department')]:
            ids = list({r[field] for r in rows if r[field] is not None})
            names[field] = {
                r['id']: r['rec_name'] for r in Model.read(ids, ['rec_name'])}
        return {
            r['id']: ' / '.join(
                names[f][r[f]] for f in ['employee', 'department']
                if r[f] is not None)
            for r in rows}

    @fields.depends('employee', 'deadline')
    def on_change_with_substitute(self, name=None):
        absence = self._absence()
        if absence and absence.substitute:
            return absence.substitute.id

    @fields.depends('employee', 'deadline')
    def on_change_with_absence_note(self, name=None):
        absence = self._absence()
        if absence:
            return gettext('mvp_documents.msg_assignment_absence_note',
                start=absence.start_date.strftime('%d/%m/%Y'),
                end=absence.end_date.strftime('%d/%m/%Y'),
                substitute=absence.substitute.rec_name
                if absence.substitute else '-')

    def _absence(self):
        pool = Pool()
        Absence = pool.get('mvp.absence')
        Date = pool.get('ir.date')
        if not self.employee:
            return None
        return Absence.absence_of(self.employee, self.deadline or Date.today())

    @classmethod
    def get_incoming_field(cls, assignments, names):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        rows = cls.read([a.id for a in assignments], ['incoming'])
        # the subject of a classified document is its label
        sources = {n: 'summary' if n == 'subject' else n for n in names}
        values = {
            r['id']: r for r in Incoming.read(
                list({r['incoming'] for r in rows}),
                list(set(sources.values())))}
        return {
            n: {r['id']: values[r['incoming']][sources[n]] for r in rows}
            for n in names}

    @classmethod
    def search_incoming_field(cls, name, clause):
        return [('incoming.' + clause[0], *clause[1:])]

    @classmethod
    def get_overdue(cls, assignments, name):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return {
            a.id: bool(a.deadline and a.state in OPEN_STATES
                and a.deadline < today)
            for a in assignments}

    @classmethod
    def search_overdue(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        _, operator, value = clause[:3]
        today = Date.today()
        if (operator == '=') == bool(value):
            return [
                ('deadline', '<', today),
                ('state', 'in', OPEN_STATES),
                ]
        return ['OR',
            ('deadline', '=', None),
            ('deadline', '>=', today),
            ('state', 'not in', OPEN_STATES),
            ]

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            parent = cls(values['parent']) if values.get('parent') else None
            if parent and not values.get('incoming'):
                values['incoming'] = parent.incoming.id
            incoming = (
                Incoming(values['incoming']) if values.get('incoming')
                else None)
            if incoming and not values.get('company'):
                values['company'] = incoming.company.id
            if not values.get('deadline'):
                # the department's deadline, else the document's
                source = parent or incoming
                values['deadline'] = source.deadline if source else None
        return super().create(vlist)

    @classmethod
    def copy(cls, assignments, default=None):
        default = default.copy() if default is not None else {}
        for name in ['assigner', 'assigned_date', 'first_read', 'done_date',
                'return_reason', 'result']:
            default.setdefault(name, None)
        default.setdefault('state', 'draft')
        default.setdefault('progress', None)
        default.setdefault('children', None)
        default.setdefault('files', None)
        return super().copy(assignments, default=default)

    @classmethod
    def validate_fields(cls, assignments, field_names):
        super().validate_fields(assignments, field_names)
        if field_names & {'incoming', 'company', 'parent'}:
            cls.check_document(assignments)
        if field_names & {'employee', 'department', 'company', 'parent'}:
            cls.check_assignee(assignments)
        if field_names & {'role', 'state', 'parent', 'incoming'}:
            cls.check_single_lead(assignments)
        if field_names & {'deadline'}:
            cls.check_deadline(assignments)

    @classmethod
    def check_assignee(cls, assignments):
        for assignment in assignments:
            if not assignment.employee and not assignment.department:
                raise AssignmentError(gettext(
                        'mvp_documents.msg_assignment_nobody',
                        document=assignment.incoming.rec_name))
            for target in [assignment.employee, assignment.department]:
                if target and target.company != assignment.company:
                    raise AssignmentError(gettext(
                            'mvp_documents.msg_assignment_other_agency',
                            assignee=target.rec_name,
                            agency=assignment.company.rec_name))
            parent = assignment.parent
            if parent and parent.department:
                employee = assignment.employee
                department = assignment.department
                if ((employee and employee.department != parent.department)
                        or (department and department != parent.department
                            and department.parent != parent.department)):
                    raise AssignmentError(gettext(
                            'mvp_documents.msg_assignment_outside_department',
                            assignee=assignment.assignee,
                            department=parent.department.rec_name))

    @classmethod
    def check_document(cls, assignments):
        "Check an assignment belongs to the agency and work of its document"
        for assignment in assignments:
            parent = assignment.parent
            if (assignment.company != assignment.incoming.company
                    or (parent and parent.incoming != assignment.incoming)):
                refuse('mvp_documents.msg_assignment_other_document',
                    [assignment], fields={'company', 'incoming', 'parent'},
                    error=AssignmentError,
                    document=assignment.incoming.rec_name)

    @classmethod
    def check_single_lead(cls, assignments):
        for assignment in assignments:
            if (assignment.role != 'lead'
                    or assignment.state not in ACTIVE_STATES):
                continue
            leads = cls.search([
                    ('incoming', '=', assignment.incoming.id),
                    ('parent', '=',
                        assignment.parent.id if assignment.parent else None),
                    ('role', '=', 'lead'),
                    ('state', 'in', ACTIVE_STATES),
                    ('id', '!=', assignment.id),
                    ], limit=1)
            if leads:
                raise AssignmentError(gettext(
                        'mvp_documents.msg_assignment_second_lead',
                        document=assignment.incoming.rec_name,
                        lead=leads[0].assignee))

    @classmethod
    def check_deadline(cls, assignments):
        for assignment in assignments:
            incoming = assignment.incoming
            arrival = local_date(incoming.company, incoming.arrival_date)
            if assignment.deadline and assignment.deadline < arrival:
                raise AssignmentError(gettext(
                        'mvp_documents.msg_assignment_deadline_before_arrival',
                        deadline=assignment.deadline.strftime('%d/%m/%Y'),
                        arrival=arrival.strftime('%d/%m/%Y'),
                        assignee=assignment.assignee))

    @classmethod
    def check_modification(
            cls, mode, assignments, values=None, external=False):
        super().check_modification(
            mode, assignments, values=values, external=external)
        if mode == 'delete':
            for assignment in assignments:
                if assignment.state != 'draft':
                    raise AssignmentError(gettext(
                            'mvp_documents.msg_assignment_delete_assigned',
                            assignment=assignment.rec_name))
        if not external or Transaction().user == 0:
            return
        for assignment in assignments:
            if mode == 'create':
                assignment._check_user_create()
            elif mode == 'write':
                assignment._check_user_write(values)
            elif not assignment._can_direct():
                assignment._refuse('msg_assignment_not_assigner', set())

    def _check_user_create(self):
        "Check the user may give this new assignment"
        parent = self.parent
        if parent:
            # a department head splits the department's open part
            if parent.state not in OPEN_STATES or not parent._can_act():
                self._refuse('msg_assignment_create_not_allowed', {'parent'})
        elif (self.incoming.state not in {
                    'registered', 'submitted', 'assigned', 'processing'}
                or not can_assign(self.company)):
            self._refuse('msg_assignment_create_not_allowed', {'incoming'})

    def _check_user_write(self, values):
        """Check the user changes only what their part allows: the person
        who assigns what they give while it is a draft, the assignee the
        result and the split of an open assignment"""
        # Values sent back unchanged pass: the web client's selection
        # widget can send back the role while it redraws a form.
        given = changed_fields(self, values, self._given_fields)
        if given and (self.state != 'draft' or not self._can_direct()):
            self._refuse('msg_assignment_field_locked', given)
        acted = changed_fields(self, values, {'result', 'children'})
        if acted and (self.state not in OPEN_STATES or not self._can_act()):
            self._refuse('msg_assignment_field_locked', acted)

    def _refuse(self, message, names):
        refuse('mvp_documents.' + message, [self], fields=names,
            error=AssignmentError,
            field_names=self._field_labels(names) if names else '',
            assignment=self.rec_name, state=self.state_string)

    @classmethod
    def _current_employee(cls, company):
        employees = user_employees(company)
        return employees[0] if employees else None

    @classmethod
    @Workflow.transition('assigned')
    def assign(cls, assignments):
        "Give the draft assignments to their assignees"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        cls.check_absences(assignments)
        now = step_time()
        for assignment in assignments:
            assignment.assigned_date = now
            assignment.recorded_late = back_entered()
            assignment.assigner = cls._current_employee(assignment.company)
        cls.save(assignments)
        by_incoming = {}
        for assignment in assignments:
            by_incoming.setdefault(
                (assignment.incoming, assignment.parent), []).append(
                assignment)
        for (incoming, parent), group in by_incoming.items():
            description = '; '.join(cls._describe(a) for a in group)
            if parent:
                for assignment in group:
                    Incoming._step([incoming], 'assign',
                        cls._describe(assignment), assignment=assignment)
            else:
                Incoming.add_event(
                    [incoming], '04', description, step='assign')
        for assignment in assignments:
            notify(
                assignment.assignee_users(),
                gettext('mvp_documents.msg_assignment_notify_subject',
                    document=assignment.incoming.rec_name),
                gettext('mvp_documents.msg_assignment_notify_body',
                    document=assignment.incoming.rec_name,
                    role=assignment.role_string,
                    deadline=assignment.deadline.strftime('%d/%m/%Y')
                    if assignment.deadline else '-',
                    instruction=assignment._notified_instruction()),
                records=[assignment])

    def _notified_instruction(self):
        "Return the instruction a notification may carry"
        # nothing of a classified document leaves the system (item 6)
        if is_classified(self.incoming.confidentiality):
            return ''
        return self.instruction or ''

    @classmethod
    def _describe(cls, assignment):
        text = '%s (%s)' % (assignment.assignee, assignment.role_string)
        if assignment.deadline:
            text += ' %s' % assignment.deadline.strftime('%d/%m/%Y')
        if assignment.instruction:
            text += ': %s' % assignment.instruction
        return text

    def assignee_users(self):
        "Return the users who act for the assignee"
        employees = []
        if self.employee:
            employees.append(self.employee)
        elif self.department and self.department.head:
            employees.append(self.department.head)
        return {u for e in employees for u in e.users}

    @classmethod
    def check_absences(cls, assignments):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for assignment in assignments:
            absence = assignment._absence()
            if not absence:
                continue
            key = Warning.format('mvp_assignment_absence', [assignment])
            if Warning.check(key):
                raise AssignmentWarning(key, gettext(
                        'mvp_documents.msg_assignment_absence_warning',
                        employee=assignment.employee.rec_name,
                        start=absence.start_date.strftime('%d/%m/%Y'),
                        end=absence.end_date.strftime('%d/%m/%Y'),
                        substitute=absence.substitute.rec_name
                        if absence.substitute else '-'))

    def _can_act(self):
        "Tell whether the user acts as the assignee"
        if Transaction().user == 0:
            return True
        employees = user_employees(self.company)
        if self.employee in employees:
            return True
        if self.department and self.department.head in employees:
            return True
        if self.parent and self.parent._can_act():
            return True
        return False

    def _can_direct(self):
        "Tell whether the user gave or may give this assignment"
        if Transaction().user == 0:
            return True
        employees = user_employees(self.company)
        if self.assigner and self.assigner in employees:
            return True
        if self.parent:
            return self.parent._can_act()
        return any(e.can_assign_in(self.company) for e in employees)

    @classmethod
    def _check_acting(cls, assignments):
        for assignment in assignments:
            if not assignment._can_act():
                assignment._refuse('msg_assignment_not_assignee', set())

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, assignments):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        cls._check_acting(assignments)
        with occurred(assignments, lambda a: a.assigned_date):
            cls._mark_late(assignments)
            Incoming.process(list({a.incoming for a in assignments
                        if a.incoming.state == 'assigned'}))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def finish(cls, assignments):
        cls._check_acting(assignments)
        with occurred(assignments, lambda a: a.assigned_date):
            cls._finish(assignments)

    @classmethod
    def _finish(cls, assignments):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        cls.write(assignments, {'done_date': step_time()})
        cls._mark_late(assignments)
        for assignment in assignments:
            Incoming._step([assignment.incoming], 'finish',
                '%s: %s' % (assignment.assignee, assignment.result or ''),
                assignment=assignment)
        leads = [a for a in assignments if a.role == 'lead']
        parents = [a.parent for a in leads
            if a.parent and a.parent.state in OPEN_STATES]
        if parents:
            with Transaction().set_user(0):
                cls.finish(parents)
        completed = list({a.incoming for a in leads if not a.parent
                    and a.incoming.state in {'assigned', 'processing'}})
        if completed:
            Incoming.complete(completed)

    @classmethod
    def _mark_late(cls, assignments):
        if back_entered():
            cls.write(assignments, {'recorded_late': True})

    @classmethod
    def return_(cls, assignments, reason):
        "Give assignments back to whoever assigned them, with reason"
        if not (reason or '').strip():
            raise AssignmentError(gettext(
                    'mvp_documents.msg_assignment_reason_required'))
        cls._check_acting(assignments)
        with without_check_access():
            cls._return(assignments, reason)

    @classmethod
    @Workflow.transition('returned')
    def _return(cls, assignments, reason):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        cls.write(assignments, {'return_reason': reason})
        for assignment in assignments:
            Incoming._step([assignment.incoming], 'return',
                '%s: %s' % (assignment.assignee, reason),
                assignment=assignment)
            if assignment.assigner:
                notify(
                    assignment.assigner.users,
                    gettext('mvp_documents.msg_assignment_notify_returned',
                        assignee=assignment.assignee,
                        document=assignment.incoming.rec_name),
                    reason, records=[assignment.incoming])

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_assignment_return')
    def return_wizard(cls, assignments):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('withdrawn')
    def withdraw(cls, assignments):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        for assignment in assignments:
            if not assignment._can_direct():
                assignment._refuse('msg_assignment_not_assigner', set())
        children = [c for a in assignments for c in a.children
            if c.state in {'draft'} | set(OPEN_STATES)]
        if children:
            with Transaction().set_user(0):
                cls.withdraw(children)
        for assignment in assignments:
            Incoming._step([assignment.incoming], 'withdraw',
                assignment.assignee, assignment=assignment)

    @classmethod
    @ModelView.button
    def distribute(cls, assignments):
        "Assign the department's part to its officials"
        cls._check_acting(assignments)
        children = [c for a in assignments for c in a.children
            if c.state == 'draft']
        if not children:
            raise AssignmentError(gettext(
                    'mvp_documents.msg_assignment_distribute_nobody'))
        cls.assign(children)
        to_start = [a for a in assignments if a.state == 'assigned']
        if to_start:
            cls.start(to_start)

    @classmethod
    @ModelView.button
    def use_substitute(cls, assignments):
        for assignment in assignments:
            if not assignment._can_direct():
                assignment._refuse('msg_assignment_not_assigner', set())
            if assignment.substitute:
                assignment.employee = assignment.substitute
        cls.save(assignments)

    @classmethod
    def mark_read(cls, assignments):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Incoming._record_first_read(
            [('id', 'in', [a.id for a in assignments])])

    @classmethod
    def read(cls, ids, fields_names):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        transaction = Transaction()
        if (transaction.user and transaction.check_access
                and fields_names and 'progress' in fields_names):
            # only the form shows the progress: the assignment is opened
            Incoming._record_first_read([('id', 'in', list(ids))])
        return super().read(ids, fields_names)

    @classmethod
    def _mark_read(cls, assignments):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        now = datetime.datetime.now()
        # A read receipt is not a change of the assignment: keep its
        # write_date, or the form just opened could not be saved.
        for sub_ids in grouped_slice(
                [a.id for a in assignments], backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.update(
                    [table.first_read], [now],
                    where=SQL_OPERATORS['in'](table.id, list(sub_ids))
                    & (table.first_read == Null)))
        transaction.counter += 1
        for record in assignments:
            record._local_cache.pop(record.id, None)
        for cache in transaction.cache.values():
            if cls.__name__ in cache:
                for record in assignments:
                    cache[cls.__name__].pop(record.id, None)
        for assignment in assignments:
            Incoming._step([assignment.incoming], 'read',
                assignment.assignee, assignment=assignment)


class AssignmentProgress(RecordedLateMixin, ModelSQL, ModelView):
    "Assignment Progress"
    __name__ = 'mvp.assignment.progress'
    __string__ = "Assignment Progress"
    assignment = fields.Many2One(
        'mvp.assignment', "Assignment", required=True, ondelete='CASCADE')
    date = fields.DateTime("Date", required=True, readonly=True)
    occurred_at = fields.DateTime(
        "Really Happened At",
        states={'readonly': Eval('id', -1) >= 0},
        help="After an outage only: when this progress really happened. "
        "Leave empty otherwise.")
    employee = fields.Many2One(
        'company.employee', "Official", readonly=True, ondelete='SET NULL')
    description = fields.Text("Description", required=True)
    percent = fields.Integer(
        "Percent Done",
        domain=['OR',
            ('percent', '=', None),
            [('percent', '>=', 0), ('percent', '<=', 100)],
            ])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('assignment')
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_date(cls):
        return datetime.datetime.now().replace(microsecond=0)

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        transaction = Transaction()
        if transaction.user and transaction.check_access:
            # the server stamps when and by whom progress is recorded: a
            # user's own values could back-date it or name someone else;
            # a time after an outage is checked (Article 3.2)
            vlist = [{**v, 'date': cls._real_time(v), 'employee': None,
                    'recorded_late': bool(v.get('occurred_at'))}
                for v in vlist]
        progresses = super().create(vlist)
        for progress in progresses:
            assignment = progress.assignment
            if assignment.state not in OPEN_STATES:
                raise AssignmentError(gettext(
                        'mvp_documents.msg_assignment_progress_closed',
                        assignment=assignment.rec_name))
        Assignment._check_acting(list({p.assignment for p in progresses}))
        to_write = []
        for progress in progresses:
            employee = Assignment._current_employee(
                progress.assignment.company)
            if employee:
                to_write.extend(([progress], {'employee': employee.id}))
        if to_write:
            with without_check_access():
                cls.write(*to_write)
        for progress in progresses:
            with real_time(progress.date if progress.recorded_late else None):
                progress._record_step()
        return progresses

    def _record_step(self):
        "Put the progress on the timeline; the first one starts the work"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Incoming = pool.get('mvp.incoming')
        assignment = self.assignment
        Incoming._step([assignment.incoming], 'progress',
            '%s: %s' % (assignment.assignee, self.description),
            assignment=assignment)
        if assignment.state == 'assigned':
            with without_check_access():
                Assignment.start([assignment])

    @classmethod
    def _real_time(cls, values):
        "Return the checked time the progress of values happened"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        at = values.get('occurred_at')
        if not at:
            return datetime.datetime.now().replace(microsecond=0)
        assignment = Assignment(values['assignment'])
        check_real_time(at, assignment.assigned_date,
            document=assignment.rec_name)
        return at.replace(microsecond=0)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            refuse('mvp_documents.msg_assignment_progress_readonly',
                records, fields=set(values or {}), model=cls.__name__,
                error=AssignmentError)


class AssignmentReturnStart(ModelView):
    "Return Assignment"
    __name__ = 'mvp.assignment.return.start'
    __string__ = "Return Assignment"
    reason = fields.Text("Reason", required=True)


class AssignmentReturn(Wizard):
    "Return Assignment"
    __name__ = 'mvp.assignment.return'
    __string__ = "Return Assignment"
    start = StateView(
        'mvp.assignment.return.start',
        'mvp_documents.assignment_return_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Return", 'return_', 'tryton-ok', default=True),
            ])
    return_ = StateTransition()

    def transition_return_(self):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        # return_ checks the assignee
        Assignment.return_(
            readable(Assignment, self.records), self.start.reason)
        return 'end'
