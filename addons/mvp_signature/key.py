# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, refuse)
from trytond.modules.mvp_documents.role import is_province_admin
from trytond.modules.mvp_documents.secret import (
    SecretMixin, secret_field, stored_field)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import keys
from .exceptions import SignatureAccessError, SignatureKeyError

LEADER = 'mvp_documents.group_mvp_leader'
# What makes an agency's key (a change closes the token sessions).  An
# agency key is created and changed by the provincial administrator only,
# so that nobody in the agency can substitute its key or make the server
# load a library of their choice.
KEY_MATERIAL = frozenset({
        'company', 'kind', 'pkcs11_module', 'token_label', 'key_label',
        'pin_encrypted', 'pin_secret', 'pkcs12', 'chain'})
PIN_FIELDS = frozenset({'pin_encrypted', 'pin_secret'})
CERTIFICATE_FIELDS = frozenset({'certificate', 'subject', 'valid_until'})


def pkcs11_modules():
    """Return the PKCS#11 modules the server may load as {name: path}

    Configured by the provincial administrator in trytond.conf, e.g.
    ``[mvp_signature] pkcs11_modules = softhsm=/usr/lib/softhsm/
    libsofthsm2.so, vnpt=/usr/lib/vnpt-ca/libpkcs11.so``: a key names a
    module, the path never comes from the database or the client.
    """
    value = config.get('mvp_signature', 'pkcs11_modules', default='') or ''
    modules = {}
    for item in value.replace('\n', ',').split(','):
        name, _, path = item.partition('=')
        name, path = name.strip(), path.strip()
        if name and path:
            modules[name] = path
    return modules


def _naive(value):
    if value and value.tzinfo:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _certificate_fields(signer):
    info = keys.certificate_info(signer.signing_cert)
    return {
        'certificate': signer.signing_cert.dump(),
        'subject': info.subject,
        'valid_until': _naive(info.not_after),
        }


def is_leader(user, company):
    "Tell whether user is a leader of company"
    return company in user.role_companies(LEADER)


