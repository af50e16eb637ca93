# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.modules.mvp_documents.employee import user_employees
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, checked, refuse, refuse_unless_state)
from trytond.modules.mvp_documents.role import has_agency_role
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import MeetingError, MeetingWarning

# who may change or cancel any meeting of their agency
ORGANISER_ROLES = ['group_mvp_clerk', 'group_mvp_leader']


class MeetingRoom(DeactivableMixin, ModelSQL, ModelView):
    "Meeting Room"
    __name__ = 'mvp.meeting.room'
    __string__ = "Meeting Room"
    company = fields.Many2One('company.company', "Agency", required=True)
    name = fields.Char("Name", required=True)
    location = fields.Char("Location")
    capacity = fields.Integer("Capacity")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')


class Meeting(ServerFieldsMixin, Workflow, ModelSQL, ModelView):
    "Meeting"
    __name__ = 'mvp.meeting'
    __string__ = "Meeting"
    _server_fields = frozenset({'state'})
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
        domain=[('company', '=', Eval('company', -1))])
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
        "Warn when a room or a leader is booked twice at the same time"
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for meeting in meetings:
            if meeting.state != 'scheduled':
                continue
            overlapping = [('id', '!=', meeting.id),
                ('state', '=', 'scheduled'),
                ('start', '<', meeting.end),
                ('end', '>', meeting.start)]
            if meeting.room:
                others = cls.search(
                    overlapping + [('room', '=', meeting.room.id)], limit=1)
                if others:
                    key = Warning.format('mvp_meeting_room_overlap',
                        [meeting])
                    if Warning.check(key):
                        raise MeetingWarning(key, gettext(
                                'mvp_meeting.msg_meeting_room_overlap',
                                room=meeting.room.rec_name,
                                meeting=meeting.rec_name,
                                other=others[0].rec_name))
            for leader in cls._leaders(meeting):
                others = cls.search(overlapping + [['OR',
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

    @classmethod
    def _leaders(cls, meeting):
        "The chair and the participants who lead the agency"
        pool = Pool()
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        people = ([meeting.chair] if meeting.chair else []) + [
            p for p in meeting.participants if p != meeting.chair]
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
