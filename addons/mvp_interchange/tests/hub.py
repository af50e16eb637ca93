# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A small stand-in for the national axis (vn-standards.md §1.8), started on
127.0.0.1 by the tests: sendEdoc, getReceivedEdocList, getEdoc and
updateStatus, authenticated by systemId + secret, routing each package to
the system that owns each To/OrganId."""
import http.server
import json
import threading
import uuid

from trytond.modules.mvp_interchange import xml_io


class StandInHub:

    def __init__(self, systems):
        # systems: {system_id: (secret, [agency codes])}
        self.systems = systems
        self.documents = {}   # doc id -> (to system, from system, bytes)
        self.states = {}      # doc id -> axis state ('inbox', 'done'...)
        self.calls = []
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length)
                system = self.headers.get('systemId', '')
                secret, _ = hub.systems.get(system, (None, None))
                if secret is None or secret != self.headers.get('secret'):
                    return self._send(401, {'status': 'FAIL',
                            'ErrorDesc': 'authentication'})
                name = self.path.strip('/').split('/')[-1]
                hub.calls.append((system, name))
                status, answer = getattr(hub, name)(system, body,
                    self.headers)
                self._send(status, answer)

            def _send(self, status, answer):
                data = answer if isinstance(answer, bytes) else json.dumps(
                    answer).encode()
                self.send_response(status)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_port}'
        self.thread = threading.Thread(target=self.server.serve_forever,
            daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *args):
        self.server.shutdown()
        self.server.server_close()

    def owner(self, code):
        for system, (_, codes) in self.systems.items():
            if code in codes or code == system:
                return system

    def sendEdoc(self, system, body, headers):
        try:
            parsed = xml_io.parse(body)
        except xml_io.EdxmlError as error:
            return 200, {'status': 'FAIL', 'ErrorDesc': error.message}
        if isinstance(parsed, xml_io.Status):
            codes = [parsed.response_for.organ_id]
        else:
            codes = [r.organ_id for r in parsed.recipients]
            parsed.close()
        targets = {self.owner(c) for c in codes} - {None}
        if not targets:
            return 200, {'status': 'FAIL', 'ErrorDesc': 'unknown receiver'}
        ids = []
        for target in sorted(targets):
            doc_id = uuid.uuid4().hex
            self.documents[doc_id] = (target, system, body)
            self.states[doc_id] = 'inbox'
            ids.append(doc_id)
        return 200, {'status': 'OK', 'DocID': ','.join(ids),
            'ErrorDesc': ''}

    def getReceivedEdocList(self, system, body, headers):
        data = [{'id': i, 'fromCode': f, 'toCode': t,
                'messageType': 'edoc', 'serviceType': 'eDoc'}
            for i, (t, f, _) in self.documents.items()
            if t == system and self.states[i] == 'inbox']
        return 200, {'status': 'OK', 'data': data}

    def getEdoc(self, system, body, headers):
        doc_id = json.loads(body)['docId']
        target, _, data = self.documents.get(doc_id, (None, None, None))
        if target != system:
            return 404, {'status': 'FAIL', 'ErrorDesc': 'not found'}
        return 200, data

    def updateStatus(self, system, body, headers):
        payload = json.loads(body)
        if payload['docId'] not in self.documents:
            return 404, {'status': 'FAIL', 'ErrorDesc': 'not found'}
        self.states[payload['docId']] = payload['status']
        return 200, {'status': 'OK'}
