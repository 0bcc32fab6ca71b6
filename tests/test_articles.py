"""Article assembly as a pure function, on layouts built from the generator's truth:
every line with its exact text and box, every block a region (with the generator's
kinds, or all "text" as the pipeline gives them before regions are classified)."""

from __future__ import annotations

import unicodedata

import pytest
import synth

from ocr.articles import (
    assemble_articles,
    effective_numbers,
    issue_facts,
    page_flags,
    title_similarity,
)
from ocr.model import Box, Line, PageLayout, Region
from ocr.text import find_jump, strip_jump

pytestmark = pytest.mark.skipif(not synth.fonts(), reason="no CJK font installed")

# Line kinds of the generator -> region kinds of the region classifier.
KINDS = {
    "headline": "headline",
    "subhead": "subhead",
    "body": "body",
    "caption": "caption",
    "jump": "jump",
    "masthead": "masthead",
    "folio": "folio",
}
SMALL = {"dpi": 100, "width_mm": 250, "height_mm": 350}


def norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def truth_layout(page: synth.TruthPage, classified: bool = True) -> PageLayout:
    """The page as the pipeline would give it with perfect OCR: one region per block
    (split by line kind when ``classified``, else "text"); an ad's frame as four rules
    (the layout stage finds frames as rules). Ids are unique within an issue."""
    n = page.number
    regions: list[Region] = []
    lines: list[Line] = []
    for bi, block in enumerate(page.blocks):
        members = [(i, ln) for i, ln in enumerate(page.lines) if ln.block == bi]
        box = Box(*block.box)
        if block.kind in ("photo", "qr", "rule"):
            regions.append(Region(f"p{n}b{bi}", block.kind, box, box.poly(), order=bi))
            continue
        if block.kind == "ad" and not classified:
            x0, y0, x1, y1 = block.box
            sides = ((x0, y0, x1, y0 + 2), (x0, y1 - 2, x1, y1))
            sides += ((x0, y0, x0 + 2, y1), (x1 - 2, y0, x1, y1))
            for k, side in enumerate(sides):
                regions.append(Region(f"p{n}b{bi}f{k}", "rule", Box(*side), [], order=bi))
        groups: dict[str, list] = {}
        for i, ln in members:
            if not classified:
                kind = "text"
            elif block.kind == "ad":
                kind = "ad"
            else:
                kind = KINDS.get(ln.kind, "text")
            groups.setdefault(kind, []).append((i, ln))
        for kind, group in groups.items():
            rid = f"p{n}b{bi}{kind}"
            regions.append(Region(rid, kind, box, box.poly(), order=bi))
            for i, ln in group:
                lb = Box(*ln.box)
                lines.append(Line(f"p{n}l{i}", ln.text, 1.0, lb.poly(), lb, region=rid, order=i))
    h, w = page.image.shape[:2]
    printed = None if page.number == 1 else page.number  # page 1 prints no number
    return PageLayout(n, regions, lines, printed_number=printed, width=w, height=h)


def truth_articles(pages: list[synth.TruthPage]) -> list[dict]:
    """The issue's articles as the generator made them: ``title`` (the first part's),
    ``text`` (subheads, captions and body in reading order, no jump lines; normalized),
    ``pages``; an article continued on a later page is one article."""
    parts = {}
    for page in pages:
        info = {a.index: a for a in page.articles}
        members: dict[int, list] = {}
        for ln in page.lines:
            if ln.article is not None:
                members.setdefault(ln.article, []).append(ln)
        for art, lns in sorted(members.items()):
            parts[(page.number, art)] = {
                "title": norm(info[art].full_title if art in info else None),
                "text": "".join(norm(x.text) for x in lns if x.kind not in ("headline", "jump")),
                "pages": [page.number],
                "info": info.get(art),
            }
    out = []
    for (number, _), part in parts.items():
        info = part["info"]
        if info is not None and info.jump_from is not None:
            continue
        art = {k: part[k] for k in ("title", "text", "pages")}
        cont = [
            p
            for (n, _), p in parts.items()
            if info is not None
            and n == info.jump_to
            and p["info"] is not None
            and p["info"].jump_from == number
        ]
        if cont:  # (the continuation's page may not be in the issue)
            art["text"] += cont[0]["text"]
            art["pages"] = [number, info.jump_to]
        out.append(art)
    return out


