# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import base64
import datetime as dt
import io
import os
import re
import unittest
import zipfile

from lxml import etree

from trytond.modules.mvp_interchange import xml_io
from trytond.modules.mvp_interchange.xml_io import (
    NS, Attachment, Business, EdxmlError, Organization, Package,
    Replacement, ResponseFor, Staff, Status)

DATA = os.path.join(os.path.dirname(__file__), 'data')


def sample(name):
    return os.path.join(DATA, name)


def make_pdf(text='Công văn thử nghiệm'):
    from reportlab.pdfgen import canvas
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_package(**kw):
    values = dict(
        sender=Organization(
            '000.00.00.H54', 'UBND tỉnh Thái Bình',
            'Sở Thông tin và Truyền thông', '1 Lê Lợi, Thái Bình',
            'stttt@thaibinh.gov.vn', '0227 3831 111', '', ''),
        recipients=[
            Organization('000.00.00.H41', organ_name='UBND tỉnh Nghệ An'),
            Organization('000.01.00.H41', organ_name='Sở Tài chính'),
            ],
        code_number='51', code_notation='TTr-STTTT', place='Thái Bình',
        promulgation_date=dt.date(2026, 11, 20),
        type_code='18', type_name='Tờ trình',
        subject='V/v kết nối, liên thông phần mềm & <thử>',
        signer_competence='KT. GIÁM ĐỐC', signer_position='PHÓ GIÁM ĐỐC',
        signer_name='Nguyễn Văn An', due_date=dt.date(2026, 12, 1),
        to_places=['Lưu: VT'], typer_notation='VP', page_amount='2',
        appendixes=['Phụ lục 1'],
        document_id='000.00.00.H54,2026/11/20,51/TTr-STTTT',
        attachments=[
            Attachment.from_bytes('to-trinh.pdf', make_pdf(),
                content_type='application/pdf', content_id='a1'),
            Attachment.from_bytes('ghi-chu.txt', 'Ghi chú'.encode(),
                content_type='text/plain', content_id='a2'),
            ])
    values.update(kw)
    return Package(**values)


