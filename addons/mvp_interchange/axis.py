# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A peer of kind axis: the national document axis or a VNPT-built
provincial axis (axis_client.py speaks its protocol).

The receive loop (list, get, hand to the inbox, updateStatus), the
following of sent packages per recipient (getSentEdocList) and the
agency directory refreshed into routes (getAgenciesList)."""
import datetime as dt
import logging

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.modules.mvp_documents.exceptions import ScannerUnavailableError
from trytond.modules.mvp_documents.protection import ServerFieldsMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import transport, xml_io
from .axis_client import AxisClient, AxisError
from .inbox import savepoint
from .outbox import max_attempts
from .peer import check_province_admin

logger = logging.getLogger(__name__)

DIRECTORY_CALLS = [
    ('agencies', "Agencies (getAgenciesList)"),
    ('qd20', "Agencies by QĐ 20/2020 code (getAgenciesListQD20)"),
    ]
#: messagetype of getReceivedEdocList -> kind of the exchange log
RECEIVED_KINDS = {'edoc': 'package', 'status': 'status'}
#: delivery states after which a recipient is no longer followed
FINAL_DELIVERY = {'done', 'fail'}
TRACK_DAYS = 30


class Peer(ServerFieldsMixin, metaclass=PoolMeta):
    __name__ = 'mvp.interchange.peer'
    last_poll = fields.Timestamp("Last Poll", readonly=True,
        help="When the axis was last asked for what waits here.")
    axis_errors = fields.Integer("Axis Errors", readonly=True,
        help="Failed calls to the axis since the last poll without one.")
    axis_error = fields.Text("Last Axis Error", readonly=True,
        help="What the axis answered (its ErrorDesc) the last time a "
        "call failed.")
    directory_call = fields.Selection(DIRECTORY_CALLS, "Directory",
        states={'invisible': Eval('kind') != 'hub'},
        help="The call that lists the agencies of the axis.")
    directory_refreshed = fields.Timestamp("Directory Refreshed",
        readonly=True)
    directory_report = fields.Text("Directory Report", readonly=True,
        help="What the last refresh of the directory added, updated and "
        "skipped (entries with a malformed code).")

    _server_fields = frozenset({'last_poll', 'axis_errors', 'axis_error',
            'directory_refreshed', 'directory_report'})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'refresh_directory': {
                    'invisible': Eval('kind') != 'hub',
                    'depends': ['kind'],
                    },
                })

    @staticmethod
    def default_axis_errors():
        return 0

    @staticmethod
    def default_directory_call():
        return 'agencies'

    def axis_secret(self):
        "The secret the axis gave this unit: read here only"
        return self.get_secret('outgoing_key') or ''

    def axis_client(self):
        return AxisClient(self.url, self.system_id or '', self.axis_secret(),
            timeout=transport.timeout())

    def axis_send(self, data, kind, to=None):
        "sendEdoc a package or status package; the outbox's answer"
        doc_id = self.axis_client().send_edoc(data,
            'status' if kind == 'status' else 'edoc',
            to=[to] if to else None)
        return {'outcome': 'accepted', 'id': doc_id}

    # ------------------------------------------------ the receive loop

    @classmethod
    def poll_hubs(cls, peers=None, commit=True):
        """Cron: fetch the packages and statuses waiting on every axis.

        Each one is committed before the axis is told it is done, so a
        crash in between only makes the axis offer it again, which the
        inbox recognises (same docId, or the same document).
        """
        if peers is None:
            peers = cls.search([('kind', '=', 'hub')])
        for peer in peers:
            peer._poll(commit)

    def _poll(self, commit):
        client = self.axis_client()
        errors = []
        for messagetype, kind in RECEIVED_KINDS.items():
            try:
                items = client.get_received_edoc_list(messagetype)
            except AxisError as error:
                errors.append(str(error))
                continue
            for item in items:
                error = self._fetch(client, item, kind, commit)
                if error:
                    errors.append(error)
        self._record_calls(errors, last_poll=dt.datetime.now())
        if commit:
            Transaction().commit()

    def _fetch(self, client, item, kind, commit):
        "Receive one listed item; the error text if something failed"
        Message = Pool().get('mvp.interchange.message')
        transaction = Transaction()
        doc_id = str(item.get('docId') or item.get('id') or '')
        if not doc_id:
            return None
        message_id = f'axis:{doc_id}'
        placeholder = Message.fetch_failure(message_id)
        if placeholder and placeholder.state == 'dead':
            return None
        try:
            # nothing half-received when the fetch or the inbox fails
            with savepoint('mvp_axis'):
                data = client.get_edoc(doc_id)
                answer = Message.receive(self, data, message_id=message_id)
                if placeholder:
                    # its failures are history: the package is in the log
                    with without_check_access():
                        Message.delete([placeholder])
            if commit:
                transaction.commit()
        except ScannerUnavailableError as error:
            # our antivirus is down, not the package: the next poll
            # fetches it again, without counting it against the package
            return error.message
        except Exception as error:
            logger.warning("axis %s, %s: %s", self.name, doc_id, error,
                exc_info=not isinstance(error, AxisError))
            self._fetch_failed(client, doc_id, kind, error)
            if commit:
                transaction.commit()
            return str(error)
        rejected = answer.get('outcome') == 'rejected'
        try:
            client.update_status(doc_id, 'fail' if rejected else 'done',
                str(answer.get('message') or '')[:200] if rejected else '')
        except AxisError as error:
            # kept here: the axis offers it again, answered as duplicate
            return str(error)
        return None

    def _fetch_failed(self, client, doc_id, kind, error):
        """Count a failed fetch of doc_id on its placeholder in the log;
        after max_attempts it is a dead letter, reported failed to the
        axis so that its sender learns it"""
        Message = Pool().get('mvp.interchange.message')
        message = Message.record_fetch_failure(self, f'axis:{doc_id}', kind,
            error, max_attempts())
        if message.state == 'dead':
            try:
                client.update_status(doc_id, 'fail', str(error)[:200])
            except AxisError:
                pass

    def _record_calls(self, errors, **values):
        "The operator's view of the axis on the peer"
        if errors:
            values['axis_errors'] = (self.axis_errors or 0) + len(errors)
            values['axis_error'] = '\n'.join(errors)[:4000]
        else:
            values['axis_errors'] = 0
        with without_check_access():
            # the server's fields, even when an administrator presses
            self.write([self], values)

    # -------------------------------------------------- sent packages

    @classmethod
    def track_sent(cls, peers=None):
        "Cron: follow the delivery of sent packages per recipient"
        Message = Pool().get('mvp.interchange.message')
        if peers is None:
            peers = cls.search([('kind', '=', 'hub')])
        since = dt.datetime.now() - dt.timedelta(days=TRACK_DAYS)
        for peer in peers:
            messages = Message.search([
                    ('peer', '=', peer.id),
                    ('direction', '=', 'out'),
                    ('state', '=', 'sent'),
                    ('remote_id', '!=', None),
                    ('done_at', '>=', since),
                    ['OR', ('delivery_status', '=', None),
                        ('delivery_status', 'not in', list(FINAL_DELIVERY))],
                    ])
            peer._track(messages)

    def _track(self, messages):
        client = self.axis_client()
        errors = []
        for message in messages:
            try:
                items = client.get_sent_edoc_list(message.remote_id)
            except AxisError as error:
                errors.append(str(error))
                continue
            message.apply_delivery(items)
        self._record_calls(errors)

    # ------------------------------------------------------ directory

    @classmethod
    @ModelView.button
    def refresh_directory(cls, peers):
        "Fetch the agency directory of the axis into the routes"
        check_province_admin(peers, model=cls.__name__)
        for peer in cls.browse(peers):
            if peer.kind == 'hub':
                peer._refresh_directory()

    @classmethod
    def refresh_directories(cls):
        "Cron: refresh the directory of every active axis"
        for peer in cls.search([('kind', '=', 'hub')]):
            peer._refresh_directory()

    def _refresh_directory(self):
        client = self.axis_client()
        try:
            if self.directory_call == 'qd20':
                entries = client.get_agencies_list_qd20()
            else:
                entries = client.get_agencies_list()
        except AxisError as error:
            self._record_calls([str(error)])
            return
        report = self._routes_from(entries)
        self._record_calls([], directory_refreshed=dt.datetime.now(),
            directory_report=report)

    def _routes_from(self, entries):
        """Create or rename the routes of the valid codes of entries to
        this peer; another peer's route and the codes of this
        installation's agencies stay.  Return the report."""
        pool = Pool()
        Company = pool.get('company.company')
        Route = pool.get('mvp.interchange.route')
        ours = {c.identifier_code for c in Company.search(
                [('identifier_code', '!=', None)])}
        existing = {r.identifier_code: r for r in Route.search([])}
        new, renamed, skipped, seen = [], [], [], set()
        for entry in entries:
            code = str(entry.get('code') or '').strip()
            name = str(entry.get('name') or '').strip()[:200]
            if not xml_io.ORGAN_ID.match(code):
                skipped.append(f'{code or "-"} ({name or "-"})')
                continue
            if code in ours or code in seen:
                continue
            seen.add(code)
            route = existing.get(code)
            if route is None:
                new.append({'identifier_code': code, 'name': name,
                        'peer': self.id})
            elif route.peer == self and route.name != name:
                route.name = name
                renamed.append(route)
        Route.create(new)
        Route.save(renamed)
        report = gettext('mvp_interchange.msg_axis_directory_report',
            entries=len(entries), added=len(new), updated=len(renamed),
            skipped=len(skipped))
        if skipped:
            report += '\n' + gettext(
                'mvp_interchange.msg_axis_directory_skipped',
                entries='; '.join(skipped[:50]))
        return report


