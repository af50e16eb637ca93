# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import json
import unittest

from werkzeug.test import Client
from werkzeug.wrappers import Response

from trytond.modules.mvp_documents.wsgi import CoalesceResponse
from trytond.protocols.jsonrpc import encoder


class CoalesceResponseTestCase(unittest.TestCase):
    "The JSON-RPC answers leave in blocks"

    def _app(self, content_type='application/json', length=False):
        closed = []
        page = [{'id': i, 'subject': 'Quyết định số %s' % i}
            for i in range(2000)]

        def app(environ, start_response):
            # as trytond does above 1,400 bytes: the encoder's tokens
            response = Response(
                encoder.iterencode(page), content_type=content_type)
            if length:
                response.headers['Content-Length'] = '1'
            response.call_on_close(lambda: closed.append(True))
            return response(environ, start_response)
        return app, page, closed

    def test_json_in_blocks(self):
        app, page, closed = self._app()
        middleware = CoalesceResponse(app, block_size=4096)
        result = middleware(
            {'REQUEST_METHOD': 'POST'}, lambda *a: None)
        blocks = list(result)
        result.close()
        data = b''.join(blocks)
        self.assertEqual(json.loads(data), page)
        self.assertTrue(all(len(b) >= 4096 for b in blocks[:-1]))
        self.assertLess(len(blocks), len(data) // 4096 + 2)
        self.assertEqual(closed, [True])

    def test_through_wsgi_server_interface(self):
        app, page, _ = self._app()
        client = Client(CoalesceResponse(app))
        response = client.post('/')
        self.assertEqual(json.loads(response.data), page)

    def test_other_responses_untouched(self):
        for content_type, length in [('text/html', False),
                ('application/json', True)]:
            app, _, _ = self._app(content_type, length)
            result = CoalesceResponse(app)(
                {'REQUEST_METHOD': 'GET'}, lambda *a: None)
            self.assertGreater(len(list(result)), 100)
