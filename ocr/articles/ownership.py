"""Ownership: the headline (or untitled article) each block, caption and photo is in."""

from __future__ import annotations

from ocr.articles.blocks import UNTITLED, Item, bottom_of, first_above
from ocr.model import Box, Kind, Line
from ocr.text import BodySize, jump_target, row_text, vertical_page

_xov = Box.x_overlap
_yov = Box.y_overlap

_SENTENCE_END = "。！？!?"

# How far (in body lines) a photo, caption or block passes its own article on to what
# lies under it.
_REACH = {Kind.PHOTO: 4.0, Kind.CAPTION: 4.0, Kind.BODY: 1.6}


def _jump_in_row(rows: list[list[Line]]) -> bool:
    """Rows of nothing but jump lines in ("（上接第1版）")."""
    lines = [ln for row in rows for ln in row]
    return bool(lines) and all((jump_target(ln.text) or ("",))[0] == "in" for ln in lines)


def _jump_in(it: Item, rows: int | None = None) -> bool:
    """A block of nothing but jump lines in, or whose first ``rows`` are."""
    return _jump_in_row(it.rows if rows is None else it.rows[:rows])


def resolve(items: list[Item], size: BodySize, upright: list[Box], fresh: set[int]) -> None:
    """Give every block, caption and photo its owner (see :mod:`ocr.articles.assemble`).
    ``upright``: the page's vertical rules; ``fresh``: ids of blocks that start an article
    level with a vertical headline."""
    Ownership(items, size, upright).resolve(fresh)