def score(pages: list[synth.TruthPage], classified: bool) -> tuple[list, list, list]:
    """(truth articles, drafts, truth articles not recovered exactly or titled wrong)."""
    drafts = assemble_articles([truth_layout(p, classified) for p in pages])
    by_text: dict[str, list] = {}
    for d in drafts:
        by_text.setdefault(norm(d.text), []).append(d)
    truth = truth_articles(pages)
    wrong = []
    for t in truth:
        found = by_text.get(t["text"], [])
        if not any(norm(d.title) == t["title"] and d.pages == t["pages"] for d in found):
            wrong.append((t["title"], t["pages"], [(d.title, d.pages) for d in found]))
    return truth, drafts, wrong


@pytest.fixture(scope="module")
def masonry_issues() -> list[list[synth.TruthPage]]:
    """Three issues with jumps to later pages, jump phrasings, shortened or smaller
    continued titles and ads in the gaps (small pages: geometry is what matters)."""
    return [
        synth.render_issue(pages=4, seed=seed, jumps="varied", ad_slots=0.3, **SMALL)
        for seed in (2003, 2011, 2013)
    ]


@pytest.mark.parametrize("classified", [True, False], ids=["classified", "unclassified"])
def test_masonry_issues_assemble_exactly(masonry_issues, classified):
    for pages in masonry_issues:
        truth, drafts, wrong = score(pages, classified)
        assert not wrong, wrong
        assert len(drafts) == len(truth)


def test_jumped_articles_are_joined_once(masonry_issues):
    for pages in masonry_issues:
        jumped = [t for t in truth_articles(pages) if len(t["pages"]) > 1]
        assert jumped
        drafts = assemble_articles([truth_layout(p, False) for p in pages])
        for t in jumped:
            (d,) = [d for d in drafts if norm(d.text) == t["text"]]
            assert d.pages == t["pages"] and d.parts == 2 and len(d.jump_lines) == 2


def test_sample_issue_jump_and_reading_order():
    """The sample issue's own layout (no plan): page 1's last article continues on page
    2; lines come headline first, then the columns left to right."""
    pages = synth.render_issue(pages=2, seed=11, columns=3, **SMALL)
    truth, drafts, wrong = score(pages, classified=False)
    assert not wrong
    jumped = [d for d in drafts if d.pages == [1, 2]]
    assert len(jumped) == 1
    ids = {f"p{p.number}l{i}": ln for p in pages for i, ln in enumerate(p.lines)}
    for d in drafts:
        kinds = [ids[i].kind for i in d.lines]
        assert kinds[0] == "headline" and "jump" not in kinds
        body = [ids[i] for i in d.lines if ids[i].kind == "body"]
        # Within one page, body lines go column by column, left to right.
        for page in pages:
            here = [ln for ln in body if ln in page.lines]
            cols = [page.blocks[ln.block].column for ln in here]
            assert cols == sorted(cols)


def test_furniture_and_qr_captions_are_no_article():
    pages = synth.render_issue(pages=2, seed=5, qr=1, **SMALL)
    for classified in (True, False):
        drafts = assemble_articles([truth_layout(p, classified) for p in pages])
        ids = {f"p{p.number}l{i}": ln for p in pages for i, ln in enumerate(p.lines)}
        used = [ids[i] for d in drafts for i in d.lines]
        assert not [ln for ln in used if ln.article is None], "furniture in an article"


