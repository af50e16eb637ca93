# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A scripted HTTP receiver on 127.0.0.1 for the outbox tests: answers
each POST with the next scripted reply and records what arrived."""
import http.server
import json
import threading


class ScriptedReceiver:

    def __init__(self, replies):
        # replies: list of (status, body dict) or 'close' (drop connection)
        self.replies = list(replies)
        self.received = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length)
                receiver.received.append((dict(self.headers), body))
                reply = (receiver.replies.pop(0) if receiver.replies
                    else (200, {'outcome': 'accepted', 'id': 1}))
                if reply == 'close':
                    self.close_connection = True
                    self.connection.close()
                    return
                status, answer = reply
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_port}/db/mvp/edxml'
        self.thread = threading.Thread(target=self.server.serve_forever,
            daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *args):
        self.server.shutdown()
        self.server.server_close()
