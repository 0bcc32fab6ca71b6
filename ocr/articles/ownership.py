"""Ownership: which headline (or untitled article) each block, caption and photo of a page
belongs to."""

from __future__ import annotations

from ocr.articles.blocks import Item, bottom_of, first_above
from ocr.articles.lines import Stats
from ocr.model import Box

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union


def resolve(items: list[Item], st: Stats, upright: list[Box], fresh: set[int]) -> None:
    """Give every block, caption and photo its owner (see the module docstring)."""
    ownable = sorted(
        (it for it in items if it.kind in ("body", "caption", "photo")),
        key=lambda it: (it.box.y0, it.box.x0),
    )
    pending = []
    for it in ownable:
        above = first_above(it, items, st)
        gap = it.box.y0 - bottom_of(above) if above is not None else 0.0
        it.ceiling = bottom_of(above) if above is not None else float("-inf")
        reach = {"photo": 4.0, "caption": 4.0, "body": 1.6}  # lines of gap passed on
        if above is not None and above.kind == "head":
            it.owner = above
        elif id(it) in fresh:
            pending.append(it)
        elif above is not None and gap <= reach.get(above.kind, -1.0) * st.height:
            it.link = above
        else:
            pending.append(it)

    def owner(it: Item) -> Item | None:
        seen = set()
        while it.owner is None and it.link is not None and id(it) not in seen:
            seen.add(id(it))
            it = it.link
        return it.owner

    heads = [it for it in items if it.kind == "head"]
    level = 0.8 * st.height

    def spread(h: Item | None) -> float:
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

    def in_grid(it: Item) -> bool:
        if it.kind != "body" or len(it.rows) > 3 or not grid:
            return True
        slack = 0.4 * st.advance
        return any(
            _xov(c, it.box) >= 0.5 * it.box.width
            and abs(c.x0 - it.box.x0) <= slack
            and it.box.x1 <= c.x1 + slack
            for c in grid
        )

    def candidates(it: Item) -> list[Item]:
        """Headlines of the blocks level with ``it`` and next to it, below what ``it``
        met looking up; a vertical headline beside it."""
        found: list[Item] = []
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

    def ruled(h: Item, it: Item) -> bool:
        """A vertical rule stands between ``h`` and ``it``."""
        lo, hi = sorted((h.box.center[0], it.box.center[0]))
        return any(
            lo < r.center[0] < hi
            and not (h.box.x0 <= r.center[0] <= h.box.x1)
            and not (it.box.x0 <= r.center[0] <= it.box.x1)
            and _yov(r, it.box) >= 0.5 * min(r.height, it.box.height)
            for r in upright
        )

    def one_side(h: Item, it: Item) -> bool:
        """A vertical headline stands on one side of its text: not between its blocks."""
        left = it.box.center[0] < h.box.center[0]
        return all(
            (m.box.center[0] < h.box.center[0]) == left
            for m in ownable
            if m is not it and owner(m) is h
        )

    def cost_with(it: Item, h: Item) -> float:
        if h.vertical:  # the nearer vertical headline
            gap = max(h.box.x0, it.box.x0) - min(h.box.x1, it.box.x1)
            return max(0.0, gap) / max(it.box.width, 1.0)
        old, it.owner = it.owner, h
        cost = spread(h)
        it.owner = old
        return cost

    def strands(it: Item, h: Item) -> int:
        """How many other pending blocks giving ``it`` to ``h`` leaves with no choice."""
        before = [q for q in pending if q is not it and candidates(q)]
        it.owner = h
        n = sum(1 for q in before if not candidates(q))
        it.owner = None
        return n

    placed: list[Item] = []
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
    roots: list[Item] = []
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
            root = Item("untitled", it.box)
            roots.append(root)
            it.owner = root
    for it in ownable:
        it.owner = owner(it)
