"""The items of a page that take part in article ownership.

Headlines (with their subheads and kickers), column blocks of body text and captions,
photos and furniture.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from ocr.model import NOT_ARTICLE, Box, Kind, Line, PageLayout
from ocr.text import (
    BodySize,
    TextPage,
    find_jump,
    is_vertical,
    line_rows,
    row_text,
    units,
    vertical_order,
)

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union


UNTITLED = "untitled"  # the kind of the root that owns the items of an untitled article


@dataclass(eq=False)
class Item:
    """A thing on the page that takes part in ownership, by ``kind``: a headline, a column
    block of body text, a caption, a photo, or furniture (text cannot pass it)."""

    kind: str
    box: Box
    rows: list[list[Line]] = field(default_factory=list)
    subs: list[list[Line]] = field(default_factory=list)  # a headline's kickers, subheads
    region: str | None = None
    vertical: bool = False
    owner: Item | None = None  # the headline (or untitled root) it belongs to
    link: Item | None = None  # takes the owner of this item
    ceiling: float = float("-inf")  # bottom of what it met looking up
    met: Item | None = None  # what it met looking up
    source: str = ""  # for furniture and photos: the region kind (or furniture: a line)
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


def uf_groups(n: int, joined) -> list[list[int]]:
    """The groups of ``range(n)`` that ``joined(i, j)`` links (union-find)."""
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


def head_items(lines: list[Line], size: BodySize, below: list[Line] = ()) -> list[Item]:
    """Headline lines that touch form a headline: stacked lines of a similar size; two
    close pieces of one line, unless the text under them (``below``: the page's body
    lines) has a gutter under the gap between them (two headlines side by side, each
    over its own article); level columns of a vertical headline in one region (two
    headlines side by side stay apart). A clearly smaller headline just under one is its
    subhead, just above it its kicker (when it is not itself big: a headline right under
    the masthead is no subhead of the masthead)."""
    stacks = [
        [lines[i] for i in g]
        for g in uf_groups(len(lines), lambda i, j: _stacked(lines[i], lines[j]))
    ]
    items = []
    for group in uf_groups(len(stacks), lambda i, j: _pieces(stacks[i], stacks[j], below)):
        members = [ln for i in group for ln in stacks[i]]
        vertical = all(is_vertical(ln) for ln in members)
        if vertical:  # vertical lines read right to left, a column top to bottom
            rows = [vertical_order(members)]
        else:
            rows = line_rows(members)
        item = Item(Kind.HEADLINE, _union(ln.box for ln in members), rows=rows, vertical=vertical)
        items.append(item)
    items.sort(key=lambda it: it.box.y0)
    while _merge_subhead(items, size):
        pass
    return items


def _stacked(a: Line, b: Line) -> bool:
    """Two headline lines of one headline: stacked at a similar size, or level columns of
    a vertical headline in one region."""
    ha, hb = a.box, b.box
    if is_vertical(a) or is_vertical(b):  # columns of one vertical headline, level
        gap = max(ha.x0, hb.x0) - min(ha.x1, hb.x1)
        level = abs(ha.y0 - hb.y0) <= 0.5 * max(ha.width, hb.width)
        near = gap <= 0.9 * max(ha.width, hb.width)
        return is_vertical(a) and is_vertical(b) and a.region == b.region and level and near
    if _yov(ha, hb) >= 0.5 * min(ha.height, hb.height):
        return False  # side by side: see _pieces
    upper, lower = (ha, hb) if ha.y0 <= hb.y0 else (hb, ha)
    gap = lower.y0 - upper.y1
    ratio = ha.height / max(hb.height, 1e-6)
    centred = abs(ha.center[0] - hb.center[0]) <= 0.25 * max(ha.width, hb.width)
    return (
        -0.3 * min(ha.height, hb.height) <= gap <= 0.9 * max(ha.height, hb.height)
        and (_xov(ha, hb) > 0 or centred)
        and 0.7 <= ratio <= 1 / 0.7
    )


def _pieces(a: list[Line], b: list[Line], below: list[Line]) -> bool:
    """Two one-line stacks of one region, close on one row: a headline the detector cut
    in two (headlines of articles side by side are apart, or several lines, or stand
    over a gutter of the text below)."""
    if len(a) != 1 or len(b) != 1 or is_vertical(a[0]) or is_vertical(b[0]):
        return False
    ha, hb = a[0].box, b[0].box
    gap = max(ha.x0, hb.x0) - min(ha.x1, hb.x1)
    return (
        a[0].region == b[0].region
        and _yov(ha, hb) >= 0.5 * min(ha.height, hb.height)
        and gap <= 0.6 * max(ha.height, hb.height)
        and not _over_gutter(ha, hb, below)
    )


def _over_gutter(a: Box, b: Box, below: list[Line]) -> bool:
    """Whether the gap between two headline pieces on one row, wider than a fifth of
    their height (more than the space between two characters), stands over a gutter of
    the text below: within four of their heights under them, two lines or more under
    each piece keep to its side of the gap, and no line crosses it."""
    left, right = (a, b) if a.x0 <= b.x0 else (b, a)
    h = max(a.height, b.height)
    if right.x0 - left.x1 <= 0.2 * h:
        return False
    foot = max(a.y1, b.y1)
    under = [ln.box for ln in below if 0 <= ln.box.y0 - foot <= 4 * h]
    if any(o.x0 < left.x1 and o.x1 > right.x0 for o in under):
        return False
    on_left = sum(1 for o in under if o.x1 <= right.x0 and _xov(o, left) > 0)
    on_right = sum(1 for o in under if o.x0 >= left.x1 and _xov(o, right) > 0)
    return on_left >= 2 and on_right >= 2


def _merge_subhead(items: list[Item], size: BodySize) -> bool:
    """Merge the first clearly smaller headline touching a bigger one into it (its
    subhead under it, its kicker above it); whether one was merged."""
    for a in items:
        for b in items:
            if a is b or a.vertical or b.vertical or b.box.y0 < a.box.y0:
                continue
            gap = b.box.y0 - a.box.y1
            ha = statistics.median(ln.box.height for ln in a.lines)
            hb = statistics.median(ln.box.height for ln in b.lines)
            if not (-0.3 * hb <= gap <= 1.2 * min(ha, hb) and _xov(a.box, b.box) > 0):
                continue
            if hb <= 0.8 * ha and hb <= 1.7 * size.height:  # b is a's subhead
                a.subs += b.subs + b.rows
                items.remove(b)
                a.grow()
                return True
            if ha <= 0.8 * hb and ha <= 1.7 * size.height:  # a is b's kicker
                b.subs = a.subs + a.rows + b.subs
                items.remove(a)
                b.grow()
                return True
    return False


def attach_subheads(heads: list[Item], lines: list[Line], rules: list[Box] = ()) -> None:
    """Classified subhead lines go under the headline right above them, else over the
    headline right under them (a kicker), with no rule of ``rules`` between them; a
    subhead with neither stands for one."""
    subs: dict[str | None, list[Line]] = {}
    for ln in lines:
        subs.setdefault(ln.region, []).append(ln)
    for group in subs.values():
        rows = line_rows(group)
        sb = _union(ln.box for ln in group)
        row_h = _union(ln.box for ln in rows[0]).height
        near = [h for h in heads if _xov(h.box, sb) > 0]
        above = [
            h
            for h in near
            if h.box.y0 < sb.y0
            and sb.y0 - h.box.y1 <= 2.5 * row_h
            and not _walled(h.box, sb, rules)
        ]
        below = [
            h
            for h in near
            if not h.vertical
            and h.box.y0 > sb.y0
            and h.box.y0 - sb.y1 <= 2.5 * row_h
            and not _walled(sb, h.box, rules)
        ]
        if above:
            h = max(above, key=lambda h: h.box.y1)
            h.subs += rows
            h.grow()
        elif below:
            h = min(below, key=lambda h: h.box.y0)
            h.subs = rows + h.subs
            h.grow()
        else:
            heads.append(Item(Kind.HEADLINE, sb, rows=rows))


def column_blocks(
    kind: str, lines: list[Line], size: BodySize, walls: list[Box], opens=None
) -> list[Item]:
    """Lines of one region (or of no region) cut into column blocks: lines overlapping
    in x, cut where the gap between rows is wide or something else lies between, or
    where ``opens(row box, gap)`` says the lower row opens an article."""
    if not lines:
        return []
    widths = sorted(ln.box.width for ln in lines)
    wide_at = 1.6 * widths[(3 * len(widths)) // 4]  # wider than a column: across columns
    narrow = [ln for ln in lines if ln.box.width <= wide_at]
    wide = [ln for ln in lines if ln.box.width > wide_at]

    def same_column(i: int, j: int) -> bool:
        a, b = narrow[i].box, narrow[j].box
        return _xov(a, b) >= 0.5 * min(a.width, b.width)

    comps = [[narrow[i] for i in g] for g in uf_groups(len(narrow), same_column)]
    comps += [[ln] for ln in wide]
    items = []
    for comp in comps:
        rows = line_rows(comp)
        current: list[list[Line]] = []
        for row in rows:
            if current:
                prev = _union(ln.box for ln in current[-1])
                cur = _union(ln.box for ln in row)
                gap = cur.y0 - prev.y1
                if (
                    gap > 1.6 * size.height
                    or _walled(prev, cur, walls)
                    or (opens is not None and opens(cur, gap))
                ):
                    items.append(make_block(kind, current))
                    current = []
            current.append(row)
        if current:
            items.append(make_block(kind, current))
    return items


def _walled(upper: Box, lower: Box, walls: list[Box]) -> bool:
    """Whether something lies between two rows one above the other (its middle between
    theirs, overlapping them in x)."""
    x0, x1 = min(upper.x0, lower.x0), max(upper.x1, lower.x1)
    return any(
        upper.center[1] < w.center[1] < lower.center[1] and min(w.x1, x1) - max(w.x0, x0) > 0
        for w in walls
    )


def level_with_vertical(
    blocks: list[Item], verticals: list[Item], size: BodySize, upright: list[Box] = ()
) -> set[int]:
    """Blocks whose tops are level with a vertical headline's, next to it or to one
    another, with no vertical rule (of ``upright``) between: they start an article (ids
    of the items). A block across a rule from a vertical headline is another article's."""
    out: set[int] = set()
    near = [*verticals]
    while near:
        v = near.pop()
        for b in blocks:
            if id(b) in out or abs(b.box.y0 - v.box.y0) > 0.8 * size.height:
                continue
            if max(b.box.x0, v.box.x0) - min(b.box.x1, v.box.x1) > 0.6 * b.box.width:
                continue
            lo, hi = sorted((b.box.center[0], v.box.center[0]))
            if any(
                lo < r.center[0] < hi
                and not (b.box.x0 < r.center[0] < b.box.x1)
                and not (v.box.x0 < r.center[0] < v.box.x1)
                and _yov(r, b.box) > 0
                and _yov(r, v.box) > 0
                for r in upright
            ):
                continue
            out.add(id(b))
            near.append(b)
    return out