def test_reviewer_text_flows_into_title_and_text():
    pages = synth.render_issue(pages=1, seed=7, **SMALL)
    layout = truth_layout(pages[0], classified=False)
    (first,) = [d for d in assemble_articles([layout])][:1]
    head = next(ln for ln in layout.lines if ln.id == first.lines[0])
    head.text = "改过的标题"
    (again,) = [d for d in assemble_articles([layout])][:1]
    assert again.title == "改过的标题" and again.text == first.text


def test_all_text_without_regions_still_assembles():
    """No regions at all (a page the layout could not cut): lines alone still make
    articles (columns found from the lines)."""
    page = synth.render_issue(pages=1, seed=2, **SMALL)[0]
    layout = truth_layout(page, classified=False)
    layout.regions = [r for r in layout.regions if r.kind == "rule"]
    for ln in layout.lines:
        ln.region = None
    drafts = assemble_articles([layout])
    truth = truth_articles([page])
    texts = {norm(d.text) for d in drafts}
    assert sum(t["text"] in texts for t in truth) >= 0.8 * len(truth)


def test_empty_and_lineless_pages():
    assert assemble_articles([]) == []
    assert assemble_articles([PageLayout(1, [], [])]) == []


# -- jumps, titles, page numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, direction, page, whole",
    [
        ("（下转第2版）", "out", 2, True),
        ("(下转第2版)", "out", 2, True),
        ("（上接第1版）", "in", 1, True),
        ("(上接第1版", "in", 1, True),
        ("转第3版", "out", 3, True),
        ("（接第3版）", "in", 3, True),
        ("（转2版）", "out", 2, True),
        ("接2版", "in", 2, True),
        ("（下转第十二版）", "out", 12, True),
        ("下转第２版", "out", 2, True),
        ("认真做好每一件事。（下转第4版）", "out", 4, False),
        ("（上接第1版）本报讯 记者", "in", 1, False),
    ],
)
def test_find_jump(text, direction, page, whole):
    j = find_jump(text)
    assert j is not None and (j.direction, j.page, j.whole) == (direction, page, whole)


@pytest.mark.parametrize(
    "text", ["转型升级孕育城市新生机", "接第2版的内容转载", "会议转第二版面讨论问题", "第2版"]
)
def test_no_jump_in_running_text(text):
    assert find_jump(text) is None


def test_strip_jump():
    assert strip_jump("认真做好每一件事。（下转第4版）") == "认真做好每一件事。"
    assert strip_jump("正文") == "正文"


def test_title_similarity():
    assert title_similarity("砥砺奋进正当时", "砥砺奋进正当时") == 1.0
    assert title_similarity("赋能产业转型升级 孕育城市新生机", "赋能产业转型升级") == 1.0
    assert title_similarity("砥砺奋进正当时", "切实增强责任感") == 0.0
    assert title_similarity(None, "x") == 0.0


@pytest.mark.parametrize(
    "printed, flags",
    [
        ([1, 2, 3, 4], []),
        ([None, 2, 3, 4], []),
        ([None, None, None], []),
        ([1, 2, 4], ["missing page 3"]),
        ([3, 4], ["missing page 1", "missing page 2"]),
        ([1, 2, 2, 3], ["duplicate page 2"]),
        ([1, 3, 2, 4], ["pages out of order"]),
        ([None, 2, None, 5], ["missing page 4"]),
        ([None, 3, 4], ["missing page 2"]),
    ],
)
def test_page_flags(printed, flags):
    assert page_flags(printed) == flags


def test_effective_numbers():
    assert effective_numbers([None, 2, None, 4]) == [1, 2, 3, 4]
    assert effective_numbers([None, None]) == [1, 2]


def test_issue_facts_from_the_first_page():
    meta = {"title": "张庙社区晨报", "date": "2021-01-20", "number": 75, "printed_number": 1}
    pages = [PageLayout(2, [], [], printed_number=2), PageLayout(1, [], [], 1, meta=meta)]
    facts = issue_facts(pages)
    assert facts == {
        "title": "张庙社区晨报",
        "date": "2021-01-20",
        "number": 75,
        "flags": [],
    }
    assert issue_facts([PageLayout(1, [], [])])["date"] is None
