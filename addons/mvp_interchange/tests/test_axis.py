# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The axis client on the vendor SDK's protocol, against the stand-in axis:
the signature as specified, the calls and every bad answer; then two
installations (Thái Bình and Nghệ An) exchanging documents and statuses
through it both ways, with duplicates, unknown docIds, HTML and empty
answers: a clear message for the operator, nothing lost, nothing
duplicated."""
import datetime as dt
import hashlib
import hmac
import json
import unittest
from contextlib import contextmanager

from trytond import config
from trytond.modules.mvp_interchange import axis_client
from trytond.modules.mvp_interchange.axis_client import AxisClient, AxisError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction, TransactionError

from . import twoservers_tool
from .axis_server import StandInAxis
from .test_xml_io import make_package
from .tools import OtherInstallation

THAI_BINH, NGHE_AN = '000.00.00.H54', '000.00.00.H41'
SYSTEMS = {'sys-tb': ('secret-tb', [THAI_BINH]),
    'sys-na': ('secret-na', [NGHE_AN])}


@contextmanager
def configured(**values):
    "Set [mvp_interchange] options for the block"
    if not config.has_section('mvp_interchange'):
        config.add_section('mvp_interchange')
    saved = {k: config.get('mvp_interchange', k) for k in values}
    for key, value in values.items():
        config.set('mvp_interchange', key, str(value))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                # trytond.config has no remove_option of its own
                config._config.remove_option('mvp_interchange', key)
                config._cache_clear()
            else:
                config.set('mvp_interchange', key, value)


def package(recipient=NGHE_AN, sender=THAI_BINH, number='51'):
    from trytond.modules.mvp_interchange import xml_io
    return xml_io.package_bytes(make_package(
            sender=xml_io.Organization(sender, organ_name='Sở TT&TT'),
            recipients=[xml_io.Organization(recipient, organ_name='UBND')],
            code_number=number,
            document_id=f'{sender},2026/11/20,{number}/TTr-STTTT'))


class SignatureTestCase(unittest.TestCase):
    "The headers are signed as the vendor SDK signs them (§1.21)"

    def test_signature_of_a_known_request(self):
        "The signed JSON is compact, prefixed, in order; its HMAC-SHA256 "
        "is keyed with the secret"
        entries = [('systemid', THAI_BINH),
            ('timestamp', '07122026T080203+0045'),
            ('Content-Type', 'application/json'),
            ('servicetype', 'eDoc'), ('messagetype', 'edoc')]
        headers = axis_client.signed_headers(entries, 'vxp-secret')
        text = ('{"XroadVnpt-systemid":"000.00.00.H54",'
            '"XroadVnpt-timestamp":"07122026T080203+0045",'
            '"XroadVnpt-Content-Type":"application/json",'
            '"XroadVnpt-servicetype":"eDoc","XroadVnpt-messagetype":"edoc"}')
        self.assertEqual(headers['XroadVnpt-sign-header'], text)
        self.assertEqual(headers['XroadVnpt-sign-header-key'],
            'systemid;timestamp;Content-Type;servicetype;messagetype')
        self.assertEqual(headers['XroadVnpt-hash-header'],
            '75a43481db3becd5ffd7f8e87f0452d43435af7036b310daea05dc08f17bd906')
        self.assertEqual(headers['XroadVnpt-hash-header'], hmac.new(
                b'vxp-secret', text.encode(), hashlib.sha256).hexdigest())
        self.assertEqual(headers['XroadVnpt-servicetype'], 'eDoc')
        self.assertNotIn('vxp-secret', json.dumps(headers))

    def test_timestamp_is_vietnam_time_with_milliseconds(self):
        "ddMMyyyy'T'HHmmss+SSSS: local (+07:00) time, then milliseconds"
        moment = dt.datetime(2026, 12, 31, 20, 5, 9, 7000,
            tzinfo=dt.timezone.utc)
        text = axis_client.format_timestamp(moment)
        self.assertEqual(text, '01012027T030509+0007')
        self.assertEqual(axis_client.parse_timestamp(text), moment)
        for bad in ['01012027T030509', '01012027T030509+07:00', 'x+0001']:
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                axis_client.parse_timestamp(bad)

    def test_free_text_travels_as_latin_1(self):
        "A Vietnamese reason in a header loses its marks, not its words"
        self.assertEqual(axis_client.header_text(
                "Gói tin bị từ chối: văn bản MẬT\r\nĐề nghị gửi giấy"),
            "Goi tin bi tu choi: van ban MAT De nghi gui giay")

    def test_every_call_sends_the_sdk_headers(self):
        "User-Agent, version and an unprefixed Content-Type beside the "
        "signed ones; the call's keys are signed"
        client = AxisClient('http://axis', 'sys-tb', 's')
        headers = client.headers([('docId', 'abc')], 'application/json')
        self.assertEqual(headers['User-Agent'], axis_client.USER_AGENT)
        self.assertEqual(headers['XroadVnpt-version'], '3.0.201608')
        self.assertEqual(headers['Content-Type'], 'application/json')
        self.assertEqual(headers['XroadVnpt-sign-header-key'],
            'systemid;timestamp;Content-Type;docId')


class ClientTestCase(unittest.TestCase):
    "The client against the stand-in axis: calls and bad answers"

    def setUp(self):
        self.axis = StandInAxis(SYSTEMS, slow=2).__enter__()
        self.addCleanup(self.axis.__exit__, None, None, None)
        self.tb = AxisClient(self.axis.url, 'sys-tb', 'secret-tb')
        self.na = AxisClient(self.axis.url, 'sys-na', 'secret-na',
            timeout=1)

    def send(self, data):
        "Send data from Thái Bình; the docId Nghệ An receives it under"
        doc_id = self.tb.send_edoc(data, to=[NGHE_AN])
        self.assertEqual(len(doc_id), 24)
        return self.axis.sent[doc_id]['to'][NGHE_AN]

    def test_send_list_get_download_update_track(self):
        "A package goes through the axis and its delivery is followed"
        data = package()
        sent = self.tb.send_edoc(data)
        received = self.axis.sent[sent]['to'][NGHE_AN]
        listed = self.na.get_received_edoc_list('edoc')
        self.assertEqual([i['docId'] for i in listed], [received])
        self.assertEqual(self.na.get_received_edoc_list('status'), [])
        self.assertEqual(self.na.get_edoc(received), data)
        self.assertEqual(self.na.download_edoc(received), data)
        self.assertEqual(self.tb.get_sent_edoc_list(sent)[0]
            ['receiveStatus'], 'inbox')
        self.na.update_status(received, 'done', "Đã nhận văn bản")
        self.assertEqual(self.axis.received[received]['description'],
            "Da nhan van ban")
        self.assertEqual(self.na.get_received_edoc_list('edoc'), [])
        item, = self.tb.get_sent_edoc_list(sent)
        self.assertEqual((item['toCode'], item['receiveStatus']),
            (NGHE_AN, 'done'))

    def test_forged_signature_refused(self):
        "A call signed with another secret gets the axis's error"
        forger = AxisClient(self.axis.url, 'sys-na', 'guessed')
        with self.assertRaises(AxisError) as caught:
            forger.get_received_edoc_list()
        self.assertEqual(caught.exception.code, 'axis_401')
        self.assertIn("Chu ky khong hop le", str(caught.exception))

    def test_headers_changed_after_signing_refused(self):
        "A header that differs from the signed JSON is refused"
        headers = self.na.headers([('docId', 'a' * 24)], 'application/json')
        headers['XroadVnpt-docId'] = 'b' * 24
        import urllib.request
        request = urllib.request.Request(self.axis.url + '/getEdoc',
            data=b'', headers=headers, method='POST')
        with urllib.request.urlopen(request, timeout=5) as response:
            answer = json.loads(response.read())
        self.assertEqual(answer['status'], 'FAIL')
        self.assertIn("khong khop", answer['ErrorDesc'])

    def test_timestamp_far_from_now_refused(self):
        "A request stamped an hour ago (a replay) is refused"
        late = AxisClient(self.axis.url, 'sys-tb', 'secret-tb',
            now=lambda: dt.datetime.now(dt.timezone.utc)
            - dt.timedelta(hours=1))
        with self.assertRaises(AxisError) as caught:
            late.get_agencies_list()
        self.assertIn("qua han", str(caught.exception))

    def test_sender_must_be_the_registered_unit(self):
        "The real axis's error for a from that is not the systemId"
        client = AxisClient(self.axis.url, 'sys-tb', 'secret-tb')
        client.system_id = 'sys-tb'
        params = [('from', 'sys-na'), ('servicetype', 'eDoc'),
            ('messagetype', 'edoc'), ('hash-file', axis_client.file_hash(
                    b'x'))]
        with self.assertRaises(AxisError) as caught:
            client.call('sendEdoc', params, b'x', 'application/octet-stream')
        self.assertIn("khong dung voi ma da dang ky", str(caught.exception))

    def test_unpadded_file_hash_accepted(self):
        "The SDK's hash-file without zero padding is accepted too"
        data = package()
        digest = hashlib.sha256(data).digest()
        params = [('from', 'sys-tb'), ('servicetype', 'eDoc'),
            ('messagetype', 'edoc'),
            ('hash-file', ''.join('%x' % b for b in digest))]
        answer = self.tb.call('sendEdoc', params, data,
            'application/octet-stream')
        self.assertEqual(answer['ErrorCode'], '0')

    def test_update_status_of_an_unknown_doc_id(self):
        "updateStatus for a docId the axis does not know is answered "
        "with its reason"
        with self.assertRaises(AxisError) as caught:
            self.na.update_status('0' * 24, 'done')
        self.assertIn("Khong tim thay van ban: " + '0' * 24,
            str(caught.exception))
        self.assertEqual(caught.exception.answer['ErrorCode'], '5')

    def test_bad_answers_are_axis_errors(self):
        "HTML, an empty body, HTTP 500, ErrorCode ≠ 0 and a timeout are "
        "errors with a readable message"
        data = package()
        received = self.send(data)
        cases = [('html', 'html', "502 Bad Gateway"),
            ('empty', 'empty', "empty answer"),
            ('http500', 'http_500', "Internal Server Error"),
            ('error', 'axis_9', "He thong dang bao tri"),
            ('timeout', 'timeout', "no answer within 1 s")]
        for kind, code, text in cases:
            with self.subTest(kind=kind):
                self.axis.fail(kind, 'getEdoc')
                with self.assertRaises(AxisError) as caught:
                    self.na.get_edoc(received)
                self.assertEqual(caught.exception.code, code)
                self.assertIn(text, str(caught.exception))
        self.axis.fail('html', 'downloadEdoc')
        with self.assertRaises(AxisError) as caught:
            self.na.download_edoc(received)
        self.assertEqual(caught.exception.code, 'html')
        # and the package is still there, whole
        self.assertEqual(self.na.get_edoc(received), data)


class AxisExchangeTestCase(RouteTestCase):
    """Two installations on the stand-in axis: Thái Bình (this database,
    system sys-tb) and Nghệ An (a copy, sys-na)"""
    module = 'mvp_interchange'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = OtherInstallation('axis_nghe_an')
        cls.axis = StandInAxis(SYSTEMS, slow=2).__enter__()
        for database, code, name, system in [
                (DB_NAME, THAI_BINH, "Sở TT&TT tỉnh Thái Bình", 'sys-tb'),
                (cls.other.name, NGHE_AN, "UBND tỉnh Nghệ An", 'sys-na')]:
            with cls.at(database):
                twoservers_tool.setup(agencies=[[name, code, 'UBND']],
                    peers=[{'name': 'axis', 'kind': 'hub',
                            'url': cls.axis.url, 'system_id': system,
                            'outgoing_key_secret': SYSTEMS[system][0]}],
                    routes=[['*', 'axis']])

    @classmethod
    def tearDownClass(cls):
        cls.axis.__exit__(None, None, None)
        cls.other.drop()
        super().tearDownClass()

    @staticmethod
    @contextmanager
    def at(database):
        "A committed transaction of root in database"
        with Transaction().start(database, 0) as transaction:
            yield Pool()
            transaction.commit()

    def thai_binh(self):
        return self.at(DB_NAME)

    def nghe_an(self):
        return self.at(self.other.name)

    @staticmethod
    def peer(pool):
        return pool.get('mvp.interchange.peer').search(
            [('name', '=', 'axis')])[0]

    @staticmethod
    def send_due(pool):
        "The outbox's cron, as the worker would run the queue"
        Message = pool.get('mvp.interchange.message')
        Message.send_due()

    @staticmethod
    def poll(pool):
        Peer = pool.get('mvp.interchange.peer')
        Peer.poll_hubs()

    @staticmethod
    def incomings(pool, notation):
        Incoming = pool.get('mvp.incoming')
        return Incoming.search([('notation', '=', notation)])

    @staticmethod
    def locking(database, function, *args):
        """function(*args) in a committed transaction of root in database
        that starts again with the table locks it asks for (numbering and
        registration lock their register's sequence), as the worker's"""
        extras = {}
        while True:
            with Transaction().start(database, 0, **extras) as transaction:
                try:
                    result = function(*args)
                except TransactionError as error:
                    transaction.rollback()
                    error.fix(extras)
                    continue
                transaction.commit()
                return result

    @classmethod
    def release(cls, database, sender, recipient, subject, **values):
        """Release a document from sender to recipient in database (with
        values of more fields); return its id and notation"""
        def release():
            outgoing = Pool().get('mvp.outgoing')(
                twoservers_tool.release(sender, recipient, subject,
                    **values)['outgoing'])
            return outgoing.id, outgoing.notation
        return cls.locking(database, release)

    def test_1_documents_and_statuses_both_ways(self):
        "A document each way arrives once; status 01 flows back and the "
        "sender follows the delivery per recipient"
        outgoing_id, notation = self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc kết nối trục liên thông văn bản")
        with self.thai_binh() as pool:
            self.send_due(pool)
            Message = pool.get('mvp.interchange.message')
            sent, = Message.search([('direction', '=', 'out'),
                    ('kind', '=', 'package')])
            self.assertEqual(sent.state, 'sent')
            self.assertIn(sent.remote_id, self.axis.sent)
            self.assertEqual(list(self.axis.sent[sent.remote_id]['to']),
                [NGHE_AN])
        with self.nghe_an() as pool:
            self.poll(pool)
            incoming, = self.incomings(pool, notation)
            self.assertEqual((incoming.state, incoming.channel),
                ('received', 'exchange'))
            peer = self.peer(pool)
            self.assertTrue(peer.last_poll)
            self.assertEqual(peer.axis_errors, 0)
            self.send_due(pool)   # status 01 back to Thái Bình
        self.assertEqual(sorted(self.axis.states().values()),
            ['done', 'inbox'])
        with self.thai_binh() as pool:
            self.poll(pool)
            Outgoing = pool.get('mvp.outgoing')
            recipient, = Outgoing(outgoing_id).recipients
            self.assertEqual(recipient.state, 'received')
            Peer = pool.get('mvp.interchange.peer')
            Peer.track_sent()
            Message = pool.get('mvp.interchange.message')
            sent, = Message.search([('direction', '=', 'out'),
                    ('kind', '=', 'package')])
            self.assertEqual(sent.delivery_status, 'done')
            status, = Message.search([('direction', '=', 'in'),
                    ('kind', '=', 'status')])
            self.assertEqual((status.state, status.status_code),
                ('accepted', '01'))
        _, reply_notation = self.release(self.other.name, NGHE_AN,
            THAI_BINH, "Về việc trả lời Sở TT&TT Thái Bình")
        with self.nghe_an() as pool:
            self.send_due(pool)
        with self.thai_binh() as pool:
            self.poll(pool)
            incoming, = self.incomings(pool, reply_notation)
            self.assertEqual(incoming.issuer_name, "UBND tỉnh Nghệ An")
            self.send_due(pool)
        with self.nghe_an() as pool:
            self.poll(pool)
        self.assertNotIn('inbox', self.axis.states().values())

    def test_2_package_delivered_twice_not_duplicated(self):
        "The axis offering a package again, or again under a new docId, "
        "makes no second document"
        _, notation = self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc gửi hai lần")
        with self.thai_binh() as pool:
            self.send_due(pool)
        first, = [i for i, v in self.axis.received.items()
            if v['status'] == 'inbox' and v['to'] == 'sys-na']
        with self.nghe_an() as pool:
            self.poll(pool)
            self.axis.offer_again(first)
            second = self.axis.deliver_again(first)
            self.poll(pool)
            self.assertEqual(len(self.incomings(pool, notation)), 1)
            Message = pool.get('mvp.interchange.message')
            message, = Message.search([('message_id', '=', f'axis:{first}')])
            self.assertEqual((message.state, message.duplicates),
                ('accepted', 2))
            self.assertEqual(self.peer(pool).axis_errors, 0)
        states = self.axis.states()
        self.assertEqual((states[first], states[second]), ('done', 'done'))

    def test_3_update_status_of_an_unknown_doc_id(self):
        "The axis not knowing the docId any more when told done: the "
        "document is kept once, the axis's answer shown on the peer"
        _, notation = self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc docId không còn")
        with self.thai_binh() as pool:
            self.send_due(pool)
        self.axis.fail('forget', 'updateStatus')
        with self.nghe_an() as pool:
            self.poll(pool)
            self.assertEqual(len(self.incomings(pool, notation)), 1)
            peer = self.peer(pool)
            self.assertEqual(peer.axis_errors, 1)
            self.assertIn("updateStatus: Khong tim thay van ban",
                peer.axis_error)

    def test_4_html_and_empty_answers_retried_then_received(self):
        "HTML instead of JSON, an empty body: the operator reads why on "
        "the peer and the log; the next poll receives the package once"
        _, notation = self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc trục trả về HTML")
        with self.thai_binh() as pool:
            self.send_due(pool)
        self.axis.fail('empty', 'getReceivedEdocList')
        with self.nghe_an() as pool:
            self.poll(pool)
            self.assertEqual(self.incomings(pool, notation), [])
            self.assertIn("getReceivedEdocList: empty answer",
                self.peer(pool).axis_error)
        self.axis.fail('html', 'getEdoc')
        with self.nghe_an() as pool:
            self.poll(pool)
            self.assertEqual(self.incomings(pool, notation), [])
            self.assertIn("502 Bad Gateway", self.peer(pool).axis_error)
            Message = pool.get('mvp.interchange.message')
            waiting, = Message.search([('state', '=', 'retrying'),
                    ('direction', '=', 'in')])
            self.assertEqual((waiting.attempts, waiting.error_code),
                (1, 'html'))
        with self.nghe_an() as pool:
            self.poll(pool)
            self.assertEqual(len(self.incomings(pool, notation)), 1)
            self.assertEqual(pool.get('mvp.interchange.message').search(
                    [('state', '=', 'retrying')]), [])
            self.assertEqual(self.peer(pool).axis_errors, 0)

    def test_5_fetch_failing_every_time_is_a_dead_letter(self):
        "A package the axis never gives is dead after max_attempts, its "
        "ErrorDesc kept, and reported failed to the axis"
        self.release(DB_NAME, THAI_BINH, NGHE_AN, "Về việc không lấy được")
        with self.thai_binh() as pool:
            self.send_due(pool)
        self.axis.fail('error', 'getEdoc', times=2)
        with configured(max_attempts=2), self.nghe_an() as pool:
            self.poll(pool)
            self.poll(pool)
            Message = pool.get('mvp.interchange.message')
            dead, = Message.search([('state', '=', 'dead'),
                    ('direction', '=', 'in')])
            self.assertIn("He thong dang bao tri", dead.last_error)
            self.poll(pool)   # skipped from now on
            self.assertEqual(Message(dead.id).attempts, 2)
            doc_id = dead.message_id.split(':', 1)[1]
        self.assertEqual(self.axis.states()[doc_id], 'fail')

    def test_6_send_errors_retried_with_the_server_words(self):
        "sendEdoc answered with ErrorCode ≠ 0, HTML or nothing in time is "
        "retried later; the log says what the axis said"
        self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc trục đang bảo trì")
        with configured(timeout=1), self.thai_binh() as pool:
            Message = pool.get('mvp.interchange.message')
            message, = Message.search([('state', '=', 'queued')])
            for kind, text in [('error', "He thong dang bao tri"),
                    ('html', "502 Bad Gateway"), ('timeout', "no answer")]:
                with self.subTest(kind=kind):
                    self.axis.fail(kind, 'sendEdoc')
                    message._send()
                    message = Message(message.id)
                    self.assertEqual(message.state, 'retrying')
                    self.assertIn(text, message.last_error)
            message._send()
            self.assertEqual(Message(message.id).state, 'sent')
        with self.nghe_an() as pool:
            self.poll(pool)

    def test_7_forged_secret_shown_on_the_peer(self):
        "A peer configured with a wrong secret polls nothing and shows "
        "the axis's refusal"
        with self.thai_binh() as pool:
            peer = self.peer(pool)
            peer.outgoing_key_secret = 'wrong'
            peer.save()
            self.poll(pool)
            peer = self.peer(pool)
            self.assertIn("Chu ky khong hop le", peer.axis_error)
            self.assertGreaterEqual(peer.axis_errors, 2)   # both lists
            peer.outgoing_key_secret = SYSTEMS['sys-tb'][0]
            peer.save()

    def test_8_directory_refreshed_into_routes(self):
        "The axis directory becomes routes; a malformed code is skipped "
        "and reported, an agency of this installation never routed out"
        self.axis.agencies = [
            {'id': 1, 'pid': 0, 'code': '000.00.00.G22',
                'name': "Văn phòng Chính phủ", 'mail': ''},
            {'id': 2, 'pid': 0, 'code': NGHE_AN,
                'name': "UBND tỉnh Nghệ An", 'mail': ''},
            {'id': 3, 'pid': 0, 'code': 'H41.01', 'name': "Sở lỗi mã"},
            {'id': 4, 'pid': 0, 'code': None, 'name': "Không có mã"},
            {'id': 5, 'pid': 0, 'code': THAI_BINH, 'name': "Sở TT&TT"},
            ]
        with self.thai_binh() as pool:
            Route = pool.get('mvp.interchange.route')
            Peer = pool.get('mvp.interchange.peer')
            peer = self.peer(pool)
            Peer.refresh_directory([peer])
            codes = {r.identifier_code: r.name for r in Route.search([])}
            self.assertEqual(codes.get('000.00.00.G22'),
                "Văn phòng Chính phủ")
            self.assertIn(NGHE_AN, codes)
            self.assertNotIn(THAI_BINH, codes)
            self.assertNotIn('H41.01', codes)
            peer = self.peer(pool)
            self.assertTrue(peer.directory_refreshed)
            self.assertIn("2 routes added", peer.directory_report)
            self.assertIn("H41.01 (Sở lỗi mã)", peer.directory_report)
            self.assertIn("- (Không có mã)", peer.directory_report)
            # again, by the QĐ 20 call: nothing new, nothing twice
            peer.directory_call = 'qd20'
            peer.save()
            Peer.refresh_directories()
            self.assertEqual(len(Route.search([])), len(codes))
            self.assertIn("0 routes added", self.peer(pool).directory_report)

    def exchange(self, rounds=2):
        "Both installations send their queue and poll the axis, rounds times"
        for _ in range(rounds):
            for database in [DB_NAME, self.other.name]:
                with self.at(database) as pool:
                    self.send_due(pool)
                    self.poll(pool)

    def document_id(self, database, outgoing):
        with self.at(database) as pool:
            return pool.get('mvp.outgoing')(outgoing).identifier

    def handle(self, database, outgoing_database, outgoing, steps):
        "The recipient's steps on the document outgoing of the other side"
        document_id = self.document_id(outgoing_database, outgoing)
        return self.locking(database, twoservers_tool.handle, document_id,
            steps)

    def sender_view(self, database, outgoing):
        with self.at(database):
            return twoservers_tool.recipients(outgoing)

    def test_9_statuses_01_to_06_and_recall_answers_both_ways(self):
        "Through the axis, both ways: Thái Bình's document handled at Nghệ "
        "An (01, 03, 04, 05, 06), Nghệ An's returned by Thái Bình (01, "
        "02); a recall Nghệ An agrees to (15) and one Thái Bình refuses "
        "(16), each answer on the sender's recipient line"
        other = self.other.name
        handled, _ = self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc triển khai nền tảng số dùng chung")
        agreed, _ = self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc tổ chức hội nghị (ban hành nhầm)")
        returned, _ = self.release(other, NGHE_AN, THAI_BINH,
            "Về việc gửi nhầm cơ quan")
        refused, _ = self.release(other, NGHE_AN, THAI_BINH,
            "Về việc báo cáo đã triển khai")
        self.exchange()

        self.assertEqual(self.handle(other, DB_NAME, handled,
                ['accept', 'assign', 'progress', 'finish'])['state'],
            'processed')
        self.assertEqual(self.handle(DB_NAME, other, returned,
                ['reject'])['state'], 'returned')
        self.handle(DB_NAME, other, refused, ['accept'])
        with self.at(DB_NAME):
            twoservers_tool.recall(agreed, "Ban hành nhầm")
        with self.at(other):
            twoservers_tool.recall(refused, "Ban hành nhầm")
        self.exchange()
        # nothing is cancelled before the recipient answers
        self.assertEqual(self.handle(other, DB_NAME, agreed, []),
            {'state': 'received', 'recall': 'requested'})
        self.assertEqual(self.handle(other, DB_NAME, agreed,
                ['agree_recall'])['state'], 'cancelled')
        self.assertEqual(self.handle(DB_NAME, other, refused,
                ['refuse_recall']),
            {'state': 'registered', 'recall': 'refused'})
        self.exchange()

        seen = self.sender_view(DB_NAME, handled)
        self.assertEqual(seen['states'], ['completed'])
        self.assertLessEqual({'01', '03', '04', '05', '06'},
            set(seen['codes']))
        seen = self.sender_view(other, returned)
        self.assertEqual(seen['states'], ['returned'])
        self.assertLessEqual({'01', '02'}, set(seen['codes']))
        self.assertEqual(self.sender_view(DB_NAME, agreed)['states'],
            ['recalled'])
        self.assertIn('15', self.sender_view(DB_NAME, agreed)['codes'])
        seen = self.sender_view(other, refused)
        self.assertEqual(seen['states'], ['recall_refused'])
        self.assertLessEqual({'01', '03', '16'}, set(seen['codes']))
        self.assertNotIn('inbox', self.axis.states().values())

    def test_91_every_field_then_an_update_through_the_axis(self):
        "Each filled field of Thái Bình's document is on the document "
        "Nghệ An makes of the package; Thái Bình's correction travels as "
        "an update (business type 2) and corrects that same document"
        due = dt.date.today() + dt.timedelta(days=10)
        with self.thai_binh() as pool:
            Company = pool.get('company.company')
            agency, = Company.search([('identifier_code', '=', THAI_BINH)])
            agency.place = "Thái Bình"
            agency.save()
        outgoing_id, notation = self.release(DB_NAME, THAI_BINH, NGHE_AN,
            "Về việc chuẩn hóa dữ liệu văn bản liên thông",
            reply_due=due, signer_competence='KT.', signer_for="GIÁM ĐỐC",
            steering_type='2', copies=5, urgency='urgent')
        self.exchange()
        with self.thai_binh() as pool:
            outgoing = pool.get('mvp.outgoing')(outgoing_id)
            sent = {'notation': notation, 'issue_date': outgoing.issue_date,
                'subject': outgoing.subject, 'deadline': due,
                'signer_competence': "KT. GIÁM ĐỐC", 'place': "Thái Bình",
                'copies': 5, 'steering_type': '2', 'urgency': 'urgent',
                'signer_name': outgoing.signer_name or (
                    outgoing.signer.rec_name),
                'issuer_name': "Sở TT&TT tỉnh Thái Bình"}
        with self.nghe_an() as pool:
            incoming, = self.incomings(pool, notation)
            self.assertEqual({k: getattr(incoming, k) for k in sent}, sent)
            self.assertGreaterEqual(incoming.pages, 1)

        with self.thai_binh() as pool:
            Outgoing = pool.get('mvp.outgoing')
            changed = Outgoing.correct(Outgoing(outgoing_id), {
                    'subject': sent['subject'] + " (sửa)",
                    'reply_due': due + dt.timedelta(days=5)},
                "Sửa trích yếu và hạn trả lời")
            self.assertEqual(changed, ['reply_due', 'subject'])
        self.exchange()
        with self.nghe_an() as pool:
            incoming, = self.incomings(pool, notation)
            self.assertEqual((incoming.subject, incoming.deadline),
                (sent['subject'] + " (sửa)", due + dt.timedelta(days=5)))
            self.assertIn("Sửa trích yếu và hạn trả lời",
                incoming.exchange_updates)
            Message = pool.get('mvp.interchange.message')
            update, = Message.search([('direction', '=', 'in'),
                    ('business_type', '=', '2')])
            self.assertEqual(update.state, 'accepted')
        self.assertNotIn('inbox', self.axis.states().values())