def merge_stacked(
    blocks: list[Item], size: BodySize, walls: list[Box], fresh: set[int], heads: list[Box] = ()
) -> list[Item]:
    """Join blocks of one column that follow each other closely with nothing between
    (a column the layout cut into regions, a jump line in a region of its own); not a
    block that starts an article beside a vertical headline (``fresh``), nor one set
    off by a blank line whose top is level with the top of a headline beside it (of
    ``heads``: an article starting there, its columns beside its headline; such a
    block is added to ``fresh``: it starts an article)."""
    blocks = sorted(blocks, key=lambda b: (b.box.y0, b.box.x0))
    out: list[Item] = []
    for b in blocks:
        if id(b) in fresh:
            out.append(b)
            continue
        for a in reversed(out):
            if a.kind != b.kind:
                continue
            narrow, wide = (a, b) if a.box.width <= b.box.width else (b, a)
            gap = b.box.y0 - a.box.y1
            if not (-0.3 * size.height <= gap <= 1.6 * size.height):
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
            if _opens(first, gap, heads, size, [o.box for o in blocks] + walls):
                fresh.add(id(b))
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


def _opens(first: Box, gap: float, heads: list[Box], size: BodySize, others: list[Box]) -> bool:
    """A block's first row, ``gap`` under the block above it, opens an article: set off
    by a blank line and level with the top of a headline beside it, with nothing of
    ``others`` between them on that row."""
    if gap < size.height:
        return False
    for h in heads:
        if abs(h.y0 - first.y0) > 0.8 * size.height or _xov(h, first) > 0:
            continue
        lo, hi = sorted((min(h.x1, first.x1), max(h.x0, first.x0)))
        band = Box(lo, first.y0, hi, first.y1)
        if not any(_xov(o, band) > 0 and _yov(o, band) > 0 for o in others):
            return True
    return False


