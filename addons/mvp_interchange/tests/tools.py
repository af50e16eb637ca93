# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A second installation for the scenarios: the exchange is between two
databases, each with its own agencies, as between two provinces.

A peer never speaks for an agency of its own installation (the sender
check of the inbox), so the other side of an exchange cannot be an agency
of the scenario's database: it is a copy of that database as activated,
beside it, driven by proteus in the same process.
"""
import contextlib
import os
import shutil
import sqlite3
import tempfile

from proteus.config import TrytondConfig

from trytond import backend
from trytond import config as tryton_config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, drop_db
from trytond.transaction import Transaction

__all__ = ['OtherInstallation']


class OtherInstallation:
    """A copy of the scenario's database under name, with a proteus
    configuration of its own (config); drop() removes it.

    Create it right after activating the modules: on SQLite the databases
    and their files move to a directory of their own for the scenario,
    which drop() gives back.
    """

    def __init__(self, name):
        self.name = '%s_%s' % (name, os.getpid())
        self._path = None
        if backend.name == 'sqlite':
            self._copy_sqlite()
        else:
            self._copy_postgresql()
        Pool(self.name).init()
        self.config = self._proteus_config()

    def _copy_sqlite(self):
        # the copy is a file in the configured path; the scenario's
        # database (in memory) keeps its files there too until drop()
        self._path = tryton_config.get('database', 'path')
        directory = tempfile.mkdtemp(prefix='mvp-installation-')
        tryton_config.set('database', 'path', directory)
        source = backend.Database(DB_NAME).connect()
        connection = source.get_connection()
        try:
            with contextlib.closing(sqlite3.connect(os.path.join(
                            directory, self.name + '.sqlite'))) as target:
                connection.backup(target)
        finally:
            source.put_connection(connection)

    def _copy_postgresql(self):
        # CREATE DATABASE ... TEMPLATE needs the template without sessions
        backend.Database(DB_NAME).close()
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            transaction.database.create(
                transaction.connection, self.name, DB_NAME)

    def _proteus_config(self):
        # TrytondConfig writes the database name in the environment,
        # where the next scenario's activate_modules would read it
        saved = os.environ.get('TRYTOND_DATABASE_URI')
        try:
            return TrytondConfig(self.name)
        finally:
            if saved is None:
                os.environ.pop('TRYTOND_DATABASE_URI', None)
            else:
                os.environ['TRYTOND_DATABASE_URI'] = saved

    def drop(self):
        drop_db(self.name)
        if self._path is not None:
            directory = tryton_config.get('database', 'path')
            tryton_config.set('database', 'path', self._path)
            shutil.rmtree(directory, ignore_errors=True)
            self._path = None
