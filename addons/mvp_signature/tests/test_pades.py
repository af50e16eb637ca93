# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Signing and verification with a test PKI (pyHanko style)."""
import io
import shutil
import subprocess
import tempfile
import unittest

from trytond.modules.mvp_signature import keys, pades, verify
from trytond.modules.mvp_signature.tests import pki as test_pki
from trytond.modules.mvp_signature.tests import tools

need_pdfsig = unittest.skipUnless(
    shutil.which('pdfsig'), "pdfsig (poppler-utils) is not installed")
need_softhsm = unittest.skipUnless(
    test_pki.has_softhsm(), "softhsm2 and opensc are not installed")


def p12_signer(entity, chain=None):
    pki = test_pki.pki()
    return keys.load_pkcs12(
        entity.p12(chain or pki.chain), test_pki.PASSPHRASE)


def roots():
    return [test_pki.pki().root.der]


def check(data, **kwargs):
    kwargs.setdefault('trust_roots', roots())
    kwargs.setdefault('crls', [test_pki.pki().crl])
    return verify.verify_pdf(data, **kwargs)


class SignatureTestMixin:

    def assertOtherToolsAccept(self, data, signatures):
        "pdfsig and pyHanko's command line accept every signature"
        if shutil.which('pdfsig') or tools.CI:
            output = tools.pdfsig(data, test_pki.pki().root)
            self.assertEqual(
                output.count('Signature Validation: Signature is Valid.'),
                signatures, output)
            self.assertIn('Total document signed', output)
            if shutil.which('certutil') or tools.CI:
                self.assertEqual(
                    output.count('Certificate is Trusted.'),
                    signatures, output)
        if tools.pyhanko_cli_path() or tools.CI:
            code, output = tools.pyhanko_cli(data, test_pki.pki().root)
            self.assertEqual(code, 0, output)
            self.assertEqual(output.count('VALID'), signatures, output)
            self.assertNotIn('INVALID', output)


