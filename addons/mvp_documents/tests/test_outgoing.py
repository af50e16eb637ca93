# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import io
import threading
import time
import unittest
import uuid
from contextlib import contextmanager

from trytond.exceptions import UserError
from trytond.modules.company.tests import create_company, create_employee
from trytond.modules.currency.tests import create_currency
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

from ..notation import compose_notation, document_identifier, format_number
from ..outgoing_recipient import can_move


class NotationTestCase(unittest.TestCase):
    "Test notations and identifiers (Decree 30/2020)"

    def test_format_number(self):
        for number, text in [(1, '01'), (9, '09'), (10, '10'), (312, '312')]:
            with self.subTest(number=number):
                self.assertEqual(format_number(number), text)

    def test_format_number_invalid(self):
        for number in [0, -1, None, '5', True]:
            with self.subTest(number=number):
                with self.assertRaises(ValueError):
                    format_number(number)

    def test_compose_notation(self):
        for args, notation in [
                ((51, 'STTTT', 'TTr'), '51/TTr-STTTT'),
                ((312, 'STTTT', None, 'CNTT'), '312/STTTT-CNTT'),
                ((312, 'STTTT', '', 'CNTT'), '312/STTTT-CNTT'),
                ((5, 'BNV', None, 'VP'), '05/BNV-VP'),
                ((15, 'BNV', 'QĐ', 'VP'), '15/QĐ-BNV'),
                ((7, 'UBND', 'QyĐ'), '07/QyĐ-UBND'),
                ((3, 'STTTT'), '03/STTTT'),
                ]:
            with self.subTest(args=args):
                self.assertEqual(compose_notation(*args), notation)

    def test_compose_notation_invalid(self):
        for args in [(1, ''), (1, None, 'TTr'), (1, 'S TTTT', 'TTr'),
                (0, 'STTTT', 'TTr')]:
            with self.subTest(args=args):
                with self.assertRaises(ValueError):
                    compose_notation(*args)

    def test_document_identifier(self):
        self.assertEqual(
            document_identifier(
                '000.00.01.H54', dt.date(2026, 11, 25), '51/TTr-STTTT'),
            '000.00.01.H54,2026/11/25,51/TTr-STTTT')
        with self.assertRaises(ValueError):
            document_identifier('', dt.date(2026, 1, 1), '01/TTr-STTTT')

    def test_recipient_state_never_moves_backwards(self):
        for current, new, allowed in [
                ('sent', 'received', True),
                ('received', 'accepted', True),
                ('accepted', 'received', False),
                ('completed', 'processing', False),
                ('assigned', 'completed', True),
                ('sent', 'returned', True),
                ('assigned', 'returned', False),
                ('accepted', 'recalled', True),
                ('recalled', 'recall_refused', True),
                ('completed', 'recall_requested', True),
                ('recall_requested', 'recalled', True),
                ('recall_requested', 'recall_refused', True),
                ('recall_refused', 'recall_requested', False),
                ('recall_refused', 'recalled', False),
                ('completed', 'recall_refused', False),
                ('recalled', 'received', False),
                ('draft', 'recalled', False),
                ]:
            with self.subTest(current=current, new=new):
                self.assertEqual(can_move(current, new), allowed)


