"""Text blocks from their lines: a layout block holding two text columns is cut in two.

The layout's XY-cut does not cut a narrow unruled gutter, so one of its blocks can hold
the lines of two (or more) text columns side by side. Once the lines are detected (and
cut at the gutters, :mod:`ocr.recognize.gutters`), such a block shows a run of x that
no body line of it crosses (only body lines, of the page's body size, say where columns
are), with body lines on both sides: the block becomes one block per column, left to
right, each tight around its lines, so the columns are read one after another. Display
lines over all of the block's body lines (a headline over its columns) become a block of
their own, first; a block with any other line across the run is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ocr.model import Box, Region

SPLIT_GAP = 0.5  # a run this many line heights wide that no line crosses splits a block
MIN_LINES = 2  # ...when each side has at least this many lines
PAD = 3  # pixels around the lines of a new block (as the layout's blocks)


def column_cuts(boxes: list[Box], is_body: Callable[[Box], bool]) -> list[float]:
    """x positions (page pixels) where the block's lines (but those heading it, see
    :func:`heads`) leave a white run of at least SPLIT_GAP body-line heights that none of
    them crosses, with MIN_LINES body lines (as ``is_body`` says) each side."""
    flat = [b for b in boxes if b.width >= b.height and is_body(b)]
    if len(flat) < 2 * MIN_LINES:
        return []
    top = min(b.y0 for b in flat)
    rest = [b for b in boxes if not _heads(b, top, is_body)]
    h = float(np.median([b.height for b in flat]))
    x0 = int(min(b.x0 for b in rest))
    covered = np.zeros(int(np.ceil(max(b.x1 for b in rest))) - x0 + 1, bool)
    for b in rest:
        covered[int(b.x0) - x0 : int(np.ceil(b.x1)) - x0] = True
    cuts, start = [], None
    for i, c in enumerate(covered):
        if not c and start is None:
            start = i
        elif c and start is not None:
            mid = x0 + (start + i) / 2
            left = sum(b.x1 <= mid for b in flat)
            right = sum(b.x0 >= mid for b in flat)
            if i - start >= SPLIT_GAP * h and left >= MIN_LINES and right >= MIN_LINES:
                cuts.append(mid)
            start = None
    return cuts


def _heads(box: Box, top: float, is_body: Callable[[Box], bool]) -> bool:
    """A display line over all the block's body lines (``top``: where the first starts)."""
    return not is_body(box) and box.center[1] < top


def split_blocks(
    items: list,
    box_of: Callable,
    regions: list[Region],
    new_id: Callable,
    is_body: Callable[[Box], bool],
) -> list[Region]:
    """Cut each text block whose lines stand in columns (:func:`column_cuts`): ``items``
    are the detected lines (``.region`` the block each is in, reassigned here),
    ``box_of`` an item's box; new blocks go into ``regions`` after the one they come
    from (the lines heading the columns first, then the columns left to right),
    ``new_id`` names them. The blocks cut (the first part keeps the block) and made."""
    changed: list[Region] = []
    by_block: dict[int, list] = {}
    for it in items:
        if it.region is not None:
            by_block.setdefault(id(it.region), []).append(it)
    for region in list(regions):
        mine = by_block.get(id(region), [])
        cuts = column_cuts([box_of(it) for it in mine], is_body)
        if not cuts:
            continue
        flat = [box_of(it) for it in mine if is_body(box_of(it))]
        top = min(b.y0 for b in flat if b.width >= b.height)
        parts: list[list] = [[] for _ in range(len(cuts) + 2)]
        for it in mine:
            b = box_of(it)
            k = 0 if _heads(b, top, is_body) else 1 + sum(b.center[0] >= c for c in cuts)
            parts[k].append(it)
        at = regions.index(region)
        for k, part in enumerate(p for p in parts if p):
            box = Box.union(box_of(it) for it in part).pad(PAD)
            block = region
            if k:
                block = Region(
                    id=new_id(), kind=region.kind, box=box, poly=box.poly(), column=region.column
                )
                regions.insert(at + k, block)
            block.box, block.poly = box, box.poly()
            changed.append(block)
            for it in part:
                it.region = block
    return changed
