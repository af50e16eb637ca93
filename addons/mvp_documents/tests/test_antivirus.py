# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Virus scanning of every file that enters (issue 18, item 1), with a
real clamd holding the EICAR signature."""
import base64
import hashlib
import json
import os
import unittest

from werkzeug.test import Client

from trytond.exceptions import UserError
from trytond.modules.mvp_documents import antivirus
from trytond.modules.mvp_documents.tests.clamd_tools import (
    EICAR, SIGNATURE, Clamd, configured_clamd)
from trytond.modules.mvp_documents.tests.incoming_tools import (
    PDF, acting_as, create_incoming, create_official)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction
from trytond.wsgi import app

import trytond.protocols.dispatcher  # noqa: F401  (the /rpc/ route)


class ClamdClientTestCase(unittest.TestCase):
    "The clamd protocol over a unix socket and TCP"

    @classmethod
    def setUpClass(cls):
        cls.clamd = Clamd()

    @classmethod
    def tearDownClass(cls):
        cls.clamd.stop()

    def test_eicar_found_clean_passes(self):
        for address in [self.clamd.unix, self.clamd.tcp]:
            with self.subTest(address=address):
                self.assertEqual(antivirus.scan(EICAR, address), SIGNATURE)
                self.assertIsNone(antivirus.scan(PDF, address))
                # in a file larger than one chunk of the stream
                big = os.urandom(200_000) + EICAR + os.urandom(100_000)
                self.assertEqual(antivirus.scan(big, address), SIGNATURE)
                self.assertIsNone(antivirus.scan(b'x' * 300_000, address))
                self.assertTrue(antivirus.ping(address))

    def test_no_answer_is_an_error_not_a_pass(self):
        missing = 'unix://' + os.path.join(self.clamd.directory, 'none')
        for address in [missing, 'tcp://127.0.0.1:1', 'http://x']:
            with self.subTest(address=address):
                with self.assertRaises(antivirus.ScannerUnavailable):
                    antivirus.scan(EICAR, address)
                self.assertFalse(antivirus.ping(address))


class AntivirusTestCase(unittest.TestCase):
    "Infected files are refused, kept in quarantine and reported"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')
        cls.clamd = Clamd()
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            ModelData = pool.get('ir.model.data')
            User = pool.get('res.user')
            Lang = pool.get('ir.lang')
            load_vietnamese()
            cls.agency = agency = Agency()
            admin = create_official(agency.company, 'province_admin',
                "Vũ Thị Tỉnh")
            user, = admin.users
            User.write([user], {
                    'language': Lang.search([('code', '=', 'vi')])[0].id,
                    'groups': [('add', [ModelData.get_id(
                                    'mvp_documents',
                                    'group_mvp_province_admin')])],
                    })
            cls.admin_user = user.id
            cls.clerk_user = agency.clerk.users[0].id
            with acting_as(agency.clerk):
                cls.incoming = create_incoming(agency.company).id
            cls.company = agency.company.id
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        cls.clamd.stop()

    def setUp(self):
        self.scanning = configured_clamd(self.clamd.unix)
        self.scanning.__enter__()

    def tearDown(self):
        self.scanning.__exit__(None, None, None)

    def rpc(self, user, method, *params):
        "Call method over JSON-RPC as user (in Vietnamese)"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            User = pool.get('res.user')
            Session = pool.get('ir.session')
            login = User(user).login
            with Transaction().set_user(user):
                key = Session.new()
            transaction.commit()
        token = base64.b64encode(
            ('%s:%s:%s' % (login, user, key)).encode()).decode()
        body = json.dumps({'id': 1, 'method': method,
                'params': list(params) + [{'language': 'vi'}]})
        response = Client(app).post('/%s/rpc/' % DB_NAME, data=body,
            headers={'Authorization': 'Session ' + token,
                'Content-Type': 'application/json'})
        return json.loads(response.data)

    def files_of(self, reference):
        with Transaction().start(DB_NAME, 0):
            File = Pool().get('mvp.document.file')
            return [(f.name, f.sha256) for f in File.search(
                    [('resource', '=', reference)])]

    def quarantined(self, sha256):
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Quarantine = pool.get('mvp.document.quarantine')
            Notification = pool.get('res.notification')
            records = Quarantine.search([('sha256', '=', sha256)])
            notes = Notification.search([
                    ('model', '=', Quarantine.__name__),
                    ('records', 'in', [str([r.id]) for r in records]),
                    ])
            return ([(r.name, r.size, r.signature,
                            r.user.id if r.user else None,
                            r.company.id if r.company else None,
                            r.document, r.date is not None)
                        for r in records],
                [(n.user.id, n.label) for n in notes])

    def upload(self, name, data):
        return self.rpc(self.clerk_user, 'model.mvp.document.file.create', [{
                    'resource': 'mvp.incoming,%s' % self.incoming,
                    'kind': 'original', 'name': name,
                    'data': {'__class__': 'bytes',
                        'base64': base64.b64encode(data).decode()},
                    }])

    def test_upload_of_eicar_refused_over_rpc(self):
        "A clerk's upload of EICAR: Vietnamese refusal, quarantine, alert"
        data = EICAR + b'upload'
        sha256 = hashlib.sha256(data).hexdigest()
        answer = self.upload('thu-moi.txt', data)
        error = answer['error']
        self.assertEqual(error[0], 'UserError')
        self.assertIn('Tệp "thu-moi.txt" có virus (%s)' % SIGNATURE,
            error[1][0])
        reference = 'mvp.incoming,%s' % self.incoming
        self.assertNotIn(sha256, [s for _, s in self.files_of(reference)])
        records, notes = self.quarantined(sha256)
        self.assertEqual(records, [('thu-moi.txt', len(data), SIGNATURE,
                    self.clerk_user, self.company, reference, True)])
        # each provincial administrator, in their language
        self.assertEqual(dict(notes)[self.admin_user],
            'Đã từ chối tệp có virus: thu-moi.txt (%s)' % SIGNATURE)
        self.assertNotIn(self.clerk_user, dict(notes))

    def test_clean_upload_stored(self):
        answer = self.upload('to-trinh.pdf', PDF)
        self.assertNotIn('error', answer)
        self.assertIn(('to-trinh.pdf', hashlib.sha256(PDF).hexdigest()),
            self.files_of('mvp.incoming,%s' % self.incoming))

    def test_eicar_written_over_a_file_refused(self):
        "Replacing the content of a stored file is scanned too"
        answer = self.upload('phu-luc.pdf', PDF)
        file_id, = answer['result']
        data = EICAR + b'write'
        answer = self.rpc(self.clerk_user, 'model.mvp.document.file.write',
            [file_id], {'name': 'phu-luc.txt', 'data': {
                    '__class__': 'bytes',
                    'base64': base64.b64encode(data).decode()}})
        self.assertIn('có virus', answer['error'][1][0])
        with Transaction().start(DB_NAME, 0):
            File = Pool().get('mvp.document.file')
            file = File(file_id)
            self.assertEqual((file.name, bytes(file.data)),
                ('phu-luc.pdf', PDF))
        records, _ = self.quarantined(hashlib.sha256(data).hexdigest())
        self.assertEqual(len(records), 1)

    def test_electronic_receipt_of_eicar_refused(self):
        "An electronic document with an infected file is not received"
        pool_values = {'subject': "Công văn có tệp nhiễm virus",
            'notation': '77/CV-UBND', 'issuer_name': "UBND huyện"}
        data = EICAR + b'edxml'
        sha256 = hashlib.sha256(data).hexdigest()
        # as the exchange does: the refusal ends the transaction
        with self.assertRaises(UserError) as context, \
                Transaction().start(DB_NAME, 0, context={'language': 'vi'}):
            Incoming = Pool().get('mvp.incoming')
            Incoming.receive_electronic(self.company, pool_values, [
                    {'name': 'cong-van.pdf', 'data': PDF},
                    {'name': 'phu-luc.txt', 'data': data}])
        self.assertIn('Tệp "phu-luc.txt" có virus', str(context.exception))
        with Transaction().start(DB_NAME, 0):
            Incoming = Pool().get('mvp.incoming')
            self.assertEqual(Incoming.search(
                    [('notation', '=', '77/CV-UBND')]), [])
        records, notes = self.quarantined(sha256)
        (name, size, signature, user, company, document, _), = records
        self.assertEqual((name, size, signature, user, company),
            ('phu-luc.txt', len(data), SIGNATURE, None, self.company))
        self.assertTrue(document.startswith('mvp.incoming,'))
        self.assertIn(self.admin_user, dict(notes))

    def test_scanner_not_answering_refuses_with_try_again(self):
        missing = 'unix://' + os.path.join(self.clamd.directory, 'stopped')
        with configured_clamd(missing):
            answer = self.upload('bao-cao.pdf', PDF + b'%stopped')
        self.assertIn('thử lại sau ít phút', answer['error'][1][0])
        self.assertNotIn(hashlib.sha256(PDF + b'%stopped').hexdigest(),
            [s for _, s in self.files_of('mvp.incoming,%s' % self.incoming)])

    def test_no_scanner_configured_no_scan(self):
        "The demo without clamd stores files unscanned"
        with configured_clamd(None):
            answer = self.upload('eicar-demo.txt', EICAR + b'demo')
        self.assertNotIn('error', answer)
