"""Lines across a narrow unruled gutter: cut where the neighbours agree, never elsewhere.

Unit checks on drawn ink (no models), and with the real models a page of two text
columns, lines at the same heights, a gutter of about one character and no rule:
every truth line found once, none merged across the gutter."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import cjk_font
from test_recognize import _seed_lines

from ocr.model import Box
from ocr.recognize.gutters import Gap, split_at_gutters, split_quad, white_gaps

H = 20  # line height of the drawn lines


def _quad(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


def _ink(rows: list[list[tuple[int, int]]], width=900) -> np.ndarray:
    """Ink of lines ``H`` tall, 30 px apart: each row a list of inked x-ranges made of
    characters (``H`` wide, 2 px apart)."""
    ink = np.zeros((40 + 30 * len(rows), width), bool)
    for i, spans in enumerate(rows):
        y = 20 + 30 * i
        for a, b in spans:
            for x in range(a, b - H + 1, H + 2):
                ink[y : y + H, x : x + H] = True
    return ink


def _line_quads(n: int, x0: int, x1: int) -> list[np.ndarray]:
    return [_quad(x0, 20 + 30 * i, x1, 20 + 30 * i + H) for i in range(n)]


def test_a_gutter_the_neighbours_agree_on_cuts_every_line():
    rows = [[(10, 430), (452, 880)]] * 5  # two columns, a 22 px gutter
    pieces = split_at_gutters(_line_quads(5, 10, 880), _ink(rows))
    for p in pieces:
        assert len(p) == 2
        left, right = (Box.from_poly([tuple(q) for q in piece]) for piece in p)
        assert left.x1 <= 430 + 1 and right.x0 >= 452 - 1


def test_a_lone_wide_gap_is_not_a_gutter():
    """A wide space in one line, the lines above and below inked across it."""
    rows = [[(10, 880)], [(10, 430), (452, 880)], [(10, 880)]]
    pieces = split_at_gutters(_line_quads(3, 10, 880), _ink(rows))
    assert [len(p) for p in pieces] == [1, 1, 1]


def test_a_gutter_seen_by_lines_that_stop_at_it():
    """The detector kept the neighbours apart; the merged middle line is cut."""
    rows = [[(10, 430), (452, 880)]] * 3
    quads = [_quad(10, 20, 430, 40), _quad(10, 50, 880, 70), _quad(10, 80, 430, 100)]
    quads += [_quad(452, 20, 880, 40), _quad(452, 80, 880, 100)]
    pieces = split_at_gutters(quads, _ink(rows))
    assert [len(p) for p in pieces] == [1, 2, 1, 1, 1]


def test_white_gaps_and_split_quad():
    ink = _ink([[(10, 430), (452, 880)]])
    gaps = white_gaps(ink, Box(0, 20, 900, 40))
    assert len(gaps) == 1 and 420 <= gaps[0].x0 <= 431 and 450 <= gaps[0].x1 <= 453
    a, b = split_quad(_quad(0, 0, 100, 10), [Gap(40, 50)])
    assert a[1].tolist() == [40, 0] and b[0].tolist() == [50, 0] and b[2].tolist() == [100, 10]


def two_columns(lines: int, chars: int, font_px: int, gutter: int):
    """A page of two text columns, lines at the same heights, an unruled gutter of
    ``gutter`` pixels: (gray image, [(text, box)] of every line)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font(), font_px)
    texts = _seed_lines(2 * lines, chars)
    col = int(font_px * chars * 1.02)
    pitch = int(font_px * 1.5)
    img = Image.new("L", (2 * col + gutter + 120, 120 + lines * pitch), 255)
    draw = ImageDraw.Draw(img)
    truth = []
    for i in range(lines):
        for c in range(2):
            x, y, t = 60 + c * (col + gutter), 60 + i * pitch, texts[c * lines + i]
            draw.text((x, y), t, font=font, fill=0, spacing=0)
            truth.append((t, draw.textbbox((x, y), t, font=font)))
    return np.asarray(img), truth


@pytest.mark.slow
def test_two_columns_with_a_narrow_unruled_gutter(engine):
    from ocr.layout import segment
    from ocr.model import Deskew
    from ocr.recognize.read import read_page

    image, truth = two_columns(lines=12, chars=14, font_px=20, gutter=22)
    h, w = image.shape
    deskew = Deskew.for_scan(0.0, w, h)
    regions = segment(image, deskew)
    lines = read_page(engine, np.repeat(image[:, :, None], 3, axis=2), regions, deskew)
    got: dict[int, list] = {}
    for ln in lines:
        c = ln.box.center
        hit = [i for i, (_, b) in enumerate(truth) if b[0] <= c[0] < b[2] and b[1] <= c[1] < b[3]]
        assert len(hit) == 1, f"{ln.text!r} is in no truth line or across the gutter"
        got.setdefault(hit[0], []).append(ln)
    assert sorted(got) == list(range(len(truth)))  # every line found...
    assert all(len(v) == 1 for v in got.values())  # ...once
    # each column a block of its own, the left one read first
    left = {got[i][0].region for i in range(0, len(truth), 2)}
    right = {got[i][0].region for i in range(1, len(truth), 2)}
    assert not left & right
    order = [ln.id for ln in lines]
    assert max(order.index(got[i][0].id) for i in range(0, len(truth), 2)) < min(
        order.index(got[i][0].id) for i in range(1, len(truth), 2)
    )
    errors = sum(_distance(got[i][0].text, t) for i, (t, _) in enumerate(truth))
    assert errors / sum(len(t) for t, _ in truth) < 0.01


def _distance(a: str, b: str) -> int:
    from metrics import edit_distance

    return edit_distance(a, b)


def test_a_paragraph_of_two_lines_across_a_gutter():
    """Only one neighbour, itself merged: white over the whole gap, so both are cut."""
    rows = [[(10, 430), (452, 880)]] * 2
    pieces = split_at_gutters(_line_quads(2, 10, 880), _ink(rows))
    assert [len(p) for p in pieces] == [2, 2]


class _Item:
    def __init__(self, box, region):
        self.box, self.region = box, region


def _block_with(boxes):
    from ocr.model import Region

    block = Region("r1", "text", Box.union(boxes), Box.union(boxes).poly(), order=1)
    return block, [_Item(b, block) for b in boxes]


def test_a_block_of_two_text_columns_becomes_two_blocks():
    from ocr.recognize.blocks import split_blocks

    boxes = [Box(10, y, 430, y + H) for y in range(20, 200, 30)]
    boxes += [Box(452, y, 880, y + H) for y in range(20, 200, 30)]
    block, items = _block_with(boxes)
    regions = [block]
    split_blocks(items, lambda it: it.box, regions, lambda: "r2")
    assert [r.id for r in regions] == ["r1", "r2"]
    assert regions[0].box.x1 < 440 and regions[1].box.x0 > 445
    assert all(it.region is regions[it.box.x0 > 440] for it in items)


def test_a_block_with_a_headline_across_its_columns_stays_whole():
    from ocr.recognize.blocks import split_blocks

    boxes = [Box(10, 0, 880, 40)]  # the headline
    boxes += [Box(10, y, 430, y + H) for y in range(60, 200, 30)]
    boxes += [Box(452, y, 880, y + H) for y in range(60, 200, 30)]
    block, items = _block_with(boxes)
    regions = [block]
    split_blocks(items, lambda it: it.box, regions, lambda: "r2")
    assert regions == [block] and all(it.region is block for it in items)