class SigningTestCase(SignatureTestMixin, unittest.TestCase):
    "Signing PDF files"

    def test_personal_signature_is_valid_with_signer_and_agency(self):
        pki = test_pki.pki()
        result = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.official),
            appearance=pades.Appearance(
                'personal', name='Nguyễn Văn An', title='Chuyên viên',
                agency='Sở Thông tin và Truyền thông'))

        verdict = check(result.data)

        self.assertEqual(result.level, 'B-B')
        self.assertEqual(verdict.verdict, 'valid')
        self.assertEqual(verdict.last.signer, 'Nguyễn Văn An')
        self.assertEqual(verdict.last.agency, 'UBND tỉnh Thái Bình')
        self.assertEqual(verdict.last.subfilter, 'ETSI.CAdES.detached')
        self.assertOtherToolsAccept(result.data, 1)

    def test_draft_leader_and_seal_signatures_are_all_valid(self):
        pki = test_pki.pki()
        data = test_pki.sample_pdf()
        for entity, appearance in [
                (pki.official, pades.Appearance(
                        'personal', name='Nguyễn Văn An')),
                (pki.leader, pades.Appearance(
                        'leader', name='Trần Thị Bình', title='Giám đốc')),
                (pki.agency, pades.Appearance(
                        'seal', agency='Sở Thông tin và Truyền thông')),
                ]:
            data = pades.sign_pdf(
                data, p12_signer(entity), appearance=appearance).data

        verdict = check(data)

        self.assertEqual(verdict.verdict, 'valid')
        self.assertEqual(
            [s.verdict for s in verdict.signatures], ['valid'] * 3)
        self.assertEqual(
            [s.field_name for s in verdict.signatures],
            ['Signature1', 'Signature2', 'Signature3'])
        self.assertEqual(
            verdict.signers,
            'Nguyễn Văn An, Trần Thị Bình, '
            'Sở Thông tin và Truyền thông tỉnh Thái Bình')
        self.assertOtherToolsAccept(data, 3)

    def test_stamps_carry_vietnamese_text(self):
        if not shutil.which('pdftotext'):
            self.skipTest("pdftotext (poppler-utils) is not installed")
        for appearance, expected in [
                (pades.Appearance(
                        'personal', name='Nguyễn Văn An',
                        title='Chuyên viên'),
                    ['Ký bởi: Nguyễn Văn An', 'Chức vụ: Chuyên viên',
                        'Thời gian ký:']),
                (pades.Appearance(
                        'leader', name='Trần Thị Bình',
                        title='Phó Giám đốc'),
                    ['PHÓ GIÁM ĐỐC', 'Trần Thị Bình']),
                (pades.Appearance(
                        'seal', agency='Sở Thông tin và Truyền thông'),
                    ['Sở Thông tin và Truyền thông']),
                ]:
            with self.subTest(appearance.style):
                # a wider font (DejaVu) wraps the agency's name: compare
                # the words, not the lines
                text = ' '.join(
                    pdftotext(pades.render_stamp(appearance)).split())
                for line in expected:
                    self.assertIn(line, text)

    def test_appendix_gets_invisible_signature_and_notation_top_right(self):
        pki = test_pki.pki()
        result = pades.sign_pdf(
            test_pki.sample_pdf(1, 'PHỤ LỤC'), p12_signer(pki.agency),
            header='12/QĐ-STTTT')

        verdict = check(result.data)

        self.assertEqual(verdict.verdict, 'valid')
        iso = pades.iso_time(result.signing_time)
        self.assertTrue(iso.endswith('+07:00'), iso)
        if shutil.which('pdftotext'):
            # the top right corner of page 1 (A4: 595 x 842 points)
            text = pdftotext(
                result.data, '-x', '380', '-y', '0', '-W', '215', '-H', '80',
                '-r', '72')
            self.assertIn('12/QĐ-STTTT', text)
            self.assertIn(iso, text)
        reader = pades.open_pdf(result.data)
        field = reader.embedded_signatures[0].sig_field
        self.assertEqual(
            [float(v) for v in field.get('/Rect', [0, 0, 0, 0])], [0] * 4)
        self.assertOtherToolsAccept(result.data, 1)

    def test_adbe_pkcs7_detached_is_verified(self):
        pki = test_pki.pki()
        result = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.official), pades=False)

        verdict = check(result.data)

        self.assertEqual(verdict.verdict, 'valid')
        self.assertEqual(verdict.last.subfilter, 'adbe.pkcs7.detached')
        self.assertOtherToolsAccept(result.data, 1)

    def test_timestamp_authority_gives_pades_b_t(self):
        pki = test_pki.pki()
        server = tools.TimestampServer(pki.tsa, pki.chain)
        self.addCleanup(server.stop)

        result = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.official),
            timestamp_url=server.url)
        verdict = check(result.data)

        self.assertEqual(result.level, 'B-T')
        self.assertEqual(verdict.verdict, 'valid')
        self.assertTrue(verdict.last.timestamped)
        self.assertOtherToolsAccept(result.data, 1)

    def test_known_revocation_data_is_embedded_as_b_lt(self):
        from pyhanko_certvalidator import ValidationContext
        pki = test_pki.pki()
        context = ValidationContext(
            trust_roots=verify._roots(roots()),
            crls=[verify.load_crl(pki.crl)], allow_fetching=False)

        result = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.official),
            validation_context=context)

        self.assertEqual(result.level, 'B-LT')
        # the CRL embedded in the document suffices to check revocation
        self.assertEqual(check(result.data, crls=[]).verdict, 'valid')

    def test_non_pdf_and_encrypted_files_cannot_be_signed(self):
        signer = p12_signer(test_pki.pki().official)
        for data in [b'hello', test_pki.sample_pdf()[:300], encrypted_pdf()]:
            with self.subTest(data=data[:10]):
                with self.assertRaises(pades.PdfError):
                    pades.sign_pdf(data, signer)


