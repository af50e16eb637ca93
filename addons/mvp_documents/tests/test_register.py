# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import threading
import time
import unittest

from trytond import backend
from trytond.modules.mvp_documents.tests.incoming_tools import (
    create_agency, create_incoming)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction, TransactionError

CLERKS = 20
DOCUMENTS_PER_CLERK = 3


class RegisterTestCase(unittest.TestCase):
    "Test registers and their numbers"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @with_transaction()
    def test_numbers_follow_each_other_and_restart_each_year(self):
        "Numbers run 1, 2, 3 in a year and restart on 1 January"
        pool = Pool()
        Register = pool.get('mvp.register')
        company = create_agency()
        register, = Register.search([
                ('company', '=', company.id), ('confidential', '=', False)])
        numbers = [Register.next_number(register, d) for d in [
                dt.date(2025, 12, 30), dt.date(2025, 12, 31),
                dt.date(2026, 1, 1), dt.date(2025, 12, 31),
                dt.date(2026, 1, 2)]]
        self.assertEqual(numbers, [1, 2, 1, 3, 2])
        self.assertEqual(
            sorted(s.year for s in register.sequences), [2025, 2026])

    @with_transaction()
    def test_the_year_shows_the_next_number(self):
        "The year's sequence shows the number after the last one taken"
        pool = Pool()
        Register = pool.get('mvp.register')
        company = create_agency()
        register = Register.find_register(company, 'incoming')
        day = dt.date(2026, 3, 2)
        taken = [Register.next_number(register, day) for _ in range(3)]
        year, = register.sequences
        self.assertEqual(taken, [1, 2, 3])
        self.assertEqual(year.sequence.number_next, 4)
        # a number the administrator sets is where numbering goes on
        year.sequence.number_next = 10
        year.sequence.save()
        self.assertEqual(Register.next_number(register, day), 10)

    @with_transaction()
    def test_registers_are_numbered_apart(self):
        "The confidential register and other agencies count on their own"
        pool = Pool()
        Register = pool.get('mvp.register')
        company = create_agency()
        other = create_agency("Sở Nội vụ", 'SNV')
        ordinary = Register.find_register(company, 'incoming')
        secret = Register.find_register(company, 'incoming', True)
        elsewhere = Register.find_register(other, 'incoming')
        self.assertTrue(secret.confidential)
        self.assertNotEqual(ordinary, secret)
        today = dt.date(2026, 5, 4)
        self.assertEqual(
            [Register.next_number(r, today)
                for r in [ordinary, secret, elsewhere, ordinary]],
            [1, 1, 1, 2])

    @with_transaction()
    def test_registration_uses_the_year_of_arrival(self):
        "A document entered late keeps its arrival year and both dates"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        company = create_agency()
        late = create_incoming(
            company, arrival_date=dt.datetime(2025, 12, 31, 3, 0),
            issue_date=dt.date(2025, 12, 30))
        today = create_incoming(company)
        Incoming.register_arrival([late, today])
        self.assertEqual((late.year, late.arrival_number), (2025, 1))
        self.assertTrue(late.recorded_late)
        self.assertGreater(late.registered_date, late.arrival_date)
        self.assertEqual(today.arrival_number, 1)
        self.assertFalse(today.recorded_late)


class RegisterConcurrencyTestCase(unittest.TestCase):
    "Test numbers given by many clerks at once"
    # the row locks this test is about exist only on PostgreSQL; the
    # root conftest deselects it on SQLite
    backends = {'postgresql'}

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @classmethod
    def tearDownClass(cls):
        # the clerks committed their work: leave no data to other tests
        drop_db()

    def _run(self, func, **extras):
        """Run func in its own transaction as a client does

        The RPC layer restarts a transaction that needs a lock and
        retries a busy one a few times; the clerk's client then asks
        again, as here.
        """
        for attempt in range(500):
            try:
                with Transaction().start(
                        DB_NAME, 0, **extras) as transaction:
                    try:
                        result = func()
                        transaction.commit()
                        return result
                    except TransactionError as e:
                        transaction.rollback()
                        e.fix(extras)
            except backend.DatabaseOperationalError:
                time.sleep(0.01 * (attempt % 10))
        raise AssertionError("clerk never got the lock")

    def test_parallel_clerks_get_numbers_without_gap(self):
        "20 clerks on 20 connections register 60 documents: numbers 1..60"
        def setup():
            company = create_agency("Văn phòng UBND tỉnh", 'VP')
            documents = [create_incoming(company, subject="Văn bản %s" % i)
                for i in range(CLERKS * DOCUMENTS_PER_CLERK)]
            return company.id, [d.id for d in documents]

        company_id, ids = self._run(setup)
        batches = [ids[i::CLERKS] for i in range(CLERKS)]
        barrier = threading.Barrier(CLERKS)
        errors = []

        def clerk(batch):
            try:
                barrier.wait()
                for id_ in batch:
                    def register(id_=id_):
                        Incoming = Pool().get('mvp.incoming')
                        Incoming.register_arrival([Incoming(id_)])
                    self._run(register)
            except Exception as exception:
                errors.append(exception)

        threads = [threading.Thread(target=clerk, args=(b,)) for b in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

        def numbers():
            Incoming = Pool().get('mvp.incoming')
            return sorted(i.arrival_number for i in Incoming.browse(ids))
        self.assertEqual(
            self._run(numbers),
            list(range(1, CLERKS * DOCUMENTS_PER_CLERK + 1)))
