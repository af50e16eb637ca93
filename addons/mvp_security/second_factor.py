# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The second factor: TOTP codes (RFC 6238) and recovery codes.

QCVN 12:2026/BCA 3.6.2.4 and 3.7.2.8.3 ask for several factors for the
administrators and for access from outside; 2.2.12.2.6 and 3.12.2.2 for
a confirmation before data are destroyed.

Sign-in is Tryton's: ``[session] authentications = password+totp`` runs
``_login_password`` then ``_login_totp``, and both must give the same
account.  ``_login_totp`` asks for the parameter ``totp_code`` (the web
client shows the question and a field) only when the factor is required:
for the administrators (provincial and agency, and Tryton's own) always,
for the other accounts from an address outside ``[mvp_security]
trusted_networks``.  Otherwise it gives the account without a question.

An account that must give a code and has not enrolled yet can enrol
during the sign-in only while its enrolment window is open: for
``[mvp_security] enrolment_hours`` (72) after the account was created or
after the provincial administrator reset its factor.  The sign-in then
shows the key to type into the authenticator app and asks for its first
code.  Outside the window it is refused with a message saying whom to
ask: a stolen password alone never enrols an attacker's phone.  Inside
the trusted networks the other accounts enrol from the menu (QR code)
whenever they like.

Nobody reads the secrets through the client: their model has no access
for any group, and only the server's code below touches them; they are
stored encrypted with the server's key (mvp_documents' secret service,
rotated with the others by ``mvp-secrets rotate``).  Recovery codes
are kept as hashes.  The last time step used is kept per account and a
code of that step or an earlier one is refused (no replay).
"""
import logging
import re

from trytond import config
from trytond.exceptions import LoginException, UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.mvp_documents.protection import refuse, users_call
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.modules.mvp_documents.secret import SecretMixin, encrypt
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import otp, settings
from .audit import record, utcnow
from .password import is_administrator

logger = logging.getLogger(__name__)

# the parameter of the sign-in that carries the code
CODE = 'totp_code'


def _authentications():
    "The alternatives of [session] authentications as lists of methods"
    value = config.get('session', 'authentications', default='password')
    return [alternative.split('+') for alternative in value.split(',')]


def second_factor_enabled():
    "Whether the server asks for the second factor at sign-in"
    return any(m.split('?')[0] == 'totp'
        for methods in _authentications() for m in methods)


def second_factor_configured_safely():
    """Whether totp always comes after another method and without
    options: alone it would let in the accounts it does not question,
    and ``totp?ip_address`` would let Tryton skip it for administrators"""
    for methods in _authentications():
        for i, method in enumerate(methods):
            if method.split('?')[0] == 'totp' and (i == 0 or '?' in method):
                return False
    return True


def from_trusted_network():
    """Whether the client of the request (its address as trytond
    computes it, after ``[web] num_proxies``) is in a trusted network"""
    address, _ = Transaction().remote_address()
    if address is None:
        return False
    return any(address.version == network.version and address in network
        for network in settings.trusted_networks())


def second_factor_required(user_id):
    return is_administrator(user_id) or not from_trusted_network()


def group_key(secret):
    "The key as a person types it: groups of four characters"
    return ' '.join(re.findall('.{1,4}', secret))


def require_recent_second_factor():
    """Raise UserError unless the user of the transaction confirmed
    their second factor (the confirmation wizard) within [mvp_security]
    reauthentication_seconds; the confirmation is used up.  The server's
    own work (root) passes; without the second factor in [session]
    authentications there is nothing to confirm with."""
    user_id = Transaction().user
    if not user_id or not second_factor_enabled():
        return
    SecondFactor = Pool().get('mvp.security.second_factor')
    if not SecondFactor.use_confirmation(user_id):
        raise UserError(gettext(
                'mvp_security.msg_second_factor_confirm_first'))


class SecondFactor(SecretMixin, ModelSQL):
    "Second Factor of an Account"
    __name__ = 'mvp.security.second_factor'
    __string__ = "Second Factor of an Account"
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    secret_encrypted = fields.Char("Secret", strip=False)
    pending_secret_encrypted = fields.Char("Pending Secret", strip=False,
        help="The key shown for enrolment, active once a code matches.")
    _secrets = ('secret', 'pending_secret')
    last_step = fields.Integer("Last Time Step Used")
    enrolled = fields.Timestamp("Enrolled")
    enrol_until = fields.Timestamp("Enrolment Allowed Until")
    confirmed = fields.Timestamp("Confirmed",
        help="The last confirmation before a destruction, used up by it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('user_unique', Unique(t, t.user),
                'mvp_security.msg_second_factor_unique'),
            ]

    @classmethod
    def of(cls, user_id):
        "The second factor row of user_id, or None"
        with without_check_access():
            factors = cls.search([('user', '=', user_id)], limit=1)
        return factors[0] if factors else None

    @classmethod
    def get_or_create(cls, user_id):
        factor = cls.of(user_id)
        if not factor:
            with without_check_access():
                factor, = cls.create([{'user': user_id}])
        return factor

    @property
    def is_enrolled(self):
        return bool(self.secret_encrypted)

    @classmethod
    def enrolment_open(cls, user_id):
        """Whether user_id may enrol during the sign-in: within the
        window after the account's creation or the factor's reset"""
        User = Pool().get('res.user')
        factor = cls.of(user_id)
        if factor and factor.enrol_until:
            until = factor.enrol_until
        else:
            created = User(user_id).create_date
            until = created + settings.enrolment_window() if created else None
        return bool(until and until > utcnow())

    def begin(self, keep=False):
        """Store a new pending secret (or keep the pending one) and
        return it"""
        if keep and self.pending_secret_encrypted:
            return self.get_secret('pending_secret')
        secret = otp.new_secret()
        self._write({'pending_secret_encrypted': encrypt(secret)})
        return secret

    def activate(self, code):
        """Make the pending secret the account's if code is its current
        code; return whether it did"""
        if not self.pending_secret_encrypted:
            return False
        step = otp.matching_step(self.get_secret('pending_secret'), code)
        if step is None:
            return False
        self._write({
                'secret_encrypted': self.pending_secret_encrypted,
                'pending_secret_encrypted': None,
                'last_step': step,
                'enrolled': utcnow(),
                'enrol_until': None,
                })
        return True

    def check(self, code):
        """Check code against the account's secret, then its recovery
        codes: return 'valid', 'recovery', 'replayed' or 'wrong'.  A
        valid code moves the last time step used forward."""
        RecoveryCode = Pool().get('mvp.security.recovery_code')
        code = otp.normalize_code(code)
        if otp.is_totp_code(code):
            step = otp.matching_step(self.get_secret('secret'), code)
            if step is None:
                return 'wrong'
            return 'valid' if self._use_step(step) else 'replayed'
        if RecoveryCode.use(self.user.id, code):
            return 'recovery'
        return 'wrong'

    def _use_step(self, step):
        "Record step as used unless it or a later one was (atomically)"
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.last_step], [step],
                where=(table.id == self.id)
                & ((table.last_step == None)  # noqa: E711
                    | (table.last_step < step))))
        return cursor.rowcount == 1

    def confirm(self):
        "Allow one destruction within the re-authentication window"
        self._write({'confirmed': utcnow()})

    @classmethod
    def use_confirmation(cls, user_id):
        "Use up a recent confirmation of user_id; return whether there was"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        since = utcnow() - settings.reauthentication_window()
        cursor.execute(*table.update([table.confirmed], [None],
                where=(table.user == user_id) & (table.confirmed >= since)))
        return cursor.rowcount == 1

    @classmethod
    def reset(cls, user_ids):
        """Forget the factors and recovery codes of user_ids and open
        their enrolment window"""
        RecoveryCode = Pool().get('mvp.security.recovery_code')
        with without_check_access():
            cls.delete(cls.search([('user', 'in', user_ids)]))
            RecoveryCode.delete(RecoveryCode.search(
                    [('user', 'in', user_ids)]))
            until = utcnow() + settings.enrolment_window()
            cls.create([{'user': u, 'enrol_until': until}
                    for u in user_ids])

    def _write(self, values):
        with without_check_access():
            self.write([self], values)


class RecoveryCode(ModelSQL):
    "Recovery Code of an Account"
    __name__ = 'mvp.security.recovery_code'
    __string__ = "Recovery Code of an Account"
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    code_hash = fields.Char("Code Hash", required=True)
    used = fields.Timestamp("Used")

    @classmethod
    def renew(cls, user_id, count=10):
        "Replace the recovery codes of user_id; return the new ones"
        codes = otp.new_recovery_codes(count)
        with without_check_access():
            cls.delete(cls.search([('user', '=', user_id)]))
            cls.create([{'user': user_id,
                        'code_hash': otp.recovery_hash(user_id, c)}
                    for c in codes])
        return codes

    @classmethod
    def use(cls, user_id, code):
        "Use up the unused recovery code of user_id; return whether it was"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.used], [utcnow()],
                where=(table.user == user_id)
                & (table.code_hash == otp.recovery_hash(user_id, code))
                & (table.used == None)))  # noqa: E711
        return cursor.rowcount == 1

    @classmethod
    def remaining(cls, user_id):
        with without_check_access():
            return cls.search_count([
                    ('user', '=', user_id), ('used', '=', None)])


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    second_factor_enrolled = fields.Function(
        fields.Boolean("Second Factor Enrolled"),
        'get_second_factor_enrolled')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'reset_second_factor': {
                    'invisible': ~Eval('id', -1) | (Eval('id', -1) < 0),
                    'depends': ['id'],
                    },
                })

    @classmethod
    def get_second_factor_enrolled(cls, users, name):
        SecondFactor = Pool().get('mvp.security.second_factor')
        with without_check_access():
            enrolled = {f.user.id for f in SecondFactor.search([
                        ('user', 'in', [u.id for u in users]),
                        ('secret_encrypted', '!=', None),
                        ])}
        return {u.id: u.id in enrolled for u in users}

    @classmethod
    @ModelView.button
    def reset_second_factor(cls, users):
        """Forget the authenticator and recovery codes of users (a lost
        phone) and let them enrol again at sign-in"""
        SecondFactor = Pool().get('mvp.security.second_factor')
        if users_call() and not is_province_admin():
            refuse('mvp_security.msg_second_factor_reset_province_only',
                users)
        SecondFactor.reset([u.id for u in users])
        for user in users:
            record('totp_reset', account=user, login=user.login)

    @classmethod
    def _login_totp(cls, login, parameters):
        SecondFactor = Pool().get('mvp.security.second_factor')
        user_id, _, _ = cls._get_login(login)
        if not user_id:
            return None
        if not second_factor_configured_safely():
            logger.error("[session] authentications: totp must follow "
                "another method, without options; sign-in refused")
            return None
        if not second_factor_required(user_id):
            return user_id
        factor = SecondFactor.of(user_id)
        if factor and factor.is_enrolled:
            return cls._check_second_factor(factor, login, parameters)
        if SecondFactor.enrolment_open(user_id):
            return cls._enrol_at_sign_in(user_id, login, parameters)
        record('totp_failed', account=user_id, login=login,
            details='not enrolled')
        raise LoginException('password', gettext(
                'mvp_security.msg_second_factor_not_enrolled'),
            type='password')

    @classmethod
    def _check_second_factor(cls, factor, login, parameters):
        RecoveryCode = Pool().get('mvp.security.recovery_code')
        user_id = factor.user.id
        if not parameters.get(CODE):
            raise LoginException(CODE, gettext(
                    'mvp_security.msg_second_factor_ask'), type='char')
        result = factor.check(parameters[CODE])
        if result == 'valid':
            record('totp_success', account=user_id, login=login)
            return user_id
        if result == 'recovery':
            record('totp_recovery', account=user_id, login=login,
                details='%d left' % RecoveryCode.remaining(user_id))
            return user_id
        cls._refuse_code(user_id, login, result)

    @classmethod
    def _enrol_at_sign_in(cls, user_id, login, parameters):
        SecondFactor = Pool().get('mvp.security.second_factor')
        factor = SecondFactor.get_or_create(user_id)
        secret = factor.begin(keep=True)
        code = parameters.get(CODE)
        if code and factor.activate(code):
            record('totp_enrol', account=user_id, login=login,
                details='at sign-in')
            return user_id
        if code:
            cls._refuse_code(user_id, login, 'wrong')
        raise LoginException(CODE, gettext(
                'mvp_security.msg_second_factor_enrol_at_sign_in',
                key=group_key(secret), issuer=settings.otp_issuer()),
            type='char')

    @classmethod
    def _refuse_code(cls, user_id, login, result):
        "Record a refused code, count it as a failed sign-in, ask again"
        record('totp_replay' if result == 'replayed' else 'totp_failed',
            account=user_id, login=login)
        cls._failed(login)  # the lock after 5 failures in a row
        raise LoginException(CODE, gettext(
                'mvp_security.msg_second_factor_%s' % result), type='char')


class EnrolStart(ModelView):
    "Enrol a Second Factor"
    __name__ = 'mvp.security.second_factor.enrol.start'
    __string__ = "Enrol a Second Factor"
    enrolled = fields.Boolean("Already Enrolled", readonly=True)
    current_code = fields.Char("Current Code",
        states={
            'invisible': ~Eval('enrolled'),
            'required': Eval('enrolled', False),
            },
        help="A code of the authenticator you use now.")
    qr_code = fields.Binary("QR Code", readonly=True)
    key = fields.Char("Key", readonly=True,
        help="To type into the app if it cannot read the QR code.")
    code = fields.Char("Code", required=True,
        help="The code the app shows for this account.")


class EnrolCodes(ModelView):
    "Recovery Codes"
    __name__ = 'mvp.security.second_factor.enrol.codes'
    __string__ = "Recovery Codes"
    recovery_codes = fields.Text("Recovery Codes", readonly=True,
        help="Each code signs in once without the phone.")


class Enrol(Wizard):
    """Enrol the authenticator app of the user (their own account, never
    another's): a new key as a QR code, its first code to confirm, then
    ten recovery codes shown once"""
    __name__ = 'mvp.security.second_factor.enrol'
    start = StateView('mvp.security.second_factor.enrol.start',
        'mvp_security.second_factor_enrol_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm", 'confirm', 'tryton-ok', default=True),
            ])
    confirm = StateTransition()
    codes = StateView('mvp.security.second_factor.enrol.codes',
        'mvp_security.second_factor_enrol_codes_view_form', [
            Button("Done", 'end', 'tryton-ok', default=True),
            ])

    def default_start(self, fields):
        pool = Pool()
        SecondFactor = pool.get('mvp.security.second_factor')
        User = pool.get('res.user')
        user_id = Transaction().user
        factor = SecondFactor.get_or_create(user_id)
        secret = factor.begin()
        uri = otp.provisioning_uri(
            secret, User(user_id).login, settings.otp_issuer())
        return {
            'enrolled': factor.is_enrolled,
            'qr_code': otp.qr_png(uri),
            'key': group_key(secret),
            }

    def transition_confirm(self):
        pool = Pool()
        SecondFactor = pool.get('mvp.security.second_factor')
        RecoveryCode = pool.get('mvp.security.recovery_code')
        User = pool.get('res.user')
        user = User(Transaction().user)
        factor = SecondFactor.of(user.id)
        if not factor:  # "confirm" called without "start"
            raise UserError(gettext(
                    'mvp_security.msg_second_factor_enrol_wrong'))
        # a stolen session must not replace the factor: the current one
        # first (read on the server, not from the form's "enrolled")
        if factor.is_enrolled and factor.check(
                self.start.current_code or '') != 'valid':
            record('totp_failed', account=user, login=user.login,
                details='enrolment: current code')
            raise UserError(gettext(
                    'mvp_security.msg_second_factor_current_wrong'))
        if not factor.activate(self.start.code or ''):
            raise UserError(gettext(
                    'mvp_security.msg_second_factor_enrol_wrong'))
        self.codes.recovery_codes = '\n'.join(RecoveryCode.renew(user.id))
        record('totp_enrol', account=user, login=user.login)
        return 'codes'

    def default_codes(self, fields):
        return {'recovery_codes': self.codes.recovery_codes}


class ConfirmStart(ModelView):
    "Confirm with the Second Factor"
    __name__ = 'mvp.security.second_factor.confirm.start'
    __string__ = "Confirm with the Second Factor"
    code = fields.Char("Code", required=True,
        help="A code of your authenticator app (or a recovery code).")


class Confirm(Wizard):
    """Confirm the user's identity with a current code before an
    irreversible act (destroying dossiers): it allows one such act within
    [mvp_security] reauthentication_seconds"""
    __name__ = 'mvp.security.second_factor.confirm'
    start = StateView('mvp.security.second_factor.confirm.start',
        'mvp_security.second_factor_confirm_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Confirm", 'confirm', 'tryton-ok', default=True),
            ])
    confirm = StateTransition()

    def transition_confirm(self):
        pool = Pool()
        SecondFactor = pool.get('mvp.security.second_factor')
        User = pool.get('res.user')
        user = User(Transaction().user)
        factor = SecondFactor.of(user.id)
        if not factor or not factor.is_enrolled:
            raise UserError(gettext(
                    'mvp_security.msg_second_factor_enrol_first'))
        result = factor.check(self.start.code or '')
        if result not in {'valid', 'recovery'}:
            record('totp_replay' if result == 'replayed' else 'totp_failed',
                account=user, login=user.login, details='confirmation')
            raise UserError(gettext(
                    'mvp_security.msg_second_factor_%s' % result))
        if result == 'recovery':
            record('totp_recovery', account=user, login=user.login,
                details='confirmation')
        factor.confirm()
        record('totp_reauth', account=user, login=user.login)
        return 'end'

