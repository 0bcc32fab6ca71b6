"""Article assembly: the regions and lines of an issue's pages become articles in
reading order, and the parts of an article continued on a later page are joined.

:func:`assemble_articles` is a pure function (:class:`PageLayout` in, :class:`ArticleDraft`
out); :func:`assemble_issue` reads an issue from the archive, assembles it and writes the
articles back through :mod:`ocr.store`. Boxes are in deskewed pixels (see ``ocr/model.py``):
upright, so "above" and "beside" mean what they say.

How a page is read:

1. Every line gets a role from its region's kind. Lines of unclassified (``text``) regions
   get one from geometry: lines clearly bigger than the page's body text (taller *and* with
   wider characters; any vertical line) are headlines; lines above the page's top rule,
   the band of a huge title at the top, or a running head or page number at the top or
   foot are furniture; the first line snug under a photo is its caption, a short line
   under a QR code is the code's; untitled text in a frame of rules is an ad. Jump lines
   ("（下转第2版）", "（上接第1版）", "转3版"...) are found in the text, whatever the
   region says. A body-size headline right under body text is a crosshead: running text.
2. Headline lines stacked at a similar size (or level columns of a vertical headline)
   form a headline; a clearly smaller one right under it is a subhead, right above it a
   kicker; unclassified rows right under a headline that are bigger than body text, set
   off by a wider gap or wider than the column are subheads too. Body lines are cut into
   column blocks (lines overlapping in x, with no wide gap and nothing between), and
   blocks that follow each other in a column are joined.
3. Each block, photo and caption finds its article by looking straight up: a headline
   there owns it; a photo, caption or block close above passes on its own article. A
   block that meets a rule, another article's text or nothing (or that starts level
   with a vertical headline) is owned by the headline of a block or photo beside it
   whose top is level with its own, or by a vertical headline next to it, if that
   headline is below what the block met: blocks with the fewest choices first, never
   leaving another block without one, then the headline that sits flush left or centred
   over its blocks; a vertical headline keeps its text on one side, with no rule between.
   A short block not set flush left in the page's column grid (a slogan centred in a box)
   takes no neighbour's headline. What is left becomes an untitled article (blocks level
   side by side together).
4. An article's text: subheads, captions, then its body blocks left to right by columns,
   top to bottom within each (an XY-cut that prefers vertical cuts); lines of a paragraph
   are joined, a paragraph starts at an indented line or after a short one. The title is
   the headline, not part of the text. Articles of a page are ordered by an XY-cut of
   their boxes (bands first). Jump lines are left out of lines and text.
5. Jumps: an article ending "下转第N版" is joined to the article on printed page N that
   says "上接第M版" (M: its own page), the best title match if several; without the
   other side's jump line, a clearly similar title on that page will do (continued titles
   are often shorter).
"""

from __future__ import annotations

import difflib
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ocr.model import Box, Line, PageLayout

NOT_TEXT = frozenset({"masthead", "folio", "ad", "qr", "photo", "rule"})  # no article text
ROLES = {"headline": "head", "subhead": "sub", "caption": "caption", "body": "body", "jump": "body"}

# -- jumps ----------------------------------------------------------------------------

_NUM = "0-9０-９一二三四五六七八九十"
_JUMP = re.compile(
    rf"(?P<open>[（(〔【\[<〈《])?\s*(?P<dir>下\s*转|上\s*接|转|接)\s*(?:第\s*)?"
    rf"(?P<num>[{_NUM}]{{1,3}})\s*版\s*(?P<close>[）)〕】\]>〉》])?"
)
_CN = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_TRIM = " \u3000.,，。·:：;；-—_"


@dataclass(frozen=True)
class Jump:
    """A jump phrase in a line: ``direction`` "out" (下转, 转) or "in" (上接, 接), the
    printed ``page`` it points to, its span in the line's text, and whether the line
    holds nothing else (``whole``)."""

    direction: str
    page: int
    start: int
    end: int
    whole: bool


def _number(s: str) -> int | None:
    s = unicodedata.normalize("NFKC", s)
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN.get(tens, 1) * 10 + (_CN.get(ones, 0) if ones else 0)
    if all(c in _CN for c in s):
        return int("".join(str(_CN[c]) for c in s))
    return None


def find_jump(text: str) -> Jump | None:
    """The jump phrase of a line, if it has one: alone on the line (brackets optional),
    or in brackets at the line's start or end ("...工作。（下转第2版）")."""
    for m in _JUMP.finditer(text):
        page = _number(m.group("num"))
        if not page:
            continue
        before, after = text[: m.start()].strip(_TRIM), text[m.end() :].strip(_TRIM)
        whole = not before and not after
        bracketed = bool(m.group("open") or m.group("close"))
        if whole or (bracketed and (not before or not after)):
            direction = "out" if "转" in m.group("dir") else "in"
            return Jump(direction, page, m.start(), m.end(), whole)
    return None


def strip_jump(text: str) -> str:
    """The line's text without its jump phrase."""
    j = find_jump(text)
    if j is None:
        return text
    return (text[: j.start] + text[j.end :]).strip()


# -- data in and out ------------------------------------------------------------------


@dataclass
class ArticleDraft:
    """An assembled article. ``lines``: its line ids in reading order (headline first,
    continued headlines where they stand, no jump lines); ``text`` the text in reading
    order without headlines and jump lines; ``pages`` page positions; ``jump_lines`` the
    jump lines it holds (kept out of ``lines``); ``regions`` the regions it covers."""

    title: str | None
    text: str
    pages: list[int]
    lines: list[str]
    jump_lines: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    parts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "text": self.text,
            "pages": self.pages,
            "lines": self.lines,
            "jump_lines": self.jump_lines,
            "regions": self.regions,
            "parts": self.parts,
        }


# -- geometry helpers -------------------------------------------------------------------


def _units(text: str) -> float:
    """Text length in ems: a CJK or full-width character is 1, anything else about half."""
    n = 0.0
    for ch in text:
        if ch.isspace():
            continue
        n += 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55
    return n


def _vertical(line: Line) -> bool:
    return line.box.height > 1.5 * line.box.width and _units(line.text) >= 2


_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union