def make_block(kind: str, rows: list[list[Line]]) -> Item:
    lines = [ln for row in rows for ln in row]
    return Item(kind, _union(ln.box for ln in lines), rows=rows, region=lines[0].region)


def bottom_of(item: Item) -> float:
    """Where an item ends downwards; a rule (drawn thick by some layouts) at its middle."""
    return item.box.center[1] if item.source == Kind.RULE else item.box.y1


def first_above(item: Item, items: list[Item], size: BodySize) -> Item | None:
    """The nearest item straight above ``item`` (overlapping it in x by a quarter of the
    narrower of the two)."""
    best, best_key = None, None
    for o in items:
        if o is item or o.box.y0 >= item.box.y0 or bottom_of(o) > item.box.y0 + 0.3 * size.height:
            continue
        overlap = _xov(o.box, item.box)
        if overlap <= 0 or overlap < 0.25 * min(o.box.width, item.box.width):
            continue
        key = (bottom_of(o), overlap)
        if best_key is None or key > best_key:
            best, best_key = o, key
    return best


def split_first_row(item: Item, kind: str) -> Item:
    """Cut an item's first row off as an item of ``kind``; return the new item."""
    head = make_block(kind, item.rows[:1])
    item.rows = item.rows[1:]
    item.grow()
    return head


