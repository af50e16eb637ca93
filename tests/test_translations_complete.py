# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every user-facing string of our modules has a Vietnamese translation."""
import unittest

import pytest

from trytond.modules.mvp_documents.tests.tools import (
    ALL_MODULES, load_vietnamese)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)

pytestmark = pytest.mark.once  # the strings do not depend on the backend

MODULES = ALL_MODULES
# Source strings that are the same in Vietnamese
SAME = {'SHA-256', 'edXML', 'PDF', 'XML', 'CSV', 'URL', 'PIN', 'ID', 'OCR',
    'IMAP', 'SMTP', 'PKCS#11', 'PKCS#12', 'HSM', 'TSA', 'CRL', 'OCSP'}


class TranslationsCompleteTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(MODULES)

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_every_string_of_our_modules_is_translated(self):
        pool = Pool()
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        load_vietnamese(MODULES)
        session_id, _, _ = TranslationSet.create()
        TranslationSet.execute(session_id, {}, 'set_')
        TranslationSet.delete(session_id)

        translated = {(t.name, t.type, t.src)
            for t in Translation.search([
                    ('lang', '=', 'vi'), ('value', 'not in', [None, '']),
                    ])}
        missing = sorted({'%s [%s] %r' % (t.name, t.type, t.src)
                for t in Translation.search([
                        ('lang', '=', 'en'), ('module', 'in', MODULES),
                        ('src', 'not in', [None, '']),
                        ])
                if (t.name, t.type, t.src) not in translated
                and t.src not in SAME})
        self.assertFalse(missing, "%d strings without Vietnamese:\n%s" % (
                len(missing), '\n'.join(missing)))
