# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import json
import shutil
import tempfile
from functools import wraps

from trytond import config
from trytond.modules.mvp_documents.exceptions import ScannerUnavailableError
from trytond.protocols.wrappers import (
    HTTPStatus, Response, set_max_request_size, with_pool, with_transaction)
from trytond.transaction import Transaction
from trytond.wsgi import app

from . import xml_io

BODY = 'mvp.edxml.body'
STATUS = {'accepted': HTTPStatus.OK, 'duplicate': HTTPStatus.OK,
    'rejected': HTTPStatus.UNPROCESSABLE_ENTITY}


def _answer(answer, status=None):
    return Response(json.dumps(answer, ensure_ascii=False),
        status=status or STATUS.get(answer.get('outcome'), HTTPStatus.OK),
        content_type='application/json')


def spooled_body(func):
    """Read the request body once into a file: with_transaction calls the
    route again after a database conflict, when the stream is consumed."""
    @wraps(func)
    def wrapper(request, *args, **kwargs):
        with tempfile.SpooledTemporaryFile(
                max_size=xml_io.SPOOL_SIZE) as body:
            shutil.copyfileobj(request.stream, body, xml_io.CHUNK)
            request.environ[BODY] = body
            return func(request, *args, **kwargs)
    return wrapper


@app.route('/<database_name>/mvp/edxml', methods=['POST'])
@set_max_request_size(config.getint('mvp_interchange', 'max_size',
        default=xml_io.MAX_SIZE) + 1024)
@spooled_body
@with_pool
@with_transaction()
def edxml(request, pool):
    "Receive an edXML package or status from a registered peer"
    Peer = pool.get('mvp.interchange.peer')
    Message = pool.get('mvp.interchange.message')
    header = request.headers.get('Authorization', '')
    key = header[7:].strip() if header.lower().startswith('bearer ') else ''
    peer = Peer.from_key(key)
    if peer is None:
        return _answer({'outcome': 'rejected', 'code': 'unauthorized',
                'message': "Unknown peer key."}, HTTPStatus.UNAUTHORIZED)
    body = request.environ[BODY]
    body.seek(0)
    try:
        answer = Message.receive(peer, body,
            message_id=request.headers.get('X-Edxml-Message-Id'))
    except ScannerUnavailableError as error:
        # clamd is down: nothing is kept, the sender's outbox retries
        Transaction().rollback()
        response = _answer({'outcome': 'unavailable', 'code': 'antivirus',
                'message': error.message}, HTTPStatus.SERVICE_UNAVAILABLE)
        response.headers['Retry-After'] = '300'
        return response
    return _answer(answer)
