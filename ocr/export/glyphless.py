"""A glyphless font for the PDF's invisible text layer (as Tesseract's and OCRmyPDF's).

A TrueType font made with fontTools for the characters an issue uses: every character
has a glyph, an empty one, whose advance is the character's width in ems as the exports
lay lines out (``ocr.export.pageview.ems``: a CJK character 1, a Latin letter or digit
about half, a space 0.3), so a selection in the PDF falls where the ALTO and hOCR boxes
are. Every character is searchable whatever fonts are installed, and the font costs a few
bytes a character, where a CJK font's glyph outlines cost about a hundred (a dense page
carries 2,000 distinct characters). Ascent and descent add up to one em, so a string set
at the line's thickness covers exactly the line's box.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ocr.export.pageview import ems

FAMILY = "GlyphLessFont"
UNITS = 1000
ASCENT, DESCENT = 880, 120


def usable(ch: str) -> bool:
    """A character a font can map: not a control, surrogate or unassigned code point."""
    return unicodedata.category(ch) not in ("Cc", "Cs", "Cn") or ch in " \u3000"


def glyphless_font(chars: set[str], path: Path) -> Path:
    """Write a glyphless TrueType font covering ``chars`` to ``path``."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    points = sorted({ord(c) for c in chars if usable(c)} | {0x20})
    names = [".notdef", *(f"uni{p:04X}" for p in points)]
    builder = FontBuilder(UNITS, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({p: f"uni{p:04X}" for p in points})
    builder.setupGlyf({name: TTGlyphPen(None).glyph() for name in names})
    widths = {".notdef": (UNITS // 2, 0)}
    widths |= {f"uni{p:04X}": (round(ems(chr(p)) * UNITS), 0) for p in points}
    builder.setupHorizontalMetrics(widths)
    builder.setupHorizontalHeader(ascent=ASCENT, descent=-DESCENT)
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
    builder.setupOS2(
        sTypoAscender=ASCENT,
        sTypoDescender=-DESCENT,
        usWinAscent=ASCENT,
        usWinDescent=DESCENT,
        sxHeight=500,
        sCapHeight=700,
    )
    builder.setupPost()
    builder.save(str(path))
    return path
