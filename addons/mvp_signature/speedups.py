# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Pure-speed replacements inside pyHanko 0.38 and asn1crypto.

Same results, measured to matter (tryton-notes §6, bench/signature.py):

- pyHanko reads a hexadecimal string (the /Contents of every signature,
  thousands of digits) one byte and one generator step at a time: read it
  in one block instead;
- asn1crypto prepares (RFC 4518) each name it compares, once per parsed
  object: about 1 ms per Vietnamese name and 40 times per verification.
  The preparation depends on the string only, so keep the results.
"""
import binascii
import functools
import re

__all__ = ['install']

original_read_hex_string = None

_HEX = re.compile(rb'[0-9A-Fa-f]*')
_WHITESPACE = b'\x00\t\n\x0c\r '


def _read_hex_string_from_stream(stream):
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.misc import PdfStreamError
    stream.read(1)
    start = stream.tell()
    data = bytearray()
    while True:
        block = stream.read(65536)
        if not block:
            raise PdfStreamError("Stream has ended unexpectedly")
        end = block.find(b'>')
        if end >= 0:
            stream.seek(start + len(data) + end + 1)
            data += block[:end]
            break
        data += block
    if b'%' in data:
        raise PdfStreamError("Unexpected token in hex string: b'%'")
    digits = bytes(data).translate(None, _WHITESPACE)
    if not _HEX.fullmatch(digits):
        raise PdfStreamError("Unexpected token in hex string")
    if len(digits) % 2:
        digits += b'0'
    return pdf_string(binascii.unhexlify(digits))


def install():
    "Install the replacements (idempotent)"
    from asn1crypto import x509
    from pyhanko.pdf_utils import generic

    global original_read_hex_string
    if not getattr(generic.read_hex_string_from_stream, 'mvp', False):
        original_read_hex_string = generic.read_hex_string_from_stream
        _read_hex_string_from_stream.mvp = True
        generic.read_hex_string_from_stream = _read_hex_string_from_stream

    original = x509.NameTypeAndValue._ldap_string_prep
    if not getattr(original, 'mvp', False):
        cached = functools.lru_cache(maxsize=4096)(
            lambda string: original(None, string))

        def _ldap_string_prep(self, string):
            return cached(string)
        _ldap_string_prep.mvp = True
        x509.NameTypeAndValue._ldap_string_prep = _ldap_string_prep
