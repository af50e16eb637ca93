# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Outgoing documents over JSON-RPC: every rule of the web client holds
on the server (issue 15).  Each attack runs as the user would over RPC
(acting_as: access checks on; wizards without them, as Wizard.execute),
asserts the refusal and that nothing changed."""
import datetime as dt
import io
import unittest
from contextlib import contextmanager

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from .incoming_tools import acting_as
from .test_outgoing import OutgoingSetup


class OutgoingSecurityTestCase(OutgoingSetup, unittest.TestCase):
    "Attacks on outgoing documents through direct calls"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_documents')

    def setup_roles(self):
        self.setup_agencies(2)
        self.admin = self.make_user(
            self.agency, 'agencyadmin', "Mai Văn Khoa", 'agency_admin',
            self.office, "Quản trị")
        self.leader2 = self.make_user(
            self.agency, 'leader2', "Đinh Văn Long", 'leader', None,
            "Phó Giám đốc")
        # officials by role, for the matrices
        self.people = {
            'drafter': self.drafter, 'other': self.other,
            'head': self.head, 'leader': self.leader,
            'leader2': self.leader2, 'clerk': self.clerk,
            'admin': self.admin, 'foreign': self.reviewer,
            'foreign_clerk': self.recipient_clerk,
            }

    @contextmanager
    def rpc(self, who, access=True, **context):
        "Run the block as who over RPC (context as the client sends it)"
        with acting_as(who[1], access=access) as user, \
                Transaction().set_context(employee=who[1].id, **context):
            yield user

    def wizard(self, who, name, outgoings, state, start=None):
        "Run the wizard name on outgoings with forged start values"
        Wizard = Pool().get(name, type='wizard')
        ids = [o.id for o in outgoings]
        with self.rpc(who, access=False, active_model='mvp.outgoing',
                active_id=ids[0], active_ids=ids):
            session_id, _, _ = Wizard.create()
            return Wizard.execute(session_id, {'start': start or {}}, state)

    def snapshot(self, outgoing):
        "The protected values of outgoing, read again as root"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        outgoing = Outgoing(outgoing.id)
        return (outgoing.state, outgoing.number, outgoing.notation,
            outgoing.register, outgoing.subject, outgoing.confidentiality,
            outgoing.drafter, outgoing.signer_name,
            [(a.kind, a.user) for a in outgoing.approvals],
            [(r.state, r.channel) for r in outgoing.recipients],
            [(c.state, c.answer) for c in outgoing.comments],
            len(outgoing.files))

    def assertRefused(self, outgoing, func, *args, error=UserError):
        """Assert func(*args) is refused with error and changes nothing.

        A refused create raises after its rows are inserted: over RPC the
        transaction is rolled back, here a savepoint is."""
        transaction = Transaction()
        before = self.snapshot(outgoing)
        deleted = {k: set(v) for k, v in transaction.delete_records.items()}
        cursor = transaction.connection.cursor()
        cursor.execute('SAVEPOINT attack')
        try:
            with self.assertRaises(error):
                func(*args)
        finally:
            cursor.execute('ROLLBACK TO SAVEPOINT attack')
            cursor.execute('RELEASE SAVEPOINT attack')
            transaction.cache.clear()
            transaction.delete_records.clear()
            transaction.delete_records.update(deleted)
        self.assertEqual(self.snapshot(outgoing), before)

    def classified(self, **values):
        return self.new_outgoing(
            confidentiality='secret', subject=None, **values)

    def released(self, outgoing):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Register = pool.get('mvp.register')
        outgoing = self.approved(outgoing)
        if outgoing.classified:
            Register.create([{'company': self.agency.id, 'kind': 'outgoing',
                        'name': "Sổ văn bản mật", 'confidential': True}])
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
            if not outgoing.classified:
                self.signed(outgoing)
            Outgoing.release([outgoing])
        return Outgoing(outgoing.id)

    # 1. Protected fields and states
    @with_transaction()
    def test_officer_writing_approved_on_a_draft_is_refused(self):
        "The reported attack: state 'approved' written on a draft"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        draft = self.new_outgoing()
        submitted = self.submitted(self.new_outgoing())
        for outgoing in [draft, submitted]:
            for state in ['approved', 'numbered', 'released', 'draft']:
                with self.subTest(state=outgoing.state, to=state):
                    with self.rpc(self.drafter):
                        self.assertRefused(outgoing, Outgoing.write,
                            [outgoing], {'state': state}, error=AccessError)

    @with_transaction()
    def test_release_mode_is_decided_by_the_leader(self):
        """The drafter proposes how the document goes out; once it is
        submitted only a leader changes it, and the approval fixes and
        records it (Article 9.2)"""
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        outgoing = self.new_outgoing()
        with self.rpc(self.drafter):
            Outgoing.write([outgoing], {'release_mode': 'both'})
        outgoing = self.submitted(outgoing)
        for who in ['drafter', 'head', 'clerk', 'admin']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(outgoing, Outgoing.write,
                    [outgoing], {'release_mode': 'paper'}, error=AccessError)
        self.assertEqual(Outgoing(outgoing.id).release_mode, 'both')
        # rewriting the same mode is no decision
        with self.rpc(self.drafter):
            Outgoing.write([outgoing], {'release_mode': 'both'})
        with self.rpc(self.leader):
            Outgoing.write([outgoing], {'release_mode': 'electronic'})
        with self.acting(self.leader):
            Outgoing.approve([Outgoing(outgoing.id)])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.release_mode, 'electronic')
        self.assertEqual(
            [(a.kind, a.release_mode) for a in outgoing.approvals
                if a.kind == 'approve'],
            [('approve', 'electronic')])
        for who in ['leader', 'drafter', 'clerk']:
            with self.subTest(who=who, state='approved'), \
                    self.rpc(self.people[who]):
                self.assertRefused(outgoing, Outgoing.write,
                    [outgoing], {'release_mode': 'paper'}, error=AccessError)
        self.assertEqual(Outgoing(outgoing.id).release_mode, 'electronic')

    @with_transaction()
    def test_numbers_and_who_did_it_are_written_by_buttons_only(self):
        "Numbers, approvals and who-did-it fields refused in a write"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Register = pool.get('mvp.register')
        self.setup_roles()
        outgoing = self.new_outgoing()
        register, = Register.search([('company', '=', self.agency.id),
                ('kind', '=', 'outgoing')])
        now = dt.datetime.now()
        for values in [
                {'number': 7}, {'notation': '07/TTr-STTTT'},
                {'issue_date': dt.date.today()}, {'register': register.id},
                {'identifier': 'x'}, {'numbered_by': self.clerk[0].id},
                {'released_by': self.clerk[0].id}, {'release_date': now},
                {'signer_name': "Nguyễn Văn An"},
                {'signer_position': "Giám đốc"}, {'recall_reason': "x"},
                {'replaces': outgoing.id},
                {'drafter': self.other[1].id},
                {'company': self.agencies[1].id},
                {'approvals': [('create', [{
                                    'kind': 'approve', 'role': 'leader',
                                    'employee': self.leader[1].id,
                                    'date': now}])]},
                ]:
            with self.subTest(values=list(values)):
                with self.rpc(self.drafter):
                    self.assertRefused(outgoing, Outgoing.write,
                        [outgoing], values, error=AccessError)

    @with_transaction()
    def test_create_in_a_later_state_or_with_a_number_is_refused(self):
        "A user's create cannot give a state, a number or another drafter"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        base = {
            'company': self.agency.id, 'department': self.department.id,
            'drafter': self.drafter[1].id, 'signer': self.leader[1].id,
            'document_type': self.document_type('to_trinh').id,
            'subject': "Về việc thử",
            }
        witness = self.new_outgoing()
        count = Outgoing.search([], count=True)
        for values in [{'state': 'approved'}, {'state': 'released'},
                {'number': 3}, {'notation': '03/TTr-STTTT'},
                {'signer_name': "Nguyễn Văn An"},
                {'drafter': self.other[1].id}]:
            with self.subTest(values=values):
                with self.rpc(self.drafter):
                    self.assertRefused(
                        witness, Outgoing.create, [{**base, **values}])
                self.assertEqual(Outgoing.search([], count=True), count)
        with self.rpc(self.drafter):
            outgoing, = Outgoing.create([base])
        self.assertEqual(outgoing.state, 'draft')

    @with_transaction()
    def test_approval_history_written_by_buttons_only(self):
        "Nobody creates, changes or deletes an approval row"
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        self.setup_roles()
        outgoing = self.approved(self.new_outgoing())
        line = outgoing.approvals[-1]
        for who in ['drafter', 'leader', 'admin']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(outgoing, Approval.create, [{
                            'outgoing': outgoing.id, 'kind': 'approve',
                            'date': dt.datetime.now()}])
                self.assertRefused(outgoing, Approval.write,
                    [line], {'reason': "x"})
                self.assertRefused(outgoing, Approval.delete, [line])

    @with_transaction()
    def test_only_the_reviewer_answers_a_comment(self):
        "Comments: requests by the wizard, answers by the reviewer"
        pool = Pool()
        Comment = pool.get('mvp.outgoing.comment')
        Date = pool.get('ir.date')
        self.setup_roles()
        outgoing = self.new_outgoing()
        with self.acting(self.drafter):
            comment, = Comment.request_comments(
                outgoing, Date.today() + dt.timedelta(days=3),
                employees=[self.other[1]])
        for who, values in [
                ('drafter', {'answer': "Tự góp ý"}),
                ('head', {'answer': "Đồng ý"}),
                ('other', {'state': 'answered'}),
                ('other', {'reviewer_employee': self.head[1].id}),
                ('other', {'answered_by': "Người khác"}),
                ('other', {'version': 5}),
                ]:
            with self.subTest(who=who, values=values):
                with self.rpc(self.people[who]):
                    self.assertRefused(outgoing, Comment.write,
                        [comment], values, error=AccessError)
        with self.rpc(self.drafter):
            self.assertRefused(outgoing, Comment.create, [{
                        'outgoing': outgoing.id,
                        'company': self.agency.id, 'version': 1,
                        'reviewer_kind': 'employee',
                        'reviewer_employee': self.other[1].id,
                        'deadline': Date.today(), 'state': 'answered',
                        'answer': "Đã góp ý"}])
        with self.rpc(self.other):
            self.assertRefused(outgoing, Comment.cancel, [comment])
            Comment.write([comment], {'answer': "Bổ sung căn cứ"})
            Comment.send_answer([Comment(comment.id)])
        with self.rpc(self.other):
            self.assertRefused(outgoing, Comment.write,
                [Comment(comment.id)], {'answer': "Sửa sau khi gửi"},
                error=AccessError)
        self.assertEqual(Comment(comment.id).answer, "Bổ sung căn cứ")

    @with_transaction()
    def test_recipient_statuses_are_written_by_the_server_only(self):
        "Recipients: statuses server-only, a sent one frozen"
        pool = Pool()
        Recipient = pool.get('mvp.outgoing.recipient')
        self.setup_roles()
        outgoing = self.new_outgoing()
        self.add_recipients(outgoing, self.agencies[1:])
        recipient = outgoing.recipients[0]
        another = self.new_outgoing()
        with self.rpc(self.drafter):
            for values in [{'state': 'completed'}, {'channel': 'external'},
                    {'status_date': dt.datetime.now()},
                    {'status_description': "Đã xử lý"},
                    {'outgoing': another.id}]:
                with self.subTest(values=values):
                    self.assertRefused(outgoing, Recipient.write,
                        [recipient], values, error=AccessError)
            self.assertRefused(outgoing, Recipient.create, [{
                        'outgoing': outgoing.id, 'kind': 'outside',
                        'name': "Công ty ABC", 'state': 'received'}])
        released = self.released(self.new_outgoing())
        with self.rpc(self.clerk):
            sent = released.recipients[0]
            self.assertRefused(released, Recipient.write,
                [sent], {'agency': self.agency.id}, error=AccessError)
            self.assertRefused(released, Recipient.delete, [sent])

    # 2. Visibility
    def visible(self, who, outgoing):
        "Whether who finds outgoing by search and may read it by id"
        Outgoing = Pool().get('mvp.outgoing')
        with self.rpc(self.people[who]):
            found = bool(Outgoing.search([('id', '=', outgoing.id)]))
            try:
                Outgoing.read([outgoing.id], ['notation', 'subject'])
                readable = True
            except AccessError:
                readable = False
        self.assertEqual(found, readable, who)
        return found

    def assertVisibility(self, outgoing, expected):
        for who, seen in expected.items():
            with self.subTest(document=outgoing.state,
                    confidentiality=outgoing.confidentiality, who=who):
                self.assertEqual(self.visible(who, outgoing), seen)

    @with_transaction()
    def test_a_draft_is_seen_by_its_chain_only(self):
        "Draft: drafter, reviewer, head, signer, clerks and leaders"
        pool = Pool()
        Comment = pool.get('mvp.outgoing.comment')
        Date = pool.get('ir.date')
        self.setup_roles()
        outgoing = self.new_outgoing()
        self.assertVisibility(outgoing, {
                'drafter': True, 'head': True, 'leader': True,
                'leader2': True, 'clerk': True, 'other': False,
                'admin': False, 'foreign': False, 'foreign_clerk': False})
        with self.acting(self.drafter):
            Comment.request_comments(
                outgoing, Date.today() + dt.timedelta(days=3),
                employees=[self.other[1]])
        self.assertVisibility(outgoing, {'other': True, 'admin': False})

    @with_transaction()
    def test_a_released_ordinary_document_is_seen_by_its_agency(self):
        "Released ordinary: every official of the agency, no other"
        self.setup_roles()
        outgoing = self.released(self.new_outgoing())
        self.assertVisibility(outgoing, {
                'drafter': True, 'other': True, 'admin': True,
                'clerk': True, 'leader2': True, 'foreign': False,
                'foreign_clerk': False})

    @with_transaction()
    def test_a_classified_document_is_seen_by_the_people_named(self):
        "Classified: drafter, head, signer; clerks from approval on"
        self.setup_roles()
        outgoing = self.classified()
        self.assertVisibility(outgoing, {
                'drafter': True, 'head': True, 'leader': True,
                'leader2': False, 'clerk': False, 'other': False,
                'admin': False, 'foreign': False})
        outgoing = self.released(outgoing)
        self.assertVisibility(outgoing, {
                'drafter': True, 'leader': True, 'clerk': True,
                'leader2': False, 'other': False, 'admin': False,
                'foreign': False, 'foreign_clerk': False})

    @with_transaction()
    def test_only_the_drafter_edits_a_draft(self):
        "Write and delete of a draft: the drafter only"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        outgoing = self.new_outgoing()
        for who in ['head', 'leader', 'clerk', 'other', 'admin', 'foreign']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(outgoing, Outgoing.write,
                    [outgoing], {'subject': "Sửa trộm"}, error=AccessError)
                self.assertRefused(outgoing, Outgoing.delete, [outgoing],
                    error=AccessError)
        with self.rpc(self.drafter):
            Outgoing.write([outgoing], {'subject': "Về việc khác"})
        self.assertEqual(Outgoing(outgoing.id).subject, "Về việc khác")
        approved = self.approved(self.new_outgoing())
        with self.rpc(self.drafter):
            self.assertRefused(approved, Outgoing.write,
                [approved], {'subject': "Sau khi duyệt"}, error=AccessError)
        with self.rpc(self.clerk):
            self.assertRefused(approved, Outgoing.delete, [approved],
                error=AccessError)

    @with_transaction()
    def test_the_lists_of_the_menus_show_what_they_should(self):
        "The menus' lists: drafts, to approve, to number, for information"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Recipient = pool.get('mvp.outgoing.recipient')
        self.setup_roles()
        draft = self.new_outgoing()
        secret = self.approved(self.classified())
        submitted = self.new_outgoing()
        with self.acting(self.drafter):
            Outgoing.initial([submitted])
        with self.acting(self.head):
            Outgoing.initial([submitted])
        with self.acting(self.drafter):
            Outgoing.submit([submitted])
        released = self.released(self.new_outgoing())
        Recipient.create([{'outgoing': released.id, 'kind': 'employee',
                    'employee': self.other[1].id,
                    'purpose': 'information'}])
        with self.acting(self.clerk):
            Outgoing.deliver([released])

        def ids(who, domain, model='mvp.outgoing'):
            with self.rpc(self.people[who]):
                return {r.id for r in pool.get(model).search(domain)}
        self.assertEqual(ids('drafter', [('state', '=', 'draft')]),
            {draft.id})
        self.assertEqual(ids('leader', [('state', '=', 'submitted')]),
            {submitted.id})
        self.assertEqual(ids('clerk', [('state', '=', 'approved')]),
            {secret.id})
        self.assertEqual(ids('other', [('state', '=', 'draft')]), set())
        with self.rpc(self.other):
            information = Recipient.search([
                    ('kind', 'in', ['department', 'employee']),
                    ('state', '!=', 'draft'),
                    ('employee', '=', self.other[1].id)])
        self.assertEqual([r.outgoing for r in information], [released])

    # 3. Buttons
    @with_transaction()
    def test_buttons_check_who_clicks(self):
        "Each button refuses the wrong official, agency or state"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        outgoing = self.new_outgoing()
        for who in ['other', 'leader', 'clerk']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(outgoing, Outgoing.submit, [outgoing])
        for who in ['other', 'clerk', 'admin']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(outgoing, Outgoing.cancel, [outgoing])
        with self.acting(self.drafter):
            Outgoing.initial([Outgoing(outgoing.id)])
        with self.acting(self.head):
            Outgoing.initial([Outgoing(outgoing.id)])
        with self.rpc(self.drafter):
            Outgoing.submit([Outgoing(outgoing.id)])
        # fresh records, as an RPC call reads them
        outgoing = Outgoing(outgoing.id)
        for who in ['drafter', 'head', 'clerk', 'other', 'foreign',
                'foreign_clerk']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(outgoing, Outgoing.approve, [outgoing])
        # The drafter naming themselves as signer does not approve
        self.assertRefused(outgoing, lambda: self.self_approve(outgoing))
        with self.rpc(self.clerk):
            self.assertRefused(outgoing, Outgoing.assign_number, [outgoing])
        with self.rpc(self.leader):
            Outgoing.approve([Outgoing(outgoing.id)])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.state, 'approved')
        with self.rpc(self.clerk):
            # not numbered yet: Release is not a button of this state
            self.assertRefused(outgoing, Outgoing.release, [outgoing])
        for who in ['drafter', 'leader', 'foreign_clerk']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(
                    outgoing, Outgoing.assign_number, [outgoing])
        released = self.released(self.new_outgoing())
        for who in ['other', 'admin', 'head']:
            with self.subTest(who=who), self.rpc(self.people[who]):
                self.assertRefused(released, Outgoing.replace, [released])
                self.assertRefused(released, Outgoing.deliver, [released])
        with self.rpc(self.drafter):
            new, = Outgoing.replace([released])
        self.assertEqual(new.replaces, released)

    def self_approve(self, outgoing):
        "The drafter names themselves as signer, then approves"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        with self.rpc(self.drafter):
            Outgoing.write([outgoing], {'signer': self.drafter[1].id})
            Outgoing.approve([Outgoing(outgoing.id)])

    # 4. Wizards with forged forms
    @with_transaction()
    def test_add_version_wizard_checks_the_drafter(self):
        "A new version by someone else or on a classified draft"
        self.setup_roles()
        outgoing = self.new_outgoing()
        start = {'document': b'PK forged', 'document_name': 'forged.docx'}
        for who in ['head', 'leader', 'other', 'foreign']:
            with self.subTest(who=who):
                self.assertRefused(outgoing, self.wizard, self.people[who],
                    'mvp.outgoing.add_version', [outgoing], 'add', start)
        secret = self.classified()
        self.assertRefused(secret, self.wizard, self.drafter,
            'mvp.outgoing.add_version', [secret], 'add', start)
        self.wizard(self.drafter, 'mvp.outgoing.add_version', [outgoing],
            'add', start)
        self.assertEqual(self.snapshot(outgoing)[-1], 3)

    @with_transaction()
    def test_send_back_wizard_checks_the_leader_and_the_state(self):
        "Return by an officer, by a leader elsewhere, of a draft"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        foreign_leader = self.make_user(
            self.agencies[1], 'fleader', "Trương Văn Minh", 'leader', None,
            "Giám đốc")
        outgoing = self.new_outgoing()
        start = {'reason': "Trả lại"}
        for who in [self.drafter, self.clerk, foreign_leader]:
            with self.subTest(who=who[0].login):
                self.assertRefused(outgoing, self.wizard, who,
                    'mvp.outgoing.send_back', [outgoing], 'send_back', start)
        # A draft is not waiting for the leader: nothing to return
        self.assertRefused(outgoing, self.wizard, self.leader,
            'mvp.outgoing.send_back', [outgoing], 'send_back', start)
        with self.acting(self.drafter):
            Outgoing.initial([outgoing])
        with self.acting(self.head):
            Outgoing.initial([outgoing])
        with self.acting(self.drafter):
            Outgoing.submit([outgoing])
        for who in [self.drafter, self.head, self.clerk, foreign_leader]:
            with self.subTest(who=who[0].login, state='submitted'):
                self.assertRefused(outgoing, self.wizard, who,
                    'mvp.outgoing.send_back', [outgoing], 'send_back', start)
        self.wizard(self.leader, 'mvp.outgoing.send_back', [outgoing],
            'send_back', start)
        self.assertEqual(Outgoing(outgoing.id).state, 'draft')

    @with_transaction()
    def test_recall_wizard_keeps_to_the_recipients_of_the_document(self):
        "Recall with recipients of another document, or by an officer"
        self.setup_roles()
        outgoing = self.released(self.new_outgoing())
        other = self.released(self.new_outgoing())
        forged = {'reason': "Gửi nhầm",
            'recipients': [other.recipients[0].id]}
        self.assertRefused(other, self.wizard, self.clerk,
            'mvp.outgoing.recall', [outgoing], 'recall', forged)
        self.assertRefused(outgoing, self.wizard, self.drafter,
            'mvp.outgoing.recall', [outgoing], 'recall', {'reason': "x"})
        self.wizard(self.clerk, 'mvp.outgoing.recall', [outgoing], 'recall',
            {'reason': "Gửi nhầm",
                'recipients': [outgoing.recipients[0].id]})
        # the recipient's agency is asked to agree
        self.assertEqual(
            self.snapshot(outgoing)[9][0][0], 'recall_requested')
        self.assertEqual(self.snapshot(other)[9][0][0], 'received')

    @with_transaction()
    def test_request_comments_wizard_checks_the_reviewers(self):
        "Reviewers of another agency, the own agency, on a classified one"
        pool = Pool()
        Department = pool.get('mvp.department')
        Date = pool.get('ir.date')
        self.setup_roles()
        foreign_department, = Department.create([{
                    'company': self.agencies[1].id, 'name': "Phòng Y",
                    'code': 'Y'}])
        outgoing = self.new_outgoing()
        base = {'deadline': Date.today() + dt.timedelta(days=3),
            'employees': [], 'departments': [], 'agencies': []}
        for who, forged in [
                ('drafter', {'employees': [self.reviewer[1].id]}),
                ('drafter', {'departments': [foreign_department.id]}),
                ('drafter', {'agencies': [self.agency.id]}),
                ('head', {'employees': [self.other[1].id]}),
                ('other', {'employees': [self.other[1].id]}),
                ]:
            with self.subTest(who=who, forged=forged):
                self.assertRefused(outgoing, self.wizard, self.people[who],
                    'mvp.outgoing.request_comments', [outgoing], 'send',
                    {**base, **forged})
        secret = self.classified()
        self.assertRefused(secret, self.wizard, self.drafter,
            'mvp.outgoing.request_comments', [secret], 'send',
            {**base, 'agencies': [self.agencies[1].id]})
        self.wizard(self.drafter, 'mvp.outgoing.request_comments',
            [outgoing], 'send', {**base, 'agencies': [self.agencies[1].id]})
        self.assertEqual(len(self.snapshot(outgoing)[10]), 1)

    @with_transaction()
    def test_register_print_is_for_the_clerks_and_leaders_of_the_agency(self):
        "The register of another agency, or by an officer, is refused"
        pool = Pool()
        Wizard = pool.get('mvp.outgoing.register.print', type='wizard')
        Report = pool.get('mvp.outgoing.register', type='report')
        Date = pool.get('ir.date')
        self.setup_roles()
        self.released(self.new_outgoing())
        start = {'from_date': Date.today(), 'to_date': Date.today(),
            'format': 'pdf'}
        for who, company in [('clerk', self.agencies[1]),
                ('other', self.agency), ('foreign_clerk', self.agency)]:
            with self.subTest(who=who):
                with self.rpc(self.people[who], access=False):
                    with self.assertRaises(UserError):
                        session_id, _, _ = Wizard.create()
                        Wizard.execute(session_id, {'start': {
                                    **start, 'company': company.id}},
                            'print_')
                with self.rpc(self.people[who]):
                    with self.assertRaises(UserError):
                        Report.execute([], {**start, 'company': company.id})
        with self.rpc(self.clerk, access=False):
            session_id, _, _ = Wizard.create()
            result = Wizard.execute(session_id, {'start': {
                        **start, 'company': self.agency.id}}, 'print_')
        self.assertTrue(result['actions'])

    # 5. Classified documents
    @with_transaction()
    def test_a_classified_document_keeps_no_content(self):
        "Subject, notes and files refused on a classified document"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        with self.rpc(self.drafter):
            with self.assertRaisesRegex(UserError, 'paper'):
                Outgoing.create([{
                            'company': self.agency.id,
                            'department': self.department.id,
                            'drafter': self.drafter[1].id,
                            'document_type': self.document_type(
                                'to_trinh').id,
                            'confidentiality': 'secret',
                            'subject': "Kế hoạch bảo vệ bí mật"}])
        secret = self.classified()
        for values in [{'subject': "Nội dung mật"}, {'notes': "Ghi chú"}]:
            with self.subTest(values=values), self.rpc(self.drafter):
                self.assertRefused(secret, Outgoing.write, [secret], values)
        ordinary = self.new_outgoing()
        with self.rpc(self.drafter):
            # raising the level of a draft holding files and a subject
            self.assertRefused(ordinary, Outgoing.write, [ordinary],
                {'confidentiality': 'secret', 'subject': None})
            # lowering is a leader's act
            self.assertRefused(secret, Outgoing.write, [secret],
                {'confidentiality': 'normal'}, error=AccessError)

    @with_transaction()
    def test_a_leader_lowers_the_confidentiality_and_it_is_recorded(self):
        "Lower Confidentiality: leaders only, lower only, with a reason"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        secret = self.classified()
        name = 'mvp.outgoing.lower_confidentiality'
        for who, start in [
                (self.drafter, {'confidentiality': 'normal',
                        'reason': "x"}),
                (self.head, {'confidentiality': 'normal', 'reason': "x"}),
                (self.leader, {'confidentiality': 'top_secret',
                        'reason': "x"}),
                (self.leader, {'confidentiality': 'normal', 'reason': " "}),
                ]:
            with self.subTest(who=who[0].login, start=start):
                self.assertRefused(secret, self.wizard, who, name,
                    [secret], 'lower', start)
        self.wizard(self.leader, name, [secret], 'lower',
            {'confidentiality': 'confidential', 'reason': "Hết thời hạn"})
        secret = Outgoing(secret.id)
        self.assertEqual(secret.confidentiality, 'confidential')
        line = secret.approvals[-1]
        self.assertEqual((line.kind, line.user), ('lower', self.leader[0]))
        self.assertIn("Hết thời hạn", line.reason)

    @with_transaction()
    def test_prints_of_a_classified_document_show_metadata_only(self):
        "The draft and the register print no content of a secret one"
        pool = Pool()
        DraftReport = pool.get('mvp.outgoing.draft', type='report')
        RegisterReport = pool.get('mvp.outgoing.register', type='report')
        Date = pool.get('ir.date')
        from pypdf import PdfReader
        self.setup_roles()
        secret = self.released(self.classified())
        self.assertIsNone(secret.subject)
        self.assertEqual(secret.recipients[0].channel, 'paper')
        self.assertFalse(secret.recipients[0].incoming)
        with self.rpc(self.drafter):
            _, content, _, _ = DraftReport.execute([secret.id], {})
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        self.assertIn("Classified document", text)
        with self.rpc(self.clerk):
            _, content, _, _ = RegisterReport.execute([], {
                    'company': self.agency.id, 'from_date': Date.today(),
                    'to_date': Date.today(), 'format': 'pdf'})
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        self.assertIn(secret.notation, text)
        self.assertIn("Classified document", text)
        with self.rpc(self.other):
            with self.assertRaises(UserError):
                DraftReport.execute([secret.id], {})
