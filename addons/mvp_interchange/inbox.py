# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The inbox of the exchange log: receive a package or a status, check
it, make or change the incoming documents, answer with statuses."""
import datetime as dt
import hashlib
import io
import json
import tempfile
from contextlib import contextmanager

from sql import Select

from trytond import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.ir.cron import str2bigint
from trytond.model import ModelView
from trytond.modules.mvp_documents import file_limits
from trytond.modules.mvp_documents.exceptions import ScannerUnavailableError
from trytond.modules.mvp_documents.protection import log_refusal
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import statuses, xml_io
from .exceptions import Rejected
from .interchange import SECTION, exchange_forbidden, organization
from .peer import check_province_admin

FILENAME = 'package.edxml'
URGENCY = {'0': 'normal', '1': 'urgent', '2': 'very_urgent', '3': 'flash',
    '4': 'flash'}
# What an update (business type 2) changes on a document received (not
# the notes: the clerk writes there too)
UPDATABLE = {'subject', 'deadline', 'urgency', 'signer_name', 'pages',
    'signer_competence', 'signer_position', 'place', 'copies',
    'appendixes', 'to_places', 'steering_type', 'response_for',
    'response_references'}
ORIGINAL_EXTENSIONS = ('.doc', '.docx', '.odt', '.rtf', '.xls', '.xlsx',
    '.ods')


def max_size():
    return config.getint(SECTION, 'max_size', default=xml_io.MAX_SIZE)


@contextmanager
def savepoint(name='mvp_edxml'):
    "Undo the writes of the block when it raises (nothing half-received)"
    cursor = Transaction().connection.cursor()
    cursor.execute(f'SAVEPOINT {name}')
    try:
        yield
    except Exception:
        cursor.execute(f'ROLLBACK TO SAVEPOINT {name}')
        raise
    cursor.execute(f'RELEASE SAVEPOINT {name}')


class Message(metaclass=PoolMeta):
    __name__ = 'mvp.interchange.message'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'reprocess': {
                    'invisible': ((Eval('direction') != 'in')
                        | (Eval('state') != 'rejected') | ~Eval('data_id')),
                    'depends': ['direction', 'state', 'data_id'],
                    },
                })

    @classmethod
    def receive(cls, peer, source, message_id=None):
        """Process one edXML package or status that arrived from peer.

        source is bytes or a binary stream.  Returns the JSON answer:
        accepted (with our id), duplicate (the first answer again) or
        rejected (code and message).  Must run in a writable transaction
        which the caller commits.
        """
        stream = _spool(source)
        try:
            return cls._receive(peer, stream, message_id)
        finally:
            stream.close()

    @classmethod
    def _receive(cls, peer, stream, message_id):
        digest = hashlib.sha256()
        while chunk := stream.read(xml_io.CHUNK):
            digest.update(chunk)
        stream.seek(0)
        message_id = (message_id or '').strip()[:200] or digest.hexdigest()
        try:
            parsed = xml_io.parse(stream, max_size=max_size(),
                max_elements=file_limits.limits().xml_max_elements)
        except xml_io.EdxmlError as error:
            if error.code == 'status_code':
                # a status, but with a code QCVN 102 does not have
                return cls._log_rejection(peer, message_id, error.code,
                    gettext('mvp_interchange.msg_message_status_code',
                        code=error.value), kind='status')
            if error.code in file_limits.LABELS:
                # a hostile package: refused (status 02), nothing stored
                return cls._log_rejection(peer, message_id, error.code,
                    gettext('mvp_documents.msg_file_limit_%s' % error.code,
                        file=getattr(error, 'file', FILENAME),
                        limit=error.value,
                        found=getattr(error, 'found', '')))
            return cls._log_rejection(peer, message_id, error.code,
                error.message)
        try:
            try:
                peer = cls._check_sender(peer, parsed)
            except Rejected as rejection:
                return cls._refuse_sender(peer, parsed, message_id,
                    rejection)
            if isinstance(parsed, xml_io.Status):
                return cls._receive_status(peer, parsed, stream, message_id)
            return cls._receive_package(peer, parsed, stream, message_id)
        finally:
            if isinstance(parsed, xml_io.Package):
                parsed.close()

    @classmethod
    def _check_sender(cls, peer, parsed):
        """Return the peer that may send in the name of the sender of
        parsed, or raise Rejected: a peer speaks only for the agency codes
        its routes give it, never for an agency of this installation.  A
        file imported without a peer comes from the peer of its route."""
        pool = Pool()
        Company = pool.get('company.company')
        Route = pool.get('mvp.interchange.route')
        code = parsed.sender.organ_id
        allowed = Route.sender_peer(code) if code else None
        if allowed is not None and Company.search(
                [('identifier_code', '=', code)], limit=1):
            allowed = None
        if allowed is None or (peer is not None and peer != allowed):
            raise Rejected('sender', gettext(
                    'mvp_interchange.msg_message_sender_refused',
                    code=code or '-', peer=peer.name if peer else '-'))
        return allowed

    @classmethod
    def _refuse_sender(cls, peer, parsed, message_id, rejection):
        """Log the message refused for its sender; without its document
        id, so that it never answers for the real sender's message"""
        if isinstance(parsed, xml_io.Status):
            values = {'kind': 'status', 'status_code': parsed.status_code,
                'recipient_code': parsed.response_for.organ_id}
        else:
            values = {'kind': 'package', 'recipient_code': ','.join(
                    r.organ_id for r in parsed.recipients)}
        answer = cls._log_rejection(peer, message_id, rejection.code,
            str(rejection), sender_code=parsed.sender.organ_id, **values)
        log_refusal(cls.__name__, [answer['id']], ['sender_code'],
            str(rejection))
        return answer

    @classmethod
    def _log_rejection(cls, peer, message_id, code, text, **values):
        message = cls(direction='in', kind=values.pop('kind', 'package'),
            state='rejected', peer=peer, message_id=message_id,
            error_code=code, last_error=text, done_at=dt.datetime.now(),
            **values)
        message.answer = json.dumps(message._rejected_answer(),
            ensure_ascii=False)
        message.save()
        return message._rejected_answer()

    def _rejected_answer(self):
        answer = {'outcome': 'rejected', 'id': self.id,
            'code': self.error_code, 'message': self.last_error}
        if self.kind == 'package':
            # edXML 02: the recipient refuses the document
            answer['status_code'] = '02'
        return answer

    @classmethod
    def _find_duplicate(cls, key):
        transaction = Transaction()
        database = transaction.database
        if database.has_select_for():
            cursor = transaction.connection.cursor()
            lock_key = [str(v) for k, v in key.items() if k != 'message_id']
            cursor.execute(*Select([database.lock_id(
                            str2bigint('mvp.interchange|' + '|'.join(
                                    lock_key)), True)]))
        domain = [(k, '=', v) for k, v in key.items()]
        duplicates = cls.search(domain, limit=1)
        if duplicates:
            duplicate, = duplicates
            cls.write(duplicates, {'duplicates': duplicate.duplicates + 1})
            answer = json.loads(duplicate.answer or '{}')
            if answer.get('outcome') == 'accepted':
                answer['outcome'] = 'duplicate'
            return answer
        return None

    @classmethod
    def _receive_package(cls, peer, parsed, stream, message_id):
        key = {'direction': 'in', 'sender_code': parsed.sender.organ_id,
            'document_id': parsed.document_id,
            'business_type': parsed.business_type, 'status_code': None,
            'message_id': message_id}
        answer = cls._find_duplicate(key)
        if answer is not None:
            return answer
        if parsed.business_type == xml_io.NEW:
            answer = cls._find_same_document(parsed)
            if answer is not None:
                return answer
        marking = xml_io.classification(parsed)
        if marking:
            return cls._refuse_classified(peer, parsed, message_id, marking)
        refusal = cls._outside_standard(parsed)
        if refusal:
            return cls._refuse_outside_standard(
                peer, parsed, stream, message_id, *refusal)
        message = cls(direction='in', kind='package', state='received',
            peer=peer, message_id=message_id,
            sender_code=parsed.sender.organ_id,
            recipient_code=','.join(r.organ_id for r in parsed.recipients),
            document_id=parsed.document_id,
            business_type=parsed.business_type,
            notation=parsed.notation[:200],
            promulgation_date=parsed.promulgation_date,
            subject=parsed.subject[:500])
        # saved first: the savepoint below must not take the message away
        message.save()
        try:
            with savepoint():
                try:
                    documents = message._process(parsed, stream)
                except ScannerUnavailableError:
                    # not a refusal of the document: the sender's outbox
                    # sends it again once clamd answers (routes: 503)
                    raise
                except UserError as error:
                    # e.g. a validation of the incoming document: refused
                    # with its message, instead of a bare HTTP error
                    raise Rejected('invalid', error.message) from error
        except Rejected as rejection:
            message.state = 'rejected'
            message.error_code = rejection.code
            message.last_error = str(rejection)
            if rejection.keep:
                message._store(stream)
            message.done_at = dt.datetime.now()
            message.save()
            answer = message._rejected_answer()
            if (rejection.code == 'unknown_document'
                    and parsed.business_type == xml_io.UPDATE):
                # the sender's outbox learns it from the answer, the
                # sender's recipient line from status 02
                message._reply_refused(parsed, str(rejection))
        else:
            message._store(stream)
            message.state = 'accepted'
            message.done_at = dt.datetime.now()
            message.save()
            answer = {'outcome': 'accepted', 'id': message.id,
                'documents': documents}
        message.answer = json.dumps(answer, ensure_ascii=False)
        message.save()
        return answer

    @classmethod
    def _refuse_classified(cls, peer, parsed, message_id, marking):
        """Refuse a package marked classified: its entry is logged, never
        its subject nor its files; status 02 goes back to the sender"""
        reason = gettext('mvp_interchange.msg_message_classified_refused',
            marking=marking)
        answer = cls._log_rejection(peer, message_id, 'classified', reason,
            sender_code=parsed.sender.organ_id,
            recipient_code=','.join(r.organ_id for r in parsed.recipients),
            document_id=parsed.document_id,
            business_type=parsed.business_type,
            notation=parsed.notation[:200],
            promulgation_date=parsed.promulgation_date)
        log_refusal(cls.__name__, [answer['id']], ['data', 'subject'],
            reason)
        cls(answer['id'])._reply_refused(parsed, reason)
        return answer

    @staticmethod
    def _outside_standard(parsed):
        """(code, reason) when the package is not one of QCVN 102: liberal
        in prefixes and encodings, strict in namespace and business type"""
        if parsed.namespace != xml_io.NS:
            return 'namespace', gettext(
                'mvp_interchange.msg_message_namespace',
                namespace=parsed.namespace or '-', expected=xml_io.NS)
        if parsed.business_type not in xml_io.BUSINESS_TYPES:
            return 'business_type', gettext(
                'mvp_interchange.msg_message_business_type',
                type=parsed.business_type)
        return None

    @classmethod
    def _refuse_outside_standard(cls, peer, parsed, stream, message_id,
            code, reason):
        """Refuse a package outside the standard: logged with its file
        for the operator, status 02 back to the sender with the reason"""
        answer = cls._log_rejection(peer, message_id, code, reason,
            sender_code=parsed.sender.organ_id,
            recipient_code=','.join(r.organ_id for r in parsed.recipients),
            document_id=parsed.document_id,
            business_type=(parsed.business_type
                if parsed.business_type in xml_io.BUSINESS_TYPES else None),
            notation=parsed.notation[:200],
            promulgation_date=parsed.promulgation_date,
            subject=parsed.subject[:500])
        message = cls(answer['id'])
        message._store(stream)
        message.save()
        message._reply_refused(parsed, reason)
        return answer

    def _reply_refused(self, parsed, reason):
        "Queue status 02 from the first agency here the package was for"
        Company = Pool().get('company.company')
        codes = [r.organ_id for r in parsed.recipients]
        agencies = Company.search([('identifier_code', 'in', codes)],
            limit=1)
        if not agencies or self.peer is None:
            return
        agency, = agencies
        status = xml_io.Status(sender=organization(agency),
            response_for=xml_io.ResponseFor(parsed.sender.organ_id,
                parsed.notation, xml_io.format_date(
                    parsed.promulgation_date), parsed.document_id),
            status_code='02', description=reason)
        self.queue_out('status', xml_io.status_bytes(status),
            parsed.sender.organ_id, agency=agency, peer=self.peer,
            sender_code=agency.identifier_code,
            document_id=parsed.document_id, status_code='02',
            notation=parsed.notation[:200], package=self)

    def _store(self, stream):
        stream.seek(0)
        self.data = stream.read()
        self.size = len(self.data)
        self.filename = FILENAME

    def _process(self, parsed, stream):
        "Check parsed and act on it; raise Rejected without side effects"
        pool = Pool()
        Company = pool.get('company.company')
        Peer = pool.get('mvp.interchange.peer')
        known = {p.system_id for p in Peer.search([]) if p.system_id}
        problems = xml_io.fatal(xml_io.check(parsed, known_codes=known))
        if problems:
            raise Rejected(problems[0].code,
                ' '.join(p.message for p in problems))
        if parsed.signed:
            reason = xml_signature_problem(stream)
            if reason:
                raise Rejected('signature', reason)
        codes = [r.organ_id for r in parsed.recipients]
        agencies = Company.search([('identifier_code', 'in', codes)])
        if not agencies:
            raise Rejected('unknown_recipient', gettext(
                    'mvp_interchange.msg_message_unknown_recipient',
                    codes=', '.join(codes)), keep=True)
        self.agency = agencies[0]
        return getattr(self, '_process_' + xml_io.BUSINESS_TYPES[
                parsed.business_type])(parsed, agencies)

    def _process_new(self, parsed, agencies):
        Incoming = Pool().get('mvp.incoming')
        values = self._incoming_values(parsed, Incoming)
        files = self._incoming_files(parsed)
        if self.id is None or self.id < 0:
            self.save()
        return [i.id for i in Incoming.receive_electronic_many(
                [(agency, values, files, self) for agency in agencies])]

    def _process_revoke(self, parsed, agencies):
        Incoming = Pool().get('mvp.incoming')
        incomings = self._targets(parsed.sender.organ_id,
            [parsed.business.document_id or parsed.document_id], agencies)
        if not incomings:
            raise Rejected('unknown_document', gettext(
                    'mvp_interchange.msg_message_unknown_document',
                    document=parsed.business.document_id
                    or parsed.document_id))
        self.save()
        Incoming.request_recall(incomings,
            parsed.business.reason or gettext(
                'mvp_interchange.msg_message_revoked'))
        return [i.id for i in incomings]

    def _process_update(self, parsed, agencies):
        """Business type 2: the sender corrected the metadata or the
        recipients of a document we have; the documents are updated in
        place, each keeps a note of what changed"""
        Incoming = Pool().get('mvp.incoming')
        document = parsed.business.document_id or parsed.document_id
        incomings = self._targets(parsed.sender.organ_id, [document],
            agencies)
        here = {a.identifier_code: a for a in agencies}
        added = [c for t, c in parsed.business.receivers if t == '1']
        removed = [c for t, c in parsed.business.receivers if t == '0']
        have = {i.company.identifier_code for i in incomings}
        # a package acts only for the agencies it is addressed to
        new = [here[c] for c in added if c in here and c not in have]
        if not incomings and not new:
            raise Rejected('unknown_document', gettext(
                    'mvp_interchange.msg_message_unknown_update',
                    document=document))
        self.save()
        values = self._incoming_values(parsed, Incoming)
        updatable = {k: v for k, v in values.items() if k in UPDATABLE}
        # a document classified since it arrived keeps no subject
        live = [i for i in incomings if i.state != 'cancelled'
            and not exchange_forbidden(i)]
        if live and updatable:
            Incoming.apply_update(live, updatable, parsed.business.reason
                or gettext('mvp_interchange.msg_update_default_reason'))
        documents = [i.id for i in incomings]
        if new:
            files = self._incoming_files(parsed)
            documents += [i.id for i in Incoming.receive_electronic_many(
                    [(agency, values, files, self) for agency in new])]
        gone = [i for i in incomings if i.company.identifier_code in removed]
        if gone:
            Incoming.request_recall(gone, parsed.business.reason
                or gettext('mvp_interchange.msg_message_revoked'))
        return documents

    def _process_replace(self, parsed, agencies):
        Incoming = Pool().get('mvp.incoming')
        replaced = [r.document_id for r in parsed.business.replacements
            ] or [parsed.business.document_id]
        old = self._targets(parsed.sender.organ_id, replaced, agencies)
        documents = self._process_new(parsed, agencies)
        if old:
            Incoming.request_recall(old, gettext(
                    'mvp_interchange.msg_message_replaced',
                    notation=parsed.notation))
        return documents

    @classmethod
    def _targets(cls, sender_code, document_ids, agencies):
        "The live incomings made from packages naming document_ids"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        messages = cls.search([
                ('direction', '=', 'in'),
                ('kind', '=', 'package'),
                ('state', '=', 'accepted'),
                ('sender_code', '=', sender_code),
                ('document_id', 'in', document_ids),
                ])
        if not messages:
            return []
        return Incoming.search([
                ('origin', 'in', [str(m) for m in messages]),
                ('company', 'in', [a.id for a in agencies]),
                ('state', '!=', 'cancelled'),
                ])

    def _incoming_values(self, parsed, Incoming):
        pool = Pool()
        DocumentType = pool.get('mvp.document.type')
        document_type = None
        if parsed.type_name:
            types = DocumentType.search(
                [('name', 'ilike', parsed.type_name)], limit=1)
            document_type = types[0].id if types else None
        if document_type is None and parsed.type_code:
            types = DocumentType.search(
                [('edxml_type', '=', parsed.type_code)], limit=1)
            document_type = types[0].id if types else None
        sender = parsed.sender
        values = {
            'issuer_name': (sender.organ_name or sender.organization_in_charge
                or sender.organ_id),
            'number': parsed.code_number,
            'notation': parsed.notation,
            'issue_date': parsed.promulgation_date,
            'document_type': document_type,
            'subject': parsed.subject,
            'signer_name': parsed.signer_name,
            'urgency': URGENCY.get(parsed.priority, 'normal'),
            'confidentiality': 'normal',
            'pages': int(parsed.page_amount)
            if parsed.page_amount.isdigit() else None,
            'channel': 'exchange',
            'deadline': parsed.due_date,
            'notes': parsed.content if parsed.content != parsed.subject
            else None,
            'signer_competence': parsed.signer_competence or None,
            'signer_position': parsed.signer_position or None,
            'place': parsed.place or None,
            'copies': int(parsed.promulgation_amount)
            if parsed.promulgation_amount.isdigit() else None,
            'appendixes': '\n'.join(parsed.appendixes) or None,
            'to_places': '\n'.join(parsed.to_places) or None,
            'steering_type': parsed.steering_type
            if parsed.steering_type in {'1', '2', '3'} else None,
            'response_for': _answered(parsed.response_for),
            'response_references': '\n'.join(
                ', '.join(filter(None, [r.organ_id, r.code,
                            r.promulgation_date, r.document_id]))
                for r in parsed.response_for) or None,
            }
        if parsed.due_date and parsed.due_date < dt.date.today():
            # a due date already past on arrival is the sender's to
            # explain: kept in the notes, the document is not refused
            del values['deadline']
            values['notes'] = '\n'.join(filter(None, [values['notes'],
                        gettext('mvp_interchange.msg_message_past_due',
                            date=parsed.due_date.strftime('%d/%m/%Y'))]))
        # text typed with a TCVN3 or VNI font, arriving as mojibake, is
        # converted by mvp.incoming's create and write
        return {k: v for k, v in values.items()
            if k in Incoming._fields and v is not None}

    @staticmethod
    def _incoming_files(parsed):
        files, signed = [], False
        for attachment in parsed.attachments:
            name = attachment.name.lower()
            if attachment.content_type == 'application/pdf' and not signed:
                kind, signed = 'signed', True
            elif name.endswith(ORIGINAL_EXTENSIONS):
                kind = 'original'
            else:
                kind = 'appendix'
            files.append({'name': attachment.name, 'data': attachment.read(),
                    'kind': kind})
        return files

    @classmethod
    @ModelView.button
    def reprocess(cls, messages):
        "Process rejected packages again (e.g. after adding an agency)"
        check_province_admin(messages, model=cls.__name__)
        for message in cls.browse(messages):
            if (message.direction != 'in' or message.state != 'rejected'
                    or not message.data):
                continue
            parsed = xml_io.parse(message.data, max_size=max_size())
            documents = []
            try:
                # the directory may have changed since it arrived
                cls._check_sender(message.peer, parsed)
                if isinstance(parsed, xml_io.Package):
                    message._check_not_classified(parsed)
                    refusal = cls._outside_standard(parsed)
                    if refusal:
                        raise Rejected(*refusal)
                if isinstance(parsed, xml_io.Status):
                    message._apply_status(parsed)
                else:
                    documents = message._process(parsed,
                        io.BytesIO(message.data))
            except Rejected as rejection:
                message.error_code = rejection.code
                message.last_error = str(rejection)
                if rejection.code == 'classified':
                    message.data = message.subject = None
                message.save()
                continue
            finally:
                if isinstance(parsed, xml_io.Package):
                    parsed.close()
            message.state = 'accepted'
            message.error_code = message.last_error = None
            message.done_at = dt.datetime.now()
            message.answer = json.dumps({'outcome': 'accepted',
                    'id': message.id, 'documents': documents})
            message.save()

    def _check_not_classified(self, parsed):
        marking = xml_io.classification(parsed)
        if marking:
            raise Rejected('classified', gettext(
                    'mvp_interchange.msg_message_classified_refused',
                    marking=marking))

    # ---------------------------------------------------------- statuses

    @classmethod
    def _find_same_document(cls, parsed):
        "The first answer when this new document already arrived under "
        "another message id (e.g. once direct and once through an axis)"
        firsts = cls.search([
                ('direction', '=', 'in'),
                ('kind', '=', 'package'),
                ('state', '=', 'accepted'),
                ('sender_code', '=', parsed.sender.organ_id),
                ('document_id', '=', parsed.document_id),
                ('business_type', '=', xml_io.NEW),
                ], order=[('id', 'ASC')])
        if not firsts:
            return None
        done = {c for m in firsts for c in (m.recipient_code or '').split(',')}
        if {r.organ_id for r in parsed.recipients} - done:
            return None
        cls.write(firsts[:1], {'duplicates': firsts[0].duplicates + 1})
        answer = json.loads(firsts[0].answer or '{}')
        answer['outcome'] = 'duplicate'
        return answer

    @classmethod
    def _receive_status(cls, peer, status, stream, message_id):
        key = {'direction': 'in', 'sender_code': status.sender.organ_id,
            'document_id': status.response_for.document_id,
            'business_type': None, 'status_code': status.status_code,
            'message_id': message_id}
        answer = cls._find_duplicate(key)
        if answer is not None:
            return answer
        message = cls(direction='in', kind='status', state='received',
            peer=peer, message_id=message_id,
            sender_code=status.sender.organ_id,
            recipient_code=status.response_for.organ_id,
            document_id=status.response_for.document_id,
            status_code=status.status_code,
            notation=status.response_for.code,
            subject=status.description[:500])
        message._store(stream)
        try:
            message._apply_status(status)
        except Rejected as rejection:
            message.state = 'rejected'
            message.error_code = rejection.code
            message.last_error = str(rejection)
            answer = message._rejected_answer()
        else:
            message.state = 'accepted'
            answer = {'outcome': 'accepted', 'id': None}
        message.done_at = dt.datetime.now()
        message.save()
        if answer['outcome'] == 'accepted':
            answer['id'] = message.id
        message.answer = json.dumps(answer, ensure_ascii=False)
        message.save()
        return answer

    def _apply_status(self, status):
        if status.namespace != xml_io.NS:
            raise Rejected('namespace', gettext(
                    'mvp_interchange.msg_message_namespace',
                    namespace=status.namespace or '-', expected=xml_io.NS))
        code = status.status_code
        if code == statuses.RECALL_REQUEST:
            return self._apply_recall_request(status)
        packages = self.search([
                ('direction', '=', 'out'),
                ('kind', '=', 'package'),
                ('document_id', '=', status.response_for.document_id),
                ('recipient_code', '=', status.sender.organ_id),
                ], order=[('id', 'DESC')], limit=1)
        if not packages:
            raise Rejected('unknown_document', gettext(
                    'mvp_interchange.msg_message_unknown_document',
                    document=status.response_for.document_id))
        package, = packages
        self.package = package
        self.agency = package.agency
        if statuses.advances(code, package.delivered_status):
            self.write([package], {'delivered_status': code})
        package._update_recipient(code, status)

    def _update_recipient(self, code, status):
        """Move the sender's per-recipient view; the outgoing recipient
        keeps it from moving backwards (16 keeps the recall refused)"""
        recipient = self.origin
        if getattr(recipient, '__name__', None) != 'mvp.outgoing.recipient':
            return
        date = (status.timestamp.astimezone(dt.timezone.utc).replace(
                tzinfo=None) if status.timestamp else None)
        recipient.__class__.apply_status([recipient], code,
            description=status.description or None, date=date)

    def _apply_recall_request(self, status):
        "13 from the original sender: each agency is asked to answer"
        pool = Pool()
        Incoming = pool.get('mvp.incoming')
        incomings = self._targets(status.sender.organ_id,
            [status.response_for.document_id],
            Pool().get('company.company').search([]))
        if not incomings:
            raise Rejected('unknown_document', gettext(
                    'mvp_interchange.msg_message_unknown_document',
                    document=status.response_for.document_id))
        self.agency = incomings[0].company
        # the agency answers 15 or 16 (incoming_recall)
        Incoming.request_recall(incomings, status.description
            or gettext('mvp_interchange.msg_message_revoked'))

    def on_incoming_event(self, event):
        "Called by mvp.incoming.add_event for documents that came from here"
        if self.direction != 'in' or not statuses.is_recipient_code(
                event.code):
            return
        incoming = event.incoming
        if exchange_forbidden(incoming):
            # classified since it arrived: nothing of it travels again
            log_refusal(incoming.__name__, [incoming.id], [],
                'status %s not sent: classified' % event.code)
            return
        agency = incoming.company
        status = xml_io.Status(
            sender=organization(agency),
            response_for=xml_io.ResponseFor(self.sender_code,
                self.notation or '',
                xml_io.format_date(self.promulgation_date),
                self.document_id),
            status_code=event.code,
            description=event.description or '',
            timestamp=(event.date.replace(tzinfo=dt.timezone.utc)
                if isinstance(event.date, dt.datetime) else None),
            staff=xml_io.Staff(staff=event.user.rec_name
                if getattr(event, 'user', None) else ''))
        data = xml_io.status_bytes(status)
        self.queue_out('status', data, self.sender_code, agency=agency,
            peer=self.peer if self.peer and self.peer.active else None,
            sender_code=agency.identifier_code, document_id=self.document_id,
            status_code=event.code, notation=self.notation,
            origin=str(event), package=self)


