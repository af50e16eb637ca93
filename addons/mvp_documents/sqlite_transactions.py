# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SQLite: a refused call leaves nothing behind.

trytond 8.0.11 synchronises its caches at the start of every transaction
(``Cache.sync``) through a connection asked for in autocommit mode.  The
SQLite backend has one connection per database, so that request switches
the transaction's own connection to autocommit: every later statement is
committed at once and the rollback of a refused call (an access error
raised after a create, a failed validation) undoes nothing.  PostgreSQL
takes a separate connection from its pool and is not affected.

The transaction's isolation is put back once the caches are synchronised.
"""
from trytond import cache

__all__ = ['install']

_UNSET = object()


def _keeping_isolation(sync):
    def wrapper(cls, transaction):
        connection = getattr(transaction, 'connection', None)
        level = getattr(connection, 'isolation_level', _UNSET)
        try:
            return sync(cls, transaction)
        finally:
            if (level is not _UNSET
                    and connection.isolation_level != level):
                connection.isolation_level = level
    wrapper.keeps_isolation = True
    return wrapper


def install():
    "Make Cache.sync keep the isolation of the transaction's connection"
    sync = cache.Cache.sync
    if getattr(sync, 'keeps_isolation', False):
        return
    cache.Cache.sync = classmethod(_keeping_isolation(sync.__func__))