def _join(a: str, b: str) -> str:
    """Join two pieces of a line or two lines of a paragraph: no space in CJK text."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


@dataclass
class _Stats:
    height: float  # typical body line height
    advance: float  # typical body character advance (box width per em of text)


def _stats(lines: list[Line]) -> _Stats:
    hs, adv = [], []
    for ln in lines:
        u = _units(ln.text)
        if u >= 4 and not _vertical(ln) and ln.box.height > 0:
            hs.append(ln.box.height)
            adv.append(ln.box.width / u)
    if not hs:
        hs = [ln.box.height for ln in lines if ln.box.height > 0] or [20.0]
        adv = hs
    return _Stats(statistics.median(hs), statistics.median(adv))


def _display(line: Line, st: _Stats) -> bool:
    """Clearly bigger than body text: a headline (taller and wider characters)."""
    u = _units(line.text)
    if u < 1.5:
        return False
    if _vertical(line):  # in a paper set horizontally, vertical lines are headlines
        return line.box.width >= 1.1 * st.height and line.box.height / u >= st.advance
    adv = line.box.width / u
    tall = 1.25 if u >= 3 else 1.4
    return line.box.height >= tall * st.height and adv >= 1.3 * st.advance


_FOLIO = re.compile(
    r"^[-–—_~·\s]*[0-9０-９]{1,3}[-–—_~·\s]*$"
    r"|第\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版"
    r"|[0-9０-９]{4}\s*年\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日"
)


def _flat_rules(page: PageLayout, st: _Stats) -> list[Box]:
    """Horizontal rules, the pieces of one broken rule (same height, small gaps) joined."""
    flat = sorted(
        (
            r.box
            for r in page.regions
            if r.kind == "rule"
            and r.box.width > 3 * r.box.height
            and r.box.height <= max(3.0, st.height)
        ),
        key=lambda b: b.x0,
    )
    out: list[Box] = []
    for b in flat:
        for i, o in enumerate(out):
            if abs(o.center[1] - b.center[1]) <= 0.5 * st.height and b.x0 - o.x1 <= 2 * st.height:
                out[i] = _union([o, b])
                break
        else:
            out.append(b)
    return out


def _furniture(page: PageLayout, lines: list[Line], st: _Stats) -> set[str]:
    """Unclassified lines that are page furniture: above the page's top rule (masthead,
    running head); the band of a title far bigger than any headline at the top of the
    page, down to the rule under it (a masthead); a running head or page number alone
    at the top or the foot."""
    if not lines:
        return set()
    out: set[str] = set()
    top = min(ln.box.y0 for ln in lines)
    bottom = max(ln.box.y1 for ln in lines)
    left = min(ln.box.x0 for ln in lines)
    right = max(ln.box.x1 for ln in lines)
    height = page.height or bottom
    flat = sorted(_flat_rules(page, st), key=lambda b: b.y0)
    for rule in [b for b in flat if b.width >= 0.6 * (right - left)][:1]:
        above = [ln for ln in lines if ln.box.center[1] < rule.center[1]]
        if above and len(above) <= 40 and rule.y0 - top <= 0.2 * height:
            out.update(ln.id for ln in above)
    if not out:
        huge = [
            ln
            for ln in lines
            if ln.box.height >= 3.5 * st.height
            and not _vertical(ln)
            and ln.box.y1 <= top + 0.2 * height
            and _units(ln.text) <= 20
        ]
        if huge:
            mast = max(huge, key=lambda ln: ln.box.height).box
            under = [b for b in flat if mast.y1 <= b.y0 <= mast.y1 + 0.1 * height]
            limit = max((b.y0 for b in under), default=mast.y1)
            band = [ln for ln in lines if ln.box.center[1] < limit]
            if len(band) <= 40:
                out.update(ln.id for ln in band)
    for edge in ("top", "bottom"):
        rows = _rows([ln for ln in lines if ln.id not in out])
        if not rows:
            continue
        row = rows[0] if edge == "top" else rows[-1]
        near = (
            row[0].box.y0 <= top + 0.1 * height
            if edge == "top"
            else row[0].box.y1 >= bottom - 0.1 * height
        )
        text = "".join(ln.text for ln in row)
        if near and _FOLIO.search(text) and _units(text) <= 30 and not find_jump(text):
            out.update(ln.id for ln in row)
    return out


def _rows(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows (overlapping in y by half the smaller height), top to
    bottom, each row left to right."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.box.center[1], ln.box.x0)):
        if rows:
            row = rows[-1]
            rb = _union(x.box for x in row)
            if _yov(rb, ln.box) >= 0.5 * min(rb.height, ln.box.height):
                row.append(ln)
                continue
        rows.append([ln])
    return [sorted(r, key=lambda ln: ln.box.x0) for r in rows]


# -- items on a page ----------------------------------------------------------------------


@dataclass(eq=False)
class _Item:
    """A thing on the page that takes part in ownership: a headline ("head"), a column
    block ("body"), a caption, a photo, or something text cannot pass ("stop")."""

    kind: str
    box: Box
    rows: list[list[Line]] = field(default_factory=list)
    subs: list[list[Line]] = field(default_factory=list)  # a head's kickers and subheads
    region: str | None = None
    vertical: bool = False
    owner: _Item | None = None  # the head (or untitled root) it belongs to
    link: _Item | None = None  # takes the owner of this item
    ceiling: float = float("-inf")  # bottom of what it met looking up
    source: str = ""  # for stops and photos: the region kind (or "furniture")
    column: tuple[float, float] | None = None  # a block's x-range, when its lines stray

    @property
    def lines(self) -> list[Line]:
        return [ln for row in self.subs + self.rows for ln in row]

    def grow(self) -> None:
        boxes = [ln.box for ln in self.lines]
        if boxes:
            self.box = _union(boxes)
            if self.column is not None:
                self.box = Box(self.column[0], self.box.y0, self.column[1], self.box.y1)


def _uf_groups(n: int, joined) -> list[list[int]]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if joined(i, j):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _head_items(lines: list[Line], st: _Stats) -> list[_Item]:
    """Headline lines that touch form a headline: stacked lines of a similar size; two
    close pieces of one line; level columns of a vertical headline in one region (two
    headlines side by side stay apart). A clearly smaller
    headline just under one is its subhead, just above it its kicker (when it is not
    itself big: a headline right under the masthead is no subhead of the masthead)."""

    def touching(a: Line, b: Line) -> bool:
        ha, hb = a.box, b.box
        if _vertical(a) or _vertical(b):  # columns of one vertical headline, level
            gap = max(ha.x0, hb.x0) - min(ha.x1, hb.x1)
            level = abs(ha.y0 - hb.y0) <= 0.5 * max(ha.width, hb.width)
            near = gap <= 0.9 * max(ha.width, hb.width)
            return _vertical(a) and _vertical(b) and a.region == b.region and level and near
        if _yov(ha, hb) >= 0.5 * min(ha.height, hb.height):
            return False  # side by side: see below
        upper, lower = (ha, hb) if ha.y0 <= hb.y0 else (hb, ha)
        gap = lower.y0 - upper.y1
        ratio = ha.height / max(hb.height, 1e-6)
        centred = abs(ha.center[0] - hb.center[0]) <= 0.25 * max(ha.width, hb.width)
        return (
            -0.3 * min(ha.height, hb.height) <= gap <= 0.9 * max(ha.height, hb.height)
            and (_xov(ha, hb) > 0 or centred)
            and 0.7 <= ratio <= 1 / 0.7
        )

    stacks = [
        [lines[i] for i in g]
        for g in _uf_groups(len(lines), lambda i, j: touching(lines[i], lines[j]))
    ]

    def pieces(a: list[Line], b: list[Line]) -> bool:
        """Two one-line stacks of one region, close on one row: a headline the detector
        cut in two (headlines of articles side by side are apart, or several lines)."""
        if len(a) != 1 or len(b) != 1 or _vertical(a[0]) or _vertical(b[0]):
            return False
        ha, hb = a[0].box, b[0].box
        gap = max(ha.x0, hb.x0) - min(ha.x1, hb.x1)
        return (
            a[0].region == b[0].region
            and _yov(ha, hb) >= 0.5 * min(ha.height, hb.height)
            and gap <= 0.6 * max(ha.height, hb.height)
        )

    items = []
    for group in _uf_groups(len(stacks), lambda i, j: pieces(stacks[i], stacks[j])):
        members = [ln for i in group for ln in stacks[i]]
        vertical = all(_vertical(ln) for ln in members)
        if vertical:  # vertical lines read right to left
            rows = [sorted(members, key=lambda ln: -ln.box.x1)]
        else:
            rows = _rows(members)
        item = _Item("head", _union(ln.box for ln in members), rows=rows, vertical=vertical)
        items.append(item)
    # Subheads and kickers: a clearly smaller headline touching a bigger one.
    items.sort(key=lambda it: it.box.y0)
    merged = True
    while merged:
        merged = False
        for a in items:
            for b in items:
                if a is b or a.vertical or b.vertical or b.box.y0 < a.box.y0:
                    continue
                gap = b.box.y0 - a.box.y1
                ha = statistics.median(ln.box.height for ln in a.lines)
                hb = statistics.median(ln.box.height for ln in b.lines)
                if not (-0.3 * hb <= gap <= 1.2 * min(ha, hb) and _xov(a.box, b.box) > 0):
                    continue
                if hb <= 0.8 * ha and hb <= 1.7 * st.height:  # b is a's subhead
                    a.subs += b.subs + b.rows
                    items.remove(b)
                    a.grow()
                elif ha <= 0.8 * hb and ha <= 1.7 * st.height:  # a is b's kicker
                    b.subs = a.subs + a.rows + b.subs
                    items.remove(a)
                    b.grow()
                else:
                    continue
                merged = True
                break
            if merged:
                break
    return items


def _column_blocks(kind: str, lines: list[Line], st: _Stats, walls: list[Box]) -> list[_Item]:
    """Lines of one region (or of no region) cut into column blocks: lines overlapping
    in x, cut where the gap between rows is wide or something else lies between."""
    if not lines:
        return []
    widths = sorted(ln.box.width for ln in lines)
    wide_at = 1.6 * widths[(3 * len(widths)) // 4]  # wider than a column: across columns
    narrow = [ln for ln in lines if ln.box.width <= wide_at]
    wide = [ln for ln in lines if ln.box.width > wide_at]

    def same_column(i: int, j: int) -> bool:
        a, b = narrow[i].box, narrow[j].box
        return _xov(a, b) >= 0.5 * min(a.width, b.width)

    comps = [[narrow[i] for i in g] for g in _uf_groups(len(narrow), same_column)]
    comps += [[ln] for ln in wide]
    items = []
    for comp in comps:
        rows = _rows(comp)
        current: list[list[Line]] = []
        for row in rows:
            if current:
                prev = _union(ln.box for ln in current[-1])
                cur = _union(ln.box for ln in row)
                gap = cur.y0 - prev.y1
                if gap > 1.6 * st.height or _walled(prev, cur, walls):
                    items.append(_block(kind, current))
                    current = []
            current.append(row)
        if current:
            items.append(_block(kind, current))
    return items


def _walled(upper: Box, lower: Box, walls: list[Box]) -> bool:
    """Whether something lies between two rows one above the other (its middle between
    theirs, overlapping them in x)."""
    x0, x1 = min(upper.x0, lower.x0), max(upper.x1, lower.x1)
    return any(
        upper.center[1] < w.center[1] < lower.center[1] and min(w.x1, x1) - max(w.x0, x0) > 0
        for w in walls
    )


def _level_with_vertical(blocks: list[_Item], verticals: list[_Item], st: _Stats) -> set[int]:
    """Blocks whose tops are level with a vertical headline's, next to it or to one
    another: they start an article (ids of the items)."""
    out: set[int] = set()
    near = [*verticals]
    while near:
        v = near.pop()
        for b in blocks:
            if id(b) in out or abs(b.box.y0 - v.box.y0) > 0.8 * st.height:
                continue
            if max(b.box.x0, v.box.x0) - min(b.box.x1, v.box.x1) <= 0.6 * b.box.width:
                out.add(id(b))
                near.append(b)
    return out


def _merge_stacked(
    blocks: list[_Item], st: _Stats, walls: list[Box], fresh: set[int]
) -> list[_Item]:
    """Join blocks of one column that follow each other closely with nothing between
    (a column the layout cut into regions, a jump line in a region of its own); not a
    block that starts an article beside a vertical headline (``fresh``)."""
    blocks = sorted(blocks, key=lambda b: (b.box.y0, b.box.x0))
    out: list[_Item] = []
    for b in blocks:
        if id(b) in fresh:
            out.append(b)
            continue
        for a in reversed(out):
            if a.kind != b.kind:
                continue
            narrow, wide = (a, b) if a.box.width <= b.box.width else (b, a)
            gap = b.box.y0 - a.box.y1
            if not (-0.3 * st.height <= gap <= 1.6 * st.height):
                continue
            if _xov(a.box, b.box) < 0.8 * narrow.box.width:
                continue
            if narrow.box.width < 0.5 * wide.box.width and len(narrow.rows) > 1:
                continue
            if len(wide.rows) == 1 < len(narrow.rows) and _xov(a.box, b.box) < 0.6 * wide.box.width:
                continue  # a line across columns (a subhead) is no column's
            last = _union(ln.box for ln in a.rows[-1])
            first = _union(ln.box for ln in b.rows[0])
            if _walled(last, first, walls):
                continue
            # One line wider than the column it ends or starts (the detector ran it into
            # the next column): it joins the column, which keeps its width.
            for one, many in ((a, b), (b, a)):
                if len(one.rows) == 1 < len(many.rows) and one.box.width > 1.1 * many.box.width:
                    a.column = (many.box.x0, many.box.x1)
            a.rows = a.rows + b.rows
            a.grow()
            break
        else:
            out.append(b)
    return out


def _block(kind: str, rows: list[list[Line]]) -> _Item:
    lines = [ln for row in rows for ln in row]
    return _Item(kind, _union(ln.box for ln in lines), rows=rows, region=lines[0].region)


def _bottom(item: _Item) -> float:
    """Where an item ends downwards; a rule (drawn thick by some layouts) at its middle."""
    return item.box.center[1] if item.source == "rule" else item.box.y1


def _first_above(item: _Item, items: list[_Item], st: _Stats) -> _Item | None:
    """The nearest item straight above ``item`` (overlapping it in x by a quarter of the
    narrower of the two)."""
    best, best_key = None, None
    for o in items:
        if o is item or o.box.y0 >= item.box.y0 or _bottom(o) > item.box.y0 + 0.3 * st.height:
            continue
        ov = _xov(o.box, item.box)
        if ov <= 0 or ov < 0.25 * min(o.box.width, item.box.width):
            continue
        key = (_bottom(o), ov)
        if best_key is None or key > best_key:
            best, best_key = o, key
    return best


def _split_first_row(item: _Item, kind: str) -> _Item:
    """Cut an item's first row off as an item of ``kind``; return the new item."""
    head = _block(kind, item.rows[:1])
    item.rows = item.rows[1:]
    item.grow()
    return head


