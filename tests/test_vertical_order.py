"""Reading order of pages set in vertical lines (``ocr.text.vertical``): a constructed
traditional page (``tests/vertical_page.py``) on its exact line boxes, shuffled, and
(slow) through the whole pipeline; pages set horizontally are left as they were."""

from __future__ import annotations

import random

import pytest
from metrics import edit_distance, normalize
from PIL import Image
from synth import render_issue
from vertical_page import render_vertical_page

from ocr.model import Box, Line, PageJob
from ocr.text import reading_order, vertical_order, vertical_page


def _line(n: int, text: str, box) -> Line:
    b = Box(*box)
    return Line(f"l{n}", text, 0.99, b.poly(), b)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_vertical_page_reads_band_by_band_right_to_left_headlines_first(seed):
    page = render_vertical_page(seed)
    lines = [_line(n, t, b) for n, (t, b) in enumerate(zip(page.pieces, page.boxes, strict=True))]
    assert vertical_page(lines)
    shuffled = lines[:]
    random.Random(seed).shuffle(shuffled)
    rules = [Box(*r) for r in page.rules if r[3] - r[1] > r[2] - r[0]]
    got = [ln.id for ln in vertical_order(shuffled, rules)]
    assert got == [ln.id for ln in lines]
    # Without the vertical rule between the two articles of the first band, the band
    # is read tier by tier across both (nothing says where the right article ends).
    across = [ln.id for ln in vertical_order(shuffled)]
    assert across != got and across[:3] == got[:3]


def test_a_block_of_two_tiers_reads_tier_by_tier():
    """Columns of two tiers in one block (a phone photo's layout gives one block): the
    upper tier right to left, then the lower one, not column by column down the page."""
    lines = []
    for tier, top in enumerate((0, 300)):
        for k in range(4):
            x = 400 - 40 * k
            lines.append(_line(len(lines), f"{tier}{k}" * 5, (x, top, x + 26, top + 280)))
    order = [ln.text[:2] for ln in reading_order(lines[::-1])]
    assert order == ["00", "01", "02", "03", "10", "11", "12", "13"]


def test_horizontal_pages_are_not_vertical_pages():
    pages = render_issue(
        pages=2, seed=52, vertical_headlines=1.0, columns=3, width_mm=130, height_mm=170, dpi=100
    )
    for page in pages:
        lines = [_line(n, t.text, t.box) for n, t in enumerate(page.lines)]
        assert any(ln.box.height > 1.5 * ln.box.width for ln in lines)  # vertical headlines
        assert not vertical_page(lines)


@pytest.mark.slow
def test_a_vertical_page_through_the_pipeline(tmp_path, engine):
    """Read whole, the page's text in reading order is the truth's (and its script is
    found to be traditional and kept)."""
    from ocr import pipeline

    pipeline.init_worker(None, 1)
    page = render_vertical_page(0)
    path = tmp_path / "vertical.png"
    Image.fromarray(page.image).save(path)
    # The orientation test runs (most of the page's text stands) and keeps it upright.
    settings = pipeline.settings_for(200, None)
    res = pipeline.process_page(PageJob(str(path), 0, 1, "v", "0" * 64, 200, None, settings))
    assert res.status == "done", res.error
    assert res.geometry.orientation == 0 and res.preparation["orient"]["tested"]
    assert res.preparation["script"]["script"] == "as-read"
    got, want = normalize("".join(ln.text for ln in res.lines)), normalize(page.text)
    assert edit_distance(want, got) <= 0.05 * len(want), got


def test_articles_of_a_vertical_page_read_their_columns_in_order():
    """Each article part of the page (from its exact lines) reads its columns right to
    left, tier by tier: its text is a run of the page's text in reading order."""
    from ocr.articles import assemble_articles
    from ocr.model import Kind, PageLayout, Region
    from ocr.regions import classify_regions

    page = render_vertical_page(0)
    whole = Box(0, 0, *page.image.shape[::-1])
    lines = [
        Line(f"l{n}", t, 0.99, Box(*b).poly(), Box(*b), region="r1")
        for n, (t, b) in enumerate(zip(page.pieces, page.boxes, strict=True))
    ]
    regions = [Region("r1", Kind.TEXT, whole, whole.poly(), order=1)]
    regions += [
        Region(f"r{k + 2}", Kind.RULE, Box(*r), Box(*r).poly(), order=k + 2)
        for k, r in enumerate(page.rules)
    ]
    regions, lines = classify_regions(regions, lines, whole.x1, whole.y1)
    drafts = assemble_articles([PageLayout(1, regions, lines, width=whole.x1, height=whole.y1)])
    long = [d for d in drafts if len(d.text) >= 40]
    assert len(long) >= 3
    for d in long:
        assert d.text.replace("\n", "") in page.text, d.text