def _answered(references):
    "Our outgoing document named by one of the ResponseFor, if any"
    pool = Pool()
    Outgoing = pool.get('mvp.outgoing')
    for reference in references:
        if not reference.document_id:
            continue
        outgoings = Outgoing.search([
                ('identifier', '=', reference.document_id),
                ('company.identifier_code', '=', reference.organ_id),
                ], limit=1)
        if outgoings:
            return outgoings[0].id
    return None


def xml_signature_problem(stream):
    """'' if the package's XML signature verifies (signxml), else why.

    The signature is checked against the certificate it embeds (integrity
    of the package); trust in that certificate is the PDF signature's job.
    """
    try:
        from signxml import XMLVerifier
    except ImportError:
        return ''
    from lxml import etree
    stream.seek(0)
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        huge_tree=True, load_dtd=False)
    try:
        root = etree.parse(stream, parser).getroot()
        signature = next(e for e in root.iter()
            if etree.QName(e).localname == 'Signature')
        certificate = next(e for e in signature.iter()
            if etree.QName(e).localname == 'X509Certificate')
        pem = ('-----BEGIN CERTIFICATE-----\n'
            + ''.join(certificate.text.split())
            + '\n-----END CERTIFICATE-----\n')
        XMLVerifier().verify(root, x509_cert=pem)
    except Exception as exception:
        return f"The XML signature does not verify: {exception}"[:500]
    finally:
        stream.seek(0)
    return ''


def _spool(source):
    if isinstance(source, (bytes, bytearray)):
        stream = tempfile.SpooledTemporaryFile(max_size=xml_io.SPOOL_SIZE)
        stream.write(source)
    else:
        stream = tempfile.SpooledTemporaryFile(max_size=xml_io.SPOOL_SIZE)
        limit = max_size() + 1
        size = 0
        while chunk := source.read(xml_io.CHUNK):
            size += len(chunk)
            stream.write(chunk)
            if size > limit:
                break
    stream.seek(0)
    return stream