class KeysTestCase(SignatureTestMixin, unittest.TestCase):
    "Keys in PKCS#12 files, PKCS#11 tokens and external signing"

    def test_wrong_passphrase_is_refused(self):
        pki = test_pki.pki()
        with self.assertRaises(keys.WrongPassphraseError):
            keys.load_pkcs12(pki.official.p12(pki.chain), 'sai mật khẩu')
        with self.assertRaises(keys.WrongPassphraseError):
            keys.load_pkcs12(b'not a p12', test_pki.PASSPHRASE)

    @need_softhsm
    def test_agency_key_in_softhsm_signs_a_valid_seal(self):
        pki = test_pki.pki()
        hsm = test_pki.softhsm()
        signer = keys.pkcs11_signer(
            keys.Pkcs11Config(
                test_pki.SOFTHSM_MODULE, test_pki.TOKEN, 'agency',
                test_pki.PIN),
            extra_certs=tuple(c.der for c in pki.chain))
        self.assertTrue(hsm.directory)

        result = pades.sign_pdf(
            test_pki.sample_pdf(), signer,
            appearance=pades.Appearance('seal', agency='Sở TT&TT'))
        verdict = check(result.data)

        self.assertEqual(verdict.verdict, 'valid')
        self.assertEqual(
            verdict.last.signer,
            'Sở Thông tin và Truyền thông tỉnh Thái Bình')
        self.assertOtherToolsAccept(result.data, 1)

    @need_softhsm
    def test_missing_token_key_or_wrong_pin_is_refused(self):
        test_pki.softhsm()
        for config in [
                keys.Pkcs11Config(
                    test_pki.SOFTHSM_MODULE, 'no-such-token', 'agency',
                    test_pki.PIN),
                keys.Pkcs11Config(
                    test_pki.SOFTHSM_MODULE, test_pki.TOKEN, 'no-such-key',
                    test_pki.PIN),
                keys.Pkcs11Config(
                    test_pki.SOFTHSM_MODULE, test_pki.TOKEN, 'agency',
                    '0000'),
                keys.Pkcs11Config(
                    '/nonexistent/libpkcs11.so', test_pki.TOKEN, 'agency',
                    test_pki.PIN),
                ]:
            with self.subTest(config=config):
                with self.assertRaises(keys.TokenError):
                    keys.pkcs11_signer(config)

    def test_external_signing_of_the_digest_gives_a_valid_signature(self):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
        pki = test_pki.pki()
        prepared = pades.prepare_external(
            test_pki.sample_pdf(), pki.official.der,
            tuple(c.der for c in pki.chain),
            appearance=pades.Appearance('personal', name='Nguyễn Văn An'))

        # The USB token signs the pre-computed SHA-256 digest.
        value = pki.official.key.sign(
            prepared.digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        data = pades.finish_external(prepared, value)
        verdict = check(data)

        self.assertEqual(verdict.verdict, 'valid')
        self.assertEqual(verdict.last.signer, 'Nguyễn Văn An')
        self.assertOtherToolsAccept(data, 1)

    def test_external_signature_by_another_key_is_refused(self):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding
        pki = test_pki.pki()
        prepared = pades.prepare_external(
            test_pki.sample_pdf(), pki.official.der)
        value = pki.leader.key.sign(
            prepared.signed_attrs, padding.PKCS1v15(), hashes.SHA256())
        with self.assertRaises(pades.SignError):
            pades.finish_external(prepared, value)


    def test_expired_revoked_and_untrusted_certificates_are_refused(self):
        pki = test_pki.pki()
        for entity, chain, expected in [
                (pki.official, None, None),
                (pki.expired, None, 'expired'),
                (pki.revoked, None, 'revoked'),
                (pki.fake_official, pki.fake_chain, 'untrusted'),
                ]:
            with self.subTest(expected=expected):
                self.assertEqual(keys.check_certificate(
                        p12_signer(entity, chain), roots(), [pki.crl]),
                    expected)


class RevocationOverHttpTestCase(unittest.TestCase):
    "CRLs fetched from the distribution point of the certificates"

    def setUp(self):
        self.server = tools.FileServer()
        self.addCleanup(self.server.stop)
        self.pki = test_pki.Pki(crl_url=self.server.url + 'ca.crl')
        self.server.files['/ca.crl'] = self.pki.crl

    def test_revoked_certificate_is_found_with_a_fetched_crl(self):
        data = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(
                self.pki.revoked, self.pki.chain)).data

        verdict = verify.verify_pdf(
            data, [self.pki.root.der], allow_fetching=True)

        self.assertEqual(
            (verdict.verdict, verdict.reason), ('invalid', 'revoked'))

    def test_fetched_crl_is_embedded_as_b_lt(self):
        from pyhanko_certvalidator import ValidationContext
        context = ValidationContext(
            trust_roots=verify._roots([self.pki.root.der]),
            allow_fetching=True)

        result = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(
                self.pki.official, self.pki.chain),
            validation_context=context)
        self.server.stop()

        self.assertEqual(result.level, 'B-LT')
        self.assertEqual(verify.verify_pdf(
                result.data, [self.pki.root.der]).verdict, 'valid')


