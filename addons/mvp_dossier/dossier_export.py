# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hashlib
import hmac
import io
import os
import secrets
import shutil
import tempfile
import urllib.parse
import zipfile

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents import archive_io
from trytond.modules.mvp_documents.document_type import (
    URGENCY_PRIORITY, is_classified)
from trytond.modules.mvp_documents.incoming import local_date
from trytond.modules.mvp_documents.protection import log_refusal, refuse
from trytond.pool import Pool
from trytond.tools import grouped_slice, slugify
from trytond.transaction import (
    Transaction, check_access, without_check_access)
from trytond.url import http_base

from .dossier_list import archive_maintenance
from .exceptions import DossierError

EXPORT_DAYS = 2
# How long a download link shown to a user works
LINK_MINUTES = 60
READ_BATCH = 20


def export_directory():
    "Directory where dossier archives are written (not in the database)"
    path = config.get('mvp_documents', 'export_path')
    if not path:
        path = os.path.join(
            config.get('database', 'path'),
            Transaction().database.name.replace(os.sep, '_'),
            'mvp_dossier_exports')
    os.makedirs(path, exist_ok=True)
    return path


class DossierExport(ModelSQL, ModelView):
    "Dossier Export"
    __name__ = 'mvp.dossier.export'
    __string__ = "Dossier Export"
    # A ZIP of a dossier written to disk, streamed file by file so a
    # dossier of thousands of documents never sits in memory.  It holds
    # the documents its maker may read, so only they download it: through
    # their session or a link signed for them that expires (the token is
    # the key of the signature and never leaves the server).
    dossier = fields.Many2One(
        'mvp.dossier', "Dossier", required=True, ondelete='CASCADE',
        readonly=True)
    filename = fields.Char("File Name", readonly=True)
    path = fields.Char("Path", readonly=True)
    size = fields.Integer("Size", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    token = fields.Char("Token", readonly=True)
    document_count = fields.Integer("Documents", readonly=True)
    file_count = fields.Integer("Files", readonly=True)
    url = fields.Function(fields.Char("Download"), 'get_url')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('dossier')
        cls._order = [('id', 'DESC')]

    def get_url(self, name):
        user_id = Transaction().user
        if not user_id or not self.token:
            return None
        return self.signed_url(self, user_id)

    @classmethod
    def link_minutes(cls):
        return config.getint(
            'mvp_documents', 'export_link_minutes', default=LINK_MINUTES)

    @classmethod
    def signed_url(cls, export, user_id, expires=None):
        "Return the download link of export for user_id until expires"
        if expires is None:
            expires = dt.datetime.now() + dt.timedelta(
                minutes=cls.link_minutes())
        expires = int(expires.timestamp())
        query = urllib.parse.urlencode({
                'user': user_id,
                'expires': expires,
                'signature': cls._signature(export, user_id, expires),
                })
        return '%s%s/mvp_dossier/dossier_export/%s?%s' % (
            http_base(), urllib.parse.quote(Transaction().database.name),
            export.id, query)

    @classmethod
    def _signature(cls, export, user_id, expires):
        with without_check_access():
            token, = cls.read([export.id], ['token'])
        key = (config.get('mvp_documents', 'link_secret', default='')
            + token['token']).encode()
        message = '%s:%s:%s:%s' % (
            Transaction().database.name, export.id, user_id, expires)
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()

    @classmethod
    def link_user(cls, export, args):
        """Return (HTTP status, user id) of the signed link args: status
        is None when the link is good"""
        try:
            user_id = int(args.get('user', ''))
            expires = int(args.get('expires', ''))
        except ValueError:
            return 403, None
        expected = cls._signature(export, user_id, expires)
        if not hmac.compare_digest(expected, args.get('signature', '')):
            return 403, None
        if dt.datetime.now().timestamp() > expires:
            return 410, None
        return None, user_id

    @classmethod
    def downloadable(cls, export_id):
        "Return the export of id while its file is kept, else None"
        with without_check_access():
            exports = cls.search([('id', '=', export_id)], limit=1)
        if not exports:
            return None
        export, = exports
        age = dt.datetime.now() - export.create_date
        if age > dt.timedelta(days=EXPORT_DAYS):
            return None
        return export

    @classmethod
    def may_download(cls, export, user_id):
        """Whether user_id may download export: its maker, while they
        may still read the export and its dossier"""
        pool = Pool()
        User = pool.get('res.user')
        Dossier = pool.get('mvp.dossier')
        if not user_id or user_id != export.create_uid.id:
            log_refusal(cls.__name__, [export.id], (), 'not the maker')
            return False
        with without_check_access():
            users = User.search([('id', '=', user_id)])
        if not users:
            return False
        user, = users
        transaction = Transaction()
        with transaction.set_user(user_id), transaction.set_context(
                company=user.company.id if user.company else None,
                employee=user.employee.id if user.employee else None), \
                check_access():
            try:
                cls.read([export.id], ['id'])
                Dossier.read([export.dossier.id], ['id'])
            except AccessError:
                log_refusal(cls.__name__, [export.id], (), 'no read access')
                return False
        return True

    @classmethod
    def record_download(cls, export, user_id, address=None):
        "Log who downloaded export, when and from where"
        Download = Pool().get('mvp.dossier.export.download')
        with without_check_access():
            Download.create([{
                        'export': export.id,
                        'dossier': export.dossier.id,
                        'user': user_id,
                        'date': dt.datetime.now(),
                        'address': address,
                        }])

    @classmethod
    def build(cls, dossier):
        "Write dossier's archive to disk and return the export record"
        directory = export_directory()
        token = secrets.token_urlsafe(24)
        path = os.path.join(directory, token + '.zip')
        try:
            with open(path, 'wb') as out:
                counts = cls.write_zip(dossier, out)
            digest = hashlib.sha256()
            with open(path, 'rb') as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b''):
                    digest.update(chunk)
            with without_check_access():
                export, = cls.create([{
                            'dossier': dossier.id,
                            'filename': (slugify(
                                    '%s-%s' % (dossier.year, dossier.code))
                                + '.zip'),
                            'path': os.path.basename(path),
                            'size': os.path.getsize(path),
                            'sha256': digest.hexdigest(),
                            'token': token,
                            'document_count': counts[0],
                            'file_count': counts[1],
                            }])
        except BaseException:
            if os.path.exists(path):
                os.remove(path)
            raise
        return export

    @classmethod
    def dossier_meta(cls, dossier, classified=False):
        """Phụ lục VI Part II.III of dossier, in the archive's values: a
        dossier holding a classified document is never public"""
        public = dossier.usage == 'public' and not classified
        return archive_io.DossierMeta(
            organ_id=dossier.company.identifier_code or '',
            file_catalog=dossier.year,
            file_notation=dossier.code,
            title=dossier.title,
            maintenance=archive_maintenance(dossier.retention),
            rights=archive_io.PUBLIC if public else archive_io.RESTRICTED,
            creator=dossier.responsible.rec_name,
            language=dossier.language or '',
            start_date=_date(dossier.start_date),
            end_date=_date(dossier.end_date),
            doc_total=dossier.document_count or 0,
            page_total=dossier.page_count or 0,
            description=dossier.description or '')

    @classmethod
    def _document_meta(cls, document):
        """Return the Phụ lục VI fields of the document of a line beyond
        those the line keeps (DocumentMeta keywords)"""
        if document is None or getattr(document, 'id', -1) < 0:
            return {}
        getter = getattr(cls,
            '_document_meta_%s' % document.__name__.replace('.', '_'), None)
        return getter(document) if getter else {}

    @classmethod
    def _document_meta_mvp_outgoing(cls, outgoing):
        "Văn bản đi (Part II.I)"
        return {
            'kind': 'outgoing',
            'type_name': _type_name(outgoing),
            'organ_name': outgoing.company.rec_name,
            'signer_position': outgoing.signer_position or '',
            'signer_name': outgoing.signer_name or (
                outgoing.signer.rec_name if outgoing.signer else ''),
            'to': [(r.identifier_code or '', r.recipient_name or '')
                for r in outgoing.recipients],
            'priority': URGENCY_PRIORITY.get(outgoing.urgency),
            'issued_amount': outgoing.copies,
            }

    @classmethod
    def _document_meta_mvp_incoming(cls, incoming):
        "Văn bản đến (Part II.II)"
        return {
            'kind': 'incoming',
            'type_name': _type_name(incoming),
            'organ_name': incoming.issuer_label or '',
            'signer_name': incoming.signer_name or '',
            'arrival_date': _date(
                local_date(incoming.company, incoming.arrival_date)),
            'arrival_number': incoming.arrival_number,
            'priority': URGENCY_PRIORITY.get(incoming.urgency),
            'to_places': '; '.join(a.assignee for a in incoming.assignments
                if a.assignee),
            'due_date': _date(incoming.deadline),
            }

    @classmethod
    def iter_lines(cls, dossier):
        """Yield (line, shown): a line of a document the user may not read
        gives its number only"""
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        with without_check_access():
            ids = [l.id for l in Line.search(
                    [('dossier', '=', dossier.id)],
                    order=[('number', 'ASC'), ('id', 'ASC')])]
        for sub_ids in grouped_slice(ids, 500):
            with without_check_access():
                lines = Line.browse(list(sub_ids))
                references = {str(l.document) for l in lines if l.document}
            hidden = Line.unreadable_documents(references)
            with without_check_access():
                for line in lines:
                    yield line, str(line.document) not in hidden

    @classmethod
    def write_zip(cls, dossier, out):
        """Write the archive of dossier to the binary file out.

        Return (number of documents, number of files).
        """
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED,
                allowZip64=True) as archive:
            documents = []
            file_count = 0
            classified = False
            used = set()
            hidden_title = gettext('mvp_dossier.msg_dossier_line_hidden')
            for line, shown in cls.iter_lines(dossier):
                document = line.document
                classified |= is_classified(
                    getattr(document, 'confidentiality', None))
                meta = archive_io.DocumentMeta(
                    number=line.number,
                    notation=(line.notation or '') if shown else '',
                    date=_date(line.date),
                    title=(line.description or '') if shown
                    else hidden_title,
                    pages=line.pages or 0,
                    language=dossier.language or '',
                    **(cls._document_meta(document) if shown else {}))
                for name, data in (
                        cls._line_files(line) if shown else []):
                    path = _archive_name(line.number, name, used)
                    with archive.open(path, 'w', force_zip64=True) as dest:
                        dest.write(data)
                    meta.files.append(path)
                    file_count += 1
                documents.append(meta)
            header = cls.dossier_meta(dossier, classified=classified)
            pdf = io.BytesIO()
            cls.contents_pdf(pdf, dossier, header, documents)
            with cls._entry(archive, 'muc-luc-van-ban.pdf') as dest:
                dest.write(pdf.getvalue())
            with tempfile.TemporaryFile() as xml:
                archive_io.metadata_xml(xml, header, documents)
                xml.seek(0)
                try:
                    archive_io.validate_metadata(xml)
                except archive_io.MetadataError as exception:
                    raise DossierError(gettext(
                            'mvp_dossier.msg_dossier_export_invalid',
                            dossier=dossier.rec_name,
                            error=str(exception))) from exception
                xml.seek(0)
                with cls._entry(archive, 'metadata.xml') as dest:
                    shutil.copyfileobj(xml, dest)
            with cls._entry(archive, 'metadata.csv') as dest:
                archive_io.metadata_csv(dest, header, documents)
        return len(documents), file_count

    @staticmethod
    def _entry(archive, name):
        "Open the compressed entry name of archive for writing"
        info = zipfile.ZipInfo(name,
            date_time=dt.datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        return archive.open(info, 'w', force_zip64=True)

    @classmethod
    def _line_files(cls, line):
        "Yield (name, bytes) of the line's files, reading few at a time"
        pool = Pool()
        File = pool.get('mvp.document.file')
        Attachment = pool.get('ir.attachment')
        for name, record in line.get_files():
            model = record.__name__
            if model == 'ir.note':
                yield name, (record.message or '').encode('utf-8')
                continue
            Model = File if model == File.__name__ else Attachment
            with without_check_access():
                data, = Model.read([record.id], ['data'])
            yield name, bytes(data['data'] or b'')

    @classmethod
    def contents_pdf(cls, out, dossier, header, documents):
        "Mục lục văn bản (table of contents) of the dossier"
        archive_io.table_pdf(out,
            "MỤC LỤC VĂN BẢN",
            [dossier.company.rec_name,
                "Hồ sơ số: %s" % header.file_code,
                header.title,
                "Thời hạn bảo quản: %s" % header.maintenance,
                "Thời gian: %s - %s" % (header.start_date, header.end_date)],
            [("STT", 1), ("Số, ký hiệu", 3), ("Ngày tháng", 2),
                ("Trích yếu nội dung", 8), ("Số trang", 1.2)],
            ([d.number, d.notation, d.date, d.title, d.pages]
                for d in documents),
            footer=["Tổng số văn bản: %s" % header.doc_total,
                "Tổng số trang: %s" % header.page_total])

    @property
    def full_path(self):
        return os.path.join(export_directory(), os.path.basename(self.path))

    @classmethod
    def check_modification(cls, mode, exports, values=None, external=False):
        super().check_modification(
            mode, exports, values=values, external=external)
        if mode == 'delete' and external:
            # an export is its maker's (or removed by the cleaning)
            user_id = Transaction().user
            for export in exports:
                if export.create_uid.id != user_id:
                    refuse('mvp_dossier.msg_dossier_export_delete',
                        [export], dossier=export.dossier.rec_name)

    @classmethod
    def on_delete(cls, exports):
        callbacks = super().on_delete(exports)
        paths = [e.full_path for e in exports if e.path]

        def remove():
            for path in paths:
                if os.path.exists(path):
                    os.remove(path)
        callbacks.append(remove)
        return callbacks


def _date(value):
    return value.strftime('%d/%m/%Y') if value else ''


def _type_name(document):
    "The legal name of the document's type (Decree 30/2020, Art. 7)"
    return document.document_type.name if document.document_type else ''


def _archive_name(number, name, used):
    base, ext = os.path.splitext(name or 'file')
    candidate = 'van-ban/%04d-%s%s' % (
        number or 0, slugify(base)[:60] or 'file', ext.lower())
    i = 1
    while candidate in used:
        i += 1
        candidate = 'van-ban/%04d-%s-%s%s' % (
            number or 0, slugify(base)[:60], i, ext.lower())
    used.add(candidate)
    return candidate


class DossierExportDownload(ModelSQL, ModelView):
    "Dossier Export Download"
    __name__ = 'mvp.dossier.export.download'
    __string__ = "Dossier Export Download"
    # Who took a copy of a dossier, when and from where
    export = fields.Many2One(
        'mvp.dossier.export', "Export", readonly=True, ondelete='SET NULL')
    dossier = fields.Many2One(
        'mvp.dossier', "Dossier", required=True, readonly=True,
        ondelete='CASCADE')
    user = fields.Many2One('res.user', "User", readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    address = fields.Char("Address", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('dossier')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def check_modification(cls, mode, downloads, values=None,
            external=False):
        super().check_modification(
            mode, downloads, values=values, external=external)
        if external:
            refuse('mvp_dossier.msg_dossier_download_readonly',
                downloads, fields=set(values or {}))
