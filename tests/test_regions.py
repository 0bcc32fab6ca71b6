"""Region kinds on generated pages with known truth, without OCR (fast).

The generator's lines (their text and ink boxes) stand in for recognized lines. Blocks
come either from the generator's own blocks (the layout one would wish for: every
column block, masthead block and folio its own text block; an ad's frame as four rules)
or from the real layout stage run on the page image. THE GOAL: at least 97 % of the
lines end in a region of the right kind (the truth's line kind; lines of an ad block
are "ad").
"""

from __future__ import annotations

import collections

import pytest
from synth import deskewed_offset, render_issue

from ocr.layout.segment import segment
from ocr.model import NOT_TEXT, Box, Deskew, Kind, Line, Region
from ocr.regions import TEXT_KINDS, classify_regions
from ocr.regions.metadata import page_meta
from ocr.text import reading_order

# Small issues with seeds the classifier was not tuned on: jumps in several styles, ads
# in the gaps, vertical headlines (none, some, many).
ISSUES = [
    dict(pages=4, seed=31, width_mm=150, height_mm=200, vertical_headlines=0.0),
    dict(pages=4, seed=32, width_mm=160, height_mm=210, vertical_headlines=0.3),
    dict(pages=4, seed=33, width_mm=170, height_mm=220, vertical_headlines=0.6),
]
COMMON = dict(jumps="varied", ad_slots=0.3)
WANT = 0.97


@pytest.fixture(scope="module", params=range(len(ISSUES)), ids=lambda i: f"seed{ISSUES[i]['seed']}")
def issue(request):
    return render_issue(dpi=120, **COMMON, **ISSUES[request.param])


def expected(page, t) -> str:
    return "ad" if page.blocks[t.block].kind == "ad" else t.kind


def truth_lines(page) -> tuple[list[Line], Deskew]:
    h, w = page.image.shape[:2]
    deskew = Deskew.for_scan(page.skew_degrees, w, h)
    ox, oy = deskewed_offset(page)
    lines = []
    for n, t in enumerate(page.lines, start=1):
        box = Box(t.box[0] + ox, t.box[1] + oy, t.box[2] + ox, t.box[3] + oy)
        lines.append(Line(f"l{n}", t.text, 1.0, list(t.poly), box, region=f"r{t.block + 1}"))
    return lines, deskew


def truth_blocks(page) -> tuple[list[Region], list[Line], Deskew]:
    """The generator's blocks as the layout would give them: text blocks of kind "text",
    photos, QR codes, rules; an ad's frame as four rules around its text block."""
    lines, deskew = truth_lines(page)
    ox, oy = deskewed_offset(page)
    regions = []
    for i, b in enumerate(page.blocks, start=1):
        box = Box(b.box[0] + ox, b.box[1] + oy, b.box[2] + ox, b.box[3] + oy)
        kind = b.kind if b.kind in ("photo", "qr", "rule") else "text"
        regions.append(Region(f"r{i}", kind, box, deskew.to_scan(box.poly()), i, b.payload))
        if b.kind == "ad":
            t = 0.5 * page.dpi / 25.4
            sides = [
                (box.x0, box.y0, box.x1, box.y0 + t),
                (box.x0, box.y1 - t, box.x1, box.y1),
                (box.x0, box.y0, box.x0 + t, box.y1),
                (box.x1 - t, box.y0, box.x1, box.y1),
            ]
            for j, side in enumerate(sides):
                sb = Box(*side)
                rid = f"r{i}f{j}"
                regions.append(Region(rid, "rule", sb, deskew.to_scan(sb.poly()), 1000 + 4 * i + j))
    return regions, lines, deskew


def layout_blocks(page) -> tuple[list[Region], list[Line], Deskew]:
    """The real layout stage's blocks; each line in the text block holding its centre
    (as detection assigns them), or in none."""
    lines, deskew = truth_lines(page)
    regions = segment(page.image, deskew)
    text = [r for r in regions if r.kind == "text"]
    for ln in lines:
        hits = [r for r in text if r.box.contains_point(ln.box.center)]
        ln.region = hits[0].id if hits else None
    return regions, lines, deskew


