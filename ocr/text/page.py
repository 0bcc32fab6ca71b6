"""A page's lines with its rules, photos and QR codes: page furniture and boxes of rules.

The page furniture is the masthead, the running heads and the page numbers; a box of
rules is the frame around a block of text (an ad, a notice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ocr.model import Box, Kind, Line, Region
from ocr.text.lines import BodySize, advance, body_size, is_vertical, type_size, units
from ocr.text.numbers import issue_number, page_number, parse_date

_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union
PICTURE_MARK = 3  # characters: a line this short inside a photo or QR code is a mark


@dataclass
class TextPage:
    """A page's lines and what else the layout found on it. Boxes in deskewed pixels."""

    lines: list[Line]
    width: float
    height: float
    size: BodySize  # of body text
    extent: Box  # all the text
    hrules: list[Box] = field(default_factory=list)
    vrules: list[Box] = field(default_factory=list)
    photos: list[Box] = field(default_factory=list)
    qrs: list[Box] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        regions: list[Region],
        lines: list[Line],
        width: float,
        height: float,
        size: BodySize | None = None,
    ) -> TextPage:
        """The page of these regions and lines; ``size``: of body text (measured on
        ``lines`` when not given)."""
        extent = _union(ln.box for ln in lines) if lines else Box(0, 0, width, height)
        page = cls(lines, width, height, size or body_size(lines), extent)
        for r in regions:
            if r.kind == Kind.RULE:
                (page.hrules if r.box.width >= r.box.height else page.vrules).append(r.box)
            elif r.kind == Kind.PHOTO:
                page.photos.append(r.box)
            elif r.kind == Kind.QR:
                page.qrs.append(r.box)
        return page

    @property
    def body(self) -> float:
        """The height of a line of body text."""
        return self.size.height

    @property
    def advance(self) -> float:
        """Pixels per character of body text."""
        return self.size.advance

    def ratio(self, line: Line) -> float:
        """A line's type size over body text's."""
        return type_size(line) / self.body

    def adv_ratio(self, line: Line) -> float:
        """A line's advance over body text's."""
        return advance(line) / self.advance

    # ------------------------------------------------------------------ furniture

    def furniture(self, lines: list[Line]) -> dict[str, str]:
        """Which of ``lines`` are page furniture (line id -> ``masthead`` or ``folio``):
        the masthead or the running head at the top (the band above the rule under it,
        or the lines level with the topmost one); the page number at the foot."""
        found: dict[str, str] = {}
        if not lines:
            return found
        head_rule = self._head_rule(lines)
        if head_rule is not None:
            band = [ln for ln in lines if ln.box.center[1] < head_rule.center[1]]
        else:  # the lines level with the topmost one, and with those, and so on
            band = []
            for ln in sorted(lines, key=lambda ln: ln.box.y0):
                if band and ln.box.y0 >= max(o.box.y1 for o in band) - 0.2 * ln.box.height:
                    break
                band.append(ln)
        if band:
            found.update(self._head_band(lines, band, head_rule))
        foot = self._foot([ln for ln in lines if ln.id not in found])
        found.update((ln.id, Kind.FOLIO) for ln in foot)
        return found

    def picture_marks(self, lines: list[Line]) -> set[str]:
        """Ids of ``lines`` that are marks in a picture, not text of the page: a line of
        at most PICTURE_MARK characters whose middle lies in a photo or a QR code (what
        a recognizer reads into a QR code's modules or a photo's texture: ``■``,
        ``回铣口``; a headline over a photo is longer)."""
        pictures = self.photos + self.qrs
        return {
            ln.id
            for ln in lines
            if len(ln.text.strip()) <= PICTURE_MARK
            and any(p.contains_point(ln.box.center) for p in pictures)
        }

    def _head_rule(self, lines: list[Line]) -> Box | None:
        """The rule under the masthead or running head: the first long rule (maybe
        broken) in the top third of the text with a few lines above it."""
        ext = self.extent
        for r in sorted(self.joined_rules(), key=lambda r: r.y0):
            if r.width < 0.6 * ext.width:
                continue
            if r.y0 > ext.y0 + 0.35 * ext.height:
                return None
            above = [ln for ln in lines if ln.box.center[1] < r.center[1]]
            if not above:
                continue  # a border above all the text
            return r if len(above) <= max(12, 0.2 * len(lines)) else None
        return None

    def joined_rules(self) -> list[Box]:
        """The horizontal rules, the pieces of one broken rule (level, with gaps of up to
        two lines of body text) joined."""
        out: list[Box] = []
        for b in sorted(self.hrules, key=lambda b: b.x0):
            for i, o in enumerate(out):
                level = abs(o.center[1] - b.center[1]) <= 0.5 * self.body
                if level and b.x0 - o.x1 <= 2 * self.body:
                    out[i] = _union([o, b])
                    break
            else:
                out.append(b)
        return out

    def _head_band(
        self, lines: list[Line], band: list[Line], head_rule: Box | None
    ) -> dict[str, str]:
        """The band at the top: a masthead (a big title near the top, with a date or
        huge), else a running head (small, or showing a page number or a date)."""
        # A page number other than 1 makes it a running head, however big the paper's name.
        running = any(page_number(ln.text) not in (None, 1) for ln in band)
        dated = any(parse_date(ln.text) or issue_number(ln.text) is not None for ln in band)
        title = max(
            (ln for ln in band if not is_vertical(ln) and units(ln.text) >= 1),
            key=lambda ln: ln.box.height,
            default=None,
        )
        if title is not None and title.box.height >= 2.2 * self.body and not running:
            title_h = title.box.height
            higher = [ln for ln in lines if ln.box.y1 <= title.box.y0 + 0.1 * title_h]
            if head_rule is not None and head_rule.y0 > title.box.y1 + 2 * title_h:
                band = [ln for ln in band if ln.box.center[1] < title.box.y1 + 0.5 * title_h]
            if len(higher) <= 3 and (dated or title_h >= 3 * self.body):
                return {ln.id: Kind.MASTHEAD for ln in band}
        if len(band) <= 8:
            small = max(map(self.ratio, band)) <= 1.6
            prose = any(re.search(r"[，。；]", ln.text) for ln in band)  # running text
            if (head_rule is not None and (small or running or dated)) or (
                (running or dated) and not prose
            ):
                return {ln.id: Kind.FOLIO for ln in band}
        return {}

    def _foot(self, lines: list[Line]) -> list[Line]:
        """The lowest row of ``lines``, when it is a page number at the foot of the page."""
        if not lines:
            return []
        ext = self.extent
        low = max(lines, key=lambda ln: ln.box.y1)
        reach = 0.5 * type_size(low)
        row = [ln for ln in lines if _yov(ln.box, low.box) >= min(0.5 * type_size(ln), reach)]
        if (
            low.box.center[1] >= ext.y0 + 0.85 * ext.height
            and len(row) <= 4
            and all(not is_vertical(ln) and units(ln.text) <= 24 for ln in row)
            and any(page_number(ln.text, foot=True) is not None for ln in row)
        ):
            return row
        return []

    # --------------------------------------------------------------------- frames

    def frame(self, box: Box) -> tuple[Box, int] | None:
        """The frame of rules around ``box`` (a block's text), if any: two parallel
        rules, close on either side (above and below, or left and right), of the same
        extent, with no other text between them; with how many sides (2, 3 or 4) have a
        rule."""
        near = 0.5 * self.body
        for frame in self._frames(box):
            inner = frame.pad(-near)
            if any(
                inner.contains_point(ln.box.center) and not box.pad(1).contains_point(ln.box.center)
                for ln in self.lines
            ):
                continue  # other text inside: rules around a part of the page, not a box
            return frame, self._sides(frame)
        return None

    def _frames(self, box: Box) -> list[Box]:
        """The boxes of the lone rules closest above and below ``box``, and left and
        right of it, when they have the same extent."""
        tol = 1.5 * self.body
        near = 0.5 * self.body
        wide = [r for r in self.hrules if _xov(r, box) >= 0.9 * box.width]
        tall = [r for r in self.vrules if _yov(r, box) >= 0.9 * box.height]
        ups = [r for r in wide if r.y1 <= box.y0 + near]
        downs = [r for r in wide if r.y0 >= box.y1 - near]
        lefts = [r for r in tall if r.x1 <= box.x0 + near]
        rights = [r for r in tall if r.x0 >= box.x1 - near]
        frames = []
        if ups and downs:
            up, down = max(ups, key=lambda r: r.y1), min(downs, key=lambda r: r.y0)
            same = abs(up.x0 - down.x0) <= tol and abs(up.x1 - down.x1) <= tol
            if same and self._lone(up, "up") and self._lone(down, "down"):
                frames.append(Box(min(up.x0, down.x0), up.y0, max(up.x1, down.x1), down.y1))
        if lefts and rights:
            left, right = max(lefts, key=lambda r: r.x1), min(rights, key=lambda r: r.x0)
            same = abs(left.y0 - right.y0) <= tol and abs(left.y1 - right.y1) <= tol
            if same and self._lone(left, "left") and self._lone(right, "right"):
                top, bottom = min(left.y0, right.y0), max(left.y1, right.y1)
                frames.append(Box(left.x0, top, right.x1, bottom))
        return frames

    def _sides(self, f: Box) -> int:
        """How many sides of frame ``f`` have a rule ending at its corners."""
        tol = 1.5 * self.body

        def fits(r: Box, a0: float, a1: float) -> bool:
            return abs(r.x0 - a0) <= tol and abs(r.x1 - a1) <= tol

        def fits_v(r: Box, a0: float, a1: float) -> bool:
            return abs(r.y0 - a0) <= tol and abs(r.y1 - a1) <= tol

        return sum(
            (
                any(abs(r.center[1] - f.y0) <= tol and fits(r, f.x0, f.x1) for r in self.hrules),
                any(abs(r.center[1] - f.y1) <= tol and fits(r, f.x0, f.x1) for r in self.hrules),
                any(abs(r.center[0] - f.x0) <= tol and fits_v(r, f.y0, f.y1) for r in self.vrules),
                any(abs(r.center[0] - f.x1) <= tol and fits_v(r, f.y0, f.y1) for r in self.vrules),
            )
        )

    def _lone(self, rule: Box, side: str) -> bool:
        """Whether nothing but the page lies right outside ``rule`` (the ``side`` of a
        box): no text within a line's height of it, unless another rule stands between.
        A rule between two columns of text is no side of a box."""
        reach = 1.5 * self.body
        for ln in self.lines:
            b = ln.box
            if side in ("left", "right"):
                if _yov(b, rule) <= 0:
                    continue
                gap = rule.x0 - b.x1 if side == "left" else b.x0 - rule.x1
                lo, hi = (b.x1, rule.x0) if side == "left" else (rule.x1, b.x0)
                between = [v for v in self.vrules if lo <= v.center[0] <= hi and _yov(v, b) > 0]
            else:
                if _xov(b, rule) <= 0:
                    continue
                gap = rule.y0 - b.y1 if side == "up" else b.y0 - rule.y1
                lo, hi = (b.y1, rule.y0) if side == "up" else (rule.y1, b.y0)
                between = [h for h in self.hrules if lo <= h.center[1] <= hi and _xov(h, b) > 0]
            if -0.2 * self.body <= gap <= reach and not between:
                return False
        return True
