"""Reading order of text set in vertical lines, as older Chinese papers set their pages.

Such a page is read band by band, top to bottom; within a band right to left; a column
top to bottom. Blocks are not given (a phone photo's layout is often one block), so the
order is found on the lines themselves, as a topological order of three relations
(Breuel's reading-order rules, turned for vertical text):

* *stacked*: two lines one over the other (their x-ranges overlap by half the
  narrower): the upper first (the pieces of one column; a headline over the columns
  under it);
* *beside*: two lines side by side (their y-ranges overlap by half the shorter): the
  right one first (the columns of one band; a vertical headline beside its columns);
* *above*: of two lines neither stacked nor beside, the higher (by its middle) comes
  first (the upper band before the lower; boxes of two bands may touch on a photo),
  unless a *separator* stands between them in x, over half of each in y: a vertical
  rule, or a line reaching over more than one band (longer by half than the page's
  median vertical line). Then neither comes first by that rule, and the page reads the
  part to the right of the separator before the part to its left (among the lines free
  to come next, the rightmost first).

Where the relations run in a circle (a line found across two bands), the line held back
by the fewest unread lines comes next. Boxes are in deskewed pixels.
"""

from __future__ import annotations

import heapq
import statistics
from collections.abc import Sequence

import numpy as np

from ocr.model import Box, Line
from ocr.text.lines import is_vertical, vertical_page

__all__ = ["box_order", "vertical_order", "vertical_page"]

# A vertical line longer than this many times the page's median vertical line reaches
# over more than one band: it separates what lies to its right from what lies to its left.
SEPARATOR_LENGTH = 1.5


def vertical_order(lines: Sequence[Line], rules: Sequence[Box] = ()) -> list[Line]:
    """``lines`` in the reading order of vertical text (see the module docstring);
    ``rules``: the page's vertical rules."""
    seps = list(rules) + _over_bands(lines)
    return [lines[i] for i in box_order([ln.box for ln in lines], seps)]


def box_order(boxes: Sequence[Box], separators: Sequence[Box] = ()) -> list[int]:
    """Indices of ``boxes`` (lines, or blocks of them) in the reading order of vertical
    text, ``separators`` parting the bands (see the module docstring)."""
    n = len(boxes)
    if n <= 1:
        return list(range(n))
    before = _before(boxes, separators)
    indeg = before.sum(axis=0)
    key = [(-b.x1, b.y0, i) for i, b in enumerate(boxes)]  # rightmost, then top
    xs, ys = np.array([b.x1 for b in boxes]), np.array([b.y0 for b in boxes])
    heap = [key[i] for i in range(n) if indeg[i] == 0]
    heapq.heapify(heap)
    done = np.zeros(n, bool)
    out: list[int] = []
    while len(out) < n:
        while heap and done[heap[0][2]]:
            heapq.heappop(heap)
        if heap:
            k = heapq.heappop(heap)[2]
        else:  # a circle: the one held back by the fewest unread ones
            left = np.flatnonzero(~done)
            k = int(left[np.lexsort((ys[left], -xs[left], indeg[left]))[0]])
        done[k] = True
        out.append(k)
        after = np.flatnonzero(before[k] & ~done)
        indeg[after] -= 1
        for j in after[indeg[after] == 0]:
            heapq.heappush(heap, key[j])
    return out


def _over_bands(lines: Sequence[Line]) -> list[Box]:
    """The vertical lines that reach over more than one band."""
    tall = [ln.box.height for ln in lines if is_vertical(ln)]
    if not tall:
        return []
    usual = statistics.median(tall)
    return [ln.box for ln in lines if is_vertical(ln) and ln.box.height > SEPARATOR_LENGTH * usual]


def _before(boxes: Sequence[Box], separators: Sequence[Box]) -> np.ndarray:
    """``before[i, j]``: box ``i`` is read before box ``j`` (the relations of the
    module docstring)."""
    b = np.array([(r.x0, r.y0, r.x1, r.y1) for r in boxes], np.float32).reshape(-1, 4)
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    w, h = x1 - x0, y1 - y0
    lo, hi = np.minimum.outer(x1, x1), np.maximum.outer(x0, x0)
    stacked = lo - hi > 0.5 * np.minimum.outer(w, w)  # x-ranges overlap by half
    yo = np.minimum.outer(y1, y1) - np.maximum.outer(y0, y0)
    half = 0.5 * np.minimum.outer(h, h)
    beside = ~stacked & (yo > half)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    higher = np.less.outer(cy, cy)
    before = stacked & (yo < half) & higher
    before |= beside & np.greater.outer(cx, cx)
    above = ~stacked & ~beside & higher
    apart = above & (lo <= hi)  # apart in x: the gap between them runs from lo to hi
    for sep in separators:
        mid = (sep.x0 + sep.x1) / 2
        spans = np.flatnonzero(np.minimum(sep.y1, y1) - np.maximum(sep.y0, y0) >= 0.5 * h)
        if len(spans) > 1:  # over half of each of these lines
            ix = np.ix_(spans, spans)
            above[ix] &= ~(apart[ix] & (lo[ix] < mid) & (mid < hi[ix]))
    return before | above