@dataclass(eq=False)
class _Part:
    """An article's part on one page."""

    page: int
    order: int
    head: _Item | None
    items: list[_Item]
    title: str | None = None
    lines: list[str] = field(default_factory=list)
    text: str = ""
    jump_lines: list[str] = field(default_factory=list)
    out: list[int] = field(default_factory=list)  # printed pages it continues on
    into: list[int] = field(default_factory=list)  # printed pages it is continued from
    regions: list[str] = field(default_factory=list)
    box: Box | None = None


def _page_parts(page: PageLayout) -> list[_Part]:
    """The article parts of one page, in reading order."""
    lines = [ln for ln in page.lines if ln.text.strip()]
    if not lines:
        return []
    st = _stats(lines)
    role, guessed = _roles(page, lines, st)
    heads = _head_items([ln for ln in lines if role[ln.id] == "head"], st)
    _attach_subheads(heads, [ln for ln in lines if role[ln.id] == "sub"])

    stops = []
    upright = []  # vertical rules
    for r in page.regions:
        if r.kind == "rule" and r.box.height > r.box.width:
            upright.append(r.box)  # it separates columns, it is nothing above anything
            continue
        if r.kind in NOT_TEXT:
            kind = "photo" if r.kind == "photo" else "stop"
            stops.append(_Item(kind, r.box, region=r.id, source=r.kind))
    stops += [_Item("stop", ln.box, source="furniture") for ln in lines if role[ln.id] == "stop"]

    walls = [h.box for h in heads] + [s.box for s in stops]
    groups: dict[tuple[str, str | None], list[Line]] = {}
    for ln in lines:
        if role[ln.id] in ("body", "caption"):
            groups.setdefault((role[ln.id], ln.region), []).append(ln)
    blocks: list[_Item] = []
    for (kind, _), group in groups.items():
        blocks += _column_blocks(kind, group, st, walls)
    fresh = _level_with_vertical(blocks, [h for h in heads if h.vertical], st)
    blocks = _merge_stacked(blocks, st, walls, fresh)
    items: list[_Item] = heads + stops + blocks

    # Captions the region classifier did not name: the first row under a photo is its
    # caption; a short row under a QR code is the code's, and no article's.
    for b in blocks:
        if b.kind != "body" or not all(ln.id in guessed for ln in b.rows[0]):
            continue
        above = _first_above(b, items, st)
        if above is None or b.box.y0 - above.box.y1 > 1.5 * st.height:
            continue
        first = _union(ln.box for ln in b.rows[0])
        snug = first.y0 - above.box.y1 <= 0.9 * st.height or first.height <= 0.95 * st.height
        if above.kind == "photo" and snug:
            new_kind = "caption"
        elif above.source == "qr" and _units(_row_text(b.rows[0])) <= 10:
            new_kind = "stop"
        else:
            continue
        if len(b.rows) == 1:
            b.kind = new_kind
        else:
            items.append(_split_first_row(b, new_kind))
    for b in blocks:  # untitled text in a frame of rules: an ad or a notice
        if b.kind == "body" and all(ln.id in guessed for ln in b.lines):
            above = _first_above(b, items, st)
            if above is not None and above.source == "rule" and _framed(b, items, upright, st):
                b.kind = "stop"
    for b in blocks:
        if b.kind == "caption":  # a caption under a QR code is the code's
            above = _first_above(b, items, st)
            if (
                above is not None
                and above.source == "qr"
                and b.box.y0 - above.box.y1 <= 1.5 * st.height
            ):
                b.kind = "stop"

    _promote_subheads(items, guessed, st)
    items = [it for it in items if it.rows or it.kind not in ("body", "caption")]
    fresh = _level_with_vertical(blocks, [h for h in heads if h.vertical], st)
    _resolve(items, st, upright, fresh)
    return _parts_of(page, items, st)


