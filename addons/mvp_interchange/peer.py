# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hmac

from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.modules.mvp_documents.protection import refuse
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.pyson import Eval

KINDS = [
    ('peer', "Installation"),
    ('hub', "Axis (national or provincial)"),
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
    # Another installation (POST /<db>/mvp/edxml) or an axis (national or
    # VNPT-built provincial, axis.py).  incoming_key is what the peer
    # presents to us, outgoing_key what we present to it: for an axis, the
    # secret that signs our calls.
    name = fields.Char("Name", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    url = fields.Char("URL", required=True,
        help="For an installation: https://host/<database>/mvp/edxml; "
        "for an axis: its endpoint, the calls are appended to it.")
    incoming_key = fields.Char("Incoming Key", strip=False,
        help="The key this peer sends to us (Authorization: Bearer).")
    outgoing_key = fields.Char("Outgoing Key", strip=False,
        help="The key we send to this peer; for an axis, the secret it "
        "gave us, which signs our calls and never travels.")
    system_id = fields.Char("System ID",
        states={'invisible': Eval('kind') != 'hub'},
        help="Our unit's code registered on the axis (systemId).")
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
