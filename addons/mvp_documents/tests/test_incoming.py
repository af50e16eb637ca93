# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import unittest
from unittest.mock import patch

from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.file import is_broken, is_scan
from trytond.modules.mvp_documents.unicode import fold
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, acting_as, create_agency, create_incoming, create_official)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction


def department(company, code):
    Department = Pool().get('mvp.department')
    department, = Department.search([
            ('company', '=', company.id), ('code', '=', code)])
    return department


class Agency:
    "A clerk, a leader, a department head and two officers of one agency"

    def __init__(self, name="Sở Thông tin và Truyền thông", short='STTTT',
            prefix=''):
        self.company = company = create_agency(name, short)
        self.office = department(company, 'VP')
        self.it = department(company, 'CNTT')
        self.clerk = create_official(company, prefix + 'clerk',
            "Nguyễn Thị Thư", 'group_mvp_clerk', self.office)
        self.leader = create_official(company, prefix + 'leader',
            "Trần Văn Giám", 'group_mvp_leader')
        self.head = create_official(company, prefix + 'head',
            "Lê Văn Trưởng", 'group_mvp_department_head', self.it, head=True)
        self.officer1 = create_official(company, prefix + 'officer1',
            "Phạm Văn Một", 'group_mvp_officer', self.it)
        self.officer2 = create_official(company, prefix + 'officer2',
            "Hoàng Thị Hai", 'group_mvp_officer', self.it)
        self.officer3 = create_official(company, prefix + 'officer3',
            "Đỗ Văn Ba", 'group_mvp_officer', self.office)

    def registered(self, **values):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        with acting_as(self.clerk):
            incoming = create_incoming(self.company, **values)
            Incoming.register_arrival([incoming])
        return Incoming(incoming.id)

    def assigned(self, lines, **values):
        "Return a document registered, submitted and assigned by the leader"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        incoming = self.registered(**values)
        with acting_as(self.clerk):
            incoming.submitted_to = self.leader
            incoming.save()
            Incoming.submit([incoming])
        with acting_as(self.leader):
            incoming = Incoming(incoming.id)
            incoming.assignments = [Assignment(**l) for l in lines]
            incoming.save()
            Incoming.assign([incoming])
        return Incoming(incoming.id)


