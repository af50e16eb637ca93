# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""An infected e-mail fetched from an agency's mailbox (issue 18): the
capture is refused in the queue worker and nothing infected stays
stored, with a real clamd and a real IMAP server."""
import contextlib
import datetime as dt
import hashlib
import os
import unittest

from trytond import config
from trytond.modules.mvp_documents.exceptions import (
    ScannerUnavailableError, VirusScanError)
from trytond.modules.mvp_documents.tests.clamd_tools import (
    EICAR, SIGNATURE, Clamd, configured_clamd)
from trytond.modules.mvp_documents.tests.incoming_tools import create_agency
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module
from trytond.transaction import Transaction
from trytond.worker import run_task

from .imap_server import ImapServer
from .scan_tools import vietnamese_page_pdf
from .test_capture import imap_inbox
from .test_scan import _eml


@contextlib.contextmanager
def queue_worker():
    "Run the block as a deployment with trytond-worker ([queue] worker)"
    if not config.has_section('queue'):
        config.add_section('queue')
    previous = config.get('queue', 'worker', default='False')
    config.set('queue', 'worker', 'True')
    try:
        yield
    finally:
        config.set('queue', 'worker', previous)


def proceed_tasks(document_id):
    "The queued captures of the intake document, oldest first"
    Queue = Pool().get('ir.queue')
    return [q for q in Queue.search([], order=[('id', 'ASC')])
        if q.data.get('method') == 'proceed'
        and document_id in q.data.get('instances', ())]


class InfectedEmailTestCase(unittest.TestCase):
    "Capture of an infected e-mail"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_capture')
        cls.clamd = Clamd()

    @classmethod
    def tearDownClass(cls):
        cls.clamd.stop()

    def fetch(self, server):
        """Fetch the mailbox of a new agency as the cron does; return the
        agency, the inbox and the tasks queued for the worker"""
        with Transaction().start(DB_NAME, 0) as transaction:
            Inbox = Pool().get('inbound.email.inbox')
            # committed: an agency of its own
            agency = create_agency("Sở Y tế", 'SYT')
            inbox = imap_inbox(agency, server, 'vanthu@syt', 's3cret')
            # the tasks are the thread's: only those queued here
            transaction.tasks.clear()
            Inbox.fetch_imap_all()
            tasks = list(transaction.tasks)
            transaction.tasks.clear()
            transaction.commit()
        return agency.id, inbox.id, tasks

    def test_infected_email_leaves_nothing_infected(self):
        infected = EICAR + b'imap'
        message = _eml("Công văn kèm tệp nhiễm virus", [
                ('cong-van.pdf', 'application/pdf', vietnamese_page_pdf()),
                ('phu-luc.txt', 'text/plain', infected),
                ]).replace(b'<abc@snv.gov.vn>', b'<virus@syt.gov.vn>')
        with configured_clamd(self.clamd.unix), \
                ImapServer(user='vanthu@syt', password='s3cret') as server:
            server.deliver(message)
            agency, inbox, tasks = self.fetch(server)
            with Transaction().start(DB_NAME, 0):
                Email = Pool().get('inbound.email')
                # the e-mail waits for the worker, infected data and all
                email, = Email.search([('inbox', '=', inbox)])
                self.assertIn(b'filename="phu-luc.txt"', bytes(email.data))
            # the capture the worker runs is refused and rolled back (run
            # here: on SQLite the worker's record of the error, written in
            # a transaction of its own, would commit the capture's work)
            refused = 0
            for task in tasks:
                try:
                    with Transaction().start(DB_NAME, 0):
                        Pool().get('ir.queue')(task).run()
                except VirusScanError:
                    refused += 1
            self.assertEqual(refused, 1)

        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Email = pool.get('inbound.email')
            Document = pool.get('document.incoming')
            Incoming = pool.get('mvp.incoming')
            File = pool.get('mvp.document.file')
            Quarantine = pool.get('mvp.document.quarantine')
            self.assertEqual(Email.search([('inbox', '=', inbox)]), [])
            self.assertEqual(Document.search([
                        ('company', '=', agency),
                        ('active', 'in', [True, False]),
                        ]), [])
            self.assertEqual(Incoming.search([('company', '=', agency)]), [])
            self.assertEqual(File.search([
                        ('sha256', '=', hashlib.sha256(infected).hexdigest()),
                        ]), [])
            # what is known of the file stays, for the administrators
            records = Quarantine.search([('company', '=', agency)])
            self.assertTrue(records)
            self.assertEqual({r.signature for r in records}, {SIGNATURE})

    def test_clean_email_is_captured(self):
        "The same path with a clean e-mail keeps it (the test above can fail)"
        message = _eml("Công văn sạch", [
                ('cong-van.pdf', 'application/pdf', vietnamese_page_pdf()),
                ]).replace(b'<abc@snv.gov.vn>', b'<clean@syt.gov.vn>')
        with configured_clamd(self.clamd.unix), \
                ImapServer(user='vanthu@syt', password='s3cret') as server:
            server.deliver(message)
            agency, inbox, tasks = self.fetch(server)
            for task in tasks:
                run_task(DB_NAME, task)

        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Email = pool.get('inbound.email')
            Incoming = pool.get('mvp.incoming')
            self.assertEqual(len(Email.search([('inbox', '=', inbox)])), 1)
            incoming, = Incoming.search([('company', '=', agency)])
            self.assertEqual(incoming.subject, "Công văn sạch")

    def test_capture_waits_while_clamd_is_down(self):
        """clamd not answering: nothing is removed, the worker tries the
        capture again later and it goes through once clamd is back"""
        stopped = 'unix://' + os.path.join(self.clamd.directory, 'stopped')
        message = _eml("Công văn chờ quét virus").replace(
            b'<abc@snv.gov.vn>', b'<wait@syt.gov.vn>')
        with configured_clamd(stopped), queue_worker():
            with Transaction().start(DB_NAME, 0) as transaction:
                Document = Pool().get('document.incoming')
                agency = create_agency("Sở Xây dựng", 'SXD')
                document = Document(name='cho-quet.eml', company=agency,
                    data=message, type='mvp_incoming')
                document.save()
                Document.process([document])
                transaction.commit()
            with Transaction().start(DB_NAME, 0):
                first, = proceed_tasks(document.id)
            with self.assertRaises(ScannerUnavailableError), \
                    Transaction().start(DB_NAME, 0):
                Pool().get('ir.queue')(first.id).run()
            with Transaction().start(DB_NAME, 0):
                Document = Pool().get('document.incoming')
                waiting = Document(document.id)
                self.assertEqual(bytes(waiting.data), message)
                self.assertIsNone(waiting.result)
                _, retry = proceed_tasks(document.id)
                self.assertGreater(retry.scheduled_at,
                    dt.datetime.now() + dt.timedelta(minutes=4))

        with configured_clamd(self.clamd.unix), \
                Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            pool.get('ir.queue')(retry.id).run()
            Incoming = pool.get('mvp.incoming')
            incoming, = Incoming.search([('company', '=', agency.id)])
            self.assertEqual(incoming.subject, "Công văn chờ quét virus")
            transaction.commit()
