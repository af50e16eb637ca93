# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Exchange packages in the statistics (with mvp_interchange)"""
import datetime as dt
import unittest

from trytond.modules.company.tests import create_company
from trytond.modules.mvp_documents.tests.tools import ALL_MODULES
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction


class InterchangeStatisticsTestCase(unittest.TestCase):
    "edXML packages in the statistics"

    @classmethod
    def setUpClass(cls):
        activate_module(ALL_MODULES)

    @with_transaction()
    def test_packages_per_agency(self):
        "Packages sent, failed, received and rejected are counted per agency"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Statistics = pool.get('mvp.statistics.agency')
        one = create_company("Sở Tư pháp")
        other = create_company("Sở Y tế")
        values = []
        for i, (agency, direction, kind, state) in enumerate([
                    (one, 'out', 'package', 'sent'),
                    (one, 'out', 'package', 'sent'),
                    (one, 'out', 'package', 'dead'),
                    (one, 'out', 'package', 'queued'),
                    (one, 'out', 'status', 'sent'),
                    (one, 'in', 'package', 'accepted'),
                    (one, 'in', 'package', 'rejected'),
                    (one, 'in', 'status', 'received'),
                    (other, 'in', 'package', 'received'),
                    ]):
            values.append({
                    'agency': agency.id, 'direction': direction,
                    'kind': kind, 'state': state,
                    'message_id': 'msg-%s' % i,
                    'document_id': 'doc-%s' % i,
                    })
        Message.create(values)
        # the period is read when the test runs, not when it was imported
        # (a run across midnight counted nothing), and ends tomorrow: the
        # agency's day (UTC+7) may already be tomorrow on the machine's
        today = dt.date.today()
        with Transaction().set_context(
                from_date=today - dt.timedelta(days=7),
                to_date=today + dt.timedelta(days=1)):
            rows = {r.agency: r for r in Statistics.search([])}
        self.assertEqual(
            [(rows[one].exchange_sent, rows[one].exchange_failed,
                    rows[one].exchange_received,
                    rows[one].exchange_rejected)],
            [(2, 1, 2, 1)])
        self.assertEqual(rows[other].exchange_received, 1)
        self.assertIn('exchange_sent',
            [c.name for c in Statistics.report_columns()])
