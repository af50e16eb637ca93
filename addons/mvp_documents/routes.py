# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import os

from trytond.protocols.wrappers import (
    HTTPStatus, abort, send_file, with_pool, with_transaction)
from trytond.wsgi import app


@app.route('/<database_name>/mvp_documents/dossier_export/<token>',
    methods={'GET'})
@with_pool
@with_transaction(readonly=True)
def dossier_export(request, pool, token):
    "Stream an exported dossier archive from disk"
    Export = pool.get('mvp.dossier.export')
    export = Export.get_by_token(token)
    if not export:
        abort(HTTPStatus.NOT_FOUND)
    path = export.full_path
    if not os.path.exists(path):
        abort(HTTPStatus.GONE)
    return send_file(path, mimetype='application/zip', as_attachment=True,
        download_name=export.filename, environ=request.environ)
