# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Documents whose texts arrive in TCVN3 or VNI are stored in Unicode,
keep what arrived and show that it was converted; only the server says
so (TCVN 6909, Art. 6.8)."""
import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from . import test_security_incoming as security_incoming
from . import test_security_outgoing as security_outgoing
from .incoming_tools import acting_as, create_incoming
from .test_outgoing import OutgoingSetup
from .test_security_incoming import Agency, read, user_create

SUBJECT_TCVN3 = 'V/v b¸o c¸o t×nh h×nh thùc hiÖn kÕ ho¹ch n¨m 2026'
SUBJECT = 'V/v báo cáo tình hình thực hiện kế hoạch năm 2026'
ISSUER_VNI = 'UÛy ban nhaân daân tænh Thaùi Bình'
ISSUER = 'Ủy ban nhân dân tỉnh Thái Bình'
NOTES_VNI = 'Ñeà nghò xem xeùt, giaûi quyeát'
NOTES = 'Đề nghị xem xét, giải quyết'


class LegacyIncomingTestCase(unittest.TestCase):
    "Incoming documents typed with pre-Unicode fonts"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    assertRefused = security_incoming.SecurityIncomingTestCase.assertRefused

    @with_transaction()
    def test_created_by_the_server_in_unicode_with_the_originals(self):
        "As capture, back-fill and the exchange create it"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = create_incoming(a.company, subject=SUBJECT_TCVN3,
            issuer_name=ISSUER_VNI, notes="Ghi chú đã là Unicode")
        incoming = Incoming(incoming.id)
        self.assertEqual(
            (incoming.subject, incoming.issuer_name, incoming.notes),
            (SUBJECT, ISSUER, "Ghi chú đã là Unicode"))
        self.assertEqual(incoming.legacy_encoding, 'tcvn3')
        self.assertEqual(incoming.legacy_text.splitlines(), [
                f"Subject: {SUBJECT_TCVN3}", f"Issuer: {ISSUER_VNI}"])
        # the folded search text is the Unicode one
        self.assertEqual(Incoming.search([
                    ('company', '=', a.company.id),
                    ('rec_name', 'ilike', '%bao cao tinh hinh%')]),
            [incoming])

    @with_transaction()
    def test_unicode_entry_is_left_alone(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = create_incoming(a.company, subject=SUBJECT,
            issuer_name="Sở Tài chính", notes="Café, Là où il est")
        incoming = Incoming(incoming.id)
        self.assertEqual((incoming.subject, incoming.notes),
            (SUBJECT, "Café, Là où il est"))
        self.assertIsNone(incoming.legacy_encoding)
        self.assertIsNone(incoming.legacy_text)

    @with_transaction()
    def test_clerk_typing_is_converted_and_the_originals_add_up(self):
        "A clerk's own create and write (JSON-RPC) are converted too"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        with acting_as(a.clerk):
            draft = user_create(a.company, subject=SUBJECT_TCVN3)
            Incoming.write([Incoming(draft.id)], {'notes': NOTES_VNI})
        draft = Incoming(draft.id)
        self.assertEqual((draft.subject, draft.notes), (SUBJECT, NOTES))
        self.assertEqual(draft.legacy_encoding, 'vni')
        self.assertEqual(draft.legacy_text.splitlines(), [
                f"Subject: {SUBJECT_TCVN3}", f"Notes: {NOTES_VNI}"])

    @with_transaction()
    def test_nobody_forges_the_conversion(self):
        "The flag and the originals are the server's, on create and write"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        forged = [{'legacy_encoding': 'tcvn3'}, {'legacy_text': "x"},
            {'legacy_encoding': 'vni', 'subject': SUBJECT_TCVN3}]
        with acting_as(a.clerk):
            for values in forged:
                with self.subTest(create=values):
                    self.assertRefused(
                        lambda values=values: user_create(
                            a.company, **values))
            draft = user_create(a.company, subject=SUBJECT_TCVN3)
        before = read(Incoming, draft, ['legacy_encoding', 'legacy_text'])
        for who in [a.clerk, a.leader]:
            for values in forged + [{'legacy_encoding': None},
                    {'legacy_text': None}]:
                with self.subTest(who=who.rec_name, write=values), \
                        acting_as(who):
                    self.assertRefused(
                        lambda values=values: Incoming.write(
                            [Incoming(draft.id)], values))
        self.assertEqual(read(
                Incoming, draft, ['legacy_encoding', 'legacy_text']), before)
        # a copy is no conversion
        with acting_as(a.clerk):
            copy, = Incoming.copy([Incoming(draft.id)])
        self.assertIsNone(Incoming(copy.id).legacy_encoding)

    @with_transaction()
    def test_a_classified_document_keeps_no_original(self):
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        a = Agency()
        incoming = create_incoming(a.company, subject=None,
            confidentiality='secret', issuer_name=ISSUER_VNI)
        incoming = Incoming(incoming.id)
        self.assertEqual(incoming.issuer_name, ISSUER)
        self.assertEqual(incoming.legacy_encoding, 'vni')
        self.assertIsNone(incoming.legacy_text)


class LegacyOutgoingTestCase(OutgoingSetup, unittest.TestCase):
    "Drafts whose subject was pasted from a .VnTime or VNI document"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_documents')

    setup_roles = security_outgoing.OutgoingSecurityTestCase.setup_roles
    rpc = security_outgoing.OutgoingSecurityTestCase.rpc
    snapshot = security_outgoing.OutgoingSecurityTestCase.snapshot
    assertRefused = security_outgoing.OutgoingSecurityTestCase.assertRefused

    @with_transaction()
    def test_pasted_subject_is_converted(self):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        self.setup_roles()
        outgoing = self.new_outgoing(subject=SUBJECT_TCVN3)
        self.assertEqual(outgoing.subject, SUBJECT)
        self.assertEqual(outgoing.legacy_encoding, 'tcvn3')
        with self.rpc(self.drafter):
            Outgoing.write([outgoing], {'notes': NOTES_VNI})
            self.assertRefused(outgoing, Outgoing.write, [outgoing],
                {'legacy_text': "x"})
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.notes, NOTES)
        self.assertEqual(outgoing.legacy_text.splitlines(), [
                f"Subject: {SUBJECT_TCVN3}", f"Notes: {NOTES_VNI}"])

