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
