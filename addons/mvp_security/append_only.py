# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tables the database itself keeps append-only.

The audit trail and the access history are evidence: the ORM already
refuses to change them (``check_modification``), but whoever reaches the
database with the application's role could still rewrite a row.  The
triggers installed here make PostgreSQL and SQLite refuse UPDATE and
DELETE (and TRUNCATE on PostgreSQL) on the table.
"""
from trytond import backend
from trytond.transaction import Transaction


class AppendOnlyMixin:
    "A table whose rows the database refuses to change or delete"
    __slots__ = ()
    # the message of the database's refusal (English: it is the server's
    # log that shows it, the user sees the ORM's translated one first)
    _append_only_message = 'this table is append-only'

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cursor = Transaction().connection.cursor()
        for statement in trigger_statements(
                cls._table, cls._append_only_message):
            cursor.execute(statement)


def trigger_statements(table, message):
    "SQL that makes the database refuse to change or delete table's rows"
    if backend.name == 'postgresql':
        function = '%s_refuse' % table
        return [
            """CREATE OR REPLACE FUNCTION "%s"()
            RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '%s';
            END $$""" % (function, message),
            'DROP TRIGGER IF EXISTS "%s_append_only" ON "%s"'
            % (table, table),
            'CREATE TRIGGER "%s_append_only" BEFORE UPDATE OR DELETE '
            'ON "%s" FOR EACH ROW EXECUTE FUNCTION "%s"()'
            % (table, table, function),
            'DROP TRIGGER IF EXISTS "%s_no_truncate" ON "%s"'
            % (table, table),
            'CREATE TRIGGER "%s_no_truncate" BEFORE TRUNCATE '
            'ON "%s" FOR EACH STATEMENT EXECUTE FUNCTION "%s"()'
            % (table, table, function),
            ]
    elif backend.name == 'sqlite':
        return [
            'CREATE TRIGGER IF NOT EXISTS "%s_no_%s" BEFORE %s ON "%s" '
            "BEGIN SELECT RAISE(ABORT, '%s'); END"
            % (table, kind.lower(), kind, table, message)
            for kind in ('UPDATE', 'DELETE')]
    return []
