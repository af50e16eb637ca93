# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hashlib
import io
import os
import secrets
import zipfile

import trytond.config as config
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice, slugify
from trytond.transaction import Transaction, without_check_access
from trytond.url import http_base

from . import archive_io

EXPORT_DAYS = 2
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
    # dossier of thousands of documents never sits in memory; downloaded
    # through a route with an unguessable token.
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
        if not self.token:
            return None
        return '%s%s/mvp_documents/dossier_export/%s' % (
            http_base(), Transaction().database.name, self.token)

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
    def dossier_meta(cls, dossier):
        retention = dict(dossier._fields['retention'].selection)
        usage = dict(dossier._fields['usage'].selection)
        return archive_io.DossierMeta(
            organ_id=dossier.company.identifier_code or '',
            file_catalog=dossier.year,
            file_notation=dossier.code,
            title=dossier.title,
            maintenance=retention.get(dossier.retention, dossier.retention),
            rights=usage.get(dossier.usage, dossier.usage),
            creator=dossier.responsible.rec_name,
            language=dossier.language or '',
            start_date=_date(dossier.start_date),
            end_date=_date(dossier.end_date),
            doc_total=dossier.document_count or 0,
            page_total=dossier.page_count or 0,
            description=dossier.description or '')

    @classmethod
    def iter_lines(cls, dossier):
        pool = Pool()
        Line = pool.get('mvp.dossier.line')
        with without_check_access():
            ids = [l.id for l in Line.search(
                    [('dossier', '=', dossier.id)],
                    order=[('number', 'ASC'), ('id', 'ASC')])]
            for sub_ids in grouped_slice(ids, 500):
                yield from Line.browse(list(sub_ids))

    @classmethod
    def write_zip(cls, dossier, out):
        """Write the archive of dossier to the binary file out.

        Return (number of documents, number of files).
        """
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED,
                allowZip64=True) as archive:
            documents = []
            file_count = 0
            used = set()
            for line in cls.iter_lines(dossier):
                meta = archive_io.DocumentMeta(
                    number=line.number,
                    notation=line.notation or '',
                    date=_date(line.date),
                    title=line.description or '',
                    pages=line.pages or 0)
                for name, data in cls._line_files(line):
                    path = _archive_name(line.number, name, used)
                    with archive.open(path, 'w', force_zip64=True) as dest:
                        dest.write(data)
                    meta.files.append(path)
                    file_count += 1
                documents.append(meta)
            header = cls.dossier_meta(dossier)
            pdf = io.BytesIO()
            cls.contents_pdf(pdf, dossier, header, documents)
            archive.writestr(
                zipfile.ZipInfo('muc-luc-van-ban.pdf',
                    date_time=dt.datetime.now().timetuple()[:6]),
                pdf.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
            for name, writer in [
                    ('metadata.xml', archive_io.metadata_xml),
                    ('metadata.csv', archive_io.metadata_csv)]:
                info = zipfile.ZipInfo(name,
                    date_time=dt.datetime.now().timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, 'w', force_zip64=True) as dest:
                    writer(dest, header, documents)
        return len(documents), file_count

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

    @classmethod
    def get_by_token(cls, token):
        with without_check_access():
            exports = cls.search([('token', '=', token)], limit=1)
        if not exports:
            return None
        export, = exports
        age = dt.datetime.now() - export.create_date
        if age > dt.timedelta(days=EXPORT_DAYS):
            return None
        return export

    @property
    def full_path(self):
        return os.path.join(export_directory(), os.path.basename(self.path))

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


def _archive_name(number, name, used):
    base, ext = os.path.splitext(name or 'file')
    candidate = 'van-ban/%04d-%s%s' % (number or 0, slugify(base)[:60] or 'file',
        ext.lower())
    i = 1
    while candidate in used:
        i += 1
        candidate = 'van-ban/%04d-%s-%s%s' % (
            number or 0, slugify(base)[:60], i, ext.lower())
    used.add(candidate)
    return candidate
