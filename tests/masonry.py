"""A randomized layout grammar for generated newspaper issues that ``tests/synth.py``'s
banded column grid does not make: masonry (skyline) placement, text columns off the
page grid with narrow unruled gutters, headlines side by side, a headline over a photo,
vertical headlines, jumps at the foot of the last column, QR codes and boxed ads in the
gaps, boxed articles, text wrapped around a photo, kickers, subheads, bylines,
crossheads, pull quotes, lead articles, several fonts and continuously varying sizes.

It draws with ``synth``'s primitives (canvas, faces, wrapping rules, photos, QR codes,
scan effects) and gives the same truth: every text line a ``synth.TruthLine`` (exact
text, tight ink box, kind, block, article), blocks of ``synth.BLOCK_KINDS``,
``TruthPage.articles`` with titles and jumps. Lines are appended in reading order, so an
article's text is its non-headline, non-jump lines in order. Line kinds used beyond the
obvious ones: kickers (引题), subheads, crossheads and pull quotes are "subhead";
bylines are "body"; ad texts are "headline" (the slogan) and "body", in "ad" blocks.

The page grid has 3-6 columns. Articles are placed one by one where the skyline is
highest (the free column that ends highest, with the level columns beside it); an
article spans 1 to all grid columns and sets its text in its own columns (as many as it
spans, or one more or fewer with a 3-4 mm gutter and no rule). What is left at the foot
of the columns gets QR codes (framed, with or without a caption), boxed ads, or
nothing.

Type sizes and weights are drawn from continuous ranges (``Grammar``), never from a few
fixed sizes, so that a classifier cut fitted to one of our sizes shows up as a failure:
the body size per issue (``BODY_PT``, 8-12 pt, each page within 4% of it), headlines
1.2-3.5 times body (fitted to their width, no smaller than 1.2), subheads 1.0-1.6 and
kickers 1.0-1.35 (below 0.8 of their headline), vertical headlines 1.25-2.6, photo and
QR captions 0.72-0.98; headlines in a regular face get a stroke of 0-6% of their size,
one weight per issue (from a light headline as thin as body text to a heavy one), bold
faces none; the masthead keeps the old stroke (``MASTHEAD_WEIGHT``). (Before 2026-12-01
headlines started at 1.3, captions were 0.75-0.95, subheads 1.05-1.6, vertical headlines
1.4-2.6, and the stroke was fixed at 1/28 of the size.)

Issue-level facts vary with the seed: the paper (``PAPERS``), the date, the issue
number, the masthead and running-head formats and folio positions. They are on every
page as ``page.issue`` (``{"paper", "date" (ISO), "number", "pages", "seed"}``) and from
:func:`issue_truth`.

Seeds: **7000-7999 are for development and tuning; 9000-9999 are held out**: never
looked at while tuning the pipeline, only for the final benchmark. Everything is a
function of the arguments: same arguments, same pixels (given the same installed
fonts: the faces are drawn from those installed, Noto CJK at least; WenQuanYi Zen Hei,
AR PL UMing and UKai when present).

For a benchmark issue (2-8 pages, 150-300 dpi, page sizes from the seed; scan effects
including show-through)::

    pages = masonry.render_issue(seed=9001, scan=True, **masonry.issue_params(9001))

Keywords of :func:`render_issue` and :func:`render_page` beyond the page's size and
scan effects are :class:`Grammar` fields (chances and ranges), e.g. ``vertical=0.5``
or ``columns=4``. From the command line::

    .venv/bin/python tests/masonry.py --seed 7001 --pages 4 --png-dir /tmp/masonry
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import synth
from PIL import Image
from synth import (
    JUMP_STYLES,
    TruthArticle,
    TruthPage,
    _Canvas,
    _Face,
    _qr_matrix,
    _scan,
    _source,
    _tokens,
    _wrap,
    _wrap_title,
    scan_polys,
)

TUNING_SEEDS = range(7000, 8000)
BODY_PT = (8.0, 12.0)  # the issue's body size, drawn from this range
HELD_OUT_SEEDS = range(9000, 10000)
MASTHEAD_WEIGHT = 1 / 28  # the paper's name keeps one weight (headlines vary by issue)

PAPERS = (
    "张庙社区晨报",
    "宝山社区报",
    "淞南晨报",
    "大场社区报",
    "高境社区晨报",
    "顾村报",
    "友谊社区报",
    "杨行晨报",
)
SECTIONS = ("要闻", "综合新闻", "社区", "民生", "文化", "党建", "专版", "生活")
WEEKDAYS = "一二三四五六日"
CN_DIGITS = "〇一二三四五六七八九"
EXTRA_HEADLINES = (
    "街道简讯",
    "居民议事会",
    "社区新风",
    "营商环境再优化",
    "旧区改造进展",
    "北转型新动能",
    "为民办实事",
    "垃圾分类进小区",
    "志愿服务暖人心",
    "老旧小区焕新颜",
    "家门口的好去处",
    "文明实践在身边",
    "科创园区迎新客",
    "平安社区共建",
    "健康知识进楼组",
)
NAMES = ("王晓明", "李静", "张伟", "陈思远", "刘洋", "赵敏", "周健", "吴佳怡", "孙磊", "郑宇")
QR_CAPTIONS = ("扫码关注", "扫描二维码", "关注公众号", "扫一扫", "扫码看视频", None)
QR_PAYLOADS = (
    "https://example.org/paper",
    "https://example.org/weixin",
    "https://example.org/video/1",
    "https://example.org/survey",
)
AD_TEXTS = (
    ("不忘初心同创文明城", "继续前行共筑宝山梦"),
    ("垃圾分类", "就是新时尚"),
    ("社区食堂开业啦", "每日11:00-13:00", "地址：共和新路3088号"),
    ("招聘启事", "社区服务中心招聘工作人员", "咨询电话：56781234"),
    ("文明养犬", "从我做起"),
    ("关爱老人", "传递温暖", "爱心热线：12345"),
    ("创建全国文明城区", "人人参与 人人共享"),
    ("节约用水", "珍惜每一滴水"),
    ("防范电信诈骗", "不听 不信 不转账"),
)
_SENTENCE = re.compile(r"[^。！？]+[。！？]”?")
_NO_START = set("，。、；：！？）》」』”’〕】…·%,.;:!?)]}")
_NO_END = set("（《「『“‘〔【([{")


@dataclass
class Grammar:
    """Chances and ranges of the layout grammar (each may be overridden by keyword)."""

    columns: tuple[int, int] | int = (3, 6)  # page grid columns (a range or one)
    leading: tuple[float, float] = (1.35, 1.75)  # line pitch / body size
    # Type sizes over the issue's body size, each drawn afresh from its range (no
    # discrete sizes: a classifier cut fitted to a size of ours falls inside a range):
    head_scale: tuple[float, float] = (1.2, 3.5)  # headlines (fitted down to head_floor)
    head_floor: float = 1.2  # the smallest a headline is shrunk to, to fit its width
    caption_size: tuple[float, float] = (0.72, 0.98)  # photo and QR captions
    subhead_size: tuple[float, float] = (1.0, 1.6)  # subheads (below 0.8 of the headline)
    kicker_size: tuple[float, float] = (1.0, 1.35)  # kickers over the headline
    vertical_size: tuple[float, float] = (1.25, 2.6)  # vertical headlines
    # Weight of headlines in a regular (not bold) face: a stroke of up to this share of
    # the size, drawn per issue (0: a light headline, as thin as body text).
    head_weight: tuple[float, float] = (0.0, 0.06)
    off_grid: float = 0.45  # an article's text columns do not follow the grid
    vertical: float = 0.12  # vertical headline
    photo_top: float = 0.25  # headline over a photo over the text
    photo_wrap: float = 0.15  # text wrapped around a photo
    boxed: float = 0.1
    kicker: float = 0.1
    subhead: float = 0.3
    byline: float = 0.3
    crosshead: float = 0.2
    pullquote: float = 0.2
    head_side: float = 0.12  # a headline over the first text columns, text beside it
    column_rules: float = 0.3  # rules between the text columns of an on-grid article
    end_rule: float = 0.5  # a short rule under an article
    side_rules: float = 0.4  # vertical rules between neighbouring articles
    lead: float = 0.35  # a lead article across the page (page 1: more often)
    gap_qr: float = 0.45  # a gap at the foot of columns gets QR codes
    gap_ad: float = 0.45  # ... or a boxed ad


# ---------------------------------------------------------------------------- issue


@dataclass
class IssueStyle:
    """What one issue keeps on every page: the paper, date, number, fonts, formats."""

    seed: int
    pages: int
    paper: str
    date: dt.date
    number: int
    date_format: int
    head_format: int
    foot_format: int
    fonts: dict[str, str]
    body_pt: float
    head_weight: float = 1 / 28  # stroke of headlines in a regular face, over their size
    jumps: list[dict] = field(default_factory=list)

    def date_text(self) -> str:
        d = self.date
        if self.date_format == 2:
            y = "".join(CN_DIGITS[int(c)] for c in str(d.year))
            return f"{y}年{_cn_num(d.month)}月{_cn_num(d.day)}日"
        text = f"{d.year}年{d.month}月{d.day}日"
        if self.date_format == 1:
            text += f" 星期{WEEKDAYS[d.weekday()]}"
        return text

    def truth(self) -> dict:
        return {
            "paper": self.paper,
            "date": self.date.isoformat(),
            "number": self.number,
            "pages": self.pages,
            "seed": self.seed,
        }


def _cn_num(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def _font_roles(rng: random.Random) -> dict[str, str]:
    """Body, headline, sans and kai font files among those installed (Noto CJK at
    least; WenQuanYi Zen Hei, AR PL UMing and UKai when present)."""
    files = synth.fonts()

    def find(*names: str) -> list[str]:
        return [p for n in names for p in files if n.lower() in os.path.basename(p).lower()]

    body = find("NotoSerifCJK-Regular", "NotoSansCJK-Regular", "uming", "wqy-zenhei")
    head = find("NotoSansCJK-Bold", "NotoSerifCJK-Bold", "NotoSansCJK-Black", "wqy-zenhei")
    head += find("ukai")[:1]
    sans = find("NotoSansCJK-Regular", "wqy-zenhei") or body
    kai = find("ukai") or sans
    fallback = files[0]
    body = body or [fallback]
    return {
        "body": rng.choices(body, [3] + [1.5] * (len(body) - 1))[0],
        "head": rng.choice(head or body),
        "head2": rng.choice(head or body),
        "sans": rng.choice(sans),
        "kai": kai[0],
    }


def issue_style(
    pages: int, seed: int, body_pt: float | None = None, jumps: bool | str = True
) -> IssueStyle:
    """The issue's paper, date, number, formats, fonts, body size and jump plan
    (none when ``jumps`` is false; any true value, e.g. synth's "varied", plans some)."""
    rng = random.Random(f"masonry:{seed}:issue")
    date = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365))
    style = IssueStyle(
        seed=seed,
        pages=pages,
        paper=rng.choice(PAPERS),
        date=date,
        number=rng.randint(1, 480),
        date_format=rng.choice((0, 1, 1, 2)),
        head_format=rng.randrange(4),
        foot_format=rng.randrange(4),
        fonts=_font_roles(rng),
        body_pt=body_pt if body_pt is not None else rng.uniform(*BODY_PT),
    )
    style.head_weight = rng.uniform(*Grammar.head_weight)  # drawn last: the rest unchanged
    style.jumps = jump_plan(pages, seed) if jumps and pages > 1 else []
    return style


