"""Article assembly's own reading of a line (length in ems, vertical, rows, display size,
body size), until it is one with :mod:`ocr.text`."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ocr.model import Box, Line
from ocr.text import is_vertical, units

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union


def join_text(a: str, b: str) -> str:
    """Join two pieces of a line or two lines of a paragraph: no space in CJK text."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


@dataclass
class Stats:
    height: float  # typical body line height
    advance: float  # typical body character advance (box width per em of text)


def body_stats(lines: list[Line]) -> Stats:
    hs, adv = [], []
    for ln in lines:
        u = units(ln.text)
        if u >= 4 and not is_vertical(ln) and ln.box.height > 0:
            hs.append(ln.box.height)
            adv.append(ln.box.width / u)
    if not hs:
        hs = [ln.box.height for ln in lines if ln.box.height > 0] or [20.0]
        adv = hs
    return Stats(statistics.median(hs), statistics.median(adv))


def display(line: Line, st: Stats) -> bool:
    """Clearly bigger than body text: a headline (taller and wider characters)."""
    u = units(line.text)
    if u < 1.5:
        return False
    if is_vertical(line):  # in a paper set horizontally, vertical lines are headlines
        return line.box.width >= 1.1 * st.height and line.box.height / u >= st.advance
    adv = line.box.width / u
    tall = 1.25 if u >= 3 else 1.4
    return line.box.height >= tall * st.height and adv >= 1.3 * st.advance


def rows_of(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows (overlapping in y by half the smaller height), top to
    bottom, each row left to right."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.box.center[1], ln.box.x0)):
        if rows:
            row = rows[-1]
            rb = _union(x.box for x in row)
            if _yov(rb, ln.box) >= 0.5 * min(rb.height, ln.box.height):
                row.append(ln)
                continue
        rows.append([ln])
    return [sorted(r, key=lambda ln: ln.box.x0) for r in rows]


def row_text(row: list[Line]) -> str:
    text = ""
    for ln in row:
        text = join_text(text, ln.text.strip())
    return text


def rows_text(rows: list[list[Line]]) -> str:
    text = ""
    for row in rows:
        text = join_text(text, row_text(row))
    return text
