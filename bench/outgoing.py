#!/usr/bin/env python3
# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of outgoing documents on PostgreSQL.

- release_400_s: release one document to N agencies of this installation,
  until the N incoming documents exist (committed); release_cpu_s is the
  CPU time of the Python process then, load_average the machine's load
  when it started (the wall time depends on what else runs);
- numbering_dupes / numbering_gaps: C clerks in parallel threads, each in
  its own transactions like the RPC dispatcher, number M documents.

Prints one JSON line last.  Small run:
    .venv/bin/python bench/outgoing.py --agencies 20 --clerks 4 --numbers 40
"""
import argparse
import datetime as dt
import json
import os
import sys
import threading
import time


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument('--agencies', type=int, default=400)
    parser.add_argument('--clerks', type=int, default=20)
    parser.add_argument('--numbers', type=int, default=1000)
    parser.add_argument('--database', default='bench_outgoing')
    parser.add_argument(
        '--new-template', action='store_true',
        help="Rebuild the template database (after a module change)")
    parser.add_argument('--profile', action='store_true')
    parser.add_argument('--sort', default='cumulative')
    parser.add_argument(
        '--uri', default=os.environ.get(
            'TRYTOND_DATABASE__URI', 'postgresql://postgres@127.0.0.1:5432/'))
    return parser.parse_args()


ARGS = parse()
os.environ['TRYTOND_DATABASE__URI'] = ARGS.uri
os.environ['DB_NAME'] = ARGS.database

from trytond import backend  # noqa: E402
from trytond.pool import Pool  # noqa: E402
from trytond.tests.test_tryton import activate_module, db_exist  # noqa: E402
from trytond.transaction import (  # noqa: E402
    Transaction, TransactionError)

RETRIES = {'count': 0}


def run(func, *args, context=None, retry=200):
    "Run func in a committed transaction, retrying like the dispatcher"
    extras = {}
    for count in range(retry):
        try:
            with Transaction().start(
                    ARGS.database, 0, context=context,
                    **extras) as transaction:
                try:
                    result = func(*args)
                except TransactionError as e:
                    transaction.rollback()
                    e.fix(extras)
                    continue
                transaction.commit()
                return result
        except backend.DatabaseOperationalError:
            RETRIES['count'] += 1
            time.sleep(0.005 * (count % 10))
    raise RuntimeError("too many retries")


def fresh_database():
    "Create the database from a template with the module activated"
    template = ARGS.database + '_template'
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        database, connection = transaction.database, transaction.connection
        if db_exist(ARGS.database):
            database.drop(connection, ARGS.database)
        if ARGS.new_template and db_exist(template):
            database.drop(connection, template)
    if not db_exist(template):
        activate_module('mvp_documents')
        backend.Database(ARGS.database).close()
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            transaction.connection.cursor().execute(
                f'ALTER DATABASE "{ARGS.database}" RENAME TO "{template}"')
    with Transaction().start(
            None, 0, close=True, autocommit=True) as transaction:
        transaction.connection.cursor().execute(
            f'CREATE DATABASE "{ARGS.database}" TEMPLATE "{template}"')
    Pool(ARGS.database).init()


def setup(agencies, documents):
    pool = Pool()
    Company = pool.get('company.company')
    Party = pool.get('party.party')
    Currency = pool.get('currency.currency')
    Department = pool.get('mvp.department')
    Register = pool.get('mvp.register')
    Employee = pool.get('company.employee')
    Outgoing = pool.get('mvp.outgoing')
    Recipient = pool.get('mvp.outgoing.recipient')
    File = pool.get('mvp.document.file')
    Type = pool.get('mvp.document.type')
    currency, = Currency.create([{
                'name': 'Việt Nam đồng', 'code': 'VND', 'symbol': '₫'}])
    parties = Party.create([{'name': f"Cơ quan {i:03d}"}
            for i in range(agencies + 1)])
    companies = Company.create([{
                'party': p.id, 'currency': currency.id,
                'short_name': f'CQ{i}',
                'identifier_code': f'000.{i // 100:02d}.{i % 100:02d}.H54',
                } for i, p in enumerate(parties)])
    Register.create([{
                'company': c.id, 'kind': 'outgoing', 'name': "Sổ đi"}
            for c in companies[:1]])
    sender = companies[0]
    department, = Department.create([{
                'company': sender.id, 'name': "Văn phòng", 'code': 'VP'}])
    party, = Party.create([{'name': "Nguyễn Văn An"}])
    employee, = Employee.create([{
                'company': sender.id, 'party': party.id,
                'department': department.id, 'position': "Giám đốc"}])
    type_, = Type.search([('code', '=', 'to_trinh')])
    outgoings = Outgoing.create([{
                'company': sender.id, 'department': department.id,
                'drafter': employee.id, 'signer': employee.id,
                'signer_name': "Nguyễn Văn An",
                'document_type': type_.id,
                'subject': f"Văn bản thử nghiệm số {i}",
                } for i in range(documents + 1)])
    with Transaction().set_context(_mvp_outgoing_internal=True):
        Outgoing.write(outgoings, {'state': 'approved'})
    released = outgoings[0]
    Outgoing.assign_number([released])
    Recipient.create([{
                'outgoing': released.id, 'kind': 'agency', 'agency': c.id}
            for c in companies[1:]])
    File.create([{
                'resource': str(released), 'kind': 'signed',
                'name': 'van-ban.pdf',
                'data': b'%PDF-1.4\n' + os.urandom(200_000)}])
    return sender.id, released.id, [o.id for o in outgoings[1:]]


def release(outgoing_id):
    Outgoing = Pool().get('mvp.outgoing')
    Outgoing.release(Outgoing.browse([outgoing_id]))


def count_incomings(outgoing_id):
    pool = Pool()
    Incoming = pool.get('mvp.incoming')
    Recipient = pool.get('mvp.outgoing.recipient')
    recipients = Recipient.search([('outgoing', '=', outgoing_id)])
    return Incoming.search([
            ('origin', 'in', [str(r) for r in recipients]),
            ], count=True)


def numbering(company_id, ids, first):
    Outgoing = Pool(ARGS.database).get('mvp.outgoing')
    context = {'company': company_id}
    barrier = threading.Barrier(ARGS.clerks)
    errors = []

    def clerk(chunk):
        barrier.wait()
        for id_ in chunk:
            try:
                run(lambda id_=id_: Outgoing.assign_number(
                        Outgoing.browse([id_])), context=context)
            except Exception as exception:
                errors.append(repr(exception))

    threads = [threading.Thread(target=clerk, args=(ids[i::ARGS.clerks],))
        for i in range(ARGS.clerks)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    numbers = run(lambda: [o.number for o in Outgoing.browse(ids + [first])])
    taken = [n for n in numbers if n]
    dupes = len(taken) - len(set(taken))
    gaps = (max(taken) - len(set(taken))) if taken else 0
    return dupes, gaps, len(taken), elapsed, errors


def main():
    fresh_database()
    sender, released, ids = run(setup, ARGS.agencies, ARGS.numbers)
    load = os.getloadavg()[0]
    start, cpu = time.monotonic(), time.process_time()
    if ARGS.profile:
        import cProfile
        import pstats
        profile = cProfile.Profile()
        profile.runcall(run, release, released, context={'company': sender})
        pstats.Stats(profile, stream=sys.stderr).sort_stats(
            ARGS.sort).print_stats(45)
    else:
        run(release, released, context={'company': sender})
    release_s = time.monotonic() - start
    release_cpu_s = time.process_time() - cpu
    incomings = run(count_incomings, released)
    # the released document took number 1, the clerks take the next ones
    dupes, gaps, taken, numbering_s, errors = numbering(
        sender, ids, released)
    result = {
        'release_400_s': round(release_s, 3),
        'release_cpu_s': round(release_cpu_s, 3),
        'load_average': round(load, 1),
        'agencies': ARGS.agencies,
        'incomings': incomings,
        'numbering_dupes': dupes,
        'numbering_gaps': gaps,
        'numbers': taken,
        'clerks': ARGS.clerks,
        'numbering_s': round(numbering_s, 3),
        'lock_retries': RETRIES['count'],
        'errors': len(errors),
        'cores': os.cpu_count(),
        'date': dt.date.today().isoformat(),
        }
    if errors:
        print('\n'.join(errors[:5]), file=sys.stderr)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