class Ownership:
    """The owners of a page's blocks, captions and photos, found in four steps: looking
    straight up (:meth:`look_up`), then, for what met no headline, a headline beside it
    (:meth:`place`, :meth:`rebalance`), then untitled articles for the rest
    (:meth:`untitled`)."""

    def __init__(self, items: list[Item], size: BodySize, upright: list[Box]) -> None:
        self.items = items
        self.size = size
        self.upright = upright  # vertical rules
        self.ownable = sorted(
            (it for it in items if it.kind in (Kind.BODY, Kind.CAPTION, Kind.PHOTO)),
            key=lambda it: (it.box.y0, it.box.x0),
        )
        self.heads = [it for it in items if it.kind == Kind.HEADLINE]
        self.level = 0.8 * size.height  # tops this close are level
        # The page's columns: the x-ranges of its long blocks. A short block that is not
        # set flush left in a column (a slogan centred in a box the layout did not see)
        # does not join its neighbours' article.
        self.grid = [b.box for b in self.ownable if b.kind == Kind.BODY and len(b.rows) >= 4]
        self.pending: list[Item] = []  # what has no owner yet
        self.fresh: set[int] = set()  # blocks level with a vertical headline beside them

    def resolve(self, fresh: set[int]) -> None:
        self.fresh = fresh
        self.look_up(fresh)
        placed = self.place()
        self.rebalance(placed)
        while self.bay():
            self.rebalance(self.place())
        self.untitled()
        for it in self.ownable:
            it.owner = self.owner(it)

    def look_up(self, fresh: set[int]) -> None:
        """A headline straight above owns an item; a photo, caption or block close above
        passes on its own owner (``link``); the rest are pending. A jump line in
        ("（上接第1版）", by a continued headline) that met nothing is no ceiling: the
        block under it looks up past it, and the jump line goes with that block."""
        for it in self.ownable:
            self.look(it, self.items, fresh)
        for j in [p for p in self.pending if _jump_in(p)]:
            for u in [u for u in self.ownable if u.link is j]:
                u.link, j.link = None, u
                if j in self.pending:
                    self.pending.remove(j)
                self.look(u, [o for o in self.items if o is not j], fresh)
        for j in [j for j in self.ownable if _jump_in(j, 1) and j.link in self.pending]:
            self.continued_head(j.link, len(j.link.rows))
        for it in [it for it in self.pending if it.kind == Kind.BODY]:
            k = next((k for k in range(1, 4) if _jump_in_row(it.rows[k : k + 1])), 0)
            self.continued_head(it, k)

    def continued_head(self, it: Item, k: int) -> None:
        """The first ``k`` rows (up to three) of a block of text that met no headline,
        a jump line in ("（上接第1版）") right under them, are a continued part's
        headline read as text (the smaller repeat of the first part's headline, a
        subhead under it): the first row the headline, the rest its subheads. Only when
        the first row is set bigger than body text (past the page's own break of bigger
        type; a byline is not) and no row ends a sentence (the end of an article)."""
        rows = it.rows[:k]
        if it.kind != Kind.BODY or not 1 <= k <= 3 or it not in self.pending:
            return
        if max(ln.box.height for ln in rows[0]) < self.size.big * self.size.height:
            return
        if any(row_text(row).rstrip()[-1:] in _SENTENCE_END for row in rows):
            return
        head = Item(Kind.HEADLINE, it.box, rows=rows[:1], subs=rows[1:], region=it.region)
        head.grow()
        self.pending.remove(it)
        self.heads.append(head)
        self.items.append(head)
        it.rows = it.rows[k:]
        if it.rows:  # the block goes on under the jump line: it is the headline's
            it.grow()
            it.owner = head
            return
        self.ownable.remove(it)  # the whole block: what passed its article on to it
        for o in self.items:
            if o.link is it:
                o.link, o.owner = None, head

    def look(self, it: Item, seen: list[Item], fresh: set[int]) -> None:
        """Look straight up from ``it`` among ``seen`` (see :meth:`look_up`)."""
        above = first_above(it, seen, self.size)
        if (over := self.across_rule(it, above, seen)) is not None:
            above = over
        gap = it.box.y0 - bottom_of(above) if above is not None else 0.0
        it.ceiling = bottom_of(above) if above is not None else float("-inf")
        it.met = above
        if id(it) in fresh and (above is None or above.vertical):
            self.pending.append(it)  # starts level with a vertical headline beside it
        elif above is not None and above.kind == Kind.HEADLINE:
            it.owner = above
        elif id(it) in fresh and not (
            above is not None
            and above.kind in (Kind.PHOTO, Kind.CAPTION)
            and gap <= self.reach(above, it)
        ):
            self.pending.append(it)  # (text right under a photo's caption is the photo's)
        elif above is not None and gap <= self.reach(above, it):
            it.link = above
        else:
            self.pending.append(it)

    def reach(self, above: Item, it: Item) -> float:
        """How far (pixels) ``above`` passes its owner on to ``it`` under it: by kind
        (``_REACH``), and across the space round a crosshead or pull quote set inside
        the column (the role rule found it between the column's text)."""
        if Kind.SUBHEAD in (above.source, it.source) and above.kind == it.kind == Kind.BODY:
            return 3.0 * max([self.size.height] + [ln.box.height for ln in above.lines + it.lines])
        return _REACH.get(above.kind, -1.0) * self.size.height

    def across_rule(self, it: Item, rule: Item | None, seen: list[Item]) -> Item | None:
        """The column block (or headline) right above a rule that stands right above
        block ``it``: a rule between two runs of body text of one column (round a
        crosshead, say), or between a headline and the column under it (over a pull
        quote), closes no article, since no headline opens one under it."""
        if rule is None or rule.source != Kind.RULE or it.kind != Kind.BODY:
            return None
        close = 2.0 * self.size.height
        if it.box.y0 - bottom_of(rule) > close:
            return None
        up = first_above(rule, seen, self.size)
        if up is None or up.kind not in (Kind.BODY, Kind.HEADLINE) or up.vertical:
            return None
        if rule.box.y0 - bottom_of(up) > close:
            return None
        return up if _xov(up.box, it.box) >= 0.5 * min(up.box.width, it.box.width) else None

    def place(self) -> list[Item]:
        """Give pending items a headline beside them: first what strands no other item,
        has the fewest choices and fits best. Returns the items placed."""
        placed: list[Item] = []
        while self.pending:
            choice = None
            for it in self.pending:
                found = self.candidates(it)
                for h in found:
                    cost = (self.strands(it, h), len(found), self.cost_with(it, h))
                    if choice is None or cost < choice[0]:
                        choice = (cost, it, h)
            if choice is None:
                break
            _, it, h = choice
            it.owner = h
            self.pending.remove(it)
            placed.append(it)
        return placed

    def rebalance(self, placed: list[Item]) -> None:
        """Move placed items to another candidate headline where the whole fits better."""
        for _ in range(2 * len(placed)):
            moved = False
            for it in placed:
                here = it.owner
                for h in self.candidates(it):
                    if h is here:
                        continue
                    before = self.spread(here) + self.spread(h)
                    it.owner = h
                    if self.spread(here) + self.spread(h) < before - 1e-3:
                        here, moved = h, True
                    else:
                        it.owner = here
            if not moved:
                break

    def bay(self) -> bool:
        """A pending item that no headline beside it takes, under a headline off to its
        side in the same bay (below what the item met looking up, above the item, with
        nothing of another article and no vertical rule between them), is that
        headline's: a headline centred over an article wider than the columns under it
        (its byline and first column start under the side of it). The nearest such
        headline, top items first; whether one was given."""
        for it in sorted(self.pending, key=lambda it: (it.box.y0, it.box.x0)):
            found = [h for h in self.heads if not h.vertical and self.in_bay(h, it)]
            if found:
                it.owner = min(found, key=lambda h: (it.box.y0 - h.box.y1, self.apart(h, it)))
                self.pending.remove(it)
                return True
        return False

    def in_bay(self, h: Item, it: Item) -> bool:
        """Headline ``h`` stands beside ``it``'s top in its bay (see :meth:`bay`)."""
        line = self.size.height
        if h.box.y1 > it.box.y0 + 0.3 * line or not self.under_ceiling(h, it):
            return False
        lo, hi = sorted((min(h.box.x1, it.box.x1), max(h.box.x0, it.box.x0)))
        band = Box(lo, h.box.y0, hi, it.box.y1)
        for o in self.items:
            if o is h or o is it or _xov(o.box, band) <= 0 or _yov(o.box, band) <= 0:
                continue
            if o.kind == Kind.HEADLINE or (o in self.ownable and self.owner(o) not in (None, h)):
                return False
            if o.source == Kind.RULE and o.box.center[1] < it.box.y0:
                return False  # a rule between them (not one beside ``it``)
        return not any(_xov(r, band) > 0 and _yov(r, band) > 0 for r in self.upright)

    @staticmethod
    def apart(h: Item, it: Item) -> float:
        """The horizontal gap between two items (0 when they overlap in x)."""
        return max(0.0, max(h.box.x0, it.box.x0) - min(h.box.x1, it.box.x1))

    def untitled(self) -> None:
        """What is left starts untitled articles; level blocks side by side go together.
        A photo left over starts one only when text passes its article on to it (its
        caption, the text under it): that text is not lost."""
        roots: list[Item] = []
        carrying = {id(self.end(m)) for m in self.ownable if m.kind != Kind.PHOTO}
        for it in sorted(self.pending, key=lambda it: it.box.x0):
            if it.kind == Kind.PHOTO and id(it) not in carrying:
                continue
            for root in roots:
                members = [m for m in self.ownable if m.owner is root]
                if any(
                    abs(m.box.y0 - it.box.y0) <= self.level
                    and max(m.box.x0, it.box.x0) - min(m.box.x1, it.box.x1) <= 0.6 * it.box.width
                    for m in members
                ):
                    it.owner = root
                    break
            else:
                root = Item(UNTITLED, it.box)
                roots.append(root)
                it.owner = root

    def owner(self, it: Item) -> Item | None:
        """The owner of ``it``, following the links of what passes its owner on."""
        return self.end(it).owner

    @staticmethod
    def end(it: Item) -> Item:
        """Where the links from ``it`` end: an item with an owner, or none to pass on."""
        seen = set()
        while it.owner is None and it.link is not None and id(it) not in seen:
            seen.add(id(it))
            it = it.link
        return it

    def spread(self, h: Item | None) -> float:
        """How badly ``h`` heads its blocks: its offset from their left edge or their
        centre, over their width (0: a headline flush left or centred over them)."""
        boxes = [m.box for m in self.ownable if self.owner(m) is h]
        if h is None or h.vertical or not boxes:
            return 0.0
        x0, x1 = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
        offset = min(abs(h.box.x0 - x0), abs(h.box.center[0] - (x0 + x1) / 2))
        return offset / max(x1 - x0, 1.0)

    def in_grid(self, it: Item) -> bool:
        """Whether ``it`` is set flush left in a column of the page (long blocks are)."""
        if it.kind != Kind.BODY or len(it.rows) > 3 or not self.grid or it.source == Kind.SUBHEAD:
            return True  # (a crosshead or pull quote is centred in its column)
        slack = 0.4 * self.size.advance
        return any(
            _xov(c, it.box) >= 0.5 * it.box.width
            and abs(c.x0 - it.box.x0) <= slack
            and it.box.x1 <= c.x1 + slack
            for c in self.grid
        )

    def candidates(self, it: Item) -> list[Item]:
        """Headlines of the blocks level with ``it`` and next to it, below what ``it``
        met looking up; a vertical headline beside it."""
        found: list[Item] = []
        gridded = self.in_grid(it)
        line = self.size.height
        for s in self.ownable:
            if s is it or not self.level_with(s, it):
                continue
            if not (gridded or self.same_measure(s, it) or self.beside_photo(s, it)):
                continue
            h = self.owner(s)
            if h is None or h.kind != Kind.HEADLINE or h in found:
                continue
            if h.vertical:  # beside its text, level with its top
                if abs(h.box.y0 - it.box.y0) > 2.5 * line:
                    continue
            elif h.box.y1 > it.box.y0 + 0.3 * line or not self.under_ceiling(h, it):
                continue
            if self.reaches(s, it) and not self.ruled_off(h, s, it):
                found.append(h)
        for h in self.heads:  # a headline narrower than its article, level with ``it``
            if h.vertical or h in found or not self.beside_head(h, it):
                continue
            found.append(h)
        for h in self.heads:
            if not h.vertical or h in found or abs(h.box.y0 - it.box.y0) > 2.5 * line:
                continue
            near = max(h.box.x0, it.box.x0) - min(h.box.x1, it.box.x1) <= 0.6 * it.box.width
            if (near or self.clear(h, it)) and not self.ruled(h, it):
                found.append(h)
        found = [h for h in found if not h.vertical or self.one_side(h, it)]
        if id(it) in self.fresh and any(h.vertical for h in found):
            found = [h for h in found if h.vertical]  # it starts a vertical headline's text
        return found

    def under_ceiling(self, h: Item, it: Item) -> bool:
        """Headline ``h`` stands below what ``it`` met looking up, or what it met is
        ``h``'s own (a byline under ``h``, set off from the text by a wide gap; or what
        stands over the rule it met: a photo over a pull quote)."""
        met = it.met
        if met is not None and met.source == Kind.RULE:  # what stands over the rule
            met = first_above(met, self.items, self.size) or met
        mine = met is h or (met is not None and met in self.ownable and self.owner(met) is h)
        return mine or h.box.y0 >= it.ceiling - self.level

    def reaches(self, s: Item, it: Item) -> bool:
        """``s`` stands next to ``it`` on their shared rows: side by side, or with
        nothing between them that is another article's (a headline, a block of
        another owner, a vertical rule)."""
        lo, hi = sorted((min(s.box.x1, it.box.x1), max(s.box.x0, it.box.x0)))
        if hi - lo <= 0.6 * it.box.width:
            return True
        band = Box(lo, max(s.box.y0, it.box.y0), hi, min(s.box.y1, it.box.y1))
        if band.height <= 0:
            return False
        mine = self.owner(s)
        for o in self.items:
            if o is s or o is it or _xov(o.box, band) <= 0 or _yov(o.box, band) <= 0:
                continue
            if o.kind == Kind.HEADLINE or (o in self.ownable and self.owner(o) not in (None, mine)):
                return False
        return not any(_xov(r, band) > 0 and _yov(r, band) > 0 for r in self.upright)

    def clear(self, a: Item, b: Item) -> bool:
        """Nothing stands between two items side by side on their shared rows (only
        white space: no item, no rule)."""
        lo, hi = sorted((min(a.box.x1, b.box.x1), max(a.box.x0, b.box.x0)))
        band = Box(lo, max(a.box.y0, b.box.y0), hi, min(a.box.y1, b.box.y1))
        if band.height <= 0 or band.width <= 0:
            return False
        inside = [o.box for o in self.items if o is not a and o is not b] + self.upright
        return not any(_xov(o, band) > 0 and _yov(o, band) > 0 for o in inside)

    def beside_head(self, h: Item, it: Item) -> bool:
        """``it`` starts level with headline ``h`` (under the same ceiling), on its
        right, next to ``h`` or to a block that ``h`` heads: the article's columns go
        on beside its headline (text reads on to the right; a headline heads no column
        on its left that starts as high as itself)."""
        if abs(h.box.y0 - it.box.y0) > self.level or self.ruled(h, it):
            return False
        if it.box.x0 < h.box.x1 - 0.5 * self.size.advance or self.closed_by_vertical(it):
            return False
        if it.box.x0 - h.box.x1 <= 0.6 * it.box.width:
            return True  # right beside the headline itself
        foot = max(m.box.y1 for m in self.carried(it))
        return any(
            self.owner(s) is h
            and max(s.box.x0, it.box.x0) - min(s.box.x1, it.box.x1) <= 0.6 * it.box.width
            and s.box.y0 < foot
            for s in self.ownable
        )

    def carried(self, it: Item) -> list[Item]:
        """``it`` and what passes on its owner (the rest of its column under it)."""
        out = [it]
        for m in self.ownable:
            seen, cur = set(), m
            while cur.link is not None and id(cur) not in seen and cur is not it:
                seen.add(id(cur))
                cur = cur.link
            if cur is it and m is not it:
                out.append(m)
        return out

    def closed_by_vertical(self, it: Item) -> bool:
        """A vertical headline on ``it``'s right stands level with it, with only blocks
        level with ``it`` between them (no rule, nothing else): the columns level on the
        left of a vertical headline at the right edge of its article are its text, not
        the columns beside another headline on their left."""
        line = self.size.height
        for v in self.heads:
            if not v.vertical or v.box.x0 < it.box.x1 or abs(v.box.y0 - it.box.y0) > 2.5 * line:
                continue
            band = Box(it.box.x1, it.box.y0, v.box.x0, min(it.box.y1, v.box.y1))
            between = [
                o
                for o in self.items
                if o is not v and o is not it and _xov(o.box, band) > 0 and _yov(o.box, band) > 0
            ]
            ruled = any(_xov(r, band) > 0 and _yov(r, band) > 0 for r in self.upright)
            if not ruled and all(
                o.kind == Kind.BODY and abs(o.box.y0 - it.box.y0) <= self.level for o in between
            ):
                return True
        return False

    def same_measure(self, s: Item, it: Item) -> bool:
        """``it`` is set to the width of ``s``'s column (a column of the same article,
        though the page's grid has no such column)."""
        return s.kind == it.kind == Kind.BODY and abs(s.box.width - it.box.width) <= (
            0.4 * self.size.advance
        )

    def beside_photo(self, s: Item, it: Item) -> bool:
        """``s`` is a photo and ``it`` starts level with it, a gutter beside it (the text
        columns next to a photo under a headline over the photo's columns)."""
        if s.kind != Kind.PHOTO or abs(s.box.y0 - it.box.y0) > self.level:
            return False
        gap = max(s.box.x0, it.box.x0) - min(s.box.x1, it.box.x1)
        return 0 <= gap <= 1.5 * self.size.height

    def level_with(self, s: Item, it: Item) -> bool:
        """``it`` starts level with ``s`` or with one of its rows (a block that opens
        with a byline starts a row higher than the columns beside it); a column headed
        by a jump line ("（上接第1版）", set over it) starts at either."""
        tops = [s.box.y0] + [min(ln.box.y0 for ln in row) for row in s.rows if row]
        starts = [it.box.y0]
        for row in it.rows[:-1]:
            if not all(jump_target(ln.text) for ln in row):
                break
            starts.append(min(ln.box.y0 for ln in it.rows[len(starts)]))
        return any(abs(t - y) <= self.level for t in tops for y in starts)

    def ruled(self, h: Item, it: Item) -> bool:
        """A vertical rule stands between ``h`` and ``it``, level with both (a short
        rule beside what lies under ``h`` does not part them)."""
        lo, hi = sorted((h.box.center[0], it.box.center[0]))
        return any(
            lo < r.center[0] < hi
            and not (h.box.x0 <= r.center[0] <= h.box.x1)
            and not (it.box.x0 <= r.center[0] <= it.box.x1)
            and _yov(r, it.box) >= 0.5 * min(r.height, it.box.height)
            and _yov(r, h.box) > 0
            for r in self.upright
        )

    def ruled_off(self, h: Item, s: Item, it: Item) -> bool:
        """A vertical rule level with both headline ``h`` and ``it`` stands between them
        (:meth:`ruled`), beside ``s``, the block of ``h``'s next to ``it``, set in
        vertical lines: a vertical rule beside vertical lines parts articles (their
        columns are the lines, with no rule between). Between horizontal lines' columns
        it may be a column rule inside one article."""
        return self.ruled(h, it) and vertical_page(s.lines)

    def one_side(self, h: Item, it: Item) -> bool:
        """A vertical headline stands on one side of its text: not between its blocks."""
        left = it.box.center[0] < h.box.center[0]
        return all(
            (m.box.center[0] < h.box.center[0]) == left
            for m in self.ownable
            if m is not it and self.owner(m) is h
        )

    def cost_with(self, it: Item, h: Item) -> float:
        """How badly ``h`` would head ``it``: the gap to a vertical headline, else the
        spread of ``h`` over its blocks with ``it`` among them."""
        if h.vertical:  # the nearer vertical headline
            gap = max(h.box.x0, it.box.x0) - min(h.box.x1, it.box.x1)
            return max(0.0, gap) / max(it.box.width, 1.0)
        old, it.owner = it.owner, h
        cost = self.spread(h)
        it.owner = old
        return cost

    def strands(self, it: Item, h: Item) -> int:
        """How many other pending items giving ``it`` to ``h`` leaves with no choice."""
        before = [q for q in self.pending if q is not it and self.candidates(q)]
        it.owner = h
        n = sum(1 for q in before if not self.candidates(q))
        it.owner = None
        return n
