# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import sqlite3
import unittest

from trytond.model import modelsql
from trytond.modules.mvp_documents import cursor_rows


class CursorRowsTestCase(unittest.TestCase):
    "Rows as dictionaries, the column names read once per batch"

    def test_rows_across_batches(self):
        cursor = sqlite3.connect(':memory:').cursor()
        cursor.execute('CREATE TABLE t (id INTEGER, name TEXT, pages INTEGER)')
        rows = [(i, "Văn bản %s" % i, i % 7 or None) for i in range(1, 251)]
        cursor.executemany('INSERT INTO t VALUES (?, ?, ?)', rows)
        cursor.execute('SELECT id, name, pages FROM t ORDER BY id')
        self.assertEqual(list(cursor_rows.cursor_dict(cursor, size=100)), [
                {'id': i, 'name': n, 'pages': p} for i, n, p in rows])
        cursor.execute('SELECT id FROM t WHERE id < 0')
        self.assertEqual(list(cursor_rows.cursor_dict(cursor)), [])

    def test_names_read_once_per_batch(self):
        cursor = DescriptionCounter(sqlite3.connect(':memory:').cursor())
        self.assertEqual(cursor.arraysize, 1)
        cursor.execute('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL '
            'SELECT i + 1 FROM n WHERE i < 80) SELECT i FROM n')
        self.assertEqual(
            [r['i'] for r in cursor_rows.cursor_dict(cursor)],
            list(range(1, 81)))
        # an inbox page of 80 rows is one batch, not 80
        self.assertEqual(cursor.description_reads, 1)

    def test_installed_where_trytond_reads_rows(self):
        # the module may be imported under two names (entry point and
        # package): either copy of the function will do
        self.assertTrue(modelsql.cursor_dict.__module__.endswith(
                'mvp_documents.cursor_rows'), modelsql.cursor_dict.__module__)


class DescriptionCounter:
    "A cursor that counts the reads of its description"

    def __init__(self, cursor):
        self._cursor = cursor
        self.description_reads = 0

    @property
    def description(self):
        self.description_reads += 1
        return self._cursor.description

    def __getattr__(self, name):
        return getattr(self._cursor, name)