class IncomingTestCase(unittest.TestCase):
    "Test incoming documents"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def test_fold(self):
        "Folding removes Vietnamese diacritics and case"
        for text, folded in [
                ("Quyết định", "quyet dinh"),
                ("ĐÀ NẴNG", "da nang"),
                ("Hỏa tốc", "hoa toc"),
                ("51/TTr-STTTT", "51/ttr-sttttt"[:-1]),
                # typed decomposed: folded as its NFC form
                ("Quye\u0302\u0301t đi\u0323nh", "quyet dinh"),
                ("", ""),
                (None, ""),
                ]:
            with self.subTest(text=text):
                self.assertEqual(fold(text), folded)

    def test_fold_keeps_the_length(self):
        "A match in the folded text can be cut from the original"
        text = "Ủy ban nhân dân tỉnh Thái Bình"
        start = fold(text).index("thai binh")
        self.assertEqual(text[start:start + 9], "Thái Bình")

    def test_is_scan(self):
        "Scans are recognised by their first bytes"
        for data, result in [
                (PDF, True),
                (b'\xff\xd8\xff\xe0JFIF', True),
                (b'\x89PNG\r\n\x1a\nIHDR', True),
                (b'II*\x00tiff', True),
                (b'MZ\x90\x00', False),
                (b'', False),
                (None, False),
                ]:
            with self.subTest(data=data):
                self.assertEqual(is_scan(data), result)

    def test_is_broken(self):
        "A PDF or image whose content does not match its name is broken"
        for name, data, result in [
                ('a.pdf', PDF, False),
                ('a.PDF', b'<html>', True),
                ('a.jpg', b'\xff\xd8\xff\xe0', False),
                ('a.tiff', b'%PDF-1.4', True),
                ('a.docx', b'PK\x03\x04', False),
                ('noext', b'', False),
                ]:
            with self.subTest(name=name):
                self.assertEqual(is_broken(name, data), result)

    @with_transaction()
    def test_document_goes_from_registration_to_processed(self):
        "Clerk registers, leader assigns, head re-assigns, officer finishes"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        Progress = pool.get('mvp.assignment.progress')
        File = pool.get('mvp.document.file')
        a = Agency()
        with acting_as(a.clerk):
            incoming = create_incoming(a.company)
            File.create([{
                        'resource': str(incoming), 'kind': 'scan',
                        'name': 'scan.pdf', 'data': PDF,
                        }])
            Incoming.register_arrival([incoming])
            self.assertEqual(incoming.state, 'registered')
            self.assertEqual(incoming.arrival_number, 1)
            self.assertEqual(incoming.registered_by, a.clerk)
            # written in one go, the transition is still logged
            self.assertIn(
                ('transition', 'state:registered'),
                [(log.event, log.target)
                    for log in Transaction().log_records
                    if log.resource == incoming])
            # Tờ trình: 10 working days by default
            self.assertTrue(incoming.deadline)
            incoming.submitted_to = a.leader
            incoming.save()
            Incoming.submit([incoming])
        deadline = incoming.deadline
        with acting_as(a.leader):
            incoming = Incoming(incoming.id)
            incoming.assignments = [
                Assignment(department=a.it, role='lead', deadline=deadline,
                    instruction="Phòng CNTT chủ trì tham mưu"),
                Assignment(employee=a.officer3, role='info'),
                ]
            incoming.save()
            Incoming.assign([incoming])
            self.assertEqual(incoming.state, 'assigned')
            self.assertEqual(incoming.assigned_by, a.leader)
        with acting_as(a.head):
            lead, = Assignment.search([
                    ('incoming', '=', incoming.id),
                    ('department', '=', a.it.id)])
            self.assertEqual(lead.state, 'assigned')
            lead.children = [
                Assignment(employee=a.officer1, role='lead'),
                Assignment(employee=a.officer2, role='coordinate'),
                ]
            lead.save()
            Assignment.distribute([lead])
            self.assertEqual(lead.state, 'in_progress')
        with acting_as(a.officer1):
            mine, = Assignment.search([('employee', '=', a.officer1.id)])
            self.assertEqual(mine.parent, lead)
            self.assertEqual(mine.deadline, deadline)
            Assignment.read([mine.id], ['progress'])
            self.assertTrue(Assignment(mine.id).first_read)
            Progress.create([{
                        'assignment': mine.id,
                        'description': "Đã dự thảo văn bản trả lời",
                        'percent': 50,
                        }])
            File.create([{
                        'resource': str(mine), 'kind': 'result',
                        'name': 'du-thao.pdf', 'data': PDF,
                        }])
            mine = Assignment(mine.id)
            self.assertEqual(mine.state, 'in_progress')
            Assignment.finish([mine])
        incoming = Incoming(incoming.id)
        self.assertEqual(incoming.state, 'processed')
        self.assertEqual(Assignment(lead.id).state, 'done')
        self.assertEqual(
            [e.code for e in incoming.events if e.code],
            ['03', '04', '05', '06'])
        steps = [e.step for e in incoming.events]
        for step in ['register', 'submit', 'assign', 'read', 'progress',
                'finish', 'process']:
            with self.subTest(step=step):
                self.assertIn(step, steps)
        self.assertTrue(all(e.employee for e in incoming.events
                if e.step in {'submit', 'assign', 'progress'}))

    @with_transaction()
    def test_return_withdraw_and_reassign(self):
        "An officer returns work with a reason, the leader gives it again"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        a = Agency()
        incoming = a.assigned([
                {'employee': a.officer1, 'role': 'lead'},
                {'employee': a.officer2, 'role': 'coordinate'}])
        first, = [x for x in incoming.assignments if x.role == 'lead']
        second, = [x for x in incoming.assignments if x.role != 'lead']
        with acting_as(a.officer1):
            with self.assertRaises(UserError):
                Assignment.return_([first], " ")
            Assignment.return_([first], "Không thuộc lĩnh vực phụ trách")
        with acting_as(a.officer1), self.assertRaises(UserError):
            Assignment.withdraw([second])
        with acting_as(a.leader):
            Assignment.withdraw([second])
            incoming = Incoming(incoming.id)
            incoming.assignments += (
                Assignment(employee=a.officer2, role='lead'),)
            incoming.save()
            Incoming.assign([incoming])
        states = sorted(a.state for a in Incoming(incoming.id).assignments)
        self.assertEqual(states, ['assigned', 'returned', 'withdrawn'])
        self.assertEqual(
            Assignment(first.id).return_reason,
            "Không thuộc lĩnh vực phụ trách")

    @with_transaction()
    def test_leader_sends_back_to_clerk(self):
        "The leader returns a submitted document to the clerk with a reason"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = a.registered()
        with acting_as(a.clerk):
            Incoming.submit([incoming])  # the only leader is chosen
            self.assertEqual(incoming.submitted_to, a.leader)
        with acting_as(a.leader):
            Incoming.send_back([Incoming(incoming.id)], "Thiếu phụ lục")
        incoming = Incoming(incoming.id)
        self.assertEqual(incoming.state, 'registered')
        self.assertEqual(incoming.return_reason, "Thiếu phụ lục")

    @with_transaction()
    def test_electronic_document_is_accepted_or_rejected(self):
        "An electronic document waits for the clerk, the origin is told"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Register = pool.get('mvp.register')
        a = Agency()
        seen = []
        values = {
            'subject': "V/v báo cáo chuyển đổi số",
            'notation': '12/UBND-VX',
            'issue_date': dt.date.today(),
            'urgency': 'urgent',
            }
        origin, = Register.search([
                ('company', '=', a.company.id), ('confidential', '=', True)])
        with patch.object(Incoming, '_get_origins',
                    classmethod(lambda cls: {'mvp.register'})), \
                patch.object(Register, 'on_incoming_event', create=True,
                    new=lambda self, event: seen.append(
                        (self.id, event.code))):
            accepted = Incoming.receive_electronic(
                a.company, values,
                [{'name': 'vb.pdf', 'data': PDF, 'kind': 'signed'}],
                origin=origin)
            rejected = Incoming.receive_electronic(
                a.company, values, [], origin=origin)
            self.assertEqual(accepted.state, 'received')
            self.assertFalse(accepted.arrival_number)
            self.assertEqual(len(accepted.files), 1)
            with acting_as(a.clerk):
                Incoming.accept([accepted])
                with self.assertRaises(UserError):
                    Incoming.reject([rejected], "")
                Incoming.reject([rejected], "Gửi nhầm cơ quan")
        self.assertEqual(accepted.state, 'registered')
        self.assertEqual(accepted.arrival_number, 1)
        self.assertEqual(Incoming(rejected.id).state, 'returned')
        self.assertEqual(
            seen, [(origin.id, '01'), (origin.id, '01'),
                (origin.id, '03'), (origin.id, '02')])

    @with_transaction()
    def test_recall_is_answered_by_the_agency(self):
        """The sender's recall waits for the agency: agreed, the document
        and its assignments end; refused, it stays; both keep the events"""
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Notification = pool.get('res.notification')
        a = Agency()
        incoming = a.assigned([{'employee': a.officer1, 'role': 'lead'}])
        other = a.registered()
        Incoming.request_recall([incoming, other], "Cơ quan gửi thu hồi")
        incoming, other = Incoming.browse([incoming, other])
        self.assertEqual([(i.state, i.recall_state, i.events[-1].code)
                for i in [incoming, other]],
            [('assigned', 'requested', '13'),
                ('registered', 'requested', '13')])
        clerk_user, = a.clerk.users
        self.assertEqual(len(Notification.search([
                        ('user', '=', clerk_user.id),
                        ('records', '=', str([incoming.id])),
                        ])), 1)
        with acting_as(a.officer1), self.assertRaises(UserError):
            Incoming.agree_recall([incoming])
        with acting_as(a.clerk):
            Incoming.refuse_recall([other], "Đã xử lý xong")
            Incoming.agree_recall([incoming], "Đồng ý")
        incoming, other = Incoming.browse([incoming, other])
        self.assertEqual(incoming.state, 'cancelled')
        self.assertEqual(incoming.recall_state, 'agreed')
        self.assertEqual(incoming.assignments[0].state, 'withdrawn')
        self.assertEqual(incoming.events[-1].code, '15')
        self.assertEqual(other.state, 'registered')
        self.assertEqual(
            (other.recall_state, other.recall_answer),
            ('refused', "Đã xử lý xong"))
        self.assertEqual(other.events[-1].code, '16')

    @with_transaction()
    def test_unanswered_recall_reminds_the_clerks_once(self):
        "A recall unanswered for 2 working days reminds the clerks"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Notification = pool.get('res.notification')
        a = Agency()
        incoming = a.registered()
        Incoming.request_recall([incoming], "Gửi nhầm")
        clerk_user, = a.clerk.users

        def reminders():
            return Notification.search([
                    ('user', '=', clerk_user.id),
                    ('label', 'like', 'A recall waits%'),
                    ])
        self.assertEqual(Incoming.remind_recall_requests(), [])
        self.assertFalse(reminders())
        Incoming.write([incoming], {
                # past any holiday of the calendar
                'recall_requested_at': dt.datetime.now() - dt.timedelta(
                    days=15)})
        self.assertEqual(Incoming.remind_recall_requests(), [incoming])
        self.assertEqual(len(reminders()), 1)
        self.assertEqual(Incoming.remind_recall_requests(), [])
        self.assertEqual(len(reminders()), 1)

    @with_transaction()
    def test_urgent_document_notifies_the_leader(self):
        "Registering a khẩn document notifies the leader at once"
        pool = Pool()
        Notification = pool.get('res.notification')
        a = Agency()
        leader_user, = a.leader.users
        a.registered()
        self.assertFalse(Notification.search([('user', '=', leader_user.id)]))
        incoming = a.registered(urgency='flash')
        notification, = Notification.search([('user', '=', leader_user.id)])
        self.assertIn(incoming.notation, notification.label)
        self.assertEqual(notification.model, 'mvp.incoming')

    @with_transaction()
    def test_delegate_may_assign(self):
        "The office chief assigns only while the leader delegates it"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        Delegation = pool.get('mvp.assignment.delegation')
        a = Agency()
        chief = create_official(a.company, 'chief', "Vũ Văn Chánh",
            'group_mvp_department_head', a.office, head=True)
        incoming = a.registered()
        incoming.assignments = [Assignment(employee=a.officer1, role='lead')]
        incoming.save()
        with acting_as(a.clerk), self.assertRaises(UserError):
            incoming.submitted_to = chief
            incoming.save()
            Incoming.submit([incoming])
        with acting_as(chief), self.assertRaises(UserError):
            Incoming.assign([Incoming(incoming.id)])
        Delegation.create([{
                    'company': a.company.id, 'leader': a.leader.id,
                    'delegate': chief.id,
                    }])
        with acting_as(a.clerk):
            Incoming.submit([Incoming(incoming.id)])
        with acting_as(chief):
            Incoming.assign([Incoming(incoming.id)])
        self.assertEqual(Incoming(incoming.id).state, 'assigned')

    @with_transaction()
    def test_absent_assignee_warns_and_offers_substitute(self):
        "Work due during an absence warns and can go to the substitute"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        Absence = pool.get('mvp.absence')
        Date = pool.get('ir.date')
        a = Agency()
        today = Date.today()
        Absence.create([{
                    'company': a.company.id, 'employee': a.officer1.id,
                    'start_date': today,
                    'end_date': today + dt.timedelta(days=10),
                    'substitute': a.officer2.id, 'reason': "Đi học",
                    }])
        incoming = a.registered()
        incoming.assignments = [Assignment(
                employee=a.officer1, role='lead',
                deadline=today + dt.timedelta(days=3))]
        incoming.save()
        assignment, = incoming.assignments
        self.assertEqual(assignment.substitute, a.officer2)
        self.assertIn(a.officer2.rec_name, assignment.absence_note)
        with acting_as(a.leader):
            with self.assertRaises(UserWarning) as cm:
                Incoming.assign([Incoming(incoming.id)])
            self.assertIn(a.officer2.rec_name, cm.exception.message)
            Assignment.use_substitute([Assignment(assignment.id)])
            Incoming.assign([Incoming(incoming.id)])
        assignment = Assignment(assignment.id)
        self.assertEqual(
            (assignment.employee, assignment.state), (a.officer2, 'assigned'))

    @with_transaction()
    def test_read_tracking_records_only_the_assignee(self):
        "Opening a document records the first time for its assignee only"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = a.assigned([
                {'employee': a.officer1, 'role': 'lead'},
                {'employee': a.officer2, 'role': 'info'}])
        with acting_as(a.leader):
            Incoming.read([incoming.id], ['subject', 'assignments'])
        with acting_as(a.officer1):
            Incoming.read([incoming.id], ['subject', 'assignments'])
        first = {x.employee: x.first_read for x in
            Incoming(incoming.id).assignments}
        self.assertTrue(first[a.officer1])
        self.assertIsNone(first[a.officer2])
        with acting_as(a.officer1):
            Incoming.mark_read([incoming])
        self.assertEqual(
            [x.employee for x in Incoming(incoming.id).events
                if x.step == 'read'], [a.officer1])

    @with_transaction()
    def test_search_ignores_diacritics(self):
        "quyet dinh finds Quyết định, in subject, notation and issuer"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        first = create_incoming(a.company)
        second = create_incoming(
            a.company, subject="Giấy mời họp", notation='05/GM-UBND',
            issuer_name="Sở Nội vụ")

        def assert_finds(expected):
            for text, found in expected:
                with self.subTest(text=text):
                    self.assertEqual(Incoming.search([
                                ('company', '=', a.company.id),
                                ('rec_name', 'ilike', '%' + text + '%'),
                                ], order=[('id', 'ASC')]), found)

        assert_finds([
                ('quyet dinh', [first]),
                ('QUYẾT ĐỊNH', [first]),
                ('gm-ubnd', [second]),
                ('dong hung', [first]),
                ('so noi vu', [second]),
                ('khong co', []),
                ])
        second.subject = "Quyết định khen thưởng"
        second.save()
        assert_finds([('quyet dinh', [first, second])])
        # one write to two documents keeps each one's own other fields
        Incoming.write([first, second], {'notation': '99/TB-STP'})
        assert_finds([
                ('99/tb-stp', [first, second]),
                ('khen thuong', [second]),
                ('dong hung', [first]),
                ('05/gm-ubnd', []),
                ])

    @with_transaction()
    def test_bad_input_is_refused(self):
        "Each bad input gives a clear error"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        File = pool.get('mvp.document.file')
        a = Agency()
        b = Agency("Sở Nội vụ", 'SNV', prefix='b_')
        now = dt.datetime.now()
        cases = {
            'empty subject': lambda: Incoming.register_arrival(
                [create_incoming(a.company, subject="  ")]),
            'deadline before arrival': lambda: create_incoming(
                a.company, arrival_date=now - dt.timedelta(days=3),
                deadline=(now - dt.timedelta(days=10)).date()),
            'arrival in the future': lambda: create_incoming(
                a.company, arrival_date=now + dt.timedelta(days=1)),
            }

        def broken_scan():
            incoming = create_incoming(a.company)
            File.create([{'resource': str(incoming), 'kind': 'scan',
                        'name': 'scan.pdf', 'data': b'not a pdf'}])
            Incoming.register_arrival([Incoming(incoming.id)])
        cases['broken scan'] = broken_scan

        def broken_pdf():
            Incoming.receive_electronic(
                a.company, {'subject': "Báo cáo"}, [{
                        'name': 'bao-cao.pdf', 'data': b'\x00\x01',
                        'kind': 'signed'}])
        cases['broken electronic PDF'] = broken_pdf

        def assign(*lines):
            def run():
                incoming = a.registered()
                incoming.assignments = [Assignment(**l) for l in lines]
                incoming.save()
                with acting_as(a.leader):
                    Incoming.assign([Incoming(incoming.id)])
            return run
        cases['assignee of another agency'] = assign(
            {'employee': b.officer1, 'role': 'lead'})
        cases['department of another agency'] = assign(
            {'department': b.it, 'role': 'lead'})
        cases['assignment to nobody'] = assign({'role': 'lead'})
        cases['second lead'] = assign(
            {'employee': a.officer1, 'role': 'lead'},
            {'employee': a.officer2, 'role': 'lead'})
        cases['no assignment'] = assign()
        cases['deadline before the document arrived'] = assign(
            {'employee': a.officer1, 'role': 'lead',
                'deadline': dt.date.today() - dt.timedelta(days=30)})
        for name, case in cases.items():
            with self.subTest(name=name):
                with self.assertRaises(UserError) as cm:
                    case()
                self.assertTrue(cm.exception.message)
                self.assertNotIn('%(', cm.exception.message)

    @with_transaction()
    def test_role_of_a_given_assignment_is_fixed(self):
        "A stale client form cannot turn a coordinator into the lead"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        a = Agency()
        incoming = a.assigned([{'employee': a.officer1, 'role': 'lead'},
                {'employee': a.officer2, 'role': 'coordinate'}])
        coordinator, = Assignment.search([
                ('incoming', '=', incoming.id),
                ('employee', '=', a.officer2.id)])
        with acting_as(a.officer2):
            with self.assertRaises(UserError) as cm:
                Assignment.write([coordinator], {
                        'result': "Đã cho ý kiến", 'role': 'info'})
            self.assertIn(a.officer2.party.name, cm.exception.message)
            # the same role written back, as the form does, is accepted
            Assignment.write([coordinator], {
                    'result': "Đã cho ý kiến", 'role': 'coordinate'})
        coordinator = Assignment(coordinator.id)
        self.assertEqual(coordinator.role, 'coordinate')
        self.assertEqual(coordinator.result, "Đã cho ý kiến")

    @with_transaction()
    def test_access_follows_agency_role_and_assignment(self):
        "Clerks and leaders see all; others what is given to them"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        Channel = pool.get('ir.chat.channel')
        a = Agency()
        b = Agency("Sở Nội vụ", 'SNV', prefix='b_')
        ordinary = a.assigned([{'department': a.it, 'role': 'lead'}])
        secret = a.assigned(
            [{'department': a.it, 'role': 'lead'},
                {'employee': a.officer3, 'role': 'info'}],
            confidentiality='secret', subject=None)
        waiting = a.registered()
        everything = {ordinary, secret, waiting}
        for employee, expected in [
                (a.clerk, everything),
                (a.leader, everything),
                (a.head, {ordinary, secret}),
                (a.officer1, {ordinary}),
                (a.officer3, {secret}),
                (b.clerk, set()),
                (b.leader, set()),
                ]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee):
                    self.assertEqual(set(Incoming.search([])), expected)
                    visible = Assignment.search([])
                self.assertEqual(
                    {x.incoming for x in visible}, expected - {waiting})
        self.assertEqual(secret.register.confidential, True)
        with acting_as(a.officer1), self.assertRaises(AccessError):
            Incoming.read([secret.id], ['subject'])
        # the chat RPC runs without access checks but checks the resource
        with acting_as(a.officer1, access=False), \
                self.assertRaises(AccessError):
            Channel.post(secret, "Xin ý kiến")
        with acting_as(a.officer3, access=False):
            Channel.post(secret, "Đã nhận, đang nghiên cứu")
            self.assertEqual(
                Channel.get(str(secret))[-1]['content'],
                "Đã nhận, đang nghiên cứu")
        with acting_as(b.clerk), self.assertRaises(AccessError):
            Incoming.read([ordinary.id], ['subject'])
