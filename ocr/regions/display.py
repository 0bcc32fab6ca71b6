"""Display type: which lines of a page are headlines and subheads, from where they stand.

Called by :mod:`ocr.regions.classify` after jumps, furniture, bylines, captions and ads
have their kinds (a line keeps the first kind it gets), in this order:

* :func:`pull_quotes`: a few lines of one size centred between two rules of one width,
  running text of the column over or under them, no frame down their sides: ``subhead``.
* :func:`crossheads`: a line bigger than body text right under a line of running text at
  the page's leading (:func:`leading`), after a paragraph's end, no punctuation of
  running text, narrower than the column or alone in its block: ``subhead``.
* :func:`small_headline_blocks`: a block of a few lines all bigger than the text right
  under it (past a byline; over a photo, than body text) and under no bigger headline
  nor right over one (a kicker): ``headline``.
* :func:`headlines`: lines clearly bigger than body text (taller, with wider
  characters), horizontal or vertical: ``headline``; then up to two smaller display
  lines right under a headline (smaller in height and pitch together: see
  :func:`_scale`; none under two headlines side by side), or one over it (a kicker:
  bigger than body text, or set centred on it), or what else a block set apart by the
  layout holds beside a headline: ``subhead``.

Sizes are the page's own (:class:`ocr.text.TextPage`: its body height, its size breaks
``small``, ``big`` and ``display``); boxes in deskewed pixels.
"""

from __future__ import annotations

import math
import statistics

from ocr.model import Box, Kind, Line, Region
from ocr.text import (
    RUNNING_PUNCT,
    TextPage,
    advance,
    is_display,
    is_vertical,
    line_rows,
    units,
)

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union


def headlines(page: TextPage, kind: dict[str, str], block_of: dict[str, str], lead: float) -> None:
    """Headlines; then subheads: up to two lines right under a headline (or one over it,
    a kicker), smaller than it (display-sized too, at most 0.8 of it) and bigger than
    the text after them, or the rest of a block holding only a headline and them."""
    free = [ln for ln in page.lines if ln.id not in kind]
    for ln in free:
        if is_display(ln, page.size):
            kind[ln.id] = Kind.HEADLINE
    heads = [h for h in page.lines if kind.get(h.id) == Kind.HEADLINE and not is_vertical(h)]
    for h in sorted(heads, key=lambda h: h.box.y0):
        if kind.get(h.id) != Kind.HEADLINE:
            continue  # taken for a bigger headline's subhead
        hh = h.box.height
        chain = [h]
        while len(chain) <= 2:
            last = chain[-1]
            cands = [
                ln
                for ln in page.lines
                if (ln.id not in kind or (kind[ln.id] == Kind.HEADLINE and _scale(ln, h) <= 0.88))
                and not is_vertical(ln)
                and _xov(ln.box, last.box) > 0.3 * min(ln.box.width, last.box.width)
                and -0.2 * last.box.height
                <= ln.box.y0 - last.box.y1
                <= 0.9 * min(last.box.height, 1.5 * ln.box.height)
            ]
            if not cands:
                break
            ln = min(cands, key=lambda ln: ln.box.y0)
            if _scale(ln, h) > 0.88 or _under_two(ln, h, heads):
                break
            if len(chain) > 1 and abs(ln.box.height - chain[1].box.height) > 0.15 * hh:
                break
            block_only = (
                _headline_block_only(page, ln, kind, block_of)
                and page.ratio(ln) > page.size.small
                and not RUNNING_PUNCT.search(ln.text[:-1])
            )
            least = page.size.big  # bigger than body text; running text, more so
            if RUNNING_PUNCT.search(ln.text[:-1]):
                least = (page.size.big + page.size.display) / 2
            if not block_only and not (
                page.ratio(ln) >= least and _above_smaller(page, ln, block_of)
            ):
                break
            if _paragraph_start(page, ln):
                break
            kind[ln.id] = Kind.SUBHEAD
            chain.append(ln)
        _kicker(page, h, kind, lead)


def _under_two(ln: Line, h: Line, heads: list[Line]) -> bool:
    """Whether ``ln`` stands under ``h`` and another headline on its row (two kickers
    side by side over one headline: no subhead of either)."""
    return any(
        o is not h
        and _yov(o.box, h.box) >= 0.5 * min(o.box.height, h.box.height)
        and _xov(o.box, ln.box) > 0.3 * min(o.box.width, ln.box.width)
        for o in heads
    )