def _roles(page: PageLayout, lines: list[Line], st: _Stats) -> tuple[dict[str, str], set[str]]:
    """Each line's role ("head", "sub", "caption", "body" or "stop": not article text)
    from its region's kind, or guessed from geometry for unclassified lines (returned as
    the second value)."""
    kind_of = {r.id: r.kind for r in page.regions}
    unclassified = [ln for ln in lines if kind_of.get(ln.region, "text") == "text"]
    furniture = _furniture(page, unclassified, st)
    role: dict[str, str] = {}
    guessed: set[str] = set()
    for ln in lines:
        kind = kind_of.get(ln.region, "text")
        if kind in NOT_TEXT or ln.id in furniture:
            role[ln.id] = "stop"
        elif kind == "subhead" and _tail(ln, st):
            role[ln.id] = "body"  # the last line of a paragraph, not a subhead
        elif kind in ROLES:
            role[ln.id] = ROLES[kind]
        else:
            whole_jump = (j := find_jump(ln.text)) is not None and j.whole
            role[ln.id] = "head" if not whole_jump and _display(ln, st) else "body"
            guessed.add(ln.id)
    _crossheads(lines, role, st)
    return role, guessed


def _tail(line: Line, st: _Stats) -> bool:
    """A short line of body size ending a sentence: a paragraph's last line."""
    text = line.text.strip()
    return (
        bool(text)
        and text[-1] in "。！？!?"
        and _units(text) <= 12
        and line.box.height <= 1.2 * st.height
    )


