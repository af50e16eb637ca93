# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An edXML package with an infected attachment is rejected with status
02 and its reason; nothing of it is kept but the quarantine record.  When
clamd does not answer, the package is not refused: the endpoint answers
503 and the sender's outbox sends it again, or the package stays on the
axis for the next poll (issue 18, item 1)."""
import hashlib
import json
import os
import unittest

from werkzeug.test import Client

from trytond.modules.mvp_documents.tests.clamd_tools import (
    EICAR, SIGNATURE, Clamd, configured_clamd)
from trytond.modules.mvp_interchange import xml_io
from trytond.modules.mvp_interchange.axis_client import AxisClient
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction
from trytond.wsgi import app

from .axis_server import StandInAxis
from .test_interchange import HERE, THERE, make_agency, make_peer
from .test_xml_io import make_package


class ExchangeAntivirusTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_interchange')
        cls.clamd = Clamd()
        with Transaction().start(DB_NAME, 0) as transaction:
            make_agency('UBND tỉnh Nghệ An', HERE)
            make_peer('virus-peer', codes=[THERE],
                incoming_key='secret-virus')
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        cls.clamd.stop()

    def test_infected_package_rejected_with_status_02(self):
        data = EICAR + b'package'
        package = make_package(attachments=[
                xml_io.Attachment.from_bytes('cong-van.txt', data,
                    content_type='text/plain', content_id='v1')])
        with configured_clamd(self.clamd.unix), \
                Transaction().start(DB_NAME, 0,
                    context={'language': 'vi'}) as transaction:
            pool = Pool()
            Message = pool.get('mvp.interchange.message')
            Peer = pool.get('mvp.interchange.peer')
            peer, = Peer.search([('name', '=', 'virus-peer')])
            answer = Message.receive(peer, xml_io.package_bytes(package))
            transaction.commit()
        self.assertEqual(answer['outcome'], 'rejected')
        self.assertEqual(answer['status_code'], '02')
        self.assertIn('cong-van.txt', answer['message'])
        self.assertIn(SIGNATURE, answer['message'])
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Message = pool.get('mvp.interchange.message')
            Incoming = pool.get('mvp.incoming')
            Quarantine = pool.get('mvp.document.quarantine')
            message = Message(answer['id'])
            self.assertEqual(message.state, 'rejected')
            self.assertIsNone(message.data)
            self.assertEqual(Incoming.search(
                    [('origin', '=', str(message))]), [])
            record, = Quarantine.search([('sha256', '=',
                        hashlib.sha256(data).hexdigest())])
            self.assertEqual((record.name, record.signature, record.size),
                ('cong-van.txt', SIGNATURE, len(data)))

    def test_package_waits_in_the_senders_outbox_while_clamd_is_down(self):
        package = make_package(document_id='000.00.00.H54,2026/11/20,88/CV',
            code_number='88', code_notation='CV')
        data = xml_io.package_bytes(package)

        def post():
            response = Client(app).post('/%s/mvp/edxml' % DB_NAME,
                data=data, headers={'Authorization': 'Bearer secret-virus',
                    'X-Edxml-Message-Id': 'waiting-1'})
            return response, json.loads(response.data)

        stopped = 'unix://' + os.path.join(self.clamd.directory, 'stopped')
        with configured_clamd(stopped):
            response, answer = post()
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.headers['Retry-After'], '300')
        self.assertEqual((answer['outcome'], answer['code']),
            ('unavailable', 'antivirus'))
        with Transaction().start(DB_NAME, 0):
            Message = Pool().get('mvp.interchange.message')
            self.assertEqual(Message.search(
                    [('message_id', '=', 'waiting-1')]), [])
        # clamd is back: the sender's next attempt is received
        with configured_clamd(self.clamd.unix):
            response, answer = post()
        self.assertEqual((response.status_code, answer['outcome']),
            (200, 'accepted'), answer)

    def test_package_waits_on_the_axis_while_clamd_is_down(self):
        "A poll while clamd is down leaves the package on the axis, not "
        "counted against it; the next poll receives it"
        systems = {'sys-here': ('s1', [HERE]), 'sys-there': ('s2', [THERE])}
        sender = '000.00.00.H55'
        package = make_package(
            sender=xml_io.Organization(sender, organ_name='UBND'),
            recipients=[xml_io.Organization(HERE, organ_name='UBND')],
            document_id=f'{sender},2026/11/20,89/CV', code_number='89',
            code_notation='CV')
        with StandInAxis(systems) as axis:
            client = AxisClient(axis.url, 'sys-there', 's2')
            doc_id = axis.sent[client.send_edoc(
                    xml_io.package_bytes(package))]['to'][HERE]
            with Transaction().start(DB_NAME, 0) as transaction:
                make_peer('virus-axis', url=axis.url, kind='hub',
                    system_id='sys-here', outgoing_key='s1', codes=[sender])
                transaction.commit()
            stopped = 'unix://' + os.path.join(self.clamd.directory,
                'stopped')
            for clamd, state in [(stopped, 'inbox'),
                    (self.clamd.unix, 'done')]:
                with configured_clamd(clamd), \
                        Transaction().start(DB_NAME, 0) as transaction:
                    pool = Pool()
                    Peer = pool.get('mvp.interchange.peer')
                    Message = pool.get('mvp.interchange.message')
                    peer, = Peer.search([('name', '=', 'virus-axis')])
                    Peer.poll_hubs([peer])
                    self.assertEqual(axis.states()[doc_id], state)
                    messages = Message.search(
                        [('message_id', '=', f'axis:{doc_id}')])
                    if state == 'inbox':
                        self.assertEqual(messages, [])
                        self.assertEqual(Peer(peer.id).axis_errors, 1)
                    else:
                        self.assertEqual([m.state for m in messages],
                            ['accepted'])
                    transaction.commit()
