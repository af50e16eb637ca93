# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from .outgoing import STEERING_TYPES

# The fields of the electronic document kept as they arrived
EXCHANGE_FIELDS = frozenset({
        'signer_competence', 'signer_position', 'place', 'copies',
        'appendixes', 'to_places', 'steering_type', 'response_for',
        'response_references', 'exchange_updates'})


class Incoming(metaclass=PoolMeta):
    __name__ = 'mvp.incoming'

    signer_competence = fields.Char(
        "Signing Authority", readonly=True,
        help="As the document states it, e.g. KT. GIÁM ĐỐC.")
    signer_position = fields.Char("Signer Position", readonly=True)
    place = fields.Char(
        "Place", readonly=True,
        help="The place written before the document's date (địa danh).")
    copies = fields.Integer("Copies", readonly=True)
    appendixes = fields.Text("Appendixes", readonly=True)
    to_places = fields.Text(
        "Other Recipients", readonly=True,
        help="The other places the sender sent the document to.")
    steering_type = fields.Selection(
        STEERING_TYPES, "Steering", readonly=True)
    response_for = fields.Many2One(
        'mvp.outgoing', "Answers", readonly=True, ondelete='SET NULL',
        help="Our outgoing document this one answers.")
    response_references = fields.Text(
        "Answers to", readonly=True,
        help="The documents this one answers, as the sender names them: "
        "agency code, number and notation, date, document identifier.")
    exchange_updates = fields.Text(
        "Updates", readonly=True,
        help="The sender's corrections of the document received since "
        "it arrived.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # what the sender stated: never a user's own write
        cls._server_fields = cls._server_fields | EXCHANGE_FIELDS

    @classmethod
    def _get_origins(cls):
        return super()._get_origins() | {'mvp.interchange.message'}

    @classmethod
    def purge_copies(cls, incomings):
        "The edXML packages the documents were received in too"
        Message = Pool().get('mvp.interchange.message')
        lines = super().purge_copies(incomings)
        with without_check_access():
            lines += Message.purge_data([i.origin for i in incomings
                    if isinstance(i.origin, Message)])
        return lines

    @classmethod
    def apply_update(cls, incomings, values, reason):
        """Write the sender's corrected values on the documents and note
        each change (field: old → new) with its date and reason"""
        now = dt.datetime.now().strftime('%d/%m/%Y %H:%M')
        definitions = cls.fields_get(list(values))
        for incoming in incomings:
            changes = []
            for name, value in values.items():
                old = getattr(incoming, name)
                old = getattr(old, 'id', old)
                if old == value or (old in {None, ''}
                        and value in {None, ''}):
                    continue
                if definitions[name]['type'] == 'many2one':
                    Target = Pool().get(definitions[name]['relation'])
                    old, value = (Target(v).rec_name if v else None
                        for v in (old, value))
                changes.append(gettext(
                        'mvp_interchange.msg_update_change',
                        field=definitions[name]['string'],
                        old=_shown(old), new=_shown(value)))
            if not changes:
                continue
            note = '\n'.join([f'{now}: {reason}'] + changes)
            cls.write([incoming], dict(values,
                    exchange_updates='\n\n'.join(filter(None,
                            [incoming.exchange_updates, note]))))


def _shown(value):
    if value in {None, ''}:
        return '-'
    if isinstance(value, dt.date):
        return value.strftime('%d/%m/%Y')
    return str(value)