def kind_accuracy(pages, make) -> tuple[float, collections.Counter, list]:
    total, wrong = collections.Counter(), []
    for page in pages:
        regions, lines, deskew = make(page)
        out, found = classify_regions(regions, lines, deskew.width, deskew.height, deskew=deskew)
        kind_of = {r.id: r.kind for r in out}
        by_id = {ln.id: ln for ln in found}
        for n, t in enumerate(page.lines, start=1):
            want = expected(page, t)
            total[want] += 1
            got = kind_of.get(by_id[f"l{n}"].region)
            if got != want:
                wrong.append((page.number, want, got, t.text))
    n = sum(total.values())
    return 1 - len(wrong) / n, total, wrong


def test_kinds_from_the_generators_blocks(issue):
    acc, total, wrong = kind_accuracy(issue, truth_blocks)
    assert set(total) >= {"masthead", "folio", "headline", "body", "caption", "jump"}
    assert acc >= WANT, (acc, wrong)


def test_kinds_from_the_layout_stage(issue):
    acc, _, wrong = kind_accuracy(issue, layout_blocks)
    assert acc >= WANT, (acc, wrong)


def test_page_metadata(issue):
    for page in issue:
        regions, lines, deskew = layout_blocks(page)
        out, found = classify_regions(regions, lines, deskew.width, deskew.height, deskew=deskew)
        want = {"printed_number": page.number, "date": "2021-01-20", "title": "张庙社区晨报"}
        if page.number == 1:
            want["number"] = 75
        assert page_meta(out, found) == want


def test_the_contract(issue):
    """Final regions: known kinds, one kind of line per text region, unique ids, tight
    boxes mapped to the scan, every line kept (same ids) in an existing region, an
    order 1..N; the inputs are left as they were."""
    page = issue[0]
    regions, lines, deskew = layout_blocks(page)
    before = ([r.to_dict() for r in regions], [ln.to_dict() for ln in lines])
    out, found = classify_regions(regions, lines, deskew.width, deskew.height, deskew=deskew)
    assert ([r.to_dict() for r in regions], [ln.to_dict() for ln in lines]) == before
    ids = [r.id for r in out]
    assert len(ids) == len(set(ids))
    assert sorted(r.order for r in out) == list(range(1, len(out) + 1))
    assert sorted(ln.id for ln in found) == sorted(ln.id for ln in lines)
    by_region = collections.defaultdict(list)
    for ln in found:
        by_region[ln.region].append(ln)
    assert set(by_region) <= set(ids)
    for r in out:
        assert r.kind in TEXT_KINDS + tuple(NOT_TEXT) + (Kind.TEXT,)
        mine = by_region.get(r.id, [])
        if r.kind in ("photo", "qr", "rule"):
            assert not mine
            old = next(o for o in regions if o.id == r.id)
            assert (old.kind, old.box, old.text) == (r.kind, r.box, r.text)
            continue
        if not mine:
            continue
        assert r.kind != "text"
        tight = Box(
            min(ln.box.x0 for ln in mine),
            min(ln.box.y0 for ln in mine),
            max(ln.box.x1 for ln in mine),
            max(ln.box.y1 for ln in mine),
        )
        assert r.box == tight
        for p, q in zip(r.poly, deskew.to_scan(tight.poly()), strict=True):
            assert abs(p[0] - q[0]) <= 0.1 and abs(p[1] - q[1]) <= 0.1
        assert sorted(ln.order for ln in mine) == list(range(1, len(mine) + 1))
    qr = [r for r in out if r.kind == "qr"]
    assert qr and all(r.text for r in qr)


def _line(n, text, box, region="r1"):
    b = Box(*box)
    return Line(f"l{n}", text, 0.99, b.poly(), b, region=region)


def _page(lines, extra=()):
    b = Box(
        min(ln.box.x0 for ln in lines),
        min(ln.box.y0 for ln in lines),
        max(ln.box.x1 for ln in lines),
        max(ln.box.y1 for ln in lines),
    )
    return [Region("r1", "text", b, b.poly(), order=1), *extra]


BODY = [
    "街道召开2021年党政负责干部学习讨论会",
    "会议就融入科创宝山建设讲形势判断讲",
    "矛盾问题讲理念转变讲创新举措进一步",
    "统一思想凝聚共识明确方向街道党工委",
    "书记人大工委主任施永根出席会议并讲",
]


