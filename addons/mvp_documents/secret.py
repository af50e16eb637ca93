# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Secrets at rest: the PINs, passwords and keys the server keeps for
later use (an agency key's PIN, a mailbox's password, an exchange peer's
keys) are stored encrypted with a key of the server, never in the
database's clear.

The key comes from the environment (``MVP_SECRET_KEY``) or from the files
of ``[secrets] key_file`` in trytond.conf, never from the database.  A
comma-separated list of keys is a rotation: the first encrypts, all
decrypt; ``mvp-secrets rotate`` then encrypts every stored secret again
with the first key, after which the old ones can go.

A model keeps a secret ``x`` in three fields (see :class:`SecretMixin`):
``x_encrypted`` (stored, never readable by a client), ``x_secret`` (the
write-only field the client sends) and ``x_stored`` (whether there is
one).  trytond's RPC log hides the values of the keys containing
"password", "token" or "secret" (``trytond/tools/logging.py``, checked on
8.0.11): the ``_secret`` suffix keeps the clear value out of the log.
"""
import argparse
import logging
import os
import sys

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sql import Column, Null

from trytond import config
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from .exceptions import SecretError

__all__ = ['ENVIRON', 'generate_key', 'encrypt', 'decrypt', 'SecretMixin',
    'secret_field', 'stored_field']

ENVIRON = 'MVP_SECRET_KEY'
SECRET, ENCRYPTED, STORED = '_secret', '_encrypted', '_stored'


def generate_key():
    "Return a new key (urlsafe base64 text of 32 random bytes)"
    return Fernet.generate_key().decode('ascii')


def _split(text):
    return [k.strip() for k in text.replace('\n', ',').split(',')
        if k.strip()]


def _key_texts():
    "Return the configured keys, the one that encrypts first"
    environ = os.environ.get(ENVIRON)
    if environ:
        return _split(environ)
    keys = []
    for path in _split(config.get('secrets', 'key_file', default='') or ''):
        try:
            with open(path, encoding='ascii') as file:
                keys.extend(_split(file.read()))
        except (OSError, UnicodeDecodeError) as exception:
            raise SecretError(gettext(
                    'mvp_documents.msg_secret_key_file_unreadable',
                    path=path, error=str(exception))) from exception
    return keys


def _fernet():
    texts = _key_texts()
    if not texts:
        raise SecretError(gettext('mvp_documents.msg_secret_no_key'))
    try:
        return MultiFernet([Fernet(k) for k in texts])
    except ValueError as exception:
        raise SecretError(gettext(
                'mvp_documents.msg_secret_key_invalid')) from exception


def encrypt(text):
    "Return the token of text (None for no text)"
    if not text:
        return None
    return _fernet().encrypt(text.encode('utf-8')).decode('ascii')


def decrypt(token):
    "Return the text of token (None for no token)"
    if not token:
        return None
    try:
        return _fernet().decrypt(token.encode('ascii')).decode('utf-8')
    except InvalidToken as exception:
        raise SecretError(gettext(
                'mvp_documents.msg_secret_undecryptable')) from exception


def _rotate(fernet, token):
    try:
        return fernet.rotate(token.encode('ascii')).decode('ascii')
    except InvalidToken as exception:
        raise SecretError(gettext(
                'mvp_documents.msg_secret_undecryptable')) from exception


def secret_field(string, help=None):
    "The write-only field of a secret: the client sends it, never reads it"
    return fields.Function(
        fields.Char(string, strip=False, help=help),
        'get_secret_field', setter='set_secret_field')


def stored_field(string):
    "Whether a secret is stored, for the client"
    return fields.Function(fields.Boolean(string), 'get_secret_stored')


class SecretMixin:
    """Secrets named in ``_secrets`` kept encrypted in ``<name>_encrypted``

    The model declares ``<name>_encrypted = fields.Char(...)`` (denied to
    every group by an ``ir.model.field.access``), ``<name>_secret =
    secret_field(...)`` and optionally ``<name>_stored = stored_field(...)``;
    the server reads the clear value with ``record.get_secret(name)``.  An
    empty ``<name>_secret`` keeps the stored secret.
    """
    __slots__ = ()
    _secrets = ()

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls._encrypt_clear_columns()

    @classmethod
    def _encrypt_clear_columns(cls):
        # Migration from 8.0.0: the secrets were stored in clear in a
        # column of their own name
        table_h = cls.__table_handler__()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for name in cls._secrets:
            if not table_h.column_exist(name):
                continue
            clear = Column(table, name)
            encrypted = Column(table, name + ENCRYPTED)
            cursor.execute(*table.select(table.id, clear,
                    where=(clear != Null) & (clear != '')))
            for id_, text in cursor.fetchall():
                cursor.execute(*table.update([encrypted, clear],
                        [encrypt(text), Null], where=table.id == id_))
            table_h.drop_constraint(name + '_unique')
            table_h.drop_column(name)

    def get_secret(self, name):
        "Return the clear value of the secret name, or None"
        if self.id is None or self.id < 0:
            return None
        with without_check_access():
            return decrypt(getattr(self.__class__(self.id), name + ENCRYPTED))

    @classmethod
    def get_secret_field(cls, records, names):
        return {n: dict.fromkeys(map(int, records)) for n in names}

    @classmethod
    def set_secret_field(cls, records, name, value):
        if value:
            secret = name[:-len(SECRET)]
            with without_check_access():
                cls.write(records, {secret + ENCRYPTED: encrypt(value)})

    @classmethod
    def get_secret_stored(cls, records, name):
        column = name[:-len(STORED)] + ENCRYPTED
        with without_check_access():
            return {r.id: bool(getattr(r, column))
                for r in cls.browse(records)}

    @classmethod
    def rotate_secrets(cls, fernet):
        "Encrypt every stored secret again with fernet's first key"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        count = 0
        for name in cls._secrets:
            column = Column(table, name + ENCRYPTED)
            cursor.execute(*table.select(table.id, column,
                    where=column != Null))
            for id_, token in cursor.fetchall():
                cursor.execute(*table.update([column],
                        [_rotate(fernet, token)], where=table.id == id_))
                count += 1
        return count


def secret_models(pool):
    "Return the models of pool that keep secrets"
    return [Model for _, Model in pool.iterobject()
        if issubclass(Model, SecretMixin) and Model._secrets]


def rotate(pool):
    "Encrypt every secret of the database again; return {model: count}"
    fernet = _fernet()
    return {Model.__name__: Model.rotate_secrets(fernet)
        for Model in secret_models(pool)}


def _rotate_database(database):
    Pool.start()
    pool = Pool(database)
    if database not in Pool.database_list():
        with Transaction().start(database, 0, readonly=True):
            pool.init()
    with Transaction().start(database, 0) as transaction:
        counts = rotate(pool)
        transaction.commit()
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(prog='mvp-secrets',
        description="Keys of the secrets stored in the database (agency "
        "key PINs, IMAP passwords, exchange keys).")
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('generate-key', help="print a new key")
    rotate_parser = commands.add_parser('rotate',
        help="encrypt every stored secret again with the first key of "
        "MVP_SECRET_KEY or [secrets] key_file")
    rotate_parser.add_argument('-c', '--config',
        default=os.environ.get('TRYTOND_CONFIG'))
    rotate_parser.add_argument('-d', '--database', required=True,
        action='append', help="database (repeat for several)")
    args = parser.parse_args(argv)
    if args.command == 'generate-key':
        print(generate_key())
        return 0
    config.update_etc(args.config)
    logging.basicConfig(level=logging.WARNING)
    for database in args.database:
        try:
            counts = _rotate_database(database)
        except SecretError as exception:
            print("%s: %s" % (database, exception.message), file=sys.stderr)
            return 1
        for model, count in sorted(counts.items()):
            print("%s\t%s\t%d" % (database, model, count))
    return 0


if __name__ == '__main__':
    sys.exit(main())