class BuilderTestCase(unittest.TestCase):
    "edXML packages and statuses as we send them"

    def test_package_is_valid_per_our_schema(self):
        xml_io.validate(xml_io.package_bytes(make_package()))

    def test_every_element_in_envelope_has_edxml_prefix(self):
        data = xml_io.package_bytes(make_package()).decode()
        envelope = data[data.index('<edXML:edXMLEnvelope'):
            data.index('</edXML:edXMLEnvelope>')]
        tags = re.findall(r'</?([A-Za-z:]+)', envelope)
        self.assertTrue(tags)
        self.assertEqual([t for t in tags if not t.startswith('edXML:')], [])

    def test_message_header_follows_section_1_3_order(self):
        tree = etree.fromstring(xml_io.package_bytes(make_package()))
        header = tree.find('.//{%s}MessageHeader' % NS)
        names = [etree.QName(c).localname for c in header]
        self.assertEqual(names, ['From', 'To', 'To', 'Code',
                'PromulgationInfo', 'DocumentType', 'Subject', 'Content',
                'SignerInfo', 'DueDate', 'ToPlaces', 'OtherInfo',
                'SteeringType', 'DocumentId'])

    def test_required_elements_present_even_when_empty(self):
        package = make_package(due_date=None, to_places=[], appendixes=[])
        data = xml_io.package_bytes(package)
        xml_io.validate(data)
        for tag in ['DueDate', 'ToPlaces', 'Appendixes', 'Fax', 'Website',
                'ReceiverList', 'ReplacementInfoList']:
            self.assertIn(f'<edXML:{tag}>'.encode(), data)

    def test_business_types_round_trip(self):
        for doc_type in ['0', '1', '2', '3']:
            with self.subTest(doc_type=doc_type):
                business = Business(doc_type=doc_type,
                    reason='Văn bản thay thế',
                    document_id='000.00.00.H54,2026/11/01,50/TTr-STTTT',
                    document_info='1', document_receiver='1',
                    receivers=[('1', '000.02.00.H41'),
                        ('0', '000.01.00.H41')],
                    staff=Staff('Văn phòng', 'Trần Thị Bình', '', ''),
                    replacements=[Replacement(
                            '000.00.00.H54,2026/11/01,50/TTr-STTTT',
                            ['000.00.00.H41'])])
                data = xml_io.package_bytes(
                    make_package(business=business))
                xml_io.validate(data)
                parsed = xml_io.parse(data)
                self.assertEqual(parsed.business, business)
                self.assertEqual(parsed.business_type, doc_type)

    def test_attachments_round_trip(self):
        package = make_package()
        parsed = xml_io.parse(xml_io.package_bytes(package))
        self.assertEqual(
            [(a.name, a.content_type, a.read()) for a in parsed.attachments],
            [(a.name, a.content_type, a.read())
                for a in package.attachments])
        self.assertEqual(xml_io.fatal(xml_io.check(parsed)), [])

    def test_header_fields_round_trip(self):
        package = make_package()
        parsed = xml_io.parse(xml_io.package_bytes(package))
        for name in ['sender', 'recipients', 'code_number', 'code_notation',
                'promulgation_date', 'type_name', 'subject', 'signer_name',
                'due_date', 'to_places', 'appendixes', 'document_id']:
            self.assertEqual(
                getattr(parsed, name), getattr(package, name), name)
        self.assertEqual(parsed.notation, '51/TTr-STTTT')

    def test_schema_rejects_a_bad_organ_id(self):
        package = make_package(sender=Organization('vxp.saas.03',
                organ_name='X'))
        with self.assertRaises(EdxmlError) as context:
            xml_io.validate(xml_io.package_bytes(package))
        self.assertEqual(context.exception.code, 'schema')

    def test_status_in_message_header_form(self):
        status = Status(
            sender=Organization('000.00.00.H41', organ_name='UBND Nghệ An'),
            response_for=ResponseFor('000.00.00.H54', '51/TTr-STTTT',
                '2026/11/20', '000.00.00.H54,2026/11/20,51/TTr-STTTT'),
            status_code='04', description='Lãnh đạo: Phân công xử lý',
            timestamp=dt.datetime(2026, 11, 21, 9, 30,
                tzinfo=xml_io.VIETNAM),
            staff=Staff('Văn phòng', 'Lê Văn C', '', ''))
        data = xml_io.status_bytes(status)
        xml_io.validate(data, 'status')
        tree = etree.fromstring(data)
        self.assertIsNotNone(tree.find(
                '{%s}edXMLEnvelope/{%s}edXMLHeader/{%s}MessageHeader/'
                '{%s}StatusCode' % (NS, NS, NS, NS)))
        parsed = xml_io.parse(data)
        self.assertEqual(parsed, status)

    def test_all_status_codes_valid(self):
        for code in xml_io.STATUS_CODES:
            with self.subTest(code=code):
                status = Status(
                    sender=Organization('000.00.00.H41', organ_name='A'),
                    response_for=ResponseFor('000.00.00.H54', '1/X', '',
                        'doc'),
                    status_code=code)
                xml_io.validate(xml_io.status_bytes(status), 'status')


