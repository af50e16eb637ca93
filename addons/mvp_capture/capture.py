# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import logging

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.mvp_documents.document_type import is_classified
from trytond.modules.mvp_documents.file import content_refused, over_limit
from trytond.modules.mvp_documents.file_limits import LimitExceeded
from trytond.modules.mvp_documents.integrity import remove_stored
from trytond.modules.mvp_documents.notification import notify
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import timezone as tz
from trytond.transaction import Transaction, without_check_access

from .eml import MailError, parse_eml
from .exceptions import CaptureError, CaptureWarning
from .heading import issuer_candidates, normalise_name, parse_heading
from .scan import (
    SCAN_TYPES, OcrError, ScanError, classified_marking, inspect_scan,
    ocr_scan)

logger = logging.getLogger(__name__)

OCR_STATES = [
    (None, ""),
    ('pending', "Pending"),
    ('done', "Done"),
    ('failed', "Failed"),
    ('classified', "Not Read: Classified"),
    ]
CLOSED = ['cancelled', 'returned']


class DocumentFile(metaclass=PoolMeta):
    __name__ = 'mvp.document.file'
    ocr_state = fields.Selection(
        OCR_STATES, "Text Recognition", readonly=True,
        help="Recognition of the text of a scan, run in the background.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._server_fields = cls._server_fields | {'ocr_state'}

    @classmethod
    def copy(cls, files, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('ocr_state', None)
        return super().copy(files, default=default)

    @classmethod
    def request_ocr(cls, files):
        "Recognise the text of the files in the background (queue worker)"
        files = [f for f in files if f.mimetype in SCAN_TYPES
            or (f.name or '').lower().endswith(tuple(SCAN_TYPES.values()))]
        # the text of a classified document is never read nor kept
        files = [f for f in files if not content_refused(f.resource)]
        if files:
            to_mark = [f for f in files if f.ocr_state != 'pending']
            if to_mark:
                with without_check_access():
                    cls.write(to_mark, {'ocr_state': 'pending'})
            cls.__queue__.ocr(files)

    @classmethod
    def ocr(cls, files):
        "Store the recognised text of each file and tell its document"
        with without_check_access():
            for file in cls.browse(cls.search([
                            ('id', 'in', [f.id for f in files])])):
                if file.ocr_state != 'done':
                    cls._ocr_file(file)

    @classmethod
    def _ocr_file(cls, file):
        resource = file.resource
        if content_refused(resource):
            file.text = None
            file.ocr_state = 'classified'
            file.save()
            return
        data = bytes(file.data or b'')
        try:
            info = inspect_scan(data)
            result = ocr_scan(data, info.mimetype)
        except (ScanError, OcrError, LimitExceeded) as exception:
            logger.warning(
                "OCR of file %s failed: %s", file.id, exception)
            file.ocr_state = 'failed'
            file.save()
            return
        level = classified_marking(result.first_page)
        if level:
            # A stamp of độ mật: nothing of the content stays
            logger.info("file %s bears a classified marking", file.id)
            file.text = None
            file.ocr_state = 'classified'
            file.save()
            if resource and hasattr(resource, 'on_classified_marking'):
                resource.on_classified_marking(
                    file, level, result.first_page)
            return
        file.text = result.text
        file.ocr_state = 'done'
        if not file.pages:
            file.pages = info.pages
        file.save()
        if resource and hasattr(resource, 'on_file_text'):
            resource.on_file_text(file, result.first_page)


class Incoming(metaclass=PoolMeta):
    __name__ = 'mvp.incoming'
    scan_reading = fields.Text(
        "Read from the Scan", readonly=True,
        states={'invisible': ~Eval('scan_reading')},
        help="What text recognition read on the first page; "
        "empty fields of the draft were filled from it.")
    email_message_id = fields.Char("E-mail Message-ID", readonly=True)
    duplicates = fields.Function(fields.Many2Many(
            'mvp.incoming', None, None, "Possible Duplicates",
            states={'invisible': ~Eval('duplicates')},
            help="Documents of the agency with the same issuer, number "
            "and notation, and issue date."),
        'get_duplicates')

    @classmethod
    def copy(cls, incomings, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('scan_reading', None)
        default.setdefault('email_message_id', None)
        return super().copy(incomings, default=default)

    # Capture

    @classmethod
    def capture_scan(cls, company, data, name, channel='paper'):
        """Return a new draft with the scan data, its text recognised later

        Raise CaptureError for a file that is not a readable PDF, JPEG,
        PNG or TIFF.
        """
        pool = Pool()
        File = pool.get('mvp.document.file')
        info = cls._inspect_scan(data, name)
        incoming = cls(company=company, channel=channel, pages=info.pages)
        incoming.save()
        file = File(
            resource=incoming, company=incoming.company, kind='scan',
            name=_file_name(name, info.mimetype), data=data,
            mimetype=info.mimetype, pages=info.pages, ocr_state='pending')
        file.save()
        File.request_ocr([file])
        return incoming

    @classmethod
    def _inspect_scan(cls, data, name):
        try:
            return inspect_scan(bytes(data or b''))
        except ScanError as exception:
            raise CaptureError(gettext(
                    'mvp_capture.msg_capture_scan_%s' % exception.code,
                    file=name or '')) from exception
        except LimitExceeded as exception:
            raise over_limit(name, exception) from exception

    @classmethod
    def capture_email(cls, company, data, name=None):
        """Return a draft for the e-mail data (RFC 5322) with its attachments

        An e-mail already captured in the agency (same Message-ID) is not
        captured twice: the existing document is returned.
        """
        pool = Pool()
        File = pool.get('mvp.document.file')
        try:
            mail = parse_eml(bytes(data))
        except MailError as exception:
            raise CaptureError(gettext(
                    'mvp_capture.msg_capture_email_invalid',
                    file=name or '')) from exception
        if mail.message_id:
            existing = cls.search([
                    ('company', '=', int(company)),
                    ('email_message_id', '=', mail.message_id),
                    ], limit=1)
            if existing:
                return existing[0]
        level = classified_marking(mail.subject)
        if level:
            return cls._capture_classified_email(company, mail, level)
        arrival = datetime.datetime.now().replace(microsecond=0)
        if mail.date and mail.date.tzinfo:
            sent = mail.date.astimezone(tz.UTC).replace(tzinfo=None)
            arrival = min(arrival, sent)
        sender = mail.sender_name or mail.sender_address
        notes = gettext(
            'mvp_capture.msg_capture_email_notes',
            sender=sender, address=mail.sender_address,
            date=mail.date.strftime('%d/%m/%Y %H:%M') if mail.date else '')
        incoming = cls(
            company=company, channel='email', subject=mail.subject or None,
            issuer_name=sender or None, arrival_date=arrival, notes=notes,
            email_message_id=mail.message_id)
        incoming.save()
        files = [File(
                resource=incoming, company=incoming.company, kind='other',
                name=_file_name(name or 'email.eml', 'message/rfc822'),
                data=bytes(data), mimetype='message/rfc822')]
        main = None
        for attachment in mail.attachments:
            kind = 'appendix'
            if main is None and attachment.mimetype in SCAN_TYPES:
                kind = main = 'original'
            files.append(File(
                    resource=incoming, company=incoming.company, kind=kind,
                    name=attachment.name, data=attachment.data,
                    mimetype=attachment.mimetype))
        File.save(files)
        File.request_ocr(files[1:])
        return incoming

    @classmethod
    def _capture_classified_email(cls, company, mail, level):
        """Return a draft holding only the entry of an e-mail marked
        classified: no subject, no file; the clerks are told"""
        incoming = cls(
            company=company, channel='email', confidentiality=level,
            issuer_name=mail.sender_name or mail.sender_address or None,
            arrival_date=datetime.datetime.now().replace(microsecond=0),
            email_message_id=mail.message_id)
        incoming.save()
        incoming._tell_classified_capture()
        return incoming

    def on_classified_marking(self, file, level, first_page):
        """Keep only the register entry of a document whose scan bears
        a classified marking, and tell the clerks"""
        uploader = file.create_uid
        if self.state in {'draft', 'received'}:
            heading = parse_heading(first_page)
            values = self._heading_values(heading) if heading else {}
            for name, value in values.items():
                if name != 'subject' and not getattr(self, name, None):
                    setattr(self, name, value)
            self._purge_capture([self])
            self.confidentiality = level
            self.subject = None
            self.scan_reading = None
            self.save()
        else:
            # the entry is registered: the leader decides on its level
            with without_check_access():
                Pool().get('mvp.document.file').delete([file])
        self._tell_classified_capture(uploader)

    @classmethod
    def purge_copies(cls, incomings):
        "The scans and raw e-mails the documents were captured from too"
        pool = Pool()
        Document = pool.get('document.incoming')
        Email = pool.get('inbound.email')
        lines = super().purge_copies(incomings)
        with without_check_access():
            documents = Document.search([
                    ('result', 'in', [str(i) for i in incomings]),
                    ('active', 'in', [True, False]),
                    ])
            emails = Email.search([
                    ('result', 'in', [str(d) for d in documents]),
                    ]) if documents else []
            lines += [gettext('mvp_capture.msg_capture_copy_removed',
                    file=d.name, document=d.result.rec_name)
                for d in documents]
            remove_stored(emails, 'data')
            remove_stored(documents, 'data')
            Email.delete(emails)
            Document.delete(documents)
        return lines

    @classmethod
    def _purge_capture(cls, incomings):
        """Delete every content captured for the incomings: their files,
        attachments, intake documents and the e-mails they came from"""
        pool = Pool()
        File = pool.get('mvp.document.file')
        Attachment = pool.get('ir.attachment')
        Document = pool.get('document.incoming')
        Email = pool.get('inbound.email')
        references = [str(i) for i in incomings]
        with without_check_access():
            File.delete(File.search([('resource', 'in', references)]))
            Attachment.delete(Attachment.search([
                        ('resource', 'in', references)]))
            documents = Document.search([('result', 'in', references)])
            if documents:
                Email.delete(Email.search([
                            ('result', 'in', [str(d) for d in documents]),
                            ]))
                Document.delete(documents)
        logger.info("content of classified captures %s removed",
            [i.id for i in incomings])

    def _tell_classified_capture(self, uploader=None):
        pool = Pool()
        Role = pool.get('mvp.user.role')
        ModelData = pool.get('ir.model.data')
        clerk = ModelData.get_id('mvp_documents', 'group_mvp_clerk')
        with without_check_access():
            users = {r.user for r in Role.search([
                        ('company', '=', self.company.id),
                        ('group', '=', clerk),
                        ])}
        if uploader and uploader.id:
            users.add(uploader)
        values = {'document': self.notation or str(self.id)}
        notify(
            users,
            gettext('mvp_capture.msg_capture_classified_subject',
                **values),
            gettext('mvp_capture.msg_capture_classified_body', **values),
            records=[self])

    def _main_file(self):
        for kind in ['scan', 'original', 'signed']:
            for file in self.files:
                if file.kind == kind and file.current:
                    return file

    def on_file_text(self, file, first_page):
        "Fill the empty fields of a draft from the first page of its scan"
        if (self.state not in {'draft', 'received'}
                or is_classified(self.confidentiality)
                or file != self._main_file()):
            return
        heading = parse_heading(first_page)
        if not heading:
            return
        self.scan_reading = self._describe_heading(heading)
        for name, value in self._heading_values(heading).items():
            if not getattr(self, name, None):
                setattr(self, name, value)
        self.save()

    def _heading_values(self, heading):
        values = {}
        if heading.notation:
            values['notation'] = heading.notation
            values['number'] = heading.number
        arrival = self.arrival_date.date() if self.arrival_date else None
        if heading.issue_date and (
                not arrival or heading.issue_date <= arrival):
            values['issue_date'] = heading.issue_date
        if heading.subject:
            values['subject'] = heading.subject
        issuer = self.match_issuer(heading)
        if issuer:
            values['issuer'] = issuer
        elif heading.issuer and not self.issuer:
            values['issuer_name'] = heading.issuer
        document_type = self.match_document_type(heading)
        if document_type:
            values['document_type'] = document_type
        return values

    @classmethod
    def _describe_heading(cls, heading):
        lines = []
        for label, value in [
                ('msg_capture_read_notation', heading.notation),
                ('msg_capture_read_date', heading.issue_date.strftime(
                        '%d/%m/%Y') if heading.issue_date else None),
                ('msg_capture_read_issuer', ' / '.join(filter(None, [
                                heading.issuer_parent, heading.issuer]))),
                ('msg_capture_read_type', heading.type_name),
                ('msg_capture_read_subject', heading.subject),
                ]:
            if value:
                lines.append(gettext(
                        'mvp_capture.' + label, value=value))
        return '\n'.join(lines)

    @classmethod
    def match_issuer(cls, heading):
        "Return the agency of the directory that the heading names"
        pool = Pool()
        Company = pool.get('company.company')
        candidates = set(issuer_candidates(heading))
        if not candidates:
            return None
        for company in Company.search([]):
            names = {normalise_name(company.rec_name)}
            short_name = getattr(company, 'short_name', None)
            if short_name:
                names.add(normalise_name(short_name))
            if names & candidates:
                return company
        return None

    @classmethod
    def match_document_type(cls, heading):
        pool = Pool()
        DocumentType = pool.get('mvp.document.type')
        if not heading.type_abbreviation:
            return None
        types = DocumentType.search([
                ('abbreviation', '=', heading.type_abbreviation),
                ], limit=1)
        return types[0] if types else None

    # Duplicates

    def _duplicate_domain(self):
        if not (self.notation and self.issue_date
                and (self.issuer or self.issuer_name)):
            return None
        domain = [
            ('company', '=', self.company.id),
            ('issue_date', '=', self.issue_date),
            ('notation', 'ilike', self.notation.strip()),
            ('state', 'not in', CLOSED),
            ]
        if self.id is not None and self.id >= 0:
            domain.append(('id', '!=', self.id))
        if self.issuer:
            domain.append(('issuer', '=', self.issuer.id))
        else:
            domain.append(('issuer_name', 'ilike', self.issuer_name.strip()))
        return domain

    def find_duplicates(self):
        "Return documents that may be the same one registered twice"
        domain = self._duplicate_domain()
        if domain is None:
            return []
        return self.search(domain, order=[('arrival_date', 'ASC')])

    @classmethod
    def get_duplicates(cls, incomings, name):
        return {i.id: [d.id for d in i.find_duplicates()] for i in incomings}

    @classmethod
    def _register(cls, incomings):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        if Transaction().context.get('_mvp_skip_duplicates'):
            incomings_to_check = []
        else:
            incomings_to_check = incomings
        for incoming in incomings_to_check:
            duplicates = incoming.find_duplicates()
            if duplicates:
                key = Warning.format('mvp_incoming_duplicate', [incoming])
                if Warning.check(key):
                    raise CaptureWarning(key, gettext(
                            'mvp_capture.msg_capture_duplicate',
                            notation=incoming.notation,
                            date=incoming.issue_date.strftime('%d/%m/%Y'),
                            issuer=incoming.issuer_label or '',
                            duplicates=', '.join(
                                d.rec_name for d in duplicates[:5])))
        super()._register(incomings)


def _file_name(name, mimetype):
    name = (name or '').strip() or 'scan'
    extension = SCAN_TYPES.get(mimetype) or (
        '.eml' if mimetype == 'message/rfc822' else '')
    if extension and not name.lower().endswith(
            (extension, '.jpeg', '.tiff')):
        name += extension
    return name
