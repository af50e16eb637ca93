# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Verification of signed PDF files.

Pure library code (no Pool).  Each signature is checked by pyHanko for
integrity, the signature value, the chain to the configured trust roots
(decided by keys and signatures: a root with the same names but another
key is not trusted), the validity and revocation of the signer's
certificate (CRL/OCSP fetched when allowed, otherwise the CRLs given by
the administrator and those embedded in the document), and the changes
made after signing (difference analysis: a later signature or form
filling is allowed, changed content is not).  Both ``adbe.pkcs7.detached``
and ``ETSI.CAdES.detached`` are handled.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from trytond.modules.mvp_documents import pdf_check, sandbox
from trytond.modules.mvp_documents.file_limits import LimitExceeded, limits

from . import speedups

__all__ = [
    'VERDICTS', 'SignatureReport', 'Verdict', 'verify_pdf',
    'verify_pdfs_bounded', 'load_crl',
    ]

VERDICTS = [
    'valid', 'not_trusted', 'modified', 'invalid', 'unsigned', 'unreadable']
# How bad a verdict is, to summarise several signatures.
SEVERITY = {'valid': 0, 'not_trusted': 1, 'modified': 2, 'invalid': 3}
ALLOWED_CHANGES = {
    ModificationLevel.NONE, ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING}
KEY_USAGE = KeyUsageConstraints(
    key_usage={'digital_signature', 'non_repudiation'},
    match_all_key_usages=False)
EXPIRY_INDICATIONS = {
    'EXPIRED', 'OUT_OF_BOUNDS_NO_POE', 'OUT_OF_BOUNDS_NOT_REVOKED',
    'NOT_YET_VALID'}


@dataclass(frozen=True)
class SignatureReport:
    """The result for one signature of a file."""

    field_name: str
    verdict: str
    "One of ``valid``, ``not_trusted``, ``modified``, ``invalid``."
    reason: str
    "Short English reason code: ``ok``, ``untrusted``, ``revoked``..."
    signer: str = ''
    "Common name of the signer's certificate."
    agency: str = ''
    "Organisation (O=) of the signer's certificate."
    signing_time: datetime | None = None
    "Timestamp token time if any, otherwise the time claimed by the signer."
    timestamped: bool = False
    subfilter: str = ''
    certificate_sha256: str = ''
    details: str = ''


@dataclass(frozen=True)
class Verdict:
    """The result for a file."""

    verdict: str
    "One of :data:`VERDICTS`."
    reason: str = ''
    signatures: tuple[SignatureReport, ...] = field(default=())

    @property
    def last(self) -> SignatureReport | None:
        return self.signatures[-1] if self.signatures else None

    @property
    def signers(self) -> str:
        return ', '.join(dict.fromkeys(
                s.signer for s in self.signatures if s.signer))


speedups.install()
# the signatures of files from outside are checked in the sandbox, whose
# children then find pyHanko imported
sandbox.preload(__name__)


def load_crl(data: bytes):
    """Parse a CRL in DER or PEM form.

    :raises ValueError: not a CRL.
    """
    from asn1crypto import crl as asn1_crl
    from asn1crypto import pem
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    try:
        crl = asn1_crl.CertificateList.load(data)
        _ = crl.native  # force parsing: a malformed CRL raises here
    except Exception as exception:
        raise ValueError(f"not a CRL: {exception}") from exception
    return crl


def _roots(trust_roots) -> list:
    roots = []
    for root in trust_roots:
        if isinstance(root, (bytes, bytearray, memoryview)):
            roots.extend(load_certs_from_pemder_data(bytes(root)))
        else:
            roots.append(root)
    return roots


def verify_pdf(
        data: bytes, trust_roots=(), crls=(), *,
        allow_fetching: bool = False,
        moment: datetime | None = None) -> Verdict:
    """Verify every signature of a PDF.

    :param data: the file.
    :param trust_roots: root certificates (DER/PEM bytes or asn1crypto
        certificates) the administrator trusts.
    :param crls: CRLs (DER/PEM bytes or parsed) imported by hand.
    :param allow_fetching: fetch CRLs and OCSP responses over the network.
    :param moment: validation time (default: now).
    :return: never raises for a bad file: its verdict is ``unreadable``.
    """
    try:
        reader = pdf_check.open_pdf(data)
        signatures = reader.embedded_regular_signatures
    except pdf_check.PdfProblem as problem:
        if problem.reason == 'broken':
            return Verdict('unreadable', 'broken', ())
        return Verdict('unreadable', problem.reason)
    except Exception:
        return Verdict('unreadable', 'broken', ())
    if not signatures:
        return Verdict('unsigned', 'no_signature')
    try:
        roots = _roots(trust_roots)
        crl_list = [
            load_crl(bytes(c)) if isinstance(c, (bytes, bytearray)) else c
            for c in crls]
    except Exception as exception:
        raise ValueError(str(exception)) from exception
    kwargs = dict(
        trust_roots=roots, crls=crl_list, allow_fetching=allow_fetching,
        revocation_mode='soft-fail', moment=moment)
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:
        dss = None
    if dss is not None:
        context = dss.as_validation_context(kwargs)
    else:
        context = ValidationContext(**kwargs)

    async def run():
        return [await _check(s, context) for s in signatures]

    reports = tuple(asyncio.run(run()))
    worst = max(reports, key=lambda r: SEVERITY[r.verdict])
    return Verdict(worst.verdict, worst.reason, reports)


