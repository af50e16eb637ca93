# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A user sees their own open sessions and ends the others (issue 17
item 3): a phone left signed in, a shared computer.

``mvp.security.user.session`` is a view of ``ir.session`` restricted in
its query to the sessions of the user who reads it, and without the
session's key: even the provincial administrator sees only their own.
The session that makes the call is known from ``ir.session.check``,
which sees its key on every authenticated call; it cannot be ended from
here (signing out does that).
"""
import contextvars

from sql.conditionals import Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .audit import record, remote_address

# the ir.session id of the call being served (set by Session.check)
current_session = contextvars.ContextVar('mvp_current_session', default=None)


class Session(metaclass=PoolMeta):
    __name__ = 'ir.session'
    ip_address = fields.Char("IP Address", readonly=True)

    @classmethod
    def create(cls, vlist):
        address = remote_address()
        vlist = [{'ip_address': address, **v} for v in vlist]
        return super().create(vlist)

    @classmethod
    def check(cls, user, key, domain=None):
        current_session.set(None)
        find = super().check(user, key, domain=domain)
        if find:
            sessions = cls.search([('key', '=', key)], limit=1)
            if sessions:
                current_session.set(sessions[0].id)
        return find


class UserSession(ModelSQL, ModelView):
    "Open Session"
    __name__ = 'mvp.security.user.session'
    __string__ = "Open Session"
    started_at = fields.DateTime("Signed in at", readonly=True)
    last_activity = fields.DateTime("Last Activity", readonly=True)
    ip_address = fields.Char("IP Address", readonly=True)
    current = fields.Function(
        fields.Boolean("This Session"), 'get_current')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('last_activity', 'DESC'), ('id', 'DESC')]
        # a view of ir.session: only read and the button are served
        for name in ['create', 'write', 'delete', 'copy', 'import_data']:
            cls.__rpc__.pop(name, None)
        cls._buttons.update({
                'end': {
                    'invisible': Eval('current', False),
                    'depends': ['current'],
                    },
                })

    @classmethod
    def table_query(cls):
        session = Pool().get('ir.session').__table__()
        return session.select(
            session.id.as_('id'),
            session.create_uid.as_('create_uid'),
            session.create_date.as_('create_date'),
            session.write_uid.as_('write_uid'),
            session.write_date.as_('write_date'),
            session.create_date.as_('started_at'),
            Coalesce(session.write_date, session.create_date
                ).as_('last_activity'),
            session.ip_address.as_('ip_address'),
            # only the reader's own sessions exist here
            where=session.create_uid == Transaction().user)

    def get_current(self, name):
        return self.id == current_session.get()

    @classmethod
    @ModelView.button
    def end(cls, sessions):
        "End the user's other sessions: their devices must sign in again"
        pool = Pool()
        Session = pool.get('ir.session')
        user = Transaction().user
        ids = [s.id for s in sessions if s.id != current_session.get()]
        with without_check_access():
            ended = Session.search([
                    ('id', 'in', ids),
                    ('create_uid', '=', user),
                    ])
            addresses = [s.ip_address or '-' for s in ended]
            Session.delete(ended)
        if ended:
            record('logout', account=user,
                details='ended by the user from another session: %s'
                % ', '.join(addresses))
