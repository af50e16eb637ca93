# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import json
from contextlib import contextmanager

from trytond.modules.company.tests import create_company
from trytond.modules.mvp_documents.tests.tools import load_vietnamese
from trytond.modules.mvp_interchange import xml_io
from trytond.modules.mvp_interchange.exceptions import (
    InterchangeError, RouteError)
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, RouteTestCase, with_transaction)
from trytond.transaction import Transaction

from .axis_server import StandInAxis
from .peerstub import ScriptedReceiver
from .test_xml_io import make_package

HERE = '000.00.00.H41'
THERE = '000.00.00.H54'


def make_agency(name, code):
    company = create_company(name=name)
    company.identifier_code = code
    company.save()
    return company


def make_peer(name='peer', url='http://127.0.0.1:9/db/mvp/edxml',
        kind='peer', codes=(), **values):
    "A peer; the routes of codes let it send in their names"
    pool = Pool()
    Peer = pool.get('mvp.interchange.peer')
    Route = pool.get('mvp.interchange.route')
    peer = Peer(name=name, url=url, kind=kind,
        incoming_key_secret=values.pop('incoming_key', name + '-in'),
        outgoing_key_secret=values.pop('outgoing_key', name + '-out'),
        **values)
    peer.save()
    Route.create([{'identifier_code': c, 'peer': peer.id} for c in codes])
    return peer


@contextmanager
def routed(code, peer_name, database=DB_NAME):
    "Commit a route of code to the peer for the block, then remove it"
    pool = Pool(database)
    with Transaction().start(database, 0) as transaction:
        Peer = pool.get('mvp.interchange.peer')
        Route = pool.get('mvp.interchange.route')
        peer, = Peer.search([('name', '=', peer_name)])
        route, = Route.create([{'identifier_code': code, 'peer': peer.id}])
        transaction.commit()
    try:
        yield
    finally:
        with Transaction().start(database, 0) as transaction:
            pool.get('mvp.interchange.route').delete([route])
            transaction.commit()


def status_data(code, document_id, sender=HERE, recipient=THERE,
        when=None):
    return xml_io.status_bytes(xml_io.Status(
            sender=xml_io.Organization(sender, organ_name='UBND'),
            response_for=xml_io.ResponseFor(recipient, '51/TTr-STTTT',
                '2026/11/20', document_id),
            status_code=code, description=f'status {code}',
            timestamp=when or dt.datetime(2026, 11, 21, 8, 0,
                tzinfo=xml_io.VIETNAM)))


