# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Store every text in Unicode NFC (TCVN 6909:2001).

Vietnamese can be typed precomposed ("ộ" = U+1ED9) or decomposed
("o" + U+0302 + U+0323); both look the same but compare, sort and search
differently.  Normalising where a Char or Text value is turned into SQL
catches every path into the database (RPC, imports, server code) and the
values of search domains alike.
"""
import unicodedata

from trytond.model import fields

__all__ = ['nfc', 'fold', 'install']


def nfc(value):
    if isinstance(value, str) and not unicodedata.is_normalized('NFC', value):
        return unicodedata.normalize('NFC', value)
    return value


def fold(text):
    """Return text lower-cased without Vietnamese diacritics, one character
    for each character of its NFC form.

    fold("Quyết định Đà Nẵng") == "quyet dinh da nang"; keeping the length
    lets a match on the folded text be cut from the (NFC) original.
    """
    if not text:
        return ''
    return ''.join(map(_fold_char, nfc(text)))


def _fold_char(char):
    if char in 'đĐ':
        return 'd'
    base = unicodedata.normalize('NFD', char)[:1] or char
    return base.lower()[:1] or base


def _normalizing(sql_format):
    def wrapper(self, value):
        return sql_format(self, nfc(value))
    wrapper.__mvp_nfc__ = True
    return wrapper


def install():
    for field in (fields.Char, fields.Text):
        if not getattr(field.sql_format, '__mvp_nfc__', False):
            field.sql_format = _normalizing(field.sql_format)


install()
