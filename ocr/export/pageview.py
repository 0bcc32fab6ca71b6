"""A stored page as the layout exports (ALTO, hOCR, PDF) see it: blocks, lines, tokens.

Everything is in original-scan pixels (the stored polygons). A block is a region with
its lines in stored (reading) order; a line knows whether it is vertical (asked of
``ocr.text.lines``), whether a reviewer corrected it, its article, and its tokens: one
per CJK character, one per run of Latin letters and digits (``XEV``, ``2021``), and the
spaces between. The archive keeps a box per line, not per character (the recognizer's
character positions are not stored), so a token's box is the line's polygon cut along
its reading direction in proportion to the characters' widths in ems (a CJK character
1, a Latin letter or digit about half, a space 0.3): exact for evenly set CJK lines,
an estimate elsewhere.
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
        tokens=tokens(text, poly, vertical),
    )


def _deskewed_box(row: dict[str, Any], poly: Poly) -> Box:
    if row.get("x0") is None:
        return Box.from_poly(poly)
    return Box(row["x0"], row["y0"], row["x1"], row["y1"])


def ems(text: str) -> float:
    """How long ``text`` runs in ems, as the exports lay characters out: a CJK character
    1, other characters about half (``ocr.text.lines.units``), a space 0.3."""
    return sum(SPACE_EMS if c.isspace() else units(c) or SPACE_EMS for c in text)


def tokens(text: str, poly: Poly, vertical: bool) -> list[Token]:
    """The tokens of a line's text, each with its share of the line's polygon."""
    parts = _TOKEN.findall(text)
    widths = [SPACE_EMS if p.isspace() else ems(p) for p in parts]
    total = sum(widths) or 1.0
    out, at = [], 0.0
    for part, w in zip(parts, widths):
        f0, f1 = at / total, (at + w) / total
        at += w
        out.append(Token(part, _slice(poly, f0, f1, vertical), space=part.isspace()))
    return out


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
