# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import hashlib
import io
import json
import logging
import tempfile
import uuid
from contextlib import contextmanager

from sql import Select

from trytond import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.ir.cron import str2bigint
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.mvp_documents.document_type import is_classified
from trytond.modules.mvp_documents.exceptions import ScannerUnavailableError
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, log_refusal, refuse)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import transport, xml_io
from .exceptions import InterchangeError
from .peer import check_province_admin

logger = logging.getLogger(__name__)

SECTION = 'mvp_interchange'
DIRECTIONS = [
    ('in', "Received"),
    ('out', "Sent"),
    ]
KINDS = [
    ('package', "Package"),
    ('status', "Status"),
    ]
STATES = [
    ('queued', "Queued"),
    ('retrying', "Retrying"),
    ('sent', "Sent"),
    ('dead', "Dead Letter"),
    ('received', "Received"),
    ('accepted', "Accepted"),
    ('rejected', "Rejected"),
    ]
BUSINESS_TYPES = [
    (None, ""),
    ('0', "New"),
    ('1', "Revoke"),
    ('2', "Update"),
    ('3', "Replace"),
    ]
# Statuses the recipient sends back; 13 comes from the original sender.
RECIPIENT_CODES = {'01', '02', '03', '04', '05', '06', '15', '16'}
# Order of the per-recipient view: a status never moves it backwards.
STATUS_RANK = {'01': 1, '02': 2, '03': 3, '04': 4, '05': 5, '06': 6,
    '15': 9}
URGENCY = {'0': 'normal', '1': 'urgent', '2': 'very_urgent', '3': 'flash',
    '4': 'flash'}
ORIGINAL_EXTENSIONS = ('.doc', '.docx', '.odt', '.rtf', '.xls', '.xlsx',
    '.ods')


def max_size():
    return config.getint(SECTION, 'max_size', default=xml_io.MAX_SIZE)


def retry_delays():
    text = config.get(SECTION, 'retry_delays',
        default='30,120,1200,3600,10800')
    return [int(d) for d in text.split(',') if d.strip()]


def max_attempts():
    return config.getint(SECTION, 'max_attempts', default=10)


def retry_delay(attempts):
    "Capped exponential back-off after attempts failures"
    delays = retry_delays()
    return dt.timedelta(seconds=delays[min(attempts, len(delays)) - 1])


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


class Rejected(Exception):
    def __init__(self, code, message, keep=False):
        super().__init__(message)
        self.code = code
        self.keep = keep


