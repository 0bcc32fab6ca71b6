"""Line roles: what each line is to article assembly, by kind or by geometry.

A role is a kind (headline, subhead, caption, body, or furniture: not article text),
from the line's region's kind or guessed from geometry for unclassified lines.
"""

from __future__ import annotations

from ocr.model import NOT_ARTICLE, Box, Kind, Line, PageLayout
from ocr.text import (
    BodySize,
    TextPage,
    find_jump,
    is_display,
    is_vertical,
    jump_target,
    units,
)

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
    columns = {ln.id for ln in lines if kind_of.get(ln.region, Kind.TEXT) in (Kind.BODY, Kind.TEXT)}
    _column_heads(lines, role, size, columns)
    rules = [r.box for r in page.regions if r.kind == Kind.RULE and r.box.width > r.box.height]
    return role, guessed, _inline_subheads(lines, role, size, rules)


def _tail(line: Line, size: BodySize) -> bool:
    """A short line of body size ending a sentence: a paragraph's last line."""
    text = line.text.strip()
    return (
        bool(text)
        and text[-1] in "。！？!?"
        and units(text) <= 12
        and line.box.height <= 1.2 * size.height
    )


def _column_heads(
    lines: list[Line], role: dict[str, str], size: BodySize, columns: set[str]
) -> None:
    """A subhead line set tight on a column of body text (no more space under it than
    between the column's lines) and to its measure (its first line's indent aside) is
    that column's first line, read a little taller: body text. A subhead stands off
    from the text under it. ``columns``: the lines of body (or unclassified) regions
    (not a subhead's last line, read as body)."""
    body = [ln for ln in lines if role[ln.id] == Kind.BODY and ln.id in columns]
    adv = size.advance
    for ln in lines:
        if role[ln.id] != Kind.SUBHEAD:
            continue
        b = ln.box
        under = [
            o.box
            for o in body
            if -0.2 * o.box.height <= o.box.y0 - b.y1 <= 0.3 * o.box.height
            and _xov(o.box, b) >= 0.8 * min(o.box.width, b.width)
        ]
        if any(o.x0 - adv <= b.x0 <= o.x0 + 2.5 * adv and abs(b.x1 - o.x1) <= adv for o in under):
            role[ln.id] = Kind.BODY


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


def _inline_subheads(
    lines: list[Line], role: dict[str, str], size: BodySize, rules: list[Box]
) -> set[str]:
    """Subheads set inside a column's running text (a crosshead, a pull quote between
    rules; see :func:`_inline`) read as body text there: a subhead with no headline over
    it would else stand for a headline and take the text under it, and one under a
    headline would stretch the headline down past the columns beside it. Returns their
    line ids. ``rules``: the page's horizontal rules. Headline lines framed that way
    (a rule right over them and one right under them, the column's text above or
    below them) are a pull quote taken for a headline: read so too; a headline opens
    its article with no rule between it and its text."""
    groups: dict[tuple[str, str | None], list[Line]] = {}
    for ln in lines:
        if role[ln.id] in (Kind.SUBHEAD, Kind.HEADLINE) and not is_vertical(ln):
            groups.setdefault((role[ln.id], ln.region), []).append(ln)
    out: set[str] = set()
    for (kind, _), group in groups.items():
        if _inline(group, lines, role, size, rules, framed=kind == Kind.HEADLINE):
            for ln in group:
                role[ln.id] = Kind.BODY
                out.add(ln.id)
    return out


def _inline(
    group: list[Line],
    lines: list[Line],
    role: dict[str, str],
    size: BodySize,
    rules: list[Box],
    framed: bool = False,
) -> bool:
    """Whether subhead lines ``group`` stand in a column's text: its body text close
    above them (within three of their rows; a caption beside them aside) and close under
    them or a rule closing them; or they open a column, level with the first line of
    the column beside it or between two rules, its text close under them. They keep
    within the column's measure. ``framed``: only between two rules, the column's text
    close above or under them."""
    box = _union(ln.box for ln in group)
    reach = 3.0 * max(size.height, max(ln.box.height for ln in group))
    ids = {ln.id for ln in group}
    column = [
        o
        for o in lines
        if o.id not in ids
        and role[o.id] in (Kind.BODY, Kind.HEADLINE, Kind.SUBHEAD)
        and _xov(o.box, box) >= 0.5 * min(o.box.width, box.width)
    ]
    up = max(
        (o for o in column if o.box.y1 <= box.y0 + 0.3 * size.height), key=_bottom, default=None
    )
    down = min(
        (o for o in column if o.box.y0 >= box.y1 - 0.3 * size.height), key=_top, default=None
    )

    blocks = {o.region for o in (up, down) if o is not None and role[o.id] == Kind.BODY}
    near = [o.box for o in column if o.region in blocks]  # the columns' measure
    slack = 2 * size.advance  # a paragraph's indent
    inside = bool(near) and (
        box.x0 >= min(b.x0 for b in near) - slack and box.x1 <= max(b.x1 for b in near) + slack
    )

    def body(o: Line | None, gap: float) -> bool:
        return inside and role[o.id] == Kind.BODY and gap <= reach

    above = up is not None and body(up, box.y0 - up.box.y1)
    below = down is not None and body(down, down.box.y0 - box.y1)
    opened, closed = _ruled_round(box, rules, reach, up, down)
    if framed:
        return opened and closed and (above or below)
    measure = _union(near) if near else box  # its column's extent
    level = any(
        role[o.id] == Kind.BODY
        and _xov(o.box, measure) <= 0
        and abs(o.box.y0 - box.y0) <= 0.8 * size.height
        and max(o.box.x0, measure.x0) - min(o.box.x1, measure.x1) <= 2 * size.advance
        for o in lines
    )
    return (above and (below or closed)) or ((level or (opened and closed)) and below)


def _ruled_round(
    box: Box, rules: list[Box], reach: float, up: Line | None, down: Line | None
) -> tuple[bool, bool]:
    """Whether a rule of ``rules`` over ``box`` stands right above it (below ``up``, the
    line above it) and one right under it (above ``down``), within ``reach``."""
    over = [r for r in rules if _xov(r, box) >= 0.5 * box.width]
    opened = any(0 <= box.y0 - r.y1 <= reach and (up is None or r.y0 >= up.box.y1) for r in over)
    closed = any(
        0 <= r.y0 - box.y1 <= reach and (down is None or r.y1 <= down.box.y0) for r in over
    )
    return opened, closed


def _top(ln: Line) -> float:
    return ln.box.y0


def _bottom(ln: Line) -> float:
    return ln.box.y1
