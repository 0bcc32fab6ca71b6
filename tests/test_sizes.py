"""Size cut-offs from the page's own distribution of line sizes (``ocr.text.size_breaks``),
the region classifier's use of them, and two headlines side by side on one row.

Each test sets a size just past one of the old fixed cut-offs (captions at most 0.93 of
body size, subheads at least 1.08): the page's own distribution, not a ratio fitted to
our generator, must decide."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.articles import assemble_articles
from ocr.layout.headlines import headline_blobs
from ocr.layout.ink import binarize, text_size
from ocr.model import Box, Line, PageLayout, Region
from ocr.regions import classify_regions
from ocr.text.lines import size_breaks

BODY = "街道召开党政负责干部学习讨论会明确今年工作重点推动区域发展模式大转变凝聚共识"
H = 30  # body line height, px; characters are square


def _line(n, text, x0, y0, h=H, region="r1"):
    b = Box(x0, y0, x0 + len(text) * h, y0 + h)
    return Line(f"l{n}", text, 0.99, b.poly(), b, region=region)


def _body(n0, x0, y0, rows, chars=15, region="r1", pitch=45):
    return [
        _line(n0 + k, (BODY * 2)[k : k + chars], x0, y0 + k * pitch, region=region)
        for k in range(rows)
    ]


def _block(rid, lines, order=1):
    b = Box.union(ln.box for ln in lines)
    return Region(rid, "text", b, b.poly(), order=order)


def test_the_body_cluster_and_its_breaks_follow_the_page():
    # Exact line heights: the cuts sit just past body size.
    small, big, _ = size_breaks([(1.0, 15)] * 40 + [(0.95, 12)])
    assert 0.95 < small < 1.0 and 1.0 < big <= 1.04
    # Noisy line heights (a detector's boxes, body within ±4%): body text stays body.
    rng = random.Random(1)
    noisy = [(rng.uniform(0.96, 1.04), 15) for _ in range(60)]
    small, big, _ = size_breaks(noisy + [(0.88, 12)])
    assert 0.88 < small < 0.96 and big > 1.04
    # Two modes of body text (glyphs of two ink heights, 24 and 27 px): both are body,
    # the cut above them; the few lines between them do not join the cluster.
    small, big, _ = size_breaks([(1.0, 30)] * 40 + [(1.125, 30)] * 30 + [(1.33, 8)], 1 / 24)
    assert 1.125 < big < 1.33


def test_a_caption_just_smaller_than_body_text_is_a_caption():
    # 0.95 of body size under a photo, no caption words: past the old cut (0.93).
    photo = Box(100, 100, 560, 400)
    cap = _line(1, "交运智慧湾科创园开园现场", 100, 410, h=0.95 * H, region="r2")
    body = _body(2, 100, 460, 20)
    regions = [
        _block("r2", [cap]),
        _block("r1", body, 2),
        Region("r3", "photo", photo, photo.poly(), order=3),
    ]
    out, found = classify_regions(regions, [cap, *body], 1000, 1400)
    kinds = {r.id: r.kind for r in out}
    got = {ln.text: kinds[ln.region] for ln in found}
    assert got[cap.text] == "caption"
    assert all(got[ln.text] == "body" for ln in body)


def test_a_subhead_just_bigger_than_body_text_is_a_subhead():
    # 1.05 of body size under a headline, over body text in the same block: past the old
    # cut (1.08).
    head = _line(1, "赋能产业转型升级", 100, 100, h=2 * H)
    sub = _line(2, "科创宝山建设讲形势判断", 100, 175, h=1.05 * H)
    body = _body(3, 100, 225, 20)
    lines = [head, sub, *body]
    out, found = classify_regions([_block("r1", lines)], lines, 1000, 1400)
    kinds = {r.id: r.kind for r in out}
    got = {ln.text: kinds[ln.region] for ln in found}
    assert got[head.text] == "headline" and got[sub.text] == "subhead"
    assert all(got[ln.text] == "body" for ln in body)


# ---------------------------------------------------------------- headlines side by side

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
BODY_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _page_image(heads: list[tuple[str, int]], columns: list[tuple[int, int]], gap_px: int):
    """A page: headlines (text, x) on one row at 48 px, body text in ``columns`` (x0,
    x1) under them; two headlines side by side are ``gap_px`` apart."""
    img = Image.new("L", (1000, 700), 255)
    d = ImageDraw.Draw(img)
    head = ImageFont.truetype(FONT, 48)
    body = ImageFont.truetype(BODY_FONT, 20)
    for text, x in heads:
        d.text((x, 40), text, font=head, fill=0)
    for x0, x1 in columns:
        n = (x1 - x0) // 20
        for k in range(12):
            d.text((x0, 130 + 32 * k), (BODY * 3)[k : k + n], font=body, fill=0)
    return np.asarray(img)


def _blobs(gray):
    ink = binarize(gray) > 0
    ch, _ = text_size(ink)
    return headline_blobs(ink, ch, np.zeros(ink.shape, bool))


def test_two_headlines_side_by_side_over_their_own_columns_are_two():
    # Two articles of two columns each, their headlines on one row 22 px apart (less
    # than half the headline's height: the old rule joined them), the gap over the
    # gutter between the articles.
    left = "民生实事项目推进"  # 8 characters at 48 px: x 40..424
    gray = _page_image(
        [(left, 40), ("打造科创集聚区", 440)],
        [(40, 230), (250, 430), (446, 636), (656, 846)],
        22,
    )
    blobs = sorted(_blobs(gray))
    assert len(blobs) == 2, blobs
    assert blobs[0][2] < 440 < blobs[1][0]


def test_one_headline_over_its_columns_stays_one():
    # One headline with a word space over its own article's columns: its gaps lie over
    # text, not over a gutter.
    gray = _page_image(
        [("民生实事项目", 40), ("推进落实", 342)],
        [(40, 250), (270, 480), (500, 700)],
        0,
    )
    assert len(_blobs(gray)) == 1


def test_a_display_sized_subhead_goes_with_the_bigger_headline():
    # A kicker (1.1 of body size) over a headline (1.7), two subhead lines under it, the
    # second of display size (1.3): one article under the headline, the kicker and both
    # subheads in its text (the old rules took the second subhead for a headline of its
    # own, too far under the big one to be merged into it).
    kicker = _line(1, "建设讲形势判断", 100, 100, h=1.1 * H, region="r1")
    head = _line(2, "建成以机器人及智能制造", 100, 145, h=1.7 * H, region="r2")
    sub1 = _line(3, "服务民生改善民生", 100, 205, h=1.25 * H, region="r3")
    sub2 = _line(4, "与经济发展相辅相成", 100, 250, h=1.3 * H, region="r3")
    body = _body(5, 100, 310, 20, region="r4")
    regions = [_block("r1", [kicker]), _block("r2", [head], 2), _block("r3", [sub1, sub2], 3)]
    regions.append(_block("r4", body, 4))
    out, found = classify_regions(regions, [kicker, head, sub1, sub2, *body], 1000, 1400)
    kinds = {r.id: r.kind for r in out}
    got = {ln.text: kinds[ln.region] for ln in found}
    assert got[head.text] == "headline" and got[sub2.text] == "subhead"
    (article,) = assemble_articles([PageLayout(1, out, found, width=1000, height=1400)])
    assert article.title == head.text
    assert all(ln.text in article.text for ln in (kicker, sub1, sub2, *body))


# ---------------------------------------------------------------- body size, display type


def test_a_horizontal_headline_on_a_vertical_page_is_measured_by_type_size():
    # A page set in vertical columns 20 px wide, characters 25 px apart down a column
    # (the column's pitch, spacing and all). A horizontal headline 28 px tall with square
    # characters is display type (1.4 of body size); against the columns' pitch its
    # characters looked no wider than 1.12 of body text's.
    from ocr.text import body_size, is_display

    cols = []
    for k in range(12):
        b = Box(900 - 30 * k, 200, 920 - 30 * k, 600)  # 16 characters down
        cols.append(Line(f"v{k}", BODY[k : k + 16], 0.99, b.poly(), b, region="r1"))
    head = _line(99, "推动区域发展模式大转变", 100, 100, h=28)
    size = body_size([*cols, head])
    assert abs(size.height - 20) < 0.5  # the columns' width
    assert is_display(head, size)