class Message(ServerFieldsMixin, ModelSQL, ModelView):
    __name__ = 'mvp.interchange.message'
    __string__ = "Interchange Message"
    # Every edXML package or status in or out: the log, the outbox
    # (queued/retrying/sent/dead) and the inbox (accepted/rejected).
    direction = fields.Selection(DIRECTIONS, "Direction", required=True,
        readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    message_id = fields.Char("Message ID", required=True, readonly=True,
        help="Stable identifier reused on every retry.")
    peer = fields.Many2One('mvp.interchange.peer', "Peer", readonly=True,
        ondelete='RESTRICT')
    agency = fields.Many2One('company.company', "Agency", readonly=True,
        ondelete='RESTRICT',
        help="The agency of this installation concerned.")
    sender_code = fields.Char("Sender Code", readonly=True)
    recipient_code = fields.Char("Recipient Code", readonly=True)
    document_id = fields.Char("Document ID", readonly=True)
    business_type = fields.Selection(BUSINESS_TYPES, "Business Type",
        readonly=True)
    status_code = fields.Char("Status Code", readonly=True)
    notation = fields.Char("Number and Notation", readonly=True)
    promulgation_date = fields.Date("Issue Date", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    data = fields.Binary("edXML", filename='filename', file_id='data_id',
        readonly=True)
    data_id = fields.Char("edXML ID", readonly=True)
    filename = fields.Char("File Name", readonly=True)
    size = fields.Integer("Size", readonly=True)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt = fields.Timestamp("Next Attempt", readonly=True)
    done_at = fields.Timestamp("Done at", readonly=True)
    error_code = fields.Char("Error Code", readonly=True)
    last_error = fields.Text("Last Error", readonly=True)
    answer = fields.Text("Answer", readonly=True)
    remote_id = fields.Char("Remote ID", readonly=True)
    duplicates = fields.Integer("Duplicates", readonly=True,
        help="How many times the same message arrived again.")
    delivered_status = fields.Char("Last Status", readonly=True,
        help="Highest status received from the recipient.")
    package = fields.Many2One('mvp.interchange.message', "Package",
        readonly=True, ondelete='SET NULL',
        help="For a status: the package it is about.")
    origin = fields.Reference("Origin", selection='get_origins',
        readonly=True)
    age = fields.Function(fields.TimeDelta("Age"), 'get_age')
    stuck = fields.Function(fields.Boolean("Stuck",
            help="Not delivered after the configured time."),
        'get_stuck', searcher='search_stuck')

    # The log is the server's: no user writes any of it
    _server_fields = frozenset({'direction', 'kind', 'state', 'message_id',
            'peer', 'agency', 'sender_code', 'recipient_code', 'document_id',
            'business_type', 'status_code', 'notation', 'promulgation_date',
            'subject', 'data', 'data_id', 'filename', 'size', 'attempts',
            'next_attempt', 'done_at', 'error_code', 'last_error', 'answer',
            'remote_id', 'duplicates', 'delivered_status', 'package',
            'origin'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('dedupe_unique', Unique(t, t.direction, t.sender_code,
                    t.document_id, t.business_type, t.status_code,
                    t.message_id),
                'mvp_interchange.msg_message_duplicate'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    (t.next_attempt, Index.Range())),
                Index(t, (t.document_id, Index.Equality()),
                    (t.direction, Index.Equality())),
                })
        cls._order.insert(0, ('create_date', 'DESC'))
        cls._buttons.update({
                'resend': {
                    'invisible': ((Eval('direction') != 'out')
                        | ~Eval('state').in_(
                            ['dead', 'rejected', 'retrying'])),
                    'depends': ['direction', 'state'],
                    },
                'reprocess': {
                    'invisible': ((Eval('direction') != 'in')
                        | (Eval('state') != 'rejected') | ~Eval('data_id')),
                    'depends': ['direction', 'state', 'data_id'],
                    },
                })

    @classmethod
    def check_modification(cls, mode, messages, values=None,
            external=False):
        super().check_modification(
            mode, messages, values=values, external=external)
        if external and mode == 'delete' and Transaction().user:
            refuse('mvp_interchange.msg_message_server_only', messages,
                model=cls.__name__)

    @staticmethod
    def default_attempts():
        return 0

    @staticmethod
    def default_duplicates():
        return 0

    @classmethod
    def _get_origins(cls):
        return {'mvp.outgoing.recipient', 'mvp.incoming.event'}

    @classmethod
    def get_origins(cls):
        Model = Pool().get('ir.model')
        models = Model.search([('name', 'in', list(cls._get_origins()))])
        return [(None, '')] + [(m.name, m.string) for m in models]

    def get_age(self, name):
        if self.create_date:
            end = self.done_at or dt.datetime.now()
            return end - self.create_date

    @staticmethod
    def _stuck_limit():
        hours = config.getint(SECTION, 'stuck_hours', default=4)
        return dt.datetime.now() - dt.timedelta(hours=hours)

    def get_stuck(self, name):
        return bool(self.state in {'queued', 'retrying', 'dead'}
            and self.create_date and self.create_date < self._stuck_limit())

    @classmethod
    def search_stuck(cls, name, clause):
        _, operator, value = clause[:3]
        domain = [('state', 'in', ['queued', 'retrying', 'dead']),
            ('create_date', '<', cls._stuck_limit())]
        if (operator == '=') != bool(value):
            domain = ['OR',
                ('state', 'not in', ['queued', 'retrying', 'dead']),
                ('create_date', '>=', cls._stuck_limit())]
        return domain

    def get_rec_name(self, name):
        return ' '.join(filter(None, [self.direction, self.kind,
                    self.notation or self.document_id, self.status_code]))

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR', ('document_id',) + tuple(clause[1:]),
            ('notation',) + tuple(clause[1:]),
            ('message_id',) + tuple(clause[1:])]

    # ------------------------------------------------------------ outbox

    @classmethod
    def queue_out(cls, kind, data, recipient_code, agency=None, peer=None,
            **values):
        """Write an outgoing message in the current transaction and queue
        its delivery; raise InterchangeError when no route exists."""
        pool = Pool()
        Route = pool.get('mvp.interchange.route')
        cls.check_exchangeable(values.get('origin'))
        if peer is None:
            peer = Route.peer_for(recipient_code)
        if peer is None:
            raise InterchangeError(gettext(
                    'mvp_interchange.msg_message_no_route',
                    code=recipient_code))
        message = cls(direction='out', kind=kind, state='queued',
            message_id=uuid.uuid4().hex, peer=peer, agency=agency,
            recipient_code=recipient_code, data=data, size=len(data),
            filename=f'{kind}.edxml', next_attempt=dt.datetime.now(),
            **values)
        message.save()
        cls.__queue__.send([message])
        return message

    @classmethod
    def check_exchangeable(cls, origin):
        "Refuse to queue anything about a classified document or complaint"
        document = document_of(origin)
        if document is not None and exchange_forbidden(document):
            refuse('mvp_interchange.msg_message_classified', [document],
                error=InterchangeError, document=document.rec_name)

    @classmethod
    def send(cls, messages):
        "Deliver due outgoing messages (run by the queue worker)"
        now = dt.datetime.now()
        for message in cls.browse(messages):
            if message.direction != 'out' or message.state not in {
                    'queued', 'retrying'}:
                continue
            if message.next_attempt and message.next_attempt > now:
                continue
            message._send()

    def _send(self):
        try:
            answer = transport.deliver(self.peer, self.data, self.message_id,
                self.kind, self.business_type)
        except transport.Rejected as rejection:
            self._write_attempt('rejected', rejection.code, str(rejection),
                rejection.answer)
        except transport.TransportError as error:
            attempts = (self.attempts or 0) + 1
            if attempts >= max_attempts():
                self._write_attempt('dead', error.code, str(error), None,
                    attempts=attempts)
            else:
                delay = retry_delay(attempts)
                self._write_attempt('retrying', error.code, str(error), None,
                    attempts=attempts, next_attempt=dt.datetime.now() + delay)
                with Transaction().set_context(queue_scheduled_at=delay):
                    self.__class__.__queue__.send([self])
        else:
            self._write_attempt('sent', None, None, answer,
                remote_id=str(answer.get('id') or ''))

    def _write_attempt(self, state, code, error, answer, **values):
        values.setdefault('attempts', (self.attempts or 0) + 1)
        values.update(state=state, error_code=code, last_error=error)
        if answer is not None:
            values['answer'] = json.dumps(answer, ensure_ascii=False)
        if state in {'sent', 'rejected', 'dead'}:
            values['done_at'] = dt.datetime.now()
            values['next_attempt'] = None
        self.write([self], values)
        logger.info("message %s to %s: %s %s", self.message_id,
            self.recipient_code, state, error or '')

    @classmethod
    def send_due(cls):
        "Cron safety net: deliver what the queue may have lost"
        cls.send(cls.search([
                    ('direction', '=', 'out'),
                    ('state', 'in', ['queued', 'retrying']),
                    ('next_attempt', '<=', dt.datetime.now()),
                    ]))

    @classmethod
    @ModelView.button
    def resend(cls, messages):
        check_province_admin(messages, model=cls.__name__)
        messages = [m for m in cls.browse(messages) if m.direction == 'out'
            and m.state in {'dead', 'rejected', 'retrying'}]
        for message in messages:
            # the document may have been classified since it was queued
            cls.check_exchangeable(message.origin)
        cls.write(messages, {'state': 'queued', 'attempts': 0,
                'next_attempt': dt.datetime.now(), 'done_at': None})
        cls.__queue__.send(messages)

    @classmethod
    def check_stuck(cls):
        "Cron: log (and notify admins of) messages stuck too long"
        hours = config.getint(SECTION, 'stuck_hours', default=4)
        stuck = cls.search([('stuck', '=', True)])
        if stuck:
            logger.warning("%d interchange messages stuck for more than "
                "%d hours: %s", len(stuck), hours,
                ', '.join(m.message_id for m in stuck[:20]))
            cls._alert_stuck(stuck, hours)
        return stuck

    @classmethod
    def _alert_stuck(cls, messages, hours):
        "Mail the operators named in [mvp_interchange] alert_to"
        from email.message import EmailMessage

        from trytond.sendmail import send_message_transactional
        to = config.get(SECTION, 'alert_to')
        if not to:
            return
        mail = EmailMessage()
        mail['From'] = config.get('email', 'from')
        mail['To'] = to
        mail['Subject'] = gettext('mvp_interchange.msg_message_stuck',
            count=len(messages), hours=hours)
        mail.set_content('\n'.join(m._alert_line() for m in messages))
        send_message_transactional(mail)

    def _alert_line(self):
        "One line of the stuck alert: never a subject, nothing of a "
        "classified document but that it is one"
        line = (f'{self.direction} {self.kind} '
            f'{self.recipient_code or self.sender_code} ')
        if self.concerns_classified():
            return line + gettext(
                'mvp_interchange.msg_message_classified_label')
        return line + (f'{self.notation or self.document_id} {self.state} '
            f'{self.attempts} {self.last_error or ""}')

    def concerns_classified(self):
        "Whether the document of this message is classified or a complaint"
        Incoming = Pool().get('mvp.incoming')
        document = document_of(self.origin)
        if document is not None:
            return exchange_forbidden(document)
        if self.direction == 'in' and self.kind == 'package' and self.id:
            return any(exchange_forbidden(i) for i in Incoming.search(
                        [('origin', '=', str(self))]))
        return False

    # ------------------------------------------------------------- inbox

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
            parsed = xml_io.parse(stream, max_size=max_size())
        except xml_io.EdxmlError as error:
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
        self.filename = 'package.edxml'

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

    def _incoming_model(self):
        pool = Pool()
        try:
            return pool.get('mvp.incoming')
        except KeyError as exception:
            raise Rejected('unavailable', "This installation has no "
                "incoming register.") from exception

    def _process_new(self, parsed, agencies):
        Incoming = self._incoming_model()
        values = self._incoming_values(parsed, Incoming)
        files = self._incoming_files(parsed)
        if self.id is None or self.id < 0:
            self.save()
        documents = []
        for agency in agencies:
            incoming = Incoming.receive_electronic(agency, dict(values),
                [dict(f) for f in files], origin=self)
            documents.append(incoming.id)
        return documents

    def _process_revoke(self, parsed, agencies):
        Incoming = self._incoming_model()
        incomings = self._targets(parsed.sender.organ_id,
            [parsed.business.document_id or parsed.document_id], agencies)
        if not incomings:
            raise Rejected('unknown_document', gettext(
                    'mvp_interchange.msg_message_unknown_document',
                    document=parsed.business.document_id
                    or parsed.document_id))
        self.save()
        Incoming.cancel_recalled(incomings,
            parsed.business.reason or gettext(
                'mvp_interchange.msg_message_revoked'))
        return [i.id for i in incomings]

    def _process_update(self, parsed, agencies):
        pool = Pool()
        Company = pool.get('company.company')
        Incoming = self._incoming_model()
        document = parsed.business.document_id or parsed.document_id
        incomings = self._targets(parsed.sender.organ_id, [document],
            agencies)
        added = [c for t, c in parsed.business.receivers if t == '1']
        removed = [c for t, c in parsed.business.receivers if t == '0']
        if not incomings and not added:
            raise Rejected('unknown_document', gettext(
                    'mvp_interchange.msg_message_unknown_document',
                    document=document))
        self.save()
        values = self._incoming_values(parsed, Incoming)
        updatable = {k: v for k, v in values.items() if k in {
                'subject', 'deadline', 'urgency', 'signer_name', 'pages',
                'notes'}}
        # a document classified since it arrived keeps no subject
        open_ = [i for i in incomings
            if getattr(i, 'state', 'received') == 'received'
            and not exchange_forbidden(i)]
        if open_ and updatable:
            Incoming.write(open_, updatable)
        documents = [i.id for i in incomings]
        have = {i.company.identifier_code for i in incomings}
        new = Company.search([('identifier_code', 'in', added)])
        files = self._incoming_files(parsed)
        for agency in new:
            if agency.identifier_code not in have:
                incoming = Incoming.receive_electronic(agency, dict(values),
                    [dict(f) for f in files], origin=self)
                documents.append(incoming.id)
        gone = [i for i in incomings if i.company.identifier_code in removed]
        if gone:
            Incoming.cancel_recalled(gone, parsed.business.reason
                or gettext('mvp_interchange.msg_message_revoked'))
        return documents

    def _process_replace(self, parsed, agencies):
        Incoming = self._incoming_model()
        replaced = [r.document_id for r in parsed.business.replacements
            ] or [parsed.business.document_id]
        old = self._targets(parsed.sender.organ_id, replaced, agencies)
        documents = self._process_new(parsed, agencies)
        if old:
            Incoming.cancel_recalled(old, gettext(
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
            }
        if parsed.due_date and parsed.due_date < dt.date.today():
            # a due date already past on arrival is the sender's to
            # explain: kept in the notes, the document is not refused
            del values['deadline']
            values['notes'] = '\n'.join(filter(None, [values['notes'],
                        gettext('mvp_interchange.msg_message_past_due',
                            date=parsed.due_date.strftime('%d/%m/%Y'))]))
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
        "another message id (e.g. once direct and once through a hub)"
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
        code = status.status_code
        if code == '13':
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
        rank = STATUS_RANK.get(code)
        if rank is not None and rank > STATUS_RANK.get(
                package.delivered_status or '', 0):
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
        "13 from the original sender: withdraw what has not been accepted"
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
        waiting = [i for i in incomings if i.state in {'draft', 'received'}]
        if waiting:
            Incoming.cancel_recalled(waiting, status.description
                or gettext('mvp_interchange.msg_message_revoked'))
        others = [i for i in incomings if i not in waiting]
        if others:
            Incoming.add_event(others, '13', status.description)

    def on_incoming_event(self, event):
        "Called by mvp.incoming.add_event for documents that came from here"
        if self.direction != 'in' or event.code not in RECIPIENT_CODES:
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


def document_of(origin):
    "The outgoing or incoming document an origin (record or str) is of"
    if isinstance(origin, str):
        model, _, id_ = origin.partition(',')
        if not id_.lstrip('-').isdigit():
            return None
        origin = Pool().get(model)(int(id_))
    name = getattr(origin, '__name__', None)
    if name == 'mvp.outgoing.recipient':
        return origin.outgoing
    if name == 'mvp.incoming.event':
        return origin.incoming
    return None


def exchange_forbidden(document):
    "Classified documents and complaints never travel (Art. 5)"
    return bool(is_classified(getattr(document, 'confidentiality', None))
        or getattr(getattr(document, 'document_type', None), 'complaint',
            False))


def organization(company):
    party = company.party
    return xml_io.Organization(
        organ_id=company.identifier_code or '',
        organization_in_charge=(company.parent.rec_name
            if getattr(company, 'parent', None) else party.name),
        organ_name=party.name,
        organ_add=getattr(party.addresses[0], 'full_address', '').replace(
            '\n', ', ') if getattr(party, 'addresses', None) else '',
        email=getattr(party, 'email', '') or '',
        telephone=getattr(party, 'phone', '') or '',
        fax=getattr(party, 'fax', '') or '',
        website=getattr(party, 'website', '') or '')


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
