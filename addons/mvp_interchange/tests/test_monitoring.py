# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Stuck exchange messages in GET /health and /metrics (issue 18, item 6)"""
import datetime as dt
import json
import unittest

from sql import Table
from werkzeug.test import Client

from trytond import config
from trytond.modules.mvp_documents.tests.test_monitoring import sample
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction
from trytond.wsgi import app


class ExchangeMonitoringTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_interchange')

    def setUp(self):
        if not config.has_section('monitoring'):
            config.add_section('monitoring')
        config.set('monitoring', 'database', DB_NAME)

    def tearDown(self):
        config.set('monitoring', 'database', '')

    def get(self, path):
        response = Client(app).get(path,
            environ_base={'REMOTE_ADDR': '127.0.0.1'})
        return response.status_code, response.get_data(as_text=True)

    def test_stuck_message_fails_health_and_is_counted(self):
        with Transaction().start(DB_NAME, 0) as transaction:
            Message = Pool().get('mvp.interchange.message')
            old, fresh = Message.create([{'direction': 'out',
                        'kind': 'package', 'state': 'retrying',
                        'message_id': 'monitor-%s' % i} for i in range(2)])
            transaction.commit()
        status, body = self.get('/health')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)['exchange'],
            {'status': 'ok', 'stuck': 0})

        with Transaction().start(DB_NAME, 0) as transaction:
            table = Table('mvp_interchange_message')
            transaction.connection.cursor().execute(*table.update(
                    [table.create_date],
                    [dt.datetime.now() - dt.timedelta(hours=5)],
                    where=table.id == old.id))
            transaction.commit()
        status, body = self.get('/health')
        self.assertEqual(status, 503)
        report = json.loads(body)
        self.assertEqual(report['exchange'], {'status': 'stuck', 'stuck': 1})
        self.assertEqual(report['database'], 'ok')

        status, text = self.get('/metrics')
        self.assertEqual(status, 200)
        self.assertEqual(sample(text, 'mvp_exchange_stuck'), 1)
        self.assertEqual(sample(text, 'mvp_exchange_messages',
                direction='out', state='retrying'), 2)
