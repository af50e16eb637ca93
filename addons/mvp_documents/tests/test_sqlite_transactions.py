# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import unittest

from trytond.cache import Cache
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, with_transaction)
from trytond.transaction import Transaction


class SqliteTransactionsTestCase(unittest.TestCase):
    "A refused call leaves nothing behind, on SQLite too"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    @with_transaction()
    def test_cache_sync_keeps_the_transaction_isolation(self):
        connection = Transaction().connection
        level = connection.isolation_level
        # force a synchronisation as at the start of a request
        Cache._clean_last = dt.datetime.now() - dt.timedelta(days=1)
        Cache.sync(Transaction())
        self.assertEqual(connection.isolation_level, level)

    def test_rolled_back_request_leaves_no_row(self):
        "A transaction that fails after a create commits nothing"
        Cache._clean_last = dt.datetime.now() - dt.timedelta(days=1)
        with Transaction().start(DB_NAME, 0) as transaction:
            Level = Pool().get('mvp.agency.level')
            level, = Level.create([{'name': "Cấp thử", 'code': 'probe'}])
            transaction.rollback()
        with Transaction().start(DB_NAME, 0):
            Level = Pool().get('mvp.agency.level')
            self.assertFalse(Level.search([('code', '=', 'probe')]))
