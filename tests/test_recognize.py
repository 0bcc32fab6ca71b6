"""The recognizer's bounded inputs: detection in overlapping strips, recognition batches
of bounded width, and (with the real models) a block taller than a strip read whole,
each line once."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import text_page
from metrics import edit_distance

from ocr.recognize import (
    DET_TILE_MIN_ROWS,
    DET_TILE_OVERLAP,
    DET_TILE_PIXELS,
    REC_BATCH,
    REC_BATCH_WIDTH,
    crop_quad,
    rec_batches,
    rec_width,
    strips,
)

SEED = Path(__file__).parent / "data" / "zhangmiao-2021-01-20.txt"


@pytest.mark.parametrize(
    "height,width",
    [(10, 10), (999, 1000), (1000, 1000), (1001, 1000), (3517, 880), (2500, 4000), (9000, 300)],
)
def test_strips_cover_the_image_and_share_each_line_once(height, width):
    parts = strips(height, width)
    rows = max(DET_TILE_MIN_ROWS, DET_TILE_PIXELS // width)
    assert parts[0][0] == 0 and parts[-1][1] == height
    assert parts[0][2] == -math.inf and parts[-1][3] == math.inf
    for top, bottom, keep_from, keep_to in parts:
        assert 0 <= top < bottom <= height
        assert bottom - top <= rows  # the bound on one detection call
        # a line centred in the kept range and shorter than the overlap is inside
        assert keep_from == -math.inf or keep_from - top >= DET_TILE_OVERLAP / 2
        assert keep_to == math.inf or bottom - keep_to >= DET_TILE_OVERLAP / 2
    for (_, b1, _, to1), (t2, _, from2, _) in zip(parts, parts[1:]):
        assert b1 - t2 == DET_TILE_OVERLAP  # neighbours share the overlap
        assert to1 == from2  # kept ranges meet: every centre is kept by one strip
    if height <= rows:
        assert len(parts) == 1


def test_rec_batches_are_bounded_and_complete():
    rng = np.random.default_rng(3)
    shapes = [(int(h), int(h * r)) for h, r in zip(rng.integers(20, 80, 300), rng.gamma(2, 5, 300))]
    shapes += [(30, 20000), (30, 5)]  # wider than PaddleX's cap; narrower than its minimum
    batches = rec_batches(shapes)
    assert sorted(i for b in batches for i in b) == list(range(len(shapes)))
    for batch in batches:
        assert 1 <= len(batch) <= REC_BATCH
        widths = [rec_width(*shapes[i]) for i in batch]
        assert len(batch) == 1 or len(batch) * max(widths) <= REC_BATCH_WIDTH
    ratios = [shapes[i][1] / shapes[i][0] for b in batches for i in b]
    assert ratios == sorted(ratios)  # similar crops together
    # narrow lines still fill whole batches
    assert max(len(b) for b in batches) == REC_BATCH


def test_rec_batches_empty():
    assert rec_batches([]) == []


def _seed_lines(n: int, chars: int) -> list[str]:
    text = "".join(SEED.read_text(encoding="utf-8").split())
    text = "".join(c for c in text if "\u4e00" <= c <= "\u9fff")
    return [text[i * chars : (i + 1) * chars] for i in range(n)]


@pytest.mark.slow
def test_a_block_taller_than_a_strip_is_read_whole(engine):
    """Detection on a block of 50 lines (about 3.6 strips): every line found exactly
    once, lines crossing a strip's edge included, no call larger than the bound, and
    the lines read right."""
    lines = _seed_lines(50, 22)
    image, boxes = text_page(lines, font_px=36, width=900)
    image = np.repeat(image[:, :, None], 3, axis=2)
    calls = []
    one = engine._detect_one
    engine._detect_one = lambda img: calls.append(img.shape[:2]) or one(img)
    try:
        found = engine.detect(image)
    finally:
        del engine._detect_one
    h, w = image.shape[:2]
    assert len(calls) == len(strips(h, w)) > 3
    assert all(rows * cols <= DET_TILE_PIXELS for rows, cols in calls)
    cuts = [b for top, b, _, _ in strips(h, w)[:-1]] + [t for t, _, _, _ in strips(h, w)[1:]]
    crossing = [b for b in boxes if any(b[1] < c < b[3] for c in cuts)]
    assert crossing, "the page should have lines across a strip's edge"
    centres = sorted(float(p[:, 1].mean()) for p, _ in found)
    assert len(centres) == len(lines)
    for (_, y0, _, y1), cy in zip(boxes, centres):
        assert y0 <= cy <= y1
    found.sort(key=lambda d: d[0][:, 1].mean())
    read = engine.recognize([crop_quad(image, p) for p, _ in found])
    errors = sum(edit_distance(t, truth) for (t, _), truth in zip(read, lines))
    assert errors / sum(map(len, lines)) < 0.01
