"""Recognition's bounded inputs, and the engine's settings in the page settings.

Detection in overlapping strips, recognition batches of bounded width, and (with the
real models) a block taller than a strip read whole, each line once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import text_page
from fakes import FakeEngine
from metrics import edit_distance

from ocr import __version__, pipeline
from ocr.errors import EngineError
from ocr.recognize.read import crop_quad
from ocr.recognize.strips import (
    DET_STRIDE,
    DET_TILE_MIN_ROWS,
    DET_TILE_OVERLAP,
    DET_TILE_PIXELS,
    REC_BATCH,
    REC_BATCH_WIDTH,
    join_strips,
    rec_batches,
    rec_width,
    strips,
)

SEED = Path(__file__).parent / "data" / "zhangmiao-2021-01-20.txt"


@pytest.mark.parametrize(
    "height,width",
    [
        (10, 10),
        (1983, 1000),
        (1984, 1000),
        (1985, 1000),
        (7517, 880),
        (2500, 4000),
        (3099, 2261),
        (9000, 300),
    ],
)
def test_strips_cover_the_image_and_overlap(height, width):
    parts = strips(height, width)
    rows = min(max(DET_TILE_MIN_ROWS, DET_TILE_PIXELS // width), 4000) // DET_STRIDE * DET_STRIDE
    assert parts[0][0] == 0 and parts[-1][1] == height
    for top, bottom in parts:
        assert 0 <= top < bottom <= height
        assert bottom - top <= rows  # the bound on one detection call
    for (_, b1), (t2, _) in zip(parts, parts[1:]):
        assert b1 - t2 >= DET_TILE_OVERLAP  # neighbours share the overlap
    if height <= rows:
        assert len(parts) == 1
    else:  # all alike, on the detector's stride: none is resampled to it
        assert {b - t for t, b in parts} == {parts[0][1]} and parts[0][1] % DET_STRIDE == 0


def _quad(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def _rows(lines):
    return sorted((float(p[0, 1]), float(p[2, 1])) for p, _ in lines)


def test_join_strips_keeps_each_line_once():
    """Strips 0-400 and 200-600 of a 600-row image."""
    top = [
        (_quad(10, 100, 300, 130), 0.9),  # only in the first strip
        (_quad(10, 190, 300, 214), 0.9),  # whole here...
        (_quad(10, 250, 300, 280), 0.9),  # in both, 120 rows above the first strip's cut
        (_quad(10, 320, 300, 350), 0.9),  # in both, 50 rows above the first strip's cut
        (_quad(10, 382, 300, 400), 0.8),  # cut by the first strip's lower edge
    ]
    bottom = [
        (_quad(10, 200, 300, 214), 0.6),  # ...and cut by the second strip's upper edge
        (_quad(11, 252, 301, 281), 0.9),  # 52 rows below the second strip's cut
        (_quad(11, 321, 301, 351), 0.9),  # 121 rows below it
        (_quad(10, 382, 300, 421), 0.9),  # whole here
        (_quad(10, 500, 300, 530), 0.9),
    ]
    joined = join_strips([(0, 400, top), (200, 600, bottom)], 600)
    assert _rows(joined) == [(100, 130), (190, 214), (250, 280), (321, 351), (382, 421), (500, 530)]


def test_join_strips_leaves_one_strip_and_close_lines_alone():
    lines = [(_quad(0, 0, 100, 30), 0.9), (_quad(0, 20, 100, 50), 0.9)]  # overlapping
    assert len(join_strips([(0, 80, lines)], 80)) == 2
    other = [(_quad(0, 52, 100, 80), 0.9)]  # the next line, from the next strip
    assert len(join_strips([(0, 60, lines), (20, 80, other)], 80)) == 3


def test_join_strips_keeps_a_tall_line_whole_over_its_piece():
    """A vertical headline taller than the overlap (rows 1295-1555; strips 918-1569 and
    1377-2028): the second strip sees only its lower part, cut at a character's edge
    a little farther from its cut than the whole is from the first strip's."""
    whole = (_quad(545, 1295, 581, 1555), 0.9)
    piece = (_quad(539, 1393, 580, 1555), 0.9)
    joined = join_strips([(918, 1569, [whole]), (1377, 2028, [piece])], 2500)
    assert _rows(joined) == [(1295, 1555)]


def test_join_strips_joins_the_pieces_of_a_standing_line_longer_than_the_overlap():
    """A vertical headline of 560 rows (300-860), strips 0-700 and 508-1208: each sees
    a piece cut at its edge; the line is their union."""
    upper = (_quad(100, 300, 160, 700), 0.9)
    lower = (_quad(101, 508, 161, 860), 0.8)
    joined = join_strips([(0, 700, [upper]), (508, 1208, [lower])], 1208)
    assert _rows(joined) == [(300, 860)]
    longer = (_quad(101, 508, 161, 1100), 0.8)  # overlapping the upper piece by less than half
    joined = join_strips([(0, 700, [upper]), (508, 1208, [longer])], 1208)
    assert _rows(joined) == [(300, 1100)]


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


