# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond import config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import keys
from .exceptions import SignatureAccessError, SignatureKeyError

LEADER = 'mvp_documents.group_mvp_leader'
SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'


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


class AgencyKey(ModelSQL, ModelView):
    "Agency Signing Key"
    __string__ = "Agency Signing Key"
    __name__ = 'mvp.signature.agency_key'
    # The agency certificate is used like the seal (Decree 30, art. 8.3):
    # only the leader and the people the leader delegates may use it, and
    # every use is logged (art. 12.4).
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    kind = fields.Selection([
            ('pkcs11', "PKCS#11 Token"),
            ('pkcs12', "PKCS#12 File"),
            ], "Kind", required=True)
    pkcs11_module = fields.Char(
        "PKCS#11 Module",
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
    pin = fields.Char(
        "PIN / Passphrase", strip=False,
        help="Leave empty to read it from the server configuration "
        "([mvp_signature] pin_<token label>) or to type it at signing time.")
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
    def default_pkcs11_module(cls):
        return config.get(
            'mvp_signature', 'pkcs11_module', default=SOFTHSM_MODULE)

    @classmethod
    def default_active(cls):
        return True

    def _pin(self, pin=None):
        if pin:
            return pin
        if self.pin:
            return self.pin
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
                        module=self.pkcs11_module,
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
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        if any({'pin', 'token_label', 'key_label', 'pkcs11_module', 'chain'}
                & set(values) for _, values in zip(actions, actions)):
            keys.close_pkcs11_sessions()


class AgencyKeyDelegate(ModelSQL, ModelView):
    "Agency Key Delegation"
    __string__ = "Agency Key Delegation"
    __name__ = 'mvp.signature.agency_key.delegate'
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


class PersonalKey(ModelSQL, ModelView):
    "Personal Signing Key"
    __string__ = "Personal Signing Key"
    __name__ = 'mvp.signature.personal_key'
    # The passphrase is typed at signing time and never stored.
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

    def signer(self, passphrase):
        """Open the PKCS#12 file with passphrase (not stored).

        :raises SignatureAccessError: the key is not the user's.
        :raises SignatureKeyError: wrong passphrase.
        """
        user_id = Transaction().user
        if user_id and self.user.id != user_id:
            raise SignatureAccessError(gettext(
                    'mvp_signature.msg_personal_key_not_owner',
                    key=self.rec_name))
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