def verify_pdfs_bounded(
        files: list[bytes], trust_roots=(), crls=(), *,
        allow_fetching: bool = False) -> list[Verdict]:
    """The verdicts of files, computed by verify_pdf in a child process of
    bounded memory and time (``[file_limits] sandbox_memory_mb`` and
    ``sandbox_timeout``): a file from outside that makes pyHanko run out
    of memory or loop is ``unreadable`` (reason ``memory``, ``timeout`` or
    ``crashed``), and the server goes on.  The trust material must be DER
    or PEM bytes.

    One child checks the whole batch, each distinct content once (a
    document sent to 400 agencies is one file copied 400 times); when the
    batch goes over a limit each file is checked again alone, so that one
    hostile file does not make the others unreadable."""
    unique = list(dict.fromkeys(bytes(f) for f in files))
    material = ([bytes(r) for r in trust_roots], [bytes(c) for c in crls],
        allow_fetching)
    verdicts = _bounded(_verify_in_child, unique, *material)
    if isinstance(verdicts, Verdict) and len(unique) > 1:
        verdicts = [_bounded(_verify_in_child, [data], *material)
            for data in unique]
        verdicts = [v if isinstance(v, Verdict) else v[0] for v in verdicts]
    elif isinstance(verdicts, Verdict):
        verdicts = [verdicts]
    by_content = dict(zip(unique, verdicts, strict=True))
    return [by_content[bytes(f)] for f in files]


def _bounded(function, *args):
    "function(*args) in the sandbox, or the unreadable Verdict of why not"
    current = limits()
    try:
        return sandbox.run(function, *args,
            memory_mb=current.sandbox_memory_mb,
            timeout=current.sandbox_timeout)
    except LimitExceeded as exceeded:
        return Verdict('unreadable', exceeded.code)
    except sandbox.SandboxError:
        return Verdict('unreadable', 'crashed')


def _verify_in_child(files, trust_roots, crls, allow_fetching):
    return [verify_pdf(data, trust_roots, crls, allow_fetching=allow_fetching)
        for data in files]


async def _check(signature, context: ValidationContext) -> SignatureReport:
    name = signature.field_name or ''
    try:
        subfilter = str(signature.sig_object.get('/SubFilter', ''))[1:]
    except Exception:
        subfilter = ''
    try:
        status = await async_validate_pdf_signature(
            signature, signer_validation_context=context,
            key_usage_settings=KEY_USAGE)
    except Exception as exception:
        return SignatureReport(
            name, 'invalid', 'error', subfilter=subfilter,
            details=str(exception) or repr(exception))
    cert = status.signing_cert
    subject = cert.subject.native if cert else {}
    signing_time = status.signer_reported_dt
    if status.timestamp_validity is not None:
        signing_time = status.timestamp_validity.timestamp
    report = dict(
        field_name=name, signer=_text(subject.get('common_name')),
        agency=_text(subject.get('organization_name')),
        signing_time=signing_time,
        timestamped=status.timestamp_validity is not None,
        subfilter=subfilter,
        certificate_sha256=cert.sha256.hex() if cert else '',
        details=status.summary())
    indication = (
        status.trust_problem_indic.name if status.trust_problem_indic
        else '')
    level = status.modification_level
    if not status.intact:
        verdict, reason = 'modified', 'digest_mismatch'
    elif not status.valid:
        verdict, reason = 'invalid', 'bad_signature'
    elif (status.coverage is None
            or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION
            or level is None or level not in ALLOWED_CHANGES
            or status.docmdp_ok is False):
        verdict, reason = 'modified', 'changed_after_signing'
    elif status.revoked or indication == 'REVOKED':
        verdict, reason = 'invalid', 'revoked'
    elif indication in EXPIRY_INDICATIONS:
        verdict, reason = 'invalid', 'expired'
    elif not status.trusted:
        verdict, reason = 'not_trusted', 'untrusted'
    elif not status.bottom_line:
        verdict, reason = 'invalid', indication.lower() or 'invalid'
    else:
        verdict, reason = 'valid', 'ok'
    return SignatureReport(verdict=verdict, reason=reason, **report)


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        value = ', '.join(str(v) for v in value)
    return str(value or '')
