# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import mimetypes
import uuid

from trytond.i18n import gettext
from trytond.modules.mvp_documents.document_type import URGENCY_PRIORITY
from trytond.modules.mvp_documents.protection import log_refusal, refuse
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from . import xml_io
from .exceptions import InterchangeError
from .interchange import exchange_forbidden, organization


class Outgoing(metaclass=PoolMeta):
    __name__ = 'mvp.outgoing'

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
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        Recipient = pool.get('mvp.outgoing.recipient')
        super()._deliver_external(recipients)
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
                Message.queue_out('package', data,
                    recipient.identifier_code, agency=outgoing.company,
                    sender_code=outgoing.company.identifier_code,
                    document_id=package.document_id,
                    business_type=package.business_type,
                    notation=outgoing.notation,
                    promulgation_date=outgoing.issue_date,
                    subject=(outgoing.subject or '')[:500],
                    origin=str(recipient))
            Recipient.set_state(recipients, 'sent')

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

    def edxml_package(self, recipients):
        "The edXML package of this released document for recipients"
        number, _, notation = (self.notation or '').partition('/')
        business = xml_io.Business()
        replaced = getattr(self, 'replaces', None)
        if replaced and replaced.identifier:
            business = xml_io.Business(doc_type=xml_io.REPLACE,
                reason=gettext('mvp_interchange.msg_message_replaced',
                    notation=self.notation),
                document_id=replaced.identifier,
                replacements=[xml_io.Replacement(replaced.identifier,
                            [r.identifier_code for r in recipients])])
        attachments = []
        for file in self.incoming_files():
            attachments.append(xml_io.Attachment.from_bytes(file['name'],
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
            place=getattr(self.company, 'place', None) or '',
            promulgation_date=self.issue_date,
            type_code=self.document_type.edxml_type or '',
            type_name=self.document_type.name,
            subject=self.subject, content=self.subject,
            signer_position=getattr(self, 'signer_position', None) or '',
            signer_name=self.signer_name or (
                signer.rec_name if signer else ''),
            priority=str(URGENCY_PRIORITY.get(self.urgency, 0)),
            sphere='',
            typer_notation=self.company.short_name or '',
            page_amount=str(self.pages or 1),
            document_id=self.identifier,
            business=business,
            attachments=attachments)
