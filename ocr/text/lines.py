"""What a line is: its size, direction, rows and reading order, and display type.

Its length in ems, whether it is vertical, its type size and advance, rows and columns
of lines and their reading order, the page's body size, display type, and how pieces of
text join.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from ocr.model import Box, Line

_xov = Box.x_overlap
_yov = Box.y_overlap


def is_han(ch: str) -> bool:
    """A Han character (CJK Unified Ideographs and Extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def units(text: str) -> float:
    """Text length in ems: a CJK or full-width character (and Chinese quotes) is 1,
    anything else about half; spaces do not count."""
    n = 0.0
    for ch in text:
        if ch.isspace():
            continue
        wide = unicodedata.east_asian_width(ch) in "WF" or ch in "“”‘’…—"
        n += 1.0 if wide else 0.55
    return n


def is_tall(box: Box) -> bool:
    """A box taller than wide by half: where a vertical line's text stands (a line
    before it is read is only its box)."""
    return box.height > 1.5 * box.width


def is_vertical(line: Line) -> bool:
    """A vertical line: taller than wide by half and more than one character."""
    return is_tall(line.box) and units(line.text) >= 2


def type_size(line: Line) -> float:
    """The type size of a line: its height, or its width for a vertical line."""
    return line.box.width if is_vertical(line) else line.box.height


def advance(line: Line) -> float:
    """Pixels per character along the line."""
    u = max(units(line.text), 1.0)
    return (line.box.height if is_vertical(line) else line.box.width) / u


def reading_order(lines: list[Line]) -> list[Line]:
    """Lines of one block in reading order: vertical lines right to left (a column's
    pieces top to bottom), horizontal lines by rows, top to bottom and left to right.
    Vertical lines that start no lower than the first row of horizontal text come
    first (a vertical headline beside its article), the others after it."""
    vert = [ln for ln in lines if is_vertical(ln)]
    horiz = [ln for ln in lines if not is_vertical(ln)]
    rows = line_rows(horiz)
    if not vert:
        return [ln for row in rows for ln in row]
    cols = vertical_columns(vert)
    if not rows:
        return [ln for col in cols for ln in col]
    first = rows[0]
    level = min(ln.box.y0 for ln in first) + 0.5 * max(ln.box.height for ln in first)
    lead = [c for c in cols if min(ln.box.y0 for ln in c) <= level]
    rest = [c for c in cols if min(ln.box.y0 for ln in c) > level]
    out = [ln for col in lead for ln in col] + [ln for row in rows for ln in row]
    return out + [ln for col in rest for ln in col]


def line_rows(lines: list[Line]) -> list[list[Line]]:
    """Horizontal lines grouped into rows (overlapping by half the smaller height)."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.box.center[1], ln.box.x0)):
        for row in rows[-3:]:
            if all(_yov(ln.box, o.box) >= 0.5 * min(ln.box.height, o.box.height) for o in row):
                row.append(ln)
                break
        else:
            rows.append([ln])
    rows.sort(key=lambda row: min(ln.box.y0 for ln in row))
    return [sorted(row, key=lambda ln: ln.box.x0) for row in rows]


def vertical_columns(lines: list[Line]) -> list[list[Line]]:
    """Vertical lines grouped into columns (overlapping in x), right to left."""
    cols: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: -ln.box.center[0]):
        for col in cols:
            if all(_xov(ln.box, o.box) >= 0.5 * min(ln.box.width, o.box.width) for o in col):
                col.append(ln)
                break
        else:
            cols.append([ln])
    cols.sort(key=lambda col: -max(ln.box.x1 for ln in col))
    return [sorted(col, key=lambda ln: ln.box.y0) for col in cols]


def join_text(a: str, b: str) -> str:
    """Join two pieces of a line or two lines of a paragraph: no space in CJK text, one
    between two words of Latin letters or digits."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def row_text(row: list[Line]) -> str:
    """The text of a row of lines, left to right."""
    text = ""
    for ln in row:
        text = join_text(text, ln.text.strip())
    return text


# ---------------------------------------------------------------------------- size

# Punctuation of running text: a line that has it (before its end) is no display line.
RUNNING_PUNCT = re.compile(r"[，。；：,;]")


@dataclass(frozen=True)
class BodySize:
    """The page's body text: the height of a line and the pixels per character."""

    height: float
    advance: float


def body_size(lines: list[Line]) -> BodySize:
    """The median height and advance of the horizontal lines of four characters or more
    (of all lines, when there are none)."""
    hs, adv = [], []
    for ln in lines:
        if units(ln.text) >= 4 and not is_vertical(ln) and ln.box.height > 0:
            hs.append(ln.box.height)
            adv.append(advance(ln))
    if not hs:
        hs = [max(1.0, type_size(ln)) for ln in lines] or [20.0]
        adv = [max(1.0, advance(ln)) for ln in lines] or [20.0]
    return BodySize(statistics.median(hs), statistics.median(adv))


def is_display(line: Line, size: BodySize) -> bool:
    """Clearly bigger than body text (of ``size``): taller, with wider characters; a
    vertical line a little less so; a horizontal line only a little bigger must have no
    punctuation of running text."""
    if units(line.text) < 1.5:
        return False
    r, a = type_size(line) / size.height, advance(line) / size.advance
    if is_vertical(line):
        return r >= 1.25 and a >= 1.1
    if r >= 1.5 and a >= 1.2:
        return True
    return r >= 1.28 and a >= 1.28 and not RUNNING_PUNCT.search(line.text[:-1])


def size_band(sizes: list[float], step: float = 0.04, unit: float = 1.0) -> tuple[float, float]:
    """The page's body-size cluster from the sizes of its lines (pixels): the run of
    sizes around their median in which no two neighbouring sizes (sorted) differ by
    more than ``step`` of the median (at least ``unit``, the sizes' own precision).
    Body text is most of a page's lines, so the median is one of them; display type
    stands apart from the run. ``(lo, hi)``, both inclusive; ``(0, inf)`` without sizes."""
    if not sizes:
        return 0.0, float("inf")
    s = sorted(sizes)
    mid = len(s) // 2
    tol = max(unit, step * s[mid])
    lo = hi = mid
    while lo > 0 and s[lo] - s[lo - 1] <= tol:
        lo -= 1
    while hi < len(s) - 1 and s[hi + 1] - s[hi] <= tol:
        hi += 1
    return s[lo], s[hi]
