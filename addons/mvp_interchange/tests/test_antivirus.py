# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An edXML package with an infected attachment is rejected with status
02 and its reason; nothing of it is kept but the quarantine record
(issue 18, item 1)."""
import hashlib
import unittest

from trytond.modules.mvp_documents.tests.clamd_tools import (
    EICAR, SIGNATURE, Clamd, configured_clamd)
from trytond.modules.mvp_interchange import xml_io
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction

from .test_interchange import HERE, THERE, make_agency, make_peer
from .test_xml_io import make_package


class ExchangeAntivirusTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_interchange')
        cls.clamd = Clamd()

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
            make_agency('UBND tỉnh Nghệ An', HERE)
            peer = make_peer('virus-peer', codes=[THERE])
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
