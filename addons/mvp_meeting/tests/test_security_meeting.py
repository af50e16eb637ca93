# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on meetings and weekly work schedules, made as a JSON-RPC call
would make them."""
import datetime as dt
import unittest

from trytond.modules.mvp_documents.tests import test_incoming
from trytond.modules.mvp_documents.tests.incoming_tools import (
    AttackMixin, acting_as, cross_leader)
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.modules.mvp_meeting.exceptions import MeetingError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction



class World:
    "Agency a, agency b and a leader of b who is an officer of a"

    def __init__(self, prefix=''):
        self.a = a = test_incoming.Agency(prefix=prefix)
        self.b = test_incoming.Agency(
            "Sở Nội vụ", 'SNV', prefix=prefix + 'b_')
        self.cross = cross_leader(a, self.b, prefix)


class MeetingSecurityTestCase(AttackMixin, unittest.TestCase):
    "Every rule of meetings and schedules holds over RPC"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_meeting')

    # meetings
    def _meeting(self, w, **values):
        Meeting = Pool().get('mvp.meeting')
        start = dt.datetime(2026, 3, 2, 8)
        with acting_as(w.a.clerk):
            meeting, = Meeting.create([dict({
                            'company': w.a.company.id,
                            'subject': "Giao ban tuần", 'start': start,
                            'end': start + dt.timedelta(hours=2),
                            'chair': w.a.leader.id,
                            'participants': [('add', [w.a.officer1.id])],
                            }, **values)])
        return meeting

    @with_transaction()
    def test_meeting_is_changed_by_its_organisers_only(self):
        "Organiser, chair, clerks and leaders change or cancel a meeting"
        pool = Pool()
        Meeting = pool.get('mvp.meeting')
        Participant = pool.get('mvp.meeting-company.employee')
        w = World()
        meeting = self._meeting(w)
        names = ['state', 'subject']
        before = self.values(meeting, names)
        for employee in [w.a.officer1, w.a.officer2]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee):
                    with self.refused():
                        Meeting.write([Meeting(meeting.id)],
                            {'subject': "Khác"})
                    with self.refused():
                        Meeting.cancel([Meeting(meeting.id)])
                    with self.refused():
                        Meeting.delete([Meeting(meeting.id)])
                    with self.refused():
                        Participant.create([{'meeting': meeting.id,
                                    'employee': w.a.officer2.id}])
        with acting_as(w.b.leader), self.refused():
            Meeting.cancel([Meeting(meeting.id)])
        with acting_as(w.a.clerk):
            for values in [{'state': 'cancelled'}, {'revision': 9}]:
                with self.subTest(values=values), self.refused():
                    Meeting.write([Meeting(meeting.id)], values)
        self.assertEqual(self.values(meeting, names), before)
        self.assertEqual(len(Meeting(meeting.id).participants), 1)
        with acting_as(w.a.leader):
            Meeting.cancel([Meeting(meeting.id)])
            # a cancelled meeting is read-only until scheduled again
            with self.refused():
                Meeting.write([Meeting(meeting.id)], {'subject': "Khác"})
        self.assertEqual(self.values(meeting, ['state'])['state'],
            'cancelled')

    @with_transaction()
    def test_meeting_cannot_be_created_cancelled(self):
        "A new meeting is scheduled"
        pool = Pool()
        Meeting = pool.get('mvp.meeting')
        w = World()
        with self.refused():
            self._meeting(w, state='cancelled')
        self.assertEqual(Meeting.search([]), [])

    # clashes across agencies
    @with_transaction()
    def test_shared_room_clash_across_agencies(self):
        "A room shared by two agencies is booked once at a time"
        pool = Pool()
        Meeting = pool.get('mvp.meeting')
        Room = pool.get('mvp.meeting.room')
        Shared = pool.get('mvp.meeting.room-company.company')
        w = World()
        with acting_as(w.a.clerk):
            room, = Room.create([{'company': w.a.company.id,
                        'name': "Hội trường tầng 1"}])
            private, = Room.create([{'company': w.a.company.id,
                        'name': "Phòng họp lãnh đạo"}])
        self._meeting(w, subject="Bàn về nhân sự mật", room=room.id,
            participants=[])
        start = dt.datetime(2026, 3, 2, 9)
        values = {'company': w.b.company.id, 'subject': "Họp sở",
            'start': start, 'end': start + dt.timedelta(hours=2),
            'room': room.id}
        with acting_as(w.b.clerk):
            # not shared yet: neither seen nor booked by agency b
            self.assertEqual(Room.search([]), [])
            with self.refused():
                Meeting.create([values])
            # nor shared by the agency that would use it
            with self.refused():
                Room.write([Room(room.id)], {
                        'shared_with': [('add', [w.b.company.id])]})
            with self.refused():
                Shared.create([{'room': room.id,
                            'company': w.b.company.id}])
        self.assertEqual(Shared.search([]), [])
        with acting_as(w.a.clerk):
            Room.write([Room(room.id)], {
                    'shared_with': [('add', [w.b.company.id])]})
        with acting_as(w.b.clerk):
            self.assertEqual(Room.search([]), [room])
            with self.refused():  # it stays agency a's room
                Room.write([Room(room.id)], {'name': "Của sở b"})
            with self.refused():
                Meeting.create([dict(values, room=private.id)])
            # agency a's meeting is not b's to read, yet it holds the room
            self.assertEqual(Meeting.search([]), [])
            with self.refused(MeetingError) as refusal:
                Meeting.create([values])
            message = str(refusal.exception)
            # 08:00-10:00 UTC in the agency's time (Asia/Ho_Chi_Minh)
            self.assertIn("15:00 02/03/2026", message)
            self.assertIn("17:00 02/03/2026", message)
            self.assertIn(w.a.company.rec_name, message)
            self.assertNotIn("nhân sự", message)
            # nor by moving a meeting of b onto it
            later, = Meeting.create([dict(values,
                        start=start + dt.timedelta(hours=1),
                        end=start + dt.timedelta(hours=2))])
            with self.refused(MeetingError):
                Meeting.write([later], {'start': start})
        self.assertEqual(self.values(later, ['start'])['start'],
            start + dt.timedelta(hours=1))
        # and agency a, once b holds it, cannot book it either
        with acting_as(w.a.clerk), self.refused(MeetingError):
            Meeting.create([dict(values, company=w.a.company.id,
                        start=start + dt.timedelta(hours=1, minutes=30))])

    @with_transaction()
    def test_leader_clash_across_agencies(self):
        "A leader of two agencies is not in two meetings at once"
        pool = Pool()
        Meeting = pool.get('mvp.meeting')
        w = World()
        cross_in_a, = [e for e in w.cross.users[0].employees
            if e.company == w.a.company]
        # agency a invites the official, who is an officer there
        self._meeting(w, subject="Bàn về nhân sự mật",
            participants=[('add', [cross_in_a.id])])
        load_vietnamese(['mvp_meeting'])
        start = dt.datetime(2026, 3, 2, 9)
        values = {'company': w.b.company.id, 'subject': "Họp sở",
            'start': start, 'end': start + dt.timedelta(hours=2),
            'chair': w.cross.id}
        with acting_as(w.b.clerk):
            self.assertEqual(Meeting.search([]), [])
            # as the chair, or as a participant, of a meeting of b
            for invited in [values, dict(values, chair=None,
                        participants=[('add', [w.cross.id])])]:
                with self.refused(MeetingError) as refusal:
                    Meeting.create([invited])
                message = str(refusal.exception)
                self.assertIn("15:00 02/03/2026", message)
                self.assertIn(w.cross.rec_name, message)
                self.assertIn(w.a.company.rec_name, message)
                self.assertNotIn("nhân sự", message)
            with Transaction().set_context(language='vi'), \
                    self.refused(MeetingError) as refusal:
                Meeting.create([values])
            self.assertIn(
                "\"Lý Văn Kiêm\" đã có lịch họp của Sở Thông tin và "
                "Truyền thông từ 15:00 02/03/2026 đến 17:00 02/03/2026",
                str(refusal.exception))
            # right after the meeting of a: no clash
            after, = Meeting.create([dict(values,
                        start=start + dt.timedelta(hours=1),
                        end=start + dt.timedelta(hours=2))])
        self.assertEqual(Meeting(after.id).chair, w.cross)
        # agency a cannot then invite the leader of b over that meeting
        with acting_as(w.a.clerk), self.refused(MeetingError):
            Meeting.create([{'company': w.a.company.id,
                        'subject': "Họp chiều",
                        'start': start + dt.timedelta(hours=1, minutes=30),
                        'end': start + dt.timedelta(hours=3),
                        'participants': [('add', [cross_in_a.id])]}])
        # an officer of both agencies who leads neither is not checked
        with acting_as(w.a.clerk):
            Meeting.create([{'company': w.a.company.id,
                        'subject': "Họp chiều",
                        'start': start + dt.timedelta(hours=1, minutes=30),
                        'end': start + dt.timedelta(hours=3),
                        'participants': [('add', [w.a.officer2.id])]}])

    # schedules
    def _schedule(self, w):
        Schedule = Pool().get('mvp.work.schedule')
        with acting_as(w.a.clerk):
            schedule, = Schedule.create([{'company': w.a.company.id,
                        'week': dt.date(2026, 3, 2),
                        'items': [('create', [{
                                        'start': dt.datetime(2026, 3, 2, 8),
                                        'leader': w.a.leader.id,
                                        'subject': "Giao ban"}])]}])
        return schedule

    @with_transaction()
    def test_schedule_approval_is_the_leaders(self):
        "State, approver and publication of a schedule are the server's"
        pool = Pool()
        Schedule = pool.get('mvp.work.schedule')
        Item = pool.get('mvp.work.schedule.item')
        w = World()
        schedule = self._schedule(w)
        names = ['state', 'approved_by', 'drafted_by', 'published_date']
        before = self.values(schedule, names)
        with acting_as(w.a.clerk):
            for values in [{'state': 'published'},
                    {'approved_by': w.a.leader.id},
                    {'drafted_by': w.a.clerk.id},
                    {'published_date': dt.datetime.now()},
                    {'company': w.b.company.id}]:
                with self.subTest(values=values), self.refused():
                    Schedule.write([Schedule(schedule.id)], values)
            with self.refused():
                Schedule.create([{'company': w.a.company.id,
                            'week': dt.date(2026, 3, 9),
                            'state': 'published'}])
            with self.refused():
                Schedule.approve([Schedule(schedule.id)])
            Schedule.submit([Schedule(schedule.id)])
            with self.refused():
                Schedule.write([Schedule(schedule.id)], {'name': "Khác"})
        before['state'], before['drafted_by'] = 'submitted', w.a.clerk.id
        with acting_as(w.cross), self.refused():
            Schedule.approve([Schedule(schedule.id)])
        with acting_as(w.a.officer1):
            with self.refused():
                Schedule.submit([Schedule(schedule.id)])
            with self.refused():
                Item.create([{'schedule': schedule.id,
                            'start': dt.datetime(2026, 3, 3, 8),
                            'leader': w.a.leader.id, 'subject': "Giả"}])
        with acting_as(w.b.clerk):
            self.assertEqual(Schedule.search([]), [])
        self.assertEqual(self.values(schedule, names), before)
        with acting_as(w.a.leader):
            Schedule.approve([Schedule(schedule.id)])
        self.assertEqual(Schedule(schedule.id).approved_by, w.a.leader)
        item, = Schedule(schedule.id).items
        with acting_as(w.a.clerk), self.refused():
            Item.write([Item(item.id)], {'subject': "Khác"})
        other = self._other_schedule(w)
        with acting_as(w.a.clerk), self.refused():
            Item.write([Item(other.items[0].id)], {'schedule': schedule.id})

    def _other_schedule(self, w):
        Schedule = Pool().get('mvp.work.schedule')
        with acting_as(w.a.clerk):
            schedule, = Schedule.create([{'company': w.a.company.id,
                        'week': dt.date(2026, 3, 9),
                        'items': [('create', [{
                                        'start': dt.datetime(2026, 3, 9, 8),
                                        'leader': w.a.leader.id,
                                        'subject': "Họp"}])]}])
        return schedule
