# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Helpers shared by the tests of the mvp_* modules."""
import pathlib
import unittest

from lxml import etree

from trytond.pool import Pool
from trytond.tests.test_tryton import load_doc_tests, with_transaction

__all__ = ['scenario_test_case', 'WebClientViewsMixin', 'ALL_MODULES']

# Every module of the project, in one order: the tests that need several
# modules together share this one cached database (the cache is keyed by
# the list as written) instead of building one more per combination
ALL_MODULES = ['mvp_documents', 'mvp_capture', 'mvp_dossier', 'mvp_meeting',
    'mvp_signature', 'mvp_interchange', 'mvp_reporting', 'mvp_security']


def scenario_test_case(name, path, requirements=None):
    """Return a TestCase with one test per scenario_*.rst beside path.

    trytond's load_doc_tests feeds unittest's load_tests protocol, which
    pytest ignores; wrapping each doctest file in a test method lets both
    runners see every scenario.  requirements maps the system parts that
    the scenarios may require to a function returning why such a part is
    missing, or None (see missing_requirement).
    """
    directory = pathlib.Path(path).parent

    def make_test(scenario):
        def test(self):
            missing = missing_requirement(
                directory / scenario, requirements or {})
            if missing:
                self.skipTest(missing)
            loader = unittest.TestLoader()
            loader.testNamePatterns = [scenario]
            suite = load_doc_tests(
                name, path, loader, unittest.TestSuite(), None)
            self.assertTrue(suite.countTestCases(), scenario)
            result = unittest.TestResult()
            suite.run(result)
            problems = result.failures + result.errors
            if problems:
                self.fail('\n'.join(text for _, text in problems))
        return test

    attrs = {}
    for scenario in sorted(directory.glob('scenario_*.rst')):
        attrs['test_' + scenario.stem] = make_test(scenario.name)
    return type('ScenarioTestCase', (unittest.TestCase,), attrs)


def missing_requirement(scenario, requirements):
    """Return why the scenario cannot run on this machine, or None

    A scenario names the system parts it needs in a comment line
    ".. requires: ocr" near its top; without them it skips with the reason
    that requirements[name]() gives.  A name that the module's test runner
    does not know is an error, not a skip.
    """
    with open(scenario, encoding='utf-8') as file:
        head = [next(file, '') for _ in range(20)]
    for line in head:
        if line.startswith('.. requires:'):
            for name in line.split(':', 1)[1].split():
                reason = requirements[name]()
                if reason:
                    return reason


def fonts_missing():
    "Why no serif font with Vietnamese glyphs is found, or None"
    from trytond.modules.mvp_documents.fonts import FontError, find_font
    try:
        find_font()
    except FontError:
        return ("no serif font with Vietnamese glyphs: Liberation Serif 2, "
            "Noto Serif or DejaVu Serif (Debian fonts-liberation2)")


def load_vietnamese(modules=('mvp_documents',)):
    """Make the modules' Vietnamese translations effective in the test
    database (the test database is created in English, before the module
    that defines the vi language is activated)."""
    import glob
    import os

    from trytond.tools import file_open
    pool = Pool()
    Lang = pool.get('ir.lang')
    Translation = pool.get('ir.translation')
    vi, = Lang.search([('code', '=', 'vi')])
    if not vi.translatable:
        vi.translatable = True
        vi.save()
    for module in modules:
        with file_open(os.path.join(module, 'tryton.cfg')) as fp:
            directory = os.path.dirname(fp.name)
        files = glob.glob(os.path.join(directory, 'locale', 'vi.po'))
        if files:
            Translation.translation_import('vi', module, files)
    # The caches outlive the rolled-back transactions of earlier tests,
    # which may have read the messages before they had Vietnamese
    Translation._translation_cache.clear()
    pool.get('ir.message')._message_cache.clear()
    return vi


class WebClientViewsMixin:
    """The list views of the module show in sao: sao 8.0 has no column
    for datetime and timestamp fields, which Tryton's own views split into
    widget="date" and widget="time" columns."""

    @with_transaction()
    def test_list_views_have_no_bare_datetime(self):
        pool = Pool()
        View = pool.get('ir.ui.view')
        bare = []
        for view in View.search([('module', '=', self.module)]):
            type_ = view.type or (view.inherit.type if view.inherit else None)
            if type_ != 'tree':
                continue
            Model = pool.get(view.model)
            for field in etree.fromstring(view.arch).iter('field'):
                field_type = getattr(Model._fields.get(field.get('name')),
                    '_type', None)
                if (field_type in {'datetime', 'timestamp'}
                        and not field.get('widget')):
                    bare.append('%s: %s' % (view.name or view.id,
                            field.get('name')))
        self.assertFalse(bare, "datetime without widget in list views:\n"
            + '\n'.join(bare))

    @with_transaction()
    def test_action_domains_use_the_client_context(self):
        "Menu actions only name what the web client's context holds"
        pool = Pool()
        ActWindow = pool.get('ir.action.act_window')
        ModelData = pool.get('ir.model.data')
        # the user's companies are not in the client context: an action
        # domain on them opens an empty list (the record rules filter the
        # agency instead)
        ids = [d.db_id for d in ModelData.search([
                    ('module', '=', self.module),
                    ('model', '=', 'ir.action.act_window')])]
        wrong = [a.name for a in ActWindow.browse(ids)
            if "'companies'" in (a.domain or '')
            or '"companies"' in (a.domain or '')]
        self.assertFalse(wrong, "action domains on companies: %s" % wrong)
