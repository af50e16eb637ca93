# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Signing keys: encrypted PKCS#12 files and PKCS#11 tokens.

Pure library code (no Pool).  Two speed fixes from tryton-notes §6 live
here: :class:`CachedKeySigner` loads the private key once instead of on
every signature, and PKCS#11 sessions are opened once per token and key
and reused (:func:`pkcs11_signer`).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from asn1crypto import algos, cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash
from pyhanko_certvalidator.registry import SimpleCertificateStore

__all__ = [
    'KeyError_', 'WrongPassphraseError', 'TokenError', 'CachedKeySigner',
    'load_pkcs12', 'Pkcs11Config', 'pkcs11_signer', 'close_pkcs11_sessions',
    'certificate_info', 'CertificateInfo', 'load_certificate',
    'check_certificate',
    ]


class KeyError_(Exception):
    "A key cannot be used for signing"


class WrongPassphraseError(KeyError_):
    "The passphrase does not open the PKCS#12 file"


class TokenError(KeyError_):
    "The PKCS#11 token, key or certificate is not there or the PIN is wrong"


class FastCmsMixin:
    """Cache the parts of the CMS container that do not change between
    signatures of one signer: the signed attributes but the message digest
    (pyHanko rebuilds and re-encodes the signing-certificate-v2 attribute
    every time, about 10 ms) and the signer identifier.
    """

    _attrs_templates: dict
    _sentinel = bytes(range(101, 165))

    async def signed_attrs(
            self, data_digest: bytes, digest_algorithm: str,
            attr_settings=None, content_type='data', use_pades=False,
            timestamper=None, dry_run=False, is_pdf_sig=True):
        cacheable = (
            use_pades and timestamper is None
            and (attr_settings is None or (
                    attr_settings.cades_signed_attrs is None
                    and attr_settings.adobe_revinfo_attr is None)))
        if not cacheable:
            return await super().signed_attrs(
                data_digest, digest_algorithm, attr_settings=attr_settings,
                content_type=content_type, use_pades=use_pades,
                timestamper=timestamper, dry_run=dry_run,
                is_pdf_sig=is_pdf_sig)
        if not hasattr(self, '_attrs_templates'):
            self._attrs_templates = {}
        key = (
            digest_algorithm, content_type, len(data_digest), dry_run,
            is_pdf_sig)
        template = self._attrs_templates.get(key)
        sentinel = self._sentinel[:len(data_digest)]
        if template is None:
            attrs = await super().signed_attrs(
                sentinel, digest_algorithm, attr_settings=attr_settings,
                content_type=content_type, use_pades=use_pades,
                timestamper=timestamper, dry_run=dry_run,
                is_pdf_sig=is_pdf_sig)
            template = attrs.dump()
            if template.count(sentinel) != 1:
                return await super().signed_attrs(
                    data_digest, digest_algorithm,
                    attr_settings=attr_settings, content_type=content_type,
                    use_pades=use_pades, timestamper=timestamper,
                    dry_run=dry_run, is_pdf_sig=is_pdf_sig)
            self._attrs_templates[key] = template
        return cms.CMSAttributes.load(
            template.replace(sentinel, data_digest))

    def signer_info(self, digest_algorithm: str, signed_attrs, signature):
        if not hasattr(self, '_sid'):
            cert = self.signing_cert
            self._sid = cms.SignerIdentifier({
                    'issuer_and_serial_number': cms.IssuerAndSerialNumber({
                            'issuer': cert.issuer,
                            'serial_number': cert.serial_number,
                            }),
                    }).dump()
        return cms.SignerInfo({
                'version': 'v1',
                'sid': cms.SignerIdentifier.load(self._sid),
                'digest_algorithm': algos.DigestAlgorithm(
                    {'algorithm': digest_algorithm}),
                'signature_algorithm': self.get_signature_mechanism_for_digest(
                    digest_algorithm),
                'signed_attrs': signed_attrs,
                'signature': signature,
                })


class CachedKeySigner(FastCmsMixin, signers.SimpleSigner):
    """A :class:`~pyhanko.sign.signers.SimpleSigner` that keeps the
    *cryptography* private key object.

    ``SimpleSigner.sign_raw`` re-parses and re-validates the key on every
    signature (38-50 ms for RSA-2048); this class does it once.
    """

    _pyca_key = None

    def _key(self):
        if self._pyca_key is None:
            self._pyca_key = serialization.load_der_private_key(
                self.signing_key.dump(), password=None)
        return self._pyca_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(
            digest_algorithm).signature_algo
        key = self._key()
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == 'rsassa_pkcs1v15':
            return key.sign(data, padding.PKCS1v15(), digest)
        if mechanism == 'ecdsa':
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)


def load_pkcs12(
        data: bytes, passphrase: str | None,
        extra_certs: tuple[bytes, ...] = ()) -> CachedKeySigner:
    """Open an encrypted PKCS#12 file and return a signer.

    :param data: the PKCS#12 (.p12/.pfx) bytes.
    :param passphrase: the passphrase; never stored by this module.
    :param extra_certs: DER or PEM CA certificates to add to the chain.
    :raises WrongPassphraseError: the passphrase is wrong or the file is
        not a PKCS#12 file with a key and a certificate.
    """
    password = passphrase.encode('utf-8') if passphrase else None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exception:
        raise WrongPassphraseError(str(exception)) from exception
    if key is None or cert is None:
        raise WrongPassphraseError("no private key or certificate")
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    chain = [asn1_x509.Certificate.load(
            c.public_bytes(serialization.Encoding.DER)) for c in others or ()]
    for extra in extra_certs:
        chain.extend(load_certs_from_pemder_data(extra))
    signer = CachedKeySigner(
        signing_cert=asn1_x509.Certificate.load(
            cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain))
    signer._pyca_key = key
    return signer