def issue_truth(pages: int, seed: int) -> dict:
    """The issue-level truth: ``{"paper", "date" (ISO), "number", "pages", "seed"}``."""
    return issue_style(pages, seed).truth()


def jump_plan(pages: int, seed: int) -> list[dict]:
    """Jumps of an issue: ``{"from", "to", "out", "in", "title", "printed"}``, always to
    a later page (not always the next), printed in one of ``synth.JUMP_STYLES``; up to
    one jump out and one in per page; one jump in a 2-page issue, up to four in 8."""
    rng = random.Random(f"masonry:{seed}:jumps")
    titles = _titles(seed)
    n = min(pages - 1, rng.randint(1, max(1, pages // 2)))
    plan: list[dict] = []
    sent: set[int] = set()
    got: set[int] = set()
    for _ in range(n):
        froms = [p for p in range(1, pages) if p not in sent]
        rng.shuffle(froms)
        for frm in froms:
            tos = [p for p in range(frm + 1, pages + 1) if p not in got]
            if tos:
                break
        else:
            break
        to = rng.choice(tos)
        sent.add(frm)
        got.add(to)
        out, inn = rng.choice(JUMP_STYLES)
        title = titles[len(plan)]
        printed = title
        if rng.random() < 0.35:  # a shorter title on the continuation
            words = title.split()
            printed = words[0] if len(words) > 1 else title[: max(4, (len(title) + 1) // 2)]
        plan.append(
            {
                "from": frm,
                "to": to,
                "out": out.format(to=to),
                "in": inn.format(frm=frm),
                "title": title,
                "printed": printed,
            }
        )
    return plan


def _titles(seed: int) -> list[str]:
    """The issue's headline pool, shuffled: the seed text's titles and clauses, a few of
    our own, and two-part titles made of two clauses."""
    src = _source(None)
    rng = random.Random(f"masonry:{seed}:titles")
    pool = list(dict.fromkeys(src.headlines + list(EXTRA_HEADLINES) + src.clauses))
    pairs = [c for c in src.clauses if 6 <= len(c) <= 9]
    for _ in range(12):
        a, b = rng.sample(pairs, 2)
        pool.append(f"{a} {b}")
    pool += [s for s in src.subheads if len(s) <= 18][:10]
    rng.shuffle(pool)
    return list(dict.fromkeys(pool))


# ---------------------------------------------------------------------------- page


@dataclass
class _Page:
    cv: _Canvas
    rng: random.Random
    g: Grammar
    style: IssueStyle
    number: int
    ppmm: float
    body_px: float
    pitch: float
    grid: list[tuple[float, float]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    sentences: list[str] = field(default_factory=list)
    truth: dict[int, TruthArticle] = field(default_factory=dict)
    carry: dict[int, list] = field(default_factory=dict)
    faces: dict[tuple[str, float], _Face] = field(default_factory=dict)
    articles: int = 0

    def face(self, role: str, px: float, weight: float | None = None) -> _Face:
        """A face of the issue's ``role`` font ("body", "head", "head2", "sans", "kai",
        "bold": the headline font at text sizes); non-bold headline fonts get a stroke of
        ``weight`` (the issue's headline weight unless given) times the size."""
        weight = self.style.head_weight if weight is None else weight
        key = (role, round(px * 4) / 4, weight)
        if key not in self.faces:
            path = self.style.fonts["head" if role == "bold" else role]
            stroke = 0
            if role in ("head", "head2", "bold") and not synth._is_bold(path):
                stroke = round(px * weight)
            self.faces[key] = _Face(path, px, stroke)
        return self.faces[key]

    def mm(self, v: float) -> float:
        return v * self.ppmm

    def title(self) -> str:
        """A title not used yet in the issue (two clauses once the pool runs out)."""
        pool = [t for t in self.titles if t not in self.used]
        clauses = _source(None).clauses
        while not pool:
            t = " ".join(self.rng.sample(clauses, 2))
            pool = [t] if t not in self.used else []
        self.used.add(pool[0])
        return pool[0]

    def paragraph(self) -> str:
        k = self.rng.randint(2, 6)
        return "".join(self.rng.choice(self.sentences) for _ in range(k))

    def grid_column(self, x: float) -> int:
        return min(range(len(self.grid)), key=lambda c: abs(self.grid[c][0] - x))


def _sentences() -> list[str]:
    out = []
    for para in _source(None).paragraphs:
        out += [m.group(0) for m in _SENTENCE.finditer(para)]
    return [s for s in out if len(s) >= 8 and s[0] not in _NO_START]


# ---------------------------------------------------------------------------- drawing
# A plan is a list of ops drawn only once the whole article fits:
# ("group", block kind, article, column, [line specs]); ("photo", box); ("rule", box).
# A line spec is ("h", tokens, face, x, top, kind, width,
# align) or ("v", chars, face, cx, top, advance, kind).


def _draw(pg: _Page, plan: list, art: int | None) -> None:
    cv = pg.cv
    for op in plan:
        if op[0] == "group":
            _, kind, article, column, specs = op
            bi = cv.block(kind, article, column)
            for s in specs:
                if s[0] == "h":
                    _, toks, face, x, top, lk, width, align = s
                    cv.text(
                        toks,
                        face,
                        x,
                        top,
                        kind=lk,
                        block=bi,
                        article=article,
                        width=width,
                        align=align,
                    )
                else:
                    _, chars, face, cx, top, adv, lk = s
                    cv.vtext(chars, face, cx, top, adv, kind=lk, block=bi, article=article)
            cv.close(bi)
        elif op[0] == "photo":
            cv.photo(op[1], art, pg.grid_column(op[1][0]), pg.rng)
        elif op[0] == "rule":
            cv.rule(*op[1])


def _frame(pg: _Page, box: tuple[float, float, float, float], t: float) -> None:
    x0, y0, x1, y1 = box
    for r in (
        (x0, y0, x1, y0 + t),
        (x0, y1 - t, x1, y1),
        (x0, y0, x0 + t, y1),
        (x1 - t, y0, x1, y1),
    ):
        pg.cv.rule(*r)


def _hline(toks, face, x, top, kind, width=None, align="left") -> tuple:
    if isinstance(toks, str):
        toks = _tokens(toks)
    return ("h", toks, face, x, top, kind, width, align)


def _fit_face(
    pg: _Page, role: str, px: float, text: str, width: float, lines: int, floor: float
) -> tuple[_Face, list[str]] | None:
    """The biggest face of ``role`` from ``px`` down to ``floor`` that sets ``text`` in
    at most ``lines`` lines of ``width``; None if none does."""
    while True:
        face = pg.face(role, px)
        parts = _wrap_title(text, face, width, lines)
        if parts:
            return face, parts
        if px <= floor:
            return None
        px = max(floor, px * 0.92)


# ---------------------------------------------------------------------------- flow


@dataclass
class _Slot:
    col: int  # text column of the article
    top: float
    x0: float
    x1: float


@dataclass
class _Set:
    slot: _Slot
    spec: tuple  # a line spec for _draw
    role: str  # "body" (body and jump lines), "cross", "quote"
    item: int = -1  # index of the paragraph item (body lines)
    start: int = 0  # token range of the paragraph on this line
    end: int = 0


def _slots(cols, top: float, rows: int, pitch: float, em: float, obstacles, min_w: float):
    """Line slots, column by column: each row of each text column at the same heights,
    the widest part of it that no obstacle covers (if at least ``min_w`` wide)."""
    out = []
    for c, (a, b) in enumerate(cols):
        for r in range(rows):
            t = top + r * pitch
            free = [(a, b)]
            for ox0, oy0, ox1, oy1 in obstacles:
                if oy0 < t + em * 1.15 and oy1 > t - em * 0.15:
                    free = [
                        part
                        for fa, fb in free
                        for part in ((fa, min(fb, ox0)), (max(fa, ox1), fb))
                        if part[1] - part[0] > 0
                    ]
            best = max(free, key=lambda p: p[1] - p[0], default=None)
            if best and best[1] - best[0] >= min_w:
                out.append(_Slot(c, t, float(best[0]), float(best[1])))
    return out


def _take(toks: list[str], i: int, face: _Face, width: float) -> int:
    """The end of the line that starts at token ``i``: greedy, no line starting with
    closing punctuation or ending with an opening one."""
    j, w = i, 0.0
    while j < len(toks) and w + face.width(toks[j]) <= width + 0.01:
        w += face.width(toks[j])
        j += 1
    if j >= len(toks):
        return len(toks)
    if j == i:
        return i + 1
    k = j
    while k > i + 1 and j - k < 3 and (toks[k] in _NO_START or toks[k - 1] in _NO_END):
        k -= 1
    return k


def _split_long(toks: list[str], face: _Face, width: float) -> list[str]:
    out = []
    for t in toks:
        out += list(t) if len(t) > 1 and face.width(t) > width * 0.6 else [t]
    return out


def _flow(pg: _Page, slots: list[_Slot], items: list[tuple], limit: int, face: _Face):
    """Set ``items`` into ``slots[:limit]``: ("p", text, indent) paragraphs, ("x", text)
    crossheads, ("q", text) pull quotes, ("j", text) a jump line. Returns the lines set
    and the items left over (the rest of a paragraph first), [] when all fit."""
    out: list[_Set] = []
    s, pending = 0, None  # a pull quote that did not fit where it was waits a paragraph
    for idx, item in enumerate(items):
        if item[0] in "xqj":
            t = _special(pg, slots, s, limit, item, face, out)
            pending = item if t == s and item[0] == "q" else pending
            s = t
            continue
        toks = _split_long(_tokens(item[1]), face, 4 * face.px)
        i, first = 0, item[2]
        while i < len(toks) and toks[i] == " ":
            i += 1
        while i < len(toks):
            if s >= limit:
                return out, [("p", "".join(toks[i:]), False)] + items[idx + 1 :]
            sl = slots[s]
            ind = 2 * face.px if first else 0.0
            j = _take(toks, i, face, sl.x1 - sl.x0 - ind)
            line = toks[i:j]
            while line and line[-1] == " ":
                line = line[:-1]
            align = "left" if j >= len(toks) else "justify"
            spec = _hline(line, face, sl.x0 + ind, sl.top, "body", sl.x1 - sl.x0 - ind, align)
            out.append(_Set(sl, spec, "body", idx, i, j))
            i, first, s = j, False, s + 1
            while i < len(toks) and toks[i] == " ":
                i += 1
        if pending is not None and idx + 1 < len(items):
            t = _special(pg, slots, s, limit, pending, face, out)
            pending, s = (None, t) if t != s else (pending, s)
    return out, []


def _special(pg: _Page, slots, s: int, limit: int, item: tuple, face: _Face, out) -> int:
    """Set a crosshead, a pull quote or a jump line at slot ``s``; return the next slot
    (``s`` when it is left out: no room, or a crosshead at the foot of a column)."""
    if s >= limit:
        return s
    sl = slots[s]
    width = sl.x1 - sl.x0
    if item[0] == "j":
        f = face
        if f.measure(item[1]) > width:
            f = pg.face("body", face.px * width / f.measure(item[1]) * 0.97)
        out.append(_Set(sl, _hline(item[1], f, sl.x0, sl.top, "jump", width, "right"), "body"))
        return s + 1
    if item[0] == "x":
        nxt = slots[s + 1] if s + 1 < limit else None
        bold = pg.face("bold", face.px)
        if nxt is None or nxt.col != sl.col or bold.measure(item[1]) > width:
            return s
        align = item[2]
        out.append(_Set(sl, _hline(item[1], bold, sl.x0, sl.top, "subhead", width, align), "cross"))
        return s + 1
    return _quote(pg, slots, s, limit, item, face, out)


def _quote(pg: _Page, slots, s: int, limit: int, item: tuple, face: _Face, out) -> int:
    """A pull quote: a larger, indented quote over several rows of one column, between
    two short rules (``item``: "q", text, font role, size and indent in body sizes, and
    whether it may end a column)."""
    _, text, role, size, indent, at_foot = item
    sl = slots[s]
    ind = face.px * indent
    width = sl.x1 - sl.x0 - 2 * ind
    got = _fit_face(
        pg,
        role,
        face.px * size,
        text,
        width,
        4,
        face.px * 1.15,
    )
    if got is None:
        return s
    qf, parts = got
    qpitch = qf.px * 1.3 + 2 * qf.stroke + 1
    need = len(parts) * qpitch + face.px * 1.2
    m = math.ceil((need - face.px) / pg.pitch) + 1
    run = slots[s : s + m]
    if s + m > limit or any(r.col != sl.col or (r.x0, r.x1) != (sl.x0, sl.x1) for r in run):
        return s
    if s + m < limit and slots[s + m].col != sl.col and not at_foot:
        return s
    y0, y1 = sl.top, run[-1].top + face.px
    top = (y0 + y1) / 2 - len(parts) * qpitch / 2 + qf.px * 0.12
    rule_t = max(1.0, pg.mm(0.25))
    rx0, rx1 = sl.x0 + ind, sl.x1 - ind
    out.append(_Set(sl, ("rule", (rx0, y0, rx1, y0 + rule_t)), "rule"))
    for k, p in enumerate(parts):
        spec = _hline(p, qf, rx0, top + k * qpitch, "subhead", width, "center")
        out.append(_Set(sl, spec, "quote"))
    out.append(_Set(sl, ("rule", (rx0, y1 - rule_t, rx1, y1)), "rule"))
    return s + m


def _sentence_cut(pg: _Page, placed: list[_Set], items: list[tuple], face: _Face):
    """The items up to the last sentence end among the lines set (None if none)."""
    for st in reversed(placed):
        if st.role != "body" or st.item < 0:
            continue
        item = items[st.item]
        toks = _split_long(_tokens(item[1]), face, 4 * face.px)
        for e in range(st.end, st.start, -1):
            t = toks[e - 1]
            if t in "。！？" or (t == "”" and e >= 2 and toks[e - 2] in "。！？"):
                return items[: st.item] + [("p", "".join(toks[:e]), item[2])]
    for st in reversed(placed):  # no sentence end: a clause end made a full stop
        if st.role == "body" and st.item >= 0:
            item = items[st.item]
            toks = _split_long(_tokens(item[1]), face, 4 * face.px)
            for e in range(st.end, max(st.start, 1), -1):
                if toks[e - 1] in "，；、" and toks[e - 2] not in _NO_END:
                    return items[: st.item] + [("p", "".join(toks[: e - 1]) + "。", item[2])]
    return None


def _set_text(pg: _Page, cols, top: float, rows: int, obstacles, items, face, jump_out):
    """Set the body: with ``jump_out`` (a jump line) fill every slot of ``rows`` rows,
    the jump line last, and return the text left over; else cut at a sentence end and
    use as few rows as the text needs (columns balanced)."""
    min_w = 5 * face.px

    def slots_of(r: int):
        return _slots(cols, top, r, pg.pitch, face.px, obstacles, min_w)

    slots = slots_of(rows)
    if len(slots) < 3:
        return None
    if jump_out is not None:
        placed, left = _flow(pg, slots, items, len(slots) - 1, face)
        while not left:  # not enough text: more paragraphs
            items = items + [("p", pg.paragraph(), True)]
            placed, left = _flow(pg, slots, items, len(slots) - 1, face)
        _special(pg, slots, len(slots) - 1, len(slots), ("j", jump_out), face, placed)
        return placed, left
    placed, left = _flow(pg, slots, items, len(slots), face)
    if left:
        items = _sentence_cut(pg, placed, items, face)
        if items is None:
            return None
    lo, hi = 1, rows
    while lo < hi:
        mid = (lo + hi) // 2
        s = slots_of(mid)
        if s and not _flow(pg, s, items, len(s), face)[1]:
            hi = mid
        else:
            lo = mid + 1
    slots = slots_of(lo)
    placed, left = _flow(pg, slots, items, len(slots), face)
    if left:
        slots = slots_of(rows)
        placed, left = _flow(pg, slots, items, len(slots), face)
    return placed, []


def _body_groups(pg: _Page, placed: list[_Set], art: int) -> list:
    """Ops for the lines set: one text block per run of lines of one role in one slot
    range of one column (a wrap around a photo starts a new block)."""
    ops: list = []
    key = None
    for st in placed:
        if st.spec[0] == "rule":
            ops.append(st.spec)
            key = None
            continue
        k = (st.role, st.slot.col, st.slot.x0, st.slot.x1)
        if st.role == "quote":
            k = (id(st.slot),)
        if k != key:
            ops.append(("group", "text", art, pg.grid_column(st.slot.x0), []))
            key = k
        ops[-1][4].append(st.spec)
    return ops


# ---------------------------------------------------------------------------- article


@dataclass
class _Spec:
    title: str  # the article's title
    printed: str  # as printed here
    head_scale: float
    align: str
    ncols: int
    gutter: float
    vertical: str | None = None
    photo: str | None = None
    boxed: bool = False
    kicker: bool = False
    subhead: bool = False
    byline: bool = False
    crosshead: bool = False
    pullquote: bool = False
    end_rule: bool = False
    jump_out: dict | None = None
    jump_in: dict | None = None
    jump_under: bool = False
    head_side: bool = False  # the header over the first text columns only


def _header(pg: _Page, sp: _Spec, x0: float, x1: float, y: float, art: int):
    """Kicker, headline, subhead, byline (and a continuation's jump line) across the
    article; returns (ops, y below them), None if the headline does not fit."""
    rng, w, body = pg.rng, x1 - x0, pg.body_px
    ops: list = []
    floor = body * pg.g.head_floor
    px = max(floor, min(body * sp.head_scale, w / 4))
    role = "head" if rng.random() < 0.75 else "head2"
    want = rng.choice((1, 1, 2, 2, 3))  # lines, if the size need not drop by a third
    got = (
        _fit_face(pg, role, px, sp.printed, w, want, max(floor, px * 0.67))
        or _fit_face(pg, role, px, sp.printed, w, 3, floor)
        or _fit_face(pg, role, floor, sp.printed, w, 6, floor)
    )
    if got is None:
        return None
    face, parts = got
    small = face.px * 0.8  # kickers and subheads stay smaller than the headline
    if sp.kicker:
        want = (
            rng.choice(("sans", "kai")),
            min(small, body * rng.uniform(*pg.g.kicker_size)),
            _clause(pg),
        )
        y = _display(pg, ops, want, "subhead", 1, (x0, x1, y), sp.align, art)
    specs = []
    for p in parts:
        specs.append(_hline(p, face, x0, y, "headline", w, sp.align))
        y += face.px * rng.uniform(1.15, 1.3) + 2 * face.stroke + 1
    ops.append(("group", "text", art, pg.grid_column(x0), specs))
    pg.truth[art].title = " ".join(parts)
    y += body * 0.15
    if sp.subhead:
        sub = [s for s in _source(None).subheads if s not in pg.used] or [_clause(pg)]
        px = min(small, body * rng.uniform(*pg.g.subhead_size))
        want = (rng.choice(("sans", "kai", "bold")), px, rng.choice(sub))
        y = _display(pg, ops, want, "subhead", 2, (x0, x1, y), sp.align, art)
    if sp.byline:
        want = (rng.choice(("kai", "sans")), body * rng.uniform(0.85, 1.0), _byline(pg))
        y = _display(pg, ops, want, "body", 1, (x0, x1, y), rng.choice(("left", sp.align)), art)
    if sp.jump_in and sp.jump_under:
        want = ("body", body, sp.jump_in["in"])
        y1 = _display(pg, ops, want, "jump", 1, (x0, x1, y), rng.choice(("left", "right")), art)
        sp.jump_under = y1 > y  # else it goes at the head of the text
        y = y1
    return ops, y + pg.pitch * rng.uniform(0.25, 0.6)


def _display(
    pg: _Page,
    ops: list,
    want: tuple[str, float, str],
    kind: str,
    lines: int,
    at: tuple[float, float, float],
    align: str,
    art: int,
) -> float:
    """A block of one to ``lines`` lines of ``want`` = (font role, size, text), shrunk
    to fit (or left out), at ``at`` = (x0, x1, top); returns the y below it."""
    role, px, text = want
    x0, x1, y = at
    got = _fit_face(pg, role, px, text, x1 - x0, lines, min(px, pg.body_px * 0.95))
    if got is None:
        return y
    face, parts = got
    specs = []
    for p in parts:
        specs.append(_hline(p, face, x0, y, kind, x1 - x0, align))
        y += face.px * pg.rng.uniform(1.2, 1.35) + 2 * face.stroke + 1
    ops.append(("group", "text", art, pg.grid_column(x0), specs))
    return y


def _clause(pg: _Page) -> str:
    return pg.rng.choice(_source(None).clauses)


def _byline(pg: _Page) -> str:
    a, b = pg.rng.sample(NAMES, 2)
    return pg.rng.choice(
        (f"本报记者 {a}", f"通讯员 {a} 记者 {b}", f"记者 {a} 报道", f"文/{a} 图/{b}")
    )


def _vertical(pg: _Page, sp: _Spec, x0: float, x1: float, y0: float, y1: float, art: int):
    """A headline set top to bottom at the article's right (or left) edge; returns
    (ops, obstacle) or None when it does not fit."""
    rng, body = pg.rng, pg.body_px
    words = ["".join(ch for ch in w if "\u4e00" <= ch <= "\u9fff") for w in sp.printed.split()]
    words = [w for w in words if w]
    if not words:
        return None
    lo = pg.g.vertical_size[0]
    px = body * rng.uniform(*pg.g.vertical_size)
    room = (y1 - y0) * 0.85
    while True:
        adv = px * 1.06
        chars = "".join(words)
        if len(words) > 1 and all(len(w) * adv <= room for w in words):
            pieces = words
        elif len(chars) * adv <= room:
            pieces = [chars]
        else:
            n = math.ceil(len(chars) / 2)
            pieces = [chars[:n], chars[n:]]
        strip = (len(pieces) - 1) * px * 1.3 + px
        gap = 0.4 * px + body
        fits = max(len(p) for p in pieces) * adv <= room and (x1 - x0) - strip - gap >= 6 * body
        if fits and len(pieces) <= 3:
            break
        if px <= body * lo:
            return None
        px = max(body * lo, px * 0.9)
    face = pg.face(rng.choice(("head", "head2")), px)
    right = sp.vertical == "right"
    sx1 = x1 if right else x0 + strip
    specs = [
        ("v", p, face, sx1 - px / 2 - i * px * 1.3, y0, adv, "headline")
        for i, p in enumerate(pieces)
    ]
    ops = [("group", "text", art, pg.grid_column(sx1 - strip), specs)]
    truth = pg.truth[art]
    truth.title = " ".join(pieces)
    if "".join(pieces) != sp.title.replace(" ", "") and not (sp.jump_in or sp.jump_out):
        truth.full_title = " ".join(words)  # punctuation left out
    h = max(len(p) for p in pieces) * adv
    obstacle = (sx1 - strip - gap, y0 - 1, sx1 + gap, y0 + h + body * 0.6)
    return ops, obstacle


def _caption(pg: _Page, x0: float, x1: float, y: float, art: int):
    """A caption under a photo (``Grammar.caption_size`` of the body size, one or two
    lines)."""
    rng = pg.rng
    size = rng.uniform(*pg.g.caption_size)
    face = pg.face(rng.choice(("sans", "kai", "body")), pg.body_px * size)
    text = rng.choice(("图为", "图：", "")) + _clause(pg) + rng.choice(("", "现场", "。"))
    lines = _wrap(text, face, x1 - x0)[:2]
    align = rng.choice(("left", "left", "center"))
    specs = []
    for ln in lines:
        specs.append(_hline(ln.tokens, face, x0, y, "caption", x1 - x0, align))
        y += face.px * 1.3
    return ("group", "text", art, pg.grid_column(x0), specs), y


def _photo_top(pg: _Page, cols, y: float, y1: float, art: int):
    """A photo under the headline across the article (or some of its text columns),
    its caption under it; returns (ops, obstacle) or None."""
    rng, k = pg.rng, len(cols)
    a, b = 0, k - 1
    if k > 1 and rng.random() < 0.4:
        j = rng.randint(max(1, k // 2), k - 1)
        a, b = (0, j - 1) if rng.random() < 0.5 else (k - j, k - 1)
    px0, px1 = cols[a][0], cols[b][1]
    h = min((px1 - px0) * rng.uniform(0.42, 0.72), (y1 - y) * 0.45)
    if h < pg.mm(12):
        return None
    box = (round(px0), round(y), round(px1), round(y + h))
    cap, cy = _caption(pg, px0, px1, box[3] + pg.body_px * 0.3, art)
    return [("photo", box), cap], (px0 - 1, y - 1, px1 + 1, cy + pg.pitch * 0.3)


def _photo_wrap(pg: _Page, cols, top: float, rows: int, art: int):
    """A photo inside the text, the lines beside it shorter: at one side of a column or
    across the gutter between two; returns (ops, obstacle) or None."""
    rng, em = pg.rng, pg.body_px
    c = rng.randrange(len(cols))
    cw = cols[c][1] - cols[c][0]
    if c + 1 < len(cols) and rng.random() < 0.5:
        mid = (cols[c][1] + cols[c + 1][0]) / 2
        w = cw * rng.uniform(0.7, 1.0)
        px0, px1 = mid - w / 2, mid + w / 2
    else:
        w = cw * rng.uniform(0.45, 0.6)
        if cw - w - em < 5 * em:
            return None
        px0 = cols[c][0] if rng.random() < 0.5 else cols[c][1] - w
        px1 = px0 + w
    r0 = rng.randint(1, 3)
    y = top + (r0 - 1) * pg.pitch + em * 1.3
    h = min(w * rng.uniform(0.6, 0.9), (rows - r0 - 3) * pg.pitch)
    if h < pg.mm(10):
        return None
    box = (round(px0), round(y), round(px1), round(y + h))
    cap, cy = _caption(pg, px0, px1, box[3] + em * 0.3, art)
    pad = em * 0.6
    return [("photo", box), cap], (px0 - pad, y, px1 + pad, cy + em * 0.3)


def _text_columns(pg: _Page, sp: _Spec, x0: float, x1: float, c0: int, span: int, boxed):
    """The article's text columns: the grid's own, or ``sp.ncols`` equal columns with
    the article's (narrow, unruled) gutter; at least 7 and at most 30 characters wide."""
    if sp.ncols == span and not boxed:
        return pg.grid[c0 : c0 + span]
    k = sp.ncols
    while k > 1 and (x1 - x0 - (k - 1) * sp.gutter) / k < 7 * pg.body_px:
        k -= 1
    while (x1 - x0 - (k - 1) * sp.gutter) / k > 30 * pg.body_px:
        k += 1
    w = (x1 - x0 - (k - 1) * sp.gutter) / k
    return [
        (float(round(x0 + i * (w + sp.gutter))), float(round(x0 + i * (w + sp.gutter) + w)))
        for i in range(k)
    ]


def _items(pg: _Page, sp: _Spec, chars: float) -> list[tuple]:
    """The article's text: paragraphs (about ``chars`` characters, or the text carried
    from a jump), a crosshead and a pull quote now and then."""
    rng = pg.rng
    items: list[tuple] = []
    if sp.jump_in and not sp.jump_under:
        items.append(("j", sp.jump_in["in"]))
    carried = pg.carry.get(sp.jump_in["to"]) if sp.jump_in else None
    paras = list(carried or [])
    n = sum(len(p[1]) for p in paras)
    while n < chars * 1.15 or not paras:
        paras.append(("p", pg.paragraph(), True))
        n += len(paras[-1][1])
    for k, p in enumerate(paras):
        if k and sp.crosshead and rng.random() < 0.35:
            items.append(("x", _clause(pg), rng.choice(("left", "center"))))
        items.append(p)
        if k == 0 and sp.pullquote:
            quotes = [m.group(0) for m in _SENTENCE.finditer(p[1]) if 8 <= len(m.group(0)) <= 24]
            quotes = quotes or [c for c in re.split("[，；。]", p[1]) if 8 <= len(c) <= 16]
            if quotes:
                role = rng.choice(("kai", "head2"))
                size, indent = rng.uniform(1.15, 1.5), rng.uniform(0.5, 1.2)
                items.append(("q", rng.choice(quotes), role, size, indent, rng.random() < 0.5))
    return items


def _article(
    pg: _Page, sp: _Spec, c0: int, span: int, y0: float, y_target: float, y_max: float
) -> float | None:
    """Lay out one article in grid columns c0.. between y0 and at most y_max, aiming
    at y_target; draw it and return its bottom (None, nothing drawn, if it cannot)."""
    rng, body = pg.rng, pg.body_px
    x0, x1 = pg.grid[c0][0], pg.grid[c0 + span - 1][1]
    art = pg.articles
    pg.truth[art] = TruthArticle(
        art,
        sp.printed,
        sp.title,
        jump_to=sp.jump_out["to"] if sp.jump_out else None,
        jump_from=sp.jump_in["from"] if sp.jump_in else None,
    )
    pad = pg.mm(rng.uniform(2.0, 3.5)) if sp.boxed else 0.0
    ix0, ix1, iy0, iy1 = x0 + pad, x1 - pad, y0 + pad, y_max - pad
    cols = _text_columns(pg, sp, ix0, ix1, c0, span, sp.boxed)
    got = _article_head(pg, sp, cols, iy0, min(iy1, y_target), art)
    if got is None:
        return None
    ops, obstacles, top = got
    if sp.photo == "top":
        got = _photo_top(pg, cols, top, min(iy1, y_target), art)
        if got:
            ops += got[0]
            obstacles.append(got[1])
    rows_max = int((iy1 - top - body) // pg.pitch) + 1
    covered = max((ob[3] - top for ob in obstacles), default=0.0)
    min_rows = int(max(0.0, covered) // pg.pitch) + 3
    rows = min(rows_max, max(min_rows, int((y_target - pad - top - body) // pg.pitch) + 1))
    if rows < min_rows:
        return None
    if sp.photo == "wrap":
        below = max([top] + [ob[3] for ob in obstacles])  # under a side headline
        got = _photo_wrap(pg, cols, below, rows - int((below - top) // pg.pitch), art)
        if got:
            ops += got[0]
            obstacles.append(got[1])
    face = pg.face("body", body)
    chars = sum(b - a for a, b in cols) / body * rows
    jump = sp.jump_out["out"] if sp.jump_out else None
    got = _set_text(pg, cols, top, rows, obstacles, _items(pg, sp, chars), face, jump)
    if got is None:
        return None
    placed, left = got
    if sp.jump_out:
        pg.carry[sp.jump_out["to"]] = left[: rng.randint(2, 4)]
    if sp.jump_in:
        pg.carry.pop(sp.jump_in["to"], None)
    _draw(pg, ops + _body_groups(pg, placed, art), art)
    if cols == pg.grid[c0 : c0 + span] and rng.random() < pg.g.column_rules:
        _column_rules(pg, art, cols)
    pg.articles += 1
    return _close_article(pg, sp, art, x0, x1, y0, pad)


def _article_head(pg: _Page, sp: _Spec, cols, y0: float, y1: float, art: int):
    """The headline: vertical (an obstacle at the side of the text, which starts at the
    top), horizontal over the first few text columns (an obstacle: the others start
    at the top beside it) or across the article. Returns (ops, obstacles, top of the
    text), None if none fits."""
    x0, x1 = cols[0][0], cols[-1][1]
    if sp.vertical:
        got = _vertical(pg, sp, x0, x1, y0, y1, art)
        if got is not None:
            return got[0], [got[1]], y0
        sp.vertical = None
    if sp.head_side and len(cols) >= 3:
        j = pg.rng.randint((len(cols) + 1) // 2, len(cols) - 1)
        got = _header(pg, sp, x0, cols[j - 1][1], y0, art)
        if got is not None:
            gap = (cols[j][0] - cols[j - 1][1]) / 2
            return got[0], [(x0 - 1, y0 - 1, cols[j - 1][1] + gap, got[1])], y0
    got = _header(pg, sp, x0, x1, y0, art)
    if got is None:
        return None
    return got[0], [], got[1]


def _column_rules(pg: _Page, art: int, cols) -> None:
    """Rules in the gutters between an article's text columns, where both sides have
    text and nothing crosses the gutter."""
    t = max(1.0, pg.mm(0.2))
    lines = [ln for ln in pg.cv.lines if ln.article == art and ln.kind != "headline"]
    solid = [ln.box for ln in pg.cv.lines] + [
        b.box for b in pg.cv.blocks if b.kind in ("photo", "qr", "rule")
    ]
    for (a0, a1), (b0, b1) in zip(cols, cols[1:]):
        left = [ln.box for ln in lines if ln.box[0] >= a0 - 1 and ln.box[2] <= a1 + 1]
        right = [ln.box for ln in lines if ln.box[0] >= b0 - 1 and ln.box[2] <= b1 + 1]
        if not left or not right:
            continue
        y0 = max(min(b[1] for b in left), min(b[1] for b in right))
        y1 = max(max(b[3] for b in left), max(b[3] for b in right))
        x = (a1 + b0 - t) / 2
        box = (x - 1, y0, x + t + 1, y1)
        if not any(
            min(box[2], o[2]) > max(box[0], o[0]) and min(box[3], o[3]) > max(box[1], o[1])
            for o in solid
        ):
            pg.cv.rule(x, y0, x + t, y1)


def _close_article(pg: _Page, sp: _Spec, art: int, x0, x1, y0, pad) -> float:
    """The frame of a boxed article, the short rule under it; returns its bottom."""
    rng, cv = pg.rng, pg.cv
    bottom = max(ln.box[3] for ln in cv.lines if ln.article == art)
    for b in cv.blocks:
        if b.kind == "photo" and b.article == art:
            bottom = max(bottom, b.box[3])
    t = max(1.0, pg.mm(rng.uniform(0.15, 0.4)))
    if sp.boxed:
        bottom += pad
        _frame(pg, (x0, y0, x1, bottom), t)
    elif sp.end_rule:
        y = bottom + pg.pitch * rng.uniform(0.35, 0.7)
        w = (x1 - x0) * rng.choice((rng.uniform(0.12, 0.35), 1.0))
        a = rng.choice((x0, (x0 + x1 - w) / 2))
        pg.cv.rule(a, y, a + w, y + t)
        bottom = y + t
    return bottom


# ---------------------------------------------------------------------------- page layout


def _spec(pg: _Page, span: int, lead: bool, jump_out, jump_in) -> _Spec:
    rng, g = pg.rng, pg.g
    gutter = pg.grid[1][0] - pg.grid[0][1] if len(pg.grid) > 1 else pg.mm(4)
    ncols = span
    if span > 1 and rng.random() < g.off_grid:
        ncols = span + rng.choice((-1, 1)) if span > 2 else rng.choice((1, 3))
        gutter = pg.mm(rng.uniform(3.0, 4.0))
    title = jump_out["title"] if jump_out else jump_in["title"] if jump_in else pg.title()
    printed = jump_in["printed"] if jump_in else title
    scale = rng.uniform(*g.head_scale)
    if lead:
        scale = rng.uniform(2.4, g.head_scale[1])
    if jump_in:
        scale = rng.uniform(1.2, 1.8)
    photo = None
    r = rng.random()
    if r < g.photo_top:
        photo = "top"
    elif r < g.photo_top + g.photo_wrap:
        photo = "wrap"
    sp = _Spec(
        title=title,
        printed=printed,
        head_scale=scale,
        align=rng.choice(("left", "left", "center")),
        ncols=ncols,
        gutter=gutter,
        vertical=rng.choice(("right", "right", "left")) if rng.random() < g.vertical else None,
        photo=photo,
        boxed=rng.random() < g.boxed and not jump_in,
        kicker=rng.random() < g.kicker,
        subhead=rng.random() < g.subhead,
        byline=rng.random() < g.byline,
        crosshead=rng.random() < g.crosshead,
        pullquote=rng.random() < g.pullquote,
        end_rule=rng.random() < g.end_rule,
        jump_out=jump_out,
        jump_in=jump_in,
        jump_under=rng.random() < 0.5,
        head_side=rng.random() < g.head_side,
    )
    if jump_in or lead:
        sp.vertical = None
    if sp.vertical:
        sp.photo = None
    if sp.head_side and sp.photo == "top":
        sp.photo = "wrap"
    return sp


def _run(pg: _Page, sky: list[float], open_: list[bool], c: int, tol: float) -> list[int]:
    """The open columns level with column ``c`` (within ``tol``) next to it."""
    a = b = c
    while a > 0 and open_[a - 1] and sky[a - 1] <= sky[c] + tol:
        a -= 1
    while b + 1 < len(sky) and open_[b + 1] and sky[b + 1] <= sky[c] + tol:
        b += 1
    return list(range(a, b + 1))


def _place(pg: _Page, top: float, bottom: float) -> list[float]:
    """Place articles on the skyline until no column has room; return where each
    column's last article ends (its gap, if any, is below)."""
    rng, n = pg.rng, len(pg.grid)
    sky, open_ = [top] * n, [True] * n
    plan = pg.style.jumps
    jump_out = next((j for j in plan if j["from"] == pg.number), None)
    jump_in = next((j for j in plan if j["to"] == pg.number), None)
    out_at, in_at = rng.randint(0, 2), rng.randint(0, 1)
    min_h = pg.body_px * 2 + pg.pitch * 4
    vgap = pg.pitch * rng.uniform(0.9, 1.6)
    lead_p = pg.g.lead * (1.5 if pg.number == 1 else 1.0)
    for _ in range(80):
        if not any(open_):
            break
        c = min((j for j in range(n) if open_[j]), key=lambda j: (sky[j], j))
        run = _run(pg, sky, open_, c, pg.pitch * 2.5)
        lead = pg.articles == 0 and len(run) == n and n > 2 and rng.random() < lead_p
        s = n if lead else _span(rng, len(run), n)
        a0 = rng.randint(max(run[0], c - s + 1), min(c, run[-1] - s + 1))
        y0 = max(sky[a0 : a0 + s])
        avail = bottom - y0
        if avail < min_h:
            open_[c] = False
            continue
        jo = jump_out if jump_out and pg.articles >= out_at else None
        ji = jump_in if jump_in and pg.articles >= in_at and not jo else None
        sp = _spec(pg, s, lead, jo, ji)
        y_t = _target(pg, rng, y0, avail, min_h, s, lead)
        end = _article(pg, sp, a0, s, y0, y_t, bottom)
        if end is None:
            if not (jo or ji):
                pg.used.discard(sp.title)
            if s == 1:
                open_[c] = False
            continue
        jump_out = None if jo else jump_out
        jump_in = None if ji else jump_in
        for j in range(a0, a0 + s):
            sky[j] = end + vgap
        _side_rules(pg, a0, s, y0, end)
    return sky


def _span(rng: random.Random, room: int, n: int) -> int:
    choices = list(range(1, min(room, n) + 1))
    weights = [(3, 4, 3, 2, 1, 1)[k - 1] for k in choices]
    return rng.choices(choices, weights)[0]


def _target(pg: _Page, rng, y0: float, avail: float, min_h: float, s: int, lead: bool) -> float:
    """Where an article should end: a share of the room left, all of it when what
    would be left is small (sometimes leaving that small gap for a QR code or an ad)."""
    if lead:
        return y0 + avail * rng.uniform(0.22, 0.4)
    h = avail * (rng.uniform(0.3, 0.8) if s == 1 else rng.uniform(0.22, 0.6))
    h = max(h, min_h)
    if avail - h < min_h * 1.2 and rng.random() < 0.6:
        h = avail
    return y0 + h


def _side_rules(pg: _Page, a0: int, s: int, y0: float, y1: float) -> None:
    """Sometimes a vertical rule in the gutter on each side of an article."""
    t = max(1.0, pg.mm(0.2))
    for g in (a0 - 1, a0 + s - 1):
        if 0 <= g < len(pg.grid) - 1 and pg.rng.random() < pg.g.side_rules:
            x = (pg.grid[g][1] + pg.grid[g + 1][0] - t) / 2
            pg.cv.rule(x, y0, x + t, y1)


# ---------------------------------------------------------------------------- gaps


def _fill_gaps(pg: _Page, sky: list[float], bottom: float) -> None:
    """QR codes, boxed ads (one or a few, stacked) or nothing in what is left at the
    foot of the columns."""
    rng, n = pg.rng, len(pg.grid)
    c = 0
    while c < n:
        run = [c]
        while run[-1] + 1 < n and abs(sky[run[-1] + 1] - sky[c]) < pg.pitch * 3:
            run.append(run[-1] + 1)
        c = run[-1] + 1
        y = max(sky[j] for j in run)
        for _ in range(4):
            if bottom - y < pg.mm(16) or (bottom - y < pg.mm(40) and rng.random() < 0.15):
                break
            if rng.random() < pg.g.gap_qr / (pg.g.gap_qr + pg.g.gap_ad):
                end = max(_qr_box(pg, pg.grid[j][0], pg.grid[j][1], y, bottom) for j in run)
            else:
                k = rng.randint(1, len(run))
                a = rng.randint(0, len(run) - k)
                x0, x1 = pg.grid[run[a]][0], pg.grid[run[a + k - 1]][1]
                h = min(bottom - y, pg.mm(rng.uniform(18, 45)), (x1 - x0) * 1.2)
                end = _ad(pg, x0, x1, y, y + h)
            y = max(end, y) + pg.pitch * rng.uniform(0.8, 2.0)


def _qr_box(pg: _Page, x0: float, x1: float, y0: float, y1: float) -> float:
    """A QR code (sometimes framed, sometimes captioned) at the top of a gap; returns
    its bottom (``y0`` if none fits)."""
    rng, cv = pg.rng, pg.cv
    caption = rng.choice(QR_CAPTIONS)
    face = pg.face(rng.choice(("sans", "body")), pg.body_px * rng.uniform(*pg.g.caption_size))
    if caption and face.measure(caption) > (x1 - x0) * 0.9:
        caption = None
    pad = pg.mm(rng.uniform(2, 4)) if rng.random() < 0.6 else 0.0
    cap_h = face.px * 1.5 if caption else 0.0
    size = min(
        (x1 - x0) * rng.uniform(0.4, 0.7),
        pg.mm(rng.uniform(14, 24)),
        y1 - y0 - 2 * pad - cap_h - pg.mm(2),
    )
    payload = rng.choice(QR_PAYLOADS)
    matrix = _qr_matrix(payload)
    if matrix is None or size < 2 * matrix.shape[0]:
        return y0
    side = (size // matrix.shape[0]) * matrix.shape[0]
    fw = min(x1 - x0, max(side, face.measure(caption) if caption else 0.0) + 2 * pad)
    fx0 = x0 + ((x1 - x0) - fw) * rng.choice((0.0, 0.5, 0.5))
    qy = y0 + pad
    got = cv.qr(fx0 + (fw - side) / 2, qy, side, payload, pg.grid_column(x0))
    if not got:
        return y0
    bottom = qy + got
    if caption:
        bi = cv.block("text", None, pg.grid_column(x0))
        cv.text(
            caption,
            face,
            fx0,
            bottom + face.px * 0.3,
            kind="caption",
            block=bi,
            article=None,
            width=fw,
            align="center",
        )
        cv.close(bi)
        bottom += cap_h
    if pad:
        bottom += pad
        _frame(pg, (fx0, y0, fx0 + fw, bottom), max(1.0, pg.mm(0.25)))
    return bottom


def _ad(pg: _Page, x0: float, x1: float, y0: float, y1: float) -> float:
    """A boxed ad: a frame, a big line and smaller ones, centred or to the left;
    returns its bottom."""
    rng, cv = pg.rng, pg.cv
    texts = rng.choice(AD_TEXTS)
    t = max(2, round(pg.mm(rng.uniform(0.3, 0.8))))
    bi = cv.block("ad", None, pg.grid_column(x0))
    x0, y0, x1, y1 = (round(v) for v in (x0, y0, x1, y1))
    cv.blocks[bi].box = (float(x0), float(y0), float(x1), float(y1))
    for r in (
        (x0, y0, x1, y0 + t),
        (x0, y1 - t, x1, y1),
        (x0, y0, x0 + t, y1),
        (x1 - t, y0, x1, y1),
    ):
        cv.img[r[1] : r[3], r[0] : r[2]] = 0
    w, h = (x1 - x0) * 0.86, (y1 - y0) * 0.8
    big = min(h / 2.2, pg.body_px * rng.uniform(1.4, 2.6))
    align = rng.choice(("center", "center", "left"))
    for _ in range(20):
        sizes = [big] + [big * rng.uniform(0.5, 0.7)] * (len(texts) - 1)
        faces = [pg.face("head" if i == 0 else "sans", px) for i, px in enumerate(sizes)]
        if (
            all(f.measure(s) <= w for f, s in zip(faces, texts, strict=True))
            and sum(f.px * 1.35 for f in faces) <= h
        ):
            break
        big *= 0.9
    else:
        return float(y1)
    top = (y0 + y1) / 2 - sum(f.px * 1.35 for f in faces) / 2 + faces[0].px * 0.1
    for i, (f, s) in enumerate(zip(faces, texts, strict=True)):
        cv.text(
            s,
            f,
            x0 + (x1 - x0 - w) / 2,
            top,
            kind="headline" if i == 0 else "body",
            block=bi,
            article=None,
            width=w,
            align=align,
        )
        top += f.px * 1.35
    return float(y1)


# ---------------------------------------------------------------------------- furniture


def _masthead(pg: _Page, x0: float, x1: float, y0: float) -> float:
    """Page 1: the paper's name in big type (left or centred, sometimes letter-spaced),
    the date, issue number and publisher beside it or under it, sometimes a QR code;
    one or two rules under it. Returns where the articles may start."""
    rng, cv, st = pg.rng, pg.cv, pg.style
    mh = pg.mm(rng.uniform(20, 36))
    info = pg.face(rng.choice(("body", "sans")), pg.body_px * rng.uniform(0.85, 1.05))
    lines = [st.date_text(), f"第{st.number}期"]
    if rng.random() < 0.5:
        lines[1] = f"本期{st.pages}版 " + lines[1]
    if rng.random() < 0.6:
        lines.append(
            rng.choice(("街道党工委 办事处 主办", "社区新闻中心 编印", "内部资料 免费交流"))
        )
    right = x1
    if rng.random() < 0.5:
        right -= _masthead_qr(pg, x1, y0, mh) + pg.mm(4)
    style = ("beside", "centred", "under")[st.head_format % 3]
    zone = max(info.measure(t) for t in lines) if style == "beside" else 0.0
    ratio = rng.uniform(0.15, 0.5) if rng.random() < 0.4 else 0.0  # letter spacing
    n = len(st.paper)
    px = min(mh * rng.uniform(0.55, 0.8), (right - x0 - zone) * 0.8 / (n + ratio * (n - 1)))
    name = pg.face(rng.choice(("head", "head2")), px, MASTHEAD_WEIGHT)
    space = px * ratio if ratio else None
    toks = list(" ".join(st.paper)) if space else list(st.paper)
    width = name.measure(st.paper) + (space or 0) * (len(st.paper) - 1)
    bi = cv.block("masthead", None, None)
    nx = x0 + (right - x0 - width) / 2 if style == "centred" else x0
    cv.text(toks, name, nx, y0, kind="masthead", block=bi, article=None, space=space)
    cv.close(bi)
    _masthead_info(pg, info, lines, style, (x0, right, y0, cv.blocks[bi].box[3]))
    y = max(b.box[3] for b in cv.blocks) + pg.mm(2)
    t = pg.mm(rng.uniform(0.3, 0.9))
    cv.rule(x0, y, x1, y + t)
    if rng.random() < 0.5:
        cv.rule(x0, y + t + pg.mm(0.7), x1, y + t + pg.mm(0.7) + max(1.0, pg.mm(0.2)))
        y += pg.mm(1.0)
    return y + t + pg.pitch


def _masthead_info(pg: _Page, info: _Face, lines: list[str], style: str, at: tuple) -> None:
    """The date, issue number and publisher: stacked at the right of the name
    ("beside"), or the first two in one row under it (centred or to the left)."""
    x0, right, y0, name_bottom = at
    cv = pg.cv
    bi = cv.block("masthead", None, None)
    if style == "beside":
        zone = max(info.measure(t) for t in lines)
        y = max(y0, y0 + (name_bottom - y0 - len(lines) * info.px * 1.45) / 2)
        for t in lines:
            cv.text(
                t,
                info,
                right - zone,
                y,
                kind="masthead",
                block=bi,
                article=None,
                width=zone,
                align="right",
            )
            y += info.px * 1.45
    else:
        align = "center" if style == "centred" else "left"
        row = "  ".join(lines[:2])
        cv.text(
            row,
            info,
            x0,
            name_bottom + info.px * 0.6,
            kind="masthead",
            block=bi,
            article=None,
            width=right - x0,
            align=align,
        )
    cv.close(bi)


def _masthead_qr(pg: _Page, x1: float, y0: float, mh: float) -> float:
    """A QR code with its caption at the masthead's right; returns the width used."""
    cap = pg.face("sans", pg.body_px * 0.8)
    text = pg.rng.choice(("扫码关注", "扫描二维码"))
    size = min(mh * 0.7, pg.mm(22))
    slot = max(size, cap.measure(text))
    side = pg.cv.qr(x1 - slot + (slot - size) / 2, y0, size, QR_PAYLOADS[0], None)
    if not side:
        return 0.0
    bi = pg.cv.block("text", None, None)
    pg.cv.text(
        text,
        cap,
        x1 - slot,
        y0 + side + cap.px * 0.3,
        kind="caption",
        block=bi,
        article=None,
        width=slot,
        align="center",
    )
    pg.cv.close(bi)
    return slot


def _running_head(pg: _Page, x0: float, x1: float, y0: float) -> float:
    """Pages 2 on: the running head in one of four formats; returns where text may start."""
    st, n, rng = pg.style, pg.number, pg.rng
    face = pg.face("sans", pg.body_px * rng.uniform(0.8, 1.0))
    section = SECTIONS[(st.seed + n) % len(SECTIONS)]
    odd = n % 2 == 1
    fmt = st.head_format
    if fmt == 0:
        parts = [(f"{st.paper}  {st.date_text()}", "left"), (f"第{n}版", "right")]
    elif fmt == 1:
        parts = [(f"{st.date_text()}  {st.paper}  第{n}版", "right" if odd else "left")]
    elif fmt == 2:
        parts = [(f"第{n}版  {section}", "left"), (f"{st.paper}  {st.date_text()}", "right")]
    else:
        parts = [(f"第{n}版", "left"), (section, "center"), (st.date_text(), "right")]
        if odd:
            parts = [(f"第{n}版", "right"), (section, "center"), (st.date_text(), "left")]
    for text, align in parts:
        bi = pg.cv.block("folio", None, None)
        pg.cv.text(
            text, face, x0, y0, kind="folio", block=bi, article=None, width=x1 - x0, align=align
        )
        pg.cv.close(bi)
    y = y0 + face.px * 1.4
    t = max(1.0, pg.mm(rng.uniform(0.2, 0.6)))
    pg.cv.rule(x0, y, x1, y + t)
    return y + t + pg.pitch * 0.8


def _foot(pg: _Page, x0: float, x1: float, y1: float) -> float:
    """The folio at the foot (none on page 1, or in format 3); returns the bottom of the
    text area."""
    fmt = pg.style.foot_format
    if pg.number == 1 or fmt == 3:
        return y1
    n = pg.number
    face = pg.face("sans", pg.body_px * 0.85)
    side = "right" if n % 2 else "left"
    text = ((f"- {n} -", "center"), (str(n), side), (f"第{n}版", side))[fmt]
    top = y1 - face.px
    bi = pg.cv.block("folio", None, None)
    pg.cv.text(
        text[0], face, x0, top, kind="folio", block=bi, article=None, width=x1 - x0, align=text[1]
    )
    pg.cv.close(bi)
    return top - pg.pitch


# ---------------------------------------------------------------------------- API


def _grid(pg: _Page, x0: float, x1: float) -> list[tuple[float, float]]:
    cols = pg.g.columns
    n = cols if isinstance(cols, int) else pg.rng.randint(*cols)
    gutter = pg.mm(pg.rng.uniform(3.5, 6.0))
    w = (x1 - x0 - (n - 1) * gutter) / n
    return [
        (float(round(x0 + i * (w + gutter))), float(round(x0 + i * (w + gutter) + w)))
        for i in range(n)
    ]


def render_page(
    *,
    number: int = 1,
    pages: int = 4,
    seed: int = 7000,
    dpi: int = 200,
    width_mm: float = 250,
    height_mm: float = 350,
    style: IssueStyle | None = None,
    carry: dict | None = None,
    skew_degrees: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    color: bool = False,
    back: np.ndarray | None = None,
    show_through: float = 0.0,
    **grammar,
) -> TruthPage:
    """Render page ``number`` of a ``pages``-page issue (see the module docstring).

    ``style`` is the issue's (:func:`issue_style`, made from ``pages`` and ``seed`` when
    None); ``carry`` is what pages pass on: the text that jumped articles carry to
    later pages (filled by the jumping page, read by the continuation) and the titles
    used so far; :func:`render_issue` passes one (a continuation rendered alone gets
    fresh text). Scan effects as in ``synth.render_page``, plus ``show_through``: the
    upright page ``back`` (the other side of the sheet) seen through the paper, mirrored
    and faint (0.05-0.15 is realistic; never darker than 255 * (1 - show_through)).
    Other keywords override :class:`Grammar` fields.
    """
    style = style or issue_style(pages, seed)
    pg = _layout(style, number, dpi, width_mm, height_mm, skew_degrees, carry, grammar)
    if back is not None and show_through > 0:
        _show_through(pg.cv.img, back, show_through, dpi)
    return _finish(pg, skew_degrees, blur, noise, jpeg_quality, color, dpi)


def _layout(style: IssueStyle, number, dpi, width_mm, height_mm, skew, carry, grammar) -> _Page:
    """The upright page drawn with its truth."""
    g = replace(Grammar(), **grammar)
    ppmm = dpi / 25.4
    width, height = round(width_mm * ppmm), round(height_mm * ppmm)
    rng = random.Random(f"masonry:{style.seed}:{number}")
    body_px = style.body_pt * rng.uniform(0.96, 1.04) * dpi / 72
    pg = _Page(
        cv=_Canvas(width, height),
        rng=rng,
        g=g,
        style=style,
        number=number,
        ppmm=ppmm,
        body_px=body_px,
        pitch=body_px * rng.uniform(*g.leading),
        titles=_titles(style.seed),
        sentences=_sentences(),
        carry=carry if carry is not None else {},
    )
    pg.used = pg.carry.setdefault("titles", set())  # the issue's titles used so far
    pg.used.update(j["title"] for j in style.jumps)
    pg.used.update(j["printed"] for j in style.jumps)
    margin = synth._margin_mm(width_mm, height_mm, skew) * ppmm
    x0, x1 = round(margin), width - round(margin)
    y0, y1 = round(margin), height - round(margin)
    pg.grid = _grid(pg, x0, x1)
    top = _masthead(pg, x0, x1, y0) if number == 1 else _running_head(pg, x0, x1, y0)
    bottom = _foot(pg, x0, x1, y1)
    sky = _place(pg, top, bottom)
    _fill_gaps(pg, sky, bottom)
    return pg


def _show_through(img: np.ndarray, back: np.ndarray, strength: float, dpi: int) -> None:
    """Darken ``img`` in place by the mirrored, blurred ``back`` at ``strength``."""
    h, w = img.shape
    mirrored = np.full((h, w), 255, np.uint8)
    bh, bw = min(h, back.shape[0]), min(w, back.shape[1])
    mirrored[:bh, :bw] = back[:bh, ::-1][:, :bw]
    faint = cv2.GaussianBlur(mirrored.astype(np.float32), (0, 0), dpi / 120)
    faint = 255 - (255 - faint) * min(max(strength, 0.0), 0.3)
    np.minimum(img, np.clip(faint + 0.5, 0, 255).astype(np.uint8), out=img)


def _finish(pg: _Page, skew, blur, noise, jpeg_quality, color, dpi) -> TruthPage:
    cv = pg.cv
    height, width = cv.img.shape
    synth._drop_empty_blocks(cv)
    image = _scan(
        cv.img,
        skew=skew,
        blur=blur,
        noise=noise,
        jpeg_quality=jpeg_quality,
        color=color,
        seed=f"masonry:{pg.style.seed}:{pg.number}:scan",
    )
    scan_polys(cv.lines, width, height, skew)
    page = TruthPage(image, cv.lines, cv.blocks, float(skew), dpi, len(pg.grid), pg.number)
    used = {ln.article for ln in cv.lines}
    page.articles = [a for i, a in sorted(pg.truth.items()) if i in used]
    page.issue = pg.style.truth()
    page.grid = list(pg.grid)  # the page's column grid (x ranges), for tests
    page.pitch = pg.pitch  # the body's line pitch in pixels
    return page


def render_issue(
    pages: int = 4,
    *,
    seed: int = 7000,
    dpi: int = 200,
    width_mm: float = 250,
    height_mm: float = 350,
    scan: bool = False,
    **kw,
) -> list[TruthPage]:
    """Render a whole issue (pages in order, so jumped text continues where it left
    off). ``scan=True`` draws per-page scan effects from the seed: skew within +-1.5
    degrees, blur, noise, JPEG, sometimes colour, and from page 2 on, sometimes, the
    previous page showing through the paper; effects given as keywords apply to every
    page. ``body_pt`` sets the issue's body size, ``jumps=False`` leaves out the
    jumps; other keywords are :class:`Grammar` fields."""
    style = issue_style(pages, seed, kw.pop("body_pt", None), kw.pop("jumps", True))
    grammar = {k: v for k, v in kw.items() if k not in _EFFECTS}
    carry: dict = {}
    rng = random.Random(f"masonry:{seed}:scan")
    out, back = [], None
    for n in range(1, pages + 1):
        fx = _scan_effects(rng) if scan else {}
        fx.update({k: v for k, v in kw.items() if k in _EFFECTS})
        skew = fx.pop("skew_degrees", 0.0)
        pg = _layout(style, n, dpi, width_mm, height_mm, skew, carry, grammar)
        upright = pg.cv.img.copy()
        through = fx.pop("show_through", 0.0)
        if back is not None and through > 0:
            _show_through(pg.cv.img, back, through, dpi)
        out.append(_finish(pg, skew, dpi=dpi, **{**_NO_EFFECTS, **fx}))
        back = upright
    return out


_EFFECTS = ("skew_degrees", "blur", "noise", "jpeg_quality", "color", "show_through")
_NO_EFFECTS = {"blur": 0.0, "noise": 0.0, "jpeg_quality": None, "color": False}


def _scan_effects(rng: random.Random) -> dict:
    return {
        "skew_degrees": round(rng.uniform(-1.5, 1.5), 2),
        "blur": round(rng.uniform(0.4, 0.9), 2),
        "noise": round(rng.uniform(1.2, 3.0), 2),
        "jpeg_quality": rng.randint(75, 92),
        "color": rng.random() < 0.3,
        "show_through": rng.choice((0.0, round(rng.uniform(0.04, 0.14), 3))),
    }


def issue_params(seed: int) -> dict:
    """Random issue-level arguments for a benchmark: 2 to 8 pages, 150 to 300 dpi,
    tabloid to broadsheet sizes."""
    rng = random.Random(f"masonry:{seed}:params")
    w = rng.uniform(230, 300)
    return {
        "pages": rng.randint(2, 8),
        "dpi": rng.choice((150, 200, 240, 300)),
        "width_mm": round(w),
        "height_mm": round(w * rng.uniform(1.35, 1.45)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render a masonry-layout issue with truth.")
    parser.add_argument("--seed", type=int, default=7000)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--scan", action="store_true", help="skew, blur, noise, show-through")
    parser.add_argument("--png-dir", help="write each page as PNG here")
    parser.add_argument("--pdf", help="write the pages as one PDF")
    parser.add_argument("--truth", help="truth JSON to write (synth's, plus the issue)")
    args = parser.parse_args(argv)
    pages = render_issue(args.pages, seed=args.seed, dpi=args.dpi, scan=args.scan)
    if args.png_dir:
        out = Path(args.png_dir)
        out.mkdir(parents=True, exist_ok=True)
        for p in pages:
            Image.fromarray(p.image).save(out / f"s{args.seed}-p{p.number}.png")
    if args.pdf:
        synth.save_pdf(pages, args.pdf)
    if args.truth:
        synth.save_truth(pages, args.truth)
        data = json.loads(Path(args.truth).read_text(encoding="utf-8"))
        data.update(generator="tests/masonry.py", issue=pages[0].issue)
        Path(args.truth).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    print(pages[0].issue, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
