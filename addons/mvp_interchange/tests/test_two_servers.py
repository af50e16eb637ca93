# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Two trytond installations on 127.0.0.1 exchange through the endpoint and
the queue worker, with faults: receiver down, killed mid-request, duplicate
delivery, statuses out of order, hostile packages, unknown recipient,
broken signature.  Counted: 0 lost, 0 duplicated, every rejection
explained."""
import json
import os
import shutil
import subprocess
import unittest

from trytond.modules.mvp_interchange import xml_io

from . import twoservers
from .test_xml_io import make_package

A, A2, B = '000.00.00.H54', '000.01.00.H54', '000.00.00.H41'
BACKEND = ('postgresql' if 'postgresql' in os.environ.get(
        'TRYTOND_DATABASE__URI', '') else 'sqlite')


def packages(inbox):
    "The packages of an inbox; the statuses of other tests arrive too"
    return sum(n for k, n in inbox.items() if k.startswith('package:'))


class TwoServersTestCase(unittest.TestCase):
    "Exchange between two real installations"
    # As deployed: on PostgreSQL with trytond-worker.  On SQLite there is
    # no queue worker (the tool's stand-in loop sends) and server and loop
    # contend for the file lock, which made this class take 7 minutes of
    # the suite; test_interchange covers the same code on SQLite in one
    # process.
    backends = {'postgresql'}

    @classmethod
    def setUpClass(cls):
        cls.root, cls.a, cls.b = twoservers.pair(BACKEND)
        cls.incoming = cls.b.call('has_incoming')

    @classmethod
    def tearDownClass(cls):
        for installation in (cls.a, cls.b):
            installation.stop()
            installation.drop()
        shutil.rmtree(cls.root, ignore_errors=True)

    def settle(self, installation, kinds=('package', 'status')):
        "Wait until the outbox of installation has nothing pending"
        def done():
            out = installation.call('state')['out']
            return not any(out.get(f'{k}:{s}') for k in kinds
                for s in ('queued', 'retrying'))
        self.assertTrue(twoservers.wait(done, timeout=600))
        return installation.call('state')

    def test_1_packages_both_ways_exactly_once(self):
        "Packages both ways arrive once each, or are refused with a reason"
        self.a.call('send', sender=A, recipient=B, count=4, prefix='1')
        self.b.call('send', sender=B, recipient=A2, count=3, prefix='2')
        a, b = self.settle(self.a), self.settle(self.b)
        if self.incoming:
            self.assertEqual(a['out'].get('package:sent'), 4)
            self.assertEqual(b['out'].get('package:sent'), 3)
            self.assertEqual(b['in'].get('package:accepted'), 4)
            self.assertEqual(a['in'].get('package:accepted'), 3)
            self.assertEqual(len(set(b['incoming_documents'])),
                len(b['incoming_documents']))
        else:
            # no incoming register yet: refused for good, with the reason
            self.assertEqual(a['out'].get('package:rejected'), 4)
            self.assertEqual(b['in'].get('package:rejected'), 4)
            self.assertEqual(b['in'].get('package:rejected'), 4)
            self.assertEqual(a['in'].get('package:rejected'), 3)
            # 4 refusals received by A's outbox, 3 given by A's inbox
            self.assertEqual(a['errors'].get('unavailable'), 7)

    def test_2_receiver_down_then_back(self):
        "Packages sent while the receiver is down are delivered later"
        before = self.b.call('state')['in']
        self.b.stop_server()
        try:
            self.a.call('send', sender=A, recipient=B, count=3, prefix='3')
            retrying = twoservers.wait(lambda: self.a.call('state')['out']
                .get('package:retrying'), timeout=120)
            self.assertTrue(retrying)
        finally:
            self.b.start()
        self.settle(self.a)
        after = self.b.call('state')['in']
        received = packages(after) - packages(before)
        self.assertEqual(received, 3)
        self.assertGreaterEqual(self.a.call('state')['retried'], 3)

    def test_3_receiver_killed_mid_request(self):
        "Killing the receiver during transfers loses and duplicates nothing"
        before = self.b.call('state')
        self.a.call('send', sender=A, recipient=B, count=12, prefix='4',
            attachment_kb=400)
        twoservers.wait(lambda: packages(self.b.call('state')['in'])
            > packages(before['in']), timeout=300, interval=0.2)
        self.b.stop_server(kill=True)
        self.b.start()
        self.settle(self.a)
        after = self.b.call('state')
        new = packages(after['in']) - packages(before['in'])
        self.assertEqual(new, 12)
        if self.incoming:
            self.assertEqual(
                after['incomings'] - (before['incomings'] or 0), 12)

    def test_4_duplicate_delivery(self):
        "The same package twice gets the same answer, one record"
        package = make_package(recipients=[xml_io.Organization(B,
                    organ_name='UBND tỉnh Nghệ An')])
        data = xml_io.package_bytes(package)
        first = twoservers.post(self.b, data, 'key-a-to-b', 'dup-1')
        again = twoservers.post(self.b, data, 'key-a-to-b', 'dup-1')
        self.assertEqual(first[1]['id'], again[1]['id'])
        if first[1]['outcome'] == 'accepted':
            self.assertEqual(again[1]['outcome'], 'duplicate')
            other = twoservers.post(self.b, data, 'key-a-to-b', 'dup-2')
            self.assertEqual(other[1]['outcome'], 'duplicate')
        else:
            self.assertEqual(again, first)

    def test_5_statuses_out_of_order(self):
        "Statuses 04, 01, 06, 03 leave the sender's view at 06"
        ids = self.a.call('send', sender=A, recipient=B, count=1,
            prefix='5')['ids']
        self.settle(self.a, kinds=('package',))
        document_id = xml_io.document_id(A, __import__('datetime').date
            .today(), '50000/CV-TEST')
        for code in ['04', '01', '06', '03']:
            self.b.call('send_status', sender=B, recipient=A,
                document_id=document_id, code=code)
        self.settle(self.b, kinds=('status',))
        self.assertTrue(ids)
        self.assertEqual(self.a.call('state')['delivered'][document_id],
            '06')

    def test_6_hostile_and_wrong_packages_explained(self):
        "Hostile, corrupted and misaddressed packages are refused with why"
        good = xml_io.package_bytes(make_package(recipients=[
                    xml_io.Organization(B, organ_name='UBND')]))
        # document ids of their own: test 4 delivered the default one
        unknown = xml_io.package_bytes(make_package(code_number='62',
                document_id=f'{A},2026/11/20,62/TTr-STTTT', recipients=[
                    xml_io.Organization('000.00.00.G22', organ_name='VPCP')]))
        broken_pdf = xml_io.package_bytes(make_package(
                code_number='61', document_id=f'{A},2026/11/20,61/TTr-STTTT',
                recipients=[xml_io.Organization(B, organ_name='UBND')],
                attachments=[xml_io.Attachment.from_bytes('a.pdf',
                        b'%PDF-1.4\n\xef\xbf\xbd', content_type=
                        'application/pdf', content_id='p')]))
        cases = [
            (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                b'"file:///etc/passwd">]><edXML>&e;</edXML>', 'dtd'),
            (b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
                b'&a;&a;&a;">]><edXML>&b;</edXML>', 'dtd'),
            (good[:len(good) // 3], 'truncated'),
            (b'PK\x03\x04 not xml', 'not_xml'),
            (unknown, 'unknown_recipient'),
            (broken_pdf, 'pdf'),
            ]
        for data, code in cases:
            with self.subTest(code=code):
                status, answer = twoservers.post(self.b, data, 'key-a-to-b')
                self.assertEqual((status, answer['outcome'], answer['code']),
                    (422, 'rejected', code))
                self.assertTrue(answer['message'])
        status, answer = twoservers.post(self.b, good, 'wrong-key')
        self.assertEqual((status, answer['code']), (401, 'unauthorized'))

    def test_7_broken_xml_signature_refused(self):
        "A package whose XML signature does not verify is refused"
        self.a.call('send', sender=A, recipient=B, count=1, prefix='7',
            signed=True, tamper=True)
        self.a.call('send', sender=A, recipient=B, count=1, prefix='8',
            signed=True)
        state = self.settle(self.a)
        self.assertEqual(self.b.call('state')['errors'].get('signature'), 1)
        self.assertTrue(state['errors'].get('signature'))

    def test_8_import_command(self):
        "mvp-edxml import prints one JSON line per file"
        good = os.path.join(self.root, 'good.edxml')
        with open(good, 'wb') as f:
            f.write(xml_io.package_bytes(make_package(code_number='81',
                        document_id=f'{A},2026/11/20,81/TTr-STTTT',
                        recipients=[xml_io.Organization(
                                B, organ_name='UBND tỉnh Nghệ An')])))
        hostile = os.path.join(self.root, 'hostile.edxml')
        with open(hostile, 'wb') as f:
            f.write(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b'<edXML>&e;</edXML>')
        command = [twoservers.PY, '-m', 'trytond.modules.mvp_interchange.cli',
            'import', '--config', self.b.conf, '--database',
            self.b.database, good, hostile, good]
        env = self.b._env()
        del env['TRYTOND_CONFIG']  # --config alone must be enough
        result = subprocess.run(command, capture_output=True, text=True,
            env=env, check=True)
        lines = [json.loads(t) for t in result.stdout.splitlines()]
        self.assertEqual([t['file'] for t in lines], [good, hostile, good])
        self.assertEqual(lines[1]['outcome'], 'rejected')
        self.assertTrue(lines[1]['reason'].startswith('dtd:'))
        if self.incoming:
            self.assertEqual([lines[0]['outcome'], lines[2]['outcome']],
                ['accepted', 'duplicate'])
            self.assertEqual(lines[0]['document'], lines[2]['document'])
        else:
            self.assertEqual(lines[2], lines[0])
            self.assertTrue(lines[0]['reason'].startswith('unavailable:'))

    def test_9_release_handled_elsewhere_then_recall(self):
        "A released document is accepted, assigned and finished at B; A "
        "sees 01, 03, 04, 06; a recall B agrees to (15) cancels the "
        "document, one B refuses (16) leaves it"
        first = self.a.call('release', sender=A, recipient=B,
            subject="Về việc báo cáo kết quả chuyển đổi số năm 2026")
        self.settle(self.a)
        handled = self.b.call('handle', document_id=first['document_id'],
            steps=['accept', 'assign', 'finish'])
        self.assertEqual(handled['state'], 'processed')
        self.settle(self.b)

        def view(outgoing, state):
            seen = self.a.call('recipients', outgoing=outgoing)
            return seen if seen['states'] == [state] else None
        seen = twoservers.wait(lambda: view(first['outgoing'], 'completed'),
            timeout=300)
        self.assertTrue(seen)
        self.assertLessEqual({'01', '03', '04', '06'}, set(seen['codes']))

        second = self.a.call('release', sender=A, recipient=B,
            subject="Về việc tổ chức hội nghị (ban hành nhầm)")
        self.settle(self.a)
        self.assertEqual(self.b.call('handle',
                document_id=second['document_id'], steps=[])['state'],
            'received')
        self.a.call('recall', outgoing=second['outgoing'],
            reason="Ban hành nhầm")
        self.settle(self.a)
        # nothing is cancelled before B agrees (15)
        self.assertEqual(self.b.call('handle',
                document_id=second['document_id'], steps=[]),
            {'state': 'received', 'recall': 'requested'})
        self.assertEqual(self.b.call('handle',
                document_id=second['document_id'],
                steps=['agree_recall'])['state'], 'cancelled')
        self.settle(self.b)
        self.assertTrue(twoservers.wait(
                lambda: view(second['outgoing'], 'recalled'), timeout=300))

        third = self.a.call('release', sender=A, recipient=B,
            subject="Về việc tổ chức hội nghị (đã triển khai)")
        self.settle(self.a)
        self.b.call('handle', document_id=third['document_id'],
            steps=['accept'])
        self.a.call('recall', outgoing=third['outgoing'],
            reason="Ban hành nhầm")
        self.settle(self.a)
        self.assertEqual(self.b.call('handle',
                document_id=third['document_id'],
                steps=['refuse_recall']),
            {'state': 'registered', 'recall': 'refused'})
        self.settle(self.b)
        self.assertTrue(twoservers.wait(
                lambda: view(third['outgoing'], 'recall_refused'),
                timeout=300))
