# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import mimetypes
import uuid

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.mvp_documents import pdf_check
from trytond.modules.mvp_documents.document_type import (
    URGENCIES, URGENCY_PRIORITY)
from trytond.modules.mvp_documents.exceptions import OutgoingError
from trytond.modules.mvp_documents.outgoing import OutgoingWizardMixin
from trytond.modules.mvp_documents.protection import log_refusal, refuse
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import xml_io
from .exceptions import InterchangeError
from .interchange import exchange_forbidden, organization


# SignerInfo/Competence (Decree 30, Annex I): who signs for whom
COMPETENCES = [
    (None, ""),
    ('TM.', "On behalf of the collective (TM.)"),
    ('KT.', "Deputy signing for the head (KT.)"),
    ('Q.', "Acting head (Q.)"),
    ('TL.', "By order of the head (TL.)"),
    ('TUQ.', "By authorisation of the head (TUQ.)"),
    ]
# SteeringType of QCVN 102 (the SDK's documentation); None sends 0
STEERING_TYPES = [
    (None, ""),
    ('1', "Not a Steering Document"),
    ('2', "Steering Document"),
    ('3', "Report on a Steering Document"),
    ]
# What the clerk may still correct once the document is numbered: only
# through the update wizard, which sends it (business type 2)
EXCHANGE_FIELDS = {'reply_due', 'signer_competence', 'signer_for',
    'steering_type'}
# What a correction changes on the copies of the agencies here
LOCAL_UPDATABLE = {'subject', 'urgency', 'deadline', 'signer_competence',
    'steering_type'}
# Page counts of released PDFs by SHA-256: a release to 400 agencies
# writes 400 packages of the same file
_PAGES = {}


def pdf_pages(file):
    "The page count in file's PDF page tree (None if it does not open)"
    key = file.sha256
    if key and key in _PAGES:
        return _PAGES[key]
    try:
        reader = pdf_check.open_pdf(file.data)
        pages = int(reader.root['/Pages']['/Count'])
    except Exception:  # pyhanko raises many kinds; the typed count serves
        pages = None
    if key:
        if len(_PAGES) > 256:
            _PAGES.clear()
        _PAGES[key] = pages
    return pages


