# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.modules.mvp_documents.tests.tools import scenario_test_case

ScenarioTestCase = scenario_test_case(__name__, __file__)


def load_tests(loader, tests, pattern):
    # unittest (python -m unittest) uses this; pytest uses the class
    return loader.loadTestsFromTestCase(ScenarioTestCase)
