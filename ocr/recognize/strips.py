"""Bounded engine inputs: detection in overlapping strips, recognition in batches.

Engine-independent; the Paddle adapter reads through them.

Memory. ONNX Runtime keeps, per model, the largest working set a call has needed, so
a worker's memory is set by the largest input it has seen. Both inputs are bounded:
detection runs on strips of at most DET_TILE_PIXELS (a taller block is cut into
overlapping strips across its full width; a block wider than DET_TILE_PIXELS /
DET_TILE_MIN_ROWS, about 3900 px, still gets strips of DET_TILE_MIN_ROWS rows, and
PaddleX scales anything wider than 4000 px down, so no call exceeds 512 x 4000 px),
and a recognition batch is at most REC_BATCH_WIDTH pixels wide in all (crops are
scaled to REC_HEIGHT rows, a single crop to at most REC_MAX_WIDTH, PaddleX's own cap).

Speed. Detection's seconds follow the pixels it is given (measured: 1.3 CPU s a Mpx,
whatever the strip's size), and strips share DET_TILE_OVERLAP rows: 2 Mpx strips read
a 300 dpi page lines first (2228 x 3074 at its detection scale) in 5 strips of 800 rows, 8.9 Mpx,
where 1 Mpx strips took 10, 10.7 Mpx (a worker's peak after its warm-up 608 -> 768 MB;
after such a page 683 -> 895 MB).
"""

from __future__ import annotations

import numpy as np

from ocr.model import Box
from ocr.recognize.engine import ScoredQuad
from ocr.text import is_tall

DET_TILE_PIXELS = 2_000_000
DET_TILE_MIN_ROWS = 512  # a very wide block still gets strips this tall
DET_TILE_OVERLAP = 192  # rows shared by neighbouring strips (> 2 x the tallest body line)
# The detector takes whole multiples of this many rows (PaddleX resizes its input to
# them): strips are cut on it, and are never taller than PaddleX's 4000 px side.
DET_STRIDE = 32
DET_TILE_MAX_ROWS = 3968
DET_TILE = {
    "pixels": DET_TILE_PIXELS,
    "min_rows": DET_TILE_MIN_ROWS,
    "overlap": DET_TILE_OVERLAP,
    "stride": DET_STRIDE,
    "max_rows": DET_TILE_MAX_ROWS,
}

REC_BATCH = 8
REC_HEIGHT = 48
REC_MIN_WIDTH = 320
REC_MAX_WIDTH = 3200
REC_BATCH_WIDTH = 4096


