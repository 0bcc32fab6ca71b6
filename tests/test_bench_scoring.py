"""The benchmarks' article scoring (one-to-one, bench/scoring.py) and the American
Stories anchor (bench/anchor.py): a run must not score well by emitting many
overlapping articles, and the anchor follows its published rules."""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import anchor  # noqa: E402  (bench/anchor.py)
import scoring  # noqa: E402  (bench/scoring.py)
from metrics import edit_distance  # noqa: E402

from ocr.model import Box, Line, PageLayout, Region  # noqa: E402

SENTENCES = "社区居民积极参与垃圾分类工作环境明显改善今年以来街道共开展志愿服务活动百余场次"


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SENTENCES) for _ in range(n))


def _truth(k: int = 6, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    return [
        {"title": f"标题{i}", "text": _text(rng, rng.randint(150, 400)), "pages": [1 + i % 2]}
        for i in range(k)
    ]


def _score(truth, predicted) -> scoring.Totals:
    return scoring.Totals([scoring.score_issue(truth, predicted)])


def test_distance_is_levenshtein():
    rng = random.Random(3)
    for _ in range(200):
        a = _text(rng, rng.randint(0, 90))
        b = _text(rng, rng.randint(0, 90))
        assert scoring.distance(a, b) == edit_distance(a, b)


def test_assignment_is_optimal():
    rng = random.Random(5)
    for _ in range(60):
        n, m = rng.randint(1, 5), rng.randint(1, 5)
        w = [[rng.choice((0.0, rng.uniform(0, 10))) for _ in range(m)] for _ in range(n)]
        got = scoring.assign(w)
        assert len({j for j in got if j >= 0}) == sum(1 for j in got if j >= 0)
        value = sum(w[i][j] for i, j in enumerate(got) if j >= 0)
        best = 0.0
        for perm in itertools.permutations(range(max(n, m)), n):
            best = max(best, sum(w[i][j] for i, j in enumerate(perm) if j < m and w[i][j] > 0))
        assert abs(value - best) < 1e-9


def test_the_right_answer_scores_perfectly():
    truth = _truth()
    t = _score(truth, [dict(a) for a in truth])
    assert t.cer == 0 and t.whole == 1 and t.titles == 1 and t.extra == 0


def test_repeating_every_article_twice_scores_worse():
    truth = _truth()
    right = _score(truth, [dict(a) for a in truth])
    twice = _score(truth, [dict(a) for a in truth for _ in range(2)])
    assert twice.extra == len(truth)
    assert twice.cer == 1.0  # every copy's characters inserted once more
    assert twice.cer > right.cer


def test_splitting_every_article_in_halves_scores_worse():
    truth = _truth()
    halves = []
    for a in truth:
        k = len(a["text"]) // 2
        halves += [dict(a, text=a["text"][:k]), dict(a, text=a["text"][k:], title=None)]
    t = _score(truth, halves)
    assert t.whole == 0
    # No half is more than half of its article (an odd one's longer half just is): the
    # article is deleted and its halves inserted, or the smaller half counts twice.
    assert t.cer > 0.9 and t.extra >= len(truth)


def test_overlapping_pieces_do_not_add_up():
    """Many overlapping predictions (each article also in thirds and as a pair with its
    neighbour) cannot beat the right answer on any measure."""
    truth = _truth()
    preds = [dict(a) for a in truth]
    for a in truth:
        k = len(a["text"]) // 3
        preds += [dict(a, text=a["text"][i * k : (i + 1) * k]) for i in range(3)]
    for a, b in itertools.pairwise(truth):
        preds.append({"title": a["title"], "text": a["text"] + b["text"], "pages": a["pages"]})
    t = _score(truth, preds)
    right = _score(truth, [dict(a) for a in truth])
    assert t.cer > 1.5 and t.cer > right.cer
    assert t.whole <= right.whole


def test_merged_articles_cost_the_one_left_out():
    truth = _truth(2)
    merged = [{"title": truth[0]["title"], "text": truth[0]["text"] + truth[1]["text"]}]
    merged[0]["pages"] = truth[0]["pages"]
    t = _score(truth, merged)
    a, b = sorted(len(x["text"]) for x in truth)
    # The longer article is matched (the shorter one's text is the edit), the shorter
    # one is left out: its characters count twice, inserted and deleted.
    assert [s.matched for s in t.scored].count(True) == 1
    assert max(t.scored, key=lambda s: s.chars).matched
    assert t.cer == (a + a) / (a + b)


def test_unrelated_text_is_not_matched():
    truth = [{"title": "甲", "text": "一二三四五六七八九十" * 5, "pages": [1]}]
    t = _score(truth, [{"title": "甲", "text": "天地玄黄宇宙洪荒日月" * 5, "pages": [1]}])
    assert not t.scored[0].matched and t.titles == 0 and t.cer == 2.0


def test_a_match_keeps_its_title_and_pages():
    truth = [{"title": "甲", "text": "一二三四五六七八九十" * 5, "pages": [1, 3]}]
    t = _score(truth, [{"title": "甲", "text": "一二三四五六七八九十" * 5, "pages": [1, 3]}])
    assert t.joined == 1 and t.joined_count == 1 and t.jumped == 1
    t = _score(truth, [{"title": "乙", "text": "一二三四五六七八九十" * 5, "pages": [1]}])
    assert t.joined == 0 and t.titles == 0 and t.whole == 1


# ---------------------------------------------------------------------------- anchor

W, H = 1000.0, 1400.0


def _layout(spec: list[tuple[str, str, tuple[float, float, float, float], str]]) -> PageLayout:
    """Regions from ``(id, kind, box, text)``: one line per region, its box the region's."""
    regions, lines = [], []
    for rid, kind, box, text in spec:
        b = Box(*box)
        regions.append(Region(rid, kind, b, b.poly()))
        lines.append(Line(f"{rid}l", text, 1.0, b.poly(), b, region=rid))
    return PageLayout(1, regions, lines, width=W, height=H)


def _groups(arts: list[dict]) -> dict[str | None, list[str]]:
    return {a["title"]: a["regions"] for a in arts}


def test_anchor_headline_takes_the_blocks_below_it_read_x_then_y():
    page = _layout(
        [
            ("k", "headline", (10, 90, 300, 110), "引题"),
            ("h1", "headline", (10, 120, 640, 170), "大标题"),
            ("b3", "body", (330, 180, 640, 600), "三"),
            ("b1", "body", (10, 180, 320, 400), "一"),
            ("b2", "body", (10, 410, 320, 600), "二"),
            ("h2", "headline", (10, 650, 320, 690), "小标题"),
            ("b4", "body", (10, 700, 320, 900), "四"),
            ("far", "body", (700, 1100, 990, 1300), "远"),
            ("ad", "ad", (700, 100, 990, 300), "广告"),
        ]
    )
    arts = anchor.associate(page)
    g = _groups(arts)
    # b2 starts 240 px (> H/10 = 140) below h1: not under it; b4 is h2's.
    assert g["引题大标题"] == ["b1", "b3"]
    assert g["小标题"] == ["b4"]
    untitled = sorted(a["regions"] for a in arts if a["title"] is None)
    assert untitled == [["b2"], ["far"]]  # each an article of its own; the ad in none
    text = {a["title"]: a["text"] for a in arts}
    assert text["引题大标题"] == "一三"


def test_anchor_needs_more_than_one_percent_overlap_and_picks_the_nearest_headline():
    page = _layout(
        [
            ("h1", "headline", (10, 100, 505, 140), "左"),
            ("h2", "headline", (10, 200, 300, 230), "近"),
            ("b1", "body", (498, 150, 900, 400), "边"),  # overlaps h1 by 7 px < 10 px
            ("b2", "body", (10, 240, 300, 500), "下"),  # under h1 and h2: h2 is nearer
        ]
    )
    g = _groups(anchor.associate(page))
    assert g["左近"] == ["b2"]  # h1 got no block: it joins the article under it
    assert g[None] == ["b1"]


def test_anchor_runs_page_by_page():
    page = _layout(
        [("h", "headline", (10, 100, 300, 140), "题"), ("b", "body", (10, 150, 300, 400), "文")]
    )
    page2 = _layout(
        [("h2", "headline", (10, 100, 300, 140), "题"), ("c", "body", (10, 150, 300, 400), "续")]
    )
    page2.number = 2
    arts = anchor.associate_issue([page, page2])
    assert [a["pages"] for a in arts] == [[1], [2]]


def test_a_short_unrelated_text_sharing_common_characters_is_not_matched():
    rng = random.Random(9)
    truth = [{"title": "甲", "text": _text(rng, 300), "pages": [1]}]
    other = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳"
    junk = "".join(rng.choice(other + SENTENCES[:4]) for _ in range(60))
    t = _score(truth, [{"title": None, "text": junk, "pages": [1]}])
    assert not t.scored[0].matched and t.extra == 1


def test_a_page_of_text_matches_no_article_unless_one_is_most_of_it():
    truth = _truth(3)
    page = {"title": None, "text": "".join(a["text"] for a in truth), "pages": [1]}
    t = _score(truth, [page])
    assert not any(s.matched for s in t.scored) and t.cer == 2.0
    big = dict(truth[0], text=truth[0]["text"] * 5)
    page = {"title": None, "text": big["text"] + truth[1]["text"], "pages": [1]}
    t = _score([big, truth[1]], [page])
    assert [s.matched for s in t.scored] == [True, False]
