"""Headline blobs: lines of large text, which no vertical cut may cross; two headlines
side by side on one row, each over its own article, are two blobs."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.layout.ink import runs_of


def headline_blobs(text: np.ndarray, ch: float, vrule: np.ndarray):
    """Boxes of lines of large text (headlines), which a vertical cut must not cross.

    Components taller than body text are joined with their neighbours on the same line
    when the gap is less than ~0.6 of their height (the space between two words) and
    no vertical rule lies between them; then each line is widened to the smaller
    parts of characters at its ends (a character need not have one tall component)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(text.astype(np.uint8), connectivity=8)
    if n <= 1:
        return []
    boxes = stats[1:, :4].astype(np.int64)
    boxes[:, 2] += boxes[:, 0]  # x1
    boxes[:, 3] += boxes[:, 1]  # y1
    heights = boxes[:, 3] - boxes[:, 1]
    widths = boxes[:, 2] - boxes[:, 0]
    seeds = boxes[(heights > 1.3 * ch) & (widths < 20 * ch)]
    if len(seeds) == 0:
        return []
    seeds = seeds[np.argsort(seeds[:, 0])]
    out = []
    for members in _join_words(seeds, vrule):
        for part, (lo, hi) in _split_at_gutters(seeds[members], text, ch):
            out.append(_widen(part, boxes, heights, vrule, lo, hi))
    return out


def _ruled(vrule: np.ndarray, y0: int, y1: int, xa: int, xb: int) -> bool:
    """Whether a vertical rule lies in rows y0..y1 between columns xa and xb."""
    return xb > xa and y1 > y0 and bool(vrule[y0:y1, xa:xb].any())


def _join_words(seeds: np.ndarray, vrule: np.ndarray) -> list[list[int]]:
    """The lines that the tall components ``seeds`` (x0, y0, x1, y1 rows, sorted by x0)
    make, as lists of their indices: neighbours of about the same height in the same
    rows, closer than ~0.6 of their height and with no vertical rule between them, are
    joined."""
    reach = 0.6 * float((seeds[:, 3] - seeds[:, 1]).max())
    parent = list(range(len(seeds)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(seeds):
        ha = a[3] - a[1]
        for j in range(i + 1, len(seeds)):
            b = seeds[j]
            if b[0] - a[2] > reach:
                break  # sorted by x0: all further boxes start further right
            hb = b[3] - b[1]
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            if overlap < 0.5 * min(ha, hb) or min(ha, hb) < 0.6 * max(ha, hb):
                continue
            if b[0] - a[2] > 0.6 * max(ha, hb):
                continue
            if _ruled(vrule, max(a[1], b[1]), min(a[3], b[3]), a[2], b[0]):
                continue
            parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(seeds)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _split_at_gutters(seeds: np.ndarray, text: np.ndarray, ch: float):
    """A line of tall components (``seeds``, sorted by x0) cut where it stands over a
    gutter: two headlines side by side, each over its own article. A cut goes in a
    gap between characters clearly wider than the line's own spacing (twice the
    median gap, and a fifth of its height) under which the text below keeps a white
    gutter (see :func:`_gutter_below`); each part keeps two characters or more.
    Returns [(box, (lo, hi))]: each part's box and how far it may be widened."""
    spans: list[list[int]] = []  # x-ranges of characters (components overlapping in x)
    for b in seeds:
        if spans and b[0] <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], int(b[2]))
        else:
            spans.append([int(b[0]), int(b[2])])
    y0, y1 = int(seeds[:, 1].min()), int(seeds[:, 3].max())
    whole = [(int(seeds[:, 0].min()), y0, int(seeds[:, 2].max()), y1), (-(10**9), 10**9)]
    if len(spans) < 4:
        return [whole]
    gaps = [(a[1], b[0]) for a, b in zip(spans, spans[1:], strict=False)]
    own = float(np.median([g1 - g0 for g0, g1 in gaps]))
    cuts = [
        k
        for k, (g0, g1) in enumerate(gaps)
        if g1 - g0 > max(2 * own, 0.2 * (y1 - y0))
        and 2 <= k + 1 <= len(spans) - 2
        and _gutter_below(text, g0, g1, y1, ch)
    ]
    if not cuts:
        return [whole]
    parts = []
    start = 0
    for k in [*cuts, len(spans) - 1]:
        if k + 1 - start < 2:
            continue
        members = seeds[(seeds[:, 0] >= spans[start][0]) & (seeds[:, 2] <= spans[k][1])]
        lo = gaps[start - 1][0] if start else -(10**9)
        hi = gaps[k][1] if k < len(gaps) else 10**9
        box = (int(members[:, 0].min()), y0, int(members[:, 2].max()), y1)
        parts.append((box, (lo, hi)))
        start = k + 1
    return parts if len(parts) > 1 else [whole]


def _gutter_below(text: np.ndarray, g0: int, g1: int, y1: int, ch: float) -> bool:
    """Whether the text under a headline's gap (columns g0..g1, the headline's foot at
    y1) keeps a white gutter: in the rows from half a line to eight lines under it, on
    at least two and a half lines' worth of rows with text on both sides of the gap
    (within two lines' height), some run of columns in the gap, a third of a line wide,
    has no ink (not the white between two characters of one line, nor a photo's)."""
    h, w = text.shape
    top, bot = int(y1 + 0.5 * ch), int(min(h, y1 + 8 * ch))
    reach = int(2 * ch)
    if bot - top < 2.5 * ch or g1 <= g0:
        return False
    band = text[top:bot]
    left = band[:, max(0, g0 - reach) : g0].any(axis=1)
    right = band[:, g1 : min(w, g1 + reach)].any(axis=1)
    both = left & right
    if both.sum() < 2.5 * ch:
        return False
    white = ~band[both, g0:g1].any(axis=0)
    return any(e - s >= max(2, ch / 3) for s, e in runs_of(white))


def _widen(
    line,
    boxes: np.ndarray,
    heights: np.ndarray,
    vrule: np.ndarray,
    lo: int = -(10**9),
    hi: int = 10**9,
):
    """A line widened, left and right, to the smaller parts of characters at its ends:
    components of ``boxes`` within its rows, at least a quarter of its height, less
    than ~0.6 of its height away, with no vertical rule between and not past ``lo`` or
    ``hi`` (a cut between two headlines side by side)."""
    x0, y0, x1, y1 = line
    h = y1 - y0
    inside = (boxes[:, 1] >= y0 - 0.1 * h) & (boxes[:, 3] <= y1 + 0.1 * h) & (heights >= 0.25 * h)
    parts = boxes[inside]
    grown = True
    while grown:
        grown = False
        for p in parts:
            if p[0] < lo or p[2] > hi:
                continue
            if x0 - 0.6 * h <= p[2] < x0 and not _ruled(vrule, y0, y1, p[2], x0):
                x0, grown = int(p[0]), True
            elif x1 < p[0] <= x1 + 0.6 * h and not _ruled(vrule, y0, y1, x1, p[0]):
                x1, grown = int(p[2]), True
    return (x0, y0, x1, y1)
