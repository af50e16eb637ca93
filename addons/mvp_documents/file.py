# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hashlib
import mimetypes

from trytond.i18n import gettext
from trytond.ir.resource import ResourceAccessMixin
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .document_type import is_classified
from .exceptions import DocumentFileError, FileLimitError
from .protection import ServerFieldsMixin, refuse
from .integrity import DamagedFilesMixin
from .quarantine import check_file

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


#: States of an incoming document in which its scan may still change
OPEN_INCOMING_STATES = {'draft', 'received'}
#: What a frozen file keeps as it is: its content and its place
CONTENT_FIELDS = frozenset({'data', 'name', 'kind', 'resource'})
#: Documents whose records (assignments, comments) hold files of theirs
PARENT_DOCUMENTS = {'mvp.incoming', 'mvp.outgoing'}


def content_refused(resource):
    """Tell whether no content (file, scan, text) may be stored on
    resource: a classified document or a record of one (item 6)

    A resource model may answer itself with ``_content_allowed()``.
    """
    if resource is None or getattr(resource, 'id', None) is None:
        return False
    allowed = getattr(resource, '_content_allowed', None)
    if allowed is not None:
        return not allowed()
    if is_classified(getattr(resource, 'confidentiality', None)):
        return True
    for name, field in resource._fields.items():
        if (getattr(field, 'model_name', None) in PARENT_DOCUMENTS
                and field._type == 'many2one'
                and name in {'incoming', 'outgoing'}):
            parent = getattr(resource, name)
            if parent and content_refused(parent):
                return True
    return False


def over_limit(name, exception):
    """Return the user error saying that the file name is over the limit
    of exception (a file_limits.LimitExceeded)"""
    return FileLimitError(gettext(
            'mvp_documents.msg_file_limit_%s' % exception.code,
            file=name or '', limit=exception.limit,
            found=exception.found or ''))


def entry_label(resource):
    "Return what names a document without its content: notation or id"
    return (getattr(resource, 'notation', None)
        or getattr(resource, 'number', None) or str(resource.id))


