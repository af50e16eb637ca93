# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""mvp-backup and mvp-restore (issue 18, item 4): a populated database
is backed up, dropped, restored into a new one and compared row for row
and file for file; bad archives are refused and touch nothing."""
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

from trytond import backend, config
from trytond.modules.mvp_documents.backup import (
    SUFFIX, Installation, to_keep)
from trytond.modules.mvp_documents.backup_archive import generate_key
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, acting_as, create_incoming)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

SQLITE = backend.name == 'sqlite'


def command(name, *args, key):
    "Run mvp-backup or mvp-restore as an operator would"
    script = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(script):
        argv = [script]
    else:
        function = name.split('-')[1] + '_main'
        argv = [sys.executable, '-c', 'import sys; from trytond.modules.'
            'mvp_documents.backup import %s as m; sys.exit(m(sys.argv[1:]))'
            % function]
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_DATABASE') and k != 'DB_NAME'}
    env['MVP_BACKUP_KEY'] = key
    return subprocess.run(argv + list(args), capture_output=True, text=True,
        env=env, timeout=600)


class BackupTestCase(unittest.TestCase):
    "Back up, drop, restore, compare"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')
        cls.directory = tempfile.mkdtemp(prefix='mvp-backup-test-')
        cls.path = os.path.join(cls.directory, 'data')
        cls.previous_path = config.get('database', 'path')
        config.set('database', 'path', cls.path)
        cls.config_file = os.path.join(cls.directory, 'trytond.conf')
        with open(cls.config_file, 'w') as file:
            file.write('[database]\nuri = %s\npath = %s\n' % (
                    config.get('database', 'uri'), cls.path))
        cls.installation = Installation(cls.config_file)
        cls.key = generate_key()
        cls.source = cls._populate()
        cls.reference = cls.snapshot(cls.source)

    @classmethod
    def tearDownClass(cls):
        for name in ['bk_r1', 'bk_r2', 'bk_bad']:
            cls.drop(cls.prefixed(name))
        config.set('database', 'path', cls.previous_path)
        shutil.rmtree(cls.directory, ignore_errors=True)

    @classmethod
    def prefixed(cls, name):
        return name if SQLITE else '%s_%s' % (DB_NAME, name)

    @classmethod
    def _populate(cls):
        "Commit documents with files; return the name of the source"
        with Transaction().start(DB_NAME, 0) as transaction:
            File = Pool().get('mvp.document.file')
            agency = Agency(prefix='bk_')
            with acting_as(agency.clerk):
                for i in range(4):
                    incoming = create_incoming(agency.company)
                    File.create([{'resource': str(incoming),
                                'name': 'van-ban-%s-%s.pdf' % (i, j),
                                'data': PDF + os.urandom(2000 * (j + 1)),
                                } for j in range(2)])
            transaction.commit()
            if not SQLITE:
                return DB_NAME
            # the in-memory test database, copied as a demo database file
            name = 'bk_source'
            os.makedirs(cls.path, exist_ok=True)
            with sqlite3.connect(cls.installation.sqlite_file(name)) as copy:
                transaction.connection.backup(copy)
            os.rename(os.path.join(cls.path, DB_NAME),
                cls.installation.filestore(name))
            return name

    @classmethod
    def snapshot(cls, name):
        "Return every row (as text, sorted) and every file of a database"
        if SQLITE:
            with sqlite3.connect(cls.installation.sqlite_file(name)) as db:
                rows = sorted(db.iterdump())
        else:
            import psycopg
            with psycopg.connect(cls.installation.pg_uri(name)) as db:
                tables = [r[0] for r in db.execute(
                        "SELECT tablename FROM pg_tables "
                        "WHERE schemaname = 'public' ORDER BY tablename")]
                rows = [(t, db.execute('SELECT md5(string_agg(t::text, '
                                "'|' ORDER BY t::text)), COUNT(*) "
                                'FROM "%s" t' % t).fetchone())
                    for t in tables]
                rows += sorted(db.execute('SELECT sequencename, last_value '
                        'FROM pg_sequences').fetchall())
        files = {}
        store = cls.installation.filestore(name)
        for root, _, names in os.walk(store):
            for filename in names:
                path = os.path.join(root, filename)
                with open(path, 'rb') as file:
                    files[os.path.relpath(path, store)] = file.read()
        return rows, files

    @classmethod
    def drop(cls, name):
        from trytond.modules.mvp_documents.backup import drop_database
        drop_database(cls.installation, name)
        shutil.rmtree(cls.installation.filestore(name), ignore_errors=True)

    def backup(self, name, target):
        result = command('mvp-backup', '-c', self.config_file, '-d', name,
            '--target', target, key=self.key)
        self.assertEqual(result.returncode, 0, result.stderr)
        run = json.loads(result.stdout)
        self.assertEqual(run['outcome'], 'done')
        return run['archive'], run

    def restore(self, archive, name, key=None):
        return command('mvp-restore', '-c', self.config_file, '-d', name,
            archive, key=key or self.key)

    def test_backup_drop_restore_compare(self):
        "Restored into a new database: every row and every file as before"
        target = os.path.join(self.directory, 'backups')
        archive, run = self.backup(self.source, target)
        self.assertGreaterEqual(run['files'], 8)
        with open(os.path.join(target, 'backup.log')) as log:
            self.assertEqual(json.loads(log.readlines()[-1])['archive'],
                archive)

        r1, r2 = self.prefixed('bk_r1'), self.prefixed('bk_r2')
        result = self.restore(archive, r1)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn('RESTORE OK', result.stdout)
        self.assertEqual(self.snapshot(r1), self.reference)

        # a backup of the restored database, which is then dropped
        second, _ = self.backup(r1, os.path.join(self.directory, 'second'))
        self.drop(r1)
        self.assertFalse(self.installation.exists(r1))
        result = self.restore(second, r2)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn('(every SHA-256 checked)', result.stdout)
        rows, files = self.snapshot(r2)
        self.assertEqual(rows, self.reference[0])
        self.assertEqual(files, self.reference[1])
        self.assertGreaterEqual(len(files), 8)

    def test_bad_archives_are_refused_and_touch_nothing(self):
        target = os.path.join(self.directory, 'bad')
        archive, _ = self.backup(self.source, target)
        with open(archive, 'rb') as file:
            data = file.read()
        tampered = bytearray(data)
        tampered[len(data) // 2] ^= 1
        cases = [
            ("truncated", data[:len(data) // 2], self.key,
                "truncated"),
            ("last part cut", data[:-1], self.key, "truncated"),
            ("header only", data[:30], self.key, "truncated"),
            ("tampered", bytes(tampered), self.key, "damaged"),
            ("another key", data, generate_key(), "another key"),
            ("not a backup", b'PK\x03\x04' + data[4:], self.key,
                "not an MVP Office backup"),
            ]
        name = self.prefixed('bk_bad')
        for label, content, key, reason in cases:
            with self.subTest(label):
                path = os.path.join(self.directory, 'bad-copy' + SUFFIX)
                with open(path, 'wb') as file:
                    file.write(content)
                result = self.restore(path, name, key=key)
                self.assertEqual(result.returncode, 2, result.stdout)
                self.assertIn('refused, nothing was restored', result.stderr)
                self.assertIn(reason, result.stderr)
                self.assertFalse(self.installation.exists(name))
                self.assertFalse(os.path.exists(
                        self.installation.filestore(name)))

    def test_restore_never_overwrites(self):
        archive, _ = self.backup(
            self.source, os.path.join(self.directory, 'again'))
        result = self.restore(archive, self.source)
        self.assertEqual(result.returncode, 2)
        self.assertIn('already exists', result.stderr)
        self.assertEqual(self.snapshot(self.source), self.reference)

    def test_no_key_no_backup(self):
        result = command('mvp-backup', '-c', self.config_file,
            '-d', self.source, '--target', self.directory, key='')
        self.assertEqual(result.returncode, 2)
        self.assertIn('No backup key', result.stderr)


class RotationTestCase(unittest.TestCase):
    "Daily, weekly and monthly archives are kept, the others removed"

    def test_rotation(self):
        start = dt.datetime(2026, 1, 1, 2, 0)
        times = {i: start + dt.timedelta(days=i) for i in range(400)}
        # two runs on the last day: the newer one is kept
        times['again'] = start + dt.timedelta(days=399, hours=3)
        kept = to_keep(times, daily=7, weekly=5, monthly=12)
        self.assertNotIn(399, kept)
        self.assertIn('again', kept)
        self.assertTrue(set(range(393, 399)) <= kept)
        sundays = {i for i in range(400) if times[i].isoweekday() == 7}
        # the newest of this week is 'again', then four Sundays
        self.assertNotEqual(times[399].isoweekday(), 7)
        self.assertTrue(set(sorted(sundays)[-4:]) <= kept)
        month_ends = {i for i in range(399)
            if (times[i] + dt.timedelta(days=1)).day == 1}
        self.assertTrue(set(sorted(month_ends)[-11:]) <= kept)
        self.assertLessEqual(len(kept), 7 + 5 + 12)
        self.assertNotIn(0, kept)
