# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import base64
import datetime as dt
from types import SimpleNamespace

from pyhanko_certvalidator import ValidationContext

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents.protection import (
    ServerFieldsMixin, refuse)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.rpc import RPC
from trytond.transaction import (
    Transaction, check_access, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import keys, pades, verify
from .exceptions import (
    SignatureAccessError, SignatureError, SignatureKeyError)
from .key import is_leader
from .trust import trust_material

PDF = 'application/pdf'
VERDICTS = [
    (None, ""),
    ('valid', "Valid"),
    ('not_trusted', "Not Trusted"),
    ('modified', "Changed After Signing"),
    ('invalid', "Invalid"),
    ('unsigned', "No Signature"),
    ('unreadable', "Unreadable"),
    ]
# A user signs with their own key; the agency's key signs only when an
# outgoing document is released (Outgoing._sign_release).
SIGN_KINDS = [
    ('personal', "Personal Signature"),
    ('leader', "Leader's Signature"),
    ]
SIGNATURE_FIELDS = frozenset({
        'signature_verdict', 'signature_reason', 'signature_signer',
        'signature_agency', 'signature_time', 'signature_count',
        'signature_checked', 'signature_report'})


def _naive(value):
    if value and value.tzinfo:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _employee(user, company):
    for employee in user.employees:
        if employee.company == company:
            return employee


def _readable(record):
    "Tell whether the current user may read record (access and rules)"
    with check_access():
        try:
            return bool(record.__class__.search(
                    [('id', '=', record.id)], count=True))
        except AccessError:
            return False


def _writable(record):
    "Tell whether the current user may change record (access and rules)"
    pool = Pool()
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    with check_access():
        if not ModelAccess.check(
                record.__name__, 'write', raise_exception=False):
            return False
        domain = Rule.domain_get(record.__name__, mode='write')
        return bool(record.__class__.search(
                [('id', '=', record.id), domain or []], count=True))


class DocumentFile(ServerFieldsMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.file'
    # Every PDF is verified when uploaded; a signed PDF is locked and can
    # only be superseded by a new version.  The verdicts are the server's.
    signature_verdict = fields.Selection(
        VERDICTS, "Signature", readonly=True)
    signature_reason = fields.Char("Verification Detail", readonly=True)
    signature_signer = fields.Char("Signers", readonly=True)
    signature_agency = fields.Char("Signing Agency", readonly=True)
    signature_time = fields.DateTime("Signing Time", readonly=True)
    signature_count = fields.Integer("Signatures", readonly=True)
    signature_checked = fields.DateTime("Verified On", readonly=True)
    signature_report = fields.Text("Verification Report", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._server_fields = cls._server_fields | SIGNATURE_FIELDS
        cls._buttons.update({
                'verify_signatures': {
                    'invisible': Eval('mimetype') != PDF,
                    'depends': ['mimetype'],
                    },
                'sign_wizard': {
                    'invisible': ((Eval('mimetype') != PDF)
                        | Bool(Eval('superseded_by'))),
                    'depends': ['mimetype', 'superseded_by'],
                    },
                })

    def _is_pdf(self):
        return self.mimetype == PDF or (
            (self.name or '').lower().endswith('.pdf'))

    @classmethod
    def create(cls, vlist):
        files = super().create(vlist)
        cls._verify([f for f in files if f._is_pdf()])
        return files

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        changed = []
        for files, values in zip(actions, actions, strict=True):
            if 'data' in values:
                changed.extend(files)
        cls._verify([f for f in cls.browse(changed) if f._is_pdf()])

    @classmethod
    @ModelView.button
    def verify_signatures(cls, files):
        cls._verify(files)

    @classmethod
    @ModelView.button_action('mvp_signature.wizard_document_file_sign')
    def sign_wizard(cls, files):
        pass

    @classmethod
    def _verify(cls, files):
        "Verify files, store the verdicts and lock the signed ones"
        pool = Pool()
        Configuration = pool.get('mvp.signature.configuration')
        if not files:
            return
        roots, crls = trust_material()
        fetch = bool(Configuration(1).allow_fetching)
        now = dt.datetime.now()
        args, signed = [], []
        results = verify.verify_pdfs_bounded(
            [bytes(f.data or b'') for f in files], roots, crls,
            allow_fetching=fetch)
        for file, result in zip(files, results, strict=True):
            last = result.last
            args.extend(([file], {
                        'signature_verdict': result.verdict,
                        'signature_reason': result.reason,
                        'signature_signer': result.signers or None,
                        'signature_agency': last.agency if last else None,
                        'signature_time': _naive(
                            last.signing_time) if last else None,
                        'signature_count': len(result.signatures),
                        'signature_checked': now,
                        'signature_report': cls._report(result) or None,
                        }))
            if result.signatures and not file.locked:
                signed.append(file)
        # Verification is the system's, not the user's, act.
        with without_check_access():
            super().write(*args)
            if signed:
                cls.lock(signed)

    @staticmethod
    def _report(result):
        lines = []
        for report in result.signatures:
            lines.append('%s: %s (%s) %s; %s; %s; %s' % (
                    report.field_name, report.verdict, report.reason,
                    report.signer, report.agency,
                    pades.iso_time(report.signing_time)
                    if report.signing_time else '-',
                    report.subfilter))
        return '\n'.join(lines)

    def check_may_sign(self, kind):
        """Refuse unless the current user may sign the file with kind

        The user signs with their own key only (personal or leader's
        signature), a file they may read, of a document they may read and
        change; a file of an outgoing document is signed as the document
        says (the drafter its draft, the signer once approved), and a
        leader's signature elsewhere is a leader's of the file's agency.
        """
        pool = Pool()
        User = pool.get('res.user')
        user = User(Transaction().user)
        if kind not in dict(SIGN_KINDS):
            refuse('mvp_signature.msg_sign_kind_not_allowed', [self],
                fields=['kind'], error=SignatureAccessError, kind=kind)
        document = self.resource
        if (not _readable(self) or not document
                or not _readable(document)):
            refuse('mvp_signature.msg_sign_file_not_readable', [self],
                error=SignatureAccessError, file=self.id)
        if document.__name__ == 'mvp.outgoing':
            document.check_signer(kind)
            if document.file_to_sign() != self:
                refuse('mvp_signature.msg_sign_not_file_to_sign', [self],
                    error=SignatureAccessError, file=self.rec_name,
                    outgoing=document.rec_name)
            return
        if not _writable(document):
            refuse('mvp_signature.msg_sign_document_readonly', [self],
                error=SignatureAccessError, file=self.rec_name)
        if kind == 'leader' and not is_leader(user, self.company):
            refuse('mvp_signature.msg_sign_leader_only', [self],
                fields=['kind'], error=SignatureAccessError,
                agency=self.company.rec_name)

    def _check_signable(self):
        if self.superseded_by:
            raise SignatureError(gettext(
                    'mvp_signature.msg_file_superseded', file=self.rec_name))
        try:
            pades.open_pdf(bytes(self.data or b''))
        except pades.PdfError as exception:
            raise SignatureError(gettext(
                    'mvp_signature.msg_file_not_pdf',
                    file=self.rec_name)) from exception

    def _appearance(self, kind, user, personal_key=None, agency_key=None):
        employee = _employee(user, self.company)
        name = employee.party.name if employee else user.name
        title = (employee.position or '') if employee else ''
        agency = self.company.party.name
        if kind == 'personal':
            return pades.Appearance(
                'personal', name=name, title=title, agency=agency)
        if kind == 'leader':
            image = personal_key.signature_image if personal_key else None
            return pades.Appearance(
                'leader', name=name, title=title,
                image=bytes(image) if image else None)
        if kind == 'seal':
            image = agency_key.seal_image if agency_key else None
            return pades.Appearance(
                'seal', agency=agency, image=bytes(image) if image else None)

    @classmethod
    def _validation_context(cls):
        pool = Pool()
        Configuration = pool.get('mvp.signature.configuration')
        config = Configuration(1)
        roots, crls = trust_material()
        if not config.embed_revocation or not roots:
            return None
        return ValidationContext(
            trust_roots=verify._roots(roots),
            crls=[verify.load_crl(c) for c in crls],
            allow_fetching=bool(config.allow_fetching))

    @staticmethod
    def _check_certificate(signer, config):
        "Refuse a certificate that is expired, revoked or not trusted"
        roots, crls = trust_material()
        problem = keys.check_certificate(
            signer, roots, crls, allow_fetching=bool(config.allow_fetching))
        if problem:
            raise SignatureKeyError(gettext(
                    'mvp_signature.msg_certificate_' + problem,
                    subject=signer.signing_cert.subject.human_friendly))

    @classmethod
    def _log(cls, vlist):
        "Audit signatures (art. 12.4): users cannot write the log"
        pool = Pool()
        Log = pool.get('mvp.signature.log')
        with without_check_access():
            Log.create(vlist)

    def sign(self, kind, personal_key=None, passphrase=None,
            agency_key=None, pin=None, notation=None):
        """Sign the file and return the new, locked version.

        kind: 'personal' or 'leader' (with personal_key and its passphrase,
        never stored), 'seal' or 'appendix' (with agency_key, which the
        user must be allowed to use; appendix needs the notation).
        """
        pool = Pool()
        User = pool.get('res.user')
        Configuration = pool.get('mvp.signature.configuration')
        user = User(Transaction().user)
        self._check_signable()
        if kind in {'personal', 'leader'}:
            if not personal_key:
                raise SignatureError(gettext(
                        'mvp_signature.msg_sign_personal_key_required'))
            signer = personal_key.signer(passphrase)
        else:
            if not agency_key:
                raise SignatureError(gettext(
                        'mvp_signature.msg_sign_agency_key_required'))
            if agency_key.company != self.company:
                raise SignatureAccessError(gettext(
                        'mvp_signature.msg_agency_key_other_agency',
                        key=agency_key.rec_name, file=self.rec_name))
            agency_key.check_user(user)
            signer = agency_key.signer(pin)
        if kind == 'appendix' and not notation:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_notation_required'))
        config = Configuration(1)
        self._check_certificate(signer, config)
        try:
            result = pades.sign_pdf(
                bytes(self.data), signer,
                appearance=self._appearance(
                    kind, user, personal_key, agency_key),
                header=notation if kind == 'appendix' else None,
                timestamp_url=config.timestamp_url or None,
                validation_context=self._validation_context())
        except pades.PdfError as exception:
            raise SignatureError(gettext(
                    'mvp_signature.msg_file_not_pdf',
                    file=self.rec_name)) from exception
        except pades.SignError as exception:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_failed',
                    file=self.rec_name, error=str(exception))) from exception
        # A signed draft stays a draft; the leader's and the agency's
        # signatures make the signed document.
        new_kind = {
            'appendix': 'appendix',
            'personal': self.kind,
            }.get(kind, 'signed')
        new = self.supersede(result.data, kind=new_kind)
        self._log([{
                    'company': self.company.id,
                    'date': dt.datetime.now(),
                    'user': user.id,
                    'kind': kind,
                    'agency_key': agency_key.id if agency_key else None,
                    'personal_key': (
                        personal_key.id if personal_key else None),
                    'file': new.id,
                    'source': self.id,
                    'subject': signer.signing_cert.subject.human_friendly,
                    'level': result.level,
                    }])
        return new


class SignStart(ModelView):
    "Sign File"
    __string__ = "Sign File"
    __name__ = 'mvp.document.file.sign.start'
    file = fields.Many2One('mvp.document.file', "File", readonly=True)
    company = fields.Many2One('company.company', "Agency", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    kind = fields.Selection(SIGN_KINDS, "Signature", required=True)
    personal_key = fields.Many2One(
        'mvp.signature.personal_key', "Personal Key",
        domain=[('user', '=', Eval('user', -1))],
        states={
            'invisible': ~Eval('kind').in_(['personal', 'leader']),
            'required': Eval('kind').in_(['personal', 'leader']),
            })
    # _secret: trytond's RPC log masks it in the wizard's form values
    passphrase_secret = fields.Char(
        "Passphrase", strip=False,
        states={
            'invisible': ~Eval('kind').in_(['personal', 'leader']),
            'required': Eval('kind').in_(['personal', 'leader']),
            },
        help="Typed for this signature only; never stored.")


class Sign(Wizard):
    "Sign File"
    __string__ = "Sign File"
    __name__ = 'mvp.document.file.sign'
    start = StateView(
        'mvp.document.file.sign.start',
        'mvp_signature.document_file_sign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Sign", 'sign', 'tryton-ok', default=True),
            ])
    sign = StateTransition()

    def _file(self):
        "Return the file to sign"
        return self.record

    def _kind(self):
        "Return the kind of signature the record asks for, if it decides"
        return None

    def default_start(self, fields):
        pool = Pool()
        PersonalKey = pool.get('mvp.signature.personal_key')
        user = Transaction().user
        file = self._file()
        if not file:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_no_file',
                    record=self.record.rec_name))
        personal = PersonalKey.search([
                ('user', '=', user), ('active', '=', True),
                ], limit=1)
        return {
            'file': file.id,
            'company': file.company.id,
            'user': user,
            'kind': self._kind() or 'personal',
            'personal_key': personal[0].id if personal else None,
            }

    def _checked(self):
        """Return the file, kind and personal key to sign with, checked
        with the user's rights

        Over RPC a wizard runs without access checks and its form comes
        from the client: the file is the record the wizard was opened on,
        never the form's, and the key must be the user's own.
        """
        pool = Pool()
        PersonalKey = pool.get('mvp.signature.personal_key')
        if not self.record:
            refuse('mvp_signature.msg_sign_no_record', [],
                model=self.__name__, error=SignatureAccessError)
        file = self._file()
        kind = self._kind() or self.start.kind
        if not file:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_no_file',
                    record=self.record.rec_name))
        if self.start.file and self.start.file != file:
            refuse('mvp_signature.msg_sign_other_file', [file],
                fields=['file'], error=SignatureAccessError)
        file.check_may_sign(kind)
        key = self.start.personal_key
        if not key or not _readable(key):
            refuse('mvp_signature.msg_personal_key_not_owner',
                [key] if key else [], fields=['personal_key'],
                model=PersonalKey.__name__, error=SignatureAccessError,
                key=key.id if key else '')
        key = PersonalKey(key.id)
        if key.user.id != Transaction().user or not key.active:
            refuse('mvp_signature.msg_personal_key_not_owner', [key],
                fields=['personal_key'], error=SignatureAccessError,
                key=key.id)
        return file, kind, key

    def transition_sign(self):
        passphrase = self.start.passphrase_secret
        # The passphrase must not be saved with the wizard state.
        self.start.passphrase_secret = None
        file, kind, key = self._checked()
        file.sign(kind, personal_key=key, passphrase=passphrase)
        return 'end'

    def end(self):
        return 'reload'


