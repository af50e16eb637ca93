# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import os

from trytond.modules.mvp_documents.protection import log_refusal
from trytond.protocols.wrappers import (
    HTTPStatus, abort, send_file, with_pool, with_transaction)
from trytond.wsgi import app


@app.route(
    '/<database_name>/mvp_dossier/dossier_export/<int:export_id>',
    methods={'GET'})
@with_pool
@with_transaction(readonly=False)
def dossier_export(request, pool, export_id):
    """Stream an exported dossier archive from disk to its maker

    The user is the one of the request's session (cookie or Authorization
    header) or, for a link opened outside the client, the one the link
    was signed for until it expires.  Every download is logged.
    """
    Export = pool.get('mvp.dossier.export')
    export = Export.downloadable(export_id)
    if not export:
        abort(HTTPStatus.NOT_FOUND)
    if request.session or request.authorization:
        user_id = request.user_id
        if not user_id:
            abort(HTTPStatus.UNAUTHORIZED)
    elif request.args.get('signature'):
        status, user_id = Export.link_user(export, request.args)
        if status:
            log_refusal(Export.__name__, [export.id], (),
                'download link refused (%s)' % status)
            abort(status)
    else:
        abort(HTTPStatus.UNAUTHORIZED)
    if not Export.may_download(export, user_id):
        abort(HTTPStatus.FORBIDDEN)
    path = export.full_path
    if not os.path.exists(path):
        abort(HTTPStatus.GONE)
    Export.record_download(export, user_id, request.remote_addr)
    return send_file(path, mimetype='application/zip', as_attachment=True,
        download_name=export.filename, environ=request.environ)
