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


def is_tall(box: Box) -> bool:
    """A box taller than wide by half: where a vertical line's text stands (a line
    before it is read is only its box)."""
    return box.height > 1.5 * box.width


def is_vertical(line: Line) -> bool:
    """A vertical line: taller than wide by half and more than one character."""
    return is_tall(line.box) and units(line.text) >= 2


def vertical_page(lines: list[Line]) -> bool:
    """Lines (a page's, a block's) set vertically: vertical lines hold more than half of
    their text."""
    total = sum(units(ln.text) for ln in lines)
    return total > 0 and sum(units(ln.text) for ln in lines if is_vertical(ln)) > 0.5 * total


def type_size(line: Line) -> float:
    """The type size of a line: its height, or its width for a vertical line."""
    return line.box.width if is_vertical(line) else line.box.height


def advance(line: Line) -> float:
    """Pixels per character along the line."""
    u = max(units(line.text), 1.0)
    return (line.box.height if is_vertical(line) else line.box.width) / u


def reading_order(lines: list[Line]) -> list[Line]:
    """Lines of one block in reading order: vertical lines band by band, right to left
    in a band, a column's pieces top to bottom (:func:`ocr.text.vertical.vertical_order`);
    horizontal lines by rows, top to bottom and left to right. Vertical lines that
    start no lower than the first row of horizontal text come first (a vertical
    headline beside its article), the others after it."""
    from ocr.text.vertical import vertical_order

    vert = [ln for ln in lines if is_vertical(ln)]
    horiz = [ln for ln in lines if not is_vertical(ln)]
    rows = line_rows(horiz)
    if not vert:
        return [ln for row in rows for ln in row]
    if not rows:
        return vertical_order(vert)
    first = rows[0]
    level = min(ln.box.y0 for ln in first) + 0.5 * max(ln.box.height for ln in first)
    cols = vertical_columns(vert)
    lead = [ln for c in cols if min(ln.box.y0 for ln in c) <= level for ln in c]
    rest = [ln for c in cols if min(ln.box.y0 for ln in c) > level for ln in c]
    out = vertical_order(lead) + [ln for row in rows for ln in row]
    return out + vertical_order(rest)


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
    headline's), at least ``display`` display type (a headline's: ``DISPLAY``, or more
    when body text itself reaches near it)."""

    height: float
    advance: float
    small: float = 0.93
    big: float = 1.08
    display: float = 1.28
    upright: bool = False  # measured on vertical lines (a page set in vertical columns)


# Bounds of the breaks (type size over body's): the page's distribution decides within
# them; where it shows no break, the bound nearest to body text does.
SMALL_RANGE = (0.80, 0.97)
BIG_RANGE = (1.03, 1.2)
# Display type (a headline's) is not told from a subhead's by the sizes alone (a page
# may have no subheads, its headlines of many sizes): a ratio above the body cluster.
DISPLAY = 1.28


def body_size(lines: list[Line]) -> BodySize:
    """The median type size and advance of the lines of four characters or more set in
    the page's direction (horizontal; vertical where vertical lines hold most of the
    text: a paper set in vertical columns), of all lines when there are none, and the
    breaks of the page's distribution of type sizes around it (:func:`size_breaks`)."""
    upright = vertical_page(lines)
    hs, adv = [], []
    for ln in lines:
        if units(ln.text) >= 4 and is_vertical(ln) == upright and type_size(ln) > 0:
            hs.append(type_size(ln))
            adv.append(advance(ln))
    if not hs:
        hs = [max(1.0, type_size(ln)) for ln in lines] or [20.0]
        adv = [max(1.0, advance(ln)) for ln in lines] or [20.0]
        return BodySize(statistics.median(hs), statistics.median(adv))
    height = statistics.median(hs)
    sized = [
        (type_size(ln) / height, units(ln.text))
        for ln in lines
        if units(ln.text) >= 2 and is_vertical(ln) == upright and type_size(ln) > 0
    ]
    small, big, display = size_breaks(sized, 1.0 / height)
    return BodySize(height, statistics.median(adv), small, big, display, upright)