@dataclass(frozen=True)
class Pkcs11Config:
    """Where an agency key lives in a PKCS#11 token."""

    module: str
    "Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so."
    token_label: str
    "Label of the token."
    key_label: str
    "Label of the private key; the certificate has the same label."
    pin: str
    "User PIN of the token."
    cert_label: str | None = None
    "Label of the certificate, if different from the key label."


# PKCS#11 logs in per token and application, not per session: keep one
# logged-in session per token, and the signers built on it.
_sessions: dict[tuple, tuple] = {}
_signers: dict[tuple, signers.Signer] = {}
_sessions_lock = threading.Lock()


def _token_session(config: Pkcs11Config):
    from pkcs11.exceptions import UserAlreadyLoggedIn
    from pyhanko.sign.pkcs11 import TokenCriteria, open_pkcs11_session
    key = (config.module, config.token_label)
    cached = _sessions.get(key)
    if cached:
        session, pin = cached
        if pin != config.pin:
            raise TokenError(f"{config.token_label}: wrong PIN")
        return session
    criteria = TokenCriteria(label=config.token_label)
    try:
        try:
            session = open_pkcs11_session(
                config.module, token_criteria=criteria,
                user_pin=config.pin)
        except UserAlreadyLoggedIn:
            session = open_pkcs11_session(
                config.module, token_criteria=criteria)
    except Exception as exception:
        raise TokenError(
            f"{config.token_label}: {exception!r}") from exception
    _sessions[key] = (session, config.pin)
    return session


def pkcs11_signer(
        config: Pkcs11Config,
        extra_certs: tuple[bytes, ...] = ()) -> signers.Signer:
    """Return a signer for a key in a PKCS#11 token.

    The token session is opened and logged in once and reused, so each
    signature costs one ``C_Sign``.

    :raises TokenError: the module, token, key or certificate is missing
        or the PIN is wrong.
    """
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class FastPKCS11Signer(FastCmsMixin, PKCS11Signer):
        pass

    cache_key = (config, tuple(extra_certs))
    with _sessions_lock:
        signer = _signers.get(cache_key)
        if signer:
            return signer
        chain = []
        for extra in extra_certs:
            chain.extend(load_certs_from_pemder_data(extra))
        session = _token_session(config)
        try:
            signer = FastPKCS11Signer(
                session, key_label=config.key_label,
                cert_label=config.cert_label or config.key_label,
                ca_chain=chain)
            # Fetch the certificate and key now so a missing one fails here.
            _ = signer.signing_cert  # the property looks the certificate up
            signer._load_objects()
        except Exception as exception:
            raise TokenError(
                f"{config.token_label}/{config.key_label}: {exception}"
                ) from exception
        _signers[cache_key] = signer
        return signer


def close_pkcs11_sessions() -> None:
    "Close every cached PKCS#11 session (e.g. after a configuration change)"
    with _sessions_lock:
        for session, _ in _sessions.values():
            try:
                session.close()
            except Exception:
                pass
        _sessions.clear()
        _signers.clear()


def check_certificate(
        signer: signers.Signer, trust_roots=(), crls=(),
        allow_fetching: bool = False, moment=None) -> str | None:
    """Tell why the signer's certificate must not be used to sign now.

    Return ``None`` when it may, otherwise ``not_yet_valid``, ``expired``,
    ``revoked`` or, when trust roots are given, ``untrusted``.  Revocation
    is checked with the given CRLs (DER/PEM bytes or parsed) and, if
    allowed, those fetched from the certificate's distribution points.
    """
    import asyncio
    import datetime as dt

    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator import errors

    from .verify import load_crl

    cert = signer.signing_cert
    now = moment or dt.datetime.now(dt.timezone.utc)
    if now < cert.not_valid_before:
        return 'not_yet_valid'
    if now > cert.not_valid_after:
        return 'expired'
    if not trust_roots:
        return None
    roots = []
    for root in trust_roots:
        roots.extend(load_certs_from_pemder_data(bytes(root)))
    context = ValidationContext(
        trust_roots=roots,
        crls=[load_crl(bytes(c)) if isinstance(c, (bytes, bytearray))
            else c for c in crls],
        allow_fetching=allow_fetching, revocation_mode='soft-fail',
        moment=now)
    validator = CertificateValidator(
        cert, intermediate_certs=list(signer.cert_registry or ()),
        validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except errors.RevokedError:
        return 'revoked'
    except errors.ExpiredError:
        return 'expired'
    except errors.NotYetValidError:
        return 'not_yet_valid'
    except (errors.PathBuildingError, errors.PathValidationError,
            errors.ValidationError):
        return 'untrusted'
    return None


def load_certificate(data: bytes) -> asn1_x509.Certificate:
    """Load one certificate from DER or PEM bytes.

    :raises ValueError: the data holds no certificate.
    """
    try:
        certs = list(load_certs_from_pemder_data(data))
    except Exception as exception:
        raise ValueError(str(exception)) from exception
    if not certs:
        raise ValueError("no certificate")
    return certs[0]


@dataclass(frozen=True)
class CertificateInfo:
    "What the users see of a certificate"

    subject: str
    common_name: str
    organization: str
    issuer: str
    serial: str
    not_before: object
    not_after: object
    sha256: str


def certificate_info(cert: asn1_x509.Certificate) -> CertificateInfo:
    "Return the displayable facts of a certificate"
    subject = cert.subject.native
    return CertificateInfo(
        subject=cert.subject.human_friendly,
        common_name=subject.get('common_name', ''),
        organization=subject.get('organization_name', ''),
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, 'X'),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        sha256=cert.sha256.hex())
