# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import hmac

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.mvp_documents.protection import refuse
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.modules.mvp_documents.secret import (
    SecretMixin, secret_field, stored_field)
from trytond.pyson import Eval
from trytond.transaction import Transaction

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


class Peer(SecretMixin, DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'mvp.interchange.peer'
    __string__ = "Interchange Peer"
    # Another installation (POST /<db>/mvp/edxml) or an axis (national or
    # VNPT-built provincial, axis.py).  incoming_key is what the peer
    # presents to us, outgoing_key what we present to it: for an axis, the
    # secret that signs our calls.  Both are kept encrypted.
    _secrets = ('incoming_key', 'outgoing_key')
    name = fields.Char("Name", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    url = fields.Char("URL", required=True,
        help="For an installation: https://host/<database>/mvp/edxml; "
        "for an axis: its endpoint, the calls are appended to it.")
    incoming_key_encrypted = fields.Char(
        "Incoming Key (Encrypted)", strip=False)
    incoming_key_secret = secret_field("Incoming Key",
        help="The key this peer sends to us (Authorization: Bearer). "
        "Leave empty to keep the stored one.")
    incoming_key_stored = stored_field("Incoming Key Stored")
    outgoing_key_encrypted = fields.Char(
        "Outgoing Key (Encrypted)", strip=False)
    outgoing_key_secret = secret_field("Outgoing Key",
        help="The key we send to this peer; for an axis, the secret it "
        "gave us, which signs our calls and never travels. "
        "Leave empty to keep the stored one.")
    outgoing_key_stored = stored_field("Outgoing Key Stored")
    system_id = fields.Char("System ID",
        states={'invisible': Eval('kind') != 'hub'},
        help="Our unit's code registered on the axis (systemId).")
    routes = fields.One2Many('mvp.interchange.route', 'peer', "Routes")

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
    def copy(cls, peers, default=None):
        default = default.copy() if default else {}
        # An incoming key names one peer
        default.setdefault('incoming_key_encrypted', None)
        return super().copy(peers, default=default)

    @classmethod
    def validate_fields(cls, peers, field_names):
        super().validate_fields(peers, field_names)
        if 'incoming_key_encrypted' in field_names:
            cls.check_incoming_key_unique(peers)

    @classmethod
    def check_incoming_key_unique(cls, peers):
        # Encrypted keys differ even when equal: compare them in clear
        keys = {}
        for peer in cls._with_incoming_key():
            keys.setdefault(peer.get_secret('incoming_key'), []).append(peer)
        for peer in peers:
            key = peer.get_secret('incoming_key')
            if key and len(keys.get(key, [])) > 1:
                raise ValidationError(gettext(
                        'mvp_interchange.msg_peer_incoming_key_unique'))

    @classmethod
    def _with_incoming_key(cls):
        with Transaction().set_context(active_test=False):
            return cls.search([('incoming_key_encrypted', '!=', None)])

    @classmethod
    def from_key(cls, key):
        "The active peer whose incoming key is key, or None"
        if not key:
            return None
        for peer in cls._with_incoming_key():
            if peer.active and hmac.compare_digest(
                    peer.get_secret('incoming_key').encode('utf-8'),
                    key.encode('utf-8')):
                return peer
        return None