def _attach_subheads(heads: list[_Item], lines: list[Line]) -> None:
    """Classified subhead lines go under the headline right above them; a subhead with
    no headline over it stands for one."""
    subs: dict[str | None, list[Line]] = {}
    for ln in lines:
        subs.setdefault(ln.region, []).append(ln)
    for group in subs.values():
        rows = _rows(group)
        sb = _union(ln.box for ln in group)
        row_h = _union(ln.box for ln in rows[0]).height
        above = [
            h
            for h in heads
            if h.box.y0 < sb.y0 and sb.y0 - h.box.y1 <= 2.5 * row_h and _xov(h.box, sb) > 0
        ]
        if above:
            h = max(above, key=lambda h: h.box.y1)
            h.subs += rows
            h.grow()
        else:
            heads.append(_Item("head", sb, rows=rows))


def _crossheads(lines: list[Line], role: dict[str, str], st: _Stats) -> None:
    """A headline or subhead of body size set right under body text in the same column
    is a crosshead (a heading inside an article) or body text taken for one, and so is
    a bigger one set tight between the lines of a column: it stays in the running
    text. Top to bottom, so a run of them under body text goes too."""
    groups: dict[str | None, list[Line]] = {}
    for ln in lines:
        if role[ln.id] in ("head", "sub"):
            groups.setdefault(ln.region, []).append(ln)
    body = [ln for ln in lines if role[ln.id] == "body"]

    def touches(a: Line, b: Line, reach: float) -> bool:  # b right under a, same column
        return -0.2 * st.height <= b.box.y0 - a.box.y1 <= reach and _xov(a.box, b.box) >= 0.5 * min(
            a.box.width, b.box.width
        )

    for group in sorted(groups.values(), key=lambda g: min(ln.box.y0 for ln in g)):
        top = min(group, key=lambda ln: ln.box.y0)
        bottom = max(group, key=lambda ln: ln.box.y1)
        if any(_display(ln, st) for ln in group):
            # A bigger line set tight between the lines of a column is body text too.
            tight = 0.3 * st.height
            if not (
                any(touches(b, top, tight) for b in body)
                and any(touches(bottom, b, tight) for b in body)
            ):
                continue
        elif not any(touches(b, top, st.height) for b in body):
            continue
        for ln in group:
            role[ln.id] = "body"
        body += group


def _framed(item: _Item, items: list[_Item], upright: list[Box], st: _Stats) -> bool:
    """Whether ``item`` sits in a frame: rules above, below, left and right of it that
    meet at the corners (not the rules between columns and bands of a page)."""
    b = item.box
    near, slack, b_h = max(4 * st.height, b.height), 2 * st.height, b.height
    flat = [o.box for o in items if o.source == "rule"]
    tops = [r for r in flat if 0 <= b.y0 - r.y1 <= near and _xov(r, b) >= 0.8 * b.width]
    bottoms = [r for r in flat if 0 <= r.y0 - b.y1 <= near and _xov(r, b) >= 0.8 * b.width]
    lefts = [r for r in upright if 0 <= b.x0 - r.x1 <= near and _yov(r, b) >= 0.8 * b_h]
    rights = [r for r in upright if 0 <= r.x0 - b.x1 <= near and _yov(r, b) >= 0.8 * b_h]
    for t in tops:
        for u in bottoms:
            for left in lefts:
                for right in rights:
                    xs = (t.x0, u.x0, left.x0), (t.x1, u.x1, right.x1)
                    ys = (t.y0, left.y0, right.y0), (u.y1, left.y1, right.y1)
                    if all(max(v) - min(v) <= slack for v in (*xs, *ys)):
                        return True
    return False


def _promote_subheads(items: list[_Item], guessed: set[str], st: _Stats) -> None:
    """Unclassified rows right under a headline that are a little bigger than body text,
    set off from the text below by a wider gap or wider than the column under them are
    its subhead (up to three rows)."""
    for b in [it for it in items if it.kind == "body"]:
        above = _first_above(b, items, st)
        if above is None or above.kind != "head" or above.vertical:
            continue
        if b.box.y0 - above.box.y1 > 1.5 * st.height:
            continue
        boxes = [_union(ln.box for ln in row) for row in b.rows]
        if len(b.rows) == 1:  # one row alone under a headline, with text under it
            row = b.rows[0]
            plain = all(ln.id in guessed for ln in row) and not any(
                find_jump(ln.text) for ln in row
            )
            under = any(
                o.kind in ("body", "photo", "caption")
                and o is not b
                and _xov(o.box, b.box) > 0
                and 0 <= o.box.y0 - b.box.y1 <= 1.6 * st.height
                for o in items
            )
            if plain and under:
                above.subs.append(row)
                above.grow()
                b.rows = []
            continue
        steps = [q.y0 - p.y0 for p, q in zip(boxes, boxes[1:])]
        pitch = statistics.median(steps)
        # The subhead ends where the widest step between rows is, when it is clearly
        # wider than the line spacing...
        head = steps[:3]
        k = max(range(len(head)), key=lambda i: head[i]) + 1
        n = k if head[k - 1] >= 1.3 * pitch else 0
        if n == 0:  # ... or is rows a little bigger than, or wider than, the text
            while n < min(3, len(b.rows) - 1):
                box = boxes[n]
                u = _units(_row_text(b.rows[n]))
                rest = _union(boxes[n + 1 :])
                big = box.height >= 1.15 * st.height and box.width / max(u, 1) >= 1.1 * st.advance
                wide = box.x0 < rest.x0 - 0.5 * st.advance or box.x1 > rest.x1 + 0.5 * st.advance
                if not (big or wide):
                    break
                n += 1
        if any(
            not all(ln.id in guessed for ln in row) or any(find_jump(ln.text) for ln in row)
            for row in b.rows[:n]
        ):
            n = 0
        if n:
            above.subs += b.rows[:n]
            above.grow()
            b.rows = b.rows[n:]
            b.grow()


