# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Attacks on the signature module as JSON-RPC calls would make them.

Each test acts as a user with the access checks of an RPC call (a wizard's
``execute`` without them, as RPC runs it), tries what the web client does
not offer, and checks the refusal and that nothing changed.
"""
import base64
import unittest
from contextlib import contextmanager
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.tests.test_outgoing import OutgoingSetup
from trytond.modules.mvp_signature import keys
from trytond.modules.mvp_signature.exceptions import (
    SignatureAccessError, SignatureKeyError)
from trytond.modules.mvp_signature.tests import pki as test_pki
from trytond.modules.mvp_signature.tests import test_outgoing
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

PERSONAL = {'kind': 'personal', 'passphrase_secret': test_pki.PASSPHRASE}


class SignatureSecurityTestCase(OutgoingSetup, unittest.TestCase):
    "The signature module enforces its rules on the server"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_signature')

    # (not the test case itself in this module: its tests would run twice)
    setup_signature = test_outgoing.OutgoingSignatureTestCase.setup_signature
    draft_pdf = test_outgoing.OutgoingSignatureTestCase.draft_pdf

    def setup_people(self):
        "Agency keys, personal keys, an agency and a provincial admin"
        pool = Pool()
        User = pool.get('res.user')
        PersonalKey = pool.get('mvp.signature.personal_key')
        ModelData = pool.get('ir.model.data')
        test_pki.configure_softhsm()
        self.setup_signature()
        self.agency_admin = self.make_user(
            self.agency, 'qtcq', "Ngô Văn Quản", 'agency_admin', None,
            "Quản trị hệ thống")
        self.province_admin = self.make_user(
            self.agency, 'qttinh', "Bùi Thị Tỉnh", 'officer', None,
            "Quản trị cấp tỉnh")
        User.write([self.province_admin[0]], {'groups': [('add', [
                            ModelData.get_id('mvp_documents',
                                'group_mvp_province_admin')])]})
        for who in [self.other, self.head, self.reviewer]:
            self.keys[who[0].login], = PersonalKey.create([{
                        'user': who[0].id, 'name': 'USB',
                        'pkcs12': self.pki.official.p12(self.pki.chain)}])

    @contextmanager
    def attacking(self, who, access=True, **context):
        "Run the block as who, with the access checks of an RPC call"
        user, employee = who
        transaction = Transaction()
        with transaction.set_user(user.id), transaction.set_context(
                company=employee.company.id, employee=employee.id,
                **context), check_access(_access=access):
            yield user

    def execute(self, who, wizard, record, data, state='sign'):
        "Run the wizard on record as RPC does: execute without access checks"
        pool = Pool()
        Wizard = pool.get(wizard, type='wizard')
        with self.attacking(who, access=False,
                active_model=record.__name__, active_id=record.id,
                active_ids=[record.id]):
            session_id, _, _ = Wizard.create()
            return Wizard.execute(session_id, data, state)

    def draft_file(self, outgoing):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        return Outgoing(outgoing.id).file_to_sign()

    def assertUnsigned(self, file):
        "Nothing superseded the file and no signature was logged"
        pool = Pool()
        File = pool.get('mvp.document.file')
        Log = pool.get('mvp.signature.log')
        self.assertIsNone(File(file.id).superseded_by)
        self.assertEqual(Log.search([('source', '=', file.id)]), [])

    def key_values(self, key):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        names = ['company', 'kind', 'pkcs11_module', 'token_label',
            'key_label', 'pin_encrypted', 'pkcs12', 'chain', 'certificate',
            'subject', 'name', 'active']
        values, = AgencyKey.read([key.id], names)
        return values

    # Item 7: the agencies' keys

    @with_transaction()
    def test_agency_admin_cannot_make_the_server_load_a_library(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        self.setup_people()
        key = self.agency_key
        before = self.key_values(key)
        with self.attacking(self.agency_admin):
            with self.assertRaises(AccessError):
                AgencyKey.write([key], {'pkcs11_module': '/tmp/libevil.so'})
            with self.assertRaises(AccessError):
                AgencyKey.create([{
                            'company': self.agency.id, 'name': 'Evil',
                            'kind': 'pkcs11',
                            'pkcs11_module': '/tmp/libevil.so',
                            'token_label': 'x', 'key_label': 'x'}])
        self.assertEqual(self.key_values(key), before)
        self.assertEqual(AgencyKey.search([], count=True), 1)

    @with_transaction()
    def test_province_admin_chooses_a_configured_module_only(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        self.setup_people()
        key = self.agency_key
        before = self.key_values(key)
        with self.attacking(self.province_admin):
            self.assertEqual(
                [n for n, _ in AgencyKey.get_pkcs11_modules() if n],
                [test_pki.SOFTHSM_NAME])
            with self.assertRaises(UserError):
                AgencyKey.write([key], {'pkcs11_module': '/tmp/libevil.so'})
            AgencyKey.write([key], {'pkcs11_module': test_pki.SOFTHSM_NAME})
        self.assertEqual(
            self.key_values(key)['pkcs11_module'], before['pkcs11_module'])

    @with_transaction()
    def test_a_module_not_configured_is_never_loaded(self):
        "A key naming a path (old data) or an unknown module is not opened"
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        self.setup_people()
        table = AgencyKey.__table__()
        cursor = Transaction().connection.cursor()
        key, = AgencyKey.create([{
                    'company': self.agency.id, 'name': 'Token',
                    'kind': 'pkcs11', 'pkcs11_module': test_pki.SOFTHSM_NAME,
                    'token_label': 'x', 'key_label': 'x', 'pin_secret': '1'}])
        cursor.execute(*table.update(
                [table.pkcs11_module], ['/tmp/libevil.so'],
                where=table.id == key.id))
        AgencyKey._migrate_module_paths()
        Transaction().cache.clear()  # forget the records read before
        self.assertIsNone(AgencyKey(key.id).pkcs11_module)
        with patch.object(keys, 'pkcs11_signer') as loader:
            for module in ['/tmp/libevil.so', 'unknown']:
                cursor.execute(*table.update(
                        [table.pkcs11_module], [module],
                        where=table.id == key.id))
                Transaction().cache.clear()
                with self.assertRaises(SignatureKeyError):
                    AgencyKey(key.id).signer()
        loader.assert_not_called()

    @with_transaction()
    def test_nobody_in_the_agency_substitutes_its_key(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        self.setup_people()
        key = self.agency_key
        before = self.key_values(key)
        fake = self.pki.fake_official
        attempts = [
            {'token_label': 'other-token'}, {'key_label': 'other-key'},
            {'kind': 'pkcs12', 'pkcs12': fake.p12(self.pki.chain)},
            {'pin_secret': '0000'}, {'pin_encrypted': '0000'},
            {'chain': b'-----BEGIN CERTIFICATE-----'},
            {'certificate': fake.der}, {'subject': 'CN=Giả mạo'},
            {'active': False}, {'company': self.agencies[1].id},
            ]
        for who in [self.agency_admin, self.leader, self.clerk,
                self.drafter, self.reviewer]:
            with self.attacking(who):
                for values in attempts:
                    with self.subTest(who=who[0].login, values=list(values)):
                        with self.assertRaises(AccessError):
                            AgencyKey.write([AgencyKey(key.id)], values)
                with self.assertRaises(AccessError):
                    AgencyKey.delete([AgencyKey(key.id)])
        self.assertEqual(self.key_values(key), before)

    @with_transaction()
    def test_province_admin_changes_the_key_but_not_its_certificate(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        self.setup_people()
        key = self.agency_key
        with self.attacking(self.province_admin):
            with self.assertRaises(AccessError):
                AgencyKey.write(
                    [key], {'certificate': self.pki.fake_official.der})
            AgencyKey.write([key], {'name': 'Khóa mới', 'pin_secret': '9999'})
        self.assertEqual(AgencyKey(key.id).get_secret('pin'), '9999')
        self.assertEqual(self.key_values(key)['name'], 'Khóa mới')

    @with_transaction()
    def test_the_pin_is_never_sent_to_a_client(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        self.setup_people()
        key = self.agency_key
        for who in [self.agency_admin, self.province_admin, self.leader,
                self.clerk]:
            with self.subTest(who=who[0].login), self.attacking(who):
                with self.assertRaises(AccessError):
                    AgencyKey.read([key.id], ['pin_encrypted'])
                values, = AgencyKey.read(
                    [key.id], ['pin_secret', 'pin_stored'])
                self.assertFalse(values['pin_secret'])
                self.assertTrue(values['pin_stored'])
                view = AgencyKey.fields_view_get(view_type='form')
                self.assertNotIn('pin_encrypted', view['fields'])
        with self.attacking(self.agency_admin):
            with self.assertRaises(AccessError):
                AgencyKey.read([key.id], ['pkcs12'])

    @with_transaction()
    def test_leader_delegates_own_key_only_and_not_as_someone_else(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        Delegate = pool.get('mvp.signature.agency_key.delegate')
        self.setup_people()
        other_key, = AgencyKey.create([{
                    'company': self.agencies[1].id, 'name': 'P12',
                    'kind': 'pkcs12',
                    'pkcs12': self.pki.agency.p12(self.pki.chain),
                    'pin_secret': test_pki.PASSPHRASE}])
        with self.attacking(self.leader):
            delegate, = Delegate.create([{
                        'key': self.agency_key.id,
                        'user': self.clerk[0].id,
                        'granted_by': self.drafter[0].id}])
            for values in [{'key': other_key.id},
                    {'user': self.reviewer[0].id},
                    {'granted_by': self.drafter[0].id}]:
                with self.subTest(values=list(values)):
                    with self.assertRaises(AccessError):
                        Delegate.write([delegate], values)
        with self.attacking(self.clerk):
            with self.assertRaises(AccessError):
                Delegate.create([{
                            'key': self.agency_key.id,
                            'user': self.clerk[0].id}])
        delegate = Delegate(delegate.id)
        self.assertEqual(
            (delegate.key, delegate.user, delegate.granted_by),
            (self.agency_key, self.clerk[0], self.leader[0]))
        self.assertEqual(Delegate.search([], count=True), 1)

    # Item 2: wizards and RPC methods re-check what they act on

    @with_transaction()
    def test_sign_wizard_signs_the_file_it_was_opened_on_only(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_people()
        mine = self.draft_file(self.draft_pdf())
        with self.acting(self.other):
            theirs = Outgoing(
                document_type=self.document_type('to_trinh'),
                signer=self.leader[1], subject="Dự thảo của người khác")
            theirs.save()
            Outgoing.add_draft_version(theirs, [{
                        'name': 'khac.pdf',
                        'data': test_pki.sample_pdf()}])
        target = self.draft_file(theirs)
        with self.assertRaises(SignatureAccessError):
            self.execute(self.drafter, 'mvp.document.file.sign', mine, {
                    'start': dict(PERSONAL, file=target.id,
                        personal_key=self.keys['drafter'].id)})
        self.assertUnsigned(target)
        self.assertUnsigned(mine)

    @with_transaction()
    def test_sign_wizard_does_not_sign_someone_elses_draft(self):
        "The leader, who sees the draft, cannot sign it as its drafter"
        self.setup_people()
        draft = self.draft_file(self.draft_pdf())
        for who in [self.leader, self.head]:
            with self.subTest(who=who[0].login):
                with self.assertRaises(AccessError):
                    self.execute(who, 'mvp.document.file.sign', draft, {
                            'start': dict(PERSONAL, file=draft.id,
                                personal_key=self.keys[who[0].login].id)})
        self.assertUnsigned(draft)

    @with_transaction()
    def test_sign_wizard_does_not_use_the_agency_key(self):
        "The agency's key signs at release only, not through the wizard"
        self.setup_people()
        outgoing = self.draft_pdf()
        self.sign(outgoing, self.drafter)
        draft = self.draft_file(outgoing)
        for kind in ['seal', 'appendix']:
            with self.subTest(kind=kind):
                with self.assertRaises(SignatureAccessError):
                    self.execute(self.drafter, 'mvp.document.file.sign',
                        draft, {'start': {
                                'file': draft.id, 'kind': kind,
                                'personal_key': self.keys['drafter'].id}})
        self.assertUnsigned(draft)

    @with_transaction()
    def test_sign_wizard_refuses_another_users_key(self):
        self.setup_people()
        draft = self.draft_file(self.draft_pdf())
        with self.assertRaises(SignatureAccessError):
            self.execute(self.drafter, 'mvp.document.file.sign', draft, {
                    'start': dict(PERSONAL, file=draft.id,
                        personal_key=self.keys['leader'].id)})
        self.assertUnsigned(draft)

    @with_transaction()
    def test_outgoing_sign_wizard_ignores_a_forged_kind(self):
        "The drafter's draft is signed as 'personal', whatever the form says"
        pool = Pool()
        File = pool.get('mvp.document.file')
        self.setup_people()
        outgoing = self.draft_pdf()
        draft = self.draft_file(outgoing)
        self.execute(self.drafter, 'mvp.outgoing.sign', outgoing, {
                'start': dict(PERSONAL, file=draft.id, kind='leader',
                    personal_key=self.keys['drafter'].id)})
        signed = File(draft.id).superseded_by
        self.assertEqual(signed.kind, 'draft')
        with self.assertRaises(AccessError):
            self.execute(self.other, 'mvp.outgoing.sign', outgoing, {
                    'start': dict(PERSONAL, file=signed.id,
                        personal_key=self.keys['other'].id)})
        self.assertUnsigned(signed)

    @with_transaction()
    def test_external_signature_checks_the_file_and_the_user(self):
        pool = Pool()
        Request = pool.get('mvp.signature.request')
        self.setup_people()
        draft = self.draft_file(self.draft_pdf())
        cert = base64.b64encode(self.pki.official.der).decode()
        chain = [base64.b64encode(c.der).decode() for c in self.pki.chain]
        for who in [self.leader, self.other, self.reviewer]:
            with self.subTest(who=who[0].login), self.attacking(who):
                with self.assertRaises(AccessError):
                    Request.prepare_external(draft.id, cert, chain)
        with self.attacking(self.drafter):
            answer = Request.prepare_external(draft.id, cert, chain)
            with self.assertRaises(AccessError):
                Request.create([{
                            'company': self.agency.id, 'file': draft.id,
                            'user': self.drafter[0].id, 'kind': 'personal',
                            'state': 'waiting',
                            'prepared': b'%PDF-1.4 forged'}])
            with self.assertRaises(AccessError):
                Request.write([Request(answer['id'])], {
                        'prepared': b'%PDF-1.4 forged'})
        with self.attacking(self.clerk):
            self.assertEqual(Request.search([]), [])
            with self.assertRaises(AccessError):
                Request.read([answer['id']], ['prepared'])
            with self.assertRaises(AccessError):
                Request.complete_external(answer['id'], 'AAAA')
        self.assertEqual(Request.search([], count=True), 1)
        self.assertUnsigned(draft)

    # Item 3: what only the server writes

    @with_transaction()
    def test_signature_verdicts_of_files_are_the_servers(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        self.setup_people()
        outgoing = self.draft_pdf()
        draft = self.draft_file(outgoing)
        forged = {
            'signature_verdict': 'valid', 'signature_count': 2,
            'signature_signer': 'Nguyễn Văn An, UBND tỉnh',
            'signature_agency': 'UBND tỉnh'}
        with self.attacking(self.drafter):
            for name, value in forged.items():
                with self.subTest(field=name):
                    with self.assertRaises(AccessError):
                        File.write([File(draft.id)], {name: value})
            with self.assertRaises(AccessError):
                File.create([dict(forged,
                            resource=str(outgoing), name='gia.pdf',
                            kind='draft', data=test_pki.sample_pdf())])
        draft = File(draft.id)
        self.assertEqual(
            (draft.signature_verdict, draft.signature_count),
            ('unsigned', 0))

    @with_transaction()
    def test_an_uploaded_signed_pdf_is_verified_and_locked_by_the_server(self):
        "Verification locks signed files without any context switch"
        pool = Pool()
        File = pool.get('mvp.document.file')
        from trytond.modules.mvp_signature import pades
        self.setup_people()
        signed_pdf = pades.sign_pdf(
            test_pki.sample_pdf(), keys.load_pkcs12(
                self.pki.official.p12(self.pki.chain),
                test_pki.PASSPHRASE)).data
        outgoing = self.new_outgoing()
        with self.attacking(self.drafter):
            file, = File.create([{
                        'resource': str(outgoing), 'kind': 'draft',
                        'name': 'da-ky.pdf', 'data': signed_pdf}])
        file = File(file.id)
        self.assertEqual(file.signature_verdict, 'valid')
        self.assertTrue(file.locked)
        with self.attacking(self.drafter, _mvp_file_unlock=True):
            with self.assertRaises(AccessError):
                File.write([File(file.id)], {'data': test_pki.sample_pdf()})
            with self.assertRaises(AccessError):
                File.write([File(file.id)], {'locked': False})
        self.assertEqual(bytes(File(file.id).data), signed_pdf)

    @with_transaction()
    def test_trust_roots_and_crls_are_the_province_admins(self):
        pool = Pool()
        TrustRoot = pool.get('mvp.signature.trust_root')
        Crl = pool.get('mvp.signature.crl')
        self.setup_people()
        root, = TrustRoot.search([])
        before = (root.fingerprint, root.subject)
        for who in [self.agency_admin, self.leader, self.clerk]:
            with self.subTest(who=who[0].login), self.attacking(who):
                with self.assertRaises(AccessError):
                    TrustRoot.create([{
                                'name': 'Giả', 'certificate':
                                self.pki.fake_root.der}])
                with self.assertRaises(AccessError):
                    TrustRoot.write([root], {'active': False})
                with self.assertRaises(AccessError):
                    Crl.create([{'name': 'CRL', 'data': self.pki.crl}])
        with self.attacking(self.province_admin):
            for values in [{'fingerprint': 'ab' * 32},
                    {'subject': 'CN=Root CA'}]:
                with self.subTest(values=list(values)):
                    with self.assertRaises(AccessError):
                        TrustRoot.write([root], values)
            crl, = Crl.create([{'name': 'CRL', 'data': self.pki.crl}])
            with self.assertRaises(AccessError):
                Crl.write([crl], {'revoked': 0})
        root = TrustRoot(root.id)
        self.assertEqual((root.fingerprint, root.subject), before)
        self.assertTrue(root.active)
        self.assertEqual(TrustRoot.search([], count=True), 1)

    @with_transaction()
    def test_personal_key_certificate_and_owner_are_the_servers(self):
        pool = Pool()
        PersonalKey = pool.get('mvp.signature.personal_key')
        self.setup_people()
        key = self.keys['drafter']
        with self.attacking(self.drafter):
            for values in [{'certificate': self.pki.leader.der},
                    {'subject': 'CN=Giám đốc'},
                    {'user': self.leader[0].id}]:
                with self.subTest(values=list(values)):
                    with self.assertRaises(AccessError):
                        PersonalKey.write([PersonalKey(key.id)], values)
            with self.assertRaises(AccessError):
                PersonalKey.create([{
                            'name': 'Giả', 'user': self.leader[0].id,
                            'pkcs12': self.pki.official.p12(
                                self.pki.chain)}])
            with self.assertRaises(AccessError):
                PersonalKey.create([{
                            'name': 'Giả', 'subject': 'CN=Giám đốc',
                            'pkcs12': self.pki.official.p12(
                                self.pki.chain)}])
        key = PersonalKey(key.id)
        self.assertEqual(key.user, self.drafter[0])
        self.assertNotEqual(key.subject, 'CN=Giám đốc')
        self.assertEqual(
            PersonalKey.search([('user', '=', self.leader[0].id)],
                count=True), 1)

    @with_transaction()
    def test_signature_log_is_read_by_leaders_and_admins_only(self):
        pool = Pool()
        Log = pool.get('mvp.signature.log')
        self.setup_people()
        outgoing = self.draft_pdf()
        self.sign(outgoing, self.drafter)
        log, = Log.search([])
        for who in [self.clerk, self.other]:
            with self.subTest(who=who[0].login), self.attacking(who):
                with self.assertRaises(AccessError):
                    Log.search([])
        for who in [self.leader, self.agency_admin]:
            with self.subTest(who=who[0].login), self.attacking(who):
                self.assertEqual(Log.search([]), [log])
                with self.assertRaises(AccessError):
                    Log.write([log], {'subject': 'CN=Khác'})
                with self.assertRaises(AccessError):
                    Log.delete([log])
        self.assertEqual(Log(log.id).user, self.drafter[0])

    def sign(self, outgoing, who):
        with self.acting(who):
            return outgoing.sign(
                outgoing.signature_kind, self.keys[who[0].login],
                test_pki.PASSPHRASE)
