# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Secrets at rest (issue 17 item 6): the agency key PINs, the mailbox
passwords and the exchange keys are stored encrypted with the server's
key, never sent to a client, never logged, and a command rotates the
key.  The models are found the way ``mvp-secrets rotate`` finds them, so
a new model holding a secret is checked here without a new test."""
import contextlib
import io
import logging
import os
import tempfile
import unittest
from unittest.mock import patch

from cryptography.fernet import Fernet
from lxml import etree
from sql import Column

from trytond import config
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.mvp_documents import secret
from trytond.modules.mvp_documents.exceptions import SecretError
from trytond.modules.mvp_documents.tests.incoming_tools import (
    create_agency, create_official)
from trytond.modules.mvp_documents.tests.tools import (
    ALL_MODULES, load_vietnamese)
from trytond.modules.mvp_security.tests.tools import RPC
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, drop_db, with_transaction)
from trytond.tools.logging import format_args
from trytond.transaction import Transaction, check_access

PASSWORD = 'Mvp#Test-2026'
# Long and unusual, so that a log line or a column holding it is no chance
CLEAR = {
    'pin': '7305-mã-PIN-của-Sở',
    'imap_password': 'mật-khẩu-hộp-thư-8841',
    'incoming_key': 'khóa-nhận-từ-Nghệ-An-5120',
    'outgoing_key': 'khóa-gửi-tới-Nghệ-An-6634',
    }


@contextlib.contextmanager
def committed(user=0):
    with Transaction().start(DB_NAME, user) as transaction:
        yield transaction
        transaction.commit()


@contextlib.contextmanager
def secret_keys(*keys, key_file=None):
    "Run the block with the given keys (MVP_SECRET_KEY) or key files"
    environ = {secret.ENVIRON: ','.join(keys)} if keys else {}
    with patch.dict(os.environ, environ):
        if not keys:
            os.environ.pop(secret.ENVIRON, None)
        if key_file is not None:
            if not config.has_section('secrets'):
                config.add_section('secrets')
            config.set('secrets', 'key_file', key_file)
        try:
            yield
        finally:
            if key_file is not None:
                config.remove_section('secrets')
                config.update_etc(None)


class SecretsTestCase(unittest.TestCase):
    "Secrets are encrypted at rest, write-only for clients, never logged"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(ALL_MODULES)
        with committed():
            pool = Pool()
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            load_vietnamese(['mvp_documents'])
            agency = create_agency("Sở Nội vụ", 'SNV')
            cls.agency = agency.id
            employee = create_official(
                agency, 'qt.tinh', "Bùi Thị Tỉnh")
            user, = employee.users
            User.write([user], {
                    'password': PASSWORD,
                    'groups': [('add', [ModelData.get_id(
                                    'mvp_documents',
                                    'group_mvp_province_admin')])],
                    })
            cls.province_admin = user.id
            # admin too reads the agency's records, but never a secret
            User.write([User(1)], {
                    'companies': [('add', [agency.id])],
                    'company': agency.id})

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def make_secrets(self):
        "An agency key, a mailbox and a peer, each with its secrets"
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        Inbox = pool.get('inbound.email.inbox')
        Peer = pool.get('mvp.interchange.peer')
        key, = AgencyKey.create([{
                    'company': self.agency, 'name': "Khóa P12",
                    'kind': 'pkcs12', 'pkcs12': b'not read here',
                    'pin_secret': CLEAR['pin']}])
        inbox, = Inbox.create([{
                    'name': "Hộp thư văn thư", 'agency': self.agency,
                    'imap_host': '127.0.0.1', 'imap_user': 'vanthu',
                    'imap_password_secret': CLEAR['imap_password']}])
        peer, = Peer.create([{
                    'name': "Nghệ An", 'url': 'http://127.0.0.1:9/db',
                    'incoming_key_secret': CLEAR['incoming_key'],
                    'outgoing_key_secret': CLEAR['outgoing_key']}])
        return [key, inbox, peer]

    def stored(self, record, name):
        "The stored column of the secret name of record, read as SQL"
        table = record.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(Column(table, name + '_encrypted'),
                where=table.id == record.id))
        value, = cursor.fetchone()
        return value

    def each_secret(self, records):
        for record in records:
            for name in record._secrets:
                yield record, name

    @with_transaction()
    def test_every_model_holding_a_secret_is_found(self):
        models = {M.__name__ for M in secret.secret_models(Pool())}
        self.assertEqual(models, {'mvp.signature.agency_key',
                'inbound.email.inbox', 'mvp.interchange.peer',
                'mvp.security.second_factor'})

    @with_transaction()
    def test_the_database_holds_the_secrets_encrypted_only(self):
        for record, name in self.each_secret(self.make_secrets()):
            with self.subTest(model=record.__name__, secret=name):
                token = self.stored(record, name)
                self.assertNotIn(CLEAR[name], token)
                self.assertEqual(secret.decrypt(token), CLEAR[name])
                self.assertEqual(record.get_secret(name), CLEAR[name])
                self.assertFalse(
                    record.__table_handler__().column_exist(name))

    @with_transaction()
    def test_no_client_reads_a_secret_not_even_the_admin(self):
        records = self.make_secrets()
        for user in [1, self.province_admin]:
            transaction = Transaction()
            with transaction.set_user(user), check_access():
                for record, name in self.each_secret(records):
                    Model = record.__class__
                    with self.subTest(
                            user=user, model=Model.__name__, secret=name):
                        with self.assertRaises(AccessError):
                            Model.read([record.id], [name + '_encrypted'])
                        with self.assertRaises(AccessError):
                            Model.write([Model(record.id)],
                                {name + '_encrypted': 'forged'})
                        values, = Model.read([record.id],
                            [name + '_secret', name + '_stored'])
                        self.assertIsNone(values[name + '_secret'])
                        self.assertTrue(values[name + '_stored'])
                        view = Model.fields_view_get(view_type='form')
                        self.assertNotIn(name + '_encrypted', view['fields'])
        for record, name in self.each_secret(records):
            self.assertEqual(record.get_secret(name), CLEAR[name])

    @with_transaction()
    def test_an_empty_secret_keeps_the_stored_one(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        key, _, _ = self.make_secrets()
        AgencyKey.write([key], {'pin_secret': '', 'name': "Khóa mới"})
        self.assertEqual(key.get_secret('pin'), CLEAR['pin'])
        AgencyKey.write([key], {'pin_secret': '1111'})
        self.assertEqual(AgencyKey(key.id).get_secret('pin'), '1111')

    @with_transaction()
    def test_every_password_widget_is_masked_in_the_log(self):
        "A field typed as a password has a name trytond's log masks"
        pool = Pool()
        View = pool.get('ir.ui.view')
        names = set()
        for view in View.search([]):
            if not view.arch:
                continue
            arch = etree.fromstring(view.arch.encode('utf-8'))
            names |= {f.get('name')
                for f in arch.iter('field') if f.get('widget') == 'password'}
        self.assertIn('passphrase_secret', names)
        for name in sorted(names):
            with self.subTest(field=name):
                line = str(format_args(
                        (1, {'start': {name: CLEAR['pin']}}, 'sign'), {},
                        verbose=True))
                self.assertNotIn(CLEAR['pin'], line)

    @with_transaction()
    def test_two_peers_never_share_an_incoming_key(self):
        "The keys are compared in clear, their encrypted forms all differ"
        pool = Pool()
        Peer = pool.get('mvp.interchange.peer')
        _, _, peer = self.make_secrets()
        with self.assertRaises(ValidationError):
            Peer.create([{'name': "Giả mạo", 'url': 'http://127.0.0.1:9/x',
                        'incoming_key_secret': CLEAR['incoming_key']}])
        copy, = Peer.copy([peer])
        self.assertFalse(copy.incoming_key_stored)
        self.assertEqual(Peer.from_key(CLEAR['incoming_key']), peer)
        self.assertIsNone(Peer.from_key(CLEAR['outgoing_key']))

    def test_a_secret_sent_over_rpc_is_not_logged(self):
        "Even at the DEBUG level, where trytond logs the calls' arguments"
        with committed():
            pool = Pool()
            AgencyKey = pool.get('mvp.signature.agency_key')
            Peer = pool.get('mvp.interchange.peer')
            key, = AgencyKey.create([{
                        'company': self.agency, 'name': "Khóa RPC",
                        'kind': 'pkcs12', 'pkcs12': b'not read here'}])
            peer, = Peer.create([{'name': "Peer RPC",
                        'url': 'http://127.0.0.1:9/db'}])
            records = {'key': key.id, 'peer': peer.id}
        try:
            rpc = RPC()
            session = ('qt.tinh',) + tuple(rpc.call('common.db.login',
                    ['qt.tinh', {'password': PASSWORD}, 'vi'])[:2])
            context = rpc.call('model.res.user.get_preferences',
                [True, {}], session)
            with self.assertLogs('trytond', logging.DEBUG) as logs:
                rpc.call('model.mvp.signature.agency_key.write',
                    [[records['key']], {'pin_secret': CLEAR['pin']},
                        context], session)
                rpc.call('model.mvp.interchange.peer.write',
                    [[records['peer']], {
                            'incoming_key_secret': CLEAR['incoming_key'],
                            'outgoing_key_secret': CLEAR['outgoing_key'],
                            }, context], session)
                read = rpc.call('model.mvp.signature.agency_key.read',
                    [[records['key']], ['pin_secret', 'pin_stored'],
                        context], session)
            output = '\n'.join(logs.output)
            self.assertIn('mvp.signature.agency_key.write', output)
            for name in ['pin', 'incoming_key', 'outgoing_key']:
                self.assertNotIn(CLEAR[name], output)
            self.assertEqual(read[0]['pin_secret'], None)
            self.assertTrue(read[0]['pin_stored'])
            with Transaction().start(DB_NAME, 0):
                self.assertEqual(
                    AgencyKey(records['key']).get_secret('pin'), CLEAR['pin'])
        finally:
            with committed():
                AgencyKey.delete([AgencyKey(records['key'])])
                Peer.delete([Peer(records['peer'])])

    @with_transaction()
    def test_rotate_encrypts_again_and_the_old_key_can_go(self):
        old, new = Fernet.generate_key(), Fernet.generate_key()
        with secret_keys(old.decode()):
            records = self.make_secrets()
            before = {(r.id, n): self.stored(r, n)
                for r, n in self.each_secret(records)}
        with secret_keys(new.decode(), old.decode()):
            counts = secret.rotate(Pool())
        self.assertEqual(counts, {'mvp.signature.agency_key': 1,
                'inbound.email.inbox': 1, 'mvp.interchange.peer': 2,
                'mvp.security.second_factor': 0})
        Transaction().cache.clear()
        with secret_keys(new.decode()):
            for record, name in self.each_secret(records):
                with self.subTest(model=record.__name__, secret=name):
                    self.assertNotEqual(
                        self.stored(record, name), before[record.id, name])
                    self.assertEqual(record.get_secret(name), CLEAR[name])
        with secret_keys(old.decode()):
            with self.assertRaises(SecretError):
                records[0].get_secret('pin')

    @with_transaction()
    def test_keys_come_from_key_files_the_first_one_encrypts(self):
        old, new = Fernet.generate_key(), Fernet.generate_key()
        with tempfile.TemporaryDirectory() as directory:
            paths = []
            for name, key in [('new.key', new), ('old.key', old)]:
                paths.append(os.path.join(directory, name))
                with open(paths[-1], 'wb') as file:
                    file.write(key + b'\n')
            with secret_keys(old.decode()):
                token = secret.encrypt(CLEAR['pin'])
            with secret_keys(key_file=', '.join(paths)):
                self.assertEqual(secret.decrypt(token), CLEAR['pin'])
                fresh = secret.encrypt(CLEAR['pin'])
        self.assertEqual(
            Fernet(new).decrypt(fresh.encode()).decode(), CLEAR['pin'])

    @with_transaction(context={'language': 'vi'})
    def test_without_a_key_the_error_is_vietnamese(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        with secret_keys():
            with self.assertRaises(SecretError) as error:
                AgencyKey.create([{
                            'company': self.agency, 'name': "Khóa",
                            'kind': 'pkcs12', 'pkcs12': b'x',
                            'pin_secret': CLEAR['pin']}])
        self.assertIn("Máy chủ chưa có khóa", error.exception.message)
        with secret_keys(Fernet.generate_key().decode()):
            with self.assertRaises(SecretError) as error:
                secret.decrypt(secret.encrypt('x')[:-4] + 'AAAA')
        self.assertIn("Không giải mã được", error.exception.message)
        with secret_keys('not a key'):
            with self.assertRaises(SecretError) as error:
                secret.encrypt('x')
        self.assertIn("không hợp lệ", error.exception.message)

    @with_transaction()
    def test_clear_secrets_of_an_older_database_are_encrypted(self):
        "Migration: the clear column is encrypted, then dropped"
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        Peer = pool.get('mvp.interchange.peer')
        key, _, peer = self.make_secrets()
        cursor = Transaction().connection.cursor()
        for record, name, value in [(key, 'pin', '2468'),
                (peer, 'outgoing_key', 'khóa-cũ')]:
            Model = record.__class__
            Model.__table_handler__().add_column(name, 'VARCHAR')
            table = Model.__table__()
            cursor.execute(*table.update(
                    [Column(table, name), Column(table, name + '_encrypted')],
                    [value, None], where=table.id == record.id))
            Model._encrypt_clear_columns()
            Transaction().cache.clear()
            self.assertFalse(Model.__table_handler__().column_exist(name))
            self.assertNotIn(value, self.stored(record, name))
            self.assertEqual(Model(record.id).get_secret(name), value)
        self.assertEqual(
            Peer(peer.id).get_secret('incoming_key'), CLEAR['incoming_key'])
        self.assertEqual(AgencyKey(key.id).get_secret('pin'), '2468')

    def test_mvp_secrets_generate_key_and_rotate(self):
        with contextlib.redirect_stdout(io.StringIO()) as output:
            self.assertEqual(secret.main(['generate-key']), 0)
        new = output.getvalue().strip()
        Fernet(new)
        with committed():
            Peer = Pool().get('mvp.interchange.peer')
            peer, = Peer.create([{'name': "Peer CLI",
                        'url': 'http://127.0.0.1:9/db',
                        'outgoing_key_secret': CLEAR['outgoing_key']}])
        old = os.environ[secret.ENVIRON]
        try:
            with secret_keys(new, old), contextlib.redirect_stdout(
                    io.StringIO()) as output:
                self.assertEqual(
                    secret.main(['rotate', '-d', DB_NAME]), 0)
            self.assertIn('mvp.interchange.peer\t1', output.getvalue())
            with secret_keys(new), Transaction().start(DB_NAME, 0):
                self.assertEqual(Peer(peer.id).get_secret('outgoing_key'),
                    CLEAR['outgoing_key'])
        finally:
            with secret_keys(new, old), committed():
                Peer.delete([Peer(peer.id)])
