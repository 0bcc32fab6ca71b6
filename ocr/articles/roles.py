"""Line roles: what each line is to article assembly (headline, subhead, caption, body
or not article text), from its region's kind or guessed from geometry; page furniture."""

from __future__ import annotations

from ocr.model import NOT_ARTICLE, Box, Kind, Line, PageLayout
from ocr.text import BodySize, find_jump, is_display, is_folio, is_vertical, line_rows, units

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union

# The role of a line of a classified region: its kind (a jump line is read as body text).
ROLES = {k: k for k in (Kind.HEADLINE, Kind.SUBHEAD, Kind.CAPTION, Kind.BODY)} | {
    Kind.JUMP: Kind.BODY
}


def _flat_rules(page: PageLayout, size: BodySize) -> list[Box]:
    """Horizontal rules, the pieces of one broken rule (same height, small gaps) joined."""
    flat = sorted(
        (
            r.box
            for r in page.regions
            if r.kind == Kind.RULE
            and r.box.width > 3 * r.box.height
            and r.box.height <= max(3.0, size.height)
        ),
        key=lambda b: b.x0,
    )
    out: list[Box] = []
    for b in flat:
        for i, o in enumerate(out):
            if (
                abs(o.center[1] - b.center[1]) <= 0.5 * size.height
                and b.x0 - o.x1 <= 2 * size.height
            ):
                out[i] = _union([o, b])
                break
        else:
            out.append(b)
    return out


def _furniture(page: PageLayout, lines: list[Line], size: BodySize) -> set[str]:
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
    flat = sorted(_flat_rules(page, size), key=lambda b: b.y0)
    for rule in [b for b in flat if b.width >= 0.6 * (right - left)][:1]:
        above = [ln for ln in lines if ln.box.center[1] < rule.center[1]]
        if above and len(above) <= 40 and rule.y0 - top <= 0.2 * height:
            out.update(ln.id for ln in above)
    if not out:
        huge = [
            ln
            for ln in lines
            if ln.box.height >= 3.5 * size.height
            and not is_vertical(ln)
            and ln.box.y1 <= top + 0.2 * height
            and units(ln.text) <= 20
        ]
        if huge:
            mast = max(huge, key=lambda ln: ln.box.height).box
            under = [b for b in flat if mast.y1 <= b.y0 <= mast.y1 + 0.1 * height]
            limit = max((b.y0 for b in under), default=mast.y1)
            band = [ln for ln in lines if ln.box.center[1] < limit]
            if len(band) <= 40:
                out.update(ln.id for ln in band)
    for edge in ("top", "bottom"):
        rows = line_rows([ln for ln in lines if ln.id not in out])
        if not rows:
            continue
        row = rows[0] if edge == "top" else rows[-1]
        near = (
            row[0].box.y0 <= top + 0.1 * height
            if edge == "top"
            else row[0].box.y1 >= bottom - 0.1 * height
        )
        text = "".join(ln.text for ln in row)
        if near and is_folio(text) and units(text) <= 30 and not find_jump(text):
            out.update(ln.id for ln in row)
    return out


def line_roles(
    page: PageLayout, lines: list[Line], size: BodySize
) -> tuple[dict[str, str], set[str]]:
    """Each line's role, a kind (headline, subhead, caption, body, or furniture: not
    article text), from its region's kind, or guessed from geometry for unclassified
    lines (returned as the second value)."""
    kind_of = {r.id: r.kind for r in page.regions}
    unclassified = [ln for ln in lines if kind_of.get(ln.region, Kind.TEXT) == Kind.TEXT]
    furniture = _furniture(page, unclassified, size)
    role: dict[str, str] = {}
    guessed: set[str] = set()
    for ln in lines:
        kind = kind_of.get(ln.region, Kind.TEXT)
        if kind in NOT_ARTICLE or ln.id in furniture:
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
    return role, guessed


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
