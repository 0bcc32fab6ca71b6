"""What a line is: its size, direction, rows and reading order, and display type.

Its length in ems, whether it is vertical, its type size and advance, rows and columns
of lines and their reading order, the page's body size, display type, and how pieces of
text join.
"""

from __future__ import annotations

import math
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


def is_vertical(line: Line) -> bool:
    """A vertical line: taller than wide by half and more than one character."""
    return line.box.height > 1.5 * line.box.width and units(line.text) >= 2


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
    """The page's body text: the height of a line and the pixels per character, and
    where the page's own distribution of line sizes leaves body text (see
    :func:`size_breaks`): a line whose type size over ``height`` is at most ``small`` is
    smaller than body text (a caption's size), at least ``big`` bigger (a subhead's or a
    headline's), at least ``display`` display type (a headline's)."""

    height: float
    advance: float
    small: float = 0.93
    big: float = 1.08
    display: float = 1.28


# Bounds of the breaks (type size over body's): the page's distribution decides within
# them; where it shows no break, the bound nearest to body text does.
SMALL_RANGE = (0.80, 0.97)
BIG_RANGE = (1.03, 1.15)
DISPLAY_RANGE = (1.12, 1.45)


def body_size(lines: list[Line]) -> BodySize:
    """The median height and advance of the horizontal lines of four characters or more
    (of all lines, when there are none), and the breaks of the page's distribution of
    line heights around it (:func:`size_breaks`)."""
    hs, adv = [], []
    for ln in lines:
        if units(ln.text) >= 4 and not is_vertical(ln) and ln.box.height > 0:
            hs.append(ln.box.height)
            adv.append(advance(ln))
    if not hs:
        hs = [max(1.0, type_size(ln)) for ln in lines] or [20.0]
        adv = [max(1.0, advance(ln)) for ln in lines] or [20.0]
        return BodySize(statistics.median(hs), statistics.median(adv))
    height = statistics.median(hs)
    sized = [
        (ln.box.height / height, units(ln.text))
        for ln in lines
        if units(ln.text) >= 2 and not is_vertical(ln) and ln.box.height > 0
    ]
    small, big, display = size_breaks(sized)
    return BodySize(height, statistics.median(adv), small, big, display)


def size_breaks(sized: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(small, big, display): where a page's line sizes leave body text, from
    ``sized`` = (type size over body's, characters) of its horizontal lines.

    Body text is the cluster round 1: its spread is the noise of the page's line
    heights (three weighted median deviations of the lines within 10% of body size,
    2-6%); walking out from 1 through the sorted sizes, the cluster ends at the first
    step wider than that, or one spread from 1. ``small`` and ``big`` lie in the gaps
    below and above it (a spread's width past its last line, or the middle of a
    narrower gap). ``display`` is the widest break among the bigger lines up to 1.6 (a
    headline's size apart from the subheads' and kickers'), when one is wider than two
    spreads and 8%; else the middle of ``DISPLAY_RANGE``. Each is held to its range
    (``SMALL_RANGE``...)."""
    xs = sorted((math.log(r), min(u, 30.0)) for r, u in sized if r > 0)
    core = [(x, u) for x, u in xs if abs(x) <= math.log(1.1)]
    tol = 0.02
    if core:
        dev = _weighted_median([(abs(x), u) for x, u in core])
        tol = min(0.06, max(0.02, 3 * 1.4826 * dev))

    def edge(side: list[float]) -> float:  # the cut past the body cluster on one side
        e = 0.0
        for x in side:
            if x - e > tol or x > tol:  # a gap, or past the page's noise
                return e + min(tol, (x - e) / 2)
            e = x
        return e + tol

    up = [x for x, _ in xs if x > 0]
    down = [-x for x, _ in reversed(xs) if x < 0]
    small = math.exp(-edge(down))
    big = math.exp(edge(up))
    small = min(max(small, SMALL_RANGE[0]), SMALL_RANGE[1])
    big = min(max(big, BIG_RANGE[0]), BIG_RANGE[1])
    bigger = sorted({x for x in up if math.log(big) <= x <= math.log(1.6)})
    display = math.exp(sum(map(math.log, DISPLAY_RANGE)) / 2)
    steps = [(b - a, (a + b) / 2) for a, b in zip(bigger, bigger[1:], strict=False)]
    steps = [s for s in steps if math.log(DISPLAY_RANGE[0]) <= s[1] <= math.log(DISPLAY_RANGE[1])]
    if steps and max(steps)[0] >= max(2 * tol, 0.08):
        display = math.exp(max(steps)[1])
    return small, big, display


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    """The weighted median of (value, weight) pairs."""
    pairs = sorted(pairs)
    half = sum(w for _, w in pairs) / 2
    acc = 0.0
    for v, w in pairs:
        acc += w
        if acc >= half:
            return v
    return pairs[-1][0]


def is_display(line: Line, size: BodySize) -> bool:
    """Clearly bigger than body text (of ``size``): taller, with wider characters, past
    the page's display break (``size.display``); a vertical line past its break of
    bigger type (``size.big``), with characters no narrower than body text's; a
    horizontal line short of half again body size must have no punctuation of running
    text."""
    if units(line.text) < 1.5:
        return False
    r, a = type_size(line) / size.height, advance(line) / size.advance
    if is_vertical(line):
        return r >= max(size.big, 1.1) and a >= 1.0
    if r >= 1.5 and a >= 1.2:
        return True
    return r >= size.display and a >= size.display and not RUNNING_PUNCT.search(line.text[:-1])
