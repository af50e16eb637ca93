# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The exchange enforces its rules on the server: who may speak for an
agency, who reads and writes the log, the directory and the wizards, and
that nothing of a classified document travels."""
import datetime as dt
import json
import os
import tempfile
import unittest
from unittest import mock

from trytond import config
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.tests.incoming_tools import acting_as
from trytond.modules.mvp_documents.tests.test_outgoing import OutgoingSetup
from trytond.modules.mvp_interchange import cli, xml_io
from trytond.modules.mvp_interchange.axis_client import AxisClient
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, RouteTestCase, activate_module, with_transaction)
from trytond.transaction import Transaction

from . import test_outgoing_package
from .axis_server import StandInAxis
from .test_interchange import make_agency, make_peer, status_data
from .test_xml_io import make_package

LOCAL = '000.00.00.H31'      # an agency of this installation
NAM_DINH = '000.00.00.H25'   # routed to the peer nam-dinh
HA_NAM = '000.00.00.H35'     # routed to the peer ha-nam
AXIS = '000.00.00.G05'       # routed to the axis
ELSEWHERE = test_outgoing_package.ELSEWHERE
SENT_ID = f'{LOCAL},2026/11/20,7/BC-SNV'


def package_from(sender, recipient=LOCAL, number='51', **values):
    "The edXML bytes of a new package from sender to recipient"
    return xml_io.package_bytes(make_package(
            sender=xml_io.Organization(sender, organ_name=f'UBND {sender}'),
            recipients=[xml_io.Organization(recipient, organ_name='Sở')],
            code_number=number,
            document_id=f'{sender},2026/11/20,{number}/TTr-STTTT',
            **values))


def marked(data, level='Mật'):
    "data with a confidentiality element in OtherInfo"
    return data.replace(b'<edXML:OtherInfo>', (
            '<edXML:OtherInfo><edXML:Confidentiality>%s'
            '</edXML:Confidentiality>' % level).encode(), 1)


class SenderEndpointTestCase(RouteTestCase):
    "A peer speaks only for the agency codes its routes give it"
    module = 'mvp_interchange'

    @classmethod
    def setUpDatabase(cls):
        Message = Pool().get('mvp.interchange.message')
        agency = make_agency('Sở Nội vụ', LOCAL)
        nam_dinh = make_peer('nam-dinh', incoming_key='key-nd',
            codes=[NAM_DINH])
        make_peer('ha-nam', incoming_key='key-hn', codes=[HA_NAM])
        # a package we sent to Nam Định, waiting for its statuses
        Message.create([{'direction': 'out', 'kind': 'package',
                    'state': 'sent', 'message_id': 'sent-1',
                    'peer': nam_dinh.id, 'agency': agency.id,
                    'recipient_code': NAM_DINH, 'document_id': SENT_ID,
                    'business_type': '0'}])

    def post(self, data, key, message_id=None):
        headers = {'Authorization': f'Bearer {key}'}
        if message_id:
            headers['X-Edxml-Message-Id'] = message_id
        response = self.client().post(f'/{self.db_name}/mvp/edxml',
            data=data, headers=headers)
        return response.status_code, json.loads(response.data)

    def read(self, function):
        "Call function(pool) in a new transaction of the test database"
        with Transaction().start(DB_NAME, 0):
            return function(Pool())

    def incomings(self, sender, number='51'):
        "How many documents arrived from sender with the number"
        return self.read(lambda pool: len(pool.get('mvp.incoming').search(
                    [('notation', '=', f'{number}/TTr-STTTT'),
                        ('issuer_name', '=', f'UBND {sender}')])))

    def test_package_in_another_agencys_name_refused_and_logged(self):
        "Ha Nam's peer cannot send a package in Nam Dinh's name; the "
        "refusal is logged and does not answer for Nam Dinh's own package"
        data = package_from(NAM_DINH)
        with self.assertLogs('mvp.security') as logs:
            status, answer = self.post(data, 'key-hn', message_id='m-1')
        self.assertEqual((status, answer['outcome'], answer['code'],
                answer['status_code']), (422, 'rejected', 'sender', '02'))
        self.assertIn(NAM_DINH, answer['message'])
        self.assertIn('sender_code', logs.output[0])
        self.assertEqual(self.incomings(NAM_DINH), 0)

        def logged(pool):
            message = pool.get('mvp.interchange.message')(answer['id'])
            return (message.state, message.sender_code, message.peer.name,
                message.data, message.subject)
        self.assertEqual(self.read(logged),
            ('rejected', NAM_DINH, 'ha-nam', None, None))
        # the real sender's package, same message id, is not a duplicate
        status, answer = self.post(data, 'key-nd', message_id='m-1')
        self.assertEqual((status, answer['outcome']), (200, 'accepted'))
        self.assertEqual(self.incomings(NAM_DINH), 1)

    def test_status_in_another_agencys_name_refused(self):
        "A status in Nam Dinh's name from Ha Nam's peer moves nothing"
        data = status_data('06', SENT_ID, sender=NAM_DINH, recipient=LOCAL)

        def delivered(pool):
            Message = pool.get('mvp.interchange.message')
            package, = Message.search([('message_id', '=', 'sent-1')])
            return package.delivered_status
        status, answer = self.post(data, 'key-hn')
        self.assertEqual((status, answer['code']), (422, 'sender'))
        self.assertIsNone(self.read(delivered))
        status, answer = self.post(data, 'key-nd')
        self.assertEqual((status, answer['outcome']), (200, 'accepted'))
        self.assertEqual(self.read(delivered), '06')

    def test_no_peer_speaks_for_an_agency_of_this_installation(self):
        "A package in the name of an agency here is refused from any peer"
        status, answer = self.post(
            package_from(LOCAL, number='52'), 'key-nd')
        self.assertEqual((status, answer['code']), (422, 'sender'))
        self.assertEqual(self.incomings(LOCAL, '52'), 0)

    def test_import_command_refuses_a_sender_the_peer_does_not_route(self):
        "mvp-edxml import: the file is refused when the named peer, or "
        "without --peer any peer, may not speak for its sender"
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, 'forged.edxml')
            with open(path, 'wb') as file:
                file.write(package_from(NAM_DINH, number='53'))
            stranger = os.path.join(folder, 'stranger.edxml')
            with open(stranger, 'wb') as file:
                file.write(package_from('000.00.00.H99', number='54'))
            lines = [json.loads(line) for line in cli.import_files(
                    DB_NAME, [path], 'ha-nam')]
            lines += [json.loads(line) for line in cli.import_files(
                    DB_NAME, [stranger])]
            lines += [json.loads(line) for line in cli.import_files(
                    DB_NAME, [path])]
        self.assertEqual([line['outcome'] for line in lines],
            ['rejected', 'rejected', 'accepted'])
        self.assertTrue(lines[0]['reason'].startswith('sender:'))
        self.assertTrue(lines[1]['reason'].startswith('sender:'))


class InterchangeSecurityTestCase(OutgoingSetup, unittest.TestCase):
    "Rights on the log, the directory and the wizards; nothing classified"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('mvp_interchange')

    # --------------------------------------------------------- fixtures

    def setup(self):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        self.setup_agencies(2)
        self.province_admin = self.make_user(self.agencies[1], 'padmin',
            "Ngô Văn Tỉnh", 'officer', None, "Quản trị")
        User.write([self.province_admin[0]], {'groups': [('add', [
                            ModelData.get_id('mvp_documents',
                                'group_mvp_province_admin')])]})
        self.agency_admin = self.make_user(self.agency, 'aadmin',
            "Lý Thị Sở", 'agency_admin', None, "Quản trị")

    def released_elsewhere(self, **values):
        return test_outgoing_package.OutgoingPackageTestCase \
            .released_elsewhere(self, **values)

    def classify(self, record):
        "Mark a document secret behind every check, as a leak would be"
        transaction = Transaction()
        table = record.__table__()
        transaction.connection.cursor().execute(*table.update(
                [table.confidentiality], ['secret'],
                where=table.id == record.id))
        for cache in transaction.cache.values():
            cache.clear()
        return record.__class__(record.id)

    def message_of(self, agency, **values):
        Message = Pool().get('mvp.interchange.message')
        values.setdefault('direction', 'out')
        values.setdefault('kind', 'package')
        values.setdefault('state', 'dead')
        message, = Message.create([dict(message_id=os.urandom(8).hex(),
                    agency=agency.id, recipient_code=ELSEWHERE,
                    **values)])
        return message

    def receive(self, peer, data):
        return Pool().get('mvp.interchange.message').receive(peer, data)

    # ---------------------------------------------- 1. the axis's codes

    @with_transaction()
    def test_axis_speaks_only_for_the_codes_its_routes_list(self):
        "A package from the axis in the name of a code routed to another "
        "peer is refused and reported failed to the axis"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Peer = pool.get('mvp.interchange.peer')
        self.setup()
        here = self.agency.identifier_code
        make_peer('nam-dinh', codes=[NAM_DINH])
        systems = {'sys-here': ('s1', [here]), 'sys-rogue': ('s2', [])}
        with StandInAxis(systems) as axis:
            peer = make_peer('axis', url=axis.url, kind='hub',
                system_id='sys-here', outgoing_key='s1', codes=[AXIS])
            rogue = AxisClient(axis.url, 'sys-rogue', 's2')
            forged = axis.sent[rogue.send_edoc(package_from(NAM_DINH, here))
                ]['to'][here]
            fair = axis.sent[rogue.send_edoc(package_from(AXIS, here))
                ]['to'][here]
            Peer.poll_hubs([peer], commit=False)
            self.assertEqual(axis.states()[forged], 'fail')
            self.assertEqual(axis.states()[fair], 'done')
        refused, = Message.search([('message_id', '=', f'axis:{forged}')])
        self.assertEqual((refused.state, refused.error_code),
            ('rejected', 'sender'))
        accepted, = Message.search([('message_id', '=', f'axis:{fair}')])
        self.assertEqual(accepted.state, 'accepted')

    @with_transaction()
    def test_reprocess_checks_the_sender_again(self):
        "A kept package whose sender's route moved to another peer is not "
        "accepted by re-processing"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Route = pool.get('mvp.interchange.route')
        Company = pool.get('company.company')
        self.setup()
        first = make_peer('first', codes=[NAM_DINH])
        second = make_peer('second')
        answer = self.receive(first, package_from(NAM_DINH, '000.00.00.H77'))
        self.assertEqual(answer['code'], 'unknown_recipient')
        Route.write(Route.search([('identifier_code', '=', NAM_DINH)]),
            {'peer': second.id})
        Company.write([self.agencies[1]], {'identifier_code': '000.00.00.H77'})
        with acting_as(self.province_admin[1]):
            Message.reprocess([Message(answer['id'])])
        message = Message(answer['id'])
        self.assertEqual((message.state, message.error_code),
            ('rejected', 'sender'))

    # ---------------------------------------- 2. the log and directory

    @with_transaction()
    def test_nobody_writes_creates_or_deletes_the_log(self):
        "Even the provincial administrator cannot forge the log"
        Message = Pool().get('mvp.interchange.message')
        self.setup()
        message = self.message_of(self.agency, attempts=10)
        for values in [{'state': 'sent'}, {'attempts': 0},
                {'sender_code': NAM_DINH}, {'done_at': dt.datetime.now()}]:
            with self.subTest(values=values), self.assertRaises(
                    AccessError), acting_as(self.province_admin[1]):
                Message.write([Message(message.id)], values)
        with self.assertRaises(AccessError), \
                acting_as(self.province_admin[1]):
            Message.create([{'direction': 'in', 'kind': 'package',
                        'state': 'accepted', 'message_id': 'forged'}])
        with self.assertRaises(AccessError), \
                acting_as(self.province_admin[1]):
            Message.delete([Message(message.id)])
        message = Message(message.id)
        self.assertEqual((message.state, message.attempts), ('dead', 10))
        self.assertEqual(Message.search([('message_id', '=', 'forged')]), [])

    @with_transaction()
    def test_server_fields_refused_whatever_the_access(self):
        "The log's fields are the server's even for a user allowed to write"
        Message = Pool().get('mvp.interchange.message')
        self.setup()
        message = self.message_of(self.agency)
        with self.assertRaises(AccessError), \
                acting_as(self.province_admin[1]):
            Message.check_modification('write', [message],
                {'state': 'queued'}, external=True)
        with self.assertRaises(AccessError), \
                acting_as(self.province_admin[1]):
            Message.check_modification('delete', [message], external=True)

    @with_transaction()
    def test_agency_admin_cannot_touch_peers_or_routes(self):
        "An agency administrator cannot route another agency's code to a "
        "peer nor change a peer's keys"
        pool = Pool()
        Peer = pool.get('mvp.interchange.peer')
        Route = pool.get('mvp.interchange.route')
        self.setup()
        peer = make_peer('theirs', codes=[ELSEWHERE])
        with acting_as(self.agency_admin[1]):
            with self.assertRaises(AccessError):
                Route.create([{'identifier_code': NAM_DINH,
                            'peer': peer.id}])
            with self.assertRaises(AccessError):
                Peer.write([Peer(peer.id)], {'incoming_key_secret': 'mine'})
            with self.assertRaises(AccessError):
                Route.check_modification('create', [Route(
                            identifier_code=NAM_DINH, peer=peer)],
                    external=True)
        self.assertEqual(Route.search([('identifier_code', '=', NAM_DINH)]),
            [])
        self.assertEqual(Peer(peer.id).get_secret('incoming_key'), 'theirs-in')
        with acting_as(self.province_admin[1]):
            Route.create([{'identifier_code': NAM_DINH, 'peer': peer.id}])

    @with_transaction()
    def test_what_the_axis_answered_is_the_servers(self):
        "Nobody writes the axis's answers on a peer or a package; only the "
        "province admin refreshes the directory, and an axis that does "
        "not answer is shown on the peer"
        pool = Pool()
        Peer = pool.get('mvp.interchange.peer')
        Message = pool.get('mvp.interchange.message')
        self.setup()
        peer = make_peer('axis', url='http://127.0.0.1:9/axis', kind='hub',
            system_id='000.00.00.H31')
        message = self.message_of(self.agency, state='sent')
        with acting_as(self.province_admin[1]):
            with self.assertRaises(AccessError):
                Peer.write([Peer(peer.id)], {'axis_error': None,
                        'axis_errors': 0})
            with self.assertRaises(AccessError):
                Message.write([Message(message.id)],
                    {'delivery_status': 'done'})
        with acting_as(self.agency_admin[1]), \
                self.assertRaises(AccessError):
            Peer.refresh_directory([Peer(peer.id)])
        self.assertIsNone(Peer(peer.id).directory_refreshed)
        with acting_as(self.province_admin[1]):
            Peer.refresh_directory([Peer(peer.id)])
        peer = Peer(peer.id)
        self.assertEqual(peer.axis_errors, 1)
        self.assertIn("getAgenciesList", peer.axis_error)

    @with_transaction()
    def test_clerks_read_the_messages_of_their_agency_only(self):
        "The clerks and admins of an agency read its messages, the province "
        "admin all, an officer none"
        Message = Pool().get('mvp.interchange.message')
        self.setup()
        ours = self.message_of(self.agency)
        theirs = self.message_of(self.agencies[1])
        with acting_as(self.clerk[1]):
            self.assertEqual(Message.search([]), [ours])
            with self.assertRaises(AccessError):
                Message.read([theirs.id], ['state'])
            # the subject and the package stay with the document
            for name in ['subject', 'data']:
                with self.assertRaises(AccessError):
                    Message.read([ours.id], [name])
        with acting_as(self.agency_admin[1]):
            self.assertEqual(Message.search([]), [ours])
        with acting_as(self.recipient_clerk[1]):
            self.assertEqual(Message.search([]), [theirs])
        with acting_as(self.province_admin[1]):
            self.assertEqual(set(Message.search([])), {ours, theirs})
            Message.read([ours.id], ['subject', 'data'])
        with acting_as(self.drafter[1]), self.assertRaises(AccessError):
            Message.search([])

    # ------------------------------------------- 3. nothing classified

    @with_transaction()
    def test_resend_refused_for_a_document_classified_since(self):
        "Re-sending the package of a document classified since is refused"
        Message = Pool().get('mvp.interchange.message')
        outgoing = self.released_elsewhere()
        self.setup_admins()
        message, = Message.search([('direction', '=', 'out')])
        Message.write([message], {'state': 'dead', 'attempts': 10})
        self.classify(outgoing)
        with self.assertRaises(UserError), \
                acting_as(self.province_admin[1]):
            Message.resend([message])
        message = Message(message.id)
        self.assertEqual((message.state, message.attempts), ('dead', 10))

    @with_transaction()
    def test_forged_external_line_on_a_classified_document_not_sent(self):
        "An outside line added to a classified document and delivered by "
        "the clerk sends nothing"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Outgoing = pool.get('mvp.outgoing')
        Recipient = pool.get('mvp.outgoing.recipient')
        outgoing = self.released_elsewhere()
        before = Message.search([])
        outgoing = self.classify(outgoing)
        Recipient.create([{'outgoing': outgoing.id, 'kind': 'outside',
                    'name': "UBND tỉnh Hà Nam",
                    'identifier_code': HA_NAM}])
        with self.assertRaises(UserError), acting_as(self.clerk[1]):
            Outgoing.deliver([Outgoing(outgoing.id)])
        with self.assertRaises(UserError):
            # the last guard, whatever the checks before it
            Outgoing._deliver_external([r for r in Outgoing(
                        outgoing.id).recipients if r.state == 'draft'])
        self.assertEqual(Message.search([]), before)

    @with_transaction()
    def test_recall_of_a_classified_document_sends_no_status(self):
        "Recalling a document classified since sends no status 13"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Outgoing = pool.get('mvp.outgoing')
        outgoing = self.classify(self.released_elsewhere())
        with self.assertRaises(UserError), acting_as(self.clerk[1]):
            Outgoing.recall_recipients(list(outgoing.recipients), "Nhầm")
        self.assertEqual(Message.search([('kind', '=', 'status')]), [])

    @with_transaction()
    def test_recall_sends_no_status_on_a_forged_channel(self):
        "A line whose channel was written 'external' by hand, never sent "
        "a package, gets no status 13"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Outgoing = pool.get('mvp.outgoing')
        Recipient = pool.get('mvp.outgoing.recipient')
        outgoing = self.released_elsewhere()
        line, = Recipient.create([{'outgoing': outgoing.id,
                    'kind': 'outside', 'name': "UBND tỉnh Hà Nam",
                    'identifier_code': HA_NAM}])
        table = Recipient.__table__()
        Transaction().connection.cursor().execute(*table.update(
                [table.channel, table.state], ['external', 'sent'],
                where=table.id == line.id))
        with acting_as(self.clerk[1]):
            Outgoing.recall_recipients([Recipient(line.id)], "Nhầm")
        self.assertEqual(Message.search([('kind', '=', 'status')]), [])

    @with_transaction()
    def test_package_marked_classified_refused_and_answered_02(self):
        "A package marked classified creates no document, keeps no subject "
        "nor file, and status 02 goes back to its sender"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Incoming = pool.get('mvp.incoming')
        self.setup()
        here = self.agency.identifier_code
        peer = make_peer('nam-dinh', codes=[NAM_DINH])
        for number, data in [
                ('61', package_from(NAM_DINH, here, '61',
                        subject="MẬT: Kế hoạch bảo vệ")),
                ('62', marked(package_from(NAM_DINH, here, '62'))),
                ]:
            with self.subTest(number=number):
                answer = self.receive(peer, data)
                self.assertEqual((answer['outcome'], answer['code'],
                        answer['status_code']),
                    ('rejected', 'classified', '02'))
                message = Message(answer['id'])
                self.assertEqual((message.subject, message.data),
                    (None, None))
                reply, = Message.search([('package', '=', message.id)])
                self.assertEqual((reply.direction, reply.status_code,
                        reply.recipient_code, reply.peer),
                    ('out', '02', NAM_DINH, peer))
        self.assertEqual(Incoming.search([('channel', '=', 'exchange')]),
            [])

    @with_transaction()
    def test_no_status_for_a_received_document_classified_since(self):
        "A document received electronically, then classified, sends no "
        "status back; an update does not write its subject again"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Incoming = pool.get('mvp.incoming')
        self.setup()
        here = self.agency.identifier_code
        peer = make_peer('nam-dinh', codes=[NAM_DINH])
        answer = self.receive(peer, package_from(NAM_DINH, here, '63'))
        incoming = self.classify(Incoming(answer['documents'][0]))
        before = Message.search([('direction', '=', 'out')])
        Incoming.add_event([incoming], '03', "Đã tiếp nhận")
        self.assertEqual(Message.search([('direction', '=', 'out')]),
            before)
        update = package_from(NAM_DINH, here, '63', subject="Nội dung mới",
            business=xml_io.Business(doc_type=xml_io.UPDATE,
                document_id=f'{NAM_DINH},2026/11/20,63/TTr-STTTT'))
        self.receive(peer, update)
        self.assertNotEqual(Incoming(incoming.id).subject, "Nội dung mới")

    # ------------------------------------------------- 4. the wizards

    @with_transaction()
    def test_route_import_refuses_a_forged_action(self):
        "An agency admin running the import wizard over RPC, the action's "
        "groups dodged with another action id, imports nothing"
        pool = Pool()
        Route = pool.get('mvp.interchange.route')
        Import = pool.get('mvp.interchange.route.import', type='wizard')
        self.setup()
        make_peer('theirs')
        csv = f'identifier_code,name,peer\n{NAM_DINH},Nam Định,theirs\n'
        with acting_as(self.agency_admin[1], access=False), \
                Transaction().set_context(action_id=-1):
            session_id, _, _ = Import.create()
            with self.assertRaises(AccessError):
                Import.execute(session_id,
                    {'start': {'data': csv.encode()}}, 'import_')
        self.assertEqual(Route.search([('identifier_code', '=', NAM_DINH)]),
            [])
        with acting_as(self.province_admin[1], access=False):
            session_id, _, _ = Import.create()
            Import.execute(session_id, {'start': {'data': csv.encode()}},
                'import_')
        self.assertEqual(
            len(Route.search([('identifier_code', '=', NAM_DINH)])), 1)

    @with_transaction()
    def test_route_export_refused_to_other_users(self):
        "The directory export is the province admin's only"
        Export = Pool().get('mvp.interchange.route.export', type='wizard')
        self.setup()
        make_peer('theirs', codes=[NAM_DINH])
        with acting_as(self.agency_admin[1], access=False):
            with self.assertRaises(AccessError):
                session_id, _, _ = Export.create()
                Export.execute(session_id, {}, 'result')
            with self.assertRaises(AccessError), \
                    Transaction().set_context(action_id=-1):
                session_id, _, _ = Export.create()
                Export.execute(session_id, {}, 'result')
        with acting_as(self.province_admin[1], access=False):
            session_id, _, _ = Export.create()
            result = Export.execute(session_id, {}, 'result')
        self.assertIn(NAM_DINH.encode(),
            result['view']['defaults']['file'])

    @with_transaction()
    def test_buttons_check_their_group_in_the_method(self):
        "Re-send and re-process refuse a clerk even without the button "
        "machinery's checks"
        Message = Pool().get('mvp.interchange.message')
        self.setup()
        message = self.message_of(self.agency, attempts=10)
        for button in ['resend', 'reprocess']:
            with self.subTest(button=button), self.assertRaises(
                    AccessError), acting_as(self.clerk[1], access=False):
                getattr(Message, button)([message])
        self.assertEqual(Message(message.id).state, 'dead')

    # ---------------------------------------- 5. notifications, e-mail

    @with_transaction()
    def test_stuck_alert_names_no_classified_document(self):
        "The stuck alert says 'a classified document' and nothing of it"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        outgoing = self.released_elsewhere()
        message, = Message.search([('direction', '=', 'out')])
        self.classify(outgoing)
        table = Message.__table__()
        Transaction().connection.cursor().execute(*table.update(
                [table.create_date],
                [dt.datetime.now() - dt.timedelta(hours=5)]))
        if not config.has_section('mvp_interchange'):
            config.add_section('mvp_interchange')
        alert_to = config.get('mvp_interchange', 'alert_to', default='')
        config.set('mvp_interchange', 'alert_to', 'ops@example.vn')
        try:
            with mock.patch('trytond.modules.mvp_documents.notification'
                    '.send_message_transactional') as send:
                Message.check_stuck()
        finally:
            config.set('mvp_interchange', 'alert_to', alert_to)
        mail, _, to_addrs = send.call_args[0]
        self.assertEqual(to_addrs, ['ops@example.vn'])
        text = mail.get_content()
        self.assertIn("a classified document", text)
        self.assertNotIn(outgoing.notation, text)
        self.assertNotIn("mã định danh", text)

    def setup_admins(self):
        "The users of setup() on top of the agencies already made"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        self.province_admin = self.make_user(self.agencies[1], 'padmin',
            "Ngô Văn Tỉnh", 'officer', None, "Quản trị")
        User.write([self.province_admin[0]], {'groups': [('add', [
                            ModelData.get_id('mvp_documents',
                                'group_mvp_province_admin')])]})