class InterchangeTestCase(RouteTestCase):
    "Test the interchange models and endpoint"
    module = 'mvp_interchange'

    @classmethod
    def setUpDatabase(cls):
        make_agency('UBND tỉnh Nghệ An', '000.00.00.H42')
        make_peer('thai-binh', incoming_key='secret-tb')

    @with_transaction()
    def test_route_exact_code_before_default(self):
        "The directory routes an exact code before the default route"
        Route = Pool().get('mvp.interchange.route')
        a, b = make_peer('A'), make_peer('B')
        Route.create([
                {'identifier_code': '*', 'peer': b.id},
                {'identifier_code': THERE, 'name': 'UBND', 'peer': a.id},
                ])
        self.assertEqual(Route.peer_for(THERE), a)
        self.assertEqual(Route.peer_for('000.00.00.G22'), b)

    @with_transaction()
    def test_route_csv_round_trip(self):
        "Routes exported as CSV import back; bad lines are refused"
        Route = Pool().get('mvp.interchange.route')
        make_peer('A'), make_peer('B')
        Route.import_csv('identifier_code,name,peer\n'
            f'{THERE},UBND tỉnh Thái Bình,A\n*,Trục quốc gia,B\n')
        exported = Route.export_csv()
        self.assertEqual(exported.splitlines(), [
                'identifier_code,name,peer', '*,Trục quốc gia,B',
                f'{THERE},UBND tỉnh Thái Bình,A'])
        Route.import_csv(exported.replace('Trục quốc gia', 'VDXP'))
        self.assertEqual(len(Route.search([])), 2)
        self.assertEqual(Route.search([('identifier_code', '=', '*')])[0]
            .name, 'VDXP')
        with self.assertRaises(RouteError):
            Route.import_csv('identifier_code,name,peer\nX,Y,Unknown\n')

    @with_transaction()
    def test_hostile_package_rejected_and_nothing_kept(self):
        "XXE, truncated and non-XML packages are logged rejected, no data"
        Message = Pool().get('mvp.interchange.message')
        peer = make_peer()
        xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
            b'"file:///etc/passwd">]><edXML>&e;</edXML>')
        package = xml_io.package_bytes(make_package())
        for data, code in [(xxe, 'dtd'), (package[:500], 'truncated'),
                (b'hello', 'not_xml')]:
            with self.subTest(code=code):
                answer = Message.receive(peer, data)
                self.assertEqual((answer['outcome'], answer['code']),
                    ('rejected', code))
                message = Message(answer['id'])
                self.assertEqual(message.state, 'rejected')
                self.assertIsNone(message.data)
                self.assertTrue(message.last_error)

    @with_transaction()
    def test_unknown_recipient_kept_and_duplicate_answers_the_same(self):
        "A package for no agency here is rejected, kept, and a retry gets "
        "the same answer without a second record"
        Message = Pool().get('mvp.interchange.message')
        peer = make_peer(codes=[THERE])
        data = xml_io.package_bytes(make_package())
        first = Message.receive(peer, data, message_id='m1')
        self.assertEqual(first['code'], 'unknown_recipient')
        again = Message.receive(peer, data, message_id='m1')
        self.assertEqual(again, first)
        message, = Message.search([('message_id', '=', 'm1')])
        self.assertEqual(message.duplicates, 1)
        self.assertTrue(message.data)

    @with_transaction()
    def test_broken_pdf_rejected_with_reason(self):
        "A package whose PDF does not open is rejected and not stored"
        Message = Pool().get('mvp.interchange.message')
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        package = make_package(attachments=[xml_io.Attachment.from_bytes(
                    'a.pdf', b'%PDF-1.4\n\xef\xbf\xbd broken',
                    content_type='application/pdf', content_id='x')])
        answer = Message.receive(peer, xml_io.package_bytes(package))
        self.assertEqual(answer['code'], 'pdf')
        self.assertIn('a.pdf', answer['message'])
        self.assertIsNone(Message(answer['id']).data)

    @with_transaction()
    def test_bomb_packages_rejected_with_status_02_and_not_stored(self):
        "A ZIP bomb or a FlateDecode-bomb PDF in a package is refused "
        "(status 02) with the limit it broke; nothing of it is stored"
        from trytond.modules.mvp_documents.tests.hostile_files import (
            MB, pdf_flate_bomb, zip_bomb)
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Incoming = pool.get('mvp.incoming')
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        for name, data, ctype, code, text in [
                ('bao-cao.txt', zip_bomb(4 * MB), 'application/zip',
                    'zip_ratio', 'bao-cao.txt'),
                ('bom.pdf', pdf_flate_bomb(300 * MB), 'application/pdf',
                    'pdf', 'too large (limit 128 MB)'),
                ]:
            with self.subTest(name=name):
                package = make_package(attachments=[
                        xml_io.Attachment.from_bytes(name, data,
                            content_type=ctype, content_id='x')])
                answer = Message.receive(
                    peer, xml_io.package_bytes(package))
                self.assertEqual((answer['outcome'], answer['code'],
                        answer['status_code']), ('rejected', code, '02'))
                self.assertIn(text, answer['message'])
                self.assertIsNone(Message(answer['id']).data)
                self.assertEqual(Incoming.search_count([]), 0)

    @with_transaction()
    def test_due_date_past_on_arrival_kept_in_notes(self):
        "A document whose due date passed before it arrived is accepted; "
        "the date goes to the notes, not to the deadline"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Incoming = pool.get('mvp.incoming')
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        package = make_package(due_date=dt.date.today() - dt.timedelta(3))
        answer = Message.receive(peer, xml_io.package_bytes(package))
        self.assertEqual(answer['outcome'], 'accepted')
        incoming, = Incoming.browse(answer['documents'])
        self.assertEqual(incoming.state, 'received')
        self.assertNotEqual(incoming.deadline, package.due_date)
        self.assertIn(package.due_date.strftime('%d/%m/%Y'), incoming.notes)

    @with_transaction()
    def test_destroyed_document_empties_its_package(self):
        "When a document's files are destroyed its edXML goes too"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Incoming = pool.get('mvp.incoming')
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        package = make_package()
        answer = Message.receive(peer, xml_io.package_bytes(package))
        incoming, = Incoming.browse(answer['documents'])
        message = incoming.origin
        self.assertTrue(message.data)
        lines = Incoming.purge_copies([incoming])
        message = Message(message.id)
        self.assertIsNone(message.data)
        # the log of what was exchanged stays
        self.assertEqual(message.state, 'accepted')
        self.assertTrue(any(message.filename in l for l in lines))

    @with_transaction()
    def test_outbox_retries_with_backoff_then_dead_letter(self):
        "Failures are retried with growing delays, the same message id, "
        "then dead-lettered"
        Message = Pool().get('mvp.interchange.message')
        replies = [(500, {'error': 'boom'}), 'close'] + [
            (503, {})] * 20
        with ScriptedReceiver(replies) as receiver:
            peer = make_peer(url=receiver.url)
            message = Message.queue_out('status', b'<edXML/>', THERE,
                peer=peer)
            delays = []
            for _ in range(10):
                Message.write([message], {'next_attempt': dt.datetime.now()})
                Message.send([message])
                if message.state != 'retrying':
                    break
                delays.append(message.next_attempt - dt.datetime.now())
            self.assertEqual(message.state, 'dead')
            self.assertEqual(message.attempts, 10)
            ids = {h['X-Edxml-Message-Id'] for h, _ in receiver.received}
            self.assertEqual(ids, {message.message_id})
            self.assertEqual(len(receiver.received), 10)
        rounded = [round(d.total_seconds(), -1) for d in delays]
        self.assertEqual(rounded[:5], [30, 120, 1200, 3600, 10800])
        self.assertEqual(rounded[-1], 10800)
        Message.resend([message])
        self.assertEqual((message.state, message.attempts), ('queued', 0))

    @with_transaction()
    def test_outbox_sent_and_rejected(self):
        "An accepted answer marks the message sent, a rejection is final"
        Message = Pool().get('mvp.interchange.message')
        replies = [(200, {'outcome': 'duplicate', 'id': 7}),
            (422, {'outcome': 'rejected', 'code': 'pdf', 'message': 'x'})]
        with ScriptedReceiver(replies) as receiver:
            peer = make_peer(url=receiver.url)
            sent = Message.queue_out('status', b'<a/>', THERE, peer=peer)
            rejected = Message.queue_out('status', b'<b/>', THERE, peer=peer)
            Message.send([sent])
            Message.send([rejected])
            headers, body = receiver.received[0]
            self.assertEqual(headers['Authorization'], 'Bearer peer-out')
            self.assertEqual(body, b'<a/>')
        self.assertEqual((sent.state, sent.remote_id), ('sent', '7'))
        self.assertEqual((rejected.state, rejected.error_code),
            ('rejected', 'pdf'))

    @with_transaction()
    def test_no_route_refused(self):
        "Queuing to an agency without a route says so"
        Message = Pool().get('mvp.interchange.message')
        with self.assertRaises(InterchangeError):
            Message.queue_out('status', b'<a/>', '000.00.00.G22')

    @with_transaction()
    def test_statuses_out_of_order_never_move_backwards(self):
        "Statuses arriving 04, 01, 06, 03, 06 leave the view at 06"
        Message = Pool().get('mvp.interchange.message')
        agency = make_agency('UBND tỉnh Thái Bình', THERE)
        peer = make_peer(codes=[HERE])
        document_id = f'{THERE},2026/11/20,51/TTr-STTTT'
        package = Message.queue_out('package', b'<p/>', HERE, peer=peer,
            agency=agency, document_id=document_id, business_type='0')
        seen = []
        for code in ['04', '01', '06', '03']:
            answer = Message.receive(peer, status_data(code, document_id))
            self.assertEqual(answer['outcome'], 'accepted')
            seen.append(Message(package.id).delivered_status)
        self.assertEqual(seen, ['04', '04', '06', '06'])
        again = Message.receive(peer, status_data('03', document_id))
        self.assertEqual(again['outcome'], 'duplicate')
        statuses = Message.search([('kind', '=', 'status')])
        self.assertEqual(len(statuses), 4)
        self.assertTrue(all(s.package == package for s in statuses))

    @with_transaction()
    def test_status_for_unknown_document_rejected(self):
        "A status about a document we never sent is rejected"
        Message = Pool().get('mvp.interchange.message')
        peer = make_peer(codes=[HERE])
        answer = Message.receive(peer, status_data('01', 'nope'))
        self.assertEqual((answer['outcome'], answer['code']),
            ('rejected', 'unknown_document'))

    @with_transaction()
    def test_package_outside_the_standard_refused_with_02(self):
        "A package in another namespace or with a business type outside "
        "QCVN 102 is refused with a Vietnamese reason and status 02 back"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        load_vietnamese(['mvp_interchange'])
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        data = xml_io.package_bytes(make_package())
        bkav = data.replace(xml_io.NS.encode(), b'http://www.e-doc.vn/Schema/')
        unknown_type = xml_io.package_bytes(make_package(
                business=xml_io.Business(doc_type='7')))
        for body, code, words in [(bkav, 'namespace', 'không gian tên'),
                (unknown_type, 'business_type', 'Loại nghiệp vụ "7"')]:
            with self.subTest(code=code), Transaction().set_context(
                    language='vi'):
                answer = Message.receive(peer, body, message_id=code)
                self.assertEqual(
                    (answer['outcome'], answer['code'],
                        answer['status_code']),
                    ('rejected', code, '02'))
                self.assertIn(words, answer['message'])
                message = Message(answer['id'])
                self.assertEqual(message.last_error, answer['message'])
                self.assertTrue(message.data)  # kept for the operator
                reply, = Message.search([('direction', '=', 'out'),
                        ('package', '=', message.id)])
                self.assertEqual((reply.kind, reply.status_code,
                        reply.recipient_code), ('status', '02', THERE))
                status = xml_io.parse(reply.data)
                self.assertEqual(status.status_code, '02')
                self.assertEqual(status.description, answer['message'])
                self.assertEqual(status.response_for.document_id,
                    make_package().document_id)

    @with_transaction()
    def test_liberal_in_prefixes_and_encodings(self):
        "Another prefix, the default namespace, a BOM and UTF-16 are read"
        Message = Pool().get('mvp.interchange.message')
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        def package(number):
            return xml_io.package_bytes(make_package(
                    document_id=f'000.00.00.H54,2026/11/20,{number}/TTr'))
        variants = {
            'prefix': package(1).replace(b'edXML:', b'q:').replace(
                b'xmlns:edXML=', b'xmlns:q='),
            'default': package(2).replace(b'edXML:', b''),
            'bom': b'\xef\xbb\xbf' + package(3),
            'utf16': package(4).decode().replace('encoding="utf-8"',
                'encoding="UTF-16"').encode('utf-16'),
            }
        for name, body in variants.items():
            with self.subTest(variant=name):
                answer = Message.receive(peer, body)
                self.assertEqual(answer['outcome'], 'accepted',
                    answer.get('message'))

    @with_transaction()
    def test_status_code_outside_01_16_refused(self):
        "A status code outside 01-16 is refused with a Vietnamese reason; "
        "one inside the range but unused here is read"
        Message = Pool().get('mvp.interchange.message')
        load_vietnamese(['mvp_interchange'])
        peer = make_peer(codes=[HERE])
        with Transaction().set_context(language='vi'):
            answer = Message.receive(peer, status_data('17', 'doc'))
        self.assertEqual((answer['outcome'], answer['code']),
            ('rejected', 'status_code'))
        self.assertIn('Mã trạng thái "17"', answer['message'])
        self.assertNotIn('status_code', answer)  # no 02 for a status
        self.assertEqual(Message(answer['id']).kind, 'status')
        answer = Message.receive(peer, status_data('10', 'doc'))
        self.assertEqual(answer['code'], 'unknown_document')

    @with_transaction()
    def test_legacy_text_converted_on_arrival(self):
        "A subject in TCVN3 and an issuer in VNI arrive as Unicode; the "
        "document keeps what arrived and says it was converted"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Incoming = pool.get('mvp.incoming')
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        subject = 'V/v b¸o c¸o t×nh h×nh thùc hiÖn kÕ ho¹ch n¨m 2026'
        issuer = 'UÛy ban nhaân daân tænh Thaùi Bình'
        package = make_package(subject=subject, content=subject,
            sender=xml_io.Organization('000.00.00.H54', '', issuer))
        answer = Message.receive(peer, xml_io.package_bytes(package))
        self.assertEqual(answer['outcome'], 'accepted', answer)
        incoming, = Incoming.browse(answer['documents'])
        self.assertEqual(incoming.subject,
            'V/v báo cáo tình hình thực hiện kế hoạch năm 2026')
        self.assertEqual(incoming.issuer_name,
            'Ủy ban nhân dân tỉnh Thái Bình')
        self.assertEqual(incoming.legacy_encoding, 'tcvn3')
        self.assertIn(subject, incoming.legacy_text)
        self.assertIn(issuer, incoming.legacy_text)
        # the same document in Unicode is left alone
        answer = Message.receive(peer, xml_io.package_bytes(make_package(
                    document_id='000.00.00.H54,2026/11/20,52/TTr-STTTT')))
        incoming, = Incoming.browse(answer['documents'])
        self.assertEqual(incoming.subject, make_package().subject)
        self.assertIsNone(incoming.legacy_encoding)
        self.assertIsNone(incoming.legacy_text)

    @with_transaction()
    def test_recall_request_waits_for_the_agencys_answer(self):
        "Status 13 asks the agency; its answer goes back as 15 or 16"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Incoming = pool.get('mvp.incoming')
        make_agency('UBND tỉnh Nghệ An', HERE)
        peer = make_peer(codes=[THERE])
        documents = [f'{THERE},2026/11/20,{n}/TTr-STTTT' for n in [51, 52]]
        incomings = []
        for document_id in documents:
            answer = Message.receive(peer, xml_io.package_bytes(
                    make_package(document_id=document_id)))
            incomings.extend(Incoming.browse(answer['documents']))
            answer = Message.receive(peer, status_data(
                    '13', document_id, sender=THERE, recipient=THERE))
            self.assertEqual(answer['outcome'], 'accepted', answer)
        agreed, refused = Incoming.browse(incomings)
        self.assertEqual({(i.state, i.recall_state) for i in incomings},
            {('received', 'requested')})
        with Transaction().set_user(0):
            Incoming.agree_recall([agreed])
            Incoming.refuse_recall([refused], "Đã triển khai thực hiện")
        self.assertEqual(Incoming(agreed).state, 'cancelled')
        self.assertEqual(Incoming(refused).state, 'received')
        answers = Message.search([('direction', '=', 'out'),
                ('kind', '=', 'status'), ('status_code', 'in', ['15', '16'])],
            order=[('status_code', 'ASC')])
        self.assertEqual(
            [(m.status_code, m.recipient_code) for m in answers],
            [('15', THERE), ('16', THERE)])
        parsed = xml_io.parse(answers[1].data)
        self.assertEqual(
            (parsed.response_for.document_id, parsed.description),
            (documents[1], "Đã triển khai thực hiện"))

    @with_transaction()
    def test_stuck_messages(self):
        "Messages undelivered past the configured time are stuck"
        Message = Pool().get('mvp.interchange.message')
        peer = make_peer()
        message = Message.queue_out('status', b'<a/>', THERE, peer=peer)
        self.assertEqual(Message.search([('stuck', '=', True)]), [])
        table = Message.__table__()
        Transaction().connection.cursor().execute(*table.update(
                [table.create_date],
                [dt.datetime.now() - dt.timedelta(hours=5)]))
        self.assertEqual(Message.search([('stuck', '=', True)]), [message])
        self.assertEqual(Message.check_stuck(), [message])

    @with_transaction()
    def test_axis_send_and_poll(self):
        "Through the stand-in axis: send, list, get, receive, update status"
        Message = Pool().get('mvp.interchange.message')
        Peer = Pool().get('mvp.interchange.peer')
        systems = {'sys-here': ('s1', [HERE]), 'sys-there': ('s2', [THERE])}
        with StandInAxis(systems) as axis:
            there = make_peer('axis-there', url=axis.url, kind='hub',
                system_id='sys-there', outgoing_key='s2')
            here = make_peer('axis-here', url=axis.url, kind='hub',
                system_id='sys-here', outgoing_key='s1', codes=[THERE])
            data = xml_io.package_bytes(make_package())
            message = Message.queue_out('package', data, HERE, peer=there,
                business_type='0')
            Message.send([message])
            self.assertEqual(message.state, 'sent')
            doc_id = axis.sent[message.remote_id]['to'][HERE]
            self.assertEqual(axis.states()[doc_id], 'inbox')
            Peer.poll_hubs([here], commit=False)
            received, = Message.search([('message_id', 'like', 'axis:%')])
            self.assertEqual(received.message_id, f'axis:{doc_id}')
            # no agency H41 here: rejected, reported to the axis as fail
            self.assertEqual(received.error_code, 'unknown_recipient')
            self.assertEqual(axis.states()[doc_id], 'fail')
            self.assertIn(('sys-here', 'updateStatus', '0'), axis.calls)
            answer = json.loads(received.answer)
            self.assertEqual(answer['outcome'], 'rejected')

    # POST /<database>/mvp/edxml

    def post(self, data, key='secret-tb', message_id=None):
        headers = {'Authorization': f'Bearer {key}'}
        if message_id:
            headers['X-Edxml-Message-Id'] = message_id
        response = self.client().post(f'/{self.db_name}/mvp/edxml',
            data=data, headers=headers)
        return response.status_code, json.loads(response.data)

    def test_unknown_key_refused(self):
        "A caller without a registered peer key is refused"
        status, answer = self.post(b'<edXML/>', key='wrong')
        self.assertEqual((status, answer['code']), (401, 'unauthorized'))

    def test_rejections_explained_and_duplicates_answered_the_same(self):
        "Rejections carry a code and message; a retry gets the same answer"
        data = xml_io.package_bytes(make_package())
        with routed(THERE, 'thai-binh'):
            status, first = self.post(data, message_id='abc')
            self.assertEqual((status, first['outcome'], first['code']),
                (422, 'rejected', 'unknown_recipient'))
            self.assertIn(HERE, first['message'])
            self.assertEqual(self.post(data, message_id='abc'),
                (status, first))
        for body, code in [(b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
                    'dtd'), (data[:-40], 'truncated'),
                (b'\x00\xff', 'not_xml')]:
            with self.subTest(code=code):
                status, answer = self.post(body)
                self.assertEqual((status, answer['code']), (422, code))
                self.assertTrue(answer['message'])
