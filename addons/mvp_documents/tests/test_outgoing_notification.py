# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Who is told at each step of an outgoing document and of arrivals, in
the client and by e-mail, never with the content of a classified one."""
import datetime
import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

from .test_outgoing import OutgoingSetup
from .test_reminder import mail_sink

SUBJECT = "Về việc phê duyệt danh mục mã định danh điện tử"


class OutgoingNotificationTestCase(OutgoingSetup, unittest.TestCase):
    "Notifications of the outgoing flow"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_documents')

    def told(self, who):
        "Return the labels of the notifications of who, then forget them"
        pool = Pool()
        Notification = pool.get('res.notification')
        user, _ = who
        notes = Notification.search([('user', '=', user.id)],
            order=[('id', 'ASC')])
        labels = [n.label for n in notes]
        descriptions = [n.description for n in notes]
        if notes:
            # an empty delete makes broken SQL in res.notification on
            # PostgreSQL ("IN ()")
            Notification.delete(notes)
        self.descriptions = descriptions
        return labels

    @with_transaction()
    def test_each_step_tells_who_acts_next(self):
        "Head, leader, drafter and clerks are told when it is their turn"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        outgoing = self.new_outgoing()
        with self.acting(self.drafter):
            Outgoing.initial([outgoing])
        self.assertEqual(self.told(self.head),
            [f"Draft waiting for your initials: {SUBJECT}"])
        with self.acting(self.head):
            Outgoing.initial([outgoing])
        with self.acting(self.drafter):
            Outgoing.submit([outgoing])
        self.assertEqual(self.told(self.leader),
            [f"Draft waiting for your approval: {SUBJECT}"])
        self.assertEqual(self.told(self.head), [])
        with self.acting(self.leader):
            Outgoing.return_to_drafter([outgoing], "Bổ sung căn cứ pháp lý")
        self.assertEqual(self.told(self.drafter),
            [f"Draft returned: {SUBJECT}"])
        self.assertIn("Bổ sung căn cứ pháp lý", self.descriptions[0])
        outgoing = self.approved(Outgoing(outgoing.id))
        self.assertEqual(self.told(self.clerk),
            [f"Approved, waiting for number and release: {SUBJECT}"])
        self.assertEqual(self.told(self.other), [])

    @with_transaction()
    def test_reviewers_are_asked(self):
        "An official asked by name and another agency's clerk are told"
        pool = Pool()
        Comment = pool.get('mvp.outgoing.comment')
        self.setup_agencies(2)
        outgoing = self.new_outgoing()
        deadline = datetime.date.today() + datetime.timedelta(days=3)
        with self.acting(self.drafter):
            Comment.request_comments(outgoing, deadline,
                request="Góp ý phần phụ lục",
                employees=[self.other[1]], agencies=[self.agencies[1]])
        for who in [self.other, self.recipient_clerk]:
            with self.subTest(who=who[0].login):
                self.assertEqual(self.told(who),
                    [f"Comments requested on a draft: {SUBJECT}"])
                self.assertIn("Góp ý phần phụ lục", self.descriptions[0])

    @with_transaction()
    def test_arrival_and_recall_are_told_to_both_sides(self):
        """The recipient's clerk learns of the arrival and of the recall;
        the sender of each answer"""
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Incoming = pool.get('mvp.incoming')
        self.setup_agencies(3)
        outgoing = self.approved(self.new_outgoing())
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
            self.signed(outgoing)
            Outgoing.release([outgoing])
        outgoing = Outgoing(outgoing.id)
        arrived = self.told(self.recipient_clerk)
        self.assertEqual(len(arrived), 1)
        self.assertTrue(arrived[0].startswith("Electronic document arrived"))
        self.assertIn(SUBJECT, arrived[0])
        self.told(self.clerk)
        with self.acting(self.clerk):
            Outgoing.recall_document([outgoing], "Sai thể thức")
        self.assertEqual(len(self.told(self.recipient_clerk)), 1)
        self.assertIn("Sai thể thức", self.descriptions[0])
        # nothing is agreed yet
        self.assertEqual(self.told(self.clerk), [])
        refusing, agreeing = outgoing.recipients
        with self.acting(self.recipient_clerk):
            Incoming.refuse_recall(
                [refusing.incoming], "Đã triển khai thực hiện")
        self.assertEqual(self.told(self.drafter),
            [f"Recall refused by {refusing.rec_name}: "
                f"{outgoing.rec_name}"])
        self.assertIn("Đã triển khai thực hiện", self.descriptions[0])
        self.told(self.clerk)
        # the other agency has no clerk here: the server answers for it
        with Transaction().set_user(0):
            Incoming.agree_recall([agreeing.incoming])
        self.assertEqual(self.told(self.clerk),
            [f"Recall agreed by {agreeing.rec_name}: {outgoing.rec_name}"])

    @with_transaction()
    def test_a_classified_document_is_named_without_content(self):
        "Neither the subject nor the reason of a classified one is told"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        outgoing = self.new_outgoing(
            confidentiality='secret', subject=None)
        outgoing = self.submitted(outgoing)
        with self.acting(self.leader):
            Outgoing.return_to_drafter([outgoing], "Nội dung mật cần sửa")
        labels = self.told(self.drafter)
        self.assertEqual(len(labels), 1)
        self.assertNotIn("Nội dung mật", self.descriptions[0])
        self.assertNotIn(SUBJECT, labels[0] + self.descriptions[0])



class NotificationEmailTestCase(OutgoingSetup, unittest.TestCase):
    "Notifications by e-mail, through a real SMTP server"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_documents')

    @classmethod
    def tearDownClass(cls):
        # the test commits (mail goes out at commit): leave no agency to
        # the next test of this worker
        drop_db()
        super().tearDownClass()

    @with_transaction()
    def test_email_only_for_who_wants_it(self):
        "A user who turned e-mail off is told in the client only"
        pool = Pool()
        User = pool.get('res.user')
        sink = mail_sink(self)
        self.setup_agencies(2)
        User.write([self.leader[0], self.clerk[0]],
            {'email': 'lanhdao@example.com'})
        User.write([self.clerk[0]], {'email': 'vanthu@example.com'})
        with Transaction().set_user(self.clerk[0].id):
            User.set_preferences({'notify_by_email': False})
        self.approved(self.new_outgoing())
        Notification = pool.get('res.notification')
        self.assertEqual(len(Notification.search(
                    [('user', '=', self.clerk[0].id)])), 1)
        Transaction().commit()
        recipients = {r for rcpt, _ in sink.messages for r in rcpt}
        self.assertIn('lanhdao@example.com', recipients)
        self.assertNotIn('vanthu@example.com', recipients)