class DocumentFile(
        ServerFieldsMixin, ResourceAccessMixin, ModelSQL, ModelView):
    "Document File"
    __name__ = 'mvp.document.file'
    __string__ = "Document File"
    # One file of a document (scan, original, draft version, signed PDF,
    # appendix).  Files are never edited once locked (signed): a change
    # is a new version that supersedes the old one, which stays.
    # A file is seen, found, read, changed and deleted exactly when its
    # document may be (ResourceAccessMixin checks the resource's rules).
    _server_fields = frozenset({'locked', 'superseded_by', 'text'})
    _fixed_fields = frozenset({'company', 'resource'})
    _computed_fields = frozenset(
        {'version', 'sha256', 'size', 'file_id', 'mimetype'})
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
    def _data_values(cls, name, data, kind, resource=None):
        "Return the values the server derives from the content"
        data = bytes(data)
        # every file enters here: scanned before anything is stored
        check_file(name, data, resource)
        cls._check_data(name, data, kind)
        return {
            'size': len(data),
            'sha256': hashlib.sha256(data).hexdigest(),
            }

    @staticmethod
    def _guess_mimetype(name):
        return mimetypes.guess_type(name)[0] or 'application/octet-stream'

    @classmethod
    def _check_data(cls, name, data, kind):
        # Checked once, while the data is in memory, so that registering
        # a document need not read its files back
        if (kind == 'scan' and not is_scan(data)) or is_broken(name, data):
            raise DocumentFileError(gettext(
                    'mvp_documents.msg_file_unsupported', file=name or ''))

    @classmethod
    def create(cls, vlist):
        transaction = Transaction()
        external = bool(transaction.user and transaction.check_access)
        vlist = [v.copy() for v in vlist]
        resources = cls._resources(v.get('resource') for v in vlist)
        for values, resource in zip(vlist, resources, strict=True):
            cls._check_content_allowed(resource)
            if external:
                # what the server derives is never taken from a user
                for name in cls._computed_fields:
                    values.pop(name, None)
            if values.get('data') is not None:
                values.update(cls._data_values(
                        values.get('name'), values['data'],
                        values.get('kind', cls.default_kind()), resource))
            if values.get('name') and not values.get('mimetype'):
                values['mimetype'] = cls._guess_mimetype(values['name'])
            values.setdefault('version', 1)
            company = cls._resource_company(resource)
            if company or not values.get('company'):
                values['company'] = company
        return super().create(vlist)

    @classmethod
    def _resources(cls, references):
        "Return the record of each reference (None for none)"
        pool = Pool()
        result = []
        for reference in references:
            if hasattr(reference, '__name__') and hasattr(reference, 'id'):
                reference = (reference.__name__, reference.id)
            model, id_ = reference_model_id(reference)
            result.append(pool.get(model)(id_) if model else None)
        return result

    @classmethod
    def _check_content_allowed(cls, resource):
        "Refuse content on a classified document, whoever stores it"
        with without_check_access():
            if not content_refused(resource):
                return
            label = entry_label(resource)
        refuse('mvp_documents.msg_file_classified', [resource],
            fields=['data'], error=DocumentFileError, document=label)

    @classmethod
    def _resource_company(cls, resource):
        if resource is None:
            return None
        with without_check_access():
            company = getattr(resource, 'company', None)
        return company.id if company else None

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        derived = []
        for files, values in zip(actions, actions, strict=True):
            if not {'data', 'name'} & set(values):
                continue
            for file in files:
                derived.extend(([file], cls._derived(file, values)))
        super().write(*args)
        if derived:
            # the hash and size follow the content: the server's write
            with without_check_access():
                super().write(*derived)

    @classmethod
    def _derived(cls, file, values):
        name = values.get('name', file.name)
        result = {}
        if 'data' in values:
            with without_check_access():
                cls._check_content_allowed(file.resource)
            result.update(cls._data_values(
                    name, values['data'] or b'',
                    values.get('kind', file.kind), file.resource))
        if 'name' in values or 'data' in values:
            result['mimetype'] = cls._guess_mimetype(name or '')
        return result

    @classmethod
    def copy(cls, files, default=None):
        default = default.copy() if default is not None else {}
        for name in ['locked', 'superseded_by', 'supersedes', 'text']:
            default.setdefault(name, None)
        return super().copy(files, default=default)

    @classmethod
    def check_modification(cls, mode, files, values=None, external=False):
        super().check_modification(
            mode, files, values=values, external=external)
        if mode == 'write':
            tried = CONTENT_FIELDS & set(values or {})
            if tried:
                cls._check_content_frozen(files, tried, external)
        elif mode == 'delete':
            cls._check_delete(files, external)

    def _frozen_message(self):
        """Return the message id saying why a user may not change or
        delete this file, or None"""
        if self.locked:
            return 'mvp_documents.msg_file_locked'
        if self.superseded_by:
            return 'mvp_documents.msg_file_old_version'
        resource = self.resource
        if (resource is not None and resource.__name__ == 'mvp.incoming'
                and resource.state not in OPEN_INCOMING_STATES):
            return 'mvp_documents.msg_file_registered'

    @classmethod
    def _check_content_frozen(cls, files, tried, external):
        for file in files:
            # a locked file stays as signed, even for the server's code
            message = (file._frozen_message() if external
                else 'mvp_documents.msg_file_locked' if file.locked
                else None)
            if message:
                refuse(message, [file], fields=tried, file=file.rec_name)

    @classmethod
    def _check_delete(cls, files, external):
        for file in files:
            # the server deletes locked files only when it destroys an
            # archived dossier; a user never deletes a kept file
            message = file._frozen_message() if external else None
            if not message and file.supersedes:
                message = 'mvp_documents.msg_file_versioned'
            if message:
                refuse(message, [file], file=file.rec_name)

    def supersede(self, data, name=None, **values):
        "Return a new version of the file that replaces this one"
        # The caller must be allowed to change the document (checked
        # when a user's call is checked); the versioning is the server's
        self.check_access([self.id], mode='write')
        with without_check_access():
            new, = self.create([{
                        'resource': str(self.resource),
                        'company': self.company.id,
                        'kind': values.pop('kind', self.kind),
                        'name': name or self.name,
                        'data': data,
                        'version': (self.version or 1) + 1,
                        **values,
                        }])
            self.write([self], {'superseded_by': new.id})
        return new

    @classmethod
    def lock(cls, files):
        "Lock files (released, signed): a server act, never a user's"
        with without_check_access():
            cls.write(files, {'locked': True})


class DocumentFileMixin(DamagedFilesMixin):
    "Mixin for documents that hold files"
    __slots__ = ()
    files = fields.One2Many('mvp.document.file', 'resource', "Files")


class _FileResourceAccess:
    "Notes and attachments of a file follow the file's document"
    __slots__ = ()

    @classmethod
    def check_access(cls, ids, mode='read'):
        # The platform checks the record rules of the file only; a file
        # is readable when its document is, which is checked in Python
        pool = Pool()
        File = pool.get('mvp.document.file')
        super().check_access(ids, mode=mode)
        transaction = Transaction()
        if transaction.user == 0 or not transaction.check_access:
            return
        with without_check_access():
            file_ids = {r.resource.id for r in cls.browse(ids)
                if r.resource is not None
                and r.resource.__name__ == File.__name__}
        if file_ids:
            File.check_access(sorted(file_ids), mode={
                    'create': 'write', 'delete': 'write'}.get(mode, mode))


class Note(_FileResourceAccess, metaclass=PoolMeta):
    __name__ = 'ir.note'


class Attachment(_FileResourceAccess, metaclass=PoolMeta):
    __name__ = 'ir.attachment'
