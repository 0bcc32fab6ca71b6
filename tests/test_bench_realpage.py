"""The real-page scoring of the article benchmark (bench/realpage.py): block order and
same-article pairs on a made-up page; the ground truth's derived articles when the
OmniDocBench page is on this machine (read in place)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import realpage  # noqa: E402  (bench/realpage.py)


def _blocks() -> list[realpage.Block]:
    spec = [
        (1, "title", (0, 0, 200, 40), 1, "大标题"),
        (2, "text_block", (0, 50, 100, 300), 2, "甲"),
        (3, "title", (0, 305, 100, 315), 3, "小标题"),  # a subhead: thin
        (4, "text_block", (100, 50, 200, 300), 4, "乙"),
        (5, "title", (220, 0, 400, 40), 5, "另一篇"),
        (6, "text_block", (220, 50, 400, 300), 6, "丙"),
        (7, "text_block", (220, 310, 400, 400), 7, "（上接第一版）丁"),
        (8, "header", (0, -20, 100, -10), None, "第2版"),
    ]
    return [realpage.Block(a, c, b, o, t) for a, c, b, o, t in spec]


RELATIONS = [{"source_anno_id": 2, "target_anno_id": 4, "relation_type": "truncated"}]


def test_gt_articles_start_at_main_titles_and_continuations():
    groups = realpage.gt_articles(_blocks(), RELATIONS)
    assert groups == [[1, 2, 3, 4], [5, 6], [7]]


def _lines(assign: dict[str, int]):
    return assign


def test_score_counts_pairs_in_order_and_same_article_pairs():
    blocks = _blocks()
    line_block = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7}
    right = [
        {"lines": ["a", "b", "c", "d"]},
        {"lines": ["e", "f"]},
        {"lines": ["g"]},
    ]
    s = realpage.score(right, line_block, blocks, RELATIONS, True)
    assert (s.pairs, s.successors, s.precision, s.recall) == (1.0, 1.0, 1.0, 1.0)
    assert s.truncated == (1, 1) and s.read == 7 and s.blocks == 7
    merged = [{"lines": ["a", "b", "c", "d", "e", "f", "g"]}]
    s = realpage.score(merged, line_block, blocks, RELATIONS, True)
    assert s.recall == 1.0 and s.precision == 7 / 21  # 7 true pairs of 21
    swapped = [{"lines": ["e", "f"]}, {"lines": ["a", "b", "c", "d"]}, {"lines": ["g"]}]
    s = realpage.score(swapped, line_block, blocks, RELATIONS, True)
    assert s.pairs < 1.0 and s.precision == 1.0


def test_lines_go_to_the_block_holding_their_centre():
    from ocr.model import Box, Line, PageLayout

    b = Box(10, 60, 90, 70)
    far = Box(500, 500, 510, 510)
    page = PageLayout(
        1, [], [Line("x", "字", 1.0, b.poly(), b), Line("y", "字", 1.0, far.poly(), far)]
    )
    got = realpage.block_of_lines(page, _blocks())
    assert got == {"x": 2}


@pytest.mark.skipif(not realpage.available(), reason="OmniDocBench demo page not here")
def test_the_real_pages_articles_hold_its_truncated_relations():
    blocks, relations = realpage.load()
    groups = realpage.gt_articles(blocks, relations)
    article = {a: k for k, g in enumerate(groups) for a in g}
    assert len(groups) == 8
    for r in relations:
        if r["relation_type"] == "truncated":
            assert article[r["source_anno_id"]] == article[r["target_anno_id"]]
