# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import pathlib
import unittest

import polib
from lxml import etree

from trytond.exceptions import UserError, UserWarning
from trytond.modules.company.tests import (
    create_company, set_company)
from trytond.modules.mvp_documents.tests.incoming_tools import (
    create_official)
from trytond.pool import Pool
from trytond.sendmail import SMTPDataManager
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

MODULE = pathlib.Path(__file__).resolve().parent.parent


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


class MeetingTestCase(unittest.TestCase):
    "Meetings and work schedules"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('mvp_meeting')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    # helpers
    def _agency(self, name="Sở Thông tin và Truyền thông",
            code='000.00.01.H54'):
        company = create_company(name)
        company.identifier_code = code
        company.short_name = 'STTTT'
        company.save()
        return company

    def _official(self, company, name, login, role=None, department=None):
        employee = create_official(company, login, name, role=role,
            department=department)
        user, = employee.users
        return employee, user

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
            Schedule.publish([schedule])
            self.assertEqual(schedule.state, 'published')
            self.assertEqual(Notification.search_count([]), 0)

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
