"""A stored page as the layout exports (ALTO, hOCR, PDF) see it: blocks, lines, tokens.

Everything is in original-scan pixels (the stored polygons). A block is a region with
its lines in stored (reading) order; a line knows whether it is vertical (asked of
``ocr.text.lines``), whether a reviewer corrected it, its article, and its tokens: one
per CJK character, one per run of Latin letters and digits (``XEV``, ``2021``), and the
spaces between. A token's box is a part of the line's polygon along its reading
direction. Where the recognizer gave each character's place (``lines.char_centres``:
the centre of each character as a fraction of the line's length, from PaddleOCR's CTC
columns), a character's part is its width in ems (the line's thickness an em) about
its centre, kept clear of its neighbours' halves, so the boxes follow the ink across
gaps; without them (older rows, other engines, a reviewer's corrected text) the
polygon is cut in proportion to the characters' widths in ems (a CJK character 1, a
Latin letter or digit about half, a space 0.3): exact for evenly set CJK lines, an
estimate elsewhere.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ocr import archive
from ocr.model import Box, Line, Point, Poly
from ocr.text.lines import is_vertical, units

SPACE_EMS = 0.3
# A token: a run of Latin letters and digits (with inner . , : ' - /), or one space run,
# or any other single character (a CJK character, a punctuation mark).
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.,:'’/-][A-Za-z0-9]+)*|\s+|.", re.S)


@dataclass
class Token:
    text: str
    quad: Poly
    space: bool = False

    @property
    def box(self) -> Box:
        return Box.from_poly(self.quad)


@dataclass
class LineView:
    id: int
    text: str
    confidence: float
    poly: Poly
    vertical: bool
    corrected: bool
    article: int | None
    tokens: list[Token] = field(default_factory=list)

    @property
    def box(self) -> Box:
        return Box.from_poly(self.poly)

    @property
    def angle(self) -> float:
        """The direction the line reads in, degrees counter-clockwise from the x axis
        as the eye sees it (a vertical line reading down: about -90)."""
        (x0, y0), (x1, y1) = (self.poly[0], self.poly[3] if self.vertical else self.poly[1])
        return -math.degrees(math.atan2(y1 - y0, x1 - x0))

    @property
    def words(self) -> list[Token]:
        return [t for t in self.tokens if not t.space]


@dataclass
class BlockView:
    id: int | str
    kind: str
    poly: Poly
    lines: list[LineView]
    article: int | None = None
    text: str | None = None  # a QR code's content

    @property
    def box(self) -> Box:
        return Box.from_poly(self.poly)


@dataclass
class PageView:
    id: int
    number: int
    printed_number: int | None
    width: int
    height: int
    dpi: int | None
    source: str
    page_index: int
    sha256: str
    confidence: float | None
    processed_at: str | None
    provenance: dict[str, Any]
    blocks: list[BlockView]

    @property
    def lines(self) -> list[LineView]:
        return [ln for b in self.blocks for ln in b.lines]

    @property
    def corrected(self) -> bool:
        return any(ln.corrected for ln in self.lines)


def page_views(db, record: dict[str, Any]) -> list[PageView]:
    """The issue's processed pages as views, with the provenance each was read with."""
    pages = [p for p in record["pages"] if p["status"] == "done"]
    prov = archive.provenance_records(db, [p["provenance_id"] for p in pages])
    return [page_view(p, prov.get(p["provenance_id"])) for p in pages]


def page_row(record: dict[str, Any], view: PageView) -> dict[str, Any]:
    return next(p for p in record["pages"] if p["id"] == view.id)


def page_view(page: dict[str, Any], provenance: dict[str, Any] | None = None) -> PageView:
    """The view of a stored page (a row of ``archive.issue_record``'s pages)."""
    by_region: dict[Any, list[LineView]] = {}
    for row in page["lines"]:
        by_region.setdefault(row["region_id"], []).append(line_view(row))
    blocks = [
        BlockView(
            r["id"],
            r["kind"],
            _poly(r["poly"]),
            by_region.pop(r["id"], []),
            r["article_id"],
            r["text"],
        )
        for r in page["regions"]
    ]
    for lines in by_region.values():  # lines whose region is gone: a block each
        blocks += [BlockView(f"L{ln.id}", "text", ln.poly, [ln], ln.article) for ln in lines]
    return PageView(
        id=page["id"],
        number=page["number"],
        printed_number=page.get("printed_number"),
        width=page["width"] or 0,
        height=page["height"] or 0,
        dpi=page["dpi"],
        source=page["source"],
        page_index=page["page_index"],
        sha256=page["source_sha256"],
        confidence=page.get("confidence"),
        processed_at=page.get("processed_at"),
        provenance=provenance or {},
        blocks=blocks,
    )


