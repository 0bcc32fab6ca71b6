"""Gutters across detected lines: a line the detector ran across two text columns is cut.

Newspaper columns are often set with narrow unruled gutters and their lines at the same
heights, so a detector reading the whole page can see a line of each column as one line.
A detected line of body size is cut at a white gap (no text ink over the line's rows, at
least GAP_MIN times as wide as its type is tall) when the neighbouring body lines agree
that a gutter runs there: the lines just above and below (no horizontal rule between,
in the layout blocks the line runs through) that reach over the gap leave one run of
it as wide as a gutter white, the same run for all, or end or start in it. A lone wide
gap (a space in a line, the white after a comma) is not a gutter: the next line does
not leave it white. Lines taller than body text (headlines) are never given here:
their inner spaces are theirs.

Works on quads in deskewed-page pixels (clockwise from top-left) and the page's text ink.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ocr.model import Box

GAP_MIN = 0.6  # a gutter's white gap is at least this many text heights (ems) wide
REACH = 2.6  # neighbours within this many line heights above or below count
AGREE_MIN = 2  # at least this many neighbours agree (one above and one below, or two)...
# ...or a single one (a paragraph of two lines) that is white over the whole gap
GUTTERS = {"gap": GAP_MIN, "reach": REACH, "agree": AGREE_MIN}


@dataclass(frozen=True)
class Gap:
    """A white gap inside a line, half-open ``x0:x1`` (page pixels)."""

    x0: int
    x1: int

    @property
    def middle(self) -> float:
        return (self.x0 + self.x1) / 2


def white_gaps(ink: np.ndarray, box: Box, margin: float = 0.0) -> list[Gap]:
    """White gaps of at least GAP_MIN text heights inside the line ``box`` (not at its
    ends): runs of columns without ink over the line's rows. The text height is the
    box's less the ``margin`` the detector leaves above and below ink on this page
    (a gutter is as wide as the type is tall, whatever margin the detector adds)."""
    from ocr.layout.ink import runs_of  # (OpenCV only when lines are cut)

    h, em = box.height, _em(box, margin)
    x0, y0 = max(0, int(box.x0)), max(0, int(box.y0 + 0.15 * h))
    x1, y1 = min(ink.shape[1], int(np.ceil(box.x1))), min(ink.shape[0], int(box.y1 - 0.15 * h))
    if x1 - x0 < 3 * h or y1 <= y0:
        return []
    cols = ink[y0:y1, x0:x1].any(axis=0)
    inked = np.flatnonzero(cols)
    if len(inked) < 2:
        return []
    out = []
    for a, b in runs_of(~cols):
        if a > inked[0] and b <= inked[-1] and b - a >= GAP_MIN * em:
            out.append(Gap(x0 + a, x0 + b))
    return out


def _em(box: Box, margin: float) -> float:
    """The text height of a line: its box's, less the detector's margin above and below."""
    return max(0.5 * box.height, box.height - 2 * margin)


def _white_over(ink: np.ndarray, other: Box, gap: Gap, h: float) -> np.ndarray | None:
    """Which columns of ``gap`` a neighbouring line leaves white (no ink over its core
    rows, or beyond its ends): None when it stops more than half a line height short of
    the gap (it says nothing about it)."""
    if other.x1 < gap.x0 - 0.5 * h or other.x0 > gap.x1 + 0.5 * h:
        return None
    y0 = max(0, int(other.y0 + 0.15 * other.height))
    y1 = min(ink.shape[0], int(other.y1 - 0.15 * other.height))
    if y1 <= y0:
        return None
    cols = np.arange(gap.x0, gap.x1)
    white = ~ink[y0:y1, gap.x0 : gap.x1].any(axis=0)
    return white | (cols < other.x0) | (cols >= other.x1)


def _longest_run(flags: np.ndarray) -> int:
    from ocr.layout.ink import runs_of

    return max((b - a for a, b in runs_of(flags)), default=0)


def is_gutter(
    ink: np.ndarray,
    box: Box,
    gap: Gap,
    others: list[Box],
    rules: list[Box] = (),
    apart: Callable[[Box, Box], bool] | None = None,
    margin: float = 0.0,
) -> bool:
    """Whether the lines above and below ``box`` agree on a gutter at ``gap``: of the
    nearest lines reaching over it (up to two above and two below, within REACH line
    heights, no horizontal rule between: a rule ends a section; none that ``apart``
    says is in another block) at least AGREE_MIN leave one run of columns of the gap
    white, as wide as a gutter is (GAP_MIN text heights, see :func:`white_gaps`), the
    same run for all: a gap that takes in the white after a comma as well as the
    gutter is cut, as the neighbours say; white between two characters of each, where
    they happen to line up, is no gutter."""
    h = box.height
    above, below = [], []
    for o in others:
        if o is box or o.height > 1.6 * h or o.height < 0.6 * h:
            continue
        if o.y1 <= box.y0 + 0.3 * h and box.y0 - o.y1 < REACH * h:
            side = above
        elif o.y0 >= box.y1 - 0.3 * h and o.y0 - box.y1 < REACH * h:
            side = below
        else:
            continue
        if _ruled_off(o, box, gap, rules) or (apart is not None and apart(o, box)):
            continue
        side.append(o)
    said = []
    for side, nearest_first in ((above, lambda o: -o.y1), (below, lambda o: o.y0)):
        near = (_white_over(ink, o, gap, h) for o in sorted(side, key=nearest_first))
        said += [m for m in near if m is not None][:2]
    if len(said) == 1:
        return bool(said[0][1:-1].all())
    common = _longest_run(np.logical_and.reduce(said)) if said else 0
    return len(said) >= AGREE_MIN and common >= GAP_MIN * _em(box, margin)


def _ruled_off(other: Box, box: Box, gap: Gap, rules: list[Box]) -> bool:
    """A horizontal rule runs between ``other`` and ``box`` under the gap."""
    lo, hi = sorted((other.center[1], box.center[1]))
    return any(lo < r.center[1] < hi and r.x0 <= gap.middle <= r.x1 for r in rules)


def split_quad(quad: np.ndarray, cuts: list[Gap]) -> list[np.ndarray]:
    """The quad (clockwise from top-left) cut at each gap, the gaps themselves left out,
    along its top and bottom edges."""
    tl, tr, br, bl = (quad[i].astype(np.float64) for i in range(4))

    def at(p: np.ndarray, q: np.ndarray, x: float) -> np.ndarray:
        t = 0.0 if q[0] == p[0] else (x - p[0]) / (q[0] - p[0])
        return p + np.clip(t, 0.0, 1.0) * (q - p)

    pieces, left_top, left_bottom = [], tl, bl
    for g in sorted(cuts, key=lambda g: g.x0):
        pieces.append(np.array([left_top, at(tl, tr, g.x0), at(bl, br, g.x0), left_bottom]))
        left_top, left_bottom = at(tl, tr, g.x1), at(bl, br, g.x1)
    pieces.append(np.array([left_top, tr, br, left_bottom]))
    return pieces


def split_at_gutters(
    quads: list[np.ndarray],
    ink: np.ndarray,
    rules: list[Box] = (),
    apart: Callable[[Box, Box], bool] | None = None,
    margin: float = 0.0,
) -> list[list[np.ndarray]]:
    """Each quad (a body line) as its pieces: cut at every gutter its neighbours among
    ``quads`` agree on (:func:`is_gutter`; ``rules``: horizontal rules, neighbours
    across one do not vote; ``apart(other, line)``: ``other`` is in a block ``line``
    does not reach into, and does not vote; ``margin``: the detector's margin around
    ink on this page, see :func:`white_gaps`). The lines cut in one pass are their
    pieces in the next (a piece that ends at a gutter says it is one), until no more
    cuts are found."""
    lines = [(q, Box.from_poly(q)) for q in quads]
    long = [i for i, (_, b) in enumerate(lines) if b.width >= 2.5 * b.height]  # else whole
    gaps = {i: white_gaps(ink, lines[i][1], margin) for i in long}
    cuts: dict[int, list[Gap]] = {i: [] for i in long}
    for _ in range(3):
        pieces = [split_quad(q, cuts[i]) if cuts.get(i) else [q] for i, (q, _) in enumerate(lines)]
        boxes = sorted((Box.from_poly(p) for ps in pieces for p in ps), key=lambda b: b.y0)
        tops = [b.y0 for b in boxes]
        found = {}
        for i in long:
            box = lines[i][1]
            reach = (REACH + 1.6) * box.height  # lines nearer than this may vote
            near = boxes[bisect_left(tops, box.y0 - reach) : bisect_right(tops, box.y1 + reach)]
            found[i] = [g for g in gaps[i] if is_gutter(ink, box, g, near, rules, apart, margin)]
        if found == cuts:
            break
        cuts = {i: sorted(set(cuts[i]) | set(found[i]), key=lambda g: g.x0) for i in long}
    return [split_quad(q, cuts[i]) if cuts.get(i) else [q] for i, (q, _) in enumerate(lines)]