class Message(metaclass=PoolMeta):
    __name__ = 'mvp.interchange.message'
    delivery_status = fields.Char("Axis Delivery", readonly=True,
        help="The state of delivery to this recipient on the axis "
        "(getSentEdocList).")
    delivery_description = fields.Text("Axis Delivery Description",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._server_fields |= {'delivery_status', 'delivery_description'}

    @classmethod
    def fetch_failure(cls, message_id):
        "The log entry of the failed fetches of an axis docId, or None"
        messages = cls.search([('direction', '=', 'in'),
                ('message_id', '=', message_id),
                ('state', 'in', ['retrying', 'dead'])], limit=1)
        return messages[0] if messages else None

    @classmethod
    def record_fetch_failure(cls, peer, message_id, kind, error, limit):
        "Count one more failed fetch; dead after limit attempts"
        message = cls.fetch_failure(message_id) or cls(direction='in',
            kind=kind, peer=peer, message_id=message_id, attempts=0)
        message.attempts = (message.attempts or 0) + 1
        message.state = 'dead' if message.attempts >= limit else 'retrying'
        message.error_code = getattr(error, 'code', 'error')
        message.last_error = str(error)[:4000]
        if message.state == 'dead':
            message.done_at = dt.datetime.now()
        with without_check_access():
            message.save()
        return message

    def apply_delivery(self, items):
        "Write the axis delivery of this message's recipient from items"
        mine = [i for i in items if str(i.get('toCode') or '')
            == (self.recipient_code or '')] or items[:1]
        if not mine:
            return
        item, = mine[:1]
        status = str(item.get('receiveStatus') or item.get('sendStatus')
            or '')
        description = ' '.join(str(item.get(k) or '') for k in (
                'receiveStatusDesc', 'sendStatusDesc', 'receivedTime')
            if item.get(k))
        if (status, description) != (self.delivery_status or '',
                self.delivery_description or ''):
            with without_check_access():
                self.write([self], {'delivery_status': status or None,
                        'delivery_description': description or None})