def strips(height: int, width: int) -> list[tuple[int, int]]:
    """How detection reads an image of ``height`` x ``width``: rows ``top:bottom`` of
    each strip, across the full width. Strips hold at most DET_TILE_PIXELS (but at least
    DET_TILE_MIN_ROWS rows) and share at least DET_TILE_OVERLAP rows with their
    neighbours, so a line shorter than the overlap lies whole in at least one strip.
    The strips of a cut image are all alike, whole multiples of DET_STRIDE rows (the
    last one ends at the image's foot): the detector sees their rows as they are,
    not resampled to its stride (a box's height follows its text kernel's, 2.6 times
    over: a row more or less there is 2-3 pixels of box)."""
    rows = max(DET_TILE_MIN_ROWS, DET_TILE_PIXELS // max(width, 1))
    rows = min(rows, DET_TILE_MAX_ROWS) // DET_STRIDE * DET_STRIDE
    if height <= rows:
        return [(0, height)]
    count = -(-(height - DET_TILE_OVERLAP) // (rows - DET_TILE_OVERLAP))  # ceil
    step = -(-(height - DET_TILE_OVERLAP) // count)  # spread the strips evenly...
    size = -(-(step + DET_TILE_OVERLAP) // DET_STRIDE) * DET_STRIDE  # ...on the stride
    tops = [min(k * step, height - size) for k in range(count)]
    return [(top, top + size) for top in tops]


def join_strips(found: list[tuple[int, int, list[ScoredQuad]]], height: int) -> list[ScoredQuad]:
    """The lines detected strip by strip (``(top, bottom, lines)``, image coordinates),
    each once. A line seen by two strips is kept from the one where it lies farthest
    from a cut (its whole, not a piece cut at a strip's edge); a line overlapping one
    already kept from another strip by more than half of either's box is the same line
    seen twice, unless it holds the other whole (then it replaces that piece), or both
    are pieces of a standing line longer than the overlap, each cut at its strip's edge
    (then the line is their union). Lines of the same strip are never merged (that is
    the detector's call)."""
    if len(found) == 1:
        return list(found[0][2])
    candidates = []
    for k, (top, bottom, lines) in enumerate(found):
        for i, (poly, score) in enumerate(lines):
            y0, y1 = float(poly[:, 1].min()), float(poly[:, 1].max())
            above = y0 - top if top > 0 else np.inf  # rows to the cut above (none at 0)
            below = bottom - y1 if bottom < height else np.inf
            margin = min(above, below)
            candidates.append((-margin, k, i, poly, score))
    candidates.sort(key=lambda c: c[:3])
    kept: list[tuple[int, int, Box, np.ndarray, float]] = []
    for _, k, i, poly, score in candidates:
        box = Box.from_poly([(float(x), float(y)) for x, y in poly])
        same = [j for j, (k2, _, b2, _, _) in enumerate(kept) if k2 != k and _same_line(box, b2)]
        piece = [
            j for j, (k2, _, b2, _, _) in enumerate(kept) if k2 != k and _pieces_of_one(box, b2)
        ]
        if len(piece) == 1 and (not same or same == piece):
            k2, i2, b2, _, s2 = kept[piece[0]]
            whole = Box.union([box, b2])
            kept[piece[0]] = (k2, i2, whole, np.array(whole.poly(), dtype=float), max(score, s2))
        elif not same:
            kept.append((k, i, box, poly, score))
        elif len(same) == 1 and _holds(box, kept[same[0]][2]):
            kept[same[0]] = (k, i, box, poly, score)  # the whole of a piece kept before
    return [(poly, score) for _, _, _, poly, score in sorted(kept, key=lambda c: c[:2])]


def _pieces_of_one(a: Box, b: Box) -> bool:
    """Two standing lines in one column of text, overlapping along it, neither holding
    the other: pieces of one line that two strips cut at their edges."""
    tall = is_tall(a) and is_tall(b)
    aligned = a.x_overlap(b) >= 0.8 * min(a.width, b.width)
    return tall and aligned and (a.y0 < b.y0 < a.y1 < b.y1 or b.y0 < a.y0 < b.y1 < a.y1)


def _same_line(a: Box, b: Box) -> bool:
    return a.intersection(b) > 0.5 * min(a.area, b.area)


def _holds(whole: Box, piece: Box) -> bool:
    """``whole`` is the line ``piece`` is a cut-off part of: it holds the piece and is
    clearly longer (a line taller than the overlap, cut at a character's edge, can
    seem farther from a cut than the whole line is)."""
    return whole.intersection(piece) > 0.75 * piece.area and whole.area > 1.3 * piece.area


def rec_width(height: int, width: int) -> int:
    """The width a crop has in a recognition batch (scaled to REC_HEIGHT rows)."""
    wanted = int(REC_HEIGHT * width / max(height, 1))
    return min(REC_MAX_WIDTH, max(REC_MIN_WIDTH, wanted))


def rec_batches(shapes: list[tuple[int, int]]) -> list[list[int]]:
    """Indexes of crops (given as ``(height, width)``) in recognition batches: crops of
    similar aspect ratio together (less padding), at most REC_BATCH crops and
    REC_BATCH_WIDTH pixels of padded width per batch (a batch is as wide as its widest
    crop times its size), so one call's memory is bounded."""
    order = sorted(range(len(shapes)), key=lambda i: shapes[i][1] / max(shapes[i][0], 1))
    batches: list[list[int]] = []
    for i in order:
        w = rec_width(*shapes[i])
        last = batches[-1] if batches else None
        if last and len(last) < REC_BATCH and (len(last) + 1) * w <= REC_BATCH_WIDTH:
            last.append(i)
        else:
            batches.append([i])
    return batches
