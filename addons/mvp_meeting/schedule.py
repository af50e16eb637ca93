# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import io

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.modules.company.model import employee_field
from trytond.modules.mvp_documents import archive_io
from trytond.modules.mvp_documents.employee import stamp_employee
from trytond.modules.mvp_documents.notification import notify
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, refuse, refuse_unless_state)
from trytond.modules.mvp_documents.role import agency_role
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

from .exceptions import ScheduleError

OFFICE_ROLES = ['group_mvp_clerk', 'group_mvp_leader']
LEADERS = ['group_mvp_leader']

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy",
    "Chủ Nhật"]


class WorkSchedule(ServerFieldsMixin, Workflow, ModelSQL, ModelView):
    "Weekly Work Schedule"
    __name__ = 'mvp.work.schedule'
    __string__ = "Weekly Work Schedule"
    _server_fields = frozenset({
            'state', 'drafted_by', 'approved_by', 'published_date'})
    _fixed_fields = frozenset({'company'})
    # Lịch công tác tuần of the agency's leaders: drafted by the office,
    # approved by a leader, published to the agency (Art. 5).
    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, states=_states)
    week = fields.Date(
        "Week", required=True, states=_states,
        help="Monday of the week.")
    week_end = fields.Function(fields.Date("Week End"), 'get_week_end')
    name = fields.Char("Name", states=_states)
    items = fields.One2Many(
        'mvp.work.schedule.item', 'schedule', "Items",
        states={'readonly': Eval('state') == 'approved'})
    note = fields.Text("Note", states=_states)
    drafted_by = employee_field("Drafted By", states=[
            'submitted', 'approved', 'published'])
    approved_by = employee_field("Approved By", states=[
            'approved', 'published'])
    published_date = fields.DateTime("Published", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ('published', "Published"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_week_unique', Unique(t, t.company, t.week),
                'mvp_meeting.msg_schedule_week_unique'),
            ]
        cls._order = [('week', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'approved'),
            ('approved', 'draft'),
            ('approved', 'published'),
            }
        cls._buttons.update({
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['submitted', 'approved']),
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'publish': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_week():
        today = dt.date.today()
        return today + dt.timedelta(days=7 - today.weekday())

    @staticmethod
    def default_state():
        return 'draft'

    def get_week_end(self, name):
        return self.week + dt.timedelta(days=6) if self.week else None

    def get_rec_name(self, name):
        if self.name:
            return self.name
        return "Lịch công tác tuần %s - %s" % (
            self.week.strftime('%d/%m/%Y'),
            self.get_week_end(None).strftime('%d/%m/%Y'))

    @classmethod
    def validate_fields(cls, schedules, field_names):
        super().validate_fields(schedules, field_names)
        if 'week' in field_names:
            for schedule in schedules:
                if schedule.week.weekday() != 0:
                    raise ScheduleError(gettext(
                            'mvp_meeting.msg_schedule_week_monday',
                            date=schedule.week.strftime('%d/%m/%Y')))

    @classmethod
    def check_modification(cls, mode, schedules, values=None,
            external=False):
        super().check_modification(
            mode, schedules, values=values, external=external)
        if mode == 'write' and external:
            # the items follow their own rule (not while approved)
            refuse_unless_state(schedules, {'draft'}, values,
                allowed={'items'})
        if mode == 'delete':
            for schedule in schedules:
                if schedule.state == 'published':
                    raise AccessError(gettext(
                            'mvp_meeting.msg_schedule_delete_published',
                            schedule=schedule.rec_name))

    @classmethod
    @agency_role(*OFFICE_ROLES)
    @ModelView.button
    @Workflow.transition('submitted')
    @stamp_employee('drafted_by')
    def submit(cls, schedules):
        for schedule in schedules:
            if not schedule.items:
                raise ScheduleError(gettext(
                        'mvp_meeting.msg_schedule_empty',
                        schedule=schedule.rec_name))

    @classmethod
    @agency_role(*OFFICE_ROLES)
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, schedules):
        cls.write(schedules, {'approved_by': None})

    @classmethod
    @agency_role(*LEADERS)
    @ModelView.button
    @Workflow.transition('approved')
    @stamp_employee('approved_by')
    def approve(cls, schedules):
        pass

    @classmethod
    @agency_role(*OFFICE_ROLES)
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, schedules):
        pool = Pool()
        Item = pool.get('mvp.work.schedule.item')
        cls.write(schedules, {'published_date': dt.datetime.now()})
        for schedule in schedules:
            Item._notify([(i.describe(), i.concerned_employees())
                    for i in sorted(schedule.items, key=lambda i: i.start)],
                'publish', title=schedule.rec_name)


