"""The real-scan benchmark's own rules (bench/realscans.py): a spread is read as the
batch plans it, and a condition's line CER is set against the same pages clean."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import degrade
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import common  # noqa: E402  (bench/common.py)
import realscans  # noqa: E402  (bench/realscans.py)


def _page(n: int):
    import masonry

    return masonry.render_page(number=n, seed=7011, dpi=100, width_mm=150, height_mm=210)


def test_a_spread_is_planned_as_two_pages_and_a_page_turned_on_its_side_as_one(tmp_path):
    a, b = _page(1), _page(2)
    image, _, _ = degrade.spread(a, b, shadow=0.35)
    Image.fromarray(image).save(tmp_path / "spread.png")
    Image.fromarray(degrade.turned(a, 90).image).save(tmp_path / "turned.png")
    assert realscans.planned_leaves(tmp_path / "spread.png") == (1, 2)
    assert realscans.planned_leaves(tmp_path / "turned.png") == (0,)


def _lines(errors: int, chars: int) -> list[common.LineScore]:
    return [common.LineScore("字" * chars, "字" * chars, errors)]


def test_a_condition_is_compared_with_the_same_pages_clean():
    clean = realscans.Score()
    clean.by_page = {1: common.Totals(), 2: common.Totals()}
    clean.by_page[1].add(_lines(1, 100))  # page 1 clean: 1%
    clean.by_page[2].add(_lines(0, 100))  # page 2 clean: 0%
    turned = realscans.Score(numbers=[2])
    turned.totals.add(_lines(1, 100))
    cer, ref = turned.versus(clean)
    assert (cer, ref) == (0.01, 0.0)  # against page 2's clean reading, not the mean
    spread = realscans.Score(numbers=[1, 2])
    spread.totals.add(_lines(2, 200))
    assert spread.versus(clean) == (0.01, 0.005)


def test_a_turned_page_is_scored_in_its_upright_frame():
    """The pieces a truth line is read in are joined left to right on the page, also
    when the page came turned (in a page turned by 180 degrees, the image's left to
    right is the line's right to left)."""
    page = _page(1)
    h, w = page.image.shape[:2]
    line = max(page.lines, key=lambda ln: len(ln.text))
    (x0, y0), _, (x1, y1), _ = line.poly
    mid = (x0 + x1) / 2
    half = len(line.text) // 2
    pieces = [  # the line read in two pieces, in the clean page's pixels
        (line.text[:half], [(x0, y0), (mid, y0), (mid, y1), (x0, y1)]),
        (line.text[half:], [(mid, y0), (x1, y0), (x1, y1), (mid, y1)]),
    ]
    for degrees in (90, 180, 270):
        turned = degrade.turned(page, degrees)
        th, tw = turned.image.shape[:2]
        moved = degrade.turned(
            dataclasses.replace(page, lines=[dataclasses.replace(line, poly=p) for _, p in pieces]),
            degrees,
        )
        got = [(text, ln.poly) for (text, _), ln in zip(pieces, moved.lines)]
        back, size = realscans.upright_frame(degrees, (tw, th))
        assert size == (w, h)
        truth = [t for t in realscans._truth(turned, back) if t[0] == line.text]
        lines = [(text, [back(*q) for q in poly]) for text, poly in got]
        score = common.match_page(truth, lines, 0.0, size)
        assert score.lines[0].distance == 0, degrees
