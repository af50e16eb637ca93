# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Signing outgoing documents: drafter, signer, agency at release."""
import unittest

from trytond.modules.mvp_documents.tests.test_outgoing import OutgoingSetup
from trytond.modules.mvp_signature import verify
from trytond.modules.mvp_signature.exceptions import (
    SignatureAccessError, SignatureError)
from trytond.modules.mvp_signature.tests import pki as test_pki
from trytond.modules.mvp_signature.trust import trust_material
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


def _pem(entities):
    from cryptography.hazmat.primitives import serialization
    return b''.join(
        e.cert.public_bytes(serialization.Encoding.PEM) for e in entities)


class OutgoingSignatureTestCase(OutgoingSetup, unittest.TestCase):
    "Signatures of outgoing documents"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_signature')

    def setup_signature(self, agency_key=True):
        pool = Pool()
        TrustRoot = pool.get('mvp.signature.trust_root')
        PersonalKey = pool.get('mvp.signature.personal_key')
        AgencyKey = pool.get('mvp.signature.agency_key')
        pki = self.pki = test_pki.pki()
        self.setup_agencies(2)
        TrustRoot.create([{'name': 'Root CA', 'certificate': pki.root.der}])
        self.keys = {}
        for who, entity in [
                (self.drafter, pki.official), (self.leader, pki.leader),
                (self.clerk, pki.expired)]:
            self.keys[who[0].login], = PersonalKey.create([{
                        'user': who[0].id, 'name': 'USB',
                        'pkcs12': entity.p12(pki.chain)}])
        self.agency_key = None
        if not agency_key:
            return
        if test_pki.has_softhsm():
            test_pki.softhsm()
            values = {
                'kind': 'pkcs11', 'name': 'HSM',
                'pkcs11_module': test_pki.SOFTHSM_NAME,
                'token_label': test_pki.TOKEN, 'key_label': 'agency',
                'pin_secret': test_pki.PIN, 'chain': _pem(pki.chain)}
        else:
            values = {
                'kind': 'pkcs12', 'name': 'P12',
                'pkcs12': pki.agency.p12(pki.chain),
                'pin_secret': test_pki.PASSPHRASE}
        self.agency_key, = AgencyKey.create([{
                    'company': self.agency.id, **values}])

    def draft_pdf(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        outgoing = self.new_outgoing()
        with self.acting(self.drafter):
            Outgoing.add_draft_version(outgoing, [
                    {'name': 'to-trinh.docx', 'data': b'PK docx v2'},
                    {'name': 'to-trinh.pdf', 'data': test_pki.sample_pdf()},
                    ])
        return Outgoing(outgoing.id)

    def sign(self, outgoing, who):
        with self.acting(who):
            return outgoing.sign(
                outgoing.signature_kind, self.keys[who[0].login],
                test_pki.PASSPHRASE)

    def numbered(self, outgoing):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
        self.add_recipients(outgoing, self.agencies[1:])
        return Outgoing(outgoing.id)

    def signed_by_leader(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        outgoing = self.draft_pdf()
        self.sign(outgoing, self.drafter)
        outgoing = self.approved(Outgoing(outgoing.id))
        self.sign(outgoing, self.leader)
        return Outgoing(outgoing.id)

    @with_transaction()
    def test_drafter_signs_the_draft_pdf(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_signature()
        outgoing = self.draft_pdf()
        with self.assertRaises(SignatureAccessError):
            self.sign(outgoing, self.leader)
        signed = self.sign(outgoing, self.drafter)

        outgoing = Outgoing(outgoing.id)
        self.assertEqual(signed.kind, 'draft')
        self.assertEqual(signed.signature_verdict, 'valid')
        self.assertEqual(signed.signature_signer, 'Nguyễn Văn An')
        self.assertEqual(outgoing.file_to_sign(), signed)
        self.assertEqual(outgoing.state, 'draft')

    @with_transaction()
    def test_signer_signs_once_approved(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_signature()
        outgoing = self.draft_pdf()
        self.sign(outgoing, self.drafter)
        with self.acting(self.leader):
            with self.assertRaises(SignatureError):
                outgoing.sign(
                    'leader', self.keys['leader'], test_pki.PASSPHRASE)
        outgoing = self.approved(Outgoing(outgoing.id))
        with self.assertRaises(SignatureAccessError):
            with self.acting(self.drafter):
                outgoing.sign(
                    'leader', self.keys['drafter'], test_pki.PASSPHRASE)
        signed = self.sign(outgoing, self.leader)

        self.assertEqual(signed.kind, 'signed')
        self.assertEqual(signed.signature_count, 2)
        self.assertEqual(signed.signature_verdict, 'valid')
        self.assertIn('Trần Thị Bình', signed.signature_signer)
        self.assertEqual(Outgoing(outgoing.id).release_pdfs(), [signed])

    @with_transaction()
    def test_release_applies_the_agency_seal(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Incoming = pool.get('mvp.incoming')
        Delegate = pool.get('mvp.signature.agency_key.delegate')
        File = pool.get('mvp.document.file')
        self.setup_signature()
        outgoing = self.numbered(self.signed_by_leader())
        with self.acting(self.clerk):
            File.create([{
                        'resource': str(outgoing), 'kind': 'appendix',
                        'name': 'phu-luc.pdf',
                        'data': test_pki.sample_pdf(1, 'PHỤ LỤC')}])
        with self.acting(self.leader):
            Delegate.create([{
                        'key': self.agency_key.id,
                        'user': self.clerk[0].id}])
        with self.acting(self.clerk):
            Outgoing.release([outgoing])

        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.state, 'released')
        sealed, = outgoing.release_pdfs()
        self.assertEqual(sealed.signature_count, 3)
        self.assertEqual(sealed.signature_verdict, 'valid')
        roots, crls = trust_material()
        result = verify.verify_pdf(bytes(sealed.data), roots, crls)
        self.assertEqual(result.verdict, 'valid')
        self.assertEqual(len(result.signatures), 3)
        appendix, = outgoing.appendix_pdfs()
        self.assertEqual(appendix.signature_count, 1)
        self.assertEqual(appendix.signature_verdict, 'valid')
        incoming, = Incoming.search([('company', '=', self.agencies[1].id)])
        received = [f for f in incoming.files if f.kind == 'signed']
        self.assertEqual(received[0].signature_verdict, 'valid')
        self.assertEqual(received[0].signature_count, 3)

    @with_transaction()
    def test_undelegated_clerk_cannot_release_with_the_agency_key(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Incoming = pool.get('mvp.incoming')
        self.setup_signature()
        outgoing = self.numbered(self.signed_by_leader())
        with self.acting(self.clerk):
            with self.assertRaises(SignatureAccessError):
                Outgoing.release([outgoing])

        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.state, 'numbered')
        self.assertEqual(outgoing.release_pdfs()[0].signature_count, 2)
        self.assertFalse(Incoming.search([]))

    @with_transaction()
    def test_release_without_agency_key(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Configuration = pool.get('mvp.signature.configuration')
        self.setup_signature(agency_key=False)
        outgoing = self.numbered(self.signed_by_leader())
        config = Configuration(1)
        config.require_agency_signature = True
        config.save()
        with self.acting(self.clerk):
            with self.assertRaises(SignatureError):
                Outgoing.release([outgoing])
        self.assertEqual(Outgoing(outgoing.id).state, 'numbered')

        config.require_agency_signature = False
        config.save()
        with self.acting(self.clerk):
            Outgoing.release([outgoing])
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.state, 'released')
        self.assertEqual(outgoing.release_pdfs()[0].signature_count, 2)


del OutgoingSetup