def line_view(row: dict[str, Any]) -> LineView:
    poly = _poly(row["poly"])
    text = row["text"].strip()
    probe = Line(str(row["id"]), text, 0.0, poly, _deskewed_box(row, poly))
    vertical = is_vertical(probe)
    return LineView(
        id=row["id"],
        text=text,
        confidence=min(1.0, max(0.0, row["confidence"] or 0.0)),
        poly=poly,
        vertical=vertical,
        corrected=bool(row.get("corrected")),
        article=row.get("article_id"),
        tokens=tokens(text, poly, vertical, _centres(row, text)),
    )


def _centres(row: dict[str, Any], text: str) -> list[float] | None:
    """The recognizer's character centres of a stored line, when they are for its text
    (not after a reviewer's correction, not for text with white space trimmed)."""
    raw = row.get("char_centres")
    if not raw or row.get("corrected") or row["text"] != row.get("ocr_text", row["text"]):
        return None
    centres = json.loads(raw)
    return centres if len(centres) == len(text) == len(row["text"]) else None


def _deskewed_box(row: dict[str, Any], poly: Poly) -> Box:
    if row.get("x0") is None:
        return Box.from_poly(poly)
    return Box(row["x0"], row["y0"], row["x1"], row["y1"])


def ems(text: str) -> float:
    """How long ``text`` runs in ems, as the exports lay characters out: a CJK character
    1, other characters about half (``ocr.text.lines.units``), a space 0.3."""
    return sum(SPACE_EMS if c.isspace() else units(c) or SPACE_EMS for c in text)


def tokens(
    text: str, poly: Poly, vertical: bool, centres: list[float] | None = None
) -> list[Token]:
    """The tokens of a line's text, each with its share of the line's polygon: about
    the recognizer's character ``centres`` (fractions of the line's length, one per
    character) when given, else cut in proportion to the tokens' ems."""
    parts = _TOKEN.findall(text)
    if centres is not None and len(centres) == len(text):
        spans, at = char_spans(text, centres, _em_fraction(poly, vertical)), 0
        cuts = []
        for part in parts:
            cuts.append((spans[at][0], spans[at + len(part) - 1][1]))
            at += len(part)
    else:
        cuts = _even_cuts(parts)
    return [
        Token(part, _slice(poly, f0, f1, vertical), space=part.isspace())
        for part, (f0, f1) in zip(parts, cuts)
    ]


def _even_cuts(parts: list[str]) -> list[tuple[float, float]]:
    """Each token's part of the line, in proportion to its ems (a run of spaces 0.3)."""
    widths = [SPACE_EMS if p.isspace() else ems(p) for p in parts]
    total = sum(widths) or 1.0
    out, at = [], 0.0
    for w in widths:
        out.append((at / total, (at + w) / total))
        at += w
    return out


def char_spans(text: str, centres: list[float], em: float) -> list[tuple[float, float]]:
    """Each character's part of the line (fractions of its length) from its centre: its
    width in ems about the centre, clipped at the midpoints to its neighbours' centres;
    a space spans the gap between the characters either side."""
    n = len(text)
    mids = [0.0] + [(a + b) / 2 for a, b in zip(centres, centres[1:])] + [1.0]
    spans = []
    for i, (c, ch) in enumerate(zip(centres, text)):
        half = ems(ch) * em / 2
        spans.append((max(mids[i], c - half), min(mids[i + 1], c + half)))
    for i, ch in enumerate(text):  # a space: from the ink before it to the ink after it
        if ch.isspace():
            lo = spans[i - 1][1] if i > 0 else spans[i][0]
            hi = spans[i + 1][0] if i + 1 < n and not text[i + 1].isspace() else spans[i][1]
            spans[i] = (min(lo, hi), max(lo, hi))
    return [(max(0.0, a), min(1.0, max(a, b))) for a, b in spans]


def _em_fraction(poly: Poly, vertical: bool) -> float:
    """An em (the line's thickness) as a fraction of the line's length."""
    tl, tr, _, bl = poly
    length, thickness = (
        (_dist(tl, bl), _dist(tl, tr)) if vertical else (_dist(tl, tr), _dist(tl, bl))
    )
    return thickness / length if length > 0 else 1.0


def _dist(a: Point, b: Point) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def _slice(poly: Poly, f0: float, f1: float, vertical: bool) -> Poly:
    """The part of a quadrilateral between fractions ``f0`` and ``f1`` of its length
    along the reading direction (left to right, or top to bottom when vertical)."""
    tl, tr, br, bl = poly
    if vertical:
        return [_lerp(tl, bl, f0), _lerp(tr, br, f0), _lerp(tr, br, f1), _lerp(tl, bl, f1)]
    return [_lerp(tl, tr, f0), _lerp(tl, tr, f1), _lerp(bl, br, f1), _lerp(bl, br, f0)]


def _lerp(a: Point, b: Point, f: float) -> Point:
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


def _poly(text: str) -> Poly:
    return [(float(x), float(y)) for x, y in json.loads(text)]