def _resolve(items: list[_Item], st: _Stats, upright: list[Box], fresh: set[int]) -> None:
    """Give every block, caption and photo its owner (see the module docstring)."""
    ownable = sorted(
        (it for it in items if it.kind in ("body", "caption", "photo")),
        key=lambda it: (it.box.y0, it.box.x0),
    )
    pending = []
    for it in ownable:
        above = _first_above(it, items, st)
        gap = it.box.y0 - _bottom(above) if above is not None else 0.0
        it.ceiling = _bottom(above) if above is not None else float("-inf")
        reach = {"photo": 4.0, "caption": 4.0, "body": 1.6}  # lines of gap passed on
        if above is not None and above.kind == "head":
            it.owner = above
        elif id(it) in fresh:
            pending.append(it)
        elif above is not None and gap <= reach.get(above.kind, -1.0) * st.height:
            it.link = above
        else:
            pending.append(it)

    def owner(it: _Item) -> _Item | None:
        seen = set()
        while it.owner is None and it.link is not None and id(it) not in seen:
            seen.add(id(it))
            it = it.link
        return it.owner

    heads = [it for it in items if it.kind == "head"]
    level = 0.8 * st.height

    def spread(h: _Item | None) -> float:
        """How badly ``h`` heads its blocks: its offset from their left edge or their
        centre, over their width (0: a headline flush left or centred over them)."""
        xs = [m.box for m in ownable if owner(m) is h]
        if h is None or h.vertical or not xs:
            return 0.0
        x0, x1 = min(b.x0 for b in xs), max(b.x1 for b in xs)
        off = min(abs(h.box.x0 - x0), abs(h.box.center[0] - (x0 + x1) / 2))
        return off / max(x1 - x0, 1.0)

    # The page's columns: the x-ranges of its long blocks. A short block that is not
    # set flush left in a column (a slogan centred in a box the layout did not see)
    # does not join its neighbours' article.
    grid = [b.box for b in ownable if b.kind == "body" and len(b.rows) >= 4]

    def in_grid(it: _Item) -> bool:
        if it.kind != "body" or len(it.rows) > 3 or not grid:
            return True
        slack = 0.4 * st.advance
        return any(
            _xov(c, it.box) >= 0.5 * it.box.width
            and abs(c.x0 - it.box.x0) <= slack
            and it.box.x1 <= c.x1 + slack
            for c in grid
        )

    def candidates(it: _Item) -> list[_Item]:
        """Headlines of the blocks level with ``it`` and next to it, below what ``it``
        met looking up; a vertical headline beside it."""
        found: list[_Item] = []
        if not in_grid(it):
            return found
        for s in ownable:
            if s is it or abs(s.box.y0 - it.box.y0) > level:
                continue
            h = owner(s)
            if h is None or h.kind != "head" or h in found:
                continue
            if h.vertical:  # beside its text, level with its top
                if abs(h.box.y0 - it.box.y0) > 2.5 * st.height:
                    continue
            elif h.box.y1 > it.box.y0 + 0.3 * st.height or h.box.y0 < it.ceiling - level:
                continue
            if max(s.box.x0, it.box.x0) - min(s.box.x1, it.box.x1) <= 0.6 * it.box.width:
                found.append(h)
        for h in heads:
            if not h.vertical or h in found or abs(h.box.y0 - it.box.y0) > 2.5 * st.height:
                continue
            near = max(h.box.x0, it.box.x0) - min(h.box.x1, it.box.x1) <= 0.6 * it.box.width
            if near and not ruled(h, it):
                found.append(h)
        return [h for h in found if not h.vertical or one_side(h, it)]

    def ruled(h: _Item, it: _Item) -> bool:
        """A vertical rule stands between ``h`` and ``it``."""
        lo, hi = sorted((h.box.center[0], it.box.center[0]))
        return any(
            lo < r.center[0] < hi
            and not (h.box.x0 <= r.center[0] <= h.box.x1)
            and not (it.box.x0 <= r.center[0] <= it.box.x1)
            and _yov(r, it.box) >= 0.5 * min(r.height, it.box.height)
            for r in upright
        )

    def one_side(h: _Item, it: _Item) -> bool:
        """A vertical headline stands on one side of its text: not between its blocks."""
        left = it.box.center[0] < h.box.center[0]
        return all(
            (m.box.center[0] < h.box.center[0]) == left
            for m in ownable
            if m is not it and owner(m) is h
        )

    def cost_with(it: _Item, h: _Item) -> float:
        if h.vertical:  # the nearer vertical headline
            gap = max(h.box.x0, it.box.x0) - min(h.box.x1, it.box.x1)
            return max(0.0, gap) / max(it.box.width, 1.0)
        old, it.owner = it.owner, h
        cost = spread(h)
        it.owner = old
        return cost

    def strands(it: _Item, h: _Item) -> int:
        """How many other pending blocks giving ``it`` to ``h`` leaves with no choice."""
        before = [q for q in pending if q is not it and candidates(q)]
        it.owner = h
        n = sum(1 for q in before if not candidates(q))
        it.owner = None
        return n

    placed: list[_Item] = []
    while pending:  # first what strands no other block, has the fewest choices, fits best
        choice = None
        for it in pending:
            found = candidates(it)
            for h in found:
                c = (strands(it, h), len(found), cost_with(it, h))
                if choice is None or c < choice[0]:
                    choice = (c, it, h)
        if choice is None:
            break
        _, it, h = choice
        it.owner = h
        pending.remove(it)
        placed.append(it)
    for _ in range(2 * len(placed)):  # ... then move blocks where the whole fits better
        moved = False
        for it in placed:
            here = it.owner
            for h in candidates(it):
                if h is here:
                    continue
                before = spread(here) + spread(h)
                it.owner = h
                if spread(here) + spread(h) < before - 1e-3:
                    here, moved = h, True
                else:
                    it.owner = here
        if not moved:
            break

    # What is left starts untitled articles; level blocks side by side go together.
    roots: list[_Item] = []
    for it in sorted(pending, key=lambda it: it.box.x0):
        if it.kind == "photo":
            continue
        for r in roots:
            members = [m for m in ownable if m.owner is r]
            if any(
                abs(m.box.y0 - it.box.y0) <= level
                and max(m.box.x0, it.box.x0) - min(m.box.x1, it.box.x1) <= 0.6 * it.box.width
                for m in members
            ):
                it.owner = r
                break
        else:
            root = _Item("untitled", it.box)
            roots.append(root)
            it.owner = root
    for it in ownable:
        it.owner = owner(it)


