"""Issue metadata: dates, issue and page numbers read from masthead and folio text;
title, date, issue and page number as the pipeline reads them (real models) from
rendered pages of generated issues that vary them; ``page_meta``'s rules on hand-made
pages."""

from __future__ import annotations

import pytest

from ocr.model import Box, Line, PageJob, Region
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


# -- what the pipeline reads from rendered pages ------------------------------------------
#
# Generated issues vary the paper, the date (digits, with the weekday, in Chinese
# numerals), the issue number and the masthead and running-head formats (tests/masonry.py).
# The pages: the first tuning seeds (7000 on) that together print every date format and
# running-head formats 0-3, read by the real models; the truth is the generator's.
READ = {
    "front-digits": (7004, 1),  # 2024年2月20日, 第410期
    "front-chinese-numerals": (7013, 1),  # 二〇二四年十月十一日, 第4期
    "inside-head-2": (7010, 2),  # 第2版 section | paper date (no folio at the foot)
    "inside-head-0": (7015, 2),  # paper date | 第2版; - 2 - at the foot
    "inside-head-3": (7004, 2),  # 第2版 | section | date: the paper's name is not printed
}


@pytest.fixture(scope="module")
def read_pages(engine, tmp_path_factory):
    """Each page of ``READ`` rendered (130 x 170 mm at 150 dpi) and run through the
    pipeline with the real models: {name: (the issue's truth, the page's metadata)}."""
    import os

    import masonry
    from PIL import Image

    from ocr.pipeline import init_worker, process_page, settings_for

    # The session's engine again: a test with a fake engine in this process (the inline
    # executor) replaces the one process_page uses.
    init_worker(None, max(1, os.cpu_count() or 1))
    folder = tmp_path_factory.mktemp("meta")
    out = {}
    for name, (seed, number) in READ.items():
        page = masonry.render_page(
            number=number, pages=2, seed=seed, dpi=150, width_mm=130, height_mm=170
        )
        path = folder / f"page-{seed}-{number}.png"  # the name says nothing of the issue
        Image.fromarray(page.image).save(path, dpi=(150, 150))
        job = PageJob(str(path), 0, number, "k", f"{seed:064d}", 150, None, settings_for(150, None))
        result = process_page(job)
        assert result.status == "done", result.error
        out[name] = (masonry.issue_style(2, seed), result.meta)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in READ if n.startswith("front")])
def test_meta_read_from_a_front_page(read_pages, name):
    style, meta = read_pages[name]
    assert meta == {
        "title": style.paper,
        "date": style.date.isoformat(),
        "number": style.number,
        "printed_number": 1,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "inside-head-2",
        "inside-head-0",
        "inside-head-3",  # no paper's name in the head: its section (专版) is no title
    ],
)
def test_meta_read_from_an_inside_page(read_pages, name):
    style, meta = read_pages[name]
    want = {"date": style.date.isoformat(), "printed_number": 2}
    if style.head_format != 3:  # formats 0-2 print the paper's name in the running head
        want["title"] = style.paper
    assert meta == want


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


def test_running_head_section_is_no_title():
    """A running head's section name (综合新闻, 专版) is not the paper's name; the paper's
    name (a 报 or 刊) is, wherever it stands in the head."""
    section = [
        _line(1, "第2版", (80, 80, 180, 116), "r1"),
        _line(2, "综合新闻", (500, 80, 660, 116), "r1"),
        _line(3, "2021年1月20日 星期三", (900, 80, 1200, 116), "r1"),
    ]
    meta = page_meta([_region("r1", "folio", section)], section)
    assert "title" not in meta and meta["date"] == "2021-01-20"
    named = [*section[:2], _line(4, "张庙社区晨报 2021年1月20日", (900, 80, 1300, 116), "r1")]
    assert page_meta([_region("r1", "folio", named)], named)["title"] == "张庙社区晨报"
