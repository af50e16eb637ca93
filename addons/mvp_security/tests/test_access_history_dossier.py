# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 5 for dossiers: opening a dossier's form and sharing it
are in the access history, a list of dossiers is not."""
import unittest

from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_official)
from trytond.modules.mvp_documents.tests.tools import ALL_MODULES
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)


class DossierAccessHistoryTestCase(unittest.TestCase):
    "Who opened or shared a dossier"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(ALL_MODULES)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @staticmethod
    def history(dossier, action):
        Log = Pool().get('mvp.access.log')
        return Log.search([('document', '=', str(dossier)),
                ('action', '=', action)], order=[('id', 'ASC')])

    @with_transaction()
    def test_opening_and_sharing_a_dossier_are_recorded(self):
        from trytond.modules.mvp_dossier.tests.test_disposal import (
            DisposalRetentionTestCase)
        pool = Pool()
        Dossier = pool.get('mvp.dossier')
        Share = pool.get('mvp.dossier.share')
        company, dossier, _ = DisposalRetentionTestCase.world(self)
        officer = create_official(
            company, 'chuyenvien', "Trần Thị Bình", 'group_mvp_officer')
        clerk, = self.clerk.users
        with acting_as(self.clerk):
            Dossier.read([dossier.id], ['code', 'title', 'rec_name'])
        self.assertEqual(self.history(dossier, 'open'), [])
        with acting_as(self.clerk):
            Dossier.read([dossier.id], ['code', 'title', 'lines'])
        opened, = self.history(dossier, 'open')
        self.assertEqual((opened.user, opened.company), (clerk, company))
        Share.create([{'dossier': dossier.id,
                    'user': officer.users[0].id, 'permission': 'read'}])
        shared, = self.history(dossier, 'share')
        self.assertEqual(shared.details, 'chuyenvien:read')
        Log = pool.get('mvp.access.log')
        # with the closing of the dossier (a state change)
        self.assertEqual(sorted(log.action for log in Log.search(
                        [('document', '=', str(dossier))])),
            ['open', 'share', 'state'])
        self.assertEqual(Dossier(dossier.id).access_count, 3)
