# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Signing and verifying document files through the Tryton models."""
import base64
import contextlib
import unittest
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import (
    create_company, create_employee, set_company)
from trytond.modules.mvp_signature.exceptions import (
    SignatureAccessError, SignatureError, SignatureKeyError)
from trytond.modules.mvp_signature.tests import pki as test_pki
from trytond.modules.mvp_signature.tests.test_pades import need_softhsm
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction


@contextlib.contextmanager
def file_resources():
    """Let files hang directly on an agency in these tests.

    mvp.document.file needs a resource model (an incoming or outgoing
    document); these tests exercise the files alone, so the agency
    (company.company) is added to the resource models for their duration.
    The document flows are tested in scenario_signature_outgoing.rst.
    A file is signed by who may change its document: here the officials
    may change their agency record.
    """
    pool = Pool()
    File = pool.get('mvp.document.file')
    ModelAccess = pool.get('ir.model.access')
    ModelData = pool.get('ir.model.data')
    original = File._get_resources.__func__
    ModelAccess.create([{
                'model': 'company.company',
                'group': ModelData.get_id('mvp_documents', 'group_mvp_user'),
                'perm_read': True, 'perm_write': True,
                'perm_create': False, 'perm_delete': False,
                }])

    def _get_resources(cls):
        return original(cls) | {'company.company'}
    with patch.object(File, '_get_resources', classmethod(_get_resources)):
        yield


class Setup:
    "Agency, people, keys and trust configuration for the tests"

    def __init__(self, hsm=False):
        pool = Pool()
        User = pool.get('res.user')
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        TrustRoot = pool.get('mvp.signature.trust_root')
        Crl = pool.get('mvp.signature.crl')
        PersonalKey = pool.get('mvp.signature.personal_key')
        AgencyKey = pool.get('mvp.signature.agency_key')
        pki = self.pki = test_pki.pki()
        self.company = create_company('Sở Thông tin và Truyền thông')
        user_group = ModelData.get_id('mvp_documents', 'group_mvp_user')
        leader_group = ModelData.get_id('mvp_documents', 'group_mvp_leader')
        self.users = {}
        for login, name, position in [
                ('leader', 'Trần Thị Bình', 'Giám đốc'),
                ('clerk', 'Lê Thị Văn Thư', 'Văn thư'),
                ('officer', 'Nguyễn Văn An', 'Chuyên viên'),
                ]:
            employee = create_employee(self.company, name)
            employee.position = position
            employee.save()
            user, = User.create([{
                        'login': login, 'name': name,
                        'employees': [('add', [employee.id])],
                        'employee': employee.id,
                        'companies': [('add', [self.company.id])],
                        'company': self.company.id,
                        'groups': [('add', [user_group])],
                        }])
            self.users[login] = user
        Role.create([{
                    'user': self.users['leader'].id,
                    'company': self.company.id,
                    'group': leader_group,
                    }])
        TrustRoot.create([{'name': 'Root CA', 'certificate': pki.root.der}])
        Crl.create([{'name': 'CA CRL', 'data': pki.crl}])
        chain = b''.join(
            c.cert.public_bytes(_pem()) for c in pki.chain)
        self.personal = {}
        for login, entity in [
                ('leader', pki.leader), ('officer', pki.official),
                ('clerk', pki.expired)]:
            key, = PersonalKey.create([{
                        'user': self.users[login].id, 'name': 'USB',
                        'pkcs12': entity.p12(pki.chain)}])
            self.personal[login] = key
        if hsm:
            test_pki.softhsm()
            self.agency_key, = AgencyKey.create([{
                        'company': self.company.id, 'name': 'HSM',
                        'kind': 'pkcs11',
                        'pkcs11_module': test_pki.SOFTHSM_NAME,
                        'token_label': test_pki.TOKEN,
                        'key_label': 'agency', 'pin_secret': test_pki.PIN,
                        'chain': chain}])
        else:
            self.agency_key, = AgencyKey.create([{
                        'company': self.company.id, 'name': 'P12',
                        'kind': 'pkcs12',
                        'pkcs12': pki.agency.p12(pki.chain),
                        'pin_secret': test_pki.PASSPHRASE}])

    def upload(self, data, name='congvan.pdf'):
        pool = Pool()
        File = pool.get('mvp.document.file')
        file, = File.create([{
                    'resource': self.resource(), 'company': self.company.id,
                    'kind': 'original', 'name': name, 'data': data}])
        return file

    def resource(self):
        return str(self.company)

    @contextlib.contextmanager
    def as_user(self, login):
        user = self.users[login]
        with Transaction().set_user(user.id), set_company(self.company):
            yield user


def _pem():
    from cryptography.hazmat.primitives import serialization
    return serialization.Encoding.PEM