class LiberalParserTestCase(unittest.TestCase):
    "What other systems write is read"

    def test_default_namespace_without_prefix(self):
        data = xml_io.package_bytes(make_package())
        plain = re.sub(rb'(</?)edXML:', rb'\1', data)
        parsed = xml_io.parse(plain)
        self.assertEqual(parsed.subject, make_package().subject)
        self.assertEqual(len(parsed.attachments), 2)

    def test_utf16_with_bom(self):
        data = xml_io.package_bytes(make_package()).decode()
        data = data.replace('encoding="utf-8"', 'encoding="UTF-16"')
        parsed = xml_io.parse(data.encode('utf-16'))
        self.assertEqual(parsed.signer_name, 'Nguyễn Văn An')

    def test_element_order_does_not_matter(self):
        tree = etree.fromstring(xml_io.package_bytes(make_package()))
        header = tree.find('.//{%s}MessageHeader' % NS)
        header[:] = list(reversed(header))
        attachment = tree.find('.//{%s}Attachment' % NS)
        attachment[:] = list(reversed(attachment))
        parsed = xml_io.parse(etree.tostring(tree))
        self.assertEqual(parsed.code_number, '51')
        self.assertEqual(parsed.attachments[0].name, 'to-trinh.pdf')
        self.assertEqual(xml_io.fatal(xml_io.check(parsed)), [])

    def test_base64_wrapped_and_cid_doubled(self):
        tree = etree.fromstring(xml_io.package_bytes(make_package()))
        for node in tree.iter('{%s}ContentTransferEncoded' % NS):
            raw = base64.b64decode(node.text)
            node.text = '\n' + base64.encodebytes(raw).decode()
        for node in tree.iter('{%s}ContentId' % NS):
            node.text = 'cid:cid:' + xml_io.strip_cid(node.text)
        parsed = xml_io.parse(etree.tostring(tree))
        self.assertEqual(parsed.attachments[1].read(), 'Ghi chú'.encode())
        self.assertEqual(parsed.attachments[1].content_id, 'a2')

    def test_strip_cid(self):
        for value, expected in [('cid:x', 'x'), ('cid:cid:x', 'x'),
                ('CID: x', 'x'), ('<cid:x>', 'x'), ('x', 'x')]:
            with self.subTest(value=value):
                self.assertEqual(xml_io.strip_cid(value), expected)

    def test_dates_in_wire_formats(self):
        for text, expected in [
                ('2026/11/20', dt.date(2026, 11, 20)),
                ('2026-11-20', dt.date(2026, 11, 20)),
                ('20/11/2026', dt.date(2026, 11, 20)),
                ('2026/11/20 23:30:00', dt.date(2026, 11, 20))]:
            with self.subTest(text=text):
                self.assertEqual(xml_io.parse_date(text), expected)

    def test_sample_zip_flagged_on_attachment_only_is_unzipped(self):
        parsed = xml_io.parse(sample(
                'ioffice-gateway_3-txt_zip-flagged-on-attachment-only.edxml'))
        self.assertEqual([(a.name, a.content_type, a.size, a.unzipped)
                for a in parsed.attachments], [
                ('localA.txt', 'text/plain', 11, True),
                ('localB.txt', 'text/plain', 11, True),
                ('localC.txt', 'text/plain', 11, True)])

    def test_sample_zipped_but_labelled_text_is_sniffed(self):
        parsed = xml_io.parse(sample(
                'ioffice-gateway_3-txt_zipped-but-labelled-text-plain.edxml'))
        self.assertTrue(all(a.unzipped and a.size == 11
                for a in parsed.attachments))

    def test_sample_pdf_zipped_but_labelled_pdf_opens(self):
        parsed = xml_io.parse(sample(
                'ioffice-axis-download_pdf_zipped-but-labelled-pdf.edxml'))
        attachment, = parsed.attachments
        self.assertEqual((attachment.size, attachment.content_type),
            (11229, 'application/pdf'))
        self.assertEqual(xml_io.pdf_problem(attachment.stream), '')
        self.assertEqual(parsed.appendixes, ['Phụ lục'])

    def test_sample_corrupted_pdf_is_rejected(self):
        parsed = xml_io.parse(sample(
                'ioffice-axis-download_pdf_raw-but-corrupted.edxml'))
        problems = xml_io.check(parsed, known_codes={'vxp.saas.03'})
        self.assertEqual([p.code for p in xml_io.fatal(problems)], ['pdf'])

    def test_sample_minimal_header_is_rejected(self):
        parsed = xml_io.parse(sample(
                'ioffice-gateway_minimal-header-only.edxml'))
        problems = xml_io.fatal(
            xml_io.check(parsed, known_codes={'vxp.saas.03'}))
        self.assertEqual({p.code for p in problems}, {'missing'})
        self.assertIn('Code/CodeNumber', problems[0].message)

    def test_sample_axis_ids_are_not_organization_codes(self):
        parsed = xml_io.parse(sample(
                'ioffice-gateway_3-txt_zip-flagged-on-attachment-only.edxml'))
        codes = {p.code for p in xml_io.fatal(xml_io.check(parsed))}
        self.assertEqual(codes, {'organ_id'})

    def _zip(self, entries):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w') as archive:
            for name, data in entries:
                archive.writestr(name, data)
        return buffer.getvalue()

    def test_unzip_rule(self):
        docx = self._zip([('[Content_Types].xml', '<Types/>'),
                ('word/document.xml', '<w/>')])
        odt = self._zip([('mimetype', 'application/vnd.oasis')])
        zipped_docx = self._zip([('inner.docx', docx)])
        cases = [
            ('a.docx', 'application/zip', docx, False),
            ('a.docx', 'application/vnd.openxmlformats-officedocument.'
                'wordprocessingml.document', docx, False),
            ('a.odt', 'application/zip', odt, False),
            ('a.docx', 'application/zip', zipped_docx, True),
            ('a.docx', 'application/docx', zipped_docx, True),
            ('a.zip', 'application/zip', self._zip([('x.txt', 'x')]), False),
            ('a.txt', 'text/plain', self._zip([('u.txt', 'x')]), True),
            ('a.txt', 'text/plain', self._zip([('u.pdf', 'x')]), False),
            ('a.txt', 'text/plain', self._zip(
                    [('u.txt', 'x'), ('v.txt', 'y')]), False),
            ]
        for name, ctype, data, unzipped in cases:
            with self.subTest(name=name, ctype=ctype, unzipped=unzipped):
                package = make_package(attachments=[
                        Attachment.from_bytes(name, data,
                            content_type=ctype, content_id='c')])
                parsed = xml_io.parse(xml_io.package_bytes(package))
                attachment, = parsed.attachments
                self.assertEqual(attachment.unzipped, unzipped)
                if not unzipped:
                    self.assertEqual(attachment.read(), data)
                if name.endswith('.docx'):
                    self.assertEqual(attachment.content_type,
                        'application/vnd.openxmlformats-officedocument.'
                        'wordprocessingml.document')

    def test_zip_bomb_attachment_is_refused(self):
        from trytond.modules.mvp_documents.tests.hostile_files import (
            MB, zip_bomb)
        bomb = zip_bomb(4 * MB)
        package = make_package(attachments=[
                Attachment.from_bytes('bao-cao.txt', bomb,
                    content_type='application/zip', content_id='c')])
        with self.assertRaises(xml_io.EdxmlError) as cm:
            xml_io.parse(xml_io.package_bytes(package))
        self.assertEqual(cm.exception.code, 'zip_ratio')
        self.assertIn('bao-cao.txt', cm.exception.message)

    def test_too_many_elements_are_refused(self):
        data = xml_io.package_bytes(make_package())
        padding = b'<edXML:Extra/>' * 1001
        data = data.replace(b'</edXML:edXMLHeader>',
            padding + b'</edXML:edXMLHeader>')
        with self.assertRaises(xml_io.EdxmlError) as cm:
            xml_io.parse(data, max_elements=1000)
        self.assertEqual(cm.exception.code, 'xml_elements')
        xml_io.parse(data, max_elements=2000).close()

    def test_content_type_from_attachment_not_manifest(self):
        data = xml_io.package_bytes(make_package())
        data = data.replace(b'<edXML:ContentType>application/pdf<',
            b'<edXML:ContentType>application/zip<')
        parsed = xml_io.parse(data)
        self.assertEqual(parsed.attachments[0].content_type,
            'application/pdf')

    def test_legacy_status_block(self):
        data = f'''<?xml version="1.0" encoding="utf-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:edXML="{NS}"><SOAP-ENV:Header><edXML:Status>
<edXML:ResponseFor><edXML:OrganId>000.00.00.H54</edXML:OrganId>
<edXML:Code>51/TTr-STTTT</edXML:Code>
<edXML:PromulgationDate>20/11/2026</edXML:PromulgationDate>
<edXML:DocumentId>000.00.00.H54,2026/11/20,51/TTr-STTTT</edXML:DocumentId>
</edXML:ResponseFor>
<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:From>
<edXML:Description>Đã đến</edXML:Description>
<edXML:Timestamp>21/11/2026 08:01:02</edXML:Timestamp>
<edXML:StatusCode>1</edXML:StatusCode>
</edXML:Status></SOAP-ENV:Header></SOAP-ENV:Envelope>'''.encode()
        status = xml_io.parse(data)
        self.assertIsInstance(status, Status)
        self.assertEqual(status.status_code, '01')
        self.assertEqual(status.timestamp, dt.datetime(2026, 11, 21, 8, 1, 2,
                tzinfo=xml_io.VIETNAM))
        self.assertEqual(status.sender.organ_id, '000.00.00.H41')

    def test_unknown_status_code_rejected(self):
        status = Status(sender=Organization('000.00.00.H41'),
            response_for=ResponseFor(document_id='d'), status_code='99')
        with self.assertRaises(EdxmlError) as context:
            xml_io.parse(xml_io.status_bytes(status))
        self.assertEqual(context.exception.code, 'status_code')

    def test_dates_checked(self):
        package = make_package(promulgation_date=dt.date(2099, 1, 1))
        parsed = xml_io.parse(xml_io.package_bytes(package))
        self.assertEqual([p.code for p in xml_io.fatal(
                    xml_io.check(parsed))], ['date'])
        data = xml_io.package_bytes(make_package()).replace(
            b'2026/11/20</edXML:PromulgationDate>',
            b'yesterday</edXML:PromulgationDate>')
        self.assertEqual([p.code for p in xml_io.fatal(
                    xml_io.check(xml_io.parse(data)))], ['date'])

    def test_broken_pdf_rejected(self):
        pdf = make_pdf()
        broken = pdf[:200] + pdf[200:].replace(b'stream', b'strea\xef\xbf\xbd')
        for data in [broken, pdf[:len(pdf) // 2], b'%PDF-1.4 garbage']:
            with self.subTest(size=len(data)):
                package = make_package(attachments=[Attachment.from_bytes(
                            'x.pdf', data, content_type='application/pdf',
                            content_id='p')])
                parsed = xml_io.parse(xml_io.package_bytes(package))
                self.assertEqual([p.code for p in xml_io.fatal(
                            xml_io.check(parsed))], ['pdf'])

    def test_large_attachment_spooled_to_disk(self):
        data = os.urandom(3 * 1024 * 1024)
        package = make_package(attachments=[Attachment.from_bytes(
                    'big.bin', data, content_type='application/octet-stream',
                    content_id='b')])
        parsed = xml_io.parse(xml_io.package_bytes(package))
        attachment, = parsed.attachments
        self.assertTrue(attachment.stream._rolled)
        self.assertEqual(attachment.read(), data)
        parsed.close()


class HostileInputTestCase(unittest.TestCase):
    "Hostile and broken input is rejected with a reason"

    def assertRejected(self, data, code, **kw):
        with self.assertRaises(EdxmlError) as context:
            xml_io.parse(data, **kw)
        self.assertEqual(context.exception.code, code,
            context.exception.message)
        self.assertTrue(context.exception.message)
        return context.exception

    def test_xxe(self):
        data = (b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY x SYSTEM '
            b'"file:///etc/passwd">]><edXML xmlns="' + NS.encode()
            + b'"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>&x;'
            b'</Subject></MessageHeader></edXMLHeader></edXMLEnvelope>'
            b'</edXML>')
        error = self.assertRejected(data, 'dtd')
        self.assertNotIn('root:', error.message)

    def test_billion_laughs(self):
        entities = ''.join(f'<!ENTITY l{i} "' + f'&l{i - 1};' * 10 + '">'
            for i in range(1, 10))
        data = (f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY l0 "lol">'
            f'{entities}]><edXML>&l9;</edXML>').encode()
        self.assertRejected(data, 'dtd')

    def test_external_dtd(self):
        data = (b'<?xml version="1.0"?><!DOCTYPE edXML SYSTEM '
            b'"http://127.0.0.1:9/x.dtd"><edXML/>')
        self.assertRejected(data, 'dtd')

    def test_truncated(self):
        data = xml_io.package_bytes(make_package())
        self.assertRejected(data[:len(data) // 2], 'truncated')

    def test_not_xml(self):
        self.assertRejected(b'%PDF-1.4 this is not xml', 'not_xml')
        self.assertRejected(b'', 'not_xml')
        self.assertRejected(b'<html><body>hi</body></html>', 'not_edxml')

    def test_size_limit(self):
        data = xml_io.package_bytes(make_package())
        self.assertRejected(data, 'size', max_size=len(data) - 1)
        xml_io.parse(data, max_size=len(data))

    def test_depth_limit(self):
        data = (b'<edXML>' + b'<a>' * 1000 + b'</a>' * 1000 + b'</edXML>')
        self.assertRejected(data, 'depth')

    def test_invalid_base64(self):
        data = xml_io.package_bytes(make_package())
        start = data.index(b'<ContentTransferEncoded>') + 30
        data = data[:start] + b'!!!*' + data[start:]
        self.assertRejected(data, 'base64')

    def test_default_limits(self):
        self.assertEqual(xml_io.MAX_SIZE, 50 * 1024 * 1024)
