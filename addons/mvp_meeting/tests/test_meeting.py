# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import pathlib
import unittest

import polib
from lxml import etree

from trytond.exceptions import UserError, UserWarning
from trytond.modules.company.tests import (
    set_company)
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.modules.mvp_documents.tests.incoming_tools import (
    OfficialsMixin)
from trytond.pool import Pool
from trytond.sendmail import SMTPDataManager
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

MODULE = pathlib.Path(__file__).resolve().parent.parent


def calendar_of(message):
    """Return the METHOD and the VEVENT's properties (name: value, the
    last of each name) of the .ics attached to message, checking its
    iCalendar form (RFC 5545: CRLF lines of at most 75 octets)"""
    attachment, = [a for a in message.iter_attachments()
        if a.get_content_type() == 'text/calendar']
    assert attachment.get_filename().endswith('.ics')
    data = attachment.get_payload(decode=True)
    assert data.endswith(b'\r\n')
    lines = data.split(b'\r\n')[:-1]
    assert all(len(line) <= 75 for line in lines), lines
    text = data.decode('utf-8').replace('\r\n ', '')
    lines = text.split('\r\n')[:-1]
    assert lines[0] == 'BEGIN:VCALENDAR' and lines[-1] == 'END:VCALENDAR'
    assert 'VERSION:2.0' in lines
    assert lines.count('BEGIN:VEVENT') == lines.count('END:VEVENT') == 1
    properties = {}
    for line in lines:
        name, _, value = line.partition(':')
        properties.setdefault(name.split(';')[0], []).append(value)
    assert attachment.get_param('method') == properties['METHOD'][0]
    return properties


class MeetingMessagesTestCase(unittest.TestCase):
    "The messages of meetings and schedules"

    def test_vietnamese_translations_of_messages(self):
        po = polib.pofile(str(MODULE / 'locale' / 'vi.po'))
        translated = {e.msgctxt for e in po if e.msgstr}
        for xml in ['meeting.xml', 'schedule.xml']:
            tree = etree.parse(str(MODULE / xml))
            for record in tree.iterfind('.//record[@model="ir.message"]'):
                context = 'model:ir.message,text:%s' % record.get('id')
                with self.subTest(message=record.get('id')):
                    self.assertIn(context, translated)


