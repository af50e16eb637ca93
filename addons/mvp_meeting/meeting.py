# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re
from email.utils import parseaddr

from trytond import config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.modules.mvp_documents.employee import user_employees
from trytond.modules.mvp_documents.notification import notify_each
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, checked, refuse, refuse_unless_state)
from trytond.modules.mvp_documents.register_print import local_datetime
from trytond.modules.mvp_documents.role import has_agency_role
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import ical
from .exceptions import MeetingError, MeetingWarning

# who may change or cancel any meeting of their agency
ORGANISER_ROLES = ['group_mvp_clerk', 'group_mvp_leader']
# the fields whose change moves a meeting in the invitees' calendars
MOVING_FIELDS = ('start', 'end', 'room', 'place')


class MeetingRoom(DeactivableMixin, ModelSQL, ModelView):
    "Meeting Room"
    __name__ = 'mvp.meeting.room'
    __string__ = "Meeting Room"
    company = fields.Many2One('company.company', "Agency", required=True)
    name = fields.Char("Name", required=True)
    location = fields.Char("Location")
    capacity = fields.Integer("Capacity")
    shared_with = fields.Many2Many(
        'mvp.meeting.room-company.company', 'room', 'company',
        "Shared With",
        help="Other agencies that book this room too (a shared hall).")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class MeetingRoomCompany(ModelSQL):
    "Meeting Room Shared With Agency"
    __name__ = 'mvp.meeting.room-company.company'
    __string__ = "Meeting Room Shared With Agency"
    room = fields.Many2One(
        'mvp.meeting.room', "Meeting Room", required=True,
        ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('room')


class Meeting(ServerFieldsMixin, Workflow, ModelSQL, ModelView):
    "Meeting"
    __name__ = 'mvp.meeting'
    __string__ = "Meeting"
    _server_fields = frozenset({'state', 'revision'})
    _fixed_fields = frozenset({'company'})
    # A meeting announced by a giấy mời (Art. 5), received or sent; it
    # shows in each invitee's calendar and in the meeting-room calendar.
    _states = {'readonly': Eval('state') == 'cancelled'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, states=_states)
    subject = fields.Char("Subject", required=True, states=_states)
    start = fields.DateTime("Start", required=True, states=_states)
    end = fields.DateTime("End", required=True, states=_states)
    room = fields.Many2One(
        'mvp.meeting.room', "Meeting Room", states=_states,
        domain=['OR',
            ('company', '=', Eval('company', -1)),
            ('shared_with', '=', Eval('company', -1)),
            ])
    place = fields.Char(
        "Place", states=_states,
        help="Where the meeting is held when not in one of our rooms.")
    chair = fields.Many2One(
        'company.employee', "Chair", states=_states,
        domain=[('company', '=', Eval('company', -1))])
    chair_name = fields.Char(
        "Chair (outside)", states=_states,
        help="Chair from another agency.")
    participants = fields.Many2Many(
        'mvp.meeting-company.employee', 'meeting', 'employee',
        "Participants", states=_states)
    other_participants = fields.Text(
        "Other Participants", states=_states,
        help="Invitees from other agencies, one per line.")
    invitation = fields.Reference(
        "Invitation", selection='get_invitations', states=_states,
        help="The giấy mời, received or sent.")
    description = fields.Text("Agenda", states=_states)
    mine = fields.Function(
        fields.Boolean("Mine"), 'get_mine', searcher='search_mine')
    state = fields.Selection([
            ('scheduled', "Scheduled"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    revision = fields.Integer(
        "Revision", readonly=True,
        help="The SEQUENCE of the invitees' calendar entry: "
        "raised each time they are told of a change.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.room, Index.Equality()), (t.start, Index.Range())),
                Index(t, (t.start, Index.Range()), (t.end, Index.Range())),
                })
        cls._order = [('start', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('scheduled', 'cancelled'),
            ('cancelled', 'scheduled'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'scheduled',
                    'depends': ['state'],
                    },
                'schedule': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'scheduled'

    @staticmethod
    def default_revision():
        return 0

    @classmethod
    def _get_invitations(cls):
        "Return the models that can carry an invitation (giấy mời)"
        return {'mvp.document.file', 'mvp.incoming', 'mvp.outgoing'}

    @classmethod
    def get_invitations(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        return [(None, '')] + [
            (m, Model.get_name(m)) for m in sorted(cls._get_invitations())]

    @fields.depends('invitation', 'subject')
    def on_change_invitation(self):
        if self.invitation and not self.subject:
            self.subject = getattr(self.invitation, 'subject', None)

    @fields.depends('room', 'place')
    def on_change_room(self):
        if self.room and not self.place:
            self.place = self.room.location or self.room.name

    def is_organiser(self):
        "Whether the user made, chairs or runs the office of the meeting"
        user_id = Transaction().user
        if not user_id or (self.create_uid and self.create_uid.id == user_id):
            return True
        if self.chair and self.chair in user_employees():
            return True
        return has_agency_role(self.company, *ORGANISER_ROLES)

    @classmethod
    def check_organiser(cls, meetings, fields=()):
        for meeting in meetings:
            if not meeting.is_organiser():
                refuse('mvp_meeting.msg_meeting_organiser', [meeting],
                    fields=fields, meeting=meeting.rec_name)

    @classmethod
    def check_modification(cls, mode, meetings, values=None,
            external=False):
        super().check_modification(
            mode, meetings, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            cls.check_organiser(meetings, set(values or {}))
            if mode == 'write':
                refuse_unless_state(meetings, {'scheduled'}, values)

    def get_mine(self, name):
        employees = {e.id for e in user_employees()}
        return ((self.chair and self.chair.id in employees)
            or any(p.id in employees for p in self.participants))

    @classmethod
    def search_mine(cls, name, clause):
        employees = [e.id for e in user_employees()]
        domain = ['OR',
            ('chair', 'in', employees),
            ('participants', 'in', employees),
            ]
        _, operator, value = clause[:3]
        if (operator == '=') != bool(value):
            domain = ['NOT', domain]
        return domain

    def get_rec_name(self, name):
        return '%s (%s)' % (self.subject,
            self.start.strftime('%H:%M %d/%m/%Y') if self.start else '')

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        # refused before anything is written
        if (values.get('start') and values.get('end')
                and values['end'] <= values['start']):
            raise MeetingError(gettext(
                    'mvp_meeting.msg_meeting_end_before_start',
                    meeting=values.get('subject') or ''))
        return values

    @classmethod
    def validate_fields(cls, meetings, field_names):
        super().validate_fields(meetings, field_names)
        if field_names & {'start', 'end'}:
            for meeting in meetings:
                if meeting.end <= meeting.start:
                    raise MeetingError(gettext(
                            'mvp_meeting.msg_meeting_end_before_start',
                            meeting=meeting.subject))

    @classmethod
    def validate(cls, meetings):
        super().validate(meetings)
        cls.check_overlaps(meetings)

    @classmethod
    def check_overlaps(cls, meetings):
        """Refuse a room or a leader booked at the same time by another
        agency (a shared room, a leader of several agencies); warn when
        it is by the same agency"""
        for meeting in meetings:
            if meeting.state != 'scheduled':
                continue
            # the other agencies' meetings are not readable by the user
            with without_check_access():
                cls._check_room_overlap(meeting)
                cls._check_leader_overlap(meeting)

    @classmethod
    def _overlapping(cls, meeting):
        return [('id', '!=', meeting.id),
            ('state', '=', 'scheduled'),
            ('start', '<', meeting.end),
            ('end', '>', meeting.start)]

    @classmethod
    def _check_room_overlap(cls, meeting):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        if not meeting.room:
            return
        overlapping = cls._overlapping(meeting) + [
            ('room', '=', meeting.room.id)]
        others = cls.search(overlapping + [
                ('company', '!=', meeting.company.id)], limit=1)
        if others:
            other, = others
            raise MeetingError(gettext(
                    'mvp_meeting.msg_meeting_room_booked_elsewhere',
                    room=meeting.room.rec_name,
                    agency=other.company.rec_name,
                    **meeting._local_times(other)))
        others = cls.search(overlapping + [
                ('company', '=', meeting.company.id)], limit=1)
        if others:
            key = Warning.format('mvp_meeting_room_overlap', [meeting])
            if Warning.check(key):
                raise MeetingWarning(key, gettext(
                        'mvp_meeting.msg_meeting_room_overlap',
                        room=meeting.room.rec_name,
                        meeting=meeting.rec_name,
                        other=others[0].rec_name))

    @classmethod
    def _check_leader_overlap(cls, meeting):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        Employee = pool.get('company.employee')
        overlapping = cls._overlapping(meeting)
        leaders = cls._leaders(meeting)
        for leader in leaders:
            others = cls.search(overlapping + [
                    ('company', '=', meeting.company.id),
                    ['OR',
                        ('chair', '=', leader.id),
                        ('participants', '=', leader.id)]], limit=1)
            if others:
                key = Warning.format('mvp_meeting_leader_overlap',
                    [meeting, leader])
                if Warning.check(key):
                    raise MeetingWarning(key, gettext(
                            'mvp_meeting.msg_meeting_leader_overlap',
                            leader=leader.rec_name,
                            meeting=meeting.rec_name,
                            other=others[0].rec_name))
        # the same person is an employee of each agency they work for
        for person in meeting.invitees():
            elsewhere = Employee.search([
                    ('party', '=', person.party.id),
                    ('company', '!=', meeting.company.id),
                    ])
            if not elsewhere:
                continue
            for other in cls.search(overlapping + [
                        ('company', '!=', meeting.company.id),
                        ['OR',
                            ('chair', 'in', [e.id for e in elsewhere]),
                            ('participants', 'in',
                                [e.id for e in elsewhere])]]):
                if person in leaders or set(elsewhere) & set(
                        cls._leaders(other)):
                    raise MeetingError(gettext(
                            'mvp_meeting.msg_meeting_leader_busy_elsewhere',
                            leader=person.rec_name,
                            agency=other.company.rec_name,
                            **meeting._local_times(other)))

    def _local_times(self, other):
        "The start and end of the other meeting in the agency's time"
        return {name: local_datetime(self.company, getattr(other, name)
                ).strftime('%H:%M %d/%m/%Y') for name in ['start', 'end']}

    def invitees(self):
        "The chair and the participants"
        return ([self.chair] if self.chair else []) + [
            p for p in self.participants if p != self.chair]

    @classmethod
    def _leaders(cls, meeting):
        "The chair and the participants who lead the agency"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        people = meeting.invitees()
        if not people:
            return []
        leader = ModelData.get_id('mvp_documents', 'group_mvp_leader')
        leader_users = {r.user for r in Role.search([
                    ('group', '=', leader),
                    ('company', '=', meeting.company.id),
                    ])}
        return [p for p in people
            if p == meeting.chair or leader_users & set(p.users)]

    @classmethod
    def on_modification(cls, mode, meetings, field_names=None):
        super().on_modification(mode, meetings, field_names=field_names)
        if mode == 'create':
            for meeting in meetings:
                if meeting.state == 'scheduled':
                    meeting._tell(meeting.invitees(), 'invited')

    @classmethod
    def on_write(cls, meetings, values):
        callbacks = super().on_write(meetings, values)
        if not values.keys() & {
                'state', 'chair', 'participants', *MOVING_FIELDS}:
            return callbacks
        # taken before the change, so people dropped learn it
        before = {m.id: (m.state, m._whereabouts(), set(m.invitees()))
            for m in meetings}

        def tell():
            for meeting in cls.browse(list(before)):
                state, whereabouts, invited = before[meeting.id]
                meeting._tell_changes(state, whereabouts, invited)
        callbacks.append(tell)
        return callbacks

    @classmethod
    def on_delete(cls, meetings):
        callbacks = super().on_delete(meetings)
        for meeting in meetings:
            if meeting.state == 'scheduled':
                meeting.revision = (meeting.revision or 0) + 1
                meeting._tell(meeting.invitees(), 'cancelled', openable=False)
        return callbacks

    def _whereabouts(self):
        return tuple(getattr(self, name) for name in MOVING_FIELDS)

    def _tell_changes(self, state, whereabouts, invited):
        "Tell the invitees what changed since state, whereabouts, invited"
        invitees = set(self.invitees())
        if self.state == 'cancelled':
            tellings = [(invited | invitees, 'cancelled')] if (
                state == 'scheduled') else []
        elif state == 'cancelled':
            tellings = [(invitees, 'invited')]
        else:
            tellings = [(invitees - invited, 'invited'),
                (invited - invitees, 'removed')]
            if whereabouts != self._whereabouts():
                tellings.append((invitees & invited, 'moved'))
        tellings = [(people, kind) for people, kind in tellings if people]
        if not tellings:
            return
        # each message a newer version of the calendar entry
        self.__class__.write([self], {'revision': (self.revision or 0) + 1})
        meeting = self.__class__(self.id)
        for people, kind in tellings:
            meeting._tell(people, kind)

    def _tell(self, employees, kind, openable=True):
        """Notify the users of employees of the meeting (kind: invited,
        moved, cancelled or removed), with its iCalendar entry"""
        method = 'CANCEL' if kind in {'cancelled', 'removed'} else 'REQUEST'
        attendees = employees if method == 'CANCEL' else self.invitees()
        attachment = ('meeting.ics',
            'text/calendar; method=%s; charset=UTF-8' % method,
            self.icalendar(method, attendees))
        users = {u for e in employees for u in e.users}

        def compose():
            return (gettext('mvp_meeting.msg_meeting_notice_%s' % kind,
                    meeting=self.subject),) + self._notice()
        notify_each(sorted(users, key=lambda u: u.id), compose,
            records=[self] if openable else None, attachments=[attachment])

    def _where(self):
        return self.place or (self.room.rec_name if self.room else '')

    def _notice(self):
        "Return the body and the client's text of a notification"
        labels = {name: definition['string']
            for name, definition in self.fields_get([
                    'start', 'end', 'place', 'chair', 'company',
                    'description']).items()}
        start, end = (local_datetime(self.company, getattr(self, n)
                ).strftime('%H:%M %d/%m/%Y') for n in ['start', 'end'])
        lines = [(labels['start'], start), (labels['end'], end),
            (labels['place'], self._where()),
            (labels['chair'], self.chair.rec_name if self.chair
                else self.chair_name),
            (labels['company'], self.company.rec_name),
            (labels['description'], self.description)]
        lines = ['%s: %s' % (label, value) for label, value in lines if value]
        return '\n'.join(lines), ', '.join(lines[:3])[:250]

    @property
    def ical_uid(self):
        "The UID of the meeting's entry in the invitees' calendars"
        _, address = parseaddr(config.get('email', 'from') or '')
        domain = address.rpartition('@')[2] or 'mvp-office.invalid'
        database = re.sub(r'[^\w.-]', '', Transaction().database.name)
        return 'meeting-%s-%s@%s' % (database, self.id, domain)

    def icalendar(self, method, attendees):
        "Return the iCalendar object (bytes) of the meeting for method"
        _, organizer = parseaddr(config.get('email', 'from') or '')
        addresses = {}
        for employee in attendees:
            for user in employee.users:
                if user.active and user.email:
                    addresses.setdefault(user.email, user.name)
        return ical.calendar(method, self.ical_uid, self.revision or 0,
            self.start, self.end, self.subject, location=self._where(),
            description=self.description,
            organizer=((self.company.rec_name, organizer)
                if '@' in organizer else None),
            attendees=[(n, e) for e, n in sorted(addresses.items())])

    @classmethod
    @checked('check_organiser')
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, meetings):
        pass

    @classmethod
    @checked('check_organiser')
    @ModelView.button
    @Workflow.transition('scheduled')
    def schedule(cls, meetings):
        pass


class MeetingParticipant(ModelSQL):
    "Meeting Participant"
    __name__ = 'mvp.meeting-company.employee'
    __string__ = "Meeting Participant"
    meeting = fields.Many2One(
        'mvp.meeting', "Meeting", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.employee, Index.Equality())))
        cls.__access__.add('meeting')

    @classmethod
    def check_modification(cls, mode, participants, values=None,
            external=False):
        # who is invited is the organisers' choice, as the meeting is
        super().check_modification(
            mode, participants, values=values, external=external)
        if external:
            Meeting = Pool().get('mvp.meeting')
            meetings = {p.meeting for p in participants}
            if mode == 'write' and values.get('meeting'):
                meetings.add(Meeting(values['meeting']))
            Meeting.check_organiser(meetings, set(values or {}))
