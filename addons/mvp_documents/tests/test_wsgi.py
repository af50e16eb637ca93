# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import base64
import hashlib
import json
import os
import unittest
from html.parser import HTMLParser

from werkzeug.test import Client
from werkzeug.wrappers import Response

from trytond.modules.mvp_documents.wsgi import (
    CoalesceResponse, SecurityHeaders, security_headers)
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


class SecurityHeadersTestCase(unittest.TestCase):
    "Every answer carries the security headers"

    def setUp(self):
        import tempfile
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.root = directory.name
        self.script = "\n    jQuery(function() { Sao.login(); });\n"
        with open(os.path.join(self.root, 'index.html'), 'w') as file:
            file.write('<html><script src="dist/tryton-sao.js"></script>'
                '<script type="text/javascript">%s</script></html>'
                % self.script)

    def _client(self, headers=()):
        def app(environ, start_response):
            response = Response('ok', headers=list(headers))
            return response(environ, start_response)
        return Client(SecurityHeaders(app, root=self.root))

    def test_policy_allows_only_own_and_the_start_up_script(self):
        response = self._client().get('/')
        policy = dict(
            p.strip().split(' ', 1) for p in
            response.headers['Content-Security-Policy'].split(';'))
        digest = base64.b64encode(
            hashlib.sha256(self.script.encode()).digest()).decode()
        self.assertEqual(policy['script-src'],
            "'self' 'sha256-%s' 'unsafe-eval'" % digest)
        self.assertEqual(policy['frame-ancestors'], "'self'")
        self.assertEqual(policy['object-src'], "'none'")
        self.assertEqual(response.headers['X-Frame-Options'], 'SAMEORIGIN')
        self.assertEqual(
            response.headers['X-Content-Type-Options'], 'nosniff')
        # HSTS only where the browser came by HTTPS
        self.assertNotIn('Strict-Transport-Security', response.headers)
        response = self._client().get(
            '/', headers={'X-Forwarded-Proto': 'https'})
        self.assertIn(
            'max-age=', response.headers['Strict-Transport-Security'])

    def test_the_applications_own_header_is_kept(self):
        response = self._client(
            [('X-Frame-Options', 'DENY')]).get('/')
        self.assertEqual(response.headers.getlist('X-Frame-Options'), ['DENY'])

    def test_built_web_client_start_up_script_is_allowed(self):
        "The hash matches the inline script of the web root make builds"
        root = os.path.join(os.path.dirname(__file__), *[os.pardir] * 3,
            'var', 'www')
        if not os.path.exists(os.path.join(root, 'index.html')):
            self.skipTest("no web root: run `make webroot`")
        parser = InlineScripts()
        with open(os.path.join(root, 'index.html'), encoding='utf-8') as f:
            parser.feed(f.read())
        self.assertTrue(parser.scripts)
        headers = dict(security_headers(root))
        for script in parser.scripts:
            digest = base64.b64encode(
                hashlib.sha256(script.encode()).digest()).decode()
            self.assertIn("'sha256-%s'" % digest,
                headers['Content-Security-Policy'])


class InlineScripts(HTMLParser):
    "The text of the scripts of a page that have no src"

    def __init__(self):
        super().__init__()
        self.scripts, self._inline = [], False

    def handle_starttag(self, tag, attrs):
        self._inline = tag == 'script' and 'src' not in dict(attrs)
        if self._inline:
            self.scripts.append('')

    def handle_endtag(self, tag):
        self._inline = False

    def handle_data(self, data):
        if self._inline:
            self.scripts[-1] += data
