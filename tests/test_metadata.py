"""Issue metadata: dates, issue and page numbers read from masthead and folio text, and
``page_meta`` on hand-made pages."""

from __future__ import annotations

import pytest

from ocr.model import Box, Line, Region
from ocr.regions.metadata import page_meta
from ocr.text import (
    TextPage,
    cn_int,
    find_jump,
    issue_number,
    jump_target,
    page_number,
    parse_date,
)


@pytest.mark.parametrize(
    "text, date",
    [
        ("2021年1月20日", "2021-01-20"),
        ("2021年01月20日 星期三", "2021-01-20"),
        ("2021 年 1 月 20 日", "2021-01-20"),
        ("２０２１年１月２０日", "2021-01-20"),
        ("二〇二一年一月二十日", "2021-01-20"),
        ("二〇二一年十二月三十一日 农历冬月十八", "2021-12-31"),
        ("2021-01-20", "2021-01-20"),
        ("2021.1.20", "2021-01-20"),
        ("2021年1月20日  张庙社区晨报  第2版", "2021-01-20"),
        ("2021年2月30日", None),  # no such day
        ("第75期", None),
        ("", None),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize(
    "text, value",
    [("7", 7), ("十", 10), ("十二", 12), ("二十", 20), ("二十一", 21), ("廿五", 25)]
    + [("卅", 30), ("一百零五", 105), ("一〇二", 102), ("二〇二一", 2021), ("七十五", 75)]
    + [("", None), ("七x", None)],
)
def test_cn_int(text, value):
    assert cn_int(text) == value


def test_issue_number():
    assert issue_number("本期 8 版 第 75 期") == 75
    assert issue_number("本期8版第75期") == 75
    assert issue_number("第七十五期") == 75
    assert issue_number("总第1234期 第75期") == 75  # the issue's own number, not the total
    assert issue_number("总第1234期") == 1234
    assert issue_number("本期 8 版") is None


def test_page_number():
    assert page_number("2021年1月20日  张庙社区晨报  第2版") == 2
    assert page_number("第十二版") == 12
    assert page_number("A2版") == 2
    assert page_number("- 2 -") is None  # a bare number only at the foot
    assert page_number("- 2 -", foot=True) == 2
    assert page_number("— 12 —", foot=True) == 12
    assert page_number("本期 8 版 第 75 期", foot=True) is None


def test_jump_target():
    assert jump_target("（下转第2版）") == ("out", 2)
    assert jump_target("(上接第1版)") == ("in", 1)
    assert jump_target("（转3版）") == ("out", 3)
    assert jump_target("接第十版") == ("in", 10)
    assert jump_target("下转第2版") == ("out", 2)
    assert jump_target("他说（下转第2版）好") is None  # only a line that is nothing else
    assert jump_target("第2版") is None
    assert jump_target("续第十二版") == ("in", 12)
    assert jump_target("（下转第A3版）") == ("out", 3)


def test_one_jump_grammar():
    """Assembly's in-line jumps and the classifier's whole-line jumps are one grammar."""
    j = find_jump("认真做好每一件事。（下转第二十版）")
    assert (j.direction, j.page, j.whole) == ("out", 20, False)
    assert jump_target("认真做好每一件事。（下转第二十版）") is None
    assert find_jump("——上接第1版——").whole and jump_target("——上接第1版——") == ("in", 1)


def test_broken_rule_under_the_masthead():
    """The rule under a masthead, cut into pieces by the layout, is one rule."""
    title = _line(1, "张庙社区晨报", (100, 20, 700, 120), "r1")
    body = [
        _line(n, "正文正文正文正文正文正文", (100, 200 + 40 * n, 600, 230 + 40 * n), "r2")
        for n in range(2, 30)
    ]
    rules = [
        Region(f"h{k}", "rule", Box(x, 150, x + 180, 153), Box(x, 150, x + 180, 153).poly())
        for k, x in enumerate((100, 290, 480))
    ]
    date = _line(0, "2021年1月20日 第75期", (100, 125, 400, 145), "r1")  # under the title
    lines = [title, date, *body]
    page = TextPage.of(rules, lines, 800, 1500)
    assert [r.width for r in page.joined_rules()] == [560]
    assert page.furniture(lines) == {"l1": "masthead", "l0": "masthead"}


def _line(n: int, text: str, box: tuple, region: str) -> Line:
    b = Box(*box)
    return Line(f"l{n}", text, 0.99, b.poly(), b, region=region)


def _region(rid: str, kind: str, lines: list[Line]) -> Region:
    b = Box(
        min(ln.box.x0 for ln in lines),
        min(ln.box.y0 for ln in lines),
        max(ln.box.x1 for ln in lines),
        max(ln.box.y1 for ln in lines),
    )
    return Region(rid, kind, b, b.poly())


def test_meta_of_a_front_page():
    mast = [
        _line(1, "张 庙", (80, 140, 300, 260), "r1"),  # the big title, in two sizes
        _line(2, "社区晨报", (300, 160, 460, 205), "r1"),
        _line(3, "SHANGHAI COMMUNITY NEWS", (300, 210, 445, 228), "r1"),
        _line(4, "2021年1月20日", (590, 140, 770, 174), "r1"),
        _line(5, "本期8版第75期", (560, 180, 775, 215), "r1"),
        _line(6, "下期出版：2月24日", (545, 220, 773, 252), "r1"),
    ]
    body = [_line(7, "（下转第2版）", (900, 1400, 1060, 1440), "r2")]
    regions = [_region("r1", "masthead", mast), _region("r2", "jump", body)]
    meta = page_meta(regions, mast + body)
    assert meta == {
        "title": "张庙社区晨报",
        "date": "2021-01-20",
        "number": 75,
        "printed_number": 1,
    }


def test_meta_of_an_inside_page():
    head = [
        _line(1, "2021年1月20日", (85, 80, 262, 116), "r1"),
        _line(2, "张庙社区晨报", (304, 80, 463, 116), "r1"),
        _line(3, "第2版", (500, 80, 576, 118), "r1"),
    ]
    foot = [_line(4, "-2-", (568, 1475, 637, 1512), "r9")]
    jump = [_line(5, "（上接第1版）", (97, 583, 214, 615), "r5")]
    regions = [_region("r1", "folio", head), _region("r9", "folio", foot)]
    regions.append(_region("r5", "jump", jump))
    meta = page_meta(regions, head + foot + jump)
    assert meta == {"date": "2021-01-20", "title": "张庙社区晨报", "printed_number": 2}


def test_meta_keys_only_when_found():
    body = [_line(1, "街道召开2021年党政负责干部学习讨论会。", (80, 300, 600, 330), "r1")]
    assert page_meta([_region("r1", "body", body)], body) == {}
    foot = [_line(2, "- 7 -", (300, 1500, 340, 1530), "r2")]  # only a page number
    assert page_meta([_region("r2", "folio", foot)], foot) == {"printed_number": 7}


def test_folio_numbers_disagreeing_the_commonest_wins():
    lines = [
        _line(1, "2021年1月20日 张庙社区晨报 第3版", (80, 80, 700, 116), "r1"),
        _line(2, "- 3 -", (300, 1500, 340, 1530), "r2"),
        _line(3, "第8版", (800, 80, 880, 116), "r1"),
    ]
    regions = [_region("r1", "folio", [lines[0], lines[2]]), _region("r2", "folio", [lines[1]])]
    assert page_meta(regions, lines)["printed_number"] == 3