class OutgoingSetup:
    "Agencies, officials and roles for the outgoing tests"

    def setup_agencies(self, count=4):
        pool = Pool()
        Department = pool.get('mvp.department')
        Register = pool.get('mvp.register')
        currency = create_currency('VND')
        self.agencies = []
        for i in range(count):
            company = create_company(
                name=['Sở Thông tin và Truyền thông', 'Sở Nội vụ',
                    'Sở Y tế', 'UBND huyện Vũ Thư', 'Sở Tư pháp'][i % 5]
                + ('' if i < 5 else f' {i}'),
                currency=currency)
            company.short_name = ['STTTT', 'SNV', 'SYT', 'UBND', 'STP'][i % 5]
            company.identifier_code = f'000.{i // 100:02d}.{i % 100:02d}.H54'
            company.save()
            Register.create([{
                        'company': company.id, 'kind': 'outgoing',
                        'name': "Sổ văn bản đi"}])
            self.agencies.append(company)
        self.agency = self.agencies[0]
        self.department, = Department.create([{
                    'company': self.agency.id, 'name': "Phòng CNTT",
                    'code': 'CNTT'}])
        self.office, = Department.create([{
                    'company': self.agency.id, 'name': "Văn phòng",
                    'code': 'VP', 'is_office': True}])
        self.drafter = self.make_user(
            self.agency, 'drafter', "Trần Văn Bình", 'officer',
            self.department, "Chuyên viên")
        self.head = self.make_user(
            self.agency, 'head', "Lê Thị Cúc", 'department_head',
            self.department, "Trưởng phòng")
        self.department.head = self.head[1]
        self.department.save()
        self.leader = self.make_user(
            self.agency, 'leader', "Nguyễn Văn An", 'leader', None,
            "Giám đốc")
        self.clerk = self.make_user(
            self.agency, 'clerk', "Phạm Thị Dung", 'clerk', self.office,
            "Văn thư")
        self.other = self.make_user(
            self.agency, 'other', "Hoàng Văn Em", 'officer', self.office,
            "Chuyên viên")
        self.reviewer = self.make_user(
            self.agencies[1], 'reviewer', "Đỗ Văn Giang", 'officer', None,
            "Chuyên viên")
        self.recipient_clerk = self.make_user(
            self.agencies[1], 'rclerk', "Vũ Thị Hoa", 'clerk', None,
            "Văn thư")

    def make_user(self, company, login, name, role, department, position):
        pool = Pool()
        User = pool.get('res.user')
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        employee = create_employee(company, name)
        employee.department = department
        employee.position = position
        employee.save()
        user, = User.create([{
                    'login': login, 'name': name,
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    'groups': [('add', [ModelData.get_id(
                                    'mvp_documents', 'group_mvp_user')])],
                    }])
        Role.create([{
                    'user': user.id, 'company': company.id,
                    'group': ModelData.get_id(
                        'mvp_documents', f'group_mvp_{role}'),
                    }])
        return user, employee

    @contextmanager
    def acting(self, who):
        user, employee = who
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                company=employee.company.id, employee=employee.id,
                companies=[employee.company.id]):
            yield

    def document_type(self, code):
        pool = Pool()
        Type = pool.get('mvp.document.type')
        type_, = Type.search([('code', '=', code)])
        return type_

    def new_outgoing(self, type_code='to_trinh', **values):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        values.setdefault('signer', self.leader[1])
        values.setdefault(
            'subject', "Về việc phê duyệt danh mục mã định danh điện tử")
        with self.acting(self.drafter):
            outgoing = Outgoing(
                document_type=self.document_type(type_code), **values)
            outgoing.on_change_document_type()
            outgoing.save()
            # a classified draft stays on paper: no file
            if not outgoing.classified:
                Outgoing.add_draft_version(outgoing, [
                        {'name': 'to-trinh.docx', 'data': b'PK docx v1'},
                        {'name': 'to-trinh.pdf', 'data': b'%PDF-1.4 v1'},
                        ])
        return Outgoing(outgoing.id)

    def submitted(self, outgoing):
        "Initialled by the drafter and the head, submitted by the drafter"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        with self.acting(self.drafter):
            Outgoing.initial([outgoing])
        with self.acting(self.head):
            Outgoing.initial([outgoing])
        with self.acting(self.drafter):
            Outgoing.submit([outgoing])
        return Outgoing(outgoing.id)

    def approved(self, outgoing):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        outgoing = self.submitted(outgoing)
        with self.acting(self.leader):
            Outgoing.approve([outgoing])
        return Outgoing(outgoing.id)

    def add_recipients(self, outgoing, agencies):
        pool = Pool()
        Recipient = pool.get('mvp.outgoing.recipient')
        Recipient.create([{
                    'outgoing': outgoing.id, 'kind': 'agency',
                    'agency': a.id} for a in agencies])

    def signed(self, outgoing, kind='signed'):
        pool = Pool()
        File = pool.get('mvp.document.file')
        File.create([{
                    'resource': str(outgoing), 'kind': kind,
                    'name': 'to-trinh-signed.pdf',
                    'data': b'%PDF-1.4 signed'}])


