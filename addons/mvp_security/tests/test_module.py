# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.mvp_documents.tests.tools import WebClientViewsMixin
from trytond.tests.test_tryton import ModuleTestCase


class MvpSecurityTestCase(WebClientViewsMixin, ModuleTestCase):
    "Test MVP security module"
    module = 'mvp_security'
    extras = ['mvp_dossier']


del ModuleTestCase
