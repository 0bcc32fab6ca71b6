"""Lines across a narrow unruled gutter: cut where the neighbours agree, never elsewhere.

Unit checks on drawn ink (no models); lines first with a fake detector that runs every
row of the page across the gutter; and with the real models a page of two text columns,
lines at the same heights, a gutter of about one character and no rule, under a wide
letter-spaced headline across both: every body line found once, none merged across the
gutter, each column read exactly, the headline one line."""

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


def two_columns(lines: int, chars: int, font_px: int, gutter: int, headline: str = ""):
    """A page of two text columns, lines at the same heights, an unruled gutter of
    ``gutter`` pixels, under a ``headline`` (letter-spaced, twice the body size, across
    both columns, a space of its own over the gutter): (gray image, [(text, box)] of
    every body line, left column first, the headline's box or None)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font(), font_px)
    texts = _seed_lines(2 * lines, chars)
    col = int(font_px * chars * 1.02)
    pitch = int(font_px * 1.5)
    top = 60 + (4 * font_px if headline else 0)
    img = Image.new("L", (2 * col + gutter + 120, top + 60 + lines * pitch), 255)
    draw = ImageDraw.Draw(img)
    head = None
    if headline:
        big = ImageFont.truetype(cjk_font(), 2 * font_px)
        step = 4 * font_px  # letter-spaced by a whole character
        width = (len(headline) - 1) * step + 2 * font_px
        x0 = 60 + col + gutter / 2 - width / 2  # centred over the gutter
        for k, ch in enumerate(headline):
            draw.text((x0 + k * step, 60), ch, font=big, fill=0)
        head = (x0, 60, x0 + width, 60 + 2.4 * font_px)
    truth = []
    for c in range(2):
        for i in range(lines):
            x, y, t = 60 + c * (col + gutter), top + i * pitch, texts[c * lines + i]
            draw.text((x, y), t, font=font, fill=0, spacing=0)
            truth.append((t, draw.textbbox((x, y), t, font=font)))
    return np.asarray(img), truth, head


HEADLINE = "科技创新集聚"  # an even count: a space between two characters over the gutter


@pytest.mark.slow
@pytest.mark.parametrize("title", ["", HEADLINE])
def test_two_columns_with_a_narrow_unruled_gutter(engine, title):
    """Without a headline the layout leaves the two columns one block; with the
    letter-spaced headline it cuts them apart, and the headline at its middle space."""
    from ocr.layout import segment
    from ocr.model import Deskew
    from ocr.recognize.read import read_page

    gutter = 22 if title else 10  # 10: too narrow for the layout to cut
    image, truth, head = two_columns(lines=12, chars=14, font_px=20, gutter=gutter, headline=title)
    h, w = image.shape
    deskew = Deskew.for_scan(0.0, w, h)
    regions = segment(image, deskew)
    bgr = np.repeat(image[:, :, None], 3, axis=2)
    lines = read_page(engine, bgr, regions, deskew, detect="page")  # lines first
    got: dict[int, list] = {}
    headline = []
    for ln in lines:
        c = ln.box.center
        if head and head[1] <= c[1] < head[3]:
            headline.append(ln)
            continue
        hit = [i for i, (_, b) in enumerate(truth) if b[0] <= c[0] < b[2] and b[1] <= c[1] < b[3]]
        assert len(hit) == 1, f"{ln.text!r} is in no truth line or across the gutter"
        got.setdefault(hit[0], []).append(ln)
    # the headline is one line, whole, its inner space over the gutter not cut
    assert [("".join(ln.text.split())) for ln in headline] == ([title] if title else [])
    assert sorted(got) == list(range(len(truth)))  # every body line found...
    assert all(len(v) == 1 for v in got.values())  # ...once
    n = len(truth) // 2
    left = [got[i][0] for i in range(n)]
    right = [got[i][0] for i in range(n, 2 * n)]
    # each column read exactly (its order is the assembly's: articles/blocks.py finds
    # a block's columns from its lines)
    assert [ln.text for ln in left] == [t for t, _ in truth[:n]]
    assert [ln.text for ln in right] == [t for t, _ in truth[n:]]


def _distance(a: str, b: str) -> int:
    from metrics import edit_distance

    return edit_distance(a, b)


def test_a_paragraph_of_two_lines_across_a_gutter():
    """Only one neighbour, itself merged: white over the whole gap, so both are cut."""
    rows = [[(10, 430), (452, 880)]] * 2
    pieces = split_at_gutters(_line_quads(2, 10, 880), _ink(rows))
    assert [len(p) for p in pieces] == [2, 2]


class _RowDetector:
    """A detector that sees every band of ink rows as one line, across the whole page
    (gutters and the headline's spaces included)."""

    def detect(self, image):
        from ocr.layout.ink import bands_of

        ink = (image if image.ndim == 2 else image[:, :, 0]) < 128
        out = []
        for y0, y1 in bands_of(ink):
            xs = np.flatnonzero(ink[y0:y1].any(axis=0))
            out.append((_quad(xs[0] - 2, y0 - 2, xs[-1] + 3, y1 + 2), 0.9))
        return out


def _page_with_a_headline():
    """Ten rows of two columns (gutter 22 px) under a letter-spaced headline twice the
    body size with a space over the gutter: (uint8 page, one text block over it all)."""
    from ocr.model import Region

    rows = [[(10, 430), (452, 880)]] * 10
    body = _ink(rows)
    page = np.zeros((body.shape[0] + 80, body.shape[1]), bool)
    page[80:] = body
    for x in (150, 230, 310, 470, 550, 630):  # the headline: 40 px characters, 40 px apart
        page[20:60, x : x + 40] = True
    image = np.where(page, 0, 255).astype(np.uint8)
    h, w = image.shape
    box = Box(5, 15, w - 5, h - 5)
    return image, [Region("r1", "text", box, box.poly(), order=1)]


def test_lines_first_cuts_body_lines_at_the_gutter_and_never_the_headline():
    from ocr.recognize.lines import detect_page_lines

    image, regions = _page_with_a_headline()
    found = detect_page_lines(_RowDetector(), image, regions, ("text",), 12, lambda blocks: [])
    boxes = [(Box.from_poly([tuple(p) for p in d.poly]), d.region.id) for d in found]
    head = [(b, r) for b, r in boxes if b.height > 30]
    body = [(b, r) for b, r in boxes if b.height <= 30]
    assert len(head) == 1 and head[0][0].x0 <= 150 and head[0][0].x1 >= 670  # not cut
    assert len(body) == 20  # each row cut in two at the gutter
    assert all(b.x1 <= 431 or b.x0 >= 451 for b, _ in body)
    assert [r.id for r in regions] == ["r1"]  # the layout's block is left as it is


def _headline_ink(starts: list[int], size: int = 40) -> np.ndarray:
    ink = np.zeros((100, 1000), bool)
    for x in starts:
        ink[30 : 30 + size, x : x + size] = True
    return ink


def test_a_letter_spaced_headline_across_two_blocks_is_one_line():
    """Characters a whole character apart, the layout's cut in one of the spaces."""
    from ocr.model import Region
    from ocr.recognize.lines import _one_line

    ink = _headline_ink([100, 180, 260, 340, 420, 500])
    left, right = Box(95, 25, 385, 75), Box(415, 25, 545, 75)
    blocks = [Region("r1", "text", left, left.poly()), Region("r2", "text", right, right.poly())]
    assert _one_line(ink, Box(95, 25, 545, 75), blocks)


def test_two_headlines_side_by_side_are_two_lines():
    """Each set close (characters 4 px apart), 60 px between them."""
    from ocr.model import Region
    from ocr.recognize.lines import _one_line

    ink = _headline_ink([100, 144, 188, 232, 336, 380, 424])
    left, right = Box(95, 25, 277, 75), Box(331, 25, 469, 75)
    blocks = [Region("r1", "text", left, left.poly()), Region("r2", "text", right, right.poly())]
    assert not _one_line(ink, Box(95, 25, 469, 75), blocks)


def test_the_body_size_band_stops_at_display_type():
    from ocr.text import size_band

    body = [30 + 0.1 * (i % 20) for i in range(200)]  # 30-31.9 px
    assert size_band(body + [36, 37, 48, 60]) == (30.0, 31.9)
    assert size_band([30, 32, 34, 36], unit=2.0) == (30, 36)  # sizes known to 2 px
    assert size_band([]) == (0.0, float("inf"))


class _LooseRowDetector:
    """Every band of ink rows as one line, as :class:`_RowDetector`, with 2 or 3 px of
    white above and below it in turn (body boxes of 24 and 26 px around 20 px of ink), 6
    px around the first band (seen over the whole page, a box can take in more white)."""

    def detect(self, image):
        from ocr.layout.ink import bands_of

        ink = (image if image.ndim == 2 else image[:, :, 0]) < 128
        out = []
        for i, (y0, y1) in enumerate(bands_of(ink)):
            xs = np.flatnonzero(ink[y0:y1].any(axis=0))
            m = 6 if i == 0 else 2 + i % 2
            out.append((_quad(xs[0] - 2, y0 - m, xs[-1] + 3, y1 + m), 0.9))
        return out


def _page_with_a_merged_first_row():
    """Two text columns (two blocks, gutter 22 px), ten rows; in the first row an
    indented line and, level with it, the two characters ending the neighbour's
    paragraph."""
    from ocr.model import Region

    page = _ink([[(10, 430), (452, 880)]] * 10)
    page[20:50, :] = False
    for x in range(50, 430 - H + 1, H + 2):
        page[20 : 20 + H, x : x + H] = True
    for x in (452, 474):
        page[20 : 20 + H, x : x + H] = True
    image = np.where(page, 0, 255).astype(np.uint8)
    h, w = image.shape
    left, right = Box(5, 15, 440, h - 5), Box(446, 15, w - 5, h - 5)
    regions = [Region("r1", "text", left, left.poly(), order=1)]
    regions.append(Region("r2", "text", right, right.poly(), order=2))
    return image, regions


def test_a_body_line_the_page_saw_merged_with_a_short_one_across_the_gutter_is_kept():
    """Seen over the whole page, a column's first line and the short last line of its
    neighbour's paragraph come out as one box across the gutter, with white above and
    below it taller than body text (display type); the second look finds the short line
    alone, display-sized. The long line, its ink of body size, is body text after all: cut at
    the gutter, kept in its own column (it was dropped), the short line read once, from
    the second look."""
    from ocr.recognize.lines import detect_page_lines

    image, regions = _page_with_a_merged_first_row()
    short = _quad(450, 16, 498, 48)  # block by block: the short line, display-sized
    found = detect_page_lines(
        _LooseRowDetector(), image, regions, ("text",), 12, lambda b: [(short, 0.9)]
    )
    boxes = [(Box.from_poly([tuple(p) for p in d.poly]), d.region.id) for d in found]
    first = [(b, r) for b, r in boxes if b.y0 < 30 and b.x0 < 440]
    assert len(first) == 1 and first[0][1] == "r1"
    assert first[0][0].x0 <= 50 and 420 <= first[0][0].x1 <= 431
    assert first[0][0].height <= 28  # fitted to its ink
    assert [r for b, r in boxes if b.x0 >= 440 and b.y0 < 30] == ["r2"]  # once
    assert len(boxes) == 1 + 1 + 18  # and the nine rows below, cut at the gutter


def test_display_type_the_second_look_misses_stays_as_the_page_saw_it():
    """A display line whose ink is taller than body text (a masthead's big title) that
    the second look does not find again, though it finds display type beside it (the
    rest of the masthead), is kept whole, as the page saw it (it was dropped, and the
    paper's name with it)."""
    from ocr.recognize.lines import detect_page_lines

    image, regions = _page_with_a_merged_first_row()
    page = image < 128
    page[20:50, :] = False
    for x in range(50, 380, 44):  # 40 px characters in the first row: display type
        page[8:26, x : x + 40] = True  # (no stroke taller than a rule's cut-off)
        page[26:30, x + 18 : x + 22] = True
        page[30:48, x : x + 14] = page[30:48, x + 26 : x + 40] = True
    page[10:46, 404:434] = True  # and a smaller one beside them
    image = np.where(page, 0, 255).astype(np.uint8)
    beside = _quad(402, 8, 436, 48)  # all the second look finds

    found = detect_page_lines(
        _LooseRowDetector(), image, regions, ("text",), 12, lambda b: [(beside, 0.9)]
    )
    boxes = [Box.from_poly([tuple(p) for p in d.poly]) for d in found]
    big = [b for b in boxes if b.height > 35 and b.width > 300]
    assert len(big) == 1 and big[0].x0 <= 50 and big[0].x1 >= 398
    assert big[0].y0 == 2 and big[0].y1 == 54  # the page's box (not made a body line)
    assert sum(1 for b in boxes if b.y0 < 30) == 2  # the title and the one beside it


class _FaintRowDetector(_RowDetector):
    """A detector that sees faint print too (show-through from the sheet's other side:
    anything darker than nearly white), every band of it as one line."""

    def detect(self, image):
        from ocr.layout.ink import bands_of

        ink = (image if image.ndim == 2 else image[:, :, 0]) < 240
        out = []
        for y0, y1 in bands_of(ink):
            xs = np.flatnonzero(ink[y0:y1].any(axis=0))
            out.append((_quad(xs[0] - 2, y0 - 2, xs[-1] + 3, y1 + 2), 0.9))
        return out


def test_show_through_the_detector_sees_is_no_line():
    """Twelve body rows and, between the headline and them, a row of show-through
    (gray 230 on white paper, which the page's binarization leaves white): the body
    rows are found, the show-through is not."""
    image, regions = _page_with_a_headline()
    image[62:76, 200:700] = np.where(image[62:76, 200:700] == 255, 230, image[62:76, 200:700])
    found = detect_page_lines_of(_FaintRowDetector(), image, regions)
    assert not [b for b in found if 60 <= b.center[1] <= 78]  # no line of show-through
    assert len([b for b in found if b.height <= 30]) == 20  # the body rows, cut at the gutter


def detect_page_lines_of(detector, image, regions) -> list[Box]:
    from ocr.recognize.lines import detect_page_lines

    found = detect_page_lines(detector, image, regions, ("text",), 12, lambda blocks: [])
    return [Box.from_poly([tuple(p) for p in d.poly]) for d in found]


def _page_with_a_standing_headline():
    """A standing headline of ten 40 px characters (x 20-60, y 20-440) beside twelve
    body rows (x 100-500): (uint8 page, one text block over it all)."""
    from ocr.model import Region

    page = np.zeros((480, 520), bool)
    for k in range(10):
        page[20 + 42 * k : 60 + 42 * k, 20:60] = True
    for i in range(12):
        y = 30 + 34 * i
        for x in range(100, 480, 22):
            page[y : y + 20, x : x + 20] = True
    image = np.where(page, 0, 255).astype(np.uint8)
    box = Box(10, 10, 510, 470)
    return image, [Region("r1", "text", box, box.poly(), order=1)]


class _PieceDetector:
    """The page's detection: the body rows, and only pieces of the standing headline
    (as whole-page detection can break one): its top half by default."""

    def __init__(self, pieces=((18, 230),)):
        self.pieces = pieces

    def detect(self, image):
        ink = (image if image.ndim == 2 else image[:, :, 0]) < 128
        out = [(_quad(18, y0, 62, y1), 0.9) for y0, y1 in self.pieces]
        for i in range(12):
            y = 30 + 34 * i
            xs = np.flatnonzero(ink[y : y + 20, 90:].any(axis=0)) + 90
            out.append((_quad(xs[0] - 2, y - 2, xs[-1] + 3, y + 22), 0.9))
        return out


def _second_look(image):
    """Block-by-block detection: the standing headline's ink inside what it is shown
    (a line reaching the edge of what it saw when it runs on beyond it)."""
    ink = image < 128

    def detect_blocks(blocks):
        out = []
        for b in blocks:
            x0, y0, x1, y1 = (int(v) for v in b.box.pad(12).clip(520, 480).as_list())
            sub = ink[y0:y1, x0 : min(x1, 70)]
            rows, cols = np.flatnonzero(sub.any(axis=1)), np.flatnonzero(sub.any(axis=0))
            if len(rows) and len(cols):
                out.append((_quad(x0 + cols[0] - 2, y0 + rows[0] - 2,
                                  x0 + cols[-1] + 3, y0 + rows[-1] + 3), 0.9))  # fmt: skip
        return out

    return detect_blocks


def test_a_standing_headline_the_page_saw_in_part_is_looked_at_again_whole():
    from ocr.recognize.lines import detect_page_lines

    image, regions = _page_with_a_standing_headline()
    found = detect_page_lines(_PieceDetector(), image, regions, ("text",), 12, _second_look(image))
    boxes = [Box.from_poly([tuple(p) for p in d.poly]) for d in found]
    standing = [b for b in boxes if b.height > 2 * b.width]
    assert len(standing) == 1 and standing[0].y0 <= 20 and standing[0].y1 >= 438
    assert len(boxes) == 13  # and the twelve body rows


def test_a_standing_headline_the_page_saw_in_two_pieces_is_taken_once():
    """Its first two and its last two characters, far apart: each piece's zone grows
    along it and finds the whole line; it is one line."""
    from ocr.recognize.lines import detect_page_lines

    image, regions = _page_with_a_standing_headline()
    detector = _PieceDetector(pieces=((18, 104), (354, 440)))
    found = detect_page_lines(detector, image, regions, ("text",), 12, _second_look(image))
    boxes = [Box.from_poly([tuple(p) for p in d.poly]) for d in found]
    standing = [b for b in boxes if b.height > 2 * b.width]
    assert len(standing) == 1 and standing[0].y0 <= 20 and standing[0].y1 >= 438


def test_a_line_between_two_blocks_joins_neither():
    """A body line in no block, between two blocks side by side (a line the page's
    detection ran across two standing headlines): the nearer block, grown over it,
    would reach over its neighbour and take its lines; it keeps no block. A line by
    one block only joins it, and the block grows over it."""
    from ocr.model import Region
    from ocr.recognize.lines import _placed

    left, right = Box(100, 100, 300, 400), Box(320, 100, 520, 400)
    blocks = [
        Region("r1", "headline", left, left.poly()),
        Region("r2", "headline", right, right.poly()),
    ]
    ink = np.zeros((600, 700), bool)
    across = _placed(_quad(110, 60, 510, 90), 0.9, True, blocks, blocks, ink, 30.0)
    assert across is not None and across.region is None
    assert blocks[0].box == left and blocks[1].box == right
    under = _placed(_quad(110, 410, 290, 440), 0.9, True, blocks, blocks, ink, 30.0)
    assert under.region is blocks[0] and blocks[0].box.y1 >= 440


def test_a_gutter_as_wide_as_the_type_is_tall_in_boxes_with_a_wide_margin():
    """Seen over the whole page at a scale of its own, the detector leaves 6 px above and
    below 20 px of type: a 16 px gutter is narrower than GAP_MIN of the box but wider
    than GAP_MIN of the type, and is cut with the page's margin given."""
    rows = [[(10, 430), (442, 880)]] * 5  # ink to 426, then from 442: 16 px of white
    ink = _ink(rows)
    quads = [_quad(10, 14 + 30 * i, 880, 46 + 30 * i) for i in range(5)]  # 32 px boxes
    assert [len(p) for p in split_at_gutters(quads, ink)] == [1] * 5
    assert [len(p) for p in split_at_gutters(quads, ink, margin=6.0)] == [2] * 5


def test_a_gap_that_takes_in_a_commas_white_is_cut_where_the_neighbours_say():
    """The middle line ends 22 px short of its column (the white after a comma), then
    the gutter: its gap's middle is ink in the lines above and below, but they agree on
    the gutter inside it; the line is cut, its right piece starts at the next column."""
    rows = [[(10, 430), (452, 880)], [(10, 408), (452, 880)], [(10, 430), (452, 880)]]
    pieces = split_at_gutters(_line_quads(3, 10, 880), _ink(rows))
    assert [len(p) for p in pieces] == [2, 2, 2]
    right = Box.from_poly([tuple(q) for q in pieces[1][1]])
    assert 451 <= right.x0 <= 453


def test_white_between_characters_that_happens_to_line_up_is_no_gutter():
    """A wide space in the middle line (after a comma); the lines above and below are
    white in it only between two characters (8 px, where their characters happen to
    line up), not as wide as a gutter is: no cut."""
    ink = np.zeros((130, 900), bool)
    for y, spans in ((20, [(10, 440), (448, 880)]), (50, [(10, 420), (452, 880)])):
        for y0 in (y, y + 60):  # the middle line at 50; above and below it, alike
            if y0 > 100:
                continue
            for a, b in spans:
                ink[y0 : y0 + H, a:b] = True
    ink[80 : 80 + H] = ink[20 : 20 + H]
    pieces = split_at_gutters(_line_quads(3, 10, 880), ink)
    assert [len(p) for p in pieces] == [1, 1, 1]


class _BandDetector:
    """Every band of ink rows as one line (across the gutter), 2 or 3 px of white around
    it in turn, ``margins[i]`` px around the i-th band instead."""

    def __init__(self, margins: dict[int, int]):
        self.margins = margins

    def detect(self, image):
        from ocr.layout.ink import bands_of

        ink = (image if image.ndim == 2 else image[:, :, 0]) < 128
        out = []
        for i, (y0, y1) in enumerate(bands_of(ink)):
            xs = np.flatnonzero(ink[y0:y1].any(axis=0))
            m = self.margins.get(i, 2 + i % 2)
            out.append((_quad(xs[0] - 2, y0 - m, xs[-1] + 3, y1 + m), 0.9))
        return out


def _two_blocks(page: np.ndarray):
    from ocr.model import Region

    image = np.where(page, 0, 255).astype(np.uint8)
    h, w = image.shape
    left, right = Box(5, 15, 440, h - 5), Box(446, 15, w - 5, h - 5)
    return image, [
        Region("r1", "text", left, left.poly(), order=1),
        Region("r2", "text", right, right.poly(), order=2),
    ]


def test_two_body_lines_a_little_apart_in_height_across_the_gutter_are_two_lines():
    """Two text columns (two blocks), the first row of the right one 4 px lower than
    the left one's: seen as one band, a box taller than body text across both blocks
    (display-sized, and no letter-spaced headline: the gap at the gutter is far wider
    than those between its characters). Its ink in each block is of body size: it is
    cut at the gutter, each piece in its own block, fitted to its own ink."""
    from ocr.recognize.lines import detect_page_lines

    page = _ink([[(10, 430), (452, 880)]] * 10)
    page[20:50, 452:] = False
    for x in range(452, 880 - H + 1, H + 2):
        page[24 : 24 + H, x : x + H] = True
    image, regions = _two_blocks(page)
    found = detect_page_lines(_BandDetector({}), image, regions, ("text",), 12, lambda b: [])
    first = sorted(
        (
            (Box.from_poly([tuple(p) for p in d.poly]), d.region.id)
            for d in found
            if d.poly[0][1] < 30
        ),
        key=lambda t: t[0].x0,
    )
    assert [r for _, r in first] == ["r1", "r2"]
    (left, _), (right, _) = first
    assert left.x1 <= 431 and right.x0 >= 451
    assert left.y0 < right.y0 and left.y1 < right.y1  # each to its own ink (20-40, 24-44)
    assert left.height <= 26 and right.height <= 26
    assert len(found) == 20


def test_a_short_line_in_a_box_taller_than_its_type_is_a_body_line():
    """The last line of a paragraph, two characters, the detector's box around it 7 px
    taller than its type above and below (display-sized); where the second look would
    find a box twice as tall again. Its ink is of body size: it is read as a body
    line, fitted to its ink, not as the second look's box."""
    from ocr.recognize.lines import detect_page_lines

    page = _ink([[(10, 430), (452, 880)]] * 10)
    page[140:170, 54:] = False  # row 5: two characters of the left column
    image, regions = _two_blocks(page)
    tall = _quad(6, 110, 60, 190)
    found = detect_page_lines(
        _BandDetector({4: 7}), image, regions, ("text",), 12, lambda b: [(tall, 0.9)]
    )
    boxes = [Box.from_poly([tuple(p) for p in d.poly]) for d in found]
    short = [b for b in boxes if b.x1 < 100 and 130 <= b.center[1] <= 160]
    assert len(short) == 1 and short[0].y0 >= 136 and short[0].y1 <= 164
    assert not [b for b in boxes if b.height > 40]


def test_a_dense_caption_the_photos_box_takes_in_is_kept_and_texture_is_not():
    """A caption under a photo, its centre inside the layout's photo box (which runs a
    little over it), its small type dense (0.7 of its rows ink): paper shows above and
    below its ink, so it is print, given to the caption's block below it, kept only if
    read surely. A line of the photo's texture, ink up to its box's edges, is dropped."""
    from ocr.model import Region
    from ocr.recognize.lines import _placed

    photo, below = Box(100, 50, 500, 214), Box(100, 214, 500, 226)
    caption = Region("c1", "caption", below, below.poly())
    regions = [Region("p1", "photo", photo, photo.poly()), caption]
    ink = np.zeros((300, 600), bool)
    ink[50:196, 100:500] = True  # the photo
    for x in range(104, 396, 16):  # the caption: 12 of each 16 columns inked
        ink[204:222, x : x + 12] = True
    line = _placed(_quad(100, 200, 400, 222), 0.95, True, regions, [caption], ink, 24.0)
    assert line is not None and line.region is caption and line.on_photo
    assert _placed(_quad(100, 120, 400, 142), 0.95, True, regions, [caption], ink, 24.0) is None
