# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hmac
import logging

from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.modules.mvp_documents.protection import refuse
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

logger = logging.getLogger(__name__)

KINDS = [
    ('peer', "Installation"),
    ('hub', "Hub (national axis)"),
    ]


def check_province_admin(records=(), fields=(), model=None):
    """Refuse the user unless a provincial administrator: peers, their
    keys and the agency directory decide who may speak for an agency"""
    if not is_province_admin():
        refuse('mvp_interchange.msg_province_admin_only', records,
            fields=fields, model=model)


class Peer(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'mvp.interchange.peer'
    __string__ = "Interchange Peer"
    # Another installation (POST /<db>/mvp/edxml) or a hub speaking the
    # national-axis calls.  incoming_key is what the peer presents to us,
    # outgoing_key what we present to it.
    name = fields.Char("Name", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    url = fields.Char("URL", required=True,
        help="For an installation: https://host/<database>/mvp/edxml; "
        "for a hub: its base URL.")
    incoming_key = fields.Char("Incoming Key", strip=False,
        help="The key this peer sends to us (Authorization: Bearer).")
    outgoing_key = fields.Char("Outgoing Key", strip=False,
        help="The key we send to this peer.")
    system_id = fields.Char("System ID",
        states={'invisible': Eval('kind') != 'hub'},
        help="Our system id on the hub (mã định danh or axis id).")
    routes = fields.One2Many('mvp.interchange.route', 'peer', "Routes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('incoming_key_unique', Unique(t, t.incoming_key),
                'mvp_interchange.msg_peer_incoming_key_unique'),
            ]

    @staticmethod
    def default_kind():
        return 'peer'

    @classmethod
    def check_modification(cls, mode, peers, values=None, external=False):
        super().check_modification(
            mode, peers, values=values, external=external)
        if external:
            check_province_admin(peers, fields=values or (),
                model=cls.__name__)

    @classmethod
    def from_key(cls, key):
        "The active peer whose incoming key is key, or None"
        if not key:
            return None
        for peer in cls.search([('incoming_key', '=', key)]):
            if hmac.compare_digest(peer.incoming_key, key):
                return peer
        return None

    @classmethod
    def poll_hubs(cls, peers=None, commit=True):
        """Cron: fetch the packages and statuses waiting on every hub.

        Each one is committed before the hub is told it is done, so a crash
        in between only makes the hub offer it again (then a duplicate).
        """
        from .transport import HubClient, TransportError
        pool = Pool()
        Message = pool.get('mvp.interchange.message')
        transaction = Transaction()
        if peers is None:
            peers = cls.search([('kind', '=', 'hub')])
        for peer in peers:
            client = HubClient(peer.url, peer.system_id or '',
                peer.outgoing_key or '')
            try:
                items = client.get_received_edoc_list()
            except TransportError as error:
                logger.warning("hub %s: %s", peer.name, error)
                continue
            for item in items:
                doc_id = str(item.get('id') or item.get('docId') or '')
                if not doc_id:
                    continue
                try:
                    data = client.get_edoc(doc_id)
                    answer = Message.receive(peer, data,
                        message_id=f'hub:{doc_id}')
                    if commit:
                        transaction.commit()
                    client.update_status(doc_id, 'fail'
                        if answer.get('outcome') == 'rejected' else 'done')
                except TransportError as error:
                    if commit:
                        transaction.rollback()
                    logger.warning("hub %s, %s: %s", peer.name, doc_id,
                        error)
