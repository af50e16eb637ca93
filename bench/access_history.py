#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What one row of the access history costs (mvp_security, issue 17 item 5).

Run on a test database, as the tests are:
``TRYTOND_DATABASE__URI=postgresql://postgres@127.0.0.1:5432/
DB_NAME=bench_access_history python bench/access_history.py``.
Prints, in ms (median, p95): the row of an opening written in a read-only
request (a transaction of its own, committed) and in a read-write one
(before the request's commit), and a form's read against a list's.
"""
import statistics
import time

from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_incoming)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.modules.mvp_security import access_log
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction, check_access


def figures(times):
    times = sorted(times)
    return (round(statistics.median(times), 2),
        round(times[int(0.95 * len(times)) - 1], 2))


def time_record(ids, readonly, n=300):
    incoming, user, company = ids
    times = []
    for _ in range(n):
        with Transaction().start(DB_NAME, user, readonly=readonly,
                context={'company': company}):
            start = time.perf_counter()
            access_log.record('mvp.incoming', [incoming], 'open')
            times.append((time.perf_counter() - start) * 1000)
    return figures(times)


def time_read(ids, fields, n=300):
    incoming, user, company = ids
    times = []
    for _ in range(n):
        start = time.perf_counter()
        with Transaction().start(DB_NAME, user, readonly=True,
                context={'company': company}), check_access():
            Pool().get('mvp.incoming').read([incoming], fields)
        times.append((time.perf_counter() - start) * 1000)
    return figures(times)


def main():
    drop_db()
    activate_module(['mvp_documents', 'mvp_security'])
    with Transaction().start(DB_NAME, 0) as transaction:
        agency = Agency()
        with acting_as(agency.clerk):
            incoming = create_incoming(agency.company)
        ids = (incoming.id, agency.clerk.users[0].id, agency.company.id)
        transaction.commit()
    try:
        print('row, read-only request', time_record(ids, True))
        print('row, read-write request', time_record(ids, False))
        print('form read (logged)', time_read(ids, ['subject', 'events']))
        print('list read', time_read(ids, ['subject', 'notation']))
    finally:
        drop_db()


if __name__ == '__main__':
    main()
