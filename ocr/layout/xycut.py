"""The recursive XY-cut: where to cut a region of the page next, and the cutting."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ocr.layout.ink import bands_of, runs_of


@dataclass
class WorkPage:
    """The analysis copy of a page and what was found on it, all in work pixels.

    A *picture* is a photo or a QR code: its whole box counts as occupied. ``ch``, the
    height of a body character, is the unit of every threshold of the cuts."""

    text: np.ndarray  # bool, text ink
    occupied: np.ndarray  # bool, text ink or picture area
    solid: np.ndarray  # bool, occupied but for dots (dirt, bleed-through, points)
    lines: np.ndarray  # bool, occupied dilated so that lines of text are solid bars
    grow: int  # how far (pixels) that dilation reaches up or down
    pictures: np.ndarray  # bool, picture area
    ch: float  # height of a body character
    line_gap: float  # usual white gap between two lines of body text
    hrules: list[tuple[int, int, int, int]] = field(default_factory=list)
    vrules: list[tuple[int, int, int, int]] = field(default_factory=list)
    headlines: list[tuple[int, int, int, int]] = field(default_factory=list)  # their lines
    column_starts: list[int] = field(default_factory=list)  # x where columns begin
    marks: np.ndarray | None = None  # bool, text ink with its specks (None: ``text``)


def xycut(page: WorkPage, box, leaves: list) -> None:
    """Cut ``box`` (x0, y0, x1, y1) of the page recursively, appending the leaves to
    ``leaves`` in reading order and the left edges of columns cut apart to
    ``page.column_starts``."""
    box = _trim(page, box)
    if box is None:
        return
    cuts, horizontal = _find_cuts(page, box)
    if not cuts:
        leaves.append(box)
        return
    parts = [p for p in (_trim(page, p) for p in _split(box, cuts, horizontal)) if p]
    if not horizontal:
        page.column_starts += [p[0] for p in parts[1:]]
    for part in parts:
        xycut(page, part, leaves)


def _find_cuts(page: WorkPage, box) -> tuple[list[int], bool]:
    """Where to cut a region next: (positions, horizontal?), ([], _) for a leaf."""
    cuts = _cuts_h(page, box, strict=True)
    if cuts:
        return cuts, True
    cuts = _cuts_v(page, box) or _through_rules(page, box, horizontal=False)
    if cuts:
        return cuts, False
    cuts = _cuts_blocking(page, box)
    if cuts:
        return cuts, True
    cuts = _cuts_h(page, box, strict=False)
    if cuts:
        return cuts, True
    return _cuts_pictures(page, box)


def _cuts_h(page: WorkPage, box, strict: bool) -> list[int]:
    """Horizontal cuts (absolute y). strict: only at rules across the whole region;
    otherwise at white gaps clearly wider than the line spacing or, failing those,
    between text and a photo."""
    x0, y0, x1, y1 = box
    occupied = page.occupied[y0:y1, x0:x1]
    runs = _kind_runs(occupied, page.pictures[y0:y1, x0:x1], axis=1)
    width = x1 - x0
    hmin = max(page.line_gap * 1.6, page.line_gap + 0.4 * page.ch)
    ruled, wide, change = [], [], []
    for (_, e0, pic0), (s1, _, pic1) in zip(runs, runs[1:], strict=False):
        g0, g1 = y0 + e0, y0 + s1
        if any(
            g0 - 1 <= (r[1] + r[3]) / 2 <= g1 + 1 and min(r[2], x1) - max(r[0], x0) >= 0.8 * width
            for r in page.hrules
        ):
            ruled.append((g0 + g1) // 2)
        elif s1 - e0 >= hmin:
            wide.append((g0 + g1) // 2)
        elif pic0 != pic1:
            change.append((g0 + g1) // 2)
    if strict:
        return ruled or _through_rules(page, box)
    return sorted(ruled + wide) or change


def _through_rules(page: WorkPage, box, horizontal: bool = True) -> list[int]:
    """Cuts (absolute y, or x if not ``horizontal``) at rules across the region (four
    fifths of its width, or three fifths of its height) with ink beside them in under a
    twentieth of the width (height): what crosses there is dirt, the scan's edge, a
    character touching the rule, not a line of text."""
    x0, y0, x1, y1 = box
    if not horizontal:  # the same, on the transposed page
        x0, y0, x1, y1 = y0, x0, y1, x1
    width, edge = x1 - x0, max(1, int(0.5 * page.ch))
    solid = page.solid if horizontal else page.solid.T
    cuts: list[int] = []
    for r in page.hrules if horizontal else page.vrules:
        r = r if horizontal else (r[1], r[0], r[3], r[2])
        y = (r[1] + r[3]) // 2
        share = 0.8 if horizontal else 0.6
        if min(r[2], x1) - max(r[0], x0) < share * width or not y0 + edge <= y < y1 - edge:
            continue
        rows = solid[max(y0, r[1] - 1) : min(y1, r[3] + 1), x0:x1]
        if rows.any(axis=0).sum() >= 0.05 * width or any(abs(y - c) < edge for c in cuts):
            continue
        if horizontal:
            cuts.append(y)
            continue
        # Back on the page: no line of text across the rule (or its other pieces).
        gap = (r[1] - 1 - box[0], r[3] + 1 - box[0])
        pieces = [v for v in page.vrules if r[1] - 2 <= (v[0] + v[2]) / 2 <= r[3] + 2]
        if not _headline_across(page, r[1], r[3], x0, x1) and not _splits_line(
            page, box, *gap, pieces
        ):
            cuts.append(y)
    return sorted(cuts)


def _cuts_v(page: WorkPage, box) -> list[int]:
    """Vertical cuts (absolute x) at ruled or wide white gutters that no headline
    crosses, with columns of text (not single lines) on both sides, or at narrow white
    gutters that many lines on both sides agree on (:func:`_agreed_gutter`). White is
    white of all but dots (``page.solid``): bleed-through and dirt block no gutter."""
    x0, y0, x1, y1 = box
    runs = _kind_runs(page.solid[y0:y1, x0:x1], page.pictures[y0:y1, x0:x1], axis=0)
    height = y1 - y0
    cuts = []
    for (_, e0, pic0), (s1, _, pic1) in zip(runs, runs[1:], strict=False):
        g0, g1 = x0 + e0, x0 + s1
        rules = [r for r in page.vrules if g0 - 1 <= (r[0] + r[2]) / 2 <= g1 + 1]
        span = sum(max(0, min(r[3], y1) - max(r[1], y0)) for r in rules)  # pieces add up
        # A rule in a gap of some width, or a long one (no character is twelve tall).
        ruled = span >= 0.6 * height and (s1 - e0 >= 0.4 * page.ch or span >= 12 * page.ch)
        if _headline_across(page, g0, g1, y0, y1):
            continue
        if pic0 != pic1 or _column_gutter(page, box, e0, s1, ruled, rules):
            cuts.append((g0 + g1) // 2)
    return cuts


def _column_gutter(page: WorkPage, box, e0: int, s1: int, ruled: bool, rules) -> bool:
    """Whether the white gap (columns e0..s1 of the region) between text is a gutter
    between columns of text (see :func:`_cuts_v`)."""
    x0, y0, x1, y1 = box
    if (not ruled and s1 - e0 < 0.9 * page.ch) or _splits_line(page, box, e0, s1, rules):
        return _agreed_gutter(page, box, e0, s1)
    if ruled:
        return True
    text = page.solid[y0:y1, x0:x1]
    left, right = bands_of(text[:, :e0], 2), bands_of(text[:, s1:], 2)
    # Columns of text on both sides, not the aligned gaps of a few widely spaced
    # lines: many lines on both sides, or lines on one side without a partner on
    # the other (columns of different lengths); never a narrow strip.
    if min(e0, x1 - x0 - s1) >= 3 * page.ch:
        least = min(len(left), len(right))
        if least >= 4 or (least >= 2 and _unmatched(left, right) >= 2):
            return True
    tallest = max((e - s for s, e in left + right), default=0)
    return s1 - e0 >= 3 * tallest or _agreed_gutter(page, box, e0, s1)


def _agreed_gutter(page: WorkPage, box, e0: int, s1: int) -> bool:
    """Whether a white gap narrower than a line is tall (columns e0..s1 of the region)
    is a gutter all the same: lines of text on both sides (two or more on each, a
    body line tall, three characters wide) end and start at it, and it is clearly
    wider than any white that runs down the text beside it (the gaps between the
    characters of a grid; between vertical lines of text, which are as wide as it is,
    nothing is cut). A word space lines up with no other line's; a headline's lies
    over the text below it, and a line of display type on both sides of the gap, in
    the same rows, is a headline with a space (as before: two headlines side by side
    are not cut here)."""
    x0, y0, x1, y1 = box
    ch, gap = page.ch, s1 - e0
    reach = int(round(3 * ch))
    if gap < 0.4 * ch or min(e0, x1 - x0 - s1) < reach:
        return False
    text = page.solid[y0:y1, x0:x1]
    left, right = text[:, e0 - reach : e0], text[:, s1 : s1 + reach]
    display = [[(a, b) for a, b in bands_of(side) if b - a > 1.3 * ch] for side in (left, right)]
    if any(min(a[1], b[1]) - max(a[0], b[0]) > 0.5 * ch for a in display[0] for b in display[1]):
        return False  # a line of display type on both sides: a headline's word space
    ends: list[tuple[int, int]] = []  # the lines on the left
    for side, near in ((left, slice(reach - int(ch), reach)), (right, slice(0, int(ch)))):
        lines = [
            (a, b)
            for a, b in bands_of(side)
            if 0.5 * ch <= b - a <= 2 * ch and side[a:b, near].any()
        ]
        if len(lines) < 2:
            return False
        ends = ends or lines
        rows = np.zeros(side.shape[0], bool)
        for a, b in lines:
            rows[a:b] = True
        inner = runs_of(~side[rows].any(axis=0))
        if max((e - s for s, e in inner), default=0) * 2 > gap:
            return False
    # Not the white around points, commas and quotes inside lines (a grid's
    # punctuation lines up; white of all but dots leaves them out, and at 72 dpi a
    # point or a thin stroke is a speck of a pixel or two): marks in the gap on half
    # of its lines or more. Dirt in a gutter is on fewer.
    marks = page.text if page.marks is None else page.marks
    dotted = sum(marks[y0 + a : y0 + b, x0 + e0 : x0 + s1].any() for a, b in ends)
    return 2 * dotted < len(ends)


def _unmatched(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """How many bands of either list overlap no band of the other by half its height."""

    def alone(x, others):
        return not any(
            min(x[1], o[1]) - max(x[0], o[0]) >= 0.5 * min(x[1] - x[0], o[1] - o[0]) for o in others
        )

    return sum(alone(x, b) for x in a) + sum(alone(x, a) for x in b)


def _cuts_blocking(page: WorkPage, box) -> list[int]:
    """Horizontal cuts (absolute y) around whatever crosses an otherwise white gutter,
    where that lets one of the pieces be cut into columns."""
    x0, y0, x1, y1 = box
    occupied = page.occupied[y0:y1, x0:x1]
    height = y1 - y0
    filled = page.lines[y0:y1, x0:x1].sum(axis=0)
    white_rows = runs_of(~occupied.any(axis=1))
    if not white_rows:
        return []
    best: list[int] = []
    used = filled[filled > 0]
    if len(used) == 0:
        return []
    level = min(0.5 * height, 0.35 * float(np.median(used)))
    for s, e in runs_of(filled <= level):
        if e - s < 0.6 * page.ch or s == 0 or e == occupied.shape[1]:
            continue
        cuts: set[int] = set()
        # What crosses the gutter crosses its middle (its sides may be in the ragged
        # edge of a column).
        c = (s + e) // 2
        for b0, b1 in _crossing(page, page.lines[y0:y1, x0 + c - 1 : x0 + c + 2]):
            above = [g for g in white_rows if g[1] <= b0]
            below = [g for g in white_rows if g[0] >= b1]
            if above:
                cuts.add(y0 + (above[-1][0] + above[-1][1]) // 2)
            if below:
                cuts.add(y0 + (below[0][0] + below[0][1]) // 2)
        if not cuts or (best and len(cuts) >= len(best)):
            continue
        for part in _split(box, sorted(cuts), True):
            part = _trim(page, part)
            if part is not None and _cuts_v(page, part):
                best = sorted(cuts)  # the fewest cuts that do it
                break
    return best


def _crossing(page: WorkPage, strip: np.ndarray) -> list[tuple[int, int]]:
    """The row ranges of what crosses a gutter, from its middle ``strip`` of
    ``page.lines``: lines of body text closer together than a paragraph's gap (see
    :func:`_cuts_h`) are one thing crossing (the lines of an article wider than the
    gutter), not one each; a headline is a thing of its own."""
    hmin = max(page.line_gap * 1.6, page.line_gap + 0.4 * page.ch)
    out: list[list[int]] = []  # [start, end, body lines only]
    for b0, b1 in runs_of(strip.any(axis=1)):
        m = min(page.grow, (b1 - b0) // 2)  # undo the dilation of page.lines
        b0, b1 = b0 + m, b1 - m
        body = b1 - b0 <= 1.5 * page.ch  # a line of body text, not a headline
        if out and body and out[-1][2] and b0 - out[-1][1] < hmin:
            out[-1][1] = b1
        else:
            out.append([b0, b1, body])
    return [(a, b) for a, b, _ in out]


def _cuts_pictures(page: WorkPage, box) -> tuple[list[int], bool]:
    """Cuts along the edges of a picture (photo or QR code) that shares a region with text:
    (positions, horizontal?). Vertical cuts are tried first."""
    x0, y0, x1, y1 = box
    pictures = page.pictures[y0:y1, x0:x1]
    if not pictures.any() or pictures.sum() == page.occupied[y0:y1, x0:x1].sum():
        return [], False
    occupied = page.occupied[y0:y1, x0:x1]
    for axis, horizontal in ((0, False), (1, True)):
        runs = runs_of(occupied.any(axis=axis))
        pictured = pictures.any(axis=axis)
        cuts = []
        for (s0, e0), (s1, e1) in zip(runs, runs[1:], strict=False):
            if not (pictured[s0:e0].any() or pictured[s1:e1].any()):
                continue
            if horizontal:
                cuts.append(y0 + (e0 + s1) // 2)
                continue
            g0, g1 = x0 + e0, x0 + s1
            if _headline_across(page, g0, g1, y0, y1):
                continue
            if _splits_line(page, box, e0, s1):
                continue
            cuts.append((g0 + g1) // 2)
        if cuts:
            return cuts, horizontal
    return [], False


def _headline_across(page: WorkPage, g0: int, g1: int, y0: int, y1: int) -> bool:
    """Whether a headline crosses the gutter g0..g1 (absolute x) between rows y0..y1."""
    return any(b[0] < g0 and b[2] > g1 and b[1] < y1 and b[3] > y0 for b in page.headlines)


def _splits_line(page: WorkPage, box, e0: int, s1: int, rules=()) -> bool:
    """Whether a white gap (columns e0..s1 of the region) runs through a line of text:
    ink on both sides, in the same rows, closer together than the line is tall (the
    space between words; columns are further apart than their text is tall), and no
    vertical rule (of ``rules``) between them."""
    x0, y0, x1, y1 = box
    ruled = np.zeros(y1 - y0, bool)
    for r in rules:
        ruled[max(0, r[1] - y0) : max(0, r[3] - y0)] = True
    text = page.text[y0:y1, x0:x1]
    reach = int(2 * page.ch)
    left = text[:, max(0, e0 - reach) : e0]
    right = text[:, s1 : s1 + reach]
    if left.size == 0 or right.size == 0:
        return False
    for a0, a1 in bands_of(left):
        cols = np.flatnonzero(left[a0:a1].any(axis=0))
        end = cols[-1] + 1 - left.shape[1]  # <= 0, relative to e0
        for b0, b1 in bands_of(right[a0:a1]):
            if b1 - b0 < 0.5 * min(a1 - a0, page.ch):
                continue
            start = int(np.flatnonzero(right[a0 + b0 : a0 + b1].any(axis=0))[0])
            gap = (s1 - e0) + start - end
            if gap < 0.95 * max(a1 - a0, b1 - b0) and not ruled[a0 + b0 : a0 + b1].all():
                return True
    return False


def _trim(page: WorkPage, box):
    """``box`` shrunk to what is occupied in it; None if nothing is."""
    x0, y0, x1, y1 = box
    occupied = page.occupied[y0:y1, x0:x1]
    rows, cols = np.flatnonzero(occupied.any(axis=1)), np.flatnonzero(occupied.any(axis=0))
    if len(rows) == 0:
        return None
    return (x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1)


def _split(box, cuts, horizontal: bool):
    """The non-empty parts of ``box`` between the cuts (rows if horizontal, else columns)."""
    x0, y0, x1, y1 = box
    edges = [y0 if horizontal else x0, *sorted(cuts), y1 if horizontal else x1]
    parts = []
    for a, b in zip(edges, edges[1:], strict=False):
        if b > a:
            parts.append((x0, a, x1, b) if horizontal else (a, y0, b, y1))
    return parts


def _kind_runs(occupied: np.ndarray, pictures: np.ndarray, axis: int):
    """Runs of occupied rows (axis=1) or columns (axis=0), each with whether it is
    all picture, as (start, end, is_picture)."""
    o = occupied.sum(axis=axis)
    b = pictures.sum(axis=axis)
    out = []
    for s, e in runs_of(o > 0):
        out.append((s, e, b[s:e].sum() >= 0.97 * o[s:e].sum()))
    return out