def test_default_settings_are_lines_first():
    """Pages are redone when their settings change: the default engine's must not
    change by accident (this dict is what pages are read with). Lines first
    (``detect="page"``, issue 9) became the default after block by block (the settings
    of the first archives, ``block_pad`` only: see the next test), so pages read before
    are read again once."""
    from ocr.recognize.read import detect_mode

    page = pipeline.settings_for(300, None)
    assert page == {
        "dpi": 300,
        "models": "default",
        "engine": "ocr.recognize.paddle:PaddleEngine",
        "det": {
            "limit_type": "max",
            "limit_side_len": 4000,
            "thresh": 0.3,
            "box_thresh": 0.5,
            "unclip_ratio": 1.6,
        },
        "det_tile": {
            "pixels": 2_000_000,
            "min_rows": 512,
            "overlap": 192,
            "stride": 32,
            "max_rows": 3968,
        },
        "read": {
            "detect": "page",
            "block_pad": 12,
            "text_height": [14, 32],
            "gutters": {"gap": 0.6, "reach": 2.6, "agree": 2},
            "rule_lines": 1.6,
            "min_body_lines": 8,
            "body_max": 1.35,
            "near": 1.5,
            "printed_min": 0.1,
            "even": 1.6,
            "look_again": 3,
            "photo_text": [0.45, 0.8, 0.02],
        },
        "script": "auto",
        "code": __version__,
        "prepare": {
            "orient": True,
            "split": True,
            "outline": True,
            "unwarp": True,
            "scale": True,
            "deskew": True,
            "clean": True,
        },
    }
    assert page == pipeline.settings_for(300, None, detect="page")
    assert detect_mode(page) == "page" and detect_mode({}) == "page"


def test_block_by_block_keeps_the_first_archives_settings():
    """``detect="block"`` puts only ``block_pad`` in the page settings, as the archives
    read before lines came first have it: such pages are taken as read block by block
    (not read again when processed with ``--detect block``), and a page read either way
    is read again the other."""
    from ocr.recognize.read import detect_mode

    block = pipeline.settings_for(300, None, detect="block")
    page = pipeline.settings_for(300, None)
    assert "read" not in block and block["block_pad"] == 12
    assert {k: v for k, v in block.items() if k != "block_pad"} == {
        k: v for k, v in page.items() if k != "read"
    }
    assert detect_mode(block) == "block"
    assert pipeline.settings_hash(block) != pipeline.settings_hash(page)


def test_settings_come_from_the_engine_class():
    plain = pipeline.settings_for(300, None, "fakes:FakeEngine")
    other = pipeline.settings_for(300, None, "fakes:FakeEngineV2")
    assert "det" not in plain and other["fake_reading"] == 2
    assert pipeline.settings_hash(plain) != pipeline.settings_hash(other)


class _Clashing(FakeEngine):
    @classmethod
    def settings(cls):
        return {"dpi": 600}


def test_engines_are_ocr_engines():
    with pytest.raises(EngineError, match="not a subclass"):
        pipeline.load_engine_class("metrics:edit_distance")
    with pytest.raises(EngineError, match="cannot import"):
        pipeline.load_engine_class("no_such_module:Engine")
    with pytest.raises(EngineError, match="clash"):
        pipeline.settings_for(300, None, f"{__name__}:_Clashing")


def _seed_lines(n: int, chars: int) -> list[str]:
    text = "".join(SEED.read_text(encoding="utf-8").split())
    text = "".join(c for c in text if "\u4e00" <= c <= "\u9fff")
    return [text[i * chars : (i + 1) * chars] for i in range(n)]


@pytest.mark.slow
def test_a_block_taller_than_a_strip_is_read_whole(engine):
    """Detection on a block of 50 lines (several strips): every line found exactly
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
    assert len(calls) == len(strips(h, w)) > 1
    assert all(rows * cols <= DET_TILE_PIXELS for rows, cols in calls)
    cuts = [b for _, b in strips(h, w)[:-1]] + [t for t, _ in strips(h, w)[1:]]
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


def test_the_page_is_detected_on_its_laid_out_part_only():
    """Lines first gives the detector the part of the (scaled) page its regions cover,
    cut whole strides off its corner, and maps what it finds back to the page."""
    from ocr.model import Box, Region
    from ocr.recognize.lines import _detect_scaled, _laid_out

    class _Corner:  # finds one line at a fixed place of what it is shown
        def detect(self, image):
            self.shape = image.shape[:2]
            return [(_quad(10, 20, 110, 40), 0.9)]

    page = np.full((3000, 2000), 255, dtype=np.uint8)
    regions = [Region(id="r1", kind="text", box=Box(400, 500, 1500, 2500), poly=[])]
    part = _laid_out(regions, 40.0, 2000, 3000)
    assert part == Box(320, 420, 1580, 2580)  # two body lines of margin
    engine = _Corner()
    ((quad, _),) = _detect_scaled(engine, page, 0.5, part)
    # scaled: 160..790 x 210..1290, cut on the 32-px stride: 160..800 x 192..1312
    assert engine.shape == (1312 - 192, 800 - 160)
    assert quad.tolist() == ((_quad(10, 20, 110, 40) + [160, 192]) / 0.5).tolist()
    ((whole, _),) = _detect_scaled(engine, page, 0.5)  # without a part: the whole page
    assert engine.shape == (1500, 1000) and whole.tolist() == (_quad(20, 40, 220, 80)).tolist()