def _xy_order(
    boxes: list[Box], vertical_first: bool, shrink: float, overlap: float = 0.0
) -> list[int]:
    """Indices of ``boxes`` in reading order by recursive XY-cut: cut where no box
    crosses, preferring vertical cuts (columns) or horizontal ones (bands); where no cut
    is possible, top to bottom then left to right. Boxes are shrunk by ``shrink`` pixels
    and by ``overlap`` of their size on each side (lines of two columns that overlap a
    little still make two columns)."""

    def cuts(idx: list[int], vertical: bool) -> list[list[int]]:
        spans = []
        for i in idx:
            b = boxes[i]
            lo, hi = (b.x0, b.x1) if vertical else (b.y0, b.y1)
            d = shrink + overlap * (hi - lo)
            spans.append((lo + d, hi - d, i))
        spans.sort()
        groups: list[list[int]] = []
        end = float("-inf")
        for lo, hi, i in spans:
            if not groups or lo >= end:
                groups.append([i])
            else:
                groups[-1].append(i)
            end = max(end, hi)
        return groups

    def rec(idx: list[int]) -> list[int]:
        if len(idx) <= 1:
            return idx
        for vertical in (vertical_first, not vertical_first):
            groups = cuts(idx, vertical)
            if len(groups) > 1:
                return [i for g in groups for i in rec(g)]
        return sorted(idx, key=lambda i: (boxes[i].y0, boxes[i].x0))

    return rec(list(range(len(boxes))))


def _parts_of(page: PageLayout, items: list[_Item], st: _Stats) -> list[_Part]:
    owners: dict[int, tuple[_Item, list[_Item]]] = {}
    for it in items:
        if it.kind in ("body", "caption", "photo") and it.owner is not None:
            owners.setdefault(id(it.owner), (it.owner, []))[1].append(it)
    parts = []
    for head, members in owners.values():
        if not any(m.kind in ("body", "caption") for m in members):
            continue
        part = _Part(page.number, 0, head if head.kind == "head" else None, members)
        _fill_part(part, st)
        if part.lines:
            parts.append(part)
    boxes = [p.box for p in parts]
    order = _xy_order(boxes, vertical_first=False, shrink=0.2 * st.height)
    out = [parts[i] for i in order]
    for k, p in enumerate(out):
        p.order = k
    return out


def _row_text(row: list[Line]) -> str:
    text = ""
    for ln in row:
        text = _join(text, ln.text.strip())
    return text


def _rows_text(rows: list[list[Line]]) -> str:
    text = ""
    for row in rows:
        text = _join(text, _row_text(row))
    return text


def _fill_part(part: _Part, st: _Stats) -> None:
    """Title, lines in reading order, text and jumps of one part."""
    head = part.head
    ordered: list[str] = []
    paragraphs: list[str] = []
    if head is not None:
        part.title = _rows_text(head.rows) or None
        ordered += [ln.id for r in head.rows for ln in r]
        for r in head.subs:
            ordered += [ln.id for ln in r]
            paragraphs.append(_row_text(r))
    captions = sorted(
        (m for m in part.items if m.kind == "caption"), key=lambda m: (m.box.y0, m.box.x0)
    )
    bodies = [m for m in part.items if m.kind == "body"]
    order = _xy_order(
        [b.box for b in bodies], vertical_first=True, shrink=0.1 * st.height, overlap=0.05
    )
    flow: list[_Item] = [bodies[i] for i in order]
    if captions:  # after what stands above them (a subhead), before the running text
        top = captions[0].box.y0
        k = next((k for k, b in enumerate(flow) if b.box.y1 > top), len(flow))
        flow[k:k] = captions
    current = ""
    short = False
    for b in flow:
        if b.kind == "caption":
            if current:
                paragraphs.append(current)
                current = ""
            ordered += [ln.id for r in b.rows for ln in r]
            paragraphs.append(_rows_text(b.rows))
            continue
        left = min(ln.box.x0 for ln in b.lines)
        right = max(ln.box.x1 for ln in b.lines)
        for row in b.rows:
            pieces = []
            for ln in row:
                j = find_jump(ln.text)
                if j is not None:
                    (part.out if j.direction == "out" else part.into).append(j.page)
                    if j.whole:
                        part.jump_lines.append(ln.id)
                        continue
                    pieces.append(strip_jump(ln.text))
                else:
                    pieces.append(ln.text.strip())
                ordered.append(ln.id)
            text = ""
            for p in pieces:
                text = _join(text, p)
            if not text:
                continue
            indent = row[0].box.x0 - left > 0.8 * st.advance
            if current and (indent or short):
                paragraphs.append(current)
                current = ""
            current = _join(current, text)
            short = row[-1].box.x1 < right - 1.5 * st.advance
    if current:
        paragraphs.append(current)
    part.lines = ordered
    part.text = "\n".join(p for p in paragraphs if p)
    regions = []
    for m in ([head] if head is not None else []) + part.items:
        for rid in [m.region] + [ln.region for ln in m.lines]:
            if rid is not None and rid not in regions:
                regions.append(rid)
    part.regions = regions
    boxes = [m.box for m in part.items] + ([head.box] if head is not None else [])
    part.box = _union(boxes)


