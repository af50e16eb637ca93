# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The figures count the steps recorded after an outage on the days they
really happened (Article 3.2 of the regulation)."""
import datetime
import unittest

from trytond.modules.mvp_documents.tests.test_back_entry import (
    OutageMixin, at, outage_day)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.modules.mvp_documents.tests.test_outgoing import OutgoingSetup
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction


def figures(company, day):
    "Return the statistics row of company for the single day"
    pool = Pool()
    Statistics = pool.get('mvp.statistics.agency')
    with Transaction().set_context(from_date=day, to_date=day):
        rows = {r.agency.id: r for r in Statistics.search([])}
    return rows[company.id]


class BackEntryStatisticsTestCase(
        OutageMixin, OutgoingSetup, unittest.TestCase):
    "An outage day recorded afterwards counts on its real dates"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_reporting')

    @with_transaction()
    def test_an_incoming_completed_during_an_outage_counts_that_day(self):
        "Completed on time on the outage day, although entered later"
        a = Agency()
        day = outage_day()
        incoming = self.assign_at(
            a, self.registered_during_outage(a, day), at(day, 1))
        lead, = incoming.assignments
        self.finish_at(a, lead, at(day, 6))
        today = datetime.date.today()
        on_the_day = figures(a.company, day.date())
        self.assertEqual(
            (on_the_day.incoming_received, on_the_day.incoming_processed,
                on_the_day.incoming_on_time, on_the_day.incoming_late),
            (1, 1, 1, 0))
        entered = figures(a.company, today)
        self.assertEqual(
            (entered.incoming_received, entered.incoming_registered,
                entered.incoming_processed),
            (0, 1, 0))

    @with_transaction()
    def test_an_outgoing_released_during_an_outage_counts_that_day(self):
        "Released on the outage day, although entered later"
        pool = Pool()
        Approval = pool.get('mvp.outgoing.approval')
        Outgoing = pool.get('mvp.outgoing')
        self.setup_agencies(2)
        day = outage_day()
        outgoing = self.submitted(self.new_outgoing())
        with Transaction().set_user(0):
            Approval.write(list(outgoing.approvals), {'date': day})
        for who, button, hours in [(self.leader, 'approve', 1),
                (self.clerk, 'assign_number', 2)]:
            with self.acting(who):
                Outgoing.write([outgoing], {'occurred_at': at(day, hours)})
                getattr(Outgoing, button)([outgoing])
        self.add_recipients(outgoing, self.agencies[1:])
        with self.acting(self.clerk):
            self.signed(outgoing)
            Outgoing.write([outgoing], {'occurred_at': at(day, 3)})
            Outgoing.release([outgoing])
        self.assertEqual(
            figures(self.agency, day.date()).outgoing_released, 1)
        self.assertEqual(
            figures(self.agency, datetime.date.today()).outgoing_released, 0)