def test_a_block_is_cut_where_its_lines_change_kind():
    """A headline over body text ending in a jump, all in one layout block: three
    regions, the first keeping the block's id, boxes tight, lines in order."""
    lines = [_line(1, "赋能产业转型升级", (100, 100, 420, 150))]
    for i, t in enumerate(BODY):
        y = 180 + i * 45
        lines.append(_line(i + 2, t, (100, y, 660, y + 30)))
    lines.append(_line(9, "（下转第2版）", (500, 410, 660, 440)))
    out, found = classify_regions(_page(lines), lines, 1000, 1400)
    assert [(r.id, r.kind) for r in out] == [("r1", "headline"), ("r1b", "body"), ("r1c", "jump")]
    assert out[0].box == lines[0].box
    assert [ln.region for ln in found] == ["r1"] + ["r1b"] * 5 + ["r1c"]
    assert [ln.order for ln in found] == [1, 1, 2, 3, 4, 5, 1]
    # Without a Deskew the polygon follows the input regions' own mapping (here none).
    assert out[1].poly == out[1].box.poly()


def test_a_vertical_headline_beside_its_text_is_read_first_right_to_left():
    lines = [_line(i + 1, t, (100, 100 + i * 45, 560, 130 + i * 45)) for i, t in enumerate(BODY)]
    # Two columns of a vertical headline at the right, level with the first row.
    lines.append(_line(6, "模式大转变", (600, 100, 650, 380)))
    lines.append(_line(7, "推动区域发展", (660, 100, 710, 430)))
    order = [ln.id for ln in reading_order(lines)]
    assert order == ["l7", "l6", "l1", "l2", "l3", "l4", "l5"]
    out, found = classify_regions(_page(lines), lines, 1000, 1400)
    kinds = {r.id: r.kind for r in out}
    head = [ln.text for ln in found if kinds[ln.region] == "headline"]
    assert head == ["推动区域发展", "模式大转变"]
    assert [kinds[ln.region] for ln in found].count("body") == 5


def test_caption_under_a_photo_and_qr_caption():
    photo = Box(100, 100, 560, 400)
    qr = Box(700, 100, 820, 220)
    lines = [
        _line(1, "图为交运智慧湾科创园", (100, 410, 400, 435)),
        _line(2, "扫描二维码", (705, 230, 815, 255), region="r2"),
    ]
    for i, t in enumerate(BODY):
        y = 460 + i * 45
        lines.append(_line(i + 3, t, (100, y, 560, y + 30)))
    regions = _page([ln for ln in lines if ln.region == "r1"])
    regions += [
        Region("r2", "text", lines[1].box, lines[1].box.poly(), order=2),
        Region("r3", "photo", photo, photo.poly(), order=3),
        Region("r4", "qr", qr, qr.poly(), order=4, text="https://example.org"),
    ]
    out, found = classify_regions(regions, lines, 1000, 1400)
    kinds = {r.id: r.kind for r in out}
    got = [(ln.text, kinds[ln.region]) for ln in found]
    assert ("图为交运智慧湾科创园", "caption") in got and ("扫描二维码", "caption") in got
    assert sum(k == "body" for _, k in got) == 5
    assert {r.kind for r in out} == {"caption", "body", "photo", "qr"}


def test_text_framed_on_four_sides_is_an_ad():
    lines = [
        _line(1, "新春大促销", (200, 520, 400, 560)),
        _line(2, "订购热线：021-56781234", (180, 570, 420, 600)),
    ]
    for i, t in enumerate(BODY):
        y = 100 + i * 45
        lines.append(_line(i + 3, t, (100, y, 660, y + 30), region="r2"))
    frame = [Box(150, 500, 450, 504), Box(150, 616, 450, 620)]
    frame += [Box(150, 500, 154, 620), Box(446, 500, 450, 620)]
    regions = _page(lines[:2]) + [
        Region(f"r{9 + i}", "rule", b, b.poly(), order=9 + i) for i, b in enumerate(frame)
    ]
    body_box = Box(100, 100, 660, 310)
    regions.append(Region("r2", "text", body_box, body_box.poly(), order=2))
    out, found = classify_regions(regions, lines, 1000, 1400)
    kinds = {r.id: r.kind for r in out}
    assert [kinds[ln.region] for ln in found if ln.region.startswith("r1")] == ["ad", "ad"]
    assert all(kinds[ln.region] == "body" for ln in found if ln.region.startswith("r2"))


def test_lines_outside_any_block_get_a_region():
    lines = [
        _line(i + 1, t, (100, 100 + i * 45, 560, 130 + i * 45), None) for i, t in enumerate(BODY)
    ]
    out, found = classify_regions([], lines, 1000, 1400)
    assert len(out) == 1 and out[0].kind == "body"
    assert all(ln.region == out[0].id for ln in found)