def promote_subheads(items: list[Item], guessed: set[str], size: BodySize) -> None:
    """Unclassified rows right under a headline that are a little bigger than body text,
    set off from the text below by a wider gap or wider than the column under them are
    its subhead (up to three rows)."""
    for b in [it for it in items if it.kind == Kind.BODY]:
        above = first_above(b, items, size)
        if above is None or above.kind != Kind.HEADLINE or above.vertical:
            continue
        if b.box.y0 - above.box.y1 > 1.5 * size.height:
            continue
        if len(b.rows) == 1:  # one row alone under a headline, with text under it
            row = b.rows[0]
            under = any(
                o.kind in (Kind.BODY, Kind.PHOTO, Kind.CAPTION)
                and o is not b
                and _xov(o.box, b.box) > 0
                and 0 <= o.box.y0 - b.box.y1 <= 1.6 * size.height
                for o in items
            )
            if _plain(row, guessed) and under:
                above.subs.append(row)
                above.grow()
                b.rows = []
            continue
        n = _subhead_rows(b, size)
        if not all(_plain(row, guessed) for row in b.rows[:n]):
            n = 0
        if n:
            above.subs += b.rows[:n]
            above.grow()
            b.rows = b.rows[n:]
            b.grow()


def _plain(row: list[Line], guessed: set[str]) -> bool:
    """Unclassified lines with no jump in them."""
    return all(ln.id in guessed for ln in row) and not any(find_jump(ln.text) for ln in row)


def _subhead_rows(b: Item, size: BodySize) -> int:
    """How many of the first rows of ``b`` (of two or more) look like a subhead: up to
    the widest step between rows, when it is clearly wider than the line spacing; else
    the rows a little bigger than, or wider than, the text under them (up to three)."""
    boxes = [_union(ln.box for ln in row) for row in b.rows]
    steps = [q.y0 - p.y0 for p, q in zip(boxes, boxes[1:])]
    pitch = statistics.median(steps)
    head = steps[:3]
    k = max(range(len(head)), key=lambda i: head[i]) + 1
    if head[k - 1] >= 1.3 * pitch:
        return k
    n = 0
    while n < min(3, len(b.rows) - 1):
        box = boxes[n]
        u = units(row_text(b.rows[n]))
        rest = _union(boxes[n + 1 :])
        big = (  # past the page's break of bigger type, in height and in width
            box.height >= size.big * size.height
            and box.width / max(u, 1) >= size.big * size.advance
        )
        slack = 0.5 * size.advance
        wide = box.x0 < rest.x0 - slack or box.x1 > rest.x1 + slack
        if not (big or wide):
            break
        n += 1
    return n