class Outgoing(metaclass=PoolMeta):
    __name__ = 'mvp.outgoing'
    _numbered = {'readonly': ~Eval('state').in_(['draft', 'submitted'])}

    reply_due = fields.Date(
        "Reply Due", states=_numbered,
        help="The date by which the recipients are asked to answer "
        "(DueDate of the electronic document).")
    signer_competence = fields.Selection(
        COMPETENCES, "Signing Authority", states=_numbered,
        help="TM., KT., Q., TL. or TUQ. before the signer's title.")
    signer_for = fields.Char(
        "Signing For", states=_numbered,
        help="The collective or head the signer signs for, "
        "e.g. GIÁM ĐỐC or ỦY BAN NHÂN DÂN.")
    steering_type = fields.Selection(
        STEERING_TYPES, "Steering", states=_numbered)

    del _numbered

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'send_update': {
                    'invisible': Eval('state') != 'released',
                    'depends': ['state'],
                    },
                })

    @property
    def competence(self):
        "SignerInfo/Competence, e.g. KT. GIÁM ĐỐC"
        return ' '.join(filter(None, [self.signer_competence,
                    (self.signer_for or '').strip()]))

    @classmethod
    def check_modification(cls, mode, outgoings, values=None, external=False):
        super().check_modification(
            mode, outgoings, values=values, external=external)
        if mode == 'write' and external and EXCHANGE_FIELDS & set(values):
            for outgoing in outgoings:
                if outgoing.state not in {'draft', 'submitted', 'approved'}:
                    refuse('mvp_documents.msg_outgoing_numbered_frozen',
                        [outgoing], fields=EXCHANGE_FIELDS & set(values),
                        outgoing=outgoing.rec_name)

    @classmethod
    def copy(cls, outgoings, default=None):
        default = dict(default or {})
        default.setdefault('reply_due', None)
        return super().copy(outgoings, default=default)

    def incoming_values(self):
        "The recipients on this installation keep the same fields"
        values = super().incoming_values()
        values.update(self.exchange_values())
        return values

    def exchange_values(self):
        "The fields of mvp.incoming that mvp_interchange adds"
        return {
            'deadline': self.reply_due,
            'signer_competence': self.competence or None,
            'signer_position': self.signer_position or None,
            'place': self.company.place or None,
            'copies': self.copies,
            'appendixes': '\n'.join(self.appendix_names()) or None,
            'steering_type': self.steering_type,
            }

    def appendix_names(self):
        return [f.name for f in self.current_files({'appendix'})]

    def page_amount(self):
        """The pages of the released PDF, read from its page tree only
        (the file was checked when it was added); else the typed count"""
        for kind in ['signed', 'original']:
            for file in self.current_files({kind}):
                if (file.name or '').lower().endswith('.pdf'):
                    return pdf_pages(file) or file.pages or self.pages or 1
        return self.pages or 1

    def response_for(self):
        """ResponseFor of each answered document that came by exchange:
        its sender's code, notation, date and document id as received"""
        Message = Pool().get('mvp.interchange.message')
        result = []
        for incoming in self.answers:
            origin = incoming.origin
            if not isinstance(origin, Message) or not origin.document_id:
                continue
            result.append(xml_io.ResponseFor(origin.sender_code,
                    origin.notation or incoming.notation or '',
                    xml_io.format_date(origin.promulgation_date
                        or incoming.issue_date),
                    origin.document_id))
        return result

    def to_places(self, recipients):
        "The other places the document goes to (ToPlaces/Place)"
        return [r.recipient_name for r in self.recipients
            if r not in recipients and r.recipient_name
            and r.state not in {'recalled', 'recall_requested'}]

    @classmethod
    @ModelView.button_action('mvp_interchange.wizard_outgoing_send_update')
    def send_update(cls, outgoings):
        for outgoing in outgoings:
            outgoing.check_state({'released'})
            outgoing._check_clerk()

    @classmethod
    def exchanged_recipients(cls, outgoings, exclude=()):
        "The recipients elsewhere a package of the documents went to"
        recipients = [r for o in outgoings for r in o.recipients
            if r.channel == 'external' and r not in exclude
            and r.state not in {'draft', 'returned', 'recalled'}]
        return cls._recipients_packaged(recipients) if recipients else []

    @classmethod
    def send_updates(cls, outgoings, reason, changes=(), added=()):
        """Queue an update (business type 2) of each document to the
        recipients elsewhere that have it: changes names the corrected
        fields, added the recipients added since"""
        with without_check_access():
            for outgoing in outgoings:
                outgoing.check_exchangeable()
                new = [r for r in added if r.outgoing == outgoing]
                for recipient in cls.exchanged_recipients(
                        [outgoing], exclude=new):
                    business = xml_io.Business(doc_type=xml_io.UPDATE,
                        reason=reason, document_id=outgoing.identifier,
                        document_info='1' if changes else '0',
                        document_receiver='1' if new else '0',
                        receivers=[('1', r.identifier_code or '')
                            for r in new])
                    package = outgoing.edxml_package([recipient],
                        business=business, attachments=False)
                    outgoing._queue_package(recipient, package,
                        xml_io.package_bytes(package))

    @classmethod
    def correct(cls, outgoing, values, reason):
        """Write the clerk's correction of a released document and send
        it as an update; return the names of the fields changed"""
        changes = {k: v for k, v in values.items()
            if getattr(outgoing, k) != v
            and not (getattr(outgoing, k) in {None, ''} and v in {None, ''})}
        if not changes:
            raise OutgoingError(gettext(
                    'mvp_interchange.msg_update_nothing',
                    outgoing=outgoing.rec_name))
        with without_check_access(), Transaction().set_context(
                _mvp_outgoing_correction=True):
            cls.write([outgoing], changes)
        outgoing = cls(outgoing.id)
        cls._update_local(outgoing, reason)
        cls.send_updates([outgoing], reason, changes=changes)
        return sorted(changes)

    @classmethod
    def _update_local(cls, outgoing, reason):
        "The agencies of this installation correct their copies at once"
        Incoming = Pool().get('mvp.incoming')
        with without_check_access():
            incomings = [i for i in Incoming.search([
                        ('origin', 'in', [str(r) for r in outgoing.recipients
                                if r.channel == 'electronic']),
                        ('state', '!=', 'cancelled'),
                        ]) if not exchange_forbidden(i)]
            values = {k: v for k, v in outgoing.incoming_values().items()
                if k in LOCAL_UPDATABLE}
            if incomings:
                Incoming.apply_update(incomings, values, reason)

    @classmethod
    def purge_copies(cls, outgoings):
        "The edXML packages the documents were sent in too"
        Message = Pool().get('mvp.interchange.message')
        lines = super().purge_copies(outgoings)
        with without_check_access():
            lines += Message.purge_data(Message.search([
                        ('origin', 'in', [str(r) for o in outgoings
                                for r in o.recipients]),
                        ]))
        return lines

    @classmethod
    def _deliver_external(cls, recipients):
        "Write one edXML package per recipient in the outbox"
        Recipient = Pool().get('mvp.outgoing.recipient')
        super()._deliver_external(recipients)
        # recipients added after the release: the others are told
        released = [o for o in {r.outgoing for r in recipients}
            if o.state == 'released']
        if released:
            cls.send_updates(released, gettext(
                    'mvp_interchange.msg_update_recipients_added'),
                added=recipients)
        with without_check_access():
            for recipient in recipients:
                outgoing = recipient.outgoing
                outgoing.check_exchangeable()
                package = outgoing.edxml_package([recipient])
                data = xml_io.package_bytes(package)
                package.close()
                try:
                    xml_io.validate(data)
                except xml_io.EdxmlError as error:
                    raise InterchangeError(gettext(
                            'mvp_interchange.msg_message_invalid',
                            document=outgoing.rec_name,
                            error=error.message)) from error
                outgoing._queue_package(recipient, package, data)
            Recipient.set_state(recipients, 'sent')

    def _queue_package(self, recipient, package, data):
        "Queue the package data of this document to recipient"
        Message = Pool().get('mvp.interchange.message')
        Message.queue_out('package', data,
            recipient.identifier_code, agency=self.company,
            sender_code=self.company.identifier_code,
            document_id=package.document_id,
            business_type=package.business_type,
            notation=self.notation,
            promulgation_date=self.issue_date,
            subject=(self.subject or '')[:500],
            origin=str(recipient))

    @classmethod
    def _recall_external(cls, recipients, reason):
        "Send status 13 (recall request) to each recipient elsewhere"
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        super()._recall_external(recipients, reason)
        with without_check_access():
            for outgoing in {r.outgoing for r in recipients}:
                outgoing.check_exchangeable()
            recipients = cls._recipients_packaged(recipients)
            for recipient in recipients:
                outgoing = recipient.outgoing
                status = xml_io.Status(
                    sender=organization(outgoing.company),
                    response_for=xml_io.ResponseFor(
                        outgoing.company.identifier_code, outgoing.notation,
                        xml_io.format_date(outgoing.issue_date),
                        outgoing.identifier),
                    status_code='13', description=reason or '')
                Message.queue_out('status', xml_io.status_bytes(status),
                    recipient.identifier_code, agency=outgoing.company,
                    sender_code=outgoing.company.identifier_code,
                    document_id=outgoing.identifier, status_code='13',
                    notation=outgoing.notation, origin=str(recipient))

    @classmethod
    def _recipients_packaged(cls, recipients):
        """The recipients a package was queued for: a channel written
        by hand on another line sends nothing"""
        Message = Pool().get('mvp.interchange.message')
        sent = {m.origin for m in Message.search([
                    ('direction', '=', 'out'), ('kind', '=', 'package'),
                    ('origin', 'in', [str(r) for r in recipients]),
                    ])}
        others = [r for r in recipients if r not in sent]
        if others:
            log_refusal('mvp.outgoing.recipient', [r.id for r in others],
                ['channel'], 'recall: no package was sent to them')
        return [r for r in recipients if r in sent]

    def check_exchangeable(self):
        "Classified documents and complaints are never packaged"
        if exchange_forbidden(self):
            refuse('mvp_interchange.msg_message_classified', [self],
                error=InterchangeError, document=self.rec_name)

    def edxml_package(self, recipients, business=None, attachments=True):
        "The edXML package of this released document for recipients"
        number, _, notation = (self.notation or '').partition('/')
        replaced = getattr(self, 'replaces', None)
        if business is None and replaced and replaced.identifier:
            business = xml_io.Business(doc_type=xml_io.REPLACE,
                reason=gettext('mvp_interchange.msg_message_replaced',
                    notation=self.notation),
                document_id=replaced.identifier,
                replacements=[xml_io.Replacement(replaced.identifier,
                            [r.identifier_code for r in recipients])])
        business = business or xml_io.Business()
        files = []
        for file in (self.incoming_files() if attachments else []):
            files.append(xml_io.Attachment.from_bytes(file['name'],
                    file['data'], content_type=mimetypes.guess_type(
                        file['name'])[0] or 'application/octet-stream',
                    content_id=uuid.uuid4().hex,
                    description=file.get('kind', '')))
        signer = getattr(self, 'signer', None)
        return xml_io.Package(
            sender=organization(self.company),
            recipients=[xml_io.Organization(r.identifier_code,
                    organ_name=r.name or r.identifier_code,
                    organ_add=r.address or '') for r in recipients],
            code_number=number, code_notation=notation,
            place=self.company.place or '',
            promulgation_date=self.issue_date,
            type_code=self.document_type.edxml_type or '',
            type_name=self.document_type.name,
            subject=self.subject, content=self.subject,
            signer_competence=self.competence,
            signer_position=self.signer_position or '',
            signer_name=self.signer_name or (
                signer.rec_name if signer else ''),
            due_date=self.reply_due,
            to_places=self.to_places(recipients),
            priority=str(URGENCY_PRIORITY.get(self.urgency, 0)),
            sphere='',
            typer_notation=self.company.short_name or '',
            promulgation_amount=str(self.copies or 1),
            page_amount=str(self.page_amount()),
            appendixes=self.appendix_names(),
            response_for=self.response_for(),
            steering_type=self.steering_type or '0',
            document_id=self.identifier,
            business=business,
            attachments=files)


