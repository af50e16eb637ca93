# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every step recorded after an outage keeps its real time and the time
of its entry (Article 3.2 of the regulation)."""
import datetime
import unittest

from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.modules.mvp_documents.back_entry import CONTEXT_KEY
from trytond.transaction import Transaction, check_access

from .incoming_tools import AttackMixin, acting_as, create_incoming
from .test_incoming import Agency
from .test_outgoing import OutgoingSetup


def outage_day(days=3):
    "Return the UTC time of 8:00 in Hà Nội, days ago"
    day = datetime.datetime.now() - datetime.timedelta(days=days)
    return day.replace(hour=1, minute=0, second=0, microsecond=0)


def at(day, hours):
    return day + datetime.timedelta(hours=hours)


class OutageMixin:
    "An incoming document of an outage day, recorded afterwards"

    def registered_during_outage(self, a, day):
        "A document that arrived on paper at day, registered today"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        with acting_as(a.clerk):
            incoming = create_incoming(
                a.company, arrival_date=day, channel='paper',
                issue_date=(day - datetime.timedelta(days=1)).date())
            Incoming.register_arrival([incoming])
            incoming.deadline = (day + datetime.timedelta(days=1)).date()
            incoming.submitted_to = a.leader
            incoming.save()
            Incoming.submit([incoming])
        return Incoming(incoming.id)

    def assign_at(self, a, incoming, when):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        with acting_as(a.leader):
            incoming = Incoming(incoming.id)
            incoming.assignments = [Assignment(
                    employee=a.officer1, role='lead',
                    deadline=incoming.deadline)]
            incoming.occurred_at = when
            incoming.save()
            Incoming.assign([incoming])
        return Incoming(incoming.id)

    def finish_at(self, a, assignment, when):
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        with acting_as(a.officer1):
            assignment = Assignment(assignment.id)
            assignment.result = "Đã trình lãnh đạo ký văn bản trả lời"
            assignment.occurred_at = when
            assignment.save()
            Assignment.finish([assignment])
        return Assignment(assignment.id)


class BackEntryIncomingTestCase(OutageMixin, AttackMixin, unittest.TestCase):
    "An outage day of an incoming document, recorded afterwards"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @with_transaction()
    def test_an_outage_day_is_recorded_with_its_real_times(self):
        "Assignment, progress and completion keep when they happened"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        Progress = pool.get('mvp.assignment.progress')
        a = Agency()
        day = outage_day()
        entry = datetime.datetime.now().replace(microsecond=0)
        incoming = self.registered_during_outage(a, day)
        self.assertTrue(incoming.recorded_late)
        incoming = self.assign_at(a, incoming, at(day, 1))
        self.assertIsNone(incoming.occurred_at)
        lead, = incoming.assignments
        self.assertEqual(lead.assigned_date, at(day, 1))
        self.assertTrue(lead.recorded_late)
        with acting_as(a.officer1):
            Progress.create([{
                        'assignment': lead.id, 'occurred_at': at(day, 2),
                        'description': "Đã dự thảo văn bản trả lời"}])
            self.assertEqual(Assignment(lead.id).state, 'in_progress')
        lead = self.finish_at(a, lead, at(day, 6))
        progress, = lead.progress
        self.assertEqual(progress.date, at(day, 2))
        self.assertTrue(progress.recorded_late)
        self.assertGreaterEqual(progress.recorded_date, entry)
        self.assertEqual(lead.done_date, at(day, 6))
        self.assertIsNone(lead.occurred_at)
        incoming = Incoming(incoming.id)
        self.assertEqual(incoming.state, 'processed')
        events = {e.code: e for e in incoming.events if e.code}
        self.assertEqual(events['04'].date, at(day, 1))
        self.assertEqual(events['05'].date, at(day, 2))
        self.assertEqual(events['06'].date, at(day, 6))
        for code in ['04', '05', '06']:
            self.assertTrue(events[code].recorded_late)
            self.assertGreaterEqual(events[code].recorded_date, entry)
        # registered today, on time by its real completion
        self.assertFalse(events['03'].recorded_late)
        self.assertLessEqual(events['06'].date.date(), incoming.deadline)

    @with_transaction()
    def test_steps_without_a_real_time_are_not_late(self):
        "A step recorded as it happens keeps one time"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = self.registered_during_outage(a, outage_day())
        incoming = self.assign_at(a, incoming, None)
        lead, = incoming.assignments
        self.assertFalse(lead.recorded_late)
        event, = [e for e in Incoming(incoming.id).events if e.code == '04']
        self.assertFalse(event.recorded_late)
        self.assertGreater(event.date, outage_day(1))

    @with_transaction()
    def test_a_real_time_in_the_future_is_refused(self):
        "A back-entered time in the future changes nothing"
        a = Agency()
        incoming = self.registered_during_outage(a, outage_day())
        future = datetime.datetime.now() + datetime.timedelta(hours=2)
        with self.refused(UserError) as context:
            self.assign_at(a, incoming, future)
        self.assertIn("in the future", str(context.exception))
        self.assertEqual(self.values(incoming, ['state'])['state'],
            'submitted')

    @with_transaction()
    def test_a_real_time_before_the_arrival_is_refused(self):
        "A step cannot have happened before the document arrived"
        a = Agency()
        day = outage_day()
        incoming = self.registered_during_outage(a, day)
        with self.refused(UserError) as context:
            self.assign_at(a, incoming, at(day, -1))
        self.assertIn("is earlier than", str(context.exception))
        self.assertEqual(self.values(incoming, ['state'])['state'],
            'submitted')

    @with_transaction()
    def test_a_progress_before_its_assignment_is_refused(self):
        "Progress may not be dated before the assignment"
        pool = Pool()
        Progress = pool.get('mvp.assignment.progress')
        a = Agency()
        day = outage_day()
        incoming = self.assign_at(
            a, self.registered_during_outage(a, day), at(day, 3))
        lead, = incoming.assignments
        for when in [at(day, 2),
                datetime.datetime.now() + datetime.timedelta(days=1)]:
            with self.subTest(when=when), acting_as(a.officer1), \
                    self.refused(UserError):
                Progress.create([{
                            'assignment': lead.id, 'occurred_at': when,
                            'description': "Tiến độ"}])
        self.assertEqual(Progress.search([('assignment', '=', lead.id)]), [])

    @with_transaction()
    def test_a_real_time_left_by_another_user_is_refused(self):
        "The leader's step is not back-dated by what a clerk typed"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Assignment = pool.get('mvp.assignment')
        a = Agency()
        day = outage_day()
        incoming = self.registered_during_outage(a, day)
        with acting_as(a.leader):
            incoming = Incoming(incoming.id)
            incoming.assignments = [
                Assignment(employee=a.officer1, role='lead')]
            incoming.save()
        with acting_as(a.clerk):
            Incoming.write([Incoming(incoming.id)],
                {'occurred_at': at(day, 1)})
        with acting_as(a.leader), self.refused(UserError) as context:
            Incoming.assign([Incoming(incoming.id)])
        self.assertIn(a.clerk.users[0].name, str(context.exception))

    @with_transaction()
    def test_users_do_not_write_the_recorded_times(self):
        "Recorded Late and the entry times are the server's"
        pool = Pool()
        Assignment = pool.get('mvp.assignment')
        Progress = pool.get('mvp.assignment.progress')
        a = Agency()
        incoming = self.assign_at(
            a, self.registered_during_outage(a, outage_day()), None)
        lead, = incoming.assignments
        with acting_as(a.leader), self.refused():
            Assignment.write([lead], {'recorded_late': True})
        with acting_as(a.officer1):
            progress, = Progress.create([{
                        'assignment': lead.id, 'description': "Tiến độ",
                        'recorded_late': True,
                        'recorded_date': outage_day(),
                        }])
        self.assertFalse(progress.recorded_late)
        self.assertGreater(progress.recorded_date, outage_day(1))

    @with_transaction()
    def test_a_client_cannot_pass_the_real_time_in_its_context(self):
        "The context key the buttons set is dropped from a client's call"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = self.registered_during_outage(a, outage_day())
        rpc = Incoming.__rpc__['assign']
        with acting_as(a.leader):
            _, _, context, _ = rpc.convert(Incoming, [incoming.id], {
                    CONTEXT_KEY: outage_day(), 'language': 'vi'})
        self.assertNotIn(CONTEXT_KEY, context)
        self.assertEqual(context['language'], 'vi')


class BackEntryOutgoingTestCase(OutgoingSetup, AttackMixin, unittest.TestCase):
    "Approval, numbering and release recorded after an outage"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def step_at(self, who, outgoing, button, when):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        with self.acting(who):
            outgoing = Outgoing(outgoing.id)
            outgoing.occurred_at = when
            outgoing.save()
            getattr(Outgoing, button)([outgoing])
        return Outgoing(outgoing.id)

    def submitted_before(self, day):
        "A draft submitted during the outage (moved back to day)"
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        outgoing = self.submitted(self.new_outgoing())
        # the draft and its submission were made before the outage
        with Transaction().set_user(0):
            Approval.write(list(outgoing.approvals), {'date': day})
        return outgoing

    @with_transaction()
    def test_approval_numbering_and_release_keep_their_real_times(self):
        "Each step of an outgoing document keeps both times"
        self.setup_agencies(2)
        day = outage_day()
        entry = datetime.datetime.now().replace(microsecond=0)
        outgoing = self.submitted_before(day)
        outgoing = self.step_at(
            self.leader, outgoing, 'approve', at(day, 2))
        approval, = [a for a in outgoing.approvals if a.kind == 'approve']
        self.assertEqual(approval.date, at(day, 2))
        self.assertTrue(approval.recorded_late)
        self.assertGreaterEqual(approval.recorded_date, entry)
        self.assertTrue(outgoing.recorded_late)
        outgoing = self.step_at(
            self.clerk, outgoing, 'assign_number', at(day, 3))
        self.assertEqual(outgoing.issue_date, day.date())
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            self.signed(outgoing)
        outgoing = self.step_at(self.clerk, outgoing, 'release', at(day, 4))
        self.assertEqual(outgoing.state, 'released')
        self.assertEqual(outgoing.release_date, at(day, 4))
        self.assertGreaterEqual(outgoing.release_recorded_date, entry)
        self.assertIsNone(outgoing.occurred_at)

    @with_transaction()
    def test_a_release_before_its_approval_is_refused(self):
        "A release cannot have happened before the leader approved"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        day = outage_day()
        outgoing = self.step_at(
            self.leader, self.submitted_before(day), 'approve', at(day, 5))
        with self.refused(UserError):
            self.step_at(self.clerk, outgoing, 'assign_number', at(day, 4))
        self.assertEqual(self.values(outgoing, ['state', 'number']),
            {'state': 'approved', 'number': None})
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            self.signed(outgoing)
        for when in [at(day, 1),
                datetime.datetime.now() + datetime.timedelta(hours=1)]:
            with self.subTest(when=when), self.refused(UserError):
                self.step_at(self.clerk, outgoing, 'release', when)
            self.assertEqual(self.values(outgoing, ['state'])['state'],
                'numbered')

    @with_transaction()
    def test_users_do_not_write_the_release_entry(self):
        "The entry time and the late mark of a release are the server's"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        outgoing = self.new_outgoing()
        for values in [{'recorded_late': True},
                {'release_recorded_date': outage_day()}]:
            with self.subTest(values=values), self.acting(self.drafter), \
                    check_access(), self.refused():
                Outgoing.write([outgoing], values)