def size_breaks(sized: list[tuple[float, float]], pixel: float = 0.0) -> tuple[float, float, float]:
    """(small, big, display): where a page's line sizes leave body text, from
    ``sized`` = (type size over body's, characters) of its horizontal lines; ``pixel``:
    a pixel over body height (boxes are whole pixels).

    Sizes are binned (a pixel, or 1%, wide) and weighted by characters. Body text is
    the heaviest bin within 10% of body size and the bins next to it (up to two pixels
    on) that hold 10% of its characters or more, and any lump of sizes beyond them
    (within 15%) that holds a fifth of the body's characters (a second mode of body
    text: glyphs of another ink height, another article's body size). ``small`` and
    ``big`` lie in the gaps below and above it (half the gap, at most the spread of
    the page's line heights: three weighted median deviations of the lines within 10%
    of body size, 2-6%), each held to its range (``SMALL_RANGE``, ``BIG_RANGE``).
    ``display`` is ``DISPLAY``, or more when the body cluster reaches near it."""
    xs = sorted((math.log(r), min(u, 30.0)) for r, u in sized if r > 0)
    core = [(x, u) for x, u in xs if abs(x) <= math.log(1.1)]
    if not core:
        return SMALL_RANGE[1], BIG_RANGE[0], DISPLAY
    dev = _weighted_median([(abs(x), u) for x, u in core])
    tol = min(0.06, max(0.02, 3 * 1.4826 * dev))
    w = max(0.01, math.log1p(pixel))
    mass: dict[int, float] = {}
    for x, u in xs:
        mass[round(x / w)] = mass.get(round(x / w), 0.0) + u
    mode = max((b for b in mass if abs(b * w) <= math.log(1.1)), key=lambda b: mass[b])
    body = mass[mode]
    edges = []
    for step in (1, -1):  # up, then down
        cur, total = mode, body
        while True:
            occupied = sorted((b for b in mass if (b - cur) * step > 0), key=lambda b: b * step)
            if not occupied:
                edges.append((cur * w, None))
                break
            n = occupied[0]
            if abs(n - cur) <= 2 and mass[n] >= 0.1 * body:
                cur, total = n, total + mass[n]
                continue
            lump = [n]
            for b in occupied[1:]:
                if abs(b - lump[-1]) > 2:
                    break
                lump.append(b)
            if abs(n - cur) * w <= math.log(1.15) and sum(mass[b] for b in lump) >= 0.2 * total:
                cur, total = lump[-1], total + sum(mass[b] for b in lump)
                continue
            edges.append((cur * w, n * w))
            break
    (top, above), (bottom, below) = edges
    big = math.exp(top + (tol if above is None else min(tol, (above - top) / 2)))
    small = math.exp(bottom - (tol if below is None else min(tol, (bottom - below) / 2)))
    small = min(max(small, SMALL_RANGE[0]), SMALL_RANGE[1])
    big = min(max(big, BIG_RANGE[0]), BIG_RANGE[1])
    display = max(DISPLAY, big * 1.07)  # above the body cluster, however far it reaches
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
    ``size.display`` (characters against body text's pitch; on a page set in vertical
    columns, against its type size); a vertical line past the page's break of bigger
    type (``size.big``, and 1.1), with characters no narrower than body text's; a
    horizontal line short of half again body size must have no punctuation of running
    text."""
    if units(line.text) < 1.5:
        return False
    # A horizontal line on a page set in vertical columns: its characters' pitch against
    # body text's type size (the columns' pitch is along them, not across).
    pitch = size.height if size.upright and not is_vertical(line) else size.advance
    r, a = type_size(line) / size.height, advance(line) / pitch
    if is_vertical(line):
        return r >= max(size.big, 1.1) and a >= 1.0
    if r >= 1.5 and a >= 1.2:
        return True
    return r >= size.display and a >= size.display and not RUNNING_PUNCT.search(line.text[:-1])


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