class VerificationTestCase(unittest.TestCase):
    "Verdicts on what arrives"

    def test_signatures_are_checked_in_the_sandbox_within_its_limits(self):
        "A file that needs more memory or time than allowed is unreadable, "
        "and the server's process goes on"
        from trytond import config
        pki = test_pki.pki()
        data = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.official)).data
        unsigned = test_pki.sample_pdf()
        self.assertEqual([v.verdict for v in verify.verify_pdfs_bounded(
                    [data, unsigned, data], roots(), [pki.crl])],
            ['valid', 'unsigned', 'valid'])
        if not config.has_section('file_limits'):
            config.add_section('file_limits')
        # 64 MB: too little to check a signature, enough to see that a
        # file has none; no time at all: nothing can be checked
        for option, value, expected in [
                ('sandbox_memory_mb', '64', [('unreadable', 'memory'),
                        ('unsigned', 'no_signature')]),
                ('sandbox_timeout', '0', [('unreadable', 'timeout')] * 2)]:
            with self.subTest(option=option):
                saved = config.get('file_limits', option)
                config.set('file_limits', option, value)
                try:
                    verdicts = verify.verify_pdfs_bounded(
                        [data, unsigned], roots(), [pki.crl])
                finally:
                    if saved is None:
                        config._config.remove_option('file_limits', option)
                        config._cache_clear()
                    else:
                        config.set('file_limits', option, saved)
                # the batch over the limit, then each file alone
                self.assertEqual(
                    [(v.verdict, v.reason) for v in verdicts], expected)
        self.assertEqual(verify.verify_pdfs_bounded(
                [data], roots(), [pki.crl])[0].verdict, 'valid')

    def test_byte_changed_in_signed_range_is_modified(self):
        pki = test_pki.pki()
        data = bytearray(pades.sign_pdf(
                test_pki.sample_pdf(), p12_signer(pki.official)).data)
        position = data.index(b'ReportLab Generated')
        data[position:position + 9] = b'ReportLaB'

        self.assertEqual(check(bytes(data)).verdict, 'modified')

    def test_content_added_after_signing_is_modified(self):
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import (
            IncrementalPdfFileWriter)
        pki = test_pki.pki()
        data = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.official)).data
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        stream = writer.add_object(generic.StreamObject(
                stream_data=b'0 0 1 rg 50 50 200 200 re f'))
        writer.add_stream_to_page(0, stream)
        output = io.BytesIO()
        writer.write(output)

        verdict = check(output.getvalue())

        self.assertEqual(verdict.verdict, 'modified')
        self.assertEqual(verdict.reason, 'changed_after_signing')

    def test_unknown_root_is_not_trusted(self):
        pki = test_pki.pki()
        data = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.official)).data

        verdict = verify.verify_pdf(data, trust_roots=[pki.tsa.der])

        self.assertEqual(verdict.verdict, 'not_trusted')
        self.assertEqual(verdict.last.signer, 'Nguyễn Văn An')

    def test_look_alike_root_with_same_names_is_not_trusted(self):
        pki = test_pki.pki()
        self.assertEqual(pki.fake_root.cert.subject, pki.root.cert.subject)
        data = pades.sign_pdf(
            test_pki.sample_pdf(),
            p12_signer(pki.fake_official, pki.fake_chain)).data

        verdict = check(data)

        self.assertEqual(verdict.verdict, 'not_trusted')
        self.assertEqual(verdict.last.signer, 'Nguyễn Văn An')

    def test_expired_certificate_is_invalid(self):
        pki = test_pki.pki()
        data = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.expired)).data

        verdict = check(data)

        self.assertEqual(
            (verdict.verdict, verdict.reason), ('invalid', 'expired'))

    def test_revoked_certificate_in_imported_crl_is_invalid(self):
        pki = test_pki.pki()
        data = pades.sign_pdf(
            test_pki.sample_pdf(), p12_signer(pki.revoked)).data

        self.assertEqual(
            (check(data).verdict, check(data).reason),
            ('invalid', 'revoked'))
        # without the CRL and offline, revocation cannot be known
        self.assertEqual(check(data, crls=[]).verdict, 'valid')

    def test_files_without_readable_signature(self):
        for data, expected in [
                (test_pki.sample_pdf(), ('unsigned', 'no_signature')),
                (encrypted_pdf(), ('unreadable', 'encrypted')),
                (b'%PDF-1.7\n garbage', ('unreadable', 'broken')),
                (b'GIF89a', ('unreadable', 'not_pdf')),
                (b'', ('unreadable', 'not_pdf')),
                ]:
            with self.subTest(expected=expected):
                verdict = check(data)
                self.assertEqual((verdict.verdict, verdict.reason), expected)


