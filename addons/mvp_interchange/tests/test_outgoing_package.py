# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A released outgoing document to an agency on another installation
becomes an edXML package in the outbox; its statuses come back."""
import datetime as dt
import unittest

from lxml import etree

from trytond.exceptions import UserError
from trytond.modules.mvp_documents.tests.test_outgoing import OutgoingSetup
from trytond.modules.mvp_interchange import xml_io
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .pdf import padded_pdf
from .test_interchange import make_peer, status_data

ELSEWHERE = '000.00.00.H41'  # UBND tỉnh Nghệ An, on another installation


class OutgoingPackageTestCase(OutgoingSetup, unittest.TestCase):
    "Test outgoing documents sent through the interchange"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_interchange')

    def released_elsewhere(self, confidentiality='normal'):
        "Release a signed document to an agency of another installation"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Recipient = pool.get('mvp.outgoing.recipient')
        File = pool.get('mvp.document.file')
        Route = pool.get('mvp.interchange.route')
        self.setup_agencies(2)
        Route.create([{'identifier_code': ELSEWHERE,
                    'peer': make_peer('nghe-an').id}])
        outgoing = self.approved(self.new_outgoing(
                confidentiality=confidentiality))
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
        Recipient.create([{
                    'outgoing': outgoing.id, 'kind': 'outside',
                    'name': "UBND tỉnh Nghệ An",
                    'identifier_code': ELSEWHERE}])
        File.create([{'resource': str(outgoing), 'kind': 'signed',
                    'name': 'to-trinh-signed.pdf',
                    'data': padded_pdf(4096)}])
        with self.acting(self.clerk):
            Outgoing.release([outgoing])
        return Outgoing(outgoing.id)

    @with_transaction()
    def test_release_writes_a_valid_package(self):
        "Release queues one edXML package per agency elsewhere"
        Message = Pool().get('mvp.interchange.message')
        outgoing = self.released_elsewhere()
        recipient, = outgoing.recipients
        self.assertEqual((recipient.channel, recipient.state),
            ('external', 'sent'))
        message, = Message.search([('direction', '=', 'out')])
        self.assertEqual((message.kind, message.state, message.origin),
            ('package', 'queued', recipient))
        self.assertEqual(message.recipient_code, ELSEWHERE)
        self.assertEqual(message.document_id, outgoing.identifier)
        xml_io.validate(message.data)
        envelope, = etree.fromstring(message.data).iterfind(
            '{*}edXMLEnvelope')
        # the national axis rejects an envelope without the prefix
        self.assertEqual({e.prefix for e in envelope.iter(etree.Element)},
            {'edXML'})
        package = xml_io.parse(message.data)
        try:
            self.assertEqual(package.sender.organ_id,
                self.agency.identifier_code)
            self.assertEqual([r.organ_id for r in package.recipients],
                [ELSEWHERE])
            self.assertEqual(
                f'{package.code_number}/{package.code_notation}',
                outgoing.notation)
            self.assertEqual(package.subject, outgoing.subject)
            # Article 7 numbers the tờ trình 16 (QCVN 102 DocumentType)
            self.assertEqual((package.type_code, package.type_name),
                ('16', 'Tờ trình'))
            attachment, = package.attachments
            self.assertEqual(attachment.name, 'to-trinh-signed.pdf')
            self.assertTrue(attachment.read().startswith(b'%PDF'))
        finally:
            package.close()

    @with_transaction()
    def test_every_seeded_type_has_its_edxml_code(self):
        "The 29 types of Decree 30 carry their number as DocumentType/Type"
        DocumentType = Pool().get('mvp.document.type')
        types = DocumentType.search([('complaint', '=', False)],
            order=[('sequence', 'ASC')])
        self.assertEqual([t.edxml_type for t in types],
            [str(n) for n in range(1, 30)])
        self.assertEqual(
            {t.name: t.edxml_type for t in types}['Công văn'], '18')

    @with_transaction()
    def test_statuses_move_the_recipient_forward_only(self):
        "Statuses 04, 01, 06, 03 from elsewhere leave the recipient done"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Peer = pool.get('mvp.interchange.peer')
        outgoing = self.released_elsewhere()
        recipient, = outgoing.recipients
        peer, = Peer.search([('name', '=', 'nghe-an')])
        seen = []
        for code in ['04', '01', '06', '03']:
            answer = Message.receive(peer, status_data(code,
                    outgoing.identifier, sender=ELSEWHERE,
                    recipient=self.agency.identifier_code,
                    when=dt.datetime.now(xml_io.VIETNAM)))
            self.assertEqual(answer['outcome'], 'accepted')
            seen.append(recipient.__class__(recipient.id).state)
        self.assertEqual(seen,
            ['assigned', 'assigned', 'completed', 'completed'])

    @with_transaction()
    def test_recall_sends_status_13(self):
        "Recalling from an agency elsewhere queues status 13 to it"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Recipient = pool.get('mvp.outgoing.recipient')
        outgoing = self.released_elsewhere()
        with self.acting(self.clerk):
            outgoing.__class__.recall_recipients(
                list(outgoing.recipients), "Ban hành nhầm")
        status, = Message.search([('kind', '=', 'status')])
        self.assertEqual((status.direction, status.status_code,
                status.recipient_code), ('out', '13', ELSEWHERE))
        parsed = xml_io.parse(status.data)
        self.assertEqual(parsed.response_for.document_id,
            outgoing.identifier)
        self.assertEqual(parsed.description, "Ban hành nhầm")
        # until the agency answers 15 or 16
        self.assertEqual(Recipient(outgoing.recipients[0].id).state,
            'recall_requested')

    @with_transaction()
    def test_classified_never_packaged(self):
        "A secret document to an agency elsewhere is refused at release"
        Message = Pool().get('mvp.interchange.message')
        with self.assertRaises(UserError):
            self.released_elsewhere(confidentiality='secret')
        self.assertEqual(Message.search([]), [])
