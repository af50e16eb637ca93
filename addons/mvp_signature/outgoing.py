# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView
from trytond.modules.mvp_documents.protection import refuse
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.wizard import Button, StateView

from trytond.modules.mvp_documents.employee import user_employees

from .exceptions import SignatureAccessError, SignatureError
from .file import Sign

# The drafter signs a draft version; the leader signs the final PDF once
# the document is approved; the agency signs at release.
SIGN_KINDS = {
    'draft': 'personal',
    'approved': 'leader',
    'numbered': 'leader',
    }


class Outgoing(metaclass=PoolMeta):
    __name__ = 'mvp.outgoing'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'sign_wizard': {
                    'invisible': ~Eval('state').in_(list(SIGN_KINDS)),
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button_action('mvp_signature.wizard_outgoing_sign')
    def sign_wizard(cls, outgoings):
        pass

    @property
    def signature_kind(self):
        "The signature the document waits for in its state"
        return SIGN_KINDS.get(self.state)

    def file_to_sign(self):
        "Return the current PDF to sign: the draft, then the signed PDF"
        kinds = ['draft'] if self.state == 'draft' else ['signed', 'draft']
        for kind in kinds:
            pdfs = [f for f in self.current_files({kind}) if f._is_pdf()]
            if pdfs:
                return max(pdfs, key=lambda f: (f.version or 1, f.id))

    def check_signer(self, kind):
        "Raise unless the user may sign the document with kind now"
        if not kind or kind != self.signature_kind:
            refuse('mvp_signature.msg_outgoing_sign_state', [self],
                fields=['state'], error=SignatureError,
                outgoing=self.rec_name)
        employee = self.drafter if kind == 'personal' else self.signer
        if employee not in user_employees(self.company):
            refuse('mvp_signature.msg_outgoing_sign_%s' % kind, [self],
                error=SignatureAccessError, outgoing=self.rec_name,
                employee=employee.rec_name if employee else '-')

    def sign(self, kind, personal_key, passphrase):
        """Sign the current PDF with the personal key of the drafter
        (personal) or of the signer (leader) and return the new version"""
        self.check_signer(kind)
        file = self.file_to_sign()
        if not file:
            raise SignatureError(gettext(
                    'mvp_signature.msg_sign_no_file',
                    record=self.rec_name))
        return file.sign(
            kind, personal_key=personal_key, passphrase=passphrase)

    def _check_release(self):
        super()._check_release()
        # At release only: deliver checks again for late recipients
        if self.state == 'numbered' and self.release_mode != 'paper':
            self._check_agency_signature()

    def release_agency_key(self):
        "Return the agency key that signs the document at release"
        pool = Pool()
        AgencyKey = pool.get('mvp.signature.agency_key')
        keys = AgencyKey.search([
                ('company', '=', self.company.id),
                ('active', '=', True),
                ], order=[('id', 'ASC')], limit=1)
        return keys[0] if keys else None

    def release_pdfs(self):
        "Return the signed PDFs that receive the agency's signature"
        return [f for f in self.current_files({'signed'}) if f._is_pdf()]

    def appendix_pdfs(self):
        return [f for f in self.current_files({'appendix'}) if f._is_pdf()]

    def _check_agency_signature(self):
        pool = Pool()
        Configuration = pool.get('mvp.signature.configuration')
        key = self.release_agency_key()
        if not key:
            if Configuration(1).require_agency_signature:
                raise SignatureError(gettext(
                        'mvp_signature.msg_outgoing_no_agency_key',
                        outgoing=self.rec_name,
                        agency=self.company.rec_name))
            return
        key.check_user()
        # The agency signs only what the competent person signed
        # (Decree 30, art. 32.2.d).
        pdfs = self.release_pdfs()
        if not pdfs or not all(f.signature_count for f in pdfs):
            raise SignatureError(gettext(
                    'mvp_signature.msg_outgoing_not_signed',
                    outgoing=self.rec_name))

    @classmethod
    def _prepare_release(cls, outgoings):
        super()._prepare_release(outgoings)
        for outgoing in outgoings:
            if outgoing.release_mode != 'paper':
                outgoing._sign_release()

    def _sign_release(self):
        "Apply the agency's seal to the signed PDF and sign the appendixes"
        key = self.release_agency_key()
        if not key:
            return
        try:
            for file in self.release_pdfs():
                file.sign('seal', agency_key=key)
            for file in self.appendix_pdfs():
                file.sign('appendix', agency_key=key, notation=self.notation)
        except UserError as exception:
            raise SignatureError(gettext(
                    'mvp_signature.msg_outgoing_release_sign_failed',
                    outgoing=self.rec_name,
                    error=exception.message)) from exception


class OutgoingSign(Sign):
    "Sign Outgoing Document"
    __string__ = "Sign Outgoing Document"
    __name__ = 'mvp.outgoing.sign'
    start = StateView(
        'mvp.document.file.sign.start',
        'mvp_signature.outgoing_sign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Sign", 'sign', 'tryton-ok', default=True),
            ])

    def _file(self):
        self.record.check_signer(self._kind())
        return self.record.file_to_sign()

    def _kind(self):
        # The document's state decides, never the form
        return self.record.signature_kind
