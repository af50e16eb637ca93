# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Test-wide rules: under CI (CI=true) a skipped test is a failure.

On a developer's machine a test whose system part (chromium, softhsm2,
tesseract, PostgreSQL...) is missing skips with a one-line reason; CI
installs every part, so a skip there means something is broken.
"""
import os

import pytest

# pytest-xdist runs the suite in several processes: each needs its own test
# database and its own database cache, or they would drop each other's.
WORKER = os.environ.get('PYTEST_XDIST_WORKER')
if WORKER:
    db_name = os.environ.get('DB_NAME')
    if db_name and db_name != ':memory:':
        os.environ['DB_NAME'] = '%s_%s' % (db_name, WORKER)
    if os.environ.get('DB_CACHE'):
        from trytond.tests import test_tryton
        _db_cache_file = test_tryton._db_cache_file

        def _worker_db_cache_file(path, name):
            return _db_cache_file(path, '%s@%s' % (name, WORKER))
        test_tryton._db_cache_file = _worker_db_cache_file



def pytest_collection_modifyitems(config, items):
    """Deselect the tests of a class whose ``backends`` excludes the one
    under test: they do not apply, which is not the same as skipping"""
    backend = os.environ.get('TRYTOND_DATABASE__URI', 'sqlite').split(':')[0]
    selected, deselected = [], []
    for item in items:
        backends = getattr(getattr(item, 'cls', None), 'backends', None)
        (deselected if backends and backend not in backends
            else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


STRICT = os.environ.get('CI', '').lower() in {'1', 'true', 'yes'}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, 'wasxfail'):
        reason = report.longrepr[-1] if isinstance(
            report.longrepr, tuple) else report.longrepr
        report.outcome = 'failed'
        report.longrepr = 'skipped under CI=true: %s' % (reason,)