def _scale(ln: Line, h: Line) -> float:
    """The size of ``ln`` against ``h``'s: the geometric mean of their heights' and
    their characters' pitch's ratios (ink heights alone differ by a few pixels between
    lines of one headline set in one size)."""
    return math.sqrt(ln.box.height / h.box.height * advance(ln) / advance(h))


def _kicker(page: TextPage, h: Line, kind: dict[str, str], lead: float) -> None:
    """The line right over headline ``h`` (a kicker: a subhead), smaller than it and
    bigger than body text, or set centred on it; none inside running text."""
    hh = h.box.height
    above = [
        ln
        for ln in page.lines
        if ln.id not in kind
        and not is_vertical(ln)
        and _xov(ln.box, h.box) > 0.3 * min(ln.box.width, h.box.width)
        and -0.2 * hh <= h.box.y0 - ln.box.y1 <= 0.6 * ln.box.height
        and ln.box.height <= 0.88 * hh
    ]
    if not above:
        return
    ln = max(above, key=lambda ln: ln.box.y1)
    centred = abs(ln.box.center[0] - h.box.center[0]) <= page.advance
    plain = not RUNNING_PUNCT.search(ln.text) and _text_above(page, ln, kind, lead) is None
    if page.ratio(ln) >= page.size.big or (centred and plain and units(ln.text) >= 2):
        kind[ln.id] = Kind.SUBHEAD


def leading(page: TextPage) -> float:
    """The page's leading: the median gap between a line of body text and the body-sized
    line right under it (one body height when there are none)."""
    body = [
        ln
        for ln in page.lines
        if not is_vertical(ln) and page.size.small < page.ratio(ln) < page.size.big
    ]
    gaps = []
    for ln in body:
        under = [
            o.box.y0 - ln.box.y1
            for o in body
            if o is not ln
            and _xov(o.box, ln.box) > 0.5 * min(o.box.width, ln.box.width)
            and -0.2 * page.body <= o.box.y0 - ln.box.y1 <= 2 * page.body
        ]
        if under:
            gaps.append(min(under))
    return statistics.median(gaps) if gaps else page.body


def _text_above(
    page: TextPage, ln: Line, kind: dict[str, str], lead: float, first: bool = True
) -> Line | None:
    """The line of running text right above ``ln`` at the page's leading (body-sized,
    in its column, no headline, itself under another such line: no kicker), or None:
    ``ln`` then stands inside running text (a crosshead), set apart by no space from
    the text above it."""
    above = [
        o
        for o in page.lines
        if o is not ln
        and not is_vertical(o)
        and o.box.y1 <= ln.box.y0 + 0.3 * ln.box.height
        and _xov(o.box, ln.box) > 0.5 * min(o.box.width, ln.box.width)
    ]
    if not above:
        return None
    o = max(above, key=lambda o: o.box.y1)
    sized = page.size.small < page.ratio(o) < page.size.big
    close = ln.box.y0 - o.box.y1 <= lead + 0.5 * page.body
    running = kind.get(o.id, Kind.BODY) == Kind.BODY
    if not (sized and close and running):
        return None
    return o if not first or _text_above(page, o, kind, lead, False) is not None else None


def crossheads(page: TextPage, kind: dict[str, str], block_of: dict[str, str], lead: float) -> None:
    """Display lines inside running text (right under a line of it, at the page's
    leading) are no headlines: a bigger line there with no punctuation of running text,
    after a paragraph's end (the line above stops short or ends a sentence), narrower
    than the column's text or alone in its block, is a crosshead (a subhead)."""
    for ln in page.lines:
        if ln.id in kind or is_vertical(ln) or units(ln.text) < 2:
            continue
        if page.ratio(ln) < page.size.big or RUNNING_PUNCT.search(ln.text) or "、" in ln.text:
            continue
        above = _text_above(page, ln, kind, lead)
        if above is None or ln.text.rstrip().endswith("。"):
            continue
        near = [  # the column's body text round it
            o
            for o in page.lines
            if o is not ln
            and not is_vertical(o)
            and _xov(o.box, ln.box) > 0.5 * min(o.box.width, ln.box.width)
            and abs(o.box.center[1] - ln.box.center[1]) <= 4 * page.body
            and page.size.small < page.ratio(o) < page.size.big
        ]
        col = _union(o.box for o in near)
        ended = above.box.x1 < col.x1 - page.advance or above.text.rstrip()[-1:] in "。！？”"
        if not ended:
            continue  # the line above runs on: ``ln`` ends its paragraph
        narrow = ln.box.x1 < col.x1 - page.advance or ln.box.x0 > col.x0 + page.advance
        alone = all(o is ln for o in page.lines if block_of.get(o.id) == block_of.get(ln.id))
        if narrow or alone:
            kind[ln.id] = Kind.SUBHEAD


