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
U+1EA0..U+1EF9) and when the conversion turns words that are not
Vietnamese syllables into words that are.
"""
import re
import unicodedata

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
        if converted != token and _upper_word(token):
            converted = converted.upper()
        words.append(converted)
    return unicodedata.normalize('NFC', ''.join(words))


def from_vni(text):
    "Unicode NFC of text typed in VNI and read as Windows-1252"
    out = []
    for char in text:
        previous = out[-1] if out else ''
        if char in _VNI_MARKS and len(previous) == 1 and (
                previous in _VNI_BASES):
            out[-1] = previous + _VNI_MARKS[char]
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
        if new_bad < bad and new_good > good:
            score = new_good - new_bad
            if best_score is None or score > best_score:
                best, best_score = encoding, score
    return best


def convert(text, encoding):
    "text typed in encoding, as Unicode NFC"
    return CONVERTERS[encoding](text)


def repair(text):
    """(Unicode NFC text, encoding it was in or None); text is returned
    unchanged when it does not look like legacy text"""
    encoding = detect(text) if text else None
    if encoding is None:
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
