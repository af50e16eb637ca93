# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""WSGI middleware of the deployment (configured in [wsgi middleware])"""

BLOCK_SIZE = 64 * 1024


class CoalesceResponse:
    """Send streamed responses in blocks of at least block_size bytes

    trytond streams any JSON-RPC answer above 1,400 bytes as the JSON
    encoder's tokens: an inbox page of 80 rows is some 6,000 chunks, and
    the WSGI servers (werkzeug, gunicorn) write each one to the socket
    with its own system call, which costs more than computing the page.
    Blocks keep the streaming (memory stays bounded) without the calls.
    """

    def __init__(self, app, block_size=BLOCK_SIZE):
        self.app = app
        self.block_size = block_size

    def __call__(self, environ, start_response):
        streamed = []

        def start(status, headers, exc_info=None):
            headers_ = {k.lower(): v for k, v in headers}
            # only the RPC answers: files keep the server's sendfile
            streamed.append(
                'content-length' not in headers_
                and headers_.get('content-type', '').startswith(
                    ('application/json', 'text/xml')))
            return start_response(status, headers, exc_info)

        result = self.app(environ, start)
        if streamed and streamed[0]:
            return self._blocks(result)
        return result

    def _blocks(self, result):
        buffer, size = [], 0
        try:
            for chunk in result:
                buffer.append(chunk)
                size += len(chunk)
                if size >= self.block_size:
                    yield b''.join(buffer)
                    buffer, size = [], 0
            if buffer:
                yield b''.join(buffer)
        finally:
            if hasattr(result, 'close'):
                result.close()


class SecurityHeaders:
    """Security headers on every answer of the server (QCVN 12:2026
    level 3, web application; OWASP ASVS V14.4)

    The Content-Security-Policy lets the browser run only the server's
    own scripts and sao's inline start-up script, allowed by its SHA-256
    (computed from the web root's index.html, so a rebuilt client stays
    allowed).  sao evaluates PYSON expressions with eval(), hence
    'unsafe-eval'; inline styles are jQuery's.  No page may be framed by
    another site.  Strict-Transport-Security is sent over HTTPS only
    (nginx sends it in production as well).
    """

    def __init__(self, app, root=None):
        from trytond import config
        self.app = app
        self.headers = security_headers(
            root if root is not None else config.get('web', 'root'))

    def __call__(self, environ, start_response):
        https = (environ.get('wsgi.url_scheme') == 'https'
            or environ.get('HTTP_X_FORWARDED_PROTO') == 'https')

        def start(status, headers, exc_info=None):
            present = {k.lower() for k, _ in headers}
            added = [(k, v) for k, v in self.headers
                if k.lower() not in present]
            if https and 'strict-transport-security' not in present:
                added.append(('Strict-Transport-Security', HSTS))
            return start_response(status, list(headers) + added, exc_info)
        return self.app(environ, start)


HSTS = 'max-age=31536000; includeSubDomains'


def inline_script_hashes(root):
    "Return the CSP sources of the inline scripts of root's index.html"
    import base64
    import hashlib
    import os
    import re
    path = os.path.join(root or '', 'index.html')
    try:
        with open(path, encoding='utf-8') as file:
            page = file.read()
    except OSError:
        return []
    scripts = re.findall(
        r'<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>', page, re.S)
    return ["'sha256-%s'" % base64.b64encode(
            hashlib.sha256(s.encode('utf-8')).digest()).decode()
        for s in scripts]


def security_headers(root):
    "Return the headers every answer carries, for the web root"
    script = ' '.join(["'self'", *inline_script_hashes(root),
            "'unsafe-eval'"])
    policy = '; '.join([
            "default-src 'self'",
            'script-src ' + script,
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
            ])
    return [
        ('Content-Security-Policy', policy),
        ('X-Frame-Options', 'SAMEORIGIN'),
        ('X-Content-Type-Options', 'nosniff'),
        ('Referrer-Policy', 'same-origin'),
        ('Permissions-Policy',
            'camera=(), microphone=(), geolocation=(), payment=()'),
        ('Cross-Origin-Opener-Policy', 'same-origin'),
        ]
