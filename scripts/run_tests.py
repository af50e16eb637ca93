#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the whole suite on SQLite, then on PostgreSQL, and sum up.

PostgreSQL is used when it answers on MVP_PG_URI (default
postgresql://postgres@127.0.0.1:5432/); when it does not, the run says
so and goes on with SQLite only, unless MVP_REQUIRE_POSTGRESQL=1.
"""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / 'var' / 'test-output'
PG_URI = os.environ.get('MVP_PG_URI', 'postgresql://postgres@127.0.0.1:5432/')


def postgresql_reachable():
    try:
        import psycopg
        with psycopg.connect(PG_URI + 'postgres', connect_timeout=3):
            return True
    except Exception as exception:
        print("PostgreSQL is not reachable at %s: %s" % (PG_URI, exception))
        return False


def drop_test_templates():
    # trytond's DB_CACHE keeps template databases keyed only by the module
    # list; drop them so that a changed model is never tested stale.
    import psycopg
    with psycopg.connect(PG_URI + 'postgres', autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
                "SELECT datname FROM pg_database "
                "WHERE datname LIKE 'test-%' OR datname LIKE 'test_mvp%'")]
        for name in names:
            conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


def run(backend, env, args):
    junit = OUTPUT / ('junit-%s.xml' % backend)
    print("\n=== %s ===" % backend, flush=True)
    # MVP_TEST_ORDER=random shuffles the tests (pytest-randomly, seed
    # printed); the default keeps the files' order
    order = (['-p', 'randomly'] if os.environ.get('MVP_TEST_ORDER') == 'random'
        else ['-p', 'no:randomly'])
    cmd = [sys.executable, '-m', 'pytest', '-q', '-rs', *order,
        '-n', os.environ.get('MVP_TEST_WORKERS', str(os.cpu_count() or 1)),
        '--dist', 'loadfile', '--junitxml=%s' % junit,
        # a hung test fails alone instead of stopping the whole run
        '--timeout', os.environ.get('MVP_TEST_TIMEOUT', '900'),
        '--durations', '15', *args]
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    return code, counts(junit)


def counts(junit):
    result = {'passed': 0, 'failed': 0, 'skipped': 0}
    if not junit.exists():
        result['failed'] = 1
        return result
    for suite in ET.parse(junit).getroot().iter('testsuite'):
        total = int(suite.get('tests', 0))
        failed = int(suite.get('failures', 0)) + int(suite.get('errors', 0))
        skipped = int(suite.get('skipped', 0))
        result['failed'] += failed
        result['skipped'] += skipped
        result['passed'] += total - failed - skipped
    return result


def main(args):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    base = dict(os.environ, MVP_TEST_OUTPUT=str(OUTPUT))
    runs = []
    cache = OUTPUT.parent / 'db-cache'
    shutil.rmtree(cache, ignore_errors=True)
    sqlite = dict(base, TRYTOND_DATABASE__URI='sqlite://', DB_NAME=':memory:',
        DB_CACHE=str(cache))
    runs.append(('sqlite',) + run('sqlite', sqlite, args))

    require = os.environ.get('MVP_REQUIRE_POSTGRESQL') == '1'
    if postgresql_reachable():
        drop_test_templates()
        postgresql = dict(base, TRYTOND_DATABASE__URI=PG_URI,
            DB_NAME='test_mvp', DB_CACHE='postgresql://')
        runs.append(('postgresql',) + run('postgresql', postgresql,
                ['-m', 'not once', *args]))
    elif require:
        print("MVP_REQUIRE_POSTGRESQL=1 but PostgreSQL is not reachable")
        runs.append(('postgresql', 1,
                {'passed': 0, 'failed': 1, 'skipped': 0}))
    else:
        print("PostgreSQL tests NOT run: only SQLite was tested.")

    total = {'passed': 0, 'failed': 0, 'skipped': 0}
    print()
    for backend, _code, result in runs:
        print("%-11s %d passed, %d failed, %d skipped" % (
                backend + ':', result['passed'], result['failed'],
                result['skipped']))
        for key in total:
            total[key] += result[key]
    print("total: %(passed)d passed, %(failed)d failed, "
        "%(skipped)d skipped" % total)
    failed = total['failed'] or any(code not in (0, 5) for _, code, _ in runs)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
