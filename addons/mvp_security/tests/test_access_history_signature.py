# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Issue 17 item 5 for signatures: a signature is in the access history
of the file signed (who, what kind), a refused one is not."""
import unittest

from trytond.modules.mvp_signature.exceptions import SignatureKeyError
from trytond.modules.mvp_documents.tests.tools import ALL_MODULES
from trytond.modules.mvp_signature.tests import pki as test_pki
from trytond.modules.mvp_signature.tests.test_file import (
    Setup, file_resources)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


class SignatureAccessHistoryTestCase(unittest.TestCase):
    "Who signed which file"

    @classmethod
    def setUpClass(cls):
        activate_module(ALL_MODULES)

    @with_transaction()
    def test_signing_a_file_is_recorded_a_refused_signature_is_not(self):
        Log = Pool().get('mvp.access.log')
        with file_resources():
            setup = Setup()
            draft = setup.upload(test_pki.sample_pdf())
            with setup.as_user('officer'):
                with self.assertRaises(SignatureKeyError):
                    draft.sign('personal',
                        personal_key=setup.personal['officer'],
                        passphrase='not the passphrase')
            self.assertEqual(Log.search([('action', '=', 'sign')]), [])

            with setup.as_user('officer'):
                draft.sign('personal',
                    personal_key=setup.personal['officer'],
                    passphrase=test_pki.PASSPHRASE)

        signed, = Log.search([('action', '=', 'sign')])
        officer = setup.users['officer']
        self.assertEqual(
            (signed.user, signed.employee, signed.company,
                signed.resource, signed.details),
            (officer, officer.employee, setup.company,
                'mvp.document.file,%s' % draft.id, 'personal'))
        # the file hangs on no document here: no document's count grows
        self.assertIsNone(signed.document)
