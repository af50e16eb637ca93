# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on incoming documents, assignments and registers (issue 15)

Each test makes the call a user could make over JSON-RPC: their own
create, write, delete, button or wizard execution, with forged values.
It checks the refusal and, read again as root, that nothing changed.
"""
import datetime as dt
import unittest

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.tests import test_incoming as base
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_incoming, create_official)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

# UserError covers AccessError and the model's own errors
REFUSED = UserError


def LABEL():
    "Return what the register shows instead of a classified subject"
    return gettext('mvp_documents.msg_incoming_classified_label')


class Agency(base.Agency):
    "The officials of base.Agency and an agency administrator"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = kwargs.get('prefix', '')
        self.admin = create_official(self.company, prefix + 'agadmin',
            "Vũ Văn Quản Trị", 'group_mvp_agency_admin')

    @property
    def officials(self):
        return {
            'clerk': self.clerk, 'officer': self.officer1,
            'head': self.head, 'leader': self.leader, 'admin': self.admin,
            }

    def secret(self, **values):
        "Return a registered secret document without subject"
        values.setdefault('confidentiality', 'secret')
        values.setdefault('subject', None)
        return self.registered(**values)


def user_create(company, **values):
    """Create a document as the user's own create call does (save() runs
    without access checks)"""
    pool = Pool()
    Incoming = pool.get('mvp.incoming')
    DocumentType = pool.get('mvp.document.type')
    values.setdefault(
        'subject', "V/v triển khai Quyết định số 12 về chuyển đổi số")
    values.setdefault('notation', '12/TTr-STTTT')
    values.setdefault('issuer_name', "Ủy ban nhân dân huyện Đông Hưng")
    values.setdefault('document_type', DocumentType.search([], limit=1)[0].id)
    incoming, = Incoming.create([{'company': company.id, **values}])
    return incoming


def read(Model, record, names):
    "Return the values of names of record read as root"
    with Transaction().set_user(0):
        values, = Model.read([record.id], names)
    values.pop('id')
    return values


class SecurityIncomingTestCase(unittest.TestCase):
    "Incoming documents hold against forged calls"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def assertRefused(self, call, error=REFUSED):
        "Assert call is refused; undo its work as the RPC's rollback does"
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        cursor.execute('SAVEPOINT attack')
        try:
            with self.assertRaises(error) as cm:
                call()
        finally:
            cursor.execute('ROLLBACK TO SAVEPOINT attack')
            cursor.execute('RELEASE SAVEPOINT attack')
            transaction.counter += 1
            transaction.cache.clear()
        self.assertTrue(cm.exception.message)
        self.assertNotIn('%(', cm.exception.message)
        return cm.exception

    # Protected fields of mvp.incoming

    @with_transaction()
    def test_nobody_writes_the_workflow_fields_of_an_incoming(self):
        "State, number and who-did-it fields change only through buttons"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = a.registered()
        attacks = {
            'state': 'processed', 'arrival_number': 7, 'year': 2001,
            'registered_by': a.officer1.id, 'submitted_by': a.clerk.id,
            'assigned_by': a.leader.id, 'recorded_late': True,
            'registered_date': dt.datetime(2020, 1, 1),
            'return_reason': "x", 'search_text': "x",
            'origin': str(incoming), 'legacy_encoding': 'vni',
            'legacy_text': "x", 'recall_state': 'agreed',
            'recall_request': "x", 'recall_answer': "x",
            'recall_requested_at': dt.datetime(2020, 1, 1),
            'recall_reminded': True,
            }
        names = sorted(attacks)
        before = read(Incoming, incoming, names)
        for who, employee in [('clerk', a.clerk), ('leader', a.leader)]:
            for name, value in attacks.items():
                with self.subTest(who=who, field=name):
                    with acting_as(employee):
                        self.assertRefused(
                            lambda name=name, value=value: Incoming.write(
                                [Incoming(incoming.id)], {name: value}))
        self.assertEqual(read(Incoming, incoming, names), before)

    @with_transaction()
    def test_a_user_create_starts_a_draft_without_number(self):
        "A clerk cannot create a document already registered or numbered"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        count = Incoming.search_count([])
        for values in [
                {'state': 'processed'}, {'arrival_number': 7},
                {'year': 2020}, {'registered_by': a.clerk.id},
                {'recorded_late': True}]:
            with self.subTest(values=values):
                with acting_as(a.clerk):
                    self.assertRefused(
                        lambda values=values: user_create(
                            a.company, **values))
        self.assertEqual(Incoming.search_count([]), count)
        with acting_as(a.clerk):
            draft = user_create(a.company)
        self.assertEqual(draft.state, 'draft')

    @with_transaction()
    def test_entry_of_a_registered_document_is_locked(self):
        "After registration the entry stays; notes and deadline may change"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = a.registered()
        names = ['subject', 'notation', 'arrival_date', 'urgency']
        before = read(Incoming, incoming, names)
        for name, value in [('subject', "Khác"), ('notation', '9/QĐ-X'),
                ('arrival_date', dt.datetime(2020, 1, 1)),
                ('urgency', 'flash')]:
            with self.subTest(field=name):
                with acting_as(a.clerk):
                    self.assertRefused(
                        lambda name=name, value=value: Incoming.write(
                            [Incoming(incoming.id)], {name: value}))
        self.assertEqual(read(Incoming, incoming, names), before)
        deadline = incoming.deadline + dt.timedelta(days=1)
        with acting_as(a.clerk):
            Incoming.write([Incoming(incoming.id)], {
                    'notes': "Bản giấy ở văn thư", 'deadline': deadline})
        self.assertEqual(Incoming(incoming.id).deadline, deadline)

    @with_transaction()
    def test_only_clerks_fill_the_entry_and_only_leaders_the_deadline(self):
        "A department head writes neither the entry nor the deadline"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = a.assigned([{'department': a.it, 'role': 'lead'}])
        names = ['deadline', 'submitted_to', 'paper_holder']
        before = read(Incoming, incoming, names)
        for name, value in [
                ('deadline', incoming.deadline + dt.timedelta(days=30)),
                ('paper_holder', a.head.id),
                ('submitted_to', a.head.id)]:
            with self.subTest(field=name):
                with acting_as(a.head):
                    self.assertRefused(
                        lambda name=name, value=value: Incoming.write(
                            [Incoming(incoming.id)], {name: value}))
        self.assertEqual(read(Incoming, incoming, names), before)

    @with_transaction()
    def test_nobody_deletes_or_writes_the_timeline(self):
        "The events of a document are written by the server only"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Event = pool.get('mvp.incoming.event')
        a = Agency()
        incoming = a.registered()
        events = list(incoming.events)
        before = [read(Event, e, ['description', 'step']) for e in events]
        for employee in [a.clerk, a.leader]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee):
                    self.assertRefused(lambda: Event.delete(
                            Event.browse([e.id for e in events])))
                    self.assertRefused(lambda: Event.write(
                            Event.browse([e.id for e in events]),
                            {'description': "sửa"}))
                    self.assertRefused(lambda: Event.create([{
                                    'incoming': incoming.id,
                                    'date': dt.datetime.now(),
                                    'step': 'finish'}]))
                    self.assertRefused(lambda: Incoming.write(
                            [Incoming(incoming.id)], {'events': [
                                    ('create', [{
                                                'date': dt.datetime.now(),
                                                'step': 'finish'}])]}))
        self.assertEqual(
            [read(Event, e, ['description', 'step']) for e in events],
            before)
        self.assertEqual(
            len(Incoming(incoming.id).events), len(events))

    # Assignments and progress

    @with_transaction()
    def test_an_assignee_cannot_promote_or_close_their_assignment(self):
        "Role, state, deadline and who-did-it fields are not the assignee's"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        a = Agency()
        incoming = a.assigned([
                {'employee': a.officer2, 'role': 'lead'},
                {'employee': a.officer1, 'role': 'coordinate'}])
        mine, = Assignment.search([
                ('incoming', '=', incoming.id),
                ('employee', '=', a.officer1.id)])
        names = ['role', 'state', 'deadline', 'assigner', 'done_date',
            'instruction', 'employee', 'incoming', 'first_read']
        before = read(Assignment, mine, names)
        other = a.registered()
        for name, value in [
                ('role', 'lead'), ('state', 'done'),
                ('deadline', dt.date.today() + dt.timedelta(days=90)),
                ('assigner', a.officer1.id),
                ('done_date', dt.datetime.now()),
                ('instruction', "Tự giao"), ('employee', a.officer2.id),
                ('incoming', other.id),
                ('first_read', dt.datetime(2020, 1, 1))]:
            with self.subTest(field=name):
                with acting_as(a.officer1):
                    self.assertRefused(
                        lambda name=name, value=value: Assignment.write(
                            [Assignment(mine.id)], {name: value}))
        self.assertEqual(read(Assignment, mine, names), before)
        with acting_as(a.officer1):
            Assignment.write([Assignment(mine.id)], {'result': "Đã góp ý"})

    @with_transaction()
    def test_only_an_assigner_creates_an_assignment(self):
        "A clerk or an officer cannot give work; nothing starts assigned"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        a = Agency()
        incoming = a.registered()
        count = Assignment.search_count([])
        values = {'incoming': incoming.id, 'employee': a.officer1.id,
            'role': 'lead'}
        for employee in [a.clerk, a.head, a.admin]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee):
                    self.assertRefused(
                        lambda: Assignment.create([dict(values)]))
        with acting_as(a.leader):
            self.assertRefused(lambda: Assignment.create([
                        {**values, 'state': 'assigned'}]))
            self.assertRefused(lambda: Assignment.create([
                        {**values, 'assigner': a.leader.id}]))
        self.assertEqual(Assignment.search_count([]), count)

    @with_transaction()
    def test_a_head_splits_only_the_work_of_their_department(self):
        "A head cannot add officials under another department's work"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Department = pool.get('mvp.department')
        a = Agency()
        legal, = Department.create([{'name': "Phòng Pháp chế",
                    'code': 'PC', 'company': a.company.id}])
        other_head = create_official(a.company, 'head2', "Đinh Văn Trưởng",
            'group_mvp_department_head', legal, head=True)
        incoming = a.assigned([{'department': a.it, 'role': 'lead'}])
        lead, = incoming.assignments
        count = Assignment.search_count([])
        with acting_as(other_head):
            self.assertRefused(lambda: Assignment.create([{
                            'parent': lead.id, 'employee': a.officer1.id,
                            'role': 'lead'}]))
            self.assertRefused(
                lambda: Assignment.distribute([Assignment(lead.id)]))
        self.assertEqual(Assignment.search_count([]), count)

    @with_transaction()
    def test_buttons_of_an_assignment_check_who_clicks(self):
        "Finish, start, return, withdraw and substitute check the person"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Absence = pool.get('mvp.absence')
        Wizard = pool.get('mvp.assignment.return', type='wizard')
        a = Agency()
        # officer1 reads the work of their department, not theirs to do
        incoming = a.assigned([{'department': a.it, 'role': 'lead'}])
        theirs, = incoming.assignments
        with acting_as(a.officer1):
            self.assertRefused(
                lambda: Assignment.finish([Assignment(theirs.id)]))
            self.assertRefused(
                lambda: Assignment.start([Assignment(theirs.id)]))
            self.assertRefused(
                lambda: Assignment.withdraw([Assignment(theirs.id)]))
        with acting_as(a.officer1, access=False):
            with Transaction().set_context(
                    active_model='mvp.assignment', active_id=theirs.id,
                    active_ids=[theirs.id]):
                def run():
                    session_id, _, _ = Wizard.create()
                    Wizard.execute(session_id, {
                            'start': {'reason': "Không phải việc tôi"}},
                        'return_')
                self.assertRefused(run)
        self.assertEqual(Assignment(theirs.id).state, 'assigned')

        # an officer names themselves substitute of a colleague
        draft_doc = a.registered()
        with acting_as(a.leader):
            draft, = Assignment.create([{
                        'incoming': draft_doc.id, 'employee': a.officer2.id,
                        'role': 'lead'}])
        today = dt.date.today()
        with acting_as(a.officer1):
            self.assertRefused(lambda: Absence.create([{
                            'company': a.company.id,
                            'employee': a.officer2.id, 'start_date': today,
                            'end_date': today + dt.timedelta(days=30),
                            'substitute': a.officer1.id}]))
        Absence.create([{
                    'company': a.company.id, 'employee': a.officer2.id,
                    'start_date': today,
                    'end_date': today + dt.timedelta(days=30),
                    'substitute': a.officer1.id}])
        with acting_as(a.officer1):
            self.assertRefused(
                lambda: Assignment.use_substitute([Assignment(draft.id)]))
        self.assertEqual(Assignment(draft.id).employee, a.officer2)

    @with_transaction()
    def test_progress_is_stamped_by_the_server_and_immutable(self):
        "Progress cannot be back-dated, signed for another, changed"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Progress = pool.get('mvp.assignment.progress')
        a = Agency()
        incoming = a.assigned([{'employee': a.officer1, 'role': 'lead'}])
        mine, = incoming.assignments
        with acting_as(a.officer1):
            progress, = Progress.create([{
                        'assignment': mine.id, 'description': "Đã họp",
                        'date': dt.datetime(2020, 1, 1),
                        'employee': a.leader.id}])
        progress = Progress(progress.id)
        self.assertEqual(progress.employee, a.officer1)
        self.assertGreater(progress.date, dt.datetime(2021, 1, 1))
        before = read(Progress, progress, ['description', 'date'])
        with acting_as(a.officer1):
            self.assertRefused(lambda: Progress.write(
                    [Progress(progress.id)], {'description': "Khác"}))
            self.assertRefused(
                lambda: Progress.delete([Progress(progress.id)]))
        self.assertEqual(read(Progress, progress, ['description', 'date']),
            before)
        with acting_as(a.officer2):
            self.assertRefused(lambda: Progress.create([{
                            'assignment': mine.id,
                            'description': "Không phải tôi"}]))
        self.assertEqual(len(Assignment(mine.id).progress), 1)

    # Buttons of mvp.incoming

    @with_transaction()
    def test_buttons_of_an_incoming_check_role_and_agency(self):
        "Registering, submitting, cancelling and assigning check the user"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        b = Agency("Sở Nội vụ", 'SNV', prefix='b_')
        draft = create_incoming(a.company)
        registered = a.registered()
        for who, employee in [('officer', a.officer1), ('head', a.head),
                ('leader', a.leader), ('admin', a.admin),
                ('other clerk', b.clerk)]:
            for button, record in [('register_arrival', draft),
                    ('cancel', draft), ('submit', registered)]:
                with self.subTest(who=who, button=button):
                    with acting_as(employee):
                        self.assertRefused(
                            lambda button=button, record=record: getattr(
                                Incoming, button)([Incoming(record.id)]))
        for who, employee in [('clerk', a.clerk), ('head', a.head),
                ('other leader', b.leader)]:
            with self.subTest(who=who, button='assign'):
                with acting_as(employee):
                    self.assertRefused(lambda: Incoming.assign(
                            [Incoming(registered.id)]))
        self.assertEqual(Incoming(draft.id).state, 'draft')
        self.assertEqual(Incoming(registered.id).state, 'registered')

    # Wizards

    @with_transaction()
    def test_return_wizard_checks_the_role(self):
        "An officer cannot send back a submitted document by RPC"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Wizard = pool.get('mvp.incoming.return', type='wizard')
        a = Agency()
        incoming = a.registered()
        with acting_as(a.clerk):
            incoming.submitted_to = a.leader
            incoming.save()
            Incoming.submit([incoming])
        for employee in [a.officer1, a.clerk, a.admin]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee, access=False), \
                        Transaction().set_context(
                            active_model='mvp.incoming',
                            active_id=incoming.id,
                            active_ids=[incoming.id]):
                    def run():
                        session_id, _, _ = Wizard.create()
                        Wizard.execute(session_id, {
                                'start': {'reason': "Trả lại"}}, 'return_')
                    self.assertRefused(run)
        self.assertEqual(Incoming(incoming.id).state, 'submitted')

        # returning an electronic document to its sender is the clerk's
        received = Incoming.receive_electronic(
            a.company, {'subject': "Báo cáo", 'notation': '5/BC-X'}, [])
        for employee in [a.leader, a.head]:
            with self.subTest(employee=employee.rec_name, state='received'):
                with acting_as(employee, access=False), \
                        Transaction().set_context(
                            active_model='mvp.incoming',
                            active_id=received.id,
                            active_ids=[received.id]):
                    def run():
                        session_id, _, _ = Wizard.create()
                        Wizard.execute(session_id, {
                                'start': {'reason': "Sai nơi nhận"}},
                            'return_')
                    self.assertRefused(run)
        self.assertEqual(Incoming(received.id).state, 'received')

    @with_transaction()
    def test_only_the_receiving_agency_answers_a_recall(self):
        """The recall wizard re-reads the documents and refuses an officer,
        a head, an administrator, another agency's clerk and a document
        that no recall asks for"""
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Wizard = pool.get('mvp.incoming.recall.answer', type='wizard')
        a = Agency()
        b = Agency(prefix='b')
        asked, unasked = a.registered(), a.registered()
        Incoming.request_recall([asked], "Gửi nhầm")

        def answer(employee, incoming, button, values):
            with acting_as(employee, access=False), \
                    Transaction().set_context(
                        active_model='mvp.incoming',
                        active_id=incoming.id, active_ids=[incoming.id]):
                session_id, _, _ = Wizard.create()
                Wizard.execute(session_id, {'start': values}, button)
        names = ['state', 'recall_state', 'recall_answer']
        before = read(Incoming, asked, names)
        for employee in [a.officer1, a.head, a.admin, b.clerk, b.leader]:
            for button in ['agree', 'refuse']:
                with self.subTest(employee=employee.rec_name, button=button):
                    self.assertRefused(
                        lambda employee=employee, button=button: answer(
                            employee, asked, button, {'answer': "Không"}))
        self.assertEqual(read(Incoming, asked, names), before)
        self.assertRefused(lambda: answer(
                a.clerk, unasked, 'agree', {'answer': None}))
        self.assertRefused(lambda: answer(
                a.clerk, asked, 'refuse', {'answer': ""}))
        self.assertEqual(read(Incoming, asked, names), before)
        answer(a.leader, asked, 'refuse', {'answer': "Đã triển khai"})
        self.assertEqual(read(Incoming, asked, names), {
                'state': 'registered', 'recall_state': 'refused',
                'recall_answer': "Đã triển khai"})

    @with_transaction()
    def test_register_print_prints_only_the_users_agency(self):
        "The register id of the print form or the report data is checked"
        pool = Pool()
        Register = pool.get('mvp.register')
        Wizard = pool.get('mvp.incoming.register.print', type='wizard')
        Pdf = pool.get('mvp.incoming.register.pdf', type='report')
        a = Agency()
        b = Agency("Sở Nội vụ", 'SNV', prefix='b_')
        b.registered()
        register_b, = Register.search([
                ('company', '=', b.company.id),
                ('confidential', '=', False)])
        today = dt.date.today()
        for employee in [a.clerk, a.officer1]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee, access=False):
                    def run():
                        session_id, _, _ = Wizard.create()
                        Wizard.execute(session_id, {'start': {
                                    'company': b.company.id,
                                    'register': register_b.id,
                                    'start_date': today,
                                    'end_date': today}}, 'pdf_')
                    self.assertRefused(run)
        data = {'model': 'mvp.register', 'id': register_b.id,
            'ids': [register_b.id], 'start_date': today, 'end_date': today}
        with acting_as(a.clerk):
            self.assertRefused(
                lambda: Pdf.execute([register_b.id], data))

    # Registers

    @with_transaction()
    def test_registers_and_numbering_are_kept_by_administrators(self):
        "A clerk cannot rename, create or renumber a register"
        pool = Pool()
        Register = pool.get('mvp.register')
        Sequence = pool.get('mvp.register.sequence')
        a = Agency()
        a.registered()
        register, = Register.search([
                ('company', '=', a.company.id),
                ('confidential', '=', False)])
        year, = register.sequences
        for employee in [a.clerk, a.leader, a.officer1]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee):
                    self.assertRefused(lambda: Register.write(
                            [Register(register.id)], {'name': "Sổ khác"}))
                    self.assertRefused(lambda: Register.create([{
                                    'company': a.company.id,
                                    'kind': 'incoming', 'name': "Sổ 2"}]))
                    self.assertRefused(lambda: Sequence.delete(
                            [Sequence(year.id)]))
        with acting_as(a.admin):
            Register.write([Register(register.id)], {'code': 'VBD'})
            self.assertRefused(lambda: Register.write(
                    [Register(register.id)], {'kind': 'outgoing'}))
            self.assertRefused(lambda: Register.write(
                    [Register(register.id)], {'sequences': [
                            ('delete', [year.id])]}))
        register = Register(register.id)
        self.assertEqual((register.name, register.kind, register.code),
            ("Sổ văn bản đến", 'incoming', 'VBD'))
        self.assertEqual(len(register.sequences), 1)

        # an administrator of one agency who also works in another
        User = pool.get('res.user')
        b = Agency("Sở Nội vụ", 'SNV', prefix='b_')
        user, = a.admin.users
        User.write([user], {'companies': [('add', [b.company.id])]})
        count = Register.search_count([])
        with acting_as(a.admin):
            self.assertRefused(lambda: Register.create([{
                            'company': b.company.id, 'kind': 'incoming',
                            'name': "Sổ giả"}]))
        self.assertEqual(Register.search_count([]), count)

    # Classified documents

    @with_transaction()
    def test_a_classified_document_has_no_subject(self):
        "The register of a classified document keeps the entry only"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        count = Incoming.search_count([])
        with acting_as(a.clerk):
            error = self.assertRefused(lambda: user_create(
                    a.company, confidentiality='secret'))
        self.assertEqual(error.message, gettext(
                'mvp_documents.msg_incoming_classified_subject',
                document='%s - %s' % (
                    error.message.split('"')[1].split(' - ')[0], LABEL())))
        self.assertEqual(Incoming.search_count([]), count)
        secret = a.secret(paper_holder=a.clerk.id)
        self.assertEqual(secret.state, 'registered')
        self.assertTrue(secret.register.confidential)
        self.assertIn(LABEL(), secret.rec_name)
        with acting_as(a.clerk):
            row, = Incoming.read([secret.id], ['summary', 'subject'])
            self.assertEqual(
                (row['summary'], row['subject']), (LABEL(), None))

    @with_transaction()
    def test_only_a_leader_lowers_the_confidentiality_and_it_is_recorded(
            self):
        "Lowering the level is the leader's act, on the timeline"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        secret = a.secret(confidentiality='top_secret')
        for employee in [a.clerk, a.head, a.officer1, a.admin]:
            with self.subTest(employee=employee.rec_name):
                with acting_as(employee):
                    self.assertRefused(lambda: Incoming.write(
                            [Incoming(secret.id)],
                            {'confidentiality': 'secret'}))
        self.assertEqual(Incoming(secret.id).confidentiality, 'top_secret')
        with acting_as(a.leader):
            Incoming.write([Incoming(secret.id)], {
                    'confidentiality': 'normal',
                    'subject': "V/v kế hoạch năm"})
        secret = Incoming(secret.id)
        self.assertEqual(secret.confidentiality, 'normal')
        event, = [e for e in secret.events if e.step == 'declassify']
        self.assertEqual(event.employee, a.leader)
        self.assertEqual(event.description, gettext(
                'mvp_documents.msg_incoming_event_declassified',
                old="Top Secret", new="Normal"))

    @with_transaction()
    def test_a_classified_document_keeps_no_text_as_received(self):
        "The text kept from before a TCVN3 conversion goes when the "
        "document is classified"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        received = Incoming.receive_electronic(a.company, {
                'subject': "V/v b¸o c¸o t×nh h×nh", 'notation': '5/BC'}, [])
        self.assertEqual(
            (received.subject, received.legacy_encoding),
            ("V/v báo cáo tình hình", 'tcvn3'))
        self.assertIn("b¸o c¸o", received.legacy_text)
        Incoming.write([received], {
                'confidentiality': 'secret', 'subject': None})
        self.assertIsNone(Incoming(received.id).legacy_text)

    @with_transaction()
    def test_officers_do_not_find_a_classified_document(self):
        "Clerks, leaders and the people assigned find it; no one else"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        b = Agency("Sở Nội vụ", 'SNV', prefix='b_')
        secret = a.assigned([{'employee': a.officer1, 'role': 'lead'}],
            confidentiality='secret', subject=None)
        for who, employee, found in [
                ('clerk', a.clerk, True), ('leader', a.leader, True),
                ('assignee', a.officer1, True),
                ('officer of the department', a.officer2, False),
                ('head of the department', a.head, False),
                ('admin', a.admin, False), ('other clerk', b.clerk, False),
                ('other leader', b.leader, False)]:
            with self.subTest(who=who):
                with acting_as(employee):
                    self.assertEqual(
                        bool(Incoming.search([('id', '=', secret.id)])),
                        found)
                    if not found:
                        self.assertRefused(lambda: Incoming.read(
                                [secret.id], ['notation']), AccessError)

    @with_transaction()
    def test_register_and_slip_print_only_the_entry_of_a_classified_one(
            self):
        "No subject, notes or instructions of a classified document"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Pdf = pool.get('mvp.incoming.register.pdf', type='report')
        Slip = pool.get('mvp.incoming.slip', type='report')
        a = Agency()
        secret = a.assigned([{'employee': a.officer1, 'role': 'lead',
                    'instruction': "Chuẩn bị phương án di dời"}],
            confidentiality='secret', subject=None,
            notes="Nội dung mật về di dời")
        Incoming.write([secret], {'paper_holder': a.clerk.id})
        row = Pdf.row(Incoming(secret.id))
        self.assertIn(LABEL(), row.type_and_subject)
        self.assertNotIn('di dời', row.notes)
        self.assertIn(a.clerk.rec_name, row.notes)
        slip = Slip.slip(Incoming(secret.id))
        self.assertEqual(slip.subject, LABEL())
        self.assertFalse(any('di dời' in i.text for i in slip.leader))