class OutgoingTestCase(OutgoingSetup, unittest.TestCase):
    "Test outgoing documents"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_documents')

    @with_transaction()
    def test_versions_are_kept(self):
        "Every draft version is kept, the last one is current"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        outgoing = self.new_outgoing()
        with self.acting(self.drafter):
            Outgoing.add_draft_version(outgoing, [
                    {'name': 'to-trinh.odt', 'data': b'odt v2'}])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.draft_version, 2)
        self.assertEqual(len(outgoing.files), 3)
        self.assertEqual(
            [(f.version, f.current) for f in outgoing.files],
            [(1, False), (1, False), (2, True)])

    @with_transaction()
    def test_comments_per_version(self):
        "Officials and other agencies comment on a version"
        pool = Pool()
        Comment = pool.get('mvp.outgoing.comment')
        Date = pool.get('ir.date')
        self.setup_agencies(2)
        outgoing = self.new_outgoing()
        with self.acting(self.drafter):
            comments = Comment.request_comments(
                outgoing, Date.today() + dt.timedelta(days=3),
                request="Góp ý dự thảo",
                employees=[self.other[1]], agencies=[self.agencies[1]])
        self.assertEqual(len(comments), 2)
        to_agency = [c for c in comments if c.reviewer_kind == 'agency'][0]
        to_other = [c for c in comments if c.reviewer_kind == 'employee'][0]
        with self.acting(self.reviewer):
            self.assertEqual(to_agency.draft_file_name, 'to-trinh.pdf')
            to_agency.answer = "Đề nghị bổ sung căn cứ pháp lý."
            to_agency.answer_file = b'%PDF annotated'
            to_agency.answer_file_name = 'gop-y.pdf'
            to_agency.save()
            Comment.send_answer([to_agency])
            with self.assertRaises(UserError):
                Comment.send_answer([to_other])
        with self.acting(self.other):
            with self.assertRaises(UserError):
                Comment.send_answer([to_other])  # no answer text
        to_agency = Comment(to_agency.id)
        self.assertEqual(to_agency.state, 'answered')
        self.assertEqual(to_agency.version, 1)
        self.assertEqual(to_agency.answered_by, "Đỗ Văn Giang")
        with self.acting(self.drafter):
            with self.assertRaises(UserError):
                Comment.request_comments(
                    outgoing, Date.today() - dt.timedelta(days=1),
                    employees=[self.other[1]])

    @with_transaction()
    def test_approval_chain(self):
        "Initials by drafter and head, then the leader approves"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        outgoing = self.new_outgoing()
        with self.acting(self.drafter):
            with self.assertRaisesRegex(UserError, 'initials'):
                Outgoing.submit([outgoing])
            Outgoing.initial([outgoing])
        with self.acting(self.other):
            with self.assertRaisesRegex(UserError, 'initial'):
                Outgoing.initial([outgoing])
        with self.acting(self.head):
            Outgoing.initial([outgoing])
        with self.acting(self.drafter):
            Outgoing.submit([outgoing])
        with self.acting(self.other):
            with self.assertRaisesRegex(UserError, 'leader'):
                Outgoing.approve([outgoing])
        with self.acting(self.leader):
            Outgoing.return_to_drafter([outgoing], "Sửa lại trích yếu")
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.state, 'draft')
        with self.acting(self.drafter):
            Outgoing.submit([outgoing])  # the initials of v1 still hold
        with self.acting(self.leader):
            Outgoing.approve([outgoing])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.state, 'approved')
        self.assertEqual(
            [(a.kind, a.role, a.employee_name) for a in outgoing.approvals],
            [('initial', 'drafter', "Trần Văn Bình"),
                ('initial', 'department_head', "Lê Thị Cúc"),
                ('submit', None, "Trần Văn Bình"),
                ('return', 'leader', "Nguyễn Văn An"),
                ('submit', None, "Trần Văn Bình"),
                ('approve', 'leader', "Nguyễn Văn An")])
        self.assertEqual(outgoing.approvals[3].reason, "Sửa lại trích yếu")
        self.assertEqual(outgoing.signer_position, "Giám đốc")

    @with_transaction()
    def test_new_version_needs_new_initials(self):
        "Initials are on a version: a new version must be initialled again"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        outgoing = self.new_outgoing()
        with self.acting(self.drafter):
            Outgoing.initial([outgoing])
        with self.acting(self.head):
            Outgoing.initial([outgoing])
        with self.acting(self.drafter):
            Outgoing.add_draft_version(outgoing, [
                    {'name': 'v2.docx', 'data': b'v2'}])
            with self.assertRaisesRegex(UserError, 'version 2'):
                Outgoing.submit([Outgoing(outgoing.id)])

    @with_transaction()
    def test_numbering_and_notation(self):
        "The clerk numbers from the register: 01/TTr-STTTT, 02/STTTT-CNTT"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Date = pool.get('ir.date')
        self.setup_agencies(2)
        first = self.approved(self.new_outgoing())
        second = self.approved(self.new_outgoing('cong_van'))
        with self.acting(self.drafter):
            with self.assertRaisesRegex(UserError, 'clerk'):
                Outgoing.assign_number([first])
        with self.acting(self.clerk):
            Outgoing.assign_number([first])
            Outgoing.assign_number([second])
        first, second = Outgoing.browse([first, second])
        today = Date.today()
        self.assertEqual((first.number, first.notation), (1, '01/TTr-STTTT'))
        self.assertEqual(
            (second.number, second.notation), (2, '02/STTTT-CNTT'))
        self.assertEqual(first.identifier,
            f'000.00.00.H54,{today:%Y/%m/%d},01/TTr-STTTT')
        with self.assertRaises(UserError):
            Outgoing.write([first], {'subject': "Khác"})
        # One series per agency and year, restarting on 1 January
        Register = pool.get('mvp.register')
        register = first.register
        self.assertEqual(
            Register.next_number(register, dt.date(today.year + 1, 1, 1)), 1)
        self.assertEqual(Register.next_number(register, today), 3)

    @with_transaction()
    def test_release_to_agencies(self):
        "Release puts an incoming at each agency that follows its events"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Incoming = pool.get('mvp.incoming')
        Recipient = pool.get('mvp.outgoing.recipient')
        self.setup_agencies(4)
        outgoing = self.approved(self.new_outgoing())
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
            with self.assertRaisesRegex(UserError, 'recipients'):
                Outgoing.release([outgoing])
        self.add_recipients(outgoing, self.agencies[1:])
        Recipient.create([{
                    'outgoing': outgoing.id, 'kind': 'department',
                    'department': self.office.id,
                    'purpose': 'information'}])
        with self.acting(self.clerk):
            with self.assertRaisesRegex(UserError, 'signed or original'):
                Outgoing.release([outgoing])
            self.signed(outgoing)
            Outgoing.release([outgoing])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.state, 'released')
        agencies = [r for r in outgoing.recipients if r.kind == 'agency']
        # 01: the software of each agency has received it
        self.assertEqual([r.state for r in outgoing.recipients],
            ['received'] * 3 + ['sent'])
        self.assertEqual(
            [r.channel for r in outgoing.recipients],
            ['electronic'] * 3 + ['internal'])
        incoming = agencies[0].incoming
        self.assertEqual(incoming.company, self.agencies[1])
        self.assertEqual(incoming.notation, '01/TTr-STTTT')
        self.assertEqual(incoming.issuer, self.agency)
        self.assertEqual(str(incoming.origin), str(agencies[0]))
        self.assertEqual([f.name for f in incoming.files],
            ['to-trinh-signed.pdf'])
        Incoming.add_event([incoming], '01')
        Incoming.add_event([incoming], '03', "Số đến 15")
        Incoming.add_event([incoming], '01')
        self.assertEqual(Recipient(agencies[0].id).state, 'accepted')
        Incoming.add_event([incoming], '04')
        self.assertEqual(Recipient(agencies[0].id).state, 'assigned')
        self.assertTrue(all(f.locked for f in outgoing.files))
        with self.acting(self.other):
            Recipient.acknowledge([outgoing.recipients[-1]])
        self.assertEqual(Recipient(outgoing.recipients[-1]).state, 'received')
        # Recipients added after the release
        Recipient.create([{
                    'outgoing': outgoing.id, 'kind': 'outside',
                    'name': "Bộ Thông tin và Truyền thông",
                    'identifier_code': '000.00.00.G12'}, {
                    'outgoing': outgoing.id, 'kind': 'outside',
                    'name': "Công ty Cổ phần ABC",
                    'address': "Số 1 Lý Thường Kiệt"}])
        with self.acting(self.clerk):
            Outgoing.deliver([outgoing])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(
            [(r.channel, r.state) for r in outgoing.recipients[-2:]],
            [('external', 'sent'), ('paper', 'sent')])
        Recipient.apply_status(outgoing.recipients[-2:-1], '03', "Đã vào sổ")
        self.assertEqual(
            Recipient(outgoing.recipients[-2]).status_description,
            "Đã vào sổ")

    @with_transaction()
    def test_recall_and_replace(self):
        """Recall freezes the document; each receiving agency agrees (15)
        or refuses (16) before its document is cancelled"""
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Incoming = pool.get('mvp.incoming')
        Recipient = pool.get('mvp.outgoing.recipient')
        self.setup_agencies(4)
        outgoing = self.approved(self.new_outgoing())
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
            self.signed(outgoing)
            Outgoing.release([outgoing])
        outgoing = Outgoing(outgoing.id)
        # Update recipients: withdraw from one, add another
        with self.acting(self.clerk):
            Outgoing.recall_recipients(
                [outgoing.recipients[0]], "Gửi nhầm")
        self.assertEqual(
            [r.state for r in Outgoing(outgoing.id).recipients],
            ['recall_requested', 'received', 'received'])
        asked = Incoming(outgoing.recipients[0].incoming)
        self.assertEqual(asked.state, 'received')
        self.assertEqual(
            (asked.recall_state, asked.recall_request),
            ('requested', "Gửi nhầm"))
        self.assertEqual(asked.events[-1].code, '13')
        # only the receiving agency answers, and a refusal says why
        with self.acting(self.clerk), \
                self.assertRaisesRegex(UserError, 'receiving agency'):
            Incoming.refuse_recall([asked], "Không")
        with self.acting(self.recipient_clerk):
            with self.assertRaisesRegex(UserError, 'reason'):
                Incoming.refuse_recall([asked], " ")
            Incoming.refuse_recall([asked], "Đã xử lý xong")
        self.assertEqual(Incoming(asked).recall_state, 'refused')
        self.assertEqual(Incoming(asked).state, 'received')
        self.assertEqual(
            Recipient(outgoing.recipients[0]).state, 'recall_refused')
        with self.acting(self.recipient_clerk), \
                self.assertRaisesRegex(UserError, 'waits for an answer'):
            Incoming.agree_recall([asked])
        # Replace
        with self.acting(self.drafter):
            new, = Outgoing.replace([outgoing])
        self.assertEqual(new.replaces, outgoing)
        self.assertEqual(len(new.recipients), 3)
        with self.acting(self.drafter):
            Outgoing.add_draft_version(new, [
                    {'name': 'v.docx', 'data': b'new'}])
        new = self.approved(Outgoing(new.id))
        with self.acting(self.clerk):
            Outgoing.assign_number([new])
            self.signed(new)
            Outgoing.release([new])
        outgoing, new = Outgoing.browse([outgoing, new])
        self.assertEqual(outgoing.state, 'replaced')
        self.assertIn('02/TTr-STTTT', outgoing.recall_reason)
        replaced = [Incoming(r.incoming) for r in outgoing.recipients][1:]
        self.assertEqual([(i.state, i.recall_state) for i in replaced],
            [('received', 'requested')] * 2)
        # the receiving agencies agree (they have no clerk here: the
        # server answers): the replaced documents end
        with Transaction().set_user(0):
            Incoming.agree_recall(replaced)
        self.assertEqual([Incoming(i).state for i in replaced],
            ['cancelled', 'cancelled'])
        self.assertEqual(
            [r.state for r in Outgoing(outgoing.id).recipients],
            ['recall_refused', 'recalled', 'recalled'])
        self.assertEqual(
            [r.state for r in new.recipients], ['received'] * 3)
        with self.assertRaisesRegex(UserError, 'frozen'):
            Outgoing.write([outgoing], {'notes': "x"})
        # Recall the whole new document
        with self.acting(self.clerk):
            Outgoing.recall_document([new], "Sai thể thức")
        new = Outgoing(new.id)
        self.assertEqual(new.state, 'recalled')
        self.assertEqual(
            [r.state for r in new.recipients], ['recall_requested'] * 3)
        self.assertEqual(new.approvals[-1].kind, 'recall')

    @with_transaction()
    def test_never_electronic(self):
        "Classified documents and complaints are released only on paper"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Register = pool.get('mvp.register')
        self.setup_agencies(2)
        for values in [
                {'type_code': 'to_trinh', 'confidentiality': 'secret',
                    'subject': None},
                {'type_code': 'don_thu'}]:
            with self.subTest(values=values):
                outgoing = self.new_outgoing(**values)
                self.assertEqual(outgoing.release_mode, 'paper')
                outgoing.release_mode = 'electronic'
                outgoing.save()
                with self.assertRaisesRegex(UserError, 'paper'):
                    self.approved(outgoing)
        outgoing = self.new_outgoing(
            'to_trinh', confidentiality='secret', subject=None)
        outgoing = self.approved(outgoing)
        Register.create([{'company': self.agency.id, 'kind': 'outgoing',
                    'name': "Sổ văn bản mật", 'confidential': True}])
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
            Outgoing.release([outgoing])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.number, 1)
        self.assertEqual(outgoing.recipients[0].channel, 'paper')
        self.assertFalse(outgoing.recipients[0].incoming)

    @with_transaction()
    def test_bad_input(self):
        "Release is refused without original, signer or identifier code"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Incoming = pool.get('mvp.incoming')
        self.setup_agencies(3)
        outgoing = self.approved(self.new_outgoing('ke_hoach'))
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
            self.signed(outgoing)
            with self.assertRaisesRegex(UserError, 'original'):
                Outgoing.release([outgoing])
            self.signed(outgoing, kind='original')
            self.agencies[2].identifier_code = None
            self.agencies[2].save()
            with self.assertRaisesRegex(UserError, 'identifier'):
                Outgoing.release([outgoing])
        self.assertEqual(Outgoing(outgoing.id).state, 'numbered')
        self.assertEqual(Incoming.search([], count=True), 0)
        without_signer = self.new_outgoing(signer=None)
        with self.acting(self.drafter):
            Outgoing.initial([without_signer])
        with self.acting(self.head):
            Outgoing.initial([without_signer])
        with self.acting(self.drafter):
            with self.assertRaisesRegex(UserError, 'signs'):
                Outgoing.submit([without_signer])

    @with_transaction()
    def test_prints(self):
        "The draft prints with its initials; the register as PDF and xlsx"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        DraftReport = pool.get('mvp.outgoing.draft', type='report')
        RegisterReport = pool.get('mvp.outgoing.register', type='report')
        Date = pool.get('ir.date')
        from pypdf import PdfReader
        import openpyxl
        self.setup_agencies(2)
        outgoing = self.approved(self.new_outgoing())
        with self.acting(self.drafter):
            oext, content, _, name = DraftReport.execute([outgoing.id], {})
        self.assertEqual(oext, 'pdf')
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        self.assertIn("Trần Văn Bình", text)
        self.assertIn("Lê Thị Cúc", text)
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
            self.signed(outgoing)
            Outgoing.release([outgoing])
        data = {'company': self.agency.id, 'from_date': Date.today(),
            'to_date': Date.today(), 'format': 'pdf'}
        with self.acting(self.clerk):
            oext, content, _, _ = RegisterReport.execute([], data)
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        self.assertEqual(oext, 'pdf')
        self.assertIn('01/TTr-STTTT', text)
        self.assertIn('Sở Nội vụ', text)
        with self.acting(self.clerk):
            oext, content, _, _ = RegisterReport.execute(
                [], {**data, 'format': 'xlsx'})
        self.assertEqual(oext, 'xlsx')
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        self.assertEqual(sheet.cell(6, 1).value, '01/TTr-STTTT')
        self.assertEqual(sheet.cell(5, 10).value, '(10)')


