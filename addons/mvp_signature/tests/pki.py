# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A test PKI generated at test time (no private key is ever committed).

root → intermediate → signers (an official, a leader, an agency, an
expired one, a revoked one listed in the intermediate's CRL), a
timestamping authority, and a look-alike root/intermediate/signer with
the same names but other keys.  Also a SoftHSM2 token holding the agency
key, in a temporary directory.
"""
import datetime as dt
import functools
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SOFTHSM_MODULE = next((p for p in (
            '/usr/lib/softhsm/libsofthsm2.so',
            '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so')
        if os.path.exists(p)), None)
# The name of SoftHSM2 in [mvp_signature] pkcs11_modules
SOFTHSM_NAME = 'softhsm'
PIN = '1234'
TOKEN = 'mvp-test'
PASSPHRASE = 'mật khẩu 123'


@dataclass
class Entity:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def der(self):
        return self.cert.public_bytes(serialization.Encoding.DER)

    def p12(self, chain, passphrase=PASSPHRASE):
        return pkcs12.serialize_key_and_certificates(
            b'key', self.key, self.cert, [c.cert for c in chain],
            serialization.BestAvailableEncryption(
                passphrase.encode('utf-8')))

    def key_pem(self):
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())


def _name(cn, o='UBND tỉnh Thái Bình'):
    return x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, 'VN'),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, o),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ])


@functools.cache
def _key(label):
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(subject, key, issuer=None, *, ca=False, pathlen=None,
        not_before=None, not_after=None, eku=None, crl_url=None):
    now = dt.datetime.now(dt.timezone.utc)
    issuer_name = issuer.cert.subject if issuer else subject
    issuer_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=30))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=pathlen),
            critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                key.public_key()), critical=False))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer.key.public_key()), critical=False)
    if ca:
        usage = dict(key_cert_sign=True, crl_sign=True,
            digital_signature=False, content_commitment=False)
    else:
        usage = dict(key_cert_sign=False, crl_sign=False,
            digital_signature=True, content_commitment=not eku)
    builder = builder.add_extension(x509.KeyUsage(
            key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False,
            **usage), critical=True)
    if eku:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(eku), critical=True)
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None, reasons=None, crl_issuer=None)]),
            critical=False)
    return Entity(key, builder.sign(issuer_key, hashes.SHA256()))


class Pki:
    "Certificates and keys of the test PKI"

    def __init__(self, crl_url='http://127.0.0.1:9/mvp-test-ca.crl'):
        now = dt.datetime.now(dt.timezone.utc)
        self.root = _cert(
            _name('Root CA Chính phủ (test)', 'Ban Cơ yếu Chính phủ'),
            _key('root'), ca=True, pathlen=1,
            not_after=now + dt.timedelta(days=3650))
        self.intermediate = _cert(
            _name('CA phục vụ các cơ quan (test)', 'Ban Cơ yếu Chính phủ'),
            _key('intermediate'), self.root, ca=True, pathlen=0,
            not_after=now + dt.timedelta(days=1800))
        ca = self.intermediate
        self.official = _cert(
            _name('Nguyễn Văn An'), _key('official'), ca, crl_url=crl_url)
        self.leader = _cert(
            _name('Trần Thị Bình'), _key('leader'), ca, crl_url=crl_url)
        self.agency = _cert(
            _name('Sở Thông tin và Truyền thông tỉnh Thái Bình'),
            _key('agency'), ca, crl_url=crl_url)
        self.expired = _cert(
            _name('Lê Văn Cũ'), _key('expired'), ca,
            not_before=now - dt.timedelta(days=400),
            not_after=now - dt.timedelta(days=35))
        self.revoked = _cert(
            _name('Phạm Thị Thu Hồi'), _key('revoked'), ca, crl_url=crl_url)
        self.tsa = _cert(
            _name('TSA (test)', 'Ban Cơ yếu Chính phủ'), _key('tsa'), ca,
            eku=[ExtendedKeyUsageOID.TIME_STAMPING])
        # Same names, other keys: must never be trusted.
        self.fake_root = _cert(
            self.root.cert.subject, _key('fake_root'), ca=True, pathlen=1)
        self.fake_intermediate = _cert(
            self.intermediate.cert.subject, _key('fake_intermediate'),
            self.fake_root, ca=True, pathlen=0)
        self.fake_official = _cert(
            self.official.cert.subject, _key('fake_official'),
            self.fake_intermediate)
        self.crl = self.make_crl([self.revoked])

    @property
    def chain(self):
        return [self.intermediate, self.root]

    @property
    def fake_chain(self):
        return [self.fake_intermediate, self.fake_root]

    def make_crl(self, revoked):
        now = dt.datetime.now(dt.timezone.utc)
        builder = (x509.CertificateRevocationListBuilder()
            .issuer_name(self.intermediate.cert.subject)
            .last_update(now - dt.timedelta(hours=1))
            .next_update(now + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.intermediate.key.public_key()), critical=False))
        for entity in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(entity.cert.serial_number)
                .revocation_date(now - dt.timedelta(days=1))
                .build())
        crl = builder.sign(self.intermediate.key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.DER)


@functools.cache
def pki():
    return Pki()


def sample_pdf(pages=2, title='CÔNG VĂN'):
    "A Vietnamese A4 PDF made with reportlab"
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from trytond.modules.mvp_signature import pades
    regular, bold, _ = pades._fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for page in range(pages):
        canvas.setFont(bold, 13)
        canvas.drawCentredString(
            A4[0] / 2, A4[1] - 80, 'ỦY BAN NHÂN DÂN TỈNH THÁI BÌNH')
        canvas.drawCentredString(A4[0] / 2, A4[1] - 120, title)
        canvas.setFont(regular, 12)
        for i in range(30):
            canvas.drawString(
                70, A4[1] - 160 - 18 * i,
                f'Trang {page + 1}, dòng {i + 1}: Về việc triển khai '
                'văn bản điện tử liên thông.')
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class SoftHsm:
    "A SoftHSM2 token in a temporary directory, holding the agency key"

    def __init__(self, entities):
        self.directory = tempfile.mkdtemp(prefix='mvp-softhsm-')
        tokens = os.path.join(self.directory, 'tokens')
        os.mkdir(tokens)
        self.conf = os.path.join(self.directory, 'softhsm2.conf')
        with open(self.conf, 'w') as file:
            file.write(
                f'directories.tokendir = {tokens}\n'
                'objectstore.backend = file\nlog.level = ERROR\n')
        os.environ['SOFTHSM2_CONF'] = self.conf
        self._run('softhsm2-util', '--init-token', '--free',
            '--label', TOKEN, '--pin', PIN, '--so-pin', '4321')
        for i, (label, entity) in enumerate(entities.items(), 1):
            key = os.path.join(self.directory, f'{label}.pem')
            cert = os.path.join(self.directory, f'{label}.der')
            with open(key, 'wb') as file:
                file.write(entity.key_pem())
            with open(cert, 'wb') as file:
                file.write(entity.der)
            self._run('softhsm2-util', '--import', key, '--token', TOKEN,
                '--label', label, '--id', f'{i:02x}', '--pin', PIN)
            self._run('pkcs11-tool', '--module', SOFTHSM_MODULE,
                '--token-label', TOKEN, '--login', '--pin', PIN,
                '--write-object', cert, '--type', 'cert',
                '--id', f'{i:02x}', '--label', label)
            os.unlink(key)

    def _run(self, *args):
        subprocess.run(args, check=True, capture_output=True,
            env={**os.environ, 'SOFTHSM2_CONF': self.conf})

    def cleanup(self):
        shutil.rmtree(self.directory, ignore_errors=True)


@functools.cache
def softhsm():
    configure_softhsm()
    return SoftHsm({'agency': pki().agency})


def configure_softhsm():
    """List SoftHSM2 among the PKCS#11 modules the server may load, as a
    trytond.conf would: ``[mvp_signature] pkcs11_modules = softhsm=...``"""
    from trytond import config
    if not config.has_section('mvp_signature'):
        config.add_section('mvp_signature')
    config.set('mvp_signature', 'pkcs11_modules',
        '%s=%s' % (SOFTHSM_NAME, SOFTHSM_MODULE or ''))


def has_softhsm():
    return bool(SOFTHSM_MODULE and shutil.which('softhsm2-util')
        and shutil.which('pkcs11-tool'))
