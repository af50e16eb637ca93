# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Deadlines: the daily marking of work due soon and overdue, reminders in
the client and by real SMTP, the leaders' morning digest, and who has not
opened new work."""
import datetime as dt
import email
import socket
import threading
import unittest

from aiosmtpd.controller import Controller

from trytond import config
from trytond.modules.mvp_documents.calendar import add_working_days
from trytond.modules.mvp_documents.reminder import due_state
from trytond.modules.mvp_documents.tests.incoming_tools import (
    create_agency, create_incoming, create_official)
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction


class Sink:
    "aiosmtpd handler keeping every message it receives"

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(
                        envelope.content, policy=email.policy.default)))
        return '250 OK'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def mail_sink(testcase):
    """Start an SMTP server on loopback that keeps every message for the
    test and point [email] uri at it; return its Sink"""
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname='127.0.0.1', port=port)
    controller.start()
    testcase.addCleanup(controller.stop)
    previous = config.get('email', 'uri')
    config.set('email', 'uri', 'smtp://127.0.0.1:%s' % port)
    testcase.addCleanup(config.set, 'email', 'uri', previous)
    return sink


class DueStateTestCase(unittest.TestCase):

    def test_due_state(self):
        today = dt.date(2025, 11, 24)
        soon = dt.date(2025, 11, 26)
        for deadline, expected in [
                (None, None),
                (dt.date(2025, 11, 21), 'overdue'),
                (dt.date(2025, 11, 23), 'overdue'),
                (today, 'due_soon'),
                (soon, 'due_soon'),
                (dt.date(2025, 11, 27), None),
                ]:
            with self.subTest(deadline=deadline):
                self.assertEqual(due_state(deadline, today, soon), expected)


class ReminderTestCase(unittest.TestCase):
    "Reminders and digests"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @classmethod
    def tearDownClass(cls):
        # some tests commit (mail goes out at commit): leave no agency
        # behind for the next test file of this worker
        drop_db()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.sink = mail_sink(self)

    def agency(self, name, short_name):
        pool = Pool()
        Department = pool.get('mvp.department')
        company = create_agency(name, short_name)
        department, = Department.search([
                ('company', '=', company.id), ('code', '=', 'CNTT')])
        leader = create_official(
            company, 'leader-' + short_name, "Nguyễn Văn Giám Đốc",
            role='group_mvp_leader')
        officer = create_official(
            company, 'officer-' + short_name, "Trần Thị Chuyên Viên",
            role='group_mvp_officer', department=department)
        return company, leader, officer

    def assignments(self, company, leader, officer, today):
        "Return assignments overdue, due today, due in 2 and 3 working days"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        now = dt.datetime.now().replace(microsecond=0)
        deadlines = [
            today - dt.timedelta(days=1),
            today,
            add_working_days(company, today, 2),
            add_working_days(company, today, 3),
            ]
        result = []
        for i, deadline in enumerate(deadlines):
            incoming = create_incoming(
                company, notation='%s/BC-SNV' % (i + 1),
                arrival_date=now - dt.timedelta(days=10),
                issue_date=today - dt.timedelta(days=12))
            assignment, = Assignment.create([{
                        'incoming': incoming.id, 'employee': officer.id,
                        'role': 'lead', 'deadline': deadline,
                        'state': 'assigned', 'assigner': leader.id,
                        'assigned_date': now - dt.timedelta(days=9),
                        }])
            result.append(assignment)
        return result

    @with_transaction()
    def test_daily_marking_notifies_once_in_client_and_by_smtp(self):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Notification = pool.get('res.notification')
        Date = pool.get('ir.date')
        today = Date.today()
        company, leader, officer = self.agency(
            "Sở Khoa học và Công nghệ", 'SKHCN')
        overdue, today_, soon, later = self.assignments(
            company, leader, officer, today)

        Assignment.check_deadlines(today)
        self.assertEqual(
            [Assignment(a.id).due_state
                for a in [overdue, today_, soon, later]],
            ['overdue', 'due_soon', 'due_soon', None])
        officer_user, = officer.users
        leader_user, = leader.users
        notes = Notification.search([('user', '=', officer_user.id)])
        self.assertEqual(len(notes), 3)
        self.assertEqual(
            len(Notification.search([('user', '=', leader_user.id)])), 1)

        # The next day nothing new is sent for the same state
        Assignment.check_deadlines(today)
        self.assertEqual(
            len(Notification.search([('user', '=', officer_user.id)])), 3)

        Transaction().commit()
        subjects = sorted(m['Subject'] for _, m in self.sink.messages)
        self.assertEqual(len(subjects), 4)
        self.assertEqual(
            sum(s.startswith('Overdue since') for s in subjects), 2)
        recipients = sorted(r for rcpt, _ in self.sink.messages for r in rcpt)
        self.assertIn('officer-SKHCN@example.com', recipients)
        self.assertIn('leader-SKHCN@example.com', recipients)

    @with_transaction()
    def test_finished_or_extended_work_leaves_the_lists(self):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Date = pool.get('ir.date')
        today = Date.today()
        company, leader, officer = self.agency("Sở Tư pháp", 'STP')
        overdue, today_, soon, later = self.assignments(
            company, leader, officer, today)
        Assignment.check_deadlines(today)
        Assignment.write([overdue], {
                'deadline': add_working_days(company, today, 10)})
        Assignment.write([today_], {'state': 'done'})
        Assignment.check_deadlines(today)
        self.assertEqual(Assignment(overdue.id).due_state, None)

    @with_transaction()
    def test_morning_digest_to_each_leader(self):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Notification = pool.get('res.notification')
        Date = pool.get('ir.date')
        today = Date.today()
        company, leader, officer = self.agency("Sở Y tế", 'SYT')
        self.assignments(company, leader, officer, today)
        create_incoming(
            company, notation='99/GM-UBND', state='submitted',
            submitted_to=leader.id)
        quiet, quiet_leader, _ = self.agency("Sở Giao thông vận tải", 'SGT')

        Assignment.check_deadlines(today)
        sent = Assignment.send_digests(today)
        self.assertIn(leader, sent)
        self.assertNotIn(quiet_leader, sent)
        leader_user, = leader.users
        digest, = Notification.search([
                ('user', '=', leader_user.id),
                ('label', 'like', 'Documents on %'),
                ])
        self.assertIn('1 new, 2 due soon, 1 overdue', digest.label)
        Transaction().commit()
        mail, = [m for _, m in self.sink.messages
            if m['Subject'] == digest.label]
        body = mail.get_content()
        self.assertIn('99/GM-UBND', body)
        self.assertIn('Trần Thị Chuyên Viên', body)
        self.assertIn('Overdue work: 1', body)

    @with_transaction()
    def test_leader_sees_who_has_not_opened_new_work(self):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Action = pool.get('ir.action.act_window')
        ModelData = pool.get('ir.model.data')
        Date = pool.get('ir.date')
        today = Date.today()
        company, leader, officer = self.agency("Sở Xây dựng", 'SXD')
        first, second, _, _ = self.assignments(
            company, leader, officer, today)
        Assignment.write([first], {'first_read': dt.datetime.now()})
        action = Action(ModelData.get_id(
                'mvp_documents', 'act_assignment_unopened'))
        domain = PYSONDecoder({'company': company.id}).decode(
            action.pyson_domain)
        unopened = Assignment.search(domain)
        self.assertNotIn(first, unopened)
        self.assertIn(second, unopened)
        self.assertEqual({a.employee for a in unopened}, {officer})
