# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import outgoing_notification
from .exceptions import OutgoingError
from .outgoing import OutgoingWizardMixin
from .protection import refuse

# What the reviewer writes; every other field is set by the request
ANSWER_FIELDS = {'answer', 'answer_file', 'answer_file_name'}


class OutgoingComment(Workflow, ModelSQL, ModelView):
    __string__ = "Comment on a Draft"
    __name__ = 'mvp.outgoing.comment'
    # A request for comments (góp ý) on one draft version, sent to an
    # official, a department or another agency, and its answer.
    _answer = {'readonly': Eval('state') != 'requested'}

    outgoing = fields.Many2One(
        'mvp.outgoing', "Document", required=True, ondelete='CASCADE',
        readonly=True)
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True)
    version = fields.Integer("Draft Version", required=True, readonly=True)
    reviewer_kind = fields.Selection([
            ('employee', "Official"),
            ('department', "Department"),
            ('agency', "Agency"),
            ], "Reviewer Kind", required=True, readonly=True)
    reviewer_employee = fields.Many2One(
        'company.employee', "Official", readonly=True, ondelete='RESTRICT',
        states={'invisible': Eval('reviewer_kind') != 'employee'})
    reviewer_department = fields.Many2One(
        'mvp.department', "Department", readonly=True, ondelete='RESTRICT',
        states={'invisible': Eval('reviewer_kind') != 'department'})
    reviewer_agency = fields.Many2One(
        'company.company', "Agency Asked", readonly=True,
        ondelete='RESTRICT',
        states={'invisible': Eval('reviewer_kind') != 'agency'})
    reviewer_name = fields.Char("Reviewer", readonly=True)
    deadline = fields.Date("Deadline", required=True, readonly=True)
    request = fields.Text("Request", readonly=True)
    requested_by = fields.Char("Requested by", readonly=True)
    document_subject = fields.Function(
        fields.Text("Draft Subject"), 'get_document')
    document_agency = fields.Function(
        fields.Char("Drafting Agency"), 'get_document')
    draft_file = fields.Function(
        fields.Binary("Draft File", filename='draft_file_name'),
        'get_draft_file')
    draft_file_name = fields.Function(
        fields.Char("Draft File Name"), 'get_draft_file')
    answer = fields.Text("Answer", states=_answer)
    answer_file = fields.Binary(
        "Annotated File", filename='answer_file_name', states=_answer)
    answer_file_name = fields.Char("Annotated File Name", states=_answer)
    answered_by = fields.Char("Answered by", readonly=True)
    answer_date = fields.DateTime("Answered at", readonly=True)
    late = fields.Function(fields.Boolean("Late"), 'get_late')
    state = fields.Selection([
            ('requested', "Requested"),
            ('answered', "Answered"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _answer

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.state, Index.Equality(cardinality='low')),
                where=t.state == 'requested'))
        cls._order = [('version', 'DESC'), ('id', 'ASC')]
        cls._transitions |= {
            ('requested', 'answered'),
            ('requested', 'cancelled'),
            }
        cls._buttons.update({
                'send_answer': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def check_modification(cls, mode, comments, values=None, external=False):
        super().check_modification(
            mode, comments, values=values, external=external)
        if not external or not Transaction().user:
            return
        if mode == 'write' and not (set(values) - ANSWER_FIELDS):
            cls._check_answerer(comments, values)
        elif mode in {'create', 'write'}:
            # Requests are made by the Request Comments wizard only
            tried = set(values or ()) - ANSWER_FIELDS if values else {
                'outgoing'}
            refuse('mvp_documents.msg_field_server_only', comments,
                fields=tried, model=cls.__name__,
                field_names=cls._field_labels(tried),
                model_name=cls.__names__()['model'])

    @classmethod
    def _check_answerer(cls, comments, values):
        "Only the reviewer writes the answer, while it is requested"
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        for comment in comments:
            if comment.state != 'requested' or not comment.is_reviewer(user):
                refuse('mvp_documents.msg_outgoing_comment_answer_only',
                    [comment], fields=values,
                    reviewer=comment.reviewer_name)

    @classmethod
    def _field_labels(cls, names):
        definitions = cls.fields_get(sorted(names))
        return ', '.join(
            '"%s"' % definitions[n]['string'] for n in sorted(names))

    @classmethod
    def get_document(cls, comments, names):
        result = {n: {} for n in names}
        with without_check_access():
            for comment in cls.browse(comments):
                outgoing = comment.outgoing
                if 'document_subject' in names:
                    result['document_subject'][comment.id] = outgoing.subject
                if 'document_agency' in names:
                    result['document_agency'][comment.id] = (
                        outgoing.company.rec_name)
        return result

    def _version_file(self):
        files = [f for f in self.outgoing.files
            if f.kind == 'draft' and (f.version or 1) == self.version]
        # The PDF is the one a reviewer can read anywhere
        files.sort(key=lambda f: f.mimetype != 'application/pdf')
        return files[0] if files else None

    @classmethod
    def get_draft_file(cls, comments, names):
        result = {n: {} for n in names}
        with without_check_access():
            for comment in cls.browse(comments):
                file = comment._version_file()
                if 'draft_file' in names:
                    result['draft_file'][comment.id] = (
                        file.data if file else None)
                if 'draft_file_name' in names:
                    result['draft_file_name'][comment.id] = (
                        file.name if file else None)
        return result

    def get_late(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        if self.state != 'requested':
            return False
        return self.deadline < Date.today()

    def is_reviewer(self, user):
        employees = set(user.employees)
        if self.reviewer_kind == 'employee':
            return self.reviewer_employee in employees
        if self.reviewer_kind == 'department':
            return any(e.department == self.reviewer_department
                for e in employees)
        # the agency the reviewer works in, not the client's context
        return user.get_working_company(user.id) == self.reviewer_agency

    @classmethod
    @ModelView.button
    @Workflow.transition('answered')
    def send_answer(cls, comments):
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        user = User(transaction.user)
        for comment in comments:
            if transaction.user and not comment.is_reviewer(user):
                raise OutgoingError(gettext(
                        'mvp_documents.msg_outgoing_comment_not_reviewer',
                        reviewer=comment.reviewer_name))
            if not (comment.answer or '').strip():
                raise OutgoingError(gettext(
                        'mvp_documents.msg_outgoing_comment_no_answer'))
        employee = user.employee
        cls.write(comments, {
                'answered_by': (employee.rec_name if employee
                    else user.rec_name),
                'answer_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, comments):
        # The drafter withdraws the request, not the reviewer
        for comment in comments:
            comment.outgoing.check_drafter_acts(heads=True)

    @classmethod
    def request_comments(cls, outgoing, deadline, request=None,
            employees=(), departments=(), agencies=()):
        "Ask for comments on the current draft version"
        pool = Pool()
        Date = pool.get('ir.date')
        User = pool.get('res.user')
        if outgoing.state != 'draft' or not (
                outgoing.draft_version or outgoing.classified):
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_no_draft',
                    outgoing=outgoing.rec_name))
        outgoing.check_drafter_acts()
        cls._check_reviewers(outgoing, employees, departments, agencies)
        if not (employees or departments or agencies):
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_comment_no_reviewer'))
        if not deadline or deadline < Date.today():
            raise OutgoingError(gettext(
                    'mvp_documents.msg_outgoing_comment_deadline'))
        user = User(Transaction().user)
        base = {
            'outgoing': outgoing.id,
            'company': outgoing.company.id,
            'version': outgoing.draft_version,
            'deadline': deadline,
            'request': request,
            'requested_by': (user.employee.rec_name if user.employee
                else user.rec_name),
            }
        vlist = []
        for kind, records in [
                ('employee', employees),
                ('department', departments),
                ('agency', agencies)]:
            for record in records:
                vlist.append({**base,
                        'reviewer_kind': kind,
                        f'reviewer_{kind}': record.id,
                        'reviewer_name': record.rec_name,
                        })
        comments = cls.create(vlist)
        outgoing_notification.tell_reviewers(comments)
        return comments

    @classmethod
    def _check_reviewers(cls, outgoing, employees, departments, agencies):
        """The ids come from the wizard's form: officials and departments
        of the drafting agency, other agencies; a classified draft only to
        officials by name"""
        company = outgoing.company
        for record in list(employees) + list(departments):
            if record.company != company:
                refuse('mvp_documents.msg_outgoing_comment_other_agency',
                    [outgoing], fields={'employees', 'departments'},
                    reviewer=record.rec_name, agency=company.rec_name)
        for agency in agencies:
            if agency == company:
                refuse('mvp_documents.msg_outgoing_comment_other_agency',
                    [outgoing], fields={'agencies'},
                    reviewer=agency.rec_name, agency=company.rec_name)
        if outgoing.classified and (departments or agencies):
            refuse('mvp_documents.msg_outgoing_comment_classified',
                [outgoing], fields={'departments', 'agencies'},
                error=OutgoingError)


class OutgoingRequestComments(OutgoingWizardMixin, Wizard):
    "Request Comments"
    __name__ = 'mvp.outgoing.request_comments'
    start = StateView('mvp.outgoing.request_comments.start',
        'mvp_documents.outgoing_request_comments_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def default_start(self, fields):
        outgoing, = self.checked_records()[:1]
        return {'company': outgoing.company.id}

    def transition_send(self):
        pool = Pool()
        Comment = pool.get('mvp.outgoing.comment')
        Employee = pool.get('company.employee')
        Department = pool.get('mvp.department')
        Company = pool.get('company.company')
        outgoing, = self.checked_records()[:1]
        # Read the chosen reviewers again from their ids
        Comment.request_comments(
            outgoing, self.start.deadline, request=self.start.request,
            employees=Employee.browse([e.id for e in self.start.employees]),
            departments=Department.browse(
                [d.id for d in self.start.departments]),
            agencies=Company.browse([a.id for a in self.start.agencies]))
        return 'end'


class OutgoingRequestCommentsStart(ModelView):
    __string__ = "Request Comments"
    __name__ = 'mvp.outgoing.request_comments.start'
    company = fields.Many2One('company.company', "Agency", readonly=True)
    deadline = fields.Date("Deadline", required=True)
    request = fields.Text("Request")
    employees = fields.Many2Many(
        'company.employee', None, None, "Officials",
        domain=[('company', '=', Eval('company', -1))])
    departments = fields.Many2Many(
        'mvp.department', None, None, "Departments",
        domain=[('company', '=', Eval('company', -1))])
    agencies = fields.Many2Many(
        'company.company', None, None, "Agencies",
        domain=[('id', '!=', Eval('company', -1))])