def run_transaction(func, *args, context=None, retry=100):
    """Run func in its own committed transaction, retrying like the RPC
    dispatcher when a lock is busy"""
    from trytond import backend
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import TransactionError
    extras = {}
    for count in range(retry):
        try:
            with Transaction().start(
                    DB_NAME, 0, context=context, **extras) as transaction:
                try:
                    result = func(*args)
                except TransactionError as e:
                    transaction.rollback()
                    e.fix(extras)
                    continue
                transaction.commit()
                return result
        except backend.DatabaseOperationalError:
            time.sleep(0.01 * (count % 10))
    raise RuntimeError("too many retries")


class OutgoingParallelNumberingTestCase(unittest.TestCase):
    "Test numbering by clerks working at the same time"
    # SQLite serialises writers on one shared connection: the row locks
    # this test is about exist only on PostgreSQL (conftest deselects it)
    backends = {'postgresql'}
    clerks = 12
    documents = 3

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_documents')

    @classmethod
    def tearDownClass(cls):
        # the clerks committed their work: leave no data to other tests
        drop_db()
        super().tearDownClass()

    def setup_documents(self):
        pool = Pool()
        Company = pool.get('company.company')
        Party = pool.get('party.party')
        Currency = pool.get('currency.currency')
        Department = pool.get('mvp.department')
        Register = pool.get('mvp.register')
        Employee = pool.get('company.employee')
        Outgoing = pool.get('mvp.outgoing')
        Type = pool.get('mvp.document.type')
        tag = uuid.uuid4().hex[:8]
        currency, = Currency.create([{
                    'name': f'Test {tag}', 'code': tag[:3].upper(),
                    'symbol': tag[:3]}])
        party, = Party.create([{'name': f"Sở thử nghiệm {tag}"}])
        company, = Company.create([{
                    'party': party.id, 'currency': currency.id,
                    'short_name': 'STN'}])
        department, = Department.create([{
                    'company': company.id, 'name': "Phòng A", 'code': 'A'}])
        party, = Party.create([{'name': "Người soạn"}])
        employee, = Employee.create([{
                    'company': company.id, 'party': party.id,
                    'department': department.id}])
        Register.create([{
                    'company': company.id, 'kind': 'outgoing',
                    'name': "Sổ văn bản đi"}])
        type_, = Type.search([('code', '=', 'to_trinh')])
        outgoings = Outgoing.create([{
                    'company': company.id, 'department': department.id,
                    'drafter': employee.id, 'signer': employee.id,
                    'document_type': type_.id,
                    'subject': f"Văn bản {i}",
                    } for i in range(self.clerks * self.documents)])
        with Transaction().set_context(_mvp_outgoing_internal=True):
            Outgoing.write(outgoings, {'state': 'approved'})
        return company.id, [o.id for o in outgoings]

    def test_parallel_clerks_no_gap_no_duplicate(self):
        "12 clerks number 36 documents at once; failed ones leave no gap"
        from trytond.tests.test_tryton import DB_NAME
        pool = Pool(DB_NAME)
        Outgoing = pool.get('mvp.outgoing')
        company_id, ids = run_transaction(self.setup_documents)
        context = {'company': company_id}
        barrier = threading.Barrier(self.clerks)
        errors = []

        def number(ids, fail):
            def give_up():
                Outgoing.assign_number(Outgoing.browse(ids[-1:]))
                raise ValueError("clerk gave up")
            barrier.wait()
            for id_ in ids[:-1]:
                try:
                    run_transaction(
                        lambda id_=id_: Outgoing.assign_number(
                            Outgoing.browse([id_])), context=context)
                except Exception as exception:
                    errors.append(exception)
            if fail:
                try:
                    run_transaction(give_up, context=context)
                except ValueError:
                    pass

        chunks = [ids[i::self.clerks] for i in range(self.clerks)]
        # Every clerk numbers its documents but the last, which a third
        # of the clerks start to number and then roll back.
        threads = [threading.Thread(
                target=number, args=(chunk, i % 3 == 0))
            for i, chunk in enumerate(chunks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

        def read():
            return [(o.id, o.number, o.notation)
                for o in Outgoing.browse(ids)]
        numbers = run_transaction(read, context=context)
        taken = sorted(n for _, n, _ in numbers if n)
        self.assertEqual(taken, list(range(1, len(taken) + 1)))
        self.assertEqual(len(taken), self.clerks * (self.documents - 1))
        # The documents left unnumbered take the next numbers
        rest = [id_ for id_, n, _ in numbers if not n]
        run_transaction(
            lambda: Outgoing.assign_number(Outgoing.browse(rest)),
            context=context)
        taken = sorted(n for _, n, _ in run_transaction(read, context=context))
        self.assertEqual(taken, list(range(1, len(ids) + 1)))
