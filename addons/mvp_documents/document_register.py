# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from sql.functions import CurrentTimestamp

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .protection import ServerFieldsMixin, refuse
from .retention import RETENTIONS


class Register(ServerFieldsMixin, DeactivableMixin, ModelSQL, ModelView):
    "Document Register"
    __name__ = 'mvp.register'
    __string__ = "Document Register"
    # Sổ đăng ký văn bản (Decree 30/2020, Appendix IV): a book whose
    # numbers run 1, 2, 3... without gaps through each calendar year.
    # Its numbering years are created by registration only; a register
    # does not move to another agency or kind once created.
    _server_fields = frozenset({'sequences'})
    _fixed_fields = frozenset({'company', 'kind'})
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    kind = fields.Selection([
            ('incoming', "Incoming"),
            ('outgoing', "Outgoing"),
            ], "Kind", required=True)
    name = fields.Char("Name", required=True)
    code = fields.Char("Code")
    confidential = fields.Boolean(
        "Confidential", help="For documents classified mật and above, "
        "numbered separately.")
    sequences = fields.One2Many(
        'mvp.register.sequence', 'register', "Years", readonly=True)
    retention = fields.Selection(
        [(None, "")] + RETENTIONS, "Retention",
        help="How long the agency keeps the documents of this register "
        "itself, whatever the dossiers that hold them (e.g. permanent for "
        "its own issued documents). Empty: as long as their dossiers.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return Transaction().context.get('register_kind', 'incoming')

    @classmethod
    def default_confidential(cls):
        return False

    @classmethod
    def next_number(cls, register, date=None):
        """Return the next number of register for the year of date

        The number is gapless and restarts at 1 on 1 January; concurrent
        transactions wait on the year's strict sequence.
        """
        pool = Pool()
        Date = pool.get('ir.date')
        RegisterSequence = pool.get('mvp.register.sequence')
        register = cls(int(register))
        if date is None:
            date = Date.today()
        elif isinstance(date, datetime.datetime):
            date = date.date()
        sequence = RegisterSequence.get_sequence(register, date.year)
        return RegisterSequence.take_number(sequence)

    @classmethod
    def lock_years(cls, register_years):
        "Lock the numbering of the (register, year) pairs"
        pool = Pool()
        RegisterSequence = pool.get('mvp.register.sequence')
        with without_check_access():
            for register, year in sorted(
                    register_years, key=lambda p: (p[0].id, p[1])):
                RegisterSequence.get_sequence(register, year).lock()

    @classmethod
    def find_register(cls, company, kind, confidential=False):
        "Return the first active register of the agency for that use"
        registers = cls.search([
                ('company', '=', int(company)),
                ('kind', '=', kind),
                ('confidential', '=', bool(confidential)),
                ], limit=1)
        if not registers and confidential:
            return cls.find_register(company, kind)
        return registers[0] if registers else None


class RegisterSequence(ServerFieldsMixin, ModelSQL, ModelView):
    "Document Register Year"
    __name__ = 'mvp.register.sequence'
    __string__ = "Document Register Year"
    register = fields.Many2One(
        'mvp.register', "Register", required=True, ondelete='CASCADE')
    year = fields.Integer("Year", required=True)
    sequence = fields.Many2One(
        'ir.sequence.strict', "Sequence", required=True, ondelete='RESTRICT',
        domain=[
            ('sequence_type', '=', Eval('sequence_type', -1)),
            ])
    sequence_type = fields.Function(
        fields.Many2One('ir.sequence.type', "Sequence Type"),
        'get_sequence_type')
    # the numbering table: never written by a user, whatever their access
    _fixed_fields = frozenset({'register', 'year', 'sequence'})

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and Transaction().user and mode != 'write':
            refuse('mvp_documents.msg_field_server_only', records,
                model=cls.__name__,
                field_names=cls._field_labels(cls._fixed_fields),
                model_name=cls.__names__()['model'])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('register_year_unique', Unique(t, t.register, t.year),
                'mvp_documents.msg_register_year_unique'),
            ]
        cls.__access__.add('register')
        cls._order.insert(0, ('year', 'DESC'))

    @classmethod
    def _sequence_type(cls):
        return Pool().get('ir.model.data').get_id(
            'mvp_documents', 'sequence_type_register')

    def get_sequence_type(self, name):
        return self._sequence_type()

    @classmethod
    @without_check_access
    def take_number(cls, sequence):
        """Return the next number of the year's strict sequence

        One UPDATE ... RETURNING instead of the sequence's read and write
        through the ORM (six statements): the year stays locked until the
        transaction commits, and each statement taken meanwhile makes
        every other clerk of the register wait longer."""
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        transaction = Transaction()
        # restarts the transaction with the lock unless it holds it
        Sequence.lock([sequence])
        table = Sequence.__table__()
        where = table.id == sequence.id
        taken = table.number_next_internal - table.number_increment
        cursor = transaction.connection.cursor()
        update = table.update(
            [table.number_next_internal, table.write_uid, table.write_date],
            [table.number_next_internal + table.number_increment,
                transaction.user, CurrentTimestamp()],
            where=where)
        if transaction.database.has_returning():
            update.returning = [taken]
            cursor.execute(*update)
        else:
            # SQLite: a single writer at a time, the read follows
            cursor.execute(*update)
            cursor.execute(*table.select(taken, where=where))
        number, = cursor.fetchone()
        # what ModelStorage.write does: the sequence read before is stale
        transaction.counter += 1
        for cache in transaction.cache.values():
            if Sequence.__name__ in cache:
                cache[Sequence.__name__].pop(sequence.id, None)
        return number

    @classmethod
    @without_check_access
    def get_sequence(cls, register, year):
        "Return the strict sequence of register for year, creating it"
        pool = Pool()
        Sequence = pool.get('ir.sequence.strict')
        domain = [('register', '=', register.id), ('year', '=', year)]
        records = cls.search(domain, limit=1)
        if not records:
            # Two clerks registering the first document of a year must
            # not both create its sequence.  A table lock is taken before
            # the transaction's snapshot, so the second clerk sees the
            # first one's sequence (a row lock would not guarantee it).
            cls.lock()
            records = cls.search(domain, limit=1)
        if records:
            return records[0].sequence
        sequence = Sequence(
            name='%s %s' % (register.name, year),
            sequence_type=cls._sequence_type(),
            company=register.company,
            padding=0,
            number_increment=1,
            number_next=1)
        sequence.save()
        cls.create([{
                    'register': register.id,
                    'year': year,
                    'sequence': sequence.id,
                    }])
        return sequence
