"""Reading order and text of article parts, and the order of a page's parts.

A part's lines in order, joined into paragraphs; the parts of a page ordered by an
XY-cut, or on a page set in vertical lines, and within a part set so, as vertical text
is read (:mod:`ocr.text.vertical`: bands top to bottom, right to left within a band,
a column top to bottom).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ocr.articles.blocks import Item
from ocr.model import Box, Kind, Line, PageLayout
from ocr.text import (
    BodySize,
    advance,
    box_order,
    find_jump,
    is_vertical,
    join_text,
    row_text,
    strip_jump,
    vertical_order,
    vertical_page,
)

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union


@dataclass(eq=False)
class Part:
    """An article's part on one page."""

    page: int
    order: int
    head: Item | None
    items: list[Item]
    title: str | None = None
    lines: list[str] = field(default_factory=list)
    text: str = ""
    jump_lines: list[str] = field(default_factory=list)
    out: list[int] = field(default_factory=list)  # printed pages it continues on
    into: list[int] = field(default_factory=list)  # printed pages it is continued from
    regions: list[str] = field(default_factory=list)
    box: Box | None = None


def xy_order(
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


def parts_of(page: PageLayout, items: list[Item], size: BodySize) -> list[Part]:
    """The article parts of a page, one per owner holding body text or a caption, each
    filled in (:func:`fill_part`), in reading order (an XY-cut preferring bands)."""
    owners: dict[int, tuple[Item, list[Item]]] = {}
    for it in items:
        if it.kind in (Kind.BODY, Kind.CAPTION, Kind.PHOTO) and it.owner is not None:
            owners.setdefault(id(it.owner), (it.owner, []))[1].append(it)
    parts = []
    for head, members in owners.values():
        if not any(m.kind in (Kind.BODY, Kind.CAPTION) for m in members):
            continue
        part = Part(page.number, 0, head if head.kind == Kind.HEADLINE else None, members)
        fill_part(part, size)
        if part.lines:
            parts.append(part)
    boxes = [p.box for p in parts]
    if vertical_page(page.lines):
        rules = [r.box for r in page.regions if r.kind == Kind.RULE and r.box.height > r.box.width]
        order = box_order(boxes, rules)
    else:
        order = xy_order(boxes, vertical_first=False, shrink=0.2 * size.height)
    out = [parts[i] for i in order]
    for k, p in enumerate(out):
        p.order = k
    return out


def fill_part(part: Part, size: BodySize) -> None:
    """Title, lines in reading order, text and jumps of one part."""
    head = part.head
    part.lines = []
    text = _Paragraphs()
    if head is not None:
        part.title = rows_text(head.rows) or None
        part.lines += [ln.id for r in head.rows for ln in r]
        for r in head.subs:
            part.lines += [ln.id for ln in r]
            text.done.append(row_text(r))
    for b in _flow(part, size):
        if b.kind == Kind.CAPTION:
            part.lines += [ln.id for r in b.rows for ln in r]
            text.add(rows_text(b.rows))
            continue
        if vertical_page(b.lines):
            _read_columns(part, b.lines, text)
            continue
        left = min(ln.box.x0 for ln in b.lines)
        right = max(ln.box.x1 for ln in b.lines)
        for row in b.rows:
            read = _read_row(part, row)
            if read:
                indent = row[0].box.x0 - left > 0.8 * size.advance
                text.row(read, indent, short=row[-1].box.x1 < right - 1.5 * size.advance)
    text.end()
    part.text = "\n".join(p for p in text.done if p)
    regions = []
    for m in ([head] if head is not None else []) + part.items:
        for rid in [m.region] + [ln.region for ln in m.lines]:
            if rid is not None and rid not in regions:
                regions.append(rid)
    part.regions = regions
    boxes = [m.box for m in part.items] + ([head.box] if head is not None else [])
    part.box = _union(boxes)


def _flow(part: Part, size: BodySize) -> list[Item]:
    """A part's body blocks in reading order (by columns), its captions after what stands
    above them (a subhead) and before the running text."""
    captions = sorted(
        (m for m in part.items if m.kind == Kind.CAPTION), key=lambda m: (m.box.y0, m.box.x0)
    )
    bodies = [m for m in part.items if m.kind == Kind.BODY]
    if vertical_page([ln for b in bodies for ln in b.lines]):
        order = box_order([b.box for b in bodies])
    else:
        order = xy_order(
            [b.box for b in bodies], vertical_first=True, shrink=0.1 * size.height, overlap=0.05
        )
    flow: list[Item] = [bodies[i] for i in order]
    if captions:
        top = captions[0].box.y0
        k = next((k for k, b in enumerate(flow) if b.box.y1 > top), len(flow))
        flow[k:k] = captions
    return flow


def _read_columns(part: Part, lines: list[Line], text: _Paragraphs) -> None:
    """A body block set in vertical lines, column by column in their reading order: a
    paragraph starts at a column that starts lower than the block's top (indented) or
    after one that ends short of its foot."""
    top = min(ln.box.y0 for ln in lines)
    foot = max(ln.box.y1 for ln in lines)
    for ln in vertical_order(lines):
        read = _read_row(part, [ln])
        if read:
            step = advance(ln) if is_vertical(ln) else ln.box.height
            text.row(read, ln.box.y0 - top > 0.8 * step, short=ln.box.y1 < foot - 1.5 * step)


def _read_row(part: Part, row: list[Line]) -> str:
    """The text of a row of body lines, jump phrases out (noted on the part, and a line
    that is only a jump kept out of its lines); the lines go on the part's lines."""
    text = ""
    for ln in row:
        j = find_jump(ln.text)
        if j is not None:
            (part.out if j.direction == "out" else part.into).append(j.page)
            if j.whole:
                part.jump_lines.append(ln.id)
                continue
            piece = strip_jump(ln.text)
        else:
            piece = ln.text.strip()
        part.lines.append(ln.id)
        text = join_text(text, piece)
    return text


class _Paragraphs:
    """Rows of text joined into paragraphs: a paragraph starts at an indented row or
    after a short one."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.current = ""
        self.short = False  # the last row ended short of the column's right edge

    def end(self) -> None:
        if self.current:
            self.done.append(self.current)
            self.current = ""

    def add(self, text: str) -> None:
        """A paragraph of its own (a caption)."""
        self.end()
        self.done.append(text)

    def row(self, text: str, indent: bool, short: bool) -> None:
        if self.current and (indent or self.short):
            self.end()
        self.current = join_text(self.current, text)
        self.short = short


def rows_text(rows: list[list[Line]]) -> str:
    """The text of rows of lines, top to bottom, as one paragraph."""
    text = ""
    for row in rows:
        text = join_text(text, row_text(row))
    return text
