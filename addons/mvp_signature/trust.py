# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.modules.mvp_documents.protection import ServerFieldsMixin
from trytond.pool import Pool

from . import keys, verify
from .exceptions import TrustValidationError


def _naive(value):
    if value is None:
        return None
    if value.tzinfo:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


class TrustRoot(ServerFieldsMixin, ModelSQL, ModelView):
    "Trusted Root Certificate"
    __string__ = "Trusted Root Certificate"
    __name__ = 'mvp.signature.trust_root'
    # Trust is decided by the certificate itself (its key and
    # fingerprint), never by its names.  Only the provincial administrator
    # changes them (access rights); what is read from the certificate is
    # the server's.
    _computed_fields = frozenset({'subject', 'fingerprint', 'not_after'})
    name = fields.Char("Name", required=True)
    certificate = fields.Binary(
        "Certificate", required=True, filename='certificate_name')
    certificate_name = fields.Char("Certificate File Name")
    subject = fields.Char("Subject", readonly=True)
    fingerprint = fields.Char("SHA-256 Fingerprint", readonly=True)
    not_after = fields.DateTime("Valid Until", readonly=True)
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('fingerprint_unique', Unique(t, t.fingerprint),
                'mvp_signature.msg_trust_root_unique'),
            ]

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def _certificate_values(cls, values):
        values = values.copy()
        if values.get('certificate'):
            try:
                cert = keys.load_certificate(bytes(values['certificate']))
            except ValueError as exception:
                raise TrustValidationError(gettext(
                        'mvp_signature.msg_trust_root_invalid',
                        error=str(exception))) from exception
            info = keys.certificate_info(cert)
            values['certificate'] = cert.dump()
            values['subject'] = info.subject
            values['fingerprint'] = info.sha256
            values['not_after'] = _naive(info.not_after)
        return values

    @classmethod
    def preprocess_values(cls, mode, values):
        # After the check of the user's values: the computed ones are
        # the server's
        values = super().preprocess_values(mode, values)
        return cls._certificate_values(values)

    @classmethod
    def trusted(cls):
        "Return the DER certificates of the active trust roots"
        return [bytes(r.certificate) for r in cls.search([])]


class Crl(ServerFieldsMixin, ModelSQL, ModelView):
    "Certificate Revocation List"
    __string__ = "Certificate Revocation List"
    __name__ = 'mvp.signature.crl'
    # Imported by hand by the provincial administrator for offline use.
    _computed_fields = frozenset({
            'issuer', 'this_update', 'next_update', 'revoked'})
    name = fields.Char("Name", required=True)
    data = fields.Binary("CRL", required=True, filename='file_name')
    file_name = fields.Char("File Name")
    issuer = fields.Char("Issuer", readonly=True)
    this_update = fields.DateTime("This Update", readonly=True)
    next_update = fields.DateTime("Next Update", readonly=True)
    revoked = fields.Integer("Revoked Certificates", readonly=True)
    active = fields.Boolean("Active")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('this_update', 'DESC'))

    @classmethod
    def default_active(cls):
        return True

    @classmethod
    def _crl_values(cls, values):
        values = values.copy()
        if values.get('data'):
            try:
                crl = verify.load_crl(bytes(values['data']))
            except ValueError as exception:
                raise TrustValidationError(gettext(
                        'mvp_signature.msg_crl_invalid',
                        error=str(exception))) from exception
            tbs = crl['tbs_cert_list']
            values['data'] = crl.dump()
            values['issuer'] = crl.issuer.human_friendly
            values['this_update'] = _naive(tbs['this_update'].native)
            values['next_update'] = _naive(tbs['next_update'].native)
            values['revoked'] = len(tbs['revoked_certificates'])
        return values

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        return cls._crl_values(values)

    @classmethod
    def imported(cls):
        "Return the DER CRLs imported by the administrator"
        return [bytes(c.data) for c in cls.search([])]


def trust_material():
    "Return (trust roots, CRLs) as DER bytes"
    pool = Pool()
    return (
        pool.get('mvp.signature.trust_root').trusted(),
        pool.get('mvp.signature.crl').imported())
