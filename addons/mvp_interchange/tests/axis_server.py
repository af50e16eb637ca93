# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A stand-in for the national document axis on 127.0.0.1, speaking the
vendor SDK's protocol (vn-standards.md §1.21): every parameter an
``XroadVnpt-<key>`` header, checked; the HMAC-SHA256 over the signed
headers recomputed with the unit's secret; packages queued between the
units (systemIds) by the codes of their agencies.

What the real axis answers to a bad signature or an old timestamp is not
public: the stand-in answers ``status: FAIL`` with an ``ErrorCode`` other
than "0" and an ``ErrorDesc`` in the real one's unaccented Vietnamese, as
it does for a sender code that is not the registered one.

It can be told to fail the next calls: ``fail(kind, operation, times)``
with kind ``error`` (ErrorCode ≠ 0), ``html``, ``empty``, ``http500``,
``timeout`` (answers after ``slow`` seconds) or ``forget`` (the docId of
the call is dropped first, as if the axis had never known it).
"""
import base64
import datetime as dt
import hashlib
import hmac
import http.server
import json
import secrets
import threading
import time

from trytond.modules.mvp_interchange import axis_client, xml_io

PREFIX = axis_client.PREFIX
WINDOW = dt.timedelta(minutes=5)
#: the parameters each call must sign beside systemid and timestamp
REQUIRED = {
    'sendEdoc': ('from', 'servicetype', 'messagetype', 'hash-file'),
    'getReceivedEdocList': ('servicetype', 'messagetype'),
    'getEdoc': ('docId',),
    'downloadEdoc': ('docId',),
    'updateStatus': ('docId', 'status'),
    'getSentEdocList': ('docId',),
    'getAgenciesList': (),
    'getAgenciesListQD20': (),
    }


class Refused(Exception):
    "A call the axis answers with an error"

    def __init__(self, code, description):
        super().__init__(description)
        self.code = code
        self.description = description


class StandInAxis:
    """systems: {systemId: (secret, [agency codes])}; agencies: the
    directory's entries"""

    def __init__(self, systems, agencies=(), window=WINDOW, slow=3):
        self.systems = systems
        self.agencies = list(agencies)
        self.window = window
        self.slow = slow
        self.sent = {}        # DocId -> {'from', 'data', 'type', 'to'}
        self.received = {}    # receiver docId -> dict, see _queue
        self.calls = []       # (systemid, operation, ErrorCode)
        self.faults = []      # [kind, operation or None, times]
        self.lock = threading.Lock()
        axis = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                axis.handle(self, b'')

            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                axis.handle(self, self.rfile.read(length))

        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = f'http://127.0.0.1:{self.server.server_port}/XrdAdapter'
        self.thread = threading.Thread(target=self.server.serve_forever,
            daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *args):
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------- test controls

    def fail(self, kind, operation=None, times=1):
        self.faults.append([kind, operation, times])

    def states(self):
        "receiver docId -> axis state (inbox, done, fail, processing)"
        return {k: v['status'] for k, v in self.received.items()}

    def deliver_again(self, doc_id):
        "Queue the package of receiver doc_id once more, under a new docId"
        item = dict(self.received[doc_id], status='inbox')
        new_id = secrets.token_hex(12)
        self.received[new_id] = item
        return new_id

    def offer_again(self, doc_id):
        "List receiver doc_id again (the axis lost its updateStatus)"
        self.received[doc_id]['status'] = 'inbox'

    def forget(self, doc_id):
        "Drop receiver doc_id (an updateStatus then names an unknown one)"
        del self.received[doc_id]

    # ------------------------------------------------------ the wire

    def handle(self, request, body):
        operation = request.path.rstrip('/').rsplit('/', 1)[-1]
        system = request.headers.get(PREFIX + 'systemid', '')
        fault = self._fault(operation)
        if fault == 'timeout':
            time.sleep(self.slow)
        elif fault == 'html':
            return self._send(request, 200, b'<!DOCTYPE html><html><head>'
                b'<title>502 Bad Gateway</title></head><body>nginx</body>'
                b'</html>', 'text/html')
        elif fault == 'empty':
            return self._send(request, 200, b'', 'application/json')
        elif fault == 'http500':
            return self._send(request, 500, b'Internal Server Error',
                'text/plain')
        try:
            if fault == 'error':
                raise Refused('9', "He thong dang bao tri, vui long thu "
                    "lai sau")
            if operation not in REQUIRED:
                raise Refused('404', f"Khong ho tro dich vu {operation}")
            params = self.authenticate(request, operation, body)
            if fault == 'forget':
                self.received.pop(params.get('docId'), None)
            answer = getattr(self, operation)(system, params, body)
        except Refused as refused:
            self.calls.append((system, operation, refused.code))
            return self._json(request, {'status': 'FAIL',
                    'ErrorCode': refused.code,
                    'ErrorDesc': refused.description})
        self.calls.append((system, operation, '0'))
        if isinstance(answer, bytes):
            return self._send(request, 200, answer,
                'application/octet-stream')
        answer.setdefault('status', 'OK')
        answer.setdefault('ErrorCode', '0')
        answer.setdefault('ErrorDesc', '')
        return self._json(request, answer)

    def _fault(self, operation):
        with self.lock:
            for fault in self.faults:
                kind, name, times = fault
                if name in {None, operation} and times > 0:
                    fault[2] -= 1
                    return kind
        return None

    def _json(self, request, answer):
        self._send(request, 200, json.dumps(answer).encode(),
            'application/json')

    def _send(self, request, status, data, content_type):
        try:
            request.send_response(status)
            request.send_header('Content-Type', content_type)
            request.send_header('Content-Length', str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout)

    def authenticate(self, request, operation, body):
        """The signed parameters {key: value}, or Refused: every key of
        sign-header-key sent as a header, their JSON equal to
        sign-header, its HMAC with the unit's secret equal to
        hash-header, the timestamp near now"""
        headers = request.headers
        system = headers.get(PREFIX + 'systemid')
        if not system or system not in self.systems:
            raise Refused('401', f"Ma he thong khong ton tai: {system}")
        keys = (headers.get(PREFIX + 'sign-header-key') or '').split(';')
        missing = ({'systemid', 'timestamp', *REQUIRED[operation]}
            - set(keys))
        if missing:
            raise Refused('401', "Thieu tham so ky: "
                + ', '.join(sorted(missing)))
        entries = []
        for key in keys:
            value = headers.get(PREFIX + key)
            if value is None:
                raise Refused('401', f"Thieu tham so: {key}")
            entries.append((key, value))
        text = axis_client.sign_header(entries)
        if headers.get(PREFIX + 'sign-header') != text:
            raise Refused('401', "Chuoi ky khong khop voi tham so gui len")
        secret, _ = self.systems[system]
        if not hmac.compare_digest(axis_client.sign(text, secret),
                headers.get(PREFIX + 'hash-header') or ''):
            raise Refused('401', "Chu ky khong hop le")
        params = dict(entries)
        try:
            moment = axis_client.parse_timestamp(params['timestamp'])
        except ValueError as error:
            raise Refused('401', "Thoi gian khong hop le: "
                + params['timestamp']) from error
        if abs(dt.datetime.now(dt.timezone.utc) - moment) > self.window:
            raise Refused('401', "Thoi gian gui yeu cau qua han: "
                + params['timestamp'])
        return params

    # ----------------------------------------------------- the calls

    def owner(self, code):
        for system, (_, codes) in self.systems.items():
            if code in codes or code == system:
                return system
        return None

    def sendEdoc(self, system, params, body):
        if params['from'] != system:
            raise Refused('1', f"Don vi gui {params['from']} khong dung "
                f"voi ma da dang ky: {system}")
        digest = hashlib.sha256(body).digest()
        unpadded = ''.join('%x' % b for b in digest)
        if params['hash-file'] not in {digest.hex(), unpadded}:
            raise Refused('2', "Ma bam tep khong khop")
        if 'to' in params:
            codes = json.loads(params['to'])
        else:
            codes = self._codes(body, params['messagetype'])
        targets = {c: self.owner(c) for c in codes}
        if not codes or None in targets.values():
            raise Refused('3', "Khong tim thay don vi nhan: " + ', '.join(
                    c for c, s in targets.items() if s is None))
        doc_id = secrets.token_hex(12)
        self.sent[doc_id] = {'from': system, 'data': body,
            'type': params['messagetype'], 'to': {}}
        for code, target in targets.items():
            receiver_id = secrets.token_hex(12)
            self.sent[doc_id]['to'][code] = receiver_id
            self.received[receiver_id] = {'to': target, 'code': code,
                'from': system, 'data': body, 'type': params['messagetype'],
                'status': 'inbox', 'description': '', 'sent': doc_id,
                'created': dt.datetime.now().strftime('%d/%m/%Y %H:%M:%S')}
        return {'DocId': doc_id}

    @staticmethod
    def _codes(body, messagetype):
        try:
            parsed = xml_io.parse(body)
        except xml_io.EdxmlError as error:
            raise Refused('4', f"Goi tin khong hop le: {error.message}"
                ) from error
        if isinstance(parsed, xml_io.Status):
            return [parsed.response_for.organ_id]
        parsed.close()
        return [r.organ_id for r in parsed.recipients]

    def getReceivedEdocList(self, system, params, body):
        return {'data': [{'docId': i, 'serviceType': 'eDoc',
                    'messageType': r['type'], 'created_time': r['created'],
                    'updated_time': r['created'], 'from': r['from'],
                    'to': r['code'], 'status': r['status'],
                    'status_desc': r['description']}
                for i, r in list(self.received.items())
                if r['to'] == system and r['type'] == params['messagetype']
                and r['status'] in {'inbox', 'processing'}]}

    def _mine(self, system, doc_id):
        item = self.received.get(doc_id)
        if item is None or item['to'] != system:
            raise Refused('5', f"Khong tim thay van ban: {doc_id}")
        return item

    def getEdoc(self, system, params, body):
        item = self._mine(system, params['docId'])
        return {'data': base64.b64encode(item['data']).decode()}

    def downloadEdoc(self, system, params, body):
        return self._mine(system, params['docId'])['data']

    def updateStatus(self, system, params, body):
        if params['status'] not in axis_client.UPDATE_STATUSES:
            raise Refused('6', f"Trang thai khong hop le: {params['status']}")
        item = self._mine(system, params['docId'])
        item['status'] = params['status']
        item['description'] = params.get('description', '')
        return {}

    def getSentEdocList(self, system, params, body):
        sent = self.sent.get(params['docId'])
        if sent is None or sent['from'] != system:
            raise Refused('5', f"Khong tim thay van ban: {params['docId']}")
        data = []
        for code, receiver_id in sent['to'].items():
            item = self.received.get(receiver_id, {})
            status = item.get('status', 'fail')
            data.append({'receiverDocId': receiver_id, 'toCode': code,
                    'receiveStatus': status,
                    'receiveStatusDesc': item.get('description', ''),
                    'sendStatus': 'done', 'sendStatusDesc': '',
                    'sentTime': item.get('created', ''),
                    'receivedTime': '' if status == 'inbox'
                    else item.get('created', '')})
        return {'data': data}

    def getAgenciesList(self, system, params, body):
        return {'data': self.agencies}

    def getAgenciesListQD20(self, system, params, body):
        return {'data': [dict(a, code102=a.get('code')) for a in
                self.agencies]}