class MeetingTestCase(OfficialsMixin, unittest.TestCase):
    "Meetings and work schedules"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('mvp_meeting')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    # helpers
    # tests
    @with_transaction()
    def test_meeting_calendar_and_overlaps(self):
        "Invitations show in the invitees' calendar; overlaps are warned"
        pool = Pool()
        Meeting = pool.get('mvp.meeting')
        Room = pool.get('mvp.meeting.room')
        company = self._agency()
        with set_company(company):
            leader, leader_user = self._official(
                company, "Nguyễn Văn An", 'an', 'group_mvp_leader')
            officer, officer_user = self._official(
                company, "Trần Thị Bình", 'binh', 'group_mvp_officer')
            _, other_user = self._official(company, "Vũ Thị Lan", 'lan')
            room, = Room.create([{'company': company.id,
                        'name': "Phòng họp tầng 2"}])
            start = dt.datetime(2026, 3, 2, 8)
            meeting, = Meeting.create([{'company': company.id,
                        'subject': "Giao ban tuần", 'start': start,
                        'end': start + dt.timedelta(hours=2),
                        'room': room.id, 'chair': leader.id,
                        'participants': [('add', [officer.id])]}])

            for user, mine in [(leader_user, True), (officer_user, True),
                    (other_user, False)]:
                with Transaction().set_user(user.id):
                    self.assertEqual(
                        Meeting.search([('mine', '=', True)]) == [meeting],
                        mine)

            with self.assertRaises(UserError):  # end before start
                Meeting.create([{'company': company.id, 'subject': "Sai",
                            'start': start, 'end': start
                            - dt.timedelta(hours=1)}])
            self.assertEqual(Meeting.search_count([]), 1)
            # (a refused warning rolls the whole request back in the client)

            with Transaction().set_user(officer_user.id):
                # right after the meeting: no warning
                Meeting.create([{'company': company.id,
                            'subject': "Họp chiều", 'room': room.id,
                            'start': start + dt.timedelta(hours=2),
                            'end': start + dt.timedelta(hours=3)}])
                with self.assertRaises(UserWarning):  # same room
                    Meeting.create([{'company': company.id,
                                'subject': "Họp chuyên đề",
                                'start': start + dt.timedelta(hours=1),
                                'end': start + dt.timedelta(hours=3),
                                'room': room.id}])
                with self.assertRaises(UserWarning):  # leader twice
                    Meeting.create([{'company': company.id,
                                'subject': "Tiếp công dân",
                                'start': start + dt.timedelta(hours=1),
                                'end': start + dt.timedelta(hours=3),
                                'participants': [('add', [leader.id])]}])

    @with_transaction()
    def test_meeting_invitees_notified_with_icalendar(self):
        "Invitees learn of a meeting, its move and its cancellation"
        pool = Pool()
        Meeting = pool.get('mvp.meeting')
        Room = pool.get('mvp.meeting.room')
        Notification = pool.get('res.notification')
        company = self._agency()
        with set_company(company):
            leader, leader_user = self._official(
                company, "Nguyễn Văn An", 'an', 'group_mvp_leader')
            officer, officer_user = self._official(
                company, "Trần Thị Bình", 'binh', 'group_mvp_officer')
            other, _ = self._official(
                company, "Vũ Thị Lan", 'lan', 'group_mvp_officer')
            _, clerk_user = self._official(
                company, "Lê Văn Cường", 'cuong', 'group_mvp_clerk')
            room, = Room.create([{'company': company.id,
                        'name': "Phòng họp tầng 2"}])
            datamanager = Transaction().join(SMTPDataManager())

            def told():
                "Return {login: (label, calendar)} told since last time"
                result = {}
                notifications = Notification.search([])
                for notification in notifications:
                    result[notification.user.login] = [notification.label]
                for _, to_addrs, message in datamanager.queue:
                    login, = [a.split('@')[0] for a in to_addrs]
                    result[login].append(calendar_of(message))
                if notifications:
                    Notification.delete(notifications)
                datamanager.queue.clear()
                return result

            # each told in their own language, Vietnamese when not set
            load_vietnamese(['mvp_meeting'])
            Lang = pool.get('ir.lang')
            leader_user.language, = Lang.search([('code', '=', 'en')])
            leader_user.save()
            start = dt.datetime(2026, 3, 2, 1)  # 08:00 in Hà Nội
            with Transaction().set_user(clerk_user.id):
                meeting, = Meeting.create([{'company': company.id,
                            'subject': "Giao ban tuần; quý I, 2026",
                            'start': start,
                            'end': start + dt.timedelta(hours=2),
                            'room': room.id, 'place': "Tầng 2",
                            'chair': leader.id,
                            'description': "1. Báo cáo\n2. Kết luận",
                            'participants': [('add', [officer.id])]}])
            invited = told()
            self.assertEqual(set(invited), {'an', 'binh'})
            label, ics = invited['an']
            self.assertEqual(label,
                "Meeting invitation: Giao ban tuần; quý I, 2026")
            self.assertEqual(ics['METHOD'], ['REQUEST'])
            self.assertEqual(ics['DTSTART'], ['20260302T010000Z'])
            self.assertEqual(ics['DTEND'], ['20260302T030000Z'])
            self.assertEqual(ics['SUMMARY'],
                ['Giao ban tuần\\; quý I\\, 2026'])
            self.assertEqual(ics['DESCRIPTION'],
                ['1. Báo cáo\\n2. Kết luận'])
            self.assertEqual(ics['STATUS'], ['CONFIRMED'])
            self.assertEqual(sorted(ics['ATTENDEE']),
                ['mailto:an@example.com', 'mailto:binh@example.com'])
            self.assertEqual(invited['binh'][0],
                "Mời họp: Giao ban tuần; quý I, 2026")
            self.assertEqual(invited['binh'][1]['UID'], ics['UID'])
            uid, = ics['UID']
            sequence = int(ics['SEQUENCE'][0])
            self.assertEqual(sequence, 0)

            with Transaction().set_user(clerk_user.id):
                # not a move: nobody is told
                Meeting.write([meeting], {'subject': "Giao ban tuần"})
                self.assertEqual(told(), {})
                Meeting.write([meeting], {
                        'start': start + dt.timedelta(hours=6),
                        'end': start + dt.timedelta(hours=7)})
            moved = told()
            self.assertEqual(set(moved), {'an', 'binh'})
            label, ics = moved['binh']
            self.assertEqual(label, "Thay đổi lịch họp: Giao ban tuần")
            self.assertEqual(moved['an'][0],
                "Meeting changed: Giao ban tuần")
            self.assertEqual(ics['METHOD'], ['REQUEST'])
            self.assertEqual(ics['UID'], [uid])
            self.assertEqual(ics['DTSTART'], ['20260302T070000Z'])
            self.assertGreater(int(ics['SEQUENCE'][0]), sequence)
            sequence = int(ics['SEQUENCE'][0])

            with Transaction().set_user(clerk_user.id):
                # one invitee replaced by another
                Meeting.write([meeting], {'participants': [
                            ('remove', [officer.id]), ('add', [other.id])]})
            changed = told()
            self.assertEqual(set(changed), {'binh', 'lan'})
            self.assertEqual(changed['lan'][1]['METHOD'], ['REQUEST'])
            self.assertEqual(changed['binh'][1]['METHOD'], ['CANCEL'])
            self.assertEqual(changed['binh'][1]['UID'], [uid])
            sequence = int(changed['lan'][1]['SEQUENCE'][0])

            with Transaction().set_user(clerk_user.id):
                Meeting.cancel([meeting])
            cancelled = told()
            self.assertEqual(set(cancelled), {'an', 'lan'})
            label, ics = cancelled['an']
            self.assertEqual(label, "Meeting cancelled: Giao ban tuần")
            self.assertEqual(ics['METHOD'], ['CANCEL'])
            self.assertEqual(ics['STATUS'], ['CANCELLED'])
            self.assertEqual(ics['UID'], [uid])
            self.assertGreater(int(ics['SEQUENCE'][0]), sequence)
            # told once, the first time only
            with Transaction().set_user(clerk_user.id):
                Meeting.write([meeting], {'description': "Hoãn"})
            self.assertEqual(told(), {})

            # a scheduled meeting deleted is cancelled in the calendars
            with Transaction().set_user(clerk_user.id):
                deleted, = Meeting.create([{'company': company.id,
                            'subject': "Họp chi bộ", 'start': start,
                            'end': start + dt.timedelta(hours=1),
                            'participants': [('add', [officer.id])]}])
                uid, = told()['binh'][1]['UID']
                Meeting.delete([deleted])
            notification, = Notification.search([])
            self.assertEqual(notification.user, officer_user)
            self.assertIsNone(notification.model)
            (label, ics), = told().values()
            self.assertEqual(label, "Hủy cuộc họp: Họp chi bộ")
            self.assertEqual((ics['METHOD'], ics['UID'], ics['SEQUENCE']),
                (['CANCEL'], [uid], ['1']))

    @with_transaction()
    def test_work_schedule_published_changes_notify(self):
        "A published schedule notifies the people concerned of changes"
        pool = Pool()
        Schedule = pool.get('mvp.work.schedule')
        Item = pool.get('mvp.work.schedule.item')
        Notification = pool.get('res.notification')
        Report = pool.get('mvp.work.schedule.report', type='report')
        company = self._agency()
        with set_company(company):
            leader, leader_user = self._official(
                company, "Nguyễn Văn An", 'an', 'group_mvp_leader')
            officer, officer_user = self._official(
                company, "Trần Thị Bình", 'binh', 'group_mvp_officer')
            with self.assertRaises(UserError):  # not a Monday
                Schedule.create([{'company': company.id,
                            'week': dt.date(2026, 3, 3)}])
            schedule, = Schedule.create([{'company': company.id,
                        'week': dt.date(2026, 3, 2),
                        'items': [('create', [{
                                        'start': dt.datetime(2026, 3, 2, 8),
                                        'end': dt.datetime(2026, 3, 2, 10),
                                        'leader': leader.id,
                                        'subject': "Giao ban",
                                        'place': "Phòng họp tầng 2"}])]}])
            Schedule.submit([schedule])
            Schedule.approve([schedule])
            datamanager = Transaction().join(SMTPDataManager())
            Schedule.publish([schedule])
            self.assertEqual(schedule.state, 'published')
            # the people on it are told, each with their own lines
            notification, = Notification.search([])
            self.assertEqual(notification.user, leader_user)
            self.assertEqual(notification.label, "Work schedule published")
            (_, to_addrs, message), = datamanager.queue
            self.assertEqual(to_addrs, ['an@example.com'])
            self.assertIn("Giao ban (Phòng họp tầng 2)",
                message.get_body().get_content())
            Notification.delete([notification])
            datamanager.queue.clear()

            item, = schedule.items
            Item.write([item], {'start': dt.datetime(2026, 3, 2, 14),
                    'end': dt.datetime(2026, 3, 2, 16),
                    'participants': [('add', [officer.id])]})
            notified = {n.user for n in Notification.search([])}
            self.assertEqual(notified, {leader_user, officer_user})
            datamanager = Transaction().join(SMTPDataManager())
            recipients = {msg['To'] for _, _, msg in datamanager.queue}
            self.assertEqual(recipients,
                {'an@example.com', 'binh@example.com'})

            oext, content, _, _ = Report.execute([schedule.id], {})
            self.assertEqual(oext, 'pdf')
            self.assertTrue(content.startswith(b'%PDF'))