class WorkScheduleItem(ServerFieldsMixin, ModelSQL, ModelView):
    "Work Schedule Item"
    __name__ = 'mvp.work.schedule.item'
    __string__ = "Work Schedule Item"
    _fixed_fields = frozenset({'schedule'})
    schedule = fields.Many2One(
        'mvp.work.schedule', "Schedule", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Agency"),
        'on_change_with_company', searcher='search_company')
    schedule_state = fields.Function(
        fields.Char("Schedule State"), 'on_change_with_schedule_state')
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End")
    leader = fields.Many2One(
        'company.employee', "Leader", required=True,
        domain=[('company', '=', Eval('company', -1))])
    subject = fields.Char("Work", required=True)
    place = fields.Char("Place")
    participants = fields.Many2Many(
        'mvp.work.schedule.item-company.employee', 'item', 'employee',
        "Attending", domain=[('company', '=', Eval('company', -1))])
    other_participants = fields.Char("Other Participants")
    preparing = fields.Many2One(
        'mvp.department', "Prepared By",
        domain=[('company', '=', Eval('company', -1))])
    meeting = fields.Many2One(
        'mvp.meeting', "Meeting",
        domain=[('company', '=', Eval('company', -1))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('schedule')
        cls._order = [('start', 'ASC'), ('id', 'ASC')]

    @fields.depends('schedule', '_parent_schedule.company')
    def on_change_with_company(self, name=None):
        return self.schedule.company if self.schedule else None

    @classmethod
    def search_company(cls, name, clause):
        return [('schedule.' + clause[0],) + tuple(clause[1:])]

    @fields.depends('schedule', '_parent_schedule.state')
    def on_change_with_schedule_state(self, name=None):
        return self.schedule.state if self.schedule else 'draft'

    @fields.depends('meeting', 'subject', 'start', 'end', 'place')
    def on_change_meeting(self):
        if self.meeting:
            self.subject = self.subject or self.meeting.subject
            self.start = self.start or self.meeting.start
            self.end = self.end or self.meeting.end
            self.place = self.place or self.meeting.place

    def get_rec_name(self, name):
        return '%s %s' % (
            self.start.strftime('%H:%M %d/%m') if self.start else '',
            self.subject)

    @classmethod
    def validate_fields(cls, items, field_names):
        super().validate_fields(items, field_names)
        if field_names & {'start', 'end'}:
            for item in items:
                if item.end and item.end <= item.start:
                    raise ScheduleError(gettext(
                            'mvp_meeting.msg_meeting_end_before_start',
                            meeting=item.subject))

    def concerned_employees(self):
        return {self.leader} | set(self.participants)

    @classmethod
    def check_modification(cls, mode, items, values=None, external=False):
        super().check_modification(
            mode, items, values=values, external=external)
        for item in items:
            if item.schedule.state == 'approved':
                raise AccessError(gettext(
                        'mvp_meeting.msg_schedule_item_approved',
                        schedule=item.schedule.rec_name))

    @classmethod
    def on_modification(cls, mode, items, field_names=None):
        super().on_modification(mode, items, field_names=field_names)
        if mode == 'create':
            cls._notify([(i.describe(), i.concerned_employees())
                    for i in items if i.schedule.state == 'published'],
                'create')

    @classmethod
    def on_write(cls, items, values):
        callbacks = super().on_write(items, values)
        # taken before the change, so people dropped from an item learn it
        before = {i.id: (i.describe(), i.concerned_employees())
            for i in items if i.schedule.state == 'published'}

        def notify():
            changes = []
            for item in cls.browse(list(before)):
                text, people = before[item.id]
                if text != item.describe():
                    text = '%s -> %s' % (text, item.describe())
                changes.append((text, people | item.concerned_employees()))
            cls._notify(changes, 'write')
        if before:
            callbacks.append(notify)
        return callbacks

    @classmethod
    def on_delete(cls, items):
        callbacks = super().on_delete(items)
        changes = [(i.describe(), i.concerned_employees())
            for i in items if i.schedule.state == 'published']
        if changes:
            callbacks.append(lambda: cls._notify(changes, 'delete'))
        return callbacks

    def describe(self):
        return '%s %s: %s%s' % (
            self.start.strftime('%H:%M %d/%m/%Y'), self.leader.rec_name,
            self.subject, ' (%s)' % self.place if self.place else '')

    @classmethod
    @without_check_access
    def _notify(cls, changes, mode, title=None):
        """Tell the people concerned by changes of a published schedule
        (or by its publication), each once with all the changes that
        concern them"""
        texts = {}
        for text, employees in changes:
            for employee in employees:
                for user in employee.users:
                    texts.setdefault(user, []).append(text)
        subject = gettext('mvp_meeting.msg_schedule_changed_%s' % mode)
        for user, lines in texts.items():
            body = '\n'.join(([title] if title else []) + lines)
            notify([user], subject, body, description=body[:250])


class WorkScheduleParticipant(ModelSQL):
    "Work Schedule Item Participant"
    __name__ = 'mvp.work.schedule.item-company.employee'
    __string__ = "Work Schedule Item Participant"
    item = fields.Many2One(
        'mvp.work.schedule.item', "Item", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('item')

    @classmethod
    def check_modification(cls, mode, participants, values=None,
            external=False):
        super().check_modification(
            mode, participants, values=values, external=external)
        if external:
            for participant in participants:
                schedule = participant.item.schedule
                if schedule.state == 'approved':
                    refuse('mvp_meeting.msg_schedule_item_approved',
                        [participant], fields=set(values or {}),
                        schedule=schedule.rec_name)


class WorkScheduleReport(Report):
    "Weekly Work Schedule"
    __name__ = 'mvp.work.schedule.report'
    __string__ = "Weekly Work Schedule"

    @classmethod
    def _execute(cls, records, header, data, action):
        out = io.BytesIO()
        schedule, = records[:1]
        cls.schedule_pdf(out, schedule)
        return 'pdf', out.getvalue()

    @classmethod
    def schedule_pdf(cls, out, schedule):
        rows = []
        for item in sorted(schedule.items, key=lambda i: i.start):
            rows.append([
                    '%s\n%s' % (WEEKDAYS[item.start.weekday()],
                        item.start.strftime('%d/%m')),
                    item.start.strftime('%H:%M') + (
                        ' - ' + item.end.strftime('%H:%M')
                        if item.end else ''),
                    item.leader.rec_name,
                    item.subject,
                    item.place or '',
                    ', '.join(filter(None, [
                                ', '.join(p.rec_name
                                    for p in item.participants),
                                item.other_participants])),
                    item.preparing.rec_name if item.preparing else ''])
        archive_io.table_pdf(out, "LỊCH CÔNG TÁC TUẦN",
            [schedule.company.rec_name,
                "Từ ngày %s đến ngày %s" % (
                    schedule.week.strftime('%d/%m/%Y'),
                    schedule.week_end.strftime('%d/%m/%Y'))],
            [("Thứ, ngày", 1.5), ("Thời gian", 1.5), ("Lãnh đạo", 2.5),
                ("Nội dung công việc", 6), ("Địa điểm", 2.5),
                ("Thành phần", 3), ("Đơn vị chuẩn bị", 2)],
            rows, landscape=True,
            footer=[schedule.note or '',
                "Người duyệt: %s" % (schedule.approved_by.rec_name
                    if schedule.approved_by else '')])
