"""The layout's block cut between text columns (issues 9 and 12): a narrow gutter with no
rule, a thin column rule with the text set tight to it, dirt and a dark scan border,
and an article whose lines cross a gutter above it. Small pages drawn by hand; every
check is on the text blocks that :func:`ocr.layout.segment` returns."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import cjk_font
from PIL import Image, ImageDraw, ImageFont

from ocr.layout import segment

BODY = "街道召开党政负责干部学习讨论会明确今年工作重点推动区域发展模式大转变凝聚共识提升治理"
PX = 20  # body size, px
PITCH = 30  # line pitch, px


def _page(size=(1000, 520)) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("L", size, 255)
    return img, ImageDraw.Draw(img)


def _column(d, x0: int, x1: int, y0: int, rows: int, shift: int = 0) -> None:
    """Justified lines of body text (characters edge to edge) from x0 to x1."""
    font = ImageFont.truetype(cjk_font(), PX)
    n = (x1 - x0) // PX
    text = BODY * 4
    for k in range(rows):
        d.text((x0, y0 + PITCH * k), text[(k * 7 + shift) % 40 :][:n], font=font, fill=0)


def _texts(gray: np.ndarray):
    return [r.box for r in segment(gray) if r.kind == "text"]


def _spans(boxes, x0: int, x1: int, y0: int, y1: int) -> list:
    """The blocks reaching into both the left and the right of x0..x1 (a gutter) in
    rows y0..y1."""
    return [b for b in boxes if b.x0 < x0 and b.x1 > x1 and b.y0 < y1 and b.y1 > y0]


def test_a_narrow_unruled_gutter_between_lines_at_the_same_heights_is_cut():
    # Three columns of 10 characters, gutters of 16 px (0.8 of a character, no rule),
    # every line level with its neighbours: the old cut wanted a gutter as wide as the
    # line is tall and took this one for the space between two words.
    img, d = _page((740, 420))
    xs = [(40, 240), (256, 456), (472, 672)]
    for i, (x0, x1) in enumerate(xs):
        _column(d, x0, x1, 40, 11, shift=11 * i)
    boxes = _texts(np.asarray(img))
    for (_, e0), (s1, _) in zip(xs, xs[1:], strict=False):
        assert not _spans(boxes, e0, s1, 40, 370), (e0, s1, boxes)
    assert len(boxes) == 3, boxes


def test_a_line_with_a_word_space_stays_whole_and_two_lines_a_side_are_columns():
    # One line with a space as wide as the gutter: no column evidence, no cut. Two
    # columns of two lines each under it, the same gutter: two lines a side agree.
    img, d = _page((740, 300))
    font = ImageFont.truetype(cjk_font(), PX)
    d.text((40, 40), BODY[:10] + " " + BODY[10:20], font=font, fill=0)
    _column(d, 40, 240, 120, 2)
    _column(d, 256, 456, 120, 2, shift=11)
    boxes = _texts(np.asarray(img))
    assert _spans(boxes, 240, 256, 40, 60), boxes  # the line with a space
    assert not _spans(boxes, 240, 256, 120, 170), boxes


def test_a_column_rule_with_text_set_tight_and_dirt_in_the_gutter_is_cut():
    # Two columns either side of a thin rule, the text 3 px from it (a real scan's
    # column rule), the gutter and the margins strewn with specks (bleed-through), and
    # a dark border down the left edge of the scan touching everything.
    img, d = _page((600, 520))
    _column(d, 60, 280, 40, 14)
    _column(d, 292, 512, 40, 14, shift=9)
    d.line([(286, 30), (286, 470)], fill=0, width=3)
    d.rectangle([0, 0, 14, 519], fill=0)
    gray = np.asarray(img).copy()
    rng = np.random.default_rng(7)
    for _ in range(400):
        y, x = int(rng.integers(0, 510)), int(rng.integers(16, 590))
        gray[y : y + 2, x : x + 2] = 60
    boxes = _texts(gray)
    assert not _spans(boxes, 281, 291, 40, 460), boxes
    assert sum(b.x1 <= 290 and b.y1 - b.y0 > 300 for b in boxes) == 1, boxes
    assert sum(b.x0 >= 282 and b.y1 - b.y0 > 300 for b in boxes) == 1, boxes


def test_an_article_beside_short_ones_is_cut_into_its_columns():
    # Left: two one-column articles over a two-column article whose wider first column
    # crosses their gutter. Right: one article in three columns with narrow gutters,
    # lines level across them, as tall as all the left: each column its own block.
    img, d = _page((1000, 560))
    _column(d, 40, 200, 40, 6)
    _column(d, 220, 380, 40, 6, shift=5)
    _column(d, 40, 300, 260, 8, shift=3)
    _column(d, 316, 376, 260, 8, shift=13)  # 3 characters wide
    right = [(420, 600), (616, 796), (812, 992)]
    for i, (x0, x1) in enumerate(right):
        _column(d, x0, x1, 40, 16, shift=17 * i)
    boxes = _texts(np.asarray(img))
    for (_, e0), (s1, _) in zip(right, right[1:], strict=False):
        assert not _spans(boxes, e0, s1, 40, 520), (e0, s1, boxes)
    tall = [b for b in boxes if b.x0 >= 410 and b.y1 - b.y0 > 400]
    assert len(tall) == 3, boxes


# Two lines of one column whose marks line up: the white after them lines up (a
# character grid) but is no gutter.
LINED_UP = {
    # twelfth characters both commas
    "commas": (
        "紧扣问题短板，攻坚克难，着力抓好各项工作落地见",
        "效，以更昂扬的精神状态，更扎实的工作作风擘画新",
    ),
    # a space and an opening quote at the same place (the real 农民日报 page at 72
    # dpi: its points are too small to binarize, its quotes are dots): white of all
    # but dots lines up, but each line has a mark in it
    "quotes": (
        "紧扣问题短板攻坚克难着力\u3000“抓好各项工作落地见",
        "效以更昂扬的精神状态更扎\u3000‘实的工作作风擘画新",
    ),
}


@pytest.mark.parametrize("texts", LINED_UP.values(), ids=LINED_UP.keys())
def test_marks_that_line_up_are_no_gutter(texts):
    img, d = _page((600, 160))
    font = ImageFont.truetype(cjk_font(), PX)
    for k, text in enumerate(texts):
        d.text((40, 40 + PITCH * k), text, font=font, fill=0)
    boxes = _texts(np.asarray(img))
    assert len(boxes) == 1, boxes


def test_a_headline_with_its_space_over_a_narrow_gutter_stays_whole():
    # A two-word headline, its space right over the narrow gutter of the columns below
    # (our generator's 行者方致远 奋斗正当时): the columns' lines agree on the gutter,
    # the headline is one line across it.
    img, d = _page((740, 480))
    head = ImageFont.truetype(cjk_font(), 32)
    d.text((79, 40), "行者方致远", font=head, fill=0)
    d.text((257, 40), "奋斗正当时", font=head, fill=0)
    _column(d, 40, 240, 100, 11)
    _column(d, 256, 456, 100, 11, shift=11)
    boxes = _texts(np.asarray(img))
    assert _spans(boxes, 240, 256, 40, 72), boxes
    assert not _spans(boxes, 240, 256, 100, 420), boxes


def test_a_banner_of_one_tone_with_white_type_is_text_not_a_photo():
    # A headline in white on a blue ground (gray 100 on the scan, the 农民日报's
    # 积极行动), over body text: the area is solid and gray like a photo, but of one
    # tone with lettering inside.
    img, d = _page((600, 320))
    d.rectangle([60, 40, 300, 120], fill=100)
    d.text((80, 56), "积极行动", font=ImageFont.truetype(cjk_font(), 48), fill=255)
    _column(d, 40, 440, 150, 4)
    regions = segment(np.asarray(img))
    assert not [r for r in regions if r.kind == "photo"], regions
    assert [r for r in regions if r.kind == "text" and r.box.x0 <= 62 and r.box.y1 >= 118]
