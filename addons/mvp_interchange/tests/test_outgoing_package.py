# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A released outgoing document to an agency on another installation
becomes an edXML package in the outbox; its statuses come back."""
import datetime as dt
import io
import unittest

from lxml import etree

from trytond.exceptions import UserError
from trytond.modules.mvp_documents.tests.test_outgoing import OutgoingSetup
from trytond.modules.mvp_interchange import xml_io
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .pdf import padded_pdf
from .test_interchange import make_peer, status_data
from .test_xml_io import make_package

ELSEWHERE = '000.00.00.H41'  # UBND tỉnh Nghệ An, on another installation
ALSO_ELSEWHERE = '000.01.00.H41'  # its Sở Tài chính


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


def two_page_pdf():
    from reportlab.pdfgen import canvas
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for page in ("Trang 1", "Trang 2"):
        pdf.drawString(72, 720, page)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def from_elsewhere(data, to_code):
    """The package data as an installation elsewhere would send it to
    to_code: a peer never speaks for an agency of this one"""
    package = xml_io.parse(data)
    try:
        package.sender = xml_io.Organization(ELSEWHERE,
            organ_name="UBND tỉnh Nghệ An")
        package.recipients = [xml_io.Organization(to_code)]
        return xml_io.package_bytes(package)
    finally:
        package.close()


class OutgoingFieldsTestCase(OutgoingSetup, unittest.TestCase):
    "Every field of the document goes out and comes back; updates"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_interchange')

    def setup_exchange(self):
        pool = Pool()
        Route = pool.get('mvp.interchange.route')
        self.setup_agencies(3)
        self.agency.place = "Thái Bình"
        self.agency.save()
        self.peer = make_peer('nghe-an')
        Route.create([{'identifier_code': c, 'peer': self.peer.id}
                for c in [ELSEWHERE, ALSO_ELSEWHERE]])

    def receive(self, data):
        Message = Pool().get('mvp.interchange.message')
        return Message.receive(self.peer, data)

    def released(self, answers=(), **values):
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Recipient = pool.get('mvp.outgoing.recipient')
        File = pool.get('mvp.document.file')
        outgoing = self.approved(self.new_outgoing(**values))
        with self.acting(self.clerk):
            Outgoing.assign_number([outgoing])
        if answers:
            Outgoing.write([outgoing], {'answers': [('add', answers)]})
        Recipient.create([{
                    'outgoing': outgoing.id, 'kind': 'outside',
                    'name': "UBND tỉnh Nghệ An",
                    'identifier_code': ELSEWHERE}, {
                    'outgoing': outgoing.id, 'kind': 'agency',
                    'agency': self.agencies[1].id,
                    'purpose': 'information'}])
        File.create([{'resource': str(outgoing), 'kind': 'signed',
                    'name': 'to-trinh-signed.pdf', 'data': two_page_pdf()},
                {'resource': str(outgoing), 'kind': 'appendix',
                    'name': 'Phụ lục 1.xlsx', 'data': b'PK appendix'}])
        with self.acting(self.clerk):
            Outgoing.release([outgoing])
        return Outgoing(outgoing.id)

    def sent(self, outgoing, business_type=xml_io.NEW):
        Message = Pool().get('mvp.interchange.message')
        message, = Message.search([('direction', '=', 'out'),
                ('kind', '=', 'package'), ('recipient_code', '=', ELSEWHERE),
                ('document_id', '=', outgoing.identifier),
                ('business_type', '=', business_type)])
        return message

    @with_transaction()
    def test_every_field_goes_out_and_comes_back(self):
        "Each filled field of the outgoing is in its package, and the "
        "receiver of that package keeps each of them as sent"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        self.setup_exchange()
        here = self.agency.identifier_code
        # a document from elsewhere, which the outgoing answers
        asked = self.receive(xml_io.package_bytes(make_package(
                    sender=xml_io.Organization(ELSEWHERE),
                    recipients=[xml_io.Organization(here)],
                    document_id=f'{ELSEWHERE},2026/11/20,51/TTr-STTTT')))
        asked = Incoming(asked['documents'][0])
        due = dt.date.today() + dt.timedelta(days=10)
        outgoing = self.released(answers=[asked.id], reply_due=due,
            signer_competence='KT.', signer_for="GIÁM ĐỐC",
            steering_type='2', copies=5, pages=7, urgency='urgent')

        package = xml_io.parse(self.sent(outgoing).data)
        try:
            self.assertEqual(
                (package.place, package.due_date, package.to_places,
                    package.signer_competence, package.signer_position,
                    package.signer_name, package.promulgation_amount,
                    package.page_amount, package.appendixes,
                    package.steering_type, package.priority),
                ("Thái Bình", due, [self.agencies[1].rec_name],
                    "KT. GIÁM ĐỐC", "Giám đốc", "Nguyễn Văn An", '5',
                    # counted in the PDF, not the 7 typed
                    '2', ['Phụ lục 1.xlsx'], '2', '1'))
            response, = package.response_for
            self.assertEqual((response.organ_id, response.code,
                    response.promulgation_date, response.document_id),
                (ELSEWHERE, '51/TTr-STTTT', '2026/11/20',
                    f'{ELSEWHERE},2026/11/20,51/TTr-STTTT'))
        finally:
            package.close()

        # the receiver elsewhere: each field as it was sent
        there = self.agencies[2]
        answer = self.receive(from_elsewhere(self.sent(outgoing).data,
                there.identifier_code))
        self.assertEqual(answer['outcome'], 'accepted')
        received = Incoming(answer['documents'][0])
        self.assertEqual(received.company, there)
        sent = {
            'notation': outgoing.notation,
            'issue_date': outgoing.issue_date,
            'subject': outgoing.subject,
            'signer_name': "Nguyễn Văn An",
            'signer_competence': "KT. GIÁM ĐỐC",
            'signer_position': "Giám đốc",
            'place': "Thái Bình",
            'deadline': due,
            'copies': 5,
            'pages': 2,
            'appendixes': 'Phụ lục 1.xlsx',
            'to_places': self.agencies[1].rec_name,
            'steering_type': '2',
            'urgency': 'urgent',
            'response_references': (f'{ELSEWHERE}, 51/TTr-STTTT, '
                f'2026/11/20, {ELSEWHERE},2026/11/20,51/TTr-STTTT'),
            }
        self.assertEqual({k: getattr(received, k) for k in sent}, sent)
        # the agency on this installation gets the same fields
        local, = Incoming.search([('company', '=', self.agencies[1].id)])
        self.assertEqual(
            (local.signer_competence, local.place, local.copies,
                local.deadline, local.steering_type, local.appendixes),
            ("KT. GIÁM ĐỐC", "Thái Bình", 5, due, '2', 'Phụ lục 1.xlsx'))

        # the answer from elsewhere links to our outgoing
        answer = self.receive(xml_io.package_bytes(make_package(
                    sender=xml_io.Organization(ELSEWHERE),
                    recipients=[xml_io.Organization(here)],
                    code_number='77',
                    document_id=f'{ELSEWHERE},2026/11/20,77/TTr-STTTT',
                    response_for=[xml_io.ResponseFor(here,
                            outgoing.notation,
                            xml_io.format_date(outgoing.issue_date),
                            outgoing.identifier)])))
        self.assertEqual(Incoming(answer['documents'][0]).response_for,
            outgoing)

    @with_transaction()
    def test_update_corrects_the_document_at_the_receiver(self):
        "The clerk's correction goes out as an update (type 2); the "
        "receiver corrects the document it has and notes the change; an "
        "update of a document it never had is refused with status 02"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        Message = pool.get('mvp.interchange.message')
        Outgoing = pool.get('mvp.outgoing')
        SendUpdate = pool.get('mvp.outgoing.send_update', type='wizard')
        self.setup_exchange()
        outgoing = self.released()
        there = self.agencies[2].identifier_code
        first = self.receive(from_elsewhere(self.sent(outgoing).data, there))
        received = Incoming(first['documents'][0])
        old_subject = outgoing.subject

        # a user's own write of the frozen fields is refused
        with self.acting(self.clerk), check_access(), \
                self.assertRaises(UserError):
            Outgoing.write([outgoing], {'reply_due': dt.date.today()})
        due = dt.date.today() + dt.timedelta(days=5)
        correction = {'start': {
                'outgoing': outgoing.id,
                'subject': "Về việc phê duyệt mã định danh (sửa)",
                'urgency': 'normal', 'reply_due': due,
                'signer_competence': 'KT.',
                'signer_for': "GIÁM ĐỐC", 'steering_type': None,
                'reason': "Sửa trích yếu"}}
        context = {'active_model': 'mvp.outgoing',
            'active_id': outgoing.id, 'active_ids': [outgoing.id]}
        # the clerk's, not the drafter's
        with self.acting(self.drafter), check_access(), \
                Transaction().set_context(context), \
                self.assertRaises(UserError):
            session_id, _, _ = SendUpdate.create()
            SendUpdate.execute(session_id, correction, 'send')
        self.assertEqual(Outgoing(outgoing.id).subject, old_subject)
        with self.acting(self.clerk), check_access(), \
                Transaction().set_context(context):
            session_id, _, _ = SendUpdate.create()
            SendUpdate.execute(session_id, correction, 'send')
        outgoing = Outgoing(outgoing.id)
        self.assertEqual(outgoing.subject,
            "Về việc phê duyệt mã định danh (sửa)")
        # the agency on this installation corrects its copy at once
        local, = Incoming.search([('company', '=', self.agencies[1].id)])
        self.assertEqual((local.subject, local.deadline),
            (outgoing.subject, due))
        self.assertIn("Sửa trích yếu", local.exchange_updates)
        update = self.sent(outgoing, xml_io.UPDATE)
        package = xml_io.parse(update.data)
        try:
            self.assertEqual((package.business.document_id,
                    package.business.reason, package.business.document_info,
                    package.subject, package.due_date,
                    package.signer_competence),
                (outgoing.identifier, "Sửa trích yếu", '1',
                    outgoing.subject, due, "KT. GIÁM ĐỐC"))
        finally:
            package.close()

        before = Incoming.search([], count=True)
        answer = self.receive(from_elsewhere(update.data, there))
        self.assertEqual(answer['outcome'], 'accepted')
        self.assertEqual(Incoming.search([], count=True), before)
        received = Incoming(received.id)
        self.assertEqual((received.subject, received.deadline,
                received.signer_competence),
            (outgoing.subject, due, "KT. GIÁM ĐỐC"))
        self.assertIn("Sửa trích yếu", received.exchange_updates)
        self.assertIn(f'{old_subject} → {outgoing.subject}',
            received.exchange_updates)

        # an update of a document never received here
        unknown = xml_io.parse(update.data)
        try:
            unknown.sender = xml_io.Organization(ELSEWHERE)
            unknown.recipients = [xml_io.Organization(there)]
            unknown.document_id = unknown.business.document_id = (
                f'{ELSEWHERE},2026/11/20,99/CV-UBND')
            data = xml_io.package_bytes(unknown)
        finally:
            unknown.close()
        answer = self.receive(data)
        self.assertEqual((answer['outcome'], answer['code'],
                answer['status_code']),
            ('rejected', 'unknown_document', '02'))
        self.assertIn('99/CV-UBND', answer['message'])
        reply, = Message.search([('package', '=', answer['id'])])
        self.assertEqual((reply.direction, reply.status_code,
                reply.recipient_code), ('out', '02', ELSEWHERE))

    @with_transaction()
    def test_recipient_added_after_release_sends_an_update(self):
        "A recipient added after the release gets the document; those "
        "that have it get an update naming the new recipient"
        pool = Pool()
        Outgoing = pool.get('mvp.outgoing')
        Recipient = pool.get('mvp.outgoing.recipient')
        Message = pool.get('mvp.interchange.message')
        self.setup_exchange()
        outgoing = self.released()
        Recipient.create([{'outgoing': outgoing.id, 'kind': 'outside',
                    'name': "Sở Tài chính Nghệ An",
                    'identifier_code': ALSO_ELSEWHERE}])
        with self.acting(self.clerk):
            Outgoing.deliver([outgoing])
        new, = Message.search([('recipient_code', '=', ALSO_ELSEWHERE)])
        self.assertEqual(new.business_type, xml_io.NEW)
        package = xml_io.parse(self.sent(outgoing, xml_io.UPDATE).data)
        try:
            self.assertEqual((package.business.document_receiver,
                    package.business.receivers, package.attachments),
                ('1', [('1', ALSO_ELSEWHERE)], []))
        finally:
            package.close()
