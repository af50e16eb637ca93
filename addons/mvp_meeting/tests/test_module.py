# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.mvp_documents.tests.tools import WebClientViewsMixin
from trytond.tests.test_tryton import ModuleTestCase


class MvpMeetingTestCase(WebClientViewsMixin, ModuleTestCase):
    "Test MVP meeting module"
    module = 'mvp_meeting'


del ModuleTestCase