class SignatureRequest(ModelSQL, ModelView):
    "External Signature Request"
    __string__ = "External Signature Request"
    __name__ = 'mvp.signature.request'
    # Signing with a USB token on the official's computer:
    #
    # 1. the signing app calls prepare_external(file_id, certificate,
    #    chain, kind) with the token's certificate (base64 DER) and gets
    #    {'id', 'to_sign', 'digest', 'algorithm'};
    # 2. the token signs to_sign (base64 DER signed attributes) with
    #    SHA-256 and RSA PKCS#1 v1.5, or signs the ready SHA-256 digest
    #    (hex) of it;
    # 3. the app calls complete_external(id, signature) with the base64
    #    signature value and gets the id of the new signed file version.
    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True)
    file = fields.Many2One(
        'mvp.document.file', "File", required=True, readonly=True,
        ondelete='CASCADE')
    user = fields.Many2One('res.user', "User", required=True, readonly=True)
    kind = fields.Selection([
            ('personal', "Personal Signature"),
            ('leader', "Leader's Signature"),
            ], "Kind", required=True, readonly=True)
    state = fields.Selection([
            ('waiting', "Waiting"),
            ('signed', "Signed"),
            ], "State", required=True, readonly=True)
    subject = fields.Char("Certificate", readonly=True)
    digest = fields.Char("Digest", readonly=True)
    prepared = fields.Binary("Prepared PDF", readonly=True)
    signed_attrs = fields.Binary("Signed Attributes", readonly=True)
    document_digest = fields.Binary("Document Digest", readonly=True)
    region_start = fields.Integer("Region Start", readonly=True)
    region_end = fields.Integer("Region End", readonly=True)
    certificate = fields.Binary("Certificate", readonly=True)
    chain = fields.Binary("Chain", readonly=True)
    signed_file = fields.Many2One(
        'mvp.document.file', "Signed File", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'prepare_external': RPC(readonly=False),
                'complete_external': RPC(readonly=False),
                })

    @classmethod
    def default_state(cls):
        return 'waiting'

    @classmethod
    def prepare_external(cls, file_id, certificate, chain=None,
            kind='personal'):
        """Lay out the signature of a file for an external signer.

        certificate: base64 DER of the signer's certificate; chain: list of
        base64 DER CA certificates.  Return a dict with id, to_sign
        (base64), digest (hex SHA-256 of to_sign) and algorithm.
        """
        pool = Pool()
        File = pool.get('mvp.document.file')
        User = pool.get('res.user')
        if kind not in {'personal', 'leader'}:
            raise SignatureError(gettext(
                    'mvp_signature.msg_external_kind', kind=kind))
        file = File(int(file_id))
        user = User(Transaction().user)
        file.check_may_sign(kind)
        file._check_signable()
        try:
            cert = base64.b64decode(certificate)
            chain = tuple(base64.b64decode(c) for c in chain or ())
            file._check_certificate(SimpleNamespace(
                    signing_cert=keys.load_certificate(cert),
                    cert_registry=[
                        keys.load_certificate(c) for c in chain]),
                Pool().get('mvp.signature.configuration')(1))
            prepared = pades.prepare_external(
                bytes(file.data), cert, chain,
                appearance=file._appearance(kind, user))
        except pades.SignError as exception:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_failed',
                    file=file.rec_name, error=str(exception))) from exception
        except ValueError as exception:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_failed',
                    file=file.rec_name, error=str(exception))) from exception
        from asn1crypto import x509
        with without_check_access():
            request, = cls.create([{
                    'company': file.company.id,
                    'file': file.id,
                    'user': user.id,
                    'kind': kind,
                    'subject': x509.Certificate.load(
                        prepared.signing_cert).subject.human_friendly,
                    'digest': prepared.digest.hex(),
                    'prepared': prepared.pdf,
                    'signed_attrs': prepared.signed_attrs,
                    'document_digest': prepared.document_digest,
                    'region_start': prepared.reserved_region_start,
                    'region_end': prepared.reserved_region_end,
                    'certificate': prepared.signing_cert,
                    'chain': b''.join(_pem(c) for c in prepared.chain),
                    }])
        return {
            'id': request.id,
            'to_sign': base64.b64encode(prepared.signed_attrs).decode(),
            'digest': prepared.digest.hex(),
            'algorithm': 'sha256WithRSAEncryption',
            }

    @classmethod
    def complete_external(cls, request_id, signature):
        """Embed the signature value (base64) and return the id of the new
        signed version of the file."""
        request = cls(int(request_id))
        if (not _readable(request) or request.state != 'waiting'
                or request.user.id != Transaction().user):
            refuse('mvp_signature.msg_external_not_waiting', [request],
                error=SignatureAccessError)
        request.file.check_may_sign(request.kind)
        request.file._check_signable()
        from pyhanko.keys import load_certs_from_pemder_data
        chain = tuple(
            c.dump() for c in load_certs_from_pemder_data(
                bytes(request.chain))) if request.chain else ()
        prepared = pades.PreparedSignature(
            pdf=bytes(request.prepared),
            signed_attrs=bytes(request.signed_attrs),
            digest=bytes.fromhex(request.digest),
            document_digest=bytes(request.document_digest),
            reserved_region_start=request.region_start,
            reserved_region_end=request.region_end,
            signing_cert=bytes(request.certificate), chain=chain)
        try:
            data = pades.finish_external(
                prepared, base64.b64decode(signature))
        except (pades.SignError, ValueError) as exception:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_failed',
                    file=request.file.rec_name,
                    error=str(exception))) from exception
        new = request.file.supersede(data, kind='signed')
        with without_check_access():
            cls.write([request], {
                    'state': 'signed', 'signed_file': new.id,
                    'prepared': None, 'signed_attrs': None})
        request.file._log([{
                    'company': request.company.id,
                    'date': dt.datetime.now(),
                    'user': request.user.id,
                    'kind': 'external',
                    'file': new.id,
                    'source': request.file.id,
                    'subject': request.subject,
                    'level': 'B-B',
                    }])
        return new.id


def _pem(der):
    from asn1crypto import pem
    return pem.armor('CERTIFICATE', der)
