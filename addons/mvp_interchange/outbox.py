# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The outbox of the exchange log: queue, deliver with retries and
back-off, dead letters, the stuck alert."""
import datetime as dt
import json
import logging
import uuid

from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.modules.mvp_documents.notification import send_email
from trytond.modules.mvp_documents.protection import refuse
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import transport
from .exceptions import InterchangeError
from .interchange import SECTION, document_of, exchange_forbidden
from .peer import check_province_admin

logger = logging.getLogger(__name__)


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


class Message(metaclass=PoolMeta):
    __name__ = 'mvp.interchange.message'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'resend': {
                    'invisible': ((Eval('direction') != 'out')
                        | ~Eval('state').in_(
                            ['dead', 'rejected', 'retrying'])),
                    'depends': ['direction', 'state'],
                    },
                })

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
                self.kind, self.recipient_code)
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
        to = config.get(SECTION, 'alert_to')
        if not to:
            return
        send_email([a.strip() for a in to.split(',') if a.strip()],
            gettext('mvp_interchange.msg_message_stuck',
                count=len(messages), hours=hours),
            '\n'.join(m._alert_line() for m in messages))

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
