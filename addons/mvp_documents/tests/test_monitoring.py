# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""GET /health and GET /metrics (issue 18, item 6), through the WSGI
application as the server runs it."""
import datetime as dt
import json
import os
import re
import tempfile
import unittest

from werkzeug.test import Client

from trytond import config
from trytond.modules.mvp_documents import monitoring
from trytond.modules.mvp_documents.tests.clamd_tools import (
    Clamd, configured_clamd)
from trytond.modules.mvp_documents.tests.incoming_tools import (
    acting_as, create_incoming)
from trytond.modules.mvp_documents.tests.test_incoming import Agency
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction
from trytond.wsgi import app


DEFAULTS = {'database': '', 'metrics_dir': '', 'count_cache': '60',
    'metrics_networks': monitoring.DEFAULT_NETWORKS, 'queue_max_age': '3600'}


def sample(text, name, **labels):
    "Return the value of the sample name{labels} in a metrics page"
    label = ','.join('%s="%s"' % item for item in labels.items())
    pattern = r'^%s%s (\S+)$' % (re.escape(name),
        re.escape('{%s}' % label) if label else '')
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else None


class MonitoringTestCase(unittest.TestCase):
    "Health for nginx, metrics for Prometheus"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')
        cls.clamd = Clamd()
        with Transaction().start(DB_NAME, 0) as transaction:
            agency = Agency(prefix='mon_')
            with acting_as(agency.clerk):
                for _ in range(3):
                    create_incoming(agency.company)
            transaction.commit()

    @classmethod
    def tearDownClass(cls):
        cls.clamd.stop()

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.options = {
            'database': DB_NAME, 'metrics_dir': self.directory.name,
            'metrics_networks': '127.0.0.0/8,192.168.10.0/24',
            'count_cache': '0'}
        if not config.has_section('monitoring'):
            config.add_section('monitoring')
        for key, value in self.options.items():
            config.set('monitoring', key, value)
        self.path = tempfile.TemporaryDirectory()
        self.previous_path = config.get('database', 'path')
        config.set('database', 'path', self.path.name)
        self.client = Client(monitoring.RequestMetrics(app))
        monitoring.COUNTERS.data.clear()
        # counts cached from another test's database of the same name
        monitoring._cache.clear()

    def tearDown(self):
        for key, value in DEFAULTS.items():
            config.set('monitoring', key, value)
        config.set('database', 'path', self.previous_path)
        self.directory.cleanup()
        self.path.cleanup()
        self._clear_queue()

    def _clear_queue(self):
        with Transaction().start(DB_NAME, 0) as transaction:
            Queue = Pool().get('ir.queue')
            Queue.delete(Queue.search([]))
            transaction.commit()

    def _queue(self, age):
        with Transaction().start(DB_NAME, 0) as transaction:
            Queue = Pool().get('ir.queue')
            Queue.create([{'name': 'default', 'data': {},
                        'enqueued_at': dt.datetime.now()
                        - dt.timedelta(seconds=age)}])
            transaction.commit()

    def call(self, method, path, **kwargs):
        "Answer a request, closed as a WSGI server closes it once sent"
        kwargs.setdefault('environ_base', {'REMOTE_ADDR': '127.0.0.1'})
        response = self.client.open(path, method=method, **kwargs)
        response.get_data()
        response.close()
        return response

    def health(self):
        response = self.call('GET', '/health')
        return response.status_code, json.loads(response.data)

    def test_health_all_parts_answer(self):
        self._clear_queue()
        self._queue(age=30)
        with configured_clamd(self.clamd.unix):
            status, report = self.health()
        self.assertEqual(status, 200)
        self.assertEqual(report, {'status': 'ok', 'database': 'ok',
                'filestore': 'ok', 'clamd': 'ok',
                'queue': {'status': 'ok', 'pending': 1,
                    'oldest_seconds': report['queue']['oldest_seconds']}})
        self.assertGreaterEqual(report['queue']['oldest_seconds'], 29)
        # nothing left behind by the write test of the file store
        self.assertEqual(os.listdir(
                os.path.join(self.path.name, DB_NAME)), [])

    def test_health_without_clamd_configured(self):
        with configured_clamd(None):
            status, report = self.health()
        self.assertEqual(status, 200)
        self.assertNotIn('clamd', report)

    def test_health_fails_for_each_broken_part(self):
        missing = 'unix://' + os.path.join(self.directory.name, 'none')
        with configured_clamd(missing):
            status, report = self.health()
        self.assertEqual((status, report['clamd'], report['status']),
            (503, 'fail', 'fail'))

        read_only = os.path.join(self.path.name, 'file-not-directory')
        open(read_only, 'w').close()
        config.set('database', 'path', read_only)
        status, report = self.health()
        self.assertEqual((status, report['filestore'], report['database']),
            (503, 'fail', 'ok'))
        config.set('database', 'path', self.path.name)

        config.set('monitoring', 'queue_max_age', '600')
        try:
            self._queue(age=3600)
            status, report = self.health()
        finally:
            config.set('monitoring', 'queue_max_age', '3600')
        self.assertEqual((status, report['queue']['status']), (503, 'late'))

        config.set('monitoring', 'database', 'no_such_database_mvp')
        status, report = self.health()
        self.assertEqual((status, report['database']), (503, 'fail'))
        # states and counts only: no error text, path or name
        self.assertNotIn('no_such_database_mvp', json.dumps(report))

    def test_metrics_count_requests_queue_and_documents(self):
        self._clear_queue()
        self._queue(age=5)
        for _ in range(3):
            self.call('GET', '/health')
        rpc = self.call('POST', '/%s/rpc/' % DB_NAME, data='{}')
        text = self.call('GET', '/metrics').get_data(as_text=True)
        self.assertEqual(sample(text, 'mvp_http_requests_total',
                kind='health', status='2xx'), 3)
        self.assertEqual(sample(text,
                'mvp_http_request_duration_seconds_count',
                kind='health', status='2xx'), 3)
        self.assertEqual(sample(text,
                'mvp_http_request_duration_seconds_bucket',
                kind='health', status='2xx', le='+Inf'), 3)
        self.assertEqual(sample(text, 'mvp_http_requests_total',
                kind='rpc', status='%sxx' % str(rpc.status_code)[0]), 1)
        self.assertEqual(sample(text, 'mvp_queue_pending'), 1)
        self.assertEqual(sample(text, 'mvp_up', check='database'), 1)
        with Transaction().start(DB_NAME, 0):
            Incoming = Pool().get('mvp.incoming')
            drafts = Incoming.search_count([('state', '=', 'draft')])
        self.assertGreaterEqual(drafts, 3)
        self.assertEqual(sample(text, 'mvp_documents',
                kind='incoming', state='draft'), drafts)
        self.assertIn('# TYPE mvp_http_request_duration_seconds histogram',
            text)

    def test_metrics_add_up_every_worker(self):
        "A worker answers for the others from their saved counters"
        with open(os.path.join(self.directory.name, '999999.json'),
                'w') as file:
            json.dump({'rpc 2xx': {'count': 40, 'sum': 2.0,
                        'buckets': [10, 30] + [0] * 8}}, file)
        self.call('POST', '/%s/rpc/' % DB_NAME, data='{}')
        text = self.call('GET', '/metrics').get_data(as_text=True)
        self.assertEqual(sample(text, 'mvp_http_requests_total',
                kind='rpc', status='2xx'), 40)
        self.assertEqual(sample(text,
                'mvp_http_request_duration_seconds_bucket',
                kind='rpc', status='2xx', le='0.05'), 40)

    def test_metrics_only_for_the_allowed_networks(self):
        for address, status in [('127.0.0.1', 200), ('192.168.10.7', 200),
                ('10.0.0.5', 403), ('192.168.11.7', 403)]:
            with self.subTest(address=address):
                response = self.call('GET', '/metrics',
                    environ_base={'REMOTE_ADDR': address})
                self.assertEqual(response.status_code, status)
        # /health is open to all
        response = self.call('GET', '/health',
            environ_base={'REMOTE_ADDR': '10.0.0.5'})
        self.assertEqual(response.status_code, 200)