def furniture_items(page: PageLayout, lines: list[Line], role: dict[str, str]):
    """The page's photos and what text cannot pass (regions of no article text, furniture
    lines), and its vertical rules (which separate columns and are above nothing)."""
    furniture: list[Item] = []
    upright: list[Box] = []
    for r in page.regions:
        if r.kind == Kind.RULE and r.box.height > r.box.width:
            upright.append(r.box)
            continue
        if r.kind in NOT_ARTICLE:
            kind = Kind.PHOTO if r.kind == Kind.PHOTO else Kind.FURNITURE
            furniture.append(Item(kind, r.box, region=r.id, source=r.kind))
    furniture += [
        Item(Kind.FURNITURE, ln.box, source=Kind.FURNITURE)
        for ln in lines
        if role[ln.id] == Kind.FURNITURE
    ]
    return furniture, upright


def body_blocks(
    lines: list[Line],
    role: dict[str, str],
    size: BodySize,
    walls: list[Box],
    inline=(),
    heads: list[Box] = (),
) -> list[Item]:
    """The column blocks of the body and caption lines of each region; a block of
    ``inline`` lines (a crosshead or pull quote inside a column) is marked by its source
    (``Kind.SUBHEAD``): it passes its article on across the space round it. A column is
    cut where a row set off by a blank line starts level with the top of a headline of
    ``heads`` beside it (an article starts there, as :func:`merge_stacked` has it)."""
    groups: dict[tuple[str, str | None, bool], list[Line]] = {}
    for ln in lines:
        if role[ln.id] in (Kind.BODY, Kind.CAPTION):
            groups.setdefault((role[ln.id], ln.region, ln.id in inline), []).append(ln)
    others = walls + [ln.box for g in groups.values() for ln in g]

    def opens(first: Box, gap: float) -> bool:
        return _opens(first, gap, heads, size, others)

    blocks: list[Item] = []
    for (kind, _, inner), group in groups.items():
        found = column_blocks(kind, group, size, walls, opens)
        for b in found if inner else ():
            b.source = Kind.SUBHEAD
        blocks += found
    return blocks


def name_guessed_blocks(
    blocks: list[Item], items: list[Item], guessed: set[str], text: TextPage, size: BodySize
) -> None:
    """Give blocks of guessed lines the kind their place shows: the first row under a
    photo is its caption; a short row under a QR code is the code's, and no article's;
    untitled text in a frame of rules is an ad or a notice; and a caption under a QR
    code is the code's."""
    for b in blocks:
        if b.kind != Kind.BODY or not all(ln.id in guessed for ln in b.rows[0]):
            continue
        above = first_above(b, items, size)
        if above is None or b.box.y0 - above.box.y1 > 1.5 * size.height:
            continue
        first = _union(ln.box for ln in b.rows[0])
        snug = first.y0 - above.box.y1 <= 0.9 * size.height or first.height <= 0.95 * size.height
        if above.kind == Kind.PHOTO and snug:
            new_kind = Kind.CAPTION
        elif above.source == Kind.QR and units(row_text(b.rows[0])) <= 10:
            new_kind = Kind.FURNITURE
        else:
            continue
        if len(b.rows) == 1:
            b.kind = new_kind
        else:
            items.append(split_first_row(b, new_kind))
    for b in blocks:
        if b.kind == Kind.BODY and all(ln.id in guessed for ln in b.lines):
            above = first_above(b, items, size)
            if above is not None and above.source == Kind.RULE and _boxed(text, b.box):
                b.kind = Kind.FURNITURE
    for b in blocks:
        if b.kind == Kind.CAPTION:
            above = first_above(b, items, size)
            if (
                above is not None
                and above.source == Kind.QR
                and b.box.y0 - above.box.y1 <= 1.5 * size.height
            ):
                b.kind = Kind.FURNITURE


def _boxed(text: TextPage, box: Box) -> bool:
    """Whether ``box`` sits in a box of rules: on four sides, meeting at the corners (not
    the rules between columns and bands of a page)."""
    found = text.frame(box)
    return found is not None and found[1] >= 4
