# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hashlib
import mimetypes

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import DocumentFileError

KINDS = [
    ('scan', "Scan"),
    ('original', "Original File"),
    ('draft', "Draft"),
    ('signed', "Signed PDF"),
    ('appendix', "Appendix"),
    ('comment', "Annotated File"),
    ('result', "Result"),
    ('other', "Other"),
    ]

def reference_model_id(reference):
    """Return the model name and id of a reference value as the clients
    send it: "model,id", [model, id] (sao, proteus) or a record"""
    if not reference:
        return None, None
    if isinstance(reference, str):
        model, id_ = reference.split(',')
    elif isinstance(reference, (list, tuple)):
        model, id_ = reference
    else:
        model, id_ = reference.__name__, reference.id
    return model, int(id_)


# Magic numbers of the formats accepted for a scan, by file extension
SIGNATURES = {
    'pdf': [b'%PDF-'],
    'jpg': [b'\xff\xd8\xff'],
    'jpeg': [b'\xff\xd8\xff'],
    'png': [b'\x89PNG\r\n\x1a\n'],
    'tif': [b'II*\x00', b'MM\x00*'],
    'tiff': [b'II*\x00', b'MM\x00*'],
    }
SCAN_SIGNATURES = sorted({s for v in SIGNATURES.values() for s in v})


def is_scan(data):
    "Tell whether data starts like a PDF, JPEG, PNG or TIFF file"
    data = bytes(data or b'')
    return any(data.startswith(s) for s in SCAN_SIGNATURES)


def is_broken(name, data):
    "Tell whether a PDF or image file does not start as its name says"
    extension = (name or '').rsplit('.', 1)[-1].lower()
    signatures = SIGNATURES.get(extension)
    data = bytes(data or b'')
    return bool(signatures) and not any(
        data.startswith(s) for s in signatures)


class DocumentFile(ModelSQL, ModelView):
    "Document File"
    __name__ = 'mvp.document.file'
    __string__ = "Document File"
    # One file of a document (scan, original, draft version, signed PDF,
    # appendix).  Files are never edited once locked (signed): a change
    # is a new version that supersedes the old one, which stays.
    resource = fields.Reference(
        "Document", selection='get_resources', required=True, readonly=True)
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    name = fields.Char("File Name", required=True)
    data = fields.Binary(
        "File", filename='name', file_id='file_id', required=True)
    file_id = fields.Char("File ID", readonly=True)
    mimetype = fields.Char("MIME Type", readonly=True)
    size = fields.Integer("Size", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    pages = fields.Integer("Pages")
    version = fields.Integer("Version", readonly=True)
    superseded_by = fields.Many2One(
        'mvp.document.file', "Superseded By", readonly=True,
        ondelete='RESTRICT')
    supersedes = fields.One2Many(
        'mvp.document.file', 'superseded_by', "Supersedes", readonly=True)
    current = fields.Function(
        fields.Boolean("Current"), 'get_current', searcher='search_current')
    locked = fields.Boolean(
        "Locked", readonly=True,
        help="A locked file (e.g. signed) cannot be changed, "
        "only superseded by a new version.")
    text = fields.Text("Text", readonly=True,
        states={'invisible': ~Eval('text')})
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('create_date', 'ASC'))

    @classmethod
    def _get_resources(cls):
        "Return the models whose records hold files"
        return set()

    @classmethod
    def get_resources(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        models = cls._get_resources()
        return [(None, '')] + [
            (m, Model.get_name(m)) for m in sorted(models)]

    @staticmethod
    def default_kind():
        return 'original'

    def get_current(self, name):
        return not self.superseded_by

    @classmethod
    def search_current(cls, name, clause):
        _, operator, value = clause[:3]
        if (operator == '=') == bool(value):
            return [('superseded_by', '=', None)]
        return [('superseded_by', '!=', None)]

    def get_rec_name(self, name):
        if self.version and self.version > 1:
            return '%s (v%s)' % (self.name, self.version)
        return self.name

    @classmethod
    def _file_values(cls, values, kind=None):
        values = values.copy()
        data = values.get('data')
        if data is not None:
            data = bytes(data)
            cls._check_data(
                values.get('name'), data, values.get('kind', kind))
            values['size'] = len(data)
            values['sha256'] = hashlib.sha256(data).hexdigest()
            if values.get('name') and not values.get('mimetype'):
                values['mimetype'] = (
                    mimetypes.guess_type(values['name'])[0]
                    or 'application/octet-stream')
        return values

    @classmethod
    def _check_data(cls, name, data, kind):
        # Checked once, while the data is in memory, so that registering
        # a document need not read its files back
        if (kind == 'scan' and not is_scan(data)) or is_broken(name, data):
            raise DocumentFileError(gettext(
                    'mvp_documents.msg_file_unsupported', file=name or ''))

    @classmethod
    def create(cls, vlist):
        vlist = [
            cls._file_values(v, kind=cls.default_kind()) for v in vlist]
        for values in vlist:
            values.setdefault('version', 1)
            if not values.get('company') and values.get('resource'):
                values['company'] = cls._resource_company(values['resource'])
        return super().create(vlist)

    @classmethod
    def _resource_company(cls, resource):
        if isinstance(resource, (str, list, tuple)):
            model, id_ = reference_model_id(resource)
            resource = Pool().get(model)(id_)
        company = getattr(resource, 'company', None)
        return company.id if company else None

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for files, values in zip(actions, actions):
            if 'data' in values and 'kind' not in values:
                # the check depends on the kind of each file
                for file in files:
                    args.extend(([file], cls._file_values(
                                values, kind=file.kind)))
            else:
                args.extend((files, cls._file_values(values)))
        super().write(*args)

    @classmethod
    def check_modification(cls, mode, files, values=None, external=False):
        super().check_modification(
            mode, files, values=values, external=external)
        if Transaction().context.get('_mvp_file_unlock'):
            return
        protected = {'data', 'name', 'resource', 'kind', 'sha256'}
        if mode == 'delete' or (
                mode == 'write' and protected & set(values or {})):
            for file in files:
                if file.locked:
                    raise AccessError(gettext(
                            'mvp_documents.msg_file_locked',
                            file=file.rec_name))
        if mode == 'delete':
            for file in files:
                if file.supersedes:
                    raise AccessError(gettext(
                            'mvp_documents.msg_file_versioned',
                            file=file.rec_name))

    def supersede(self, data, name=None, **values):
        "Return a new version of the file that replaces this one"
        new, = self.create([{
                    'resource': str(self.resource),
                    'company': self.company.id,
                    'kind': values.pop('kind', self.kind),
                    'name': name or self.name,
                    'data': data,
                    'version': (self.version or 1) + 1,
                    **values,
                    }])
        with Transaction().set_context(_mvp_file_unlock=True):
            self.write([self], {'superseded_by': new.id})
        return new

    @classmethod
    def lock(cls, files):
        with Transaction().set_context(_mvp_file_unlock=True):
            cls.write(files, {'locked': True})


class DocumentFileMixin:
    "Mixin for documents that hold files"
    __slots__ = ()
    files = fields.One2Many('mvp.document.file', 'resource', "Files")
