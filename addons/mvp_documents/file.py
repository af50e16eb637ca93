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
    def _file_values(cls, values):
        values = values.copy()
        data = values.get('data')
        if data is not None:
            data = bytes(data)
            values['size'] = len(data)
            values['sha256'] = hashlib.sha256(data).hexdigest()
            if values.get('name') and not values.get('mimetype'):
                values['mimetype'] = (
                    mimetypes.guess_type(values['name'])[0]
                    or 'application/octet-stream')
        return values

    @classmethod
    def create(cls, vlist):
        vlist = [cls._file_values(v) for v in vlist]
        for values in vlist:
            values.setdefault('version', 1)
            if not values.get('company') and values.get('resource'):
                values['company'] = cls._resource_company(values['resource'])
        return super().create(vlist)

    @classmethod
    def _resource_company(cls, resource):
        pool = Pool()
        if isinstance(resource, str):
            model, id_ = resource.split(',')
            resource = pool.get(model)(int(id_))
        company = getattr(resource, 'company', None)
        return company.id if company else None

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        args = []
        for files, values in zip(actions, actions):
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
