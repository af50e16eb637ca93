# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Signing and verification throughput (issue 5).

    .venv/bin/python bench/signature.py [--seconds 3]

Prints, last, one JSON line with sign_per_s_2p and sign_per_s_50p (agency
signature with the visible Vietnamese seal stamp, key in SoftHSM2),
sign_per_s_p12_2p (same stamp, PKCS#12 key), verify_per_s_2p (trust root
and CRL revocation checking), raw_rsa2048_sign_per_s (cryptography, same
machine), ratio_sign_vs_raw (raw / sign_per_s_2p) and cores.

The test PKI and the SoftHSM2 token are generated in a temporary
directory, as in the tests.  Each figure is the best of --rounds rounds of
--seconds seconds, single process (the machine is shared; the best round
is the least disturbed one).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'addons'))


def rate(function, seconds, rounds):
    function()  # warm up: stamps rendered, sessions opened
    best = 0
    for _ in range(rounds):
        count, start = 0, time.perf_counter()
        while True:
            function()
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        best = max(best, count / elapsed)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seconds', type=float, default=3)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from trytond.modules.mvp_signature import keys, pades, verify
    from trytond.modules.mvp_signature.tests import pki as test_pki

    pki = test_pki.pki()
    test_pki.softhsm()
    chain = tuple(c.der for c in pki.chain)
    hsm = keys.pkcs11_signer(
        keys.Pkcs11Config(
            test_pki.SOFTHSM_MODULE, test_pki.TOKEN, 'agency', test_pki.PIN),
        extra_certs=chain)
    p12 = keys.load_pkcs12(pki.agency.p12(pki.chain), test_pki.PASSPHRASE)
    seal = pades.Appearance(
        'seal', agency='Sở Thông tin và Truyền thông tỉnh Thái Bình')
    pdf_2p = test_pki.sample_pdf(2)
    pdf_50p = test_pki.sample_pdf(50)

    def sign(pdf, signer):
        return lambda: pades.sign_pdf(pdf, signer, appearance=seal)

    signed = pades.sign_pdf(pdf_2p, hsm, appearance=seal).data
    roots, crls = [pki.root.der], [pki.crl]
    assert verify.verify_pdf(signed, roots, crls).verdict == 'valid'

    key = pki.agency.key
    message = b'x' * 100
    results = {
        'sign_per_s_2p': rate(sign(pdf_2p, hsm), args.seconds, args.rounds),
        'sign_per_s_50p': rate(
            sign(pdf_50p, hsm), args.seconds, args.rounds),
        'sign_per_s_p12_2p': rate(
            sign(pdf_2p, p12), args.seconds, args.rounds),
        'verify_per_s_2p': rate(
            lambda: verify.verify_pdf(signed, roots, crls),
            args.seconds, args.rounds),
        'raw_rsa2048_sign_per_s': rate(
            lambda: key.sign(message, padding.PKCS1v15(), hashes.SHA256()),
            args.seconds, args.rounds),
        }
    results['ratio_sign_vs_raw'] = (
        results['raw_rsa2048_sign_per_s'] / results['sign_per_s_2p'])
    results = {k: round(v, 1) for k, v in results.items()}
    results['cores'] = os.cpu_count()
    test_pki.softhsm().cleanup()
    print(json.dumps(results))


if __name__ == '__main__':
    main()
