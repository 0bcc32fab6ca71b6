"""Region kinds from the page's own evidence: where a display line stands against the
text round it (inside running text, between two rules, over a bigger headline, over a
photo), what a line reads as (a byline), how a caption goes on.

Each test is a layout the classifier got wrong on masonry tuning pages (bench/assembly.py
--classify): the kinds must follow from the page, not from the line's size alone."""

from __future__ import annotations

import pytest

from ocr.model import Box, Line, Region
from ocr.regions import classify_regions

H = 30  # body line height, px; characters are square
PITCH = 45  # body line pitch: the page's leading is 15 px
TEXT = "街道召开党政负责干部学习讨论会，明确今年工作重点，推动区域发展模式大转变。"


def _line(n, text, x0, y0, h=H, region="r1", width=None):
    b = Box(x0, y0, x0 + (width or len(text) * h), y0 + h)
    return Line(f"l{n}", text, 0.99, b.poly(), b, region=region)


def _body(n0, x0, y0, rows, region="r1", chars=15):
    return [
        _line(n0 + k, (TEXT * 3)[k * chars : (k + 1) * chars], x0, y0 + k * PITCH, region=region)
        for k in range(rows)
    ]


def _block(rid, lines, order=1):
    b = Box.union(ln.box for ln in lines)
    return Region(rid, "text", b, b.poly(), order=order)


def _rule(rid, box, order=90):
    b = Box(*box)
    return Region(rid, "rule", b, b.poly(), order=order)


def _kinds(regions, lines):
    out, found = classify_regions(regions, lines, 1000, 1400)
    kind = {r.id: r.kind for r in out}
    return {ln.text: kind[ln.region] for ln in found}


def test_a_crosshead_inside_running_text_is_a_subhead_not_a_headline():
    # A bold line a tenth bigger than body text, alone in its block, right under a line
    # of the column's text at the page's leading: the old rules took it for a narrow
    # column's headline (a block of one line bigger than the text under it).
    above = _body(1, 100, 100, 8, region="r1")
    cross = _line(20, "推动区域发展模式大转变", 160, 100 + 8 * PITCH, h=1.1 * H, region="r2")
    below = _body(30, 100, 100 + 9 * PITCH, 8, region="r3")
    regions = [_block("r1", above), _block("r2", [cross], 2), _block("r3", below, 3)]
    got = _kinds(regions, [*above, cross, *below])
    assert got[cross.text] == "subhead"
    assert all(got[ln.text] == "body" for ln in above + below)


def test_a_headline_after_the_space_that_ends_an_article_stays_a_headline():
    # The same line with the space of an article's end above it (two lines of body
    # text): a narrow column's small headline.
    above = _body(1, 100, 100, 8, region="r1")
    head = _line(20, "推动区域发展模式大转变", 100, 100 + 9 * PITCH, h=1.25 * H, region="r2")
    below = _body(30, 100, 100 + 10 * PITCH, 8, region="r3")
    regions = [_block("r1", above), _block("r2", [head], 2), _block("r3", below, 3)]
    assert _kinds(regions, [*above, head, *below])[head.text] == "headline"


def test_a_pull_quote_between_two_rules_is_a_subhead():
    # Two lines at 1.4 of body size, centred between two short rules of one width in a
    # column of running text: no headline of an article of its own.
    above = _body(1, 100, 100, 6, region="r1")
    top = 100 + 6 * PITCH
    quote = [
        _line(10, "以更昂扬的精神状态", 145, top + 25, h=1.4 * H, region="r2"),
        _line(11, "推动区域发展大转变", 145, top + 85, h=1.4 * H, region="r2"),
    ]
    below = _body(20, 100, top + 170, 6, region="r3")
    regions = [_block("r1", above), _block("r2", quote, 2), _block("r3", below, 3)]
    regions += [
        _rule("r8", (110, top + 5, 540, top + 8)),
        _rule("r9", (110, top + 140, 540, top + 143)),
    ]
    got = _kinds(regions, [*above, *quote, *below])
    assert [got[ln.text] for ln in quote] == ["subhead", "subhead"]