class SpeedupsTestCase(unittest.TestCase):
    "The faster parsers give pyHanko's results"

    def test_hex_strings_read_as_pyhanko_reads_them(self):
        from pyhanko.pdf_utils.misc import PdfStreamError

        from trytond.modules.mvp_signature import speedups
        original = speedups.original_read_hex_string
        for raw in [b'<>', b'<4142>', b'<41 4\n2\r43>rest', b'<414>',
                b'<' + b'0a' * 70000 + b'>', b'<41zz>', b'<4142', b'<41%x>']:
            with self.subTest(raw=raw[:12]):
                results = []
                for function in [
                        original, speedups._read_hex_string_from_stream]:
                    stream = io.BytesIO(raw)
                    try:
                        value = function(stream)
                    except PdfStreamError:
                        results.append('error')
                    else:
                        results.append((bytes(value.original_bytes)
                                if hasattr(value, 'original_bytes')
                                else bytes(value), stream.tell()))
                self.assertEqual(results[0], results[1])


def pdftotext(data, *args):
    with tempfile.NamedTemporaryFile(suffix='.pdf') as file:
        file.write(data)
        file.flush()
        return subprocess.run(
            ['pdftotext', *args, file.name, '-'], capture_output=True,
            text=True, check=True).stdout


def encrypted_pdf():
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.writer import copy_into_new_writer
    from pyhanko.pdf_utils.reader import PdfFileReader
    reader = PdfFileReader(io.BytesIO(test_pki.sample_pdf(1)))
    writer = copy_into_new_writer(reader)
    writer._assign_security_handler(
        StandardSecurityHandler.build_from_pw('owner', 'user'))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