class SignatureFileTestCase(unittest.TestCase):
    "Signature on document files"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_signature')

    @with_transaction()
    def test_uploaded_pdfs_get_a_verdict_and_signed_ones_are_locked(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        with file_resources():
            setup = Setup()
            from trytond.modules.mvp_signature import keys, pades
            signed = pades.sign_pdf(
                test_pki.sample_pdf(), keys.load_pkcs12(
                    setup.pki.official.p12(setup.pki.chain),
                    test_pki.PASSPHRASE)).data
            tampered = bytearray(signed)
            i = tampered.index(b'ReportLab Generated')
            tampered[i:i + 9] = b'ReportLaB'

            unsigned = setup.upload(test_pki.sample_pdf())
            valid = setup.upload(signed)
            modified = setup.upload(bytes(tampered))
            text = setup.upload(b'hello', name='note.txt')

        self.assertEqual(unsigned.signature_verdict, 'unsigned')
        self.assertFalse(unsigned.locked)
        self.assertEqual(valid.signature_verdict, 'valid')
        self.assertEqual(valid.signature_signer, 'Nguyễn Văn An')
        self.assertEqual(valid.signature_agency, 'UBND tỉnh Thái Bình')
        self.assertTrue(valid.signature_time)
        self.assertTrue(valid.locked)
        self.assertEqual(modified.signature_verdict, 'modified')
        self.assertTrue(modified.locked)
        self.assertIsNone(text.signature_verdict)
        with self.assertRaises(AccessError):
            File.write([valid], {'data': test_pki.sample_pdf()})

    @with_transaction()
    def test_verdict_is_rerun_after_trust_configuration_changes(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        TrustRoot = pool.get('mvp.signature.trust_root')
        with file_resources():
            setup = Setup()
            from trytond.modules.mvp_signature import keys, pades
            signed = pades.sign_pdf(
                test_pki.sample_pdf(), keys.load_pkcs12(
                    setup.pki.official.p12(setup.pki.chain),
                    test_pki.PASSPHRASE)).data
            TrustRoot.delete(TrustRoot.search([]))
            file = setup.upload(signed)
            self.assertEqual(file.signature_verdict, 'not_trusted')

            TrustRoot.create([{
                        'name': 'Look-alike',
                        'certificate': setup.pki.fake_root.der}])
            File.verify_signatures([file])
            self.assertEqual(file.signature_verdict, 'not_trusted')

            TrustRoot.create([{
                        'name': 'Root', 'certificate': setup.pki.root.der}])
            File.verify_signatures([file])
            self.assertEqual(file.signature_verdict, 'valid')

    @with_transaction()
    def test_personal_signature_makes_a_new_locked_version_and_log(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        Log = pool.get('mvp.signature.log')
        with file_resources():
            setup = Setup()
            draft = setup.upload(test_pki.sample_pdf())
            with setup.as_user('officer'):
                signed = draft.sign(
                    'personal', personal_key=setup.personal['officer'],
                    passphrase=test_pki.PASSPHRASE)

        self.assertEqual(signed.version, 2)
        self.assertEqual(signed.kind, 'original')
        self.assertEqual(signed.signature_verdict, 'valid')
        self.assertEqual(signed.signature_signer, 'Nguyễn Văn An')
        self.assertTrue(signed.locked)
        self.assertEqual(File(draft.id).superseded_by, signed)
        log, = Log.search([])
        self.assertEqual(
            (log.user, log.kind, log.file, log.source),
            (setup.users['officer'], 'personal', signed, draft))

    @with_transaction()
    def test_wrong_passphrase_others_or_expired_key_leave_file_unchanged(self):
        pool = Pool()
        File = pool.get('mvp.document.file')
        with file_resources():
            setup = Setup()
            draft = setup.upload(test_pki.sample_pdf())
            with setup.as_user('officer'):
                with self.assertRaises(SignatureKeyError) as cm:
                    draft.sign(
                        'personal', personal_key=setup.personal['officer'],
                        passphrase='sai')
                self.assertIn('passphrase', cm.exception.message)
                with self.assertRaises(SignatureAccessError):
                    draft.sign(
                        'leader', personal_key=setup.personal['leader'],
                        passphrase=test_pki.PASSPHRASE)
            with setup.as_user('clerk'):
                with self.assertRaises(SignatureKeyError) as cm:
                    draft.sign(
                        'personal', personal_key=setup.personal['clerk'],
                        passphrase=test_pki.PASSPHRASE)
                self.assertIn('expired', cm.exception.message)

        self.assertEqual(File.search([], count=True), 1)
        self.assertFalse(File(draft.id).superseded_by)

    @with_transaction()
    def test_only_leader_and_delegates_use_the_agency_key(self):
        pool = Pool()
        Delegate = pool.get('mvp.signature.agency_key.delegate')
        Log = pool.get('mvp.signature.log')
        with file_resources():
            setup = Setup()
            draft = setup.upload(test_pki.sample_pdf())
            with setup.as_user('officer'):
                leader_signed = draft.sign(
                    'personal', personal_key=setup.personal['officer'],
                    passphrase=test_pki.PASSPHRASE)
            with setup.as_user('clerk'):
                with self.assertRaises(SignatureAccessError):
                    leader_signed.sign('seal', agency_key=setup.agency_key)
                with self.assertRaises(SignatureAccessError):
                    Delegate.create([{
                                'key': setup.agency_key.id,
                                'user': setup.users['clerk'].id}])
            with setup.as_user('leader'):
                delegate, = Delegate.create([{
                            'key': setup.agency_key.id,
                            'user': setup.users['clerk'].id}])
            with setup.as_user('clerk'):
                released = leader_signed.sign(
                    'seal', agency_key=setup.agency_key)
            with setup.as_user('officer'):
                with self.assertRaises(SignatureAccessError):
                    Delegate.delete([delegate])

        self.assertEqual(delegate.granted_by, setup.users['leader'])
        self.assertEqual(released.signature_verdict, 'valid')
        self.assertEqual(released.signature_count, 2)
        self.assertEqual(
            released.signature_signer,
            'Nguyễn Văn An, Sở Thông tin và Truyền thông tỉnh Thái Bình')
        self.assertEqual(
            [(l.kind, l.user.login) for l in Log.search(
                    [], order=[('id', 'ASC')])],
            [('personal', 'officer'), ('seal', 'clerk')])

    @need_softhsm
    @with_transaction()
    def test_agency_key_in_token_and_missing_token(self):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        File = pool.get('mvp.document.file')
        with file_resources():
            setup = Setup(hsm=True)
            draft = setup.upload(test_pki.sample_pdf(1, 'PHỤ LỤC'))
            with setup.as_user('leader'):
                appendix = draft.sign(
                    'appendix', agency_key=setup.agency_key,
                    notation='12/QĐ-STTTT')
                missing, = AgencyKey.copy([setup.agency_key], {
                        'token_label': 'khong-co-token'})
                with self.assertRaises(SignatureKeyError):
                    appendix.sign('seal', agency_key=missing)
                with self.assertRaises(SignatureError):
                    appendix.sign('appendix', agency_key=setup.agency_key)

        self.assertEqual(appendix.kind, 'appendix')
        self.assertEqual(appendix.signature_verdict, 'valid')
        self.assertEqual(File.search([], count=True), 2)

    @with_transaction()
    def test_external_signing_with_a_usb_token(self):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
        pool = Pool()
        Request = pool.get('mvp.signature.request')
        File = pool.get('mvp.document.file')
        with file_resources():
            setup = Setup()
            draft = setup.upload(test_pki.sample_pdf())
            pki = setup.pki
            with setup.as_user('officer'):
                answer = Request.prepare_external(
                    draft.id, base64.b64encode(pki.official.der).decode(),
                    [base64.b64encode(c.der).decode() for c in pki.chain])
                # the local signing app signs the digest with the token
                value = pki.official.key.sign(
                    bytes.fromhex(answer['digest']), padding.PKCS1v15(),
                    Prehashed(hashes.SHA256()))
                with self.assertRaises(SignatureError):
                    Request.complete_external(
                        answer['id'], base64.b64encode(b'x' * 256).decode())
                file_id = Request.complete_external(
                    answer['id'], base64.b64encode(value).decode())

        signed = File(file_id)
        self.assertEqual(signed.signature_verdict, 'valid')
        self.assertEqual(signed.signature_signer, 'Nguyễn Văn An')
        self.assertEqual(Request(answer['id']).state, 'signed')

    @with_transaction()
    def test_sign_wizard_does_not_keep_the_passphrase(self):
        pool = Pool()
        Sign = pool.get('mvp.document.file.sign', type='wizard')
        Session = pool.get('ir.session.wizard')
        File = pool.get('mvp.document.file')
        with file_resources():
            setup = Setup()
            draft = setup.upload(test_pki.sample_pdf())
            with setup.as_user('officer'):
                with Transaction().set_context(
                        active_model='mvp.document.file',
                        active_id=draft.id, active_ids=[draft.id]):
                    session_id, _, _ = Sign.create()
                    sign = Sign(session_id)
                    defaults = sign.default_start(None)
                    self.assertEqual(
                        defaults['personal_key'],
                        setup.personal['officer'].id)
                    sign.start.file = draft
                    sign.start.kind = 'personal'
                    sign.start.personal_key = setup.personal['officer']
                    sign.start.passphrase_secret = test_pki.PASSPHRASE
                    self.assertEqual(sign.transition_sign(), 'end')
                    sign._save()
                    stored = Session(session_id).data

        self.assertNotIn(test_pki.PASSPHRASE, stored)
        self.assertEqual(File(draft.id).superseded_by.signature_verdict,
            'valid')

