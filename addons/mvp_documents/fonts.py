# This file is part of MVP Office.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Find a serif TrueType font with Vietnamese glyphs for printed output.

Decree 30/2020 asks for Times New Roman; Liberation Serif 2 (Debian
``fonts-liberation2``) has the same metrics and the Vietnamese letters.
Liberation Serif 1.x (``fonts-liberation``) lacks them, so every
candidate is checked for the glyphs before use.
"""
from __future__ import annotations

import functools
import os

__all__ = ['FontError', 'find_font', 'register_fonts', 'VIETNAMESE_SAMPLE']

VIETNAMESE_SAMPLE = 'ĐđƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặỞởỠỡỢợỨứỪừỬửỮữỰựỹ'
_DIRECTORIES = [
    '/usr/share/fonts/truetype/liberation2',
    '/usr/share/fonts/truetype/liberation',
    '/usr/share/fonts/truetype/noto',
    '/usr/share/fonts/truetype/dejavu',
    ]
_FAMILIES = {
    'regular': ['LiberationSerif-Regular.ttf', 'NotoSerif-Regular.ttf',
        'DejaVuSerif.ttf'],
    'bold': ['LiberationSerif-Bold.ttf', 'NotoSerif-Bold.ttf',
        'DejaVuSerif-Bold.ttf'],
    'italic': ['LiberationSerif-Italic.ttf', 'NotoSerif-Italic.ttf',
        'DejaVuSerif-Italic.ttf'],
    'bolditalic': ['LiberationSerif-BoldItalic.ttf',
        'NotoSerif-BoldItalic.ttf', 'DejaVuSerif-BoldItalic.ttf'],
    }


class FontError(Exception):
    "No font with Vietnamese glyphs is installed."


def _covers(path: str, sample: str) -> bool:
    from reportlab.pdfbase.ttfonts import TTFontFile
    try:
        face = TTFontFile(path)
    except Exception:
        return False
    return all(ord(c) in face.charToGlyph for c in sample)


@functools.lru_cache(maxsize=None)
def find_font(style: str = 'regular') -> str:
    """Return the path of a serif font of style covering Vietnamese.

    :raises FontError: none of Liberation Serif 2, Noto Serif, DejaVu
        Serif is installed.
    """
    for name in _FAMILIES[style]:
        for directory in _DIRECTORIES:
            path = os.path.join(directory, name)
            if os.path.exists(path) and _covers(path, VIETNAMESE_SAMPLE):
                return path
    raise FontError(
        "no serif font with Vietnamese glyphs (install fonts-liberation2)")


@functools.lru_cache(maxsize=None)
def register_fonts() -> tuple[str, str, str, str]:
    """Register the fonts with reportlab as one family.

    Return the names of the regular, bold, italic and bold italic faces.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    names = ('MvpSerif', 'MvpSerif-Bold', 'MvpSerif-Italic',
        'MvpSerif-BoldItalic')
    for name, style in zip(names, ['regular', 'bold', 'italic',
                'bolditalic'], strict=True):
        pdfmetrics.registerFont(TTFont(name, find_font(style)))
    addMapping('MvpSerif', 0, 0, names[0])
    addMapping('MvpSerif', 1, 0, names[1])
    addMapping('MvpSerif', 0, 1, names[2])
    addMapping('MvpSerif', 1, 1, names[3])
    return names