def pull_quotes(page: TextPage, kind: dict[str, str]) -> None:
    """A pull quote: a few lines of one size centred between two rules of one width (no
    frame's: no rule down their sides), with running text of the column over the upper
    rule or under the lower one (a headline has its text right under it, not under a
    rule of its own width)."""
    body = page.body
    for u in page.hrules:
        for d in page.hrules:
            if not (0 < d.y0 - u.y1 <= 8 * body):
                continue
            if abs(u.x0 - d.x0) > body or abs(u.x1 - d.x1) > body:
                continue
            inside = [
                ln
                for ln in page.lines
                if ln.box.y0 >= u.y1 - 2
                and ln.box.y1 <= d.y0 + 2
                and u.x0 <= ln.box.center[0] <= u.x1
            ]
            if not inside or any(ln.id in kind or is_vertical(ln) for ln in inside):
                continue
            if any(u.y1 < r.y0 < d.y0 and _xov(r, u) > 0 for r in page.hrules):
                continue
            box = _union(ln.box for ln in inside)
            if abs(box.center[0] - u.center[0]) > body or len(line_rows(inside)) > 5:
                continue
            heights = [ln.box.height for ln in inside]
            if max(heights) > 1.15 * min(heights) or _boxed(page, Box(u.x0, u.y1, u.x1, d.y0)):
                continue  # a headline over its text, a boxed article: no quote
            if _running_text_by(page, u, -1) or _running_text_by(page, d, 1):
                for ln in inside:
                    kind[ln.id] = Kind.SUBHEAD


def _boxed(page: TextPage, box: Box) -> bool:
    """Whether a vertical rule runs down a side of ``box`` (the rules over and under it
    are a frame's)."""
    return any(
        _yov(r, box) >= 0.8 * box.height
        and min(abs(r.center[0] - box.x0), abs(r.center[0] - box.x1)) <= page.body
        for r in page.vrules
    )


def _running_text_by(page: TextPage, rule: Box, side: int) -> bool:
    """Whether body-sized text of the rule's column is right over (``side`` -1) or
    under (1) the rule, within two lines of body text."""
    for o in page.lines:
        if is_vertical(o) or not page.size.small < page.ratio(o) < page.size.big:
            continue
        if _xov(o.box, rule) < 0.5 * min(o.box.width, rule.width):
            continue
        gap = o.box.y0 - rule.y1 if side > 0 else rule.y0 - o.box.y1
        if -2 <= gap <= 2 * page.body:
            return True
    return False


def _paragraph_start(page: TextPage, ln: Line) -> bool:
    """Whether ``ln`` starts a paragraph of the text under it: indented on the left,
    flush with the next line on the right."""
    under = [
        o
        for o in page.lines
        if o is not ln
        and not is_vertical(o)
        and 0 <= o.box.y0 - ln.box.y1 + 0.2 * ln.box.height <= 1.5 * ln.box.height
        and _xov(o.box, ln.box) > 0
    ]
    if not under:
        return False
    nxt = _union(o.box for o in line_rows(under)[0])
    indent = ln.box.x0 - nxt.x0
    return indent >= 1.2 * page.advance and abs(ln.box.x1 - nxt.x1) <= page.advance