class AgencyKey(SecretMixin, ServerFieldsMixin, ModelSQL, ModelView):
    "Agency Signing Key"
    __string__ = "Agency Signing Key"
    __name__ = 'mvp.signature.agency_key'
    # The agency certificate is used like the seal (Decree 30, art. 8.3):
    # only the leader and the people the leader delegates may use it, and
    # every use is logged (art. 12.4).
    _server_fields = CERTIFICATE_FIELDS
    # The PIN of the token or the passphrase of the PKCS#12 file, kept so
    # that the clerk releases and seals without typing it
    _secrets = ('pin',)
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    kind = fields.Selection([
            ('pkcs11', "PKCS#11 Token"),
            ('pkcs12', "PKCS#12 File"),
            ], "Kind", required=True)
    pkcs11_module = fields.Selection(
        'get_pkcs11_modules', "PKCS#11 Module",
        help="The modules are configured by the provincial administrator "
        "in the server configuration ([mvp_signature] pkcs11_modules).",
        states={
            'invisible': Eval('kind') != 'pkcs11',
            'required': Eval('kind') == 'pkcs11',
            })
    token_label = fields.Char(
        "Token Label",
        states={
            'invisible': Eval('kind') != 'pkcs11',
            'required': Eval('kind') == 'pkcs11',
            })
    key_label = fields.Char(
        "Key Label",
        states={
            'invisible': Eval('kind') != 'pkcs11',
            'required': Eval('kind') == 'pkcs11',
            })
    pin_encrypted = fields.Char(
        "PIN / Passphrase (Encrypted)", strip=False, loading='lazy')
    pin_secret = secret_field("New PIN / Passphrase",
        help="Leave empty to keep the stored one, or to read it from "
        "the server configuration ([mvp_signature] pin_<token label>).")
    pin_stored = stored_field("PIN Stored")
    pkcs12 = fields.Binary(
        "PKCS#12 File", filename='pkcs12_name',
        states={
            'invisible': Eval('kind') != 'pkcs12',
            'required': Eval('kind') == 'pkcs12',
            })
    pkcs12_name = fields.Char("PKCS#12 File Name")
    chain = fields.Binary(
        "CA Certificates", help="PEM certificates of the issuing CAs.")
    certificate = fields.Binary("Certificate", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    valid_until = fields.DateTime("Valid Until", readonly=True)
    seal_image = fields.Binary(
        "Seal Image", help="Red seal, PNG with transparent background; "
        "a seal is drawn when empty.")
    delegates = fields.One2Many(
        'mvp.signature.agency_key.delegate', 'key', "Delegates")
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'check_key': {
                    'invisible': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_kind(cls):
        return 'pkcs11'

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls._migrate_module_paths()

    @classmethod
    def _migrate_module_paths(cls):
        # Keys stored a path before the modules were configured: keep the
        # keys whose path is configured, the others are chosen again.
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        names = {path: name for name, path in pkcs11_modules().items()}
        cursor.execute(*table.select(
                table.id, table.pkcs11_module,
                where=table.pkcs11_module.like('%/%')))
        for id_, path in cursor.fetchall():
            cursor.execute(*table.update(
                    [table.pkcs11_module], [names.get(path)],
                    where=table.id == id_))

    @classmethod
    def get_pkcs11_modules(cls):
        return [(None, '')] + [(n, n) for n in sorted(pkcs11_modules())]

    @classmethod
    def default_pkcs11_module(cls):
        return next(iter(sorted(pkcs11_modules())), None)

    def module_path(self):
        "Return the path of the key's PKCS#11 module from the configuration"
        path = pkcs11_modules().get(self.pkcs11_module or '')
        if not path:
            raise SignatureKeyError(gettext(
                    'mvp_signature.msg_pkcs11_module_not_configured',
                    key=self.rec_name, module=self.pkcs11_module or ''))
        return path

    @classmethod
    def default_active(cls):
        return True

    def _pin(self, pin=None):
        if pin:
            return pin
        stored = self.get_secret('pin')
        if stored:
            return stored
        if self.kind == 'pkcs11' and self.token_label:
            return config.get('mvp_signature', 'pin_' + self.token_label)

    def _chain(self):
        return (bytes(self.chain),) if self.chain else ()

    def check_user(self, user=None):
        """Raise unless user (default: the current one) may use the key.

        The agency's leaders and the users the leader delegated may.
        """
        pool = Pool()
        User = pool.get('res.user')
        if user is None:
            user = User(Transaction().user)
        if not self.active or not (
                is_leader(user, self.company)
                or user in {d.user for d in self.delegates if d.active}):
            raise SignatureAccessError(gettext(
                    'mvp_signature.msg_agency_key_not_delegated',
                    user=user.rec_name, key=self.rec_name,
                    agency=self.company.rec_name))

    def signer(self, pin=None):
        """Return the pyHanko signer of the key.

        :raises SignatureKeyError: token missing, wrong PIN or passphrase.
        """
        try:
            if self.kind == 'pkcs11':
                return keys.pkcs11_signer(
                    keys.Pkcs11Config(
                        module=self.module_path(),
                        token_label=self.token_label,
                        key_label=self.key_label,
                        pin=self._pin(pin) or ''),
                    extra_certs=self._chain())
            return keys.load_pkcs12(
                bytes(self.pkcs12), self._pin(pin), self._chain())
        except keys.WrongPassphraseError as exception:
            raise SignatureKeyError(gettext(
                    'mvp_signature.msg_key_wrong_passphrase',
                    key=self.rec_name)) from exception
        except keys.KeyError_ as exception:
            raise SignatureKeyError(gettext(
                    'mvp_signature.msg_key_token_missing',
                    key=self.rec_name, error=str(exception))) from exception

    @classmethod
    @ModelView.button
    def check_key(cls, agency_keys):
        "Open each key and store its certificate"
        for key in agency_keys:
            signer = key.signer()
            values = _certificate_fields(signer)
            if values['certificate'] != (
                    bytes(key.certificate) if key.certificate else None):
                cls.write([key], values)

    @classmethod
    def check_modification(
            cls, mode, agency_keys, values=None, external=False):
        super().check_modification(
            mode, agency_keys, values=values, external=external)
        if not external or is_province_admin():
            return
        # The agency's leaders only delegate the key (checked by the
        # delegations themselves)
        tried = set(values or {}) - {'delegates'}
        if mode != 'write' or tried:
            refuse('mvp_signature.msg_agency_key_province_only',
                agency_keys, fields=tried, model=cls.__name__)

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        changed, close = [], False
        for agency_keys, values in zip(actions, actions, strict=True):
            close |= bool(KEY_MATERIAL & set(values))
            if (KEY_MATERIAL - PIN_FIELDS) & set(values):
                changed.extend(agency_keys)
        if close:
            keys.close_pkcs11_sessions()
        if changed:
            # The stored certificate was the old key's
            with without_check_access():
                super().write(changed, dict.fromkeys(CERTIFICATE_FIELDS))


class AgencyKeyDelegate(ServerFieldsMixin, ModelSQL, ModelView):
    "Agency Key Delegation"
    __string__ = "Agency Key Delegation"
    __name__ = 'mvp.signature.agency_key.delegate'
    # A delegation is given to one user for one key: another user or key
    # is another delegation, granted by a leader of that key's agency.
    _fixed_fields = frozenset({'key', 'user'})
    _computed_fields = frozenset({'granted_by', 'granted_on'})
    key = fields.Many2One(
        'mvp.signature.agency_key', "Key", required=True,
        ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Agency"), 'get_company',
        searcher='search_company')
    user = fields.Many2One('res.user', "User", required=True)
    granted_by = fields.Many2One('res.user', "Granted By", readonly=True)
    granted_on = fields.DateTime("Granted On", readonly=True)
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_user_unique', Unique(t, t.key, t.user),
                'mvp_signature.msg_delegate_unique'),
            ]

    @classmethod
    def default_active(cls):
        return True

    def get_company(self, name):
        return self.key.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('key.company',) + tuple(clause[1:])]

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        user = Transaction().user
        cls._check_leader(AgencyKey.browse(
                {v['key'] for v in vlist if v.get('key')}))
        vlist = [{
                **v, 'granted_by': user or None,
                'granted_on': dt.datetime.now()} for v in vlist]
        return super().create(vlist)

    @classmethod
    def check_modification(
            cls, mode, delegates, values=None, external=False):
        super().check_modification(
            mode, delegates, values=values, external=external)
        if mode in {'write', 'delete'}:
            cls._check_leader({d.key for d in delegates})

    @classmethod
    def _check_leader(cls, agency_keys):
        "Only a leader of the agency delegates its key"
        pool = Pool()
        User = pool.get('res.user')
        user_id = Transaction().user
        if not user_id:
            return
        user = User(user_id)
        for key in agency_keys:
            if not is_leader(user, key.company):
                raise SignatureAccessError(gettext(
                        'mvp_signature.msg_delegate_not_leader',
                        user=user.rec_name, agency=key.company.rec_name))


