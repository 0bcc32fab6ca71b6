"""A constructed page set as older Chinese papers set theirs, with its reading order.

Traditional characters in vertical columns, in several blocks: a masthead row printed
right to left (the date and the page number say so); under a rule, a band of two
articles side by side, parted by a vertical rule: on the right one with a vertical
headline beside two tiers of columns, on the left one with a horizontal headline over
two tiers; under another rule, a band with one article across the page. Tiers are
parted by a gap of one and a half characters. The truth is the text in the order a
reader reads it: the masthead right to left, then band by band, the right article
before the left, each headline before its columns, tier by tier, columns right to
left, each top to bottom. Rendered with the tests' fonts (``tests/synth.py``).
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

import numpy as np
from synth import _BODY_PREFS, _HEAD_PREFS, SEED_TEXT, _Canvas, _Face, _pick_font

WIDTH, HEIGHT = 1300, 1500
BODY_PX = 26  # type size of body text (pixels)
PITCH = 40  # from one body column to the next
ADVANCE = 28  # from one body character to the next down a column
MASTHEAD = (("中華民國四十五年十一月二十日", 22), ("工商晚報", 40), ("第二頁", 22))


@dataclass
class VerticalPage:
    image: np.ndarray  # uint8 gray, HxW
    pieces: list[str]  # the text of each line as a reader reads it, in reading order
    boxes: list[tuple[float, float, float, float]]  # each line's ink box, in that order
    rules: list[tuple[float, float, float, float]]  # the rules' boxes
    text: str  # the page's text in reading order


@functools.cache
def _traditional_text() -> str:
    import opencc

    text = SEED_TEXT.read_text(encoding="utf-8").replace(",", "，")
    text = re.sub(r"[^\u4e00-\u9fff，。、]", "", text)  # Han characters and their commas
    return opencc.OpenCC("s2t").convert(text)


def render_vertical_page(seed: int = 0) -> VerticalPage:
    """The page (see the module docstring); ``seed`` picks where in the text each
    article starts."""
    canvas = _Canvas(WIDTH, HEIGHT)
    source, rng = _traditional_text(), random.Random(f"vertical:{seed}")
    body = _Face(_pick_font(None, _BODY_PREFS), BODY_PX)
    pieces: list[str] = []

    def text(n: int) -> str:
        start = rng.randrange(0, len(source) - n)
        return source[start : start + n]

    x = WIDTH - 40
    for words, px in MASTHEAD:  # right to left; each printed right to left
        face = _Face(_pick_font(None, _HEAD_PREFS), px)
        width = face.measure(words)
        canvas.text(words[::-1], face, x - width, 30, kind="masthead", block=0, article=None)
        pieces.append(words)
        x -= width + 180
    canvas.rule(30, 90, WIDTH - 30, 93)
    top = 115
    # Band 1, right article: a vertical headline beside two tiers of 12 columns.
    head = _Face(_pick_font(None, _HEAD_PREFS), 40)
    title = text(8)
    canvas.vtext(title, head, WIDTH - 60, top, 46, kind="headline", block=1, article=0)
    pieces.append(title)
    right = WIDTH - 60 - 50
    for tier in range(2):
        pieces += _columns(canvas, body, text, right, top + tier * 320, 12, 10)
    canvas.rule(right - 12 * PITCH - 2, top, right - 12 * PITCH + 1, top + 610)
    # Band 1, left article: a horizontal headline over two tiers of columns.
    left_right = right - 12 * PITCH - 30
    htitle = text(7)
    hface = _Face(_pick_font(None, _HEAD_PREFS), 34)
    canvas.text(
        htitle, hface, left_right - hface.measure(htitle), top, kind="headline", block=2, article=1
    )
    pieces.append(htitle)
    pieces += _columns(canvas, body, text, left_right, top + 60, 13, 8)
    pieces += _columns(canvas, body, text, left_right, top + 350, 13, 9)
    canvas.rule(30, top + 630, WIDTH - 30, top + 633)
    # Band 2: one article across the page, a vertical headline beside one tier.
    top += 660
    title = text(7)
    canvas.vtext(title, head, WIDTH - 60, top, 46, kind="headline", block=3, article=2)
    pieces.append(title)
    pieces += _columns(canvas, body, text, right, top, 27, 14)
    boxes = [ln.box for ln in canvas.lines]  # drawn in reading order
    rules = [b.box for b in canvas.blocks if b.kind == "rule"]
    return VerticalPage(canvas.img, pieces, boxes, rules, "".join(pieces))


def _columns(canvas: _Canvas, face: _Face, text, right: float, top: float, n: int, chars: int):
    """``n`` columns of ``chars`` characters from ``right`` leftwards; their texts."""
    out = []
    for k in range(n):
        column = text(chars)
        canvas.vtext(
            column,
            face,
            right - k * PITCH - BODY_PX / 2,
            top,
            ADVANCE,
            kind="body",
            block=4,
            article=None,
        )
        out.append(column)
    return out