def small_headline_blocks(
    page: TextPage, kind: dict[str, str], blocks: list[tuple[Region, list[Line]]]
) -> None:
    """A block of a few lines, all bigger than the text right under it and with no
    punctuation of running text, is a headline (a small one: a narrow column's, a
    continued article's); its smaller last lines are left to the subhead rules."""
    for _, lines in blocks:
        free = [ln for ln in lines if ln.id not in kind]
        if not free or len(free) > 4 or len(free) != len(lines) or any(map(is_vertical, free)):
            continue
        box = _union(ln.box for ln in free)
        under, bottom = _text_under(page, box, free, kind)
        if len(under) >= 2:
            ref = min(statistics.median(o.box.height for o in under), page.size.big * page.body)
        elif any(
            _xov(p, box) > 0.5 * box.width and 0 <= p.y0 - bottom <= 2 * page.body
            for p in page.photos
        ):  # right over a photo: bigger than body text
            ref = page.body
        else:  # nothing right under it: clearly bigger than body text
            ref = page.size.big * page.body
        rows = line_rows(free)
        top = rows[0]
        top_box = _union(ln.box for ln in top)
        if any(  # right under a bigger headline: a subhead
            (kind.get(o.id) == Kind.HEADLINE or (o.id not in kind and is_display(o, page.size)))
            and o not in free
            and -0.2 * o.box.height <= top_box.y0 - o.box.y1 <= o.box.height
            and _xov(o.box, top_box) > 0
            and o.box.height >= 1.15 * top_box.height
            for o in page.lines
        ):
            continue
        if _over_bigger(page, _union(ln.box for ln in rows[-1]), free):
            continue  # a kicker: left to the subhead rules
        if all(
            ln.box.height >= page.size.big * ref
            and page.ratio(ln) >= page.size.big
            and units(ln.text) >= 2
            and not RUNNING_PUNCT.search(ln.text)
            for ln in top
        ):
            h = max(ln.box.height for ln in top)
            for row in rows:
                if all(
                    ln.box.height >= 0.92 * h and not RUNNING_PUNCT.search(ln.text) for ln in row
                ):
                    for ln in row:
                        kind[ln.id] = Kind.HEADLINE
                else:
                    break


def _over_bigger(page: TextPage, box: Box, free: list[Line]) -> bool:
    """Whether a clearly bigger display line (a headline: a fifth taller, past the
    page's break of bigger type) stands right under ``box`` (a kicker over it)."""
    return any(
        o not in free
        and not is_vertical(o)
        and -0.2 * box.height <= o.box.y0 - box.y1 <= 0.8 * box.height
        and _xov(o.box, box) > 0
        and o.box.height >= 1.2 * box.height
        and page.ratio(o) >= page.size.big
        and not RUNNING_PUNCT.search(o.text[:-1])
        for o in page.lines
    )


def _text_under(
    page: TextPage, box: Box, free: list[Line], kind: dict[str, str]
) -> tuple[list[Line], float]:
    """The first lines (up to six) of the text right under ``box`` (within three lines
    of body text, past a byline under it), and the foot of ``box`` and its byline."""
    bottom = box.y1
    for o in sorted(page.lines, key=lambda o: o.box.y0):
        byline = kind.get(o.id) == Kind.BODY  # the only kind given before headlines
        if byline and _xov(o.box, box) > 0 and -2 <= o.box.y0 - bottom <= page.body:
            bottom = o.box.y1
    under = sorted(
        (
            o
            for o in page.lines
            if o.id not in kind
            and o not in free
            and not is_vertical(o)
            and o.box.y0 >= box.y1 - 2
            and o.box.y0 - bottom <= 3 * page.body
            and _xov(o.box, box) > 0
        ),
        key=lambda o: o.box.y0,
    )[:6]
    return under, bottom


def _above_smaller(page: TextPage, ln: Line, block_of: dict[str, str]) -> bool:
    """Whether ``ln`` is clearly bigger than the lines under it in its block (a
    subhead over body text); True when nothing is under it."""
    block = block_of.get(ln.id)
    under = sorted(
        (
            o
            for o in page.lines
            if block_of.get(o.id) == block
            and o.box.y0 >= ln.box.y1 - 0.2 * ln.box.height
            and _xov(o.box, ln.box) > 0
            and not is_vertical(o)
        ),
        key=lambda o: o.box.y0,
    )[:6]
    if len(under) < 2:
        return True
    return ln.box.height >= page.size.big * statistics.median(o.box.height for o in under)


def _headline_block_only(
    page: TextPage, ln: Line, kind: dict[str, str], block_of: dict[str, str]
) -> bool:
    """Whether the layout set ``ln`` apart from running text: its block holds, besides
    headlines and subheads, only ``ln`` and at most one line under it."""
    block = block_of.get(ln.id)
    rest = [
        o
        for o in page.lines
        if block_of.get(o.id) == block
        and o is not ln
        and kind.get(o.id) not in (Kind.HEADLINE, Kind.SUBHEAD)
    ]
    return len(rest) <= 1 and all(o.box.y0 >= ln.box.y0 - 1 for o in rest)
