# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Test-wide rules: under CI (CI=true) a skipped test is a failure.

On a developer's machine a test whose system part (chromium, softhsm2,
tesseract, PostgreSQL...) is missing skips with a one-line reason; CI
installs every part, so a skip there means something is broken.
"""
import contextlib
import fcntl
import functools
import hashlib
import os
import tempfile

import pytest

# The key of the secrets stored in the test databases (agency key PINs,
# IMAP passwords, exchange keys): a test key, for the whole suite and the
# servers it starts (addons/mvp_documents/secret.py)
os.environ.setdefault(
    'MVP_SECRET_KEY', 'dGVzdC1rZXktb2YtbXZwLW9mZmljZS1zZWNyZXRzLTA=')

# pytest-xdist runs the suite in several processes: each needs its own test
# database.  The cache of activated databases (DB_CACHE) is shared: a lock
# per module set makes a second worker wait for the first one's build and
# restore it, instead of building the same database again (a minute and
# more on PostgreSQL).
WORKER = os.environ.get('PYTEST_XDIST_WORKER')
if WORKER:
    db_name = os.environ.get('DB_NAME')
    if db_name and db_name != ':memory:':
        os.environ['DB_NAME'] = '%s_%s' % (db_name, WORKER)


@contextlib.contextmanager
def module_set_lock(modules):
    names = [modules] if isinstance(modules, str) else modules
    key = hashlib.sha1('-'.join(sorted(names)).encode()).hexdigest()[:16]
    path = os.path.join(tempfile.gettempdir(), 'mvp-test-db-%s-%s.lock' % (
            os.getuid(), key))
    with open(path, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def one_build_at_a_time(activate):
    @functools.wraps(activate)
    def wrapper(modules, *args, **kwargs):
        with module_set_lock(modules):
            return activate(modules, *args, **kwargs)
    return wrapper


def from_a_clean_database(activate):
    """Start each test class from the activated database as built, never
    from what an earlier class of the same process committed.

    trytond's activate_module reuses a database that already exists (one
    in-memory SQLite database per process, one PostgreSQL database per
    xdist worker) and then saves it as the cache for its module list: a
    row committed by one class (translations, a commit in a test) would
    meet a later class, or every worker restoring that cache, depending
    on which files a worker happened to get.  ModuleTestCase drops the
    database first; plain TestCase classes did not.

    The doctest scenarios' activate_modules needs it as well on
    PostgreSQL: its restore drops the worker's database without closing
    the connections this process still pools for it, and PostgreSQL
    refuses to drop a database "used by other sessions".
    """
    @functools.wraps(activate)
    def wrapper(modules, *args, **kwargs):
        test_tryton.drop_db()
        return activate(modules, *args, **kwargs)
    return wrapper


from trytond.tests import test_tryton, tools  # noqa: E402


def cheap_password_hashing():
    """Hash the test accounts' passwords with argon2 at its lowest cost.

    At Tryton's production cost a hash or a check takes some 0.13 s, and
    the sign-in, lockout and password-history tests do hundreds of them
    (Django's test settings swap their hasher for the same reason).  The
    algorithm and the code paths stay those of production; the servers
    that tests start as processes keep the production cost."""
    from pwdlib.hashers.argon2 import Argon2Hasher

    from trytond.res import user
    cheap = Argon2Hasher(time_cost=1, memory_cost=8, parallelism=1)
    user.PASSWORD_HASH.hashers[0] = user.PASSWORD_HASH.current_hasher = cheap


cheap_password_hashing()

test_tryton.activate_module = from_a_clean_database(
    test_tryton.activate_module)
tools.activate_modules = from_a_clean_database(tools.activate_modules)
if WORKER and os.environ.get('DB_CACHE'):
    test_tryton.activate_module = one_build_at_a_time(
        test_tryton.activate_module)
    tools.activate_modules = one_build_at_a_time(tools.activate_modules)


def setup_after_activation(activate):
    """Run a scenario's set-up functions (create_company...) on the
    database of its modules instead of caching one more database.

    trytond caches a scenario's database under its modules *and* its
    set-up functions: eight scenarios, eight more builds of 20 s to a
    minute each, for a set-up that takes a second.  Here the scenarios
    restore the modules' database that the unit tests build anyway and
    run their set-up on it."""
    @functools.wraps(activate)
    def wrapper(modules, *setup):
        config = activate(modules)
        for func in setup:
            func(config=config)
        return config
    return wrapper


tools.activate_modules = setup_after_activation(tools.activate_modules)


# Files whose tests are the chapters of one story told on one demo
# database (the browser walks the demo agency's day): a shuffled run
# (MVP_TEST_ORDER=random) keeps their chapters in the order written.
STORIES = {'tests/test_browser.py'}


def keep_stories_in_order(items):
    places = [i for i, item in enumerate(items)
        if item.nodeid.split('::')[0] in STORIES]
    story = sorted((items[i] for i in places), key=lambda i: i.location[1])
    for place, item in zip(places, story, strict=True):
        items[place] = item


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Deselect the tests of a class whose ``backends`` excludes the one
    under test: they do not apply, which is not the same as skipping"""
    keep_stories_in_order(items)
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