@pytest.mark.parametrize(
    ("kicker_x", "kicker_h", "head_x", "head_y", "head_h", "body_y"),
    [
        # A one-line block at 1.2 of body size right over a headline at 2.0: the kicker
        # of that headline, not a headline of its own over it.
        (100, 1.2, 100, 145, 2.0, 230),
        # Body-sized (its ink a little smaller), set centred right over the headline: no
        # body text of the article before (or of the article above).
        (209, 0.97, 143, 140, 1.6, 220),
    ],
    ids=["bigger-than-body", "body-size-centred"],
)
def test_a_kicker_over_its_headline_is_a_subhead(
    kicker_x, kicker_h, head_x, head_y, head_h, body_y
):
    kicker = _line(1, "建设讲形势判断", kicker_x, 100, h=kicker_h * H, region="r1")
    head = _line(2, "切实增强责任感", head_x, head_y, h=head_h * H, region="r2")
    body = _body(3, 100, body_y, 10, region="r3")
    regions = [_block("r1", [kicker]), _block("r2", [head], 2), _block("r3", body, 3)]
    got = _kinds(regions, [kicker, head, *body])
    assert got[kicker.text] == "subhead" and got[head.text] == "headline"


@pytest.mark.parametrize("text", ["通讯员 周健 记者 孙磊", "记者孙磊报道", "文/刘洋图/张伟"])
def test_a_byline_under_a_headline_is_body_text(text):
    # A byline alone in its block under the headline (the layout sets it apart): body
    # text, not a subhead; as the recognizer reads it too (the spaces dropped).
    head = _line(1, "切实增强责任感", 100, 100, h=2 * H, region="r1")
    byline = _line(2, text, 100, 180, h=0.9 * H, region="r2", width=300)
    body = _body(3, 100, 230, 10, region="r3")
    regions = [_block("r1", [head]), _block("r2", [byline], 2), _block("r3", body, 3)]
    got = _kinds(regions, [head, byline, *body])
    assert got[byline.text] == "body" and got[head.text] == "headline"


def test_a_headline_over_a_photo_past_its_byline_is_a_headline():
    # A headline a quarter bigger than body text, its byline, then a photo (no text
    # right under the headline to compare with): the headline of the photo's article.
    body = _body(1, 600, 100, 12, region="r1")
    head = _line(20, "恰好与北斗七星的形状一致", 100, 100, h=1.25 * H, region="r2")
    byline = _line(21, "文/郑宇 图/周健", 100, 150, h=0.9 * H, region="r3", width=200)
    photo = Box(100, 200, 480, 420)
    regions = [_block("r1", body), _block("r2", [head], 2), _block("r3", [byline], 3)]
    regions.append(Region("r4", "photo", photo, photo.poly(), order=4))
    got = _kinds(regions, [*body, head, byline])
    assert got[head.text] == "headline" and got[byline.text] == "body"


def test_a_centred_caption_goes_on_centred():
    # A caption under a photo in two lines, the second centred under the first (and
    # shorter): both caption, not the second one body text.
    photo = Box(100, 100, 400, 300)
    cap = [
        _line(1, "促进长三角科创资源整", 100, 310, h=0.9 * H, region="r2", width=300),
        _line(2, "合利用现场", 175, 345, h=0.9 * H, region="r2", width=150),
    ]
    body = _body(3, 100, 400, 10, region="r1", chars=10)
    regions = [_block("r1", body), _block("r2", cap, 2)]
    regions.append(Region("r3", "photo", photo, photo.poly(), order=3))
    got = _kinds(regions, [*cap, *body])
    assert [got[ln.text] for ln in cap] == ["caption", "caption"]
    assert all(got[ln.text] == "body" for ln in body)


def test_a_subhead_is_smaller_in_height_and_pitch_a_headline_line_is_not():
    # A headline of two lines whose ink boxes are 49 and 43 px tall, set in one size
    # (one pitch): both headline. A subhead of two lines at 0.81 of a 48 px headline
    # (height and pitch): subheads, though display-sized themselves (the old cut took
    # only lines under 0.8 of the headline's height).
    head = [
        _line(1, "推动区域发展", 100, 100, h=49, region="r1", width=6 * 49),
        _line(2, "模式大转变", 100, 160, h=43, region="r1", width=5 * 49),
    ]
    body = _body(3, 100, 230, 8, region="r2")
    regions = [_block("r1", head), _block("r2", body, 2)]
    got = _kinds(regions, [*head, *body])
    assert [got[ln.text] for ln in head] == ["headline", "headline"]

    head = _line(1, "切实增强责任感", 100, 100, h=48)
    subs = [
        _line(2, "交运智慧湾科创园全境", 100, 168, h=39),
        _line(3, "位于张庙街道辖区内", 100, 216, h=39),
    ]
    body = _body(4, 100, 290, 8, region="r3")
    regions = [_block("r1", [head]), _block("r2", subs, 2), _block("r3", body, 3)]
    for ln in subs:
        ln.region = "r2"
    got = _kinds(regions, [head, *subs, *body])
    assert got[head.text] == "headline"
    assert [got[ln.text] for ln in subs] == ["subhead", "subhead"]
