# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Vietnamese text typed with the 8-bit fonts of before Unicode.

Until TCVN 6909:2001 most offices typed with the ABC keyboard and the
.VnTime fonts (TCVN 5712:1993 "TCVN3", one byte per letter, the capitals
with a tone mark in separate .VnTimeH fonts) or with VNI fonts (a base
letter followed by one byte for the marks).  Such text reaches us read
as Windows-1252: "Uû ban nh©n d©n tØnh Th¸i B×nh" (TCVN3) or "UÛy ban
nhaân daân tænh Thaùi Bình" (VNI).  These plain functions recognise it
and give back Unicode NFC; the regulation (Art. 6.8) wants Unicode.

A text is converted only when it holds no letter beyond Windows-1252
(real Unicode Vietnamese almost always has ư, ơ, đ, ă or a letter of
U+1EA0..U+1EF9), when the conversion turns words that are not
Vietnamese syllables into words that are, and when at least three
quarters of the converted words are Vietnamese syllables (French or
English text keeps too many foreign words).

``LegacyTextMixin`` applies them to the texts of a document in its
``create`` and ``write``, the one place every entry path goes through.
"""
import re
import unicodedata

from trytond.model import fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .document_type import is_classified
from .protection import refuse

__all__ = ['TCVN3', 'VNI', 'from_tcvn3', 'from_vni', 'detect', 'convert',
    'repair', 'repair_values', 'is_syllable', 'LegacyTextMixin']

TCVN3 = 'tcvn3'
VNI = 'vni'
ENCODINGS = (TCVN3, VNI)

# TCVN 5712:1993 (VN3, the .VnTime fonts), byte 0xA1..0xFE read as
# Windows-1252 -> the Vietnamese letter; checked against glibc's
# TCVN5712-1 in the tests.
_TCVN3_PAIRS = (
    '¡Ă ¢Â £Ê ¤Ô ¥Ơ ¦Ư §Đ ¨ă ©â ªê «ô ¬ơ \xadư ®đ '
    'µà ¶ả ·ã ¸á ¹ạ »ằ ¼ẳ ½ẵ ¾ắ Æặ Çầ Èẩ Éẫ Êấ Ëậ '
    'Ìè Îẻ Ïẽ Ðé Ñẹ Òề Óể Ôễ Õế Öệ ×ì Øỉ Üĩ Ýí Þị '
    'ßò áỏ âõ ãó äọ åồ æổ çỗ èố éộ êờ ëở ìỡ íớ îợ '
    'ïù ñủ òũ óú ôụ õừ öử ÷ữ øứ ùự úỳ ûỷ üỹ ýý þỵ '
    # the capitals of the full TCVN 5712 (VN1) in the same range
    '¯Ằ ºẲ ¿Ẵ ÀẮ ÁẦ ÂẨ ÃẪ ÄẤ ÅỀ ÍỂ ÙỄ ÚẾ ÛỒ àỔ ðỖ ÿỐ '
    # and those of 0x80..0x9F that are no punctuation in Windows-1252
    '€À ƒÁ †Ậ ‡È ˆẺ ‰Ẽ ŠÉ ŒỆ ŽỈ ˜Ờ ™Ở šỠ œỢ žỦ ŸŨ')
TCVN3_TABLE = {pair[0]: pair[1] for pair in _TCVN3_PAIRS.split()}
# VN1 puts capitals in the control codes too: read as Latin-1, bytes
# 0x80..0x9F are C1 controls, which no genuine text holds
TCVN3_TABLE.update(zip(map(chr, range(0x80, 0xA0)),
        'ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ', strict=True))
TCVN3_TABLE.update(zip('\x01\x02\x04\x05\x06\x11\x12\x13\x14\x15\x16\x17',
        'ÚỤỪỬỮỨỰỲỶỸÝỴ', strict=True))

# VNI Windows: a base letter, then one byte for its marks
_VNI_LETTERS = {
    'ñ': 'đ', 'Ñ': 'Đ', 'ô': 'ơ', 'Ô': 'Ơ', 'ö': 'ư', 'Ö': 'Ư',
    'æ': 'ỉ', 'Æ': 'Ỉ', 'ó': 'ĩ', 'Ó': 'Ĩ', 'ò': 'ị', 'Ò': 'Ị',
    'î': 'ỵ', 'Î': 'Ỵ',
    }
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = (
    '\u0301', '\u0300', '\u0309', '\u0303', '\u0323')
_CIRCUMFLEX, _BREVE = '\u0302', '\u0306'
_VNI_MARKS = {
    'ù': _ACUTE, 'ø': _GRAVE, 'û': _HOOK, 'õ': _TILDE, 'ï': _DOT,
    'â': _CIRCUMFLEX, 'á': _CIRCUMFLEX + _ACUTE, 'à': _CIRCUMFLEX + _GRAVE,
    'å': _CIRCUMFLEX + _HOOK, 'ã': _CIRCUMFLEX + _TILDE,
    'ä': _CIRCUMFLEX + _DOT,
    'ê': _BREVE, 'é': _BREVE + _ACUTE, 'è': _BREVE + _GRAVE,
    'ú': _BREVE + _HOOK, 'ü': _BREVE + _TILDE, 'ë': _BREVE + _DOT,
    }
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
_VNI_BASES = set('aeiouyAEIOUYơưƠƯ')
# the vowels that take a circumflex or a breve in Vietnamese
_VNI_HATS = {_CIRCUMFLEX: set('aeoAEO'), _BREVE: set('aA')}
_TONES = {_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT}

# Windows-1252 beyond Latin-1 (what legacy bytes 0x80..0x9F read as)
_CP1252_HIGH = set(bytes(range(0x80, 0xA0)).decode('cp1252', 'ignore'))

_ONSET = r'(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?'
_NUCLEI = sorted((
        'a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe '
        'oi ôi ơi oo ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê iêu yêu oai oao '
        'oay oeo uây uôi uya uyê uyu ươi ươu').split(), key=len,
    reverse=True)
_SYLLABLE = re.compile(
    _ONSET + '(?:' + '|'.join(_NUCLEI) + ')(?:ng|nh|ch|[cmnpt])?')
_PUNCTUATION = '.,;:!?()[]{}"\'“”‘’…'


def is_syllable(word):
    "Whether word (one token) is spelt like a Vietnamese syllable"
    decomposed = unicodedata.normalize('NFD', word.lower())
    if sum(c in _TONES for c in decomposed) > 1:
        return False
    base = unicodedata.normalize('NFC',
        ''.join(c for c in decomposed if c not in _TONES))
    return bool(_SYLLABLE.fullmatch(base))


def _score(text):
    "(syllables, non-syllables) among the words of text"
    good = bad = 0
    for token in text.split():
        token = token.strip(_PUNCTUATION)
        if not token or any(c.isdigit() for c in token) or any(
                c in '/-' for c in token):
            continue
        if token.isascii() and token.isupper() and len(token) > 1:
            continue  # an abbreviation: UBND, HĐND...
        if is_syllable(token):
            good += 1
        else:
            bad += 1
    return good, bad


def _upper_word(token):
    """Whether a TCVN3 word was typed in capitals (.VnTimeH has no codes
    of its own: "TØNH" is TỈNH, but "Uû" stays Uỷ)"""
    rest = [c for c in token[1:] if c.isascii() and c.isalpha()]
    return bool(rest) and all(c.isupper() for c in rest)


def from_tcvn3(text):
    "Unicode NFC of text typed in TCVN3 and read as Windows-1252"
    words = []
    for token in re.split(r'(\s+)', text):
        converted = ''.join(TCVN3_TABLE.get(c, c) for c in token)
        # ý is 0xFD in TCVN3 as in Windows-1252
        if any(c in TCVN3_TABLE for c in token) and _upper_word(token):
            converted = converted.upper()
        words.append(converted)
    return unicodedata.normalize('NFC', ''.join(words))


def _vni_marks(base, char):
    "The combining marks char puts on base in VNI, or None"
    marks = _VNI_MARKS.get(char)
    if not marks or base not in _VNI_BASES:
        return None
    hat = _VNI_HATS.get(marks[0])
    if hat is not None and base not in hat:
        return None
    return marks


def from_vni(text):
    "Unicode NFC of text typed in VNI and read as Windows-1252"
    out = []
    for char in text:
        previous = out[-1] if out else ''
        marks = _vni_marks(previous, char) if len(previous) == 1 else None
        if marks:
            out[-1] = previous + marks
        else:
            out.append(_VNI_LETTERS.get(char, char))
    return unicodedata.normalize('NFC', ''.join(out))


CONVERTERS = {TCVN3: from_tcvn3, VNI: from_vni}


def could_be_legacy(text):
    "Whether text holds only characters that legacy text can read as"
    return bool(text) and not text.isascii() and all(
        ord(c) < 0x100 or c in _CP1252_HIGH for c in text)


def detect(text):
    "TCVN3, VNI or None: the legacy encoding text was typed in"
    if not could_be_legacy(text):
        return None
    good, bad = _score(text)
    best, best_score = None, None
    for encoding in ENCODINGS:
        converted = CONVERTERS[encoding](text)
        if converted == text:
            continue
        new_good, new_bad = _score(converted)
        # more Vietnamese than before, and mostly Vietnamese: French "où"
        # reads as VNI "ó", but "là où il est" keeps two foreign words
        if new_bad < bad and new_good > good and 3 * new_bad <= new_good:
            score = new_good - new_bad
            if best_score is None or score > best_score:
                best, best_score = encoding, score
    return best


def convert(text, encoding):
    "text typed in encoding, as Unicode NFC"
    return CONVERTERS[encoding](text)


def repair(text):
    """(Unicode NFC text, encoding it was in or None); text that does not
    look like legacy text is only normalised to NFC"""
    encoding = detect(text) if text else None
    if encoding is None:
        if text and not unicodedata.is_normalized('NFC', text):
            text = unicodedata.normalize('NFC', text)
        return text, None
    return convert(text, encoding), encoding


def repair_values(values, names):
    """Repair the texts of values named in names, in place.

    Return {name: original} of those that were converted and the
    encoding seen (the first one, when several texts were converted).
    """
    originals, seen = {}, None
    for name in names:
        text = values.get(name)
        if not isinstance(text, str):
            continue
        fixed, encoding = repair(text)
        if encoding:
            originals[name] = text
            values[name] = fixed
            seen = seen or encoding
    return originals, seen


class LegacyTextMixin:
    """The texts of a document that may arrive typed with a pre-Unicode
    font (``_legacy_fields``) are stored converted; the document keeps
    the originals and which encoding they were in.

    Every path (the client, e-mail capture, back-fill, the exchange)
    ends in the model's ``create`` or ``write``, which must call
    ``legacy_create_values`` / ``legacy_write_args`` first, before
    anything is computed from those texts (the folded search text).
    Only the server sets the two fields: a user's own create or write
    giving them is refused.
    """
    __slots__ = ()
    _legacy_fields = ()
    _legacy_server_fields = frozenset({'legacy_encoding', 'legacy_text'})

    legacy_encoding = fields.Selection([
            (None, ""),
            (TCVN3, "TCVN3 (ABC)"),
            (VNI, "VNI"),
            ], "Converted From", readonly=True,
        states={'invisible': ~Eval('legacy_encoding')},
        help="The pre-Unicode encoding (TCVN3 or VNI) the text arrived in; "
        "it was converted to Unicode (TCVN 6909).")
    legacy_text = fields.Text(
        "Text as Received", readonly=True,
        states={'invisible': ~Eval('legacy_text')},
        help="The converted texts as they arrived, before the conversion.")

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('legacy_encoding', None)
        default.setdefault('legacy_text', None)
        return super().copy(records, default=default)

    @classmethod
    def legacy_create_values(cls, vlist):
        "Return vlist with its legacy texts converted"
        cls._refuse_legacy_fields('create', vlist)
        return [cls._repair_legacy(values) for values in vlist]

    @classmethod
    def legacy_write_args(cls, args):
        """Return the arguments of write with their legacy texts
        converted; a record converted gets its own values, as each keeps
        its own texts as received"""
        actions = iter(args)
        pairs = list(zip(actions, actions, strict=True))
        cls._refuse_legacy_fields('write', [values for _, values in pairs])
        converted = []
        for records, values in pairs:
            if not repair_values(values.copy(), cls._legacy_fields)[1]:
                converted.extend((records, values))
                continue
            for record in records:
                converted.extend(
                    ([record], cls._repair_legacy(values, record)))
        return converted

    @classmethod
    def _refuse_legacy_fields(cls, mode, vlist):
        transaction = Transaction()
        if not (transaction.user and transaction.check_access):
            return
        # a create may give the default, which a client sends back
        tried = {name for values in vlist for name, value in values.items()
            if name in cls._legacy_server_fields
            and (value or mode == 'write')}
        if tried:
            refuse('mvp_documents.msg_field_server_only', fields=tried,
                model=cls.__name__, field_names=cls._field_labels(tried),
                model_name=cls.__names__()['model'])

    @classmethod
    def _repair_legacy(cls, values, record=None):
        values = values.copy()
        originals, encoding = repair_values(values, cls._legacy_fields)
        if not encoding:
            return values
        values['legacy_encoding'] = encoding
        confidentiality = values.get('confidentiality',
            getattr(record, 'confidentiality', None))
        if is_classified(confidentiality):
            # a classified document keeps no content, nor as received
            return values
        labels = cls.fields_get(list(originals))
        lines = [f"{labels[n]['string']}: {t}" for n, t in originals.items()]
        if record is not None and record.legacy_text:
            lines.insert(0, record.legacy_text)
        values['legacy_text'] = '\n'.join(lines)
        return values
