"""Line roles: what each line is to article assembly, by kind or by geometry.

A role is a kind (headline, subhead, caption, body, or furniture: not article text),
from the line's region's kind or guessed from geometry for unclassified lines.
"""

from __future__ import annotations

from ocr.model import NOT_ARTICLE, Box, Kind, Line, PageLayout
from ocr.text import BodySize, TextPage, find_jump, is_display, jump_target, units

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union

# The role of a line of a classified region: its kind (a jump line is read as body text).
ROLES = {k: k for k in (Kind.HEADLINE, Kind.SUBHEAD, Kind.CAPTION, Kind.BODY)} | {
    Kind.JUMP: Kind.BODY
}


def line_roles(
    page: PageLayout, text: TextPage, size: BodySize
) -> tuple[dict[str, str], set[str], set[str]]:
    """Each line's role, a kind (headline, subhead, caption, body, or furniture: not
    article text), from its region's kind, or guessed from geometry for unclassified
    lines (returned as the second value): the page furniture of the region classifier
    (masthead, running head, page number), headlines by display type. Third value: the
    subhead lines set inside a column's running text (crossheads, pull quotes), given
    the role of body text (see :func:`_inline_subheads`)."""
    lines = text.lines
    kind_of = {r.id: r.kind for r in page.regions}
    unclassified = [
        ln
        for ln in lines
        if kind_of.get(ln.region, Kind.TEXT) == Kind.TEXT and jump_target(ln.text) is None
    ]
    furniture = text.furniture(unclassified)
    marks = text.picture_marks(lines)
    role: dict[str, str] = {}
    guessed: set[str] = set()
    for ln in lines:
        kind = kind_of.get(ln.region, Kind.TEXT)
        if kind in NOT_ARTICLE or ln.id in furniture or ln.id in marks:
            role[ln.id] = Kind.FURNITURE
        elif kind == Kind.SUBHEAD and _tail(ln, size):
            role[ln.id] = Kind.BODY  # the last line of a paragraph, not a subhead
        elif kind in ROLES:
            role[ln.id] = ROLES[kind]
        else:
            whole_jump = (j := find_jump(ln.text)) is not None and j.whole
            role[ln.id] = Kind.HEADLINE if not whole_jump and is_display(ln, size) else Kind.BODY
            guessed.add(ln.id)
    _crossheads(lines, role, size)
    return role, guessed, _inline_subheads(lines, role, size)


def _tail(line: Line, size: BodySize) -> bool:
    """A short line of body size ending a sentence: a paragraph's last line."""
    text = line.text.strip()
    return (
        bool(text)
        and text[-1] in "。！？!?"
        and units(text) <= 12
        and line.box.height <= 1.2 * size.height
    )


def _crossheads(lines: list[Line], role: dict[str, str], size: BodySize) -> None:
    """A headline or subhead of body size set right under body text in the same column
    is a crosshead (a heading inside an article) or body text taken for one, and so is
    a bigger one set tight between the lines of a column: it stays in the running
    text. Top to bottom, so a run of them under body text goes too."""
    groups: dict[str | None, list[Line]] = {}
    for ln in lines:
        if role[ln.id] in (Kind.HEADLINE, Kind.SUBHEAD):
            groups.setdefault(ln.region, []).append(ln)
    body = [ln for ln in lines if role[ln.id] == Kind.BODY]

    def touches(a: Line, b: Line, reach: float) -> bool:  # b right under a, same column
        return -0.2 * size.height <= b.box.y0 - a.box.y1 <= reach and _xov(
            a.box, b.box
        ) >= 0.5 * min(a.box.width, b.box.width)

    for group in sorted(groups.values(), key=lambda g: min(ln.box.y0 for ln in g)):
        top = min(group, key=lambda ln: ln.box.y0)
        bottom = max(group, key=lambda ln: ln.box.y1)
        if any(is_display(ln, size) for ln in group):
            # A bigger line set tight between the lines of a column is body text too.
            tight = 0.3 * size.height
            if not (
                any(touches(b, top, tight) for b in body)
                and any(touches(bottom, b, tight) for b in body)
            ):
                continue
        elif not any(touches(b, top, size.height) for b in body):
            continue
        for ln in group:
            role[ln.id] = Kind.BODY
        body += group


def _inline_subheads(lines: list[Line], role: dict[str, str], size: BodySize) -> set[str]:
    """Subheads set inside one column's running text (a crosshead, a pull quote between
    rules): the nearest lines straight above and below them are body text of that
    column (a caption beside it aside), each within three of their own rows, and they
    keep within its measure. They
    read as body text there (a subhead with no headline over it would else stand for a
    headline and take the text under it). Returns their line ids."""
    groups: dict[str | None, list[Line]] = {}
    for ln in lines:
        if role[ln.id] == Kind.SUBHEAD:
            groups.setdefault(ln.region, []).append(ln)
    out: set[str] = set()
    for group in groups.values():
        box = _union(ln.box for ln in group)
        reach = 3.0 * max(size.height, max(ln.box.height for ln in group))
        column = [
            o
            for o in lines
            if o.id not in {ln.id for ln in group}
            and role[o.id] in (Kind.BODY, Kind.HEADLINE, Kind.SUBHEAD)
            and _xov(o.box, box) >= 0.5 * min(o.box.width, box.width)
        ]
        up = [o for o in column if o.box.y1 <= box.y0 + 0.3 * size.height]
        down = [o for o in column if o.box.y0 >= box.y1 - 0.3 * size.height]
        if not up or not down:
            continue
        a = max(up, key=lambda o: o.box.y1)
        b = min(down, key=lambda o: o.box.y0)
        if role[a.id] != Kind.BODY or role[b.id] != Kind.BODY:
            continue
        if box.y0 - a.box.y1 > reach or b.box.y0 - box.y1 > reach:
            continue
        slack = size.advance
        if box.x0 < min(a.box.x0, b.box.x0) - slack or box.x1 > max(a.box.x1, b.box.x1) + slack:
            continue
        for ln in group:
            role[ln.id] = Kind.BODY
            out.add(ln.id)
    return out