class PersonalKey(ServerFieldsMixin, ModelSQL, ModelView):
    "Personal Signing Key"
    __string__ = "Personal Signing Key"
    __name__ = 'mvp.signature.personal_key'
    # The passphrase is typed at signing time and never stored.  The
    # certificate is the one read from the key file by the server.
    _server_fields = CERTIFICATE_FIELDS
    _fixed_fields = frozenset({'user'})
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE',
        readonly=True)
    name = fields.Char("Name", required=True)
    pkcs12 = fields.Binary(
        "PKCS#12 File", required=True, filename='pkcs12_name')
    pkcs12_name = fields.Char("PKCS#12 File Name")
    chain = fields.Binary(
        "CA Certificates", help="PEM certificates of the issuing CAs.")
    certificate = fields.Binary("Certificate", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    valid_until = fields.DateTime("Valid Until", readonly=True)
    signature_image = fields.Binary(
        "Signature Image",
        help="Handwritten signature, blue, PNG with transparent background.")
    active = fields.Boolean("Active")

    @classmethod
    def default_user(cls):
        return Transaction().user

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def create(cls, vlist):
        # Checked before anything is stored: a user's keys are their own
        transaction = Transaction()
        user_id = transaction.user
        if user_id and transaction.check_access and any(
                v.get('user', user_id) != user_id for v in vlist):
            refuse('mvp_signature.msg_personal_key_not_owner',
                fields=['user'], model=cls.__name__,
                key=', '.join(v.get('name') or '' for v in vlist))
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        changed = []
        for personal_keys, values in zip(actions, actions, strict=True):
            if {'pkcs12', 'chain'} & set(values):
                changed.extend(personal_keys)
        if changed:
            # The stored certificate was the old key file's
            with without_check_access():
                super().write(changed, dict.fromkeys(CERTIFICATE_FIELDS))

    def signer(self, passphrase):
        """Open the PKCS#12 file with passphrase (not stored).

        :raises SignatureAccessError: the key is not the user's.
        :raises SignatureKeyError: wrong passphrase.
        """
        user_id = Transaction().user
        if user_id and self.user.id != user_id:
            refuse('mvp_signature.msg_personal_key_not_owner', [self],
                error=SignatureAccessError, key=self.rec_name)
        try:
            signer = keys.load_pkcs12(
                bytes(self.pkcs12), passphrase,
                (bytes(self.chain),) if self.chain else ())
        except keys.KeyError_ as exception:
            raise SignatureKeyError(gettext(
                    'mvp_signature.msg_key_wrong_passphrase',
                    key=self.rec_name)) from exception
        if not self.certificate:
            with without_check_access():
                self.write([self], _certificate_fields(signer))
        return signer


class SignatureLog(ModelSQL, ModelView):
    "Signature Log"
    __string__ = "Signature Log"
    __name__ = 'mvp.signature.log'
    # Audit of every signature made in the system (art. 12.4).
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    kind = fields.Selection([
            ('personal', "Personal"),
            ('leader', "Leader"),
            ('seal', "Agency Seal"),
            ('appendix', "Appendix"),
            ('external', "External (USB Token)"),
            ], "Kind", required=True, readonly=True)
    agency_key = fields.Many2One(
        'mvp.signature.agency_key', "Agency Key", readonly=True)
    personal_key = fields.Many2One(
        'mvp.signature.personal_key', "Personal Key", readonly=True)
    file = fields.Many2One(
        'mvp.document.file', "Signed File", readonly=True)
    source = fields.Many2One(
        'mvp.document.file', "Original File", readonly=True)
    subject = fields.Char("Certificate", readonly=True)
    level = fields.Char("PAdES Level", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def check_modification(cls, mode, logs, values=None, external=False):
        super().check_modification(
            mode, logs, values=values, external=external)
        if mode in {'write', 'delete'} and external:
            raise SignatureAccessError(gettext(
                    'mvp_signature.msg_log_readonly'))
