"""Text blocks from their lines: a layout block holding two text columns is cut in two.

The layout's XY-cut does not cut a narrow unruled gutter, so one of its blocks can hold
the lines of two (or more) text columns side by side. Once the lines are detected (and
cut at the gutters, :mod:`ocr.recognize.gutters`), such a block shows a run of x that
no line of it crosses, with lines on both sides: the block becomes one block per column,
left to right, each tight around its lines, so the columns are read one after another.
A block with a line across the run (a headline over its columns) is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ocr.model import Box, Region

SPLIT_GAP = 0.5  # a run this many line heights wide that no line crosses splits a block
MIN_LINES = 2  # ...when each side has at least this many lines
PAD = 3  # pixels around the lines of a new block (as the layout's blocks)


def column_cuts(boxes: list[Box], block: Box) -> list[float]:
    """x positions (page pixels) where the block's lines leave a white run of at least
    SPLIT_GAP line heights that none of them crosses, with MIN_LINES lines each side."""
    flat = [b for b in boxes if b.width >= b.height]
    if len(flat) < 2 * MIN_LINES:
        return []
    h = float(np.median([b.height for b in flat]))
    x0 = int(min(b.x0 for b in boxes))
    covered = np.zeros(int(np.ceil(max(b.x1 for b in boxes))) - x0 + 1, bool)
    for b in boxes:
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


def split_blocks(items: list, box_of: Callable, regions: list[Region], new_id: Callable) -> None:
    """Cut each text block whose lines stand in columns (:func:`column_cuts`): ``items``
    are the detected lines (``.region`` the block each is in, reassigned here),
    ``box_of`` an item's box; new blocks go into ``regions`` after the one they come
    from, ``new_id`` names them."""
    by_block: dict[int, list] = {}
    for it in items:
        if it.region is not None:
            by_block.setdefault(id(it.region), []).append(it)
    for region in list(regions):
        mine = by_block.get(id(region), [])
        cuts = column_cuts([box_of(it) for it in mine], region.box)
        if not cuts:
            continue
        parts: list[list] = [[] for _ in range(len(cuts) + 1)]
        for it in mine:
            parts[sum(box_of(it).center[0] >= c for c in cuts)].append(it)
        at = regions.index(region)
        for k, part in enumerate(p for p in parts if p):
            box = Box.union(box_of(it) for it in part).pad(PAD)
            block = (
                region
                if k == 0
                else Region(
                    id=new_id(), kind=region.kind, box=box, poly=box.poly(), column=region.column
                )
            )
            block.box, block.poly = box, box.poly()
            if k:
                regions.insert(at + k, block)
            for it in part:
                it.region = block