# -- the issue ------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def title_similarity(a: str | None, b: str | None) -> float:
    """How alike two titles are, 0..1: the longest common run of characters over the
    shorter title's length (a continued title is often a shortened one)."""
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    if m.size < 2:
        return 0.0
    return m.size / min(len(a), len(b))


def effective_numbers(printed: list[int | None]) -> list[int]:
    """Printed page numbers with the unknown ones filled in: the page after a known one
    is one more; leading unknown pages are numbered from 1 (a front page prints no page
    number), or counted back from the first known number when that is lower; positions
    when no page says its number."""
    known = [(i, n) for i, n in enumerate(printed) if n is not None]
    if not known:
        return list(range(1, len(printed) + 1))
    out: list[int] = []
    first_i, first_n = known[0]
    for i, n in enumerate(printed):
        if n is not None:
            out.append(n)
        elif i < first_i:
            out.append(min(i + 1, first_n - (first_i - i)))
        else:
            out.append(out[-1] + 1)
    return out


def page_flags(printed: list[int | None]) -> list[str]:
    """Flags for an issue whose pages (in position order) print these numbers: missing,
    duplicate or out-of-order pages. Unnumbered pages are taken to be the pages between
    their neighbours; an issue where no page prints its number gets no flags."""
    if all(n is None for n in printed):
        return []
    numbers = effective_numbers(printed)
    flags = []
    seen: dict[int, int] = {}
    for n in numbers:
        seen[n] = seen.get(n, 0) + 1
    present = {n for n in numbers if n >= 1}
    if present:
        for n in range(1, max(present) + 1):
            if n not in present:
                flags.append(f"missing page {n}")
    for n in sorted(seen):
        if seen[n] > 1:
            flags.append(f"duplicate page {n}")
    if any(b < a for a, b in zip(numbers, numbers[1:])):
        flags.append("pages out of order")
    return flags


def issue_facts(pages: list[PageLayout]) -> dict[str, Any]:
    """What the pages say about their issue: title, date and number from the first page's
    metadata (None when not found) and the page flags."""
    pages = sorted(pages, key=lambda p: p.number)
    meta = pages[0].meta if pages and pages[0].number == 1 else {}
    return {
        "title": meta.get("title") or None,
        "date": meta.get("date") or None,
        "number": meta.get("number"),
        "flags": page_flags([p.printed_number for p in pages]),
    }


def _link_jumps(parts: list[_Part], printed: dict[int, int]) -> list[list[_Part]]:
    """Join the parts of continued articles; return the articles as lists of parts."""
    position = {}
    for pos, num in printed.items():
        position.setdefault(num, pos)
    nxt: dict[int, _Part] = {}  # id(part) -> the part continuing it
    prev: dict[int, _Part] = {}
    on_page: dict[int, list[_Part]] = {}
    for p in parts:
        on_page.setdefault(p.page, []).append(p)

    def link(a: _Part, b: _Part) -> None:
        nxt[id(a)], prev[id(b)] = b, a

    def partner(p: _Part, page: int, taken: dict, marks) -> _Part | None:
        """The part on ``page`` that ``p`` continues to or from: one whose jump line
        names ``p``'s page (best title first), else an unmarked one with a like title."""
        here = printed[p.page]
        best, best_score = None, 0.0
        for o in on_page.get(page, []):
            if id(o) in taken or o is p:
                continue
            sim = title_similarity(p.title, o.title)
            if here in marks(o):
                score = 1.0 + sim
            elif not marks(o) and sim >= 0.6:
                score = sim
            else:
                continue
            if score > best_score:
                best, best_score = o, score
        return best

    for a in parts:  # forward: 下转第N版 finds its continuation
        for target in a.out:
            if id(a) in nxt:
                break
            page = position.get(target)
            if page is not None and page != a.page:
                b = partner(a, page, prev, lambda o: o.into)
                if b is not None:
                    link(a, b)
    for b in parts:  # backward: 上接第N版 finds its start
        for source in b.into:
            if id(b) in prev:
                break
            page = position.get(source)
            if page is not None and page != b.page:
                a = partner(b, page, nxt, lambda o: o.out)
                if a is not None:
                    link(a, b)
    articles = []
    for p in parts:
        if id(p) in prev:
            continue
        chain, cur, seen = [p], p, {id(p)}
        while id(cur) in nxt and id(nxt[id(cur)]) not in seen:
            cur = nxt[id(cur)]
            seen.add(id(cur))
            chain.append(cur)
        articles.append(chain)
    return articles


def assemble_articles(pages: list[PageLayout]) -> list[ArticleDraft]:
    """The articles of an issue's pages, in reading order (see the module docstring)."""
    pages = sorted(pages, key=lambda p: p.number)
    numbers = effective_numbers([p.printed_number for p in pages])
    printed = {p.number: n for p, n in zip(pages, numbers)}
    parts = [part for page in pages for part in _page_parts(page)]
    drafts = []
    for chain in _link_jumps(parts, printed):
        title = next((p.title for p in chain if p.title), None)
        lines, jumps, regions, pages_of = [], [], [], []
        for p in chain:
            lines += p.lines
            jumps += p.jump_lines
            regions += [r for r in p.regions if r not in regions]
            if p.page not in pages_of:
                pages_of.append(p.page)
        drafts.append(
            ArticleDraft(
                title=title,
                text="\n".join(p.text for p in chain if p.text),
                pages=sorted(pages_of),
                lines=lines,
                jump_lines=jumps,
                regions=regions,
                parts=len(chain),
            )
        )
    return drafts


def block_articles(pages: list[PageLayout]) -> list[ArticleDraft]:
    """One article per text region, in stored order: the fallback when assembly fails."""
    drafts = []
    for page in sorted(pages, key=lambda p: p.number):
        by_region: dict[str | None, list[Line]] = {}
        for ln in sorted(page.lines, key=lambda ln: ln.order):
            by_region.setdefault(ln.region, []).append(ln)
        for r in sorted(page.regions, key=lambda r: r.order):
            lines = by_region.get(r.id, [])
            if r.kind in NOT_TEXT or not lines:
                continue
            drafts.append(
                ArticleDraft(
                    None,
                    "\n".join(ln.text for ln in lines),
                    [page.number],
                    [ln.id for ln in lines],
                    regions=[r.id],
                )
            )
    return drafts
