# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Password rules of QCVN 12:2026/BCA 3.7.2.6.

On top of Tryton's own ``[password]`` options (``length``, the
``forbidden`` file, not the name, login or e-mail): the four classes of
characters; a password an administrator gave (a new account, a reset)
is changed at the next sign-in; administrators change theirs every two
months and may not reuse their last ten.

The change is asked for during the sign-in itself (a ``LoginException``
for the parameter ``new_password``, then ``new_password_confirm``): no
session exists before the new password is set, so nothing can bypass
it.
"""
import string

from trytond.exceptions import LoginException
from trytond.i18n import gettext
from trytond.model import ModelSQL, dualmethod, fields
from trytond.pool import Pool, PoolMeta
from trytond.res.user import PasswordError
from trytond.transaction import Transaction, without_check_access

from . import settings
from .audit import record, utcnow

SPECIALS = set(string.punctuation) | {' '}


def is_administrator(user_id):
    """Tell whether user_id is an administrator: the provincial one
    (and Tryton's Administration group) or an agency administrator in
    the agency they work in"""
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    admin_groups = {
        ModelData.get_id('res', 'group_admin'),
        ModelData.get_id('mvp_documents', 'group_mvp_province_admin'),
        ModelData.get_id('mvp_documents', 'group_mvp_agency_admin'),
        }
    with Transaction().set_user(user_id):
        return bool(admin_groups & set(User.get_groups()))


def check_classes(password):
    "Raise PasswordError unless password mixes the four classes"
    if not (any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(c in SPECIALS or not c.isalnum() for c in password)):
        raise PasswordError(gettext('mvp_security.msg_password_classes'))


class PasswordHistory(ModelSQL):
    "Previous Password of a User"
    __name__ = 'mvp.security.password_history'
    __string__ = "Previous Password of a User"
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    password_hash = fields.Char("Password Hash", required=True, strip=False)

    @classmethod
    def current_hashes(cls, users):
        "The current password hashes of users, as {id: hash}"
        User = Pool().get('res.user')
        table = User.__table__()
        cursor = Transaction().connection.cursor()
        ids = [u.id for u in users]
        if not ids:
            return {}
        cursor.execute(*table.select(table.id, table.password_hash,
                where=table.id.in_(ids)))
        return {i: h for i, h in cursor if h}

    @classmethod
    def add(cls, hashes):
        "Keep the hashes ({user id: hash}) of replaced passwords"
        if hashes:
            with without_check_access():
                cls.create([{'user': i, 'password_hash': h}
                        for i, h in hashes.items()])

    @classmethod
    def recent(cls, user):
        """The hashes of the passwords of user before the current one,
        newest first: with it, the last admin_password_history"""
        with without_check_access():
            return [h.password_hash for h in cls.search([
                        ('user', '=', user.id),
                        ], order=[('id', 'DESC')],
                    limit=settings.admin_password_history() - 1)]


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    password_must_change = fields.Boolean(
        "Change Password at Next Sign-in",
        help="Set when an administrator gives or resets the password.")
    password_changed = fields.Timestamp(
        "Password Changed", readonly=True)

    @classmethod
    def validate_password(cls, password, users):
        super().validate_password(password, users)
        check_classes(password)
        for user in users:
            if getattr(user, 'id', None) is None or user.id < 0:
                continue
            if is_administrator(user.id):
                cls._check_not_reused(password, user)

    @classmethod
    def _check_not_reused(cls, password, user):
        History = Pool().get('mvp.security.password_history')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.password_hash,
                where=table.id == user.id))
        current, = cursor.fetchone()
        for password_hash in filter(None, [current] + History.recent(user)):
            valid, _ = cls.check_password(password, password_hash)
            if valid:
                raise PasswordError(gettext(
                        'mvp_security.msg_password_reused',
                        count=settings.admin_password_history()))

    @classmethod
    def set_password(cls, users, name, value):
        if value == 'x' * 10 or not value:
            return super().set_password(users, name, value)
        History = Pool().get('mvp.security.password_history')
        replaced = History.current_hashes(users)
        # validates against the current password and the history
        super().set_password(users, name, value)
        History.add(replaced)
        user_id = Transaction().user
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for user in users:
            own = user.id == user_id
            # A password given by someone else is changed at sign-in;
            # the server's own scripts (user 0: set-up, demo) are not.
            must_change = bool(user_id) and not own
            cursor.execute(*table.update(
                    [table.password_changed, table.password_must_change],
                    [utcnow(), must_change],
                    where=table.id == user.id))
            record('password_change' if own else 'password_set',
                account=user, login=user.login)

    # a dualmethod as Tryton's: the sign-in dialog's "forgotten password"
    # (security.reset_password) calls it on the instance
    @dualmethod
    def reset_password(cls, users, length=8, from_=None):
        super().reset_password(users, length=length, from_=from_)
        # the temporary password asks for a new one when it is used
        # (_password_renewal_reason); anyone may ask for a reset, so the
        # account's own password keeps working meanwhile
        for user in users:
            record('password_reset', account=user, login=user.login)

    @classmethod
    def _check_password_renewal(cls, user_id, login, parameters):
        """Ask for a new password during the sign-in of user_id when it
        must change; set it once given twice and valid"""
        user = cls(user_id)
        reason = cls._password_renewal_reason(user, parameters)
        if not reason:
            return
        new = parameters.get('new_password')
        if not new:
            if reason == 'expired':
                record('password_expired', account=user_id, login=login)
            raise LoginException('new_password', gettext(
                    'mvp_security.msg_password_%s' % reason,
                    days=settings.admin_password_max_age().days),
                type='password')
        try:
            cls.validate_password(new, [user])
            cls._check_differs(new, user)
        except PasswordError as exception:
            raise LoginException('new_password', gettext(
                    'mvp_security.msg_password_new_invalid',
                    error=exception.message),
                type='password') from exception
        if parameters.get('new_password_confirm') != new:
            raise LoginException('new_password_confirm', gettext(
                    'mvp_security.msg_password_confirm'
                    if 'new_password_confirm' not in parameters
                    else 'mvp_security.msg_password_confirm_mismatch'),
                type='password')
        with Transaction().set_user(user_id), without_check_access():
            cls.write([user], {'password': new})

    @classmethod
    def _check_differs(cls, password, user):
        "Raise PasswordError if password is the current one of user"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.password_hash,
                where=table.id == user.id))
        current, = cursor.fetchone()
        if current and cls.check_password(password, current)[0]:
            raise PasswordError(gettext('mvp_security.msg_password_same'))

    @classmethod
    def _password_renewal_reason(cls, user, parameters=None):
        if user.password_must_change:
            return 'must_change'
        if user.password_reset and (parameters or {}).get(
                'password') == user.password_reset:
            # signed in with the e-mailed temporary password
            return 'must_change'
        if is_administrator(user.id):
            changed = user.password_changed or user.create_date
            if changed and changed + settings.admin_password_max_age() \
                    <= utcnow():
                return 'expired'