class OutgoingSendUpdate(OutgoingWizardMixin, Wizard):
    "Correct a released document and send the update"
    __name__ = 'mvp.outgoing.send_update'
    start = StateView('mvp.outgoing.send_update.start',
        'mvp_interchange.outgoing_send_update_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send Update", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def default_start(self, fields):
        outgoing, = self.checked_records()
        return {
            'outgoing': outgoing.id,
            'subject': outgoing.subject,
            'urgency': outgoing.urgency,
            'reply_due': outgoing.reply_due,
            'signer_competence': outgoing.signer_competence,
            'signer_for': outgoing.signer_for,
            'steering_type': outgoing.steering_type,
            }

    def transition_send(self):
        Outgoing = Pool().get('mvp.outgoing')
        outgoing, = self.checked_records(mode='write')
        outgoing.check_state({'released'})
        outgoing._check_clerk()
        outgoing.check_exchangeable()
        values = {name: getattr(self.start, name) for name in [
                'subject', 'urgency', 'reply_due', 'signer_competence',
                'signer_for', 'steering_type']}
        if outgoing.classified:
            values.pop('subject')
        Outgoing.correct(outgoing, values, self.start.reason)
        return 'end'


class OutgoingSendUpdateStart(ModelView):
    __string__ = "Send Update"
    __name__ = 'mvp.outgoing.send_update.start'
    outgoing = fields.Many2One('mvp.outgoing', "Document", readonly=True)
    subject = fields.Text("Subject", required=True)
    urgency = fields.Selection(URGENCIES, "Urgency", required=True)
    reply_due = fields.Date("Reply Due")
    signer_competence = fields.Selection(COMPETENCES, "Signing Authority")
    signer_for = fields.Char("Signing For")
    steering_type = fields.Selection(STEERING_TYPES, "Steering")
    reason = fields.Text("Reason", required=True,
        help="Sent to the recipients with the update.")
