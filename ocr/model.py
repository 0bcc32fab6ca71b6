"""The one data model: pages, regions and lines with their geometry; the kinds.

Coordinate convention (used everywhere in this package):

* Pixels, origin at the top-left corner of an image, ``x`` grows to the right and
  ``y`` grows downwards. A pixel's centre is at ``(i + 0.5, j + 0.5)``; boxes are
  half-open: a box ``(x0, y0, x1, y1)`` covers ``x0 <= x < x1``.
* A :class:`Box` is axis-aligned in the image it belongs to; a polygon (``Poly``)
  is a list of four ``(x, y)`` points, clockwise from the top-left corner of the text
  as it reads (top-left, top-right, bottom-right, bottom-left).
* "Scan" coordinates are pixels of the original page image (for a PDF, rasterized at
  the page's ``dpi``). "Deskewed" coordinates are pixels of the deskewed page image.
  :class:`Deskew` maps between the two; the stored polygon of a line is always in scan
  coordinates, its stored box in deskewed coordinates.
* ``skew_degrees`` is the rotation of the text in the scan, counter-clockwise positive
  (as the eye sees it on screen). Deskewing rotates the scan by ``-skew_degrees``.

Engine output (PaddleOCR dicts, OpenCV arrays) is converted into these types at the
edge and never travels further. Every type round-trips through plain dicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Self

Point = tuple[float, float]
Poly = list[Point]


class Kind:
    """The one vocabulary of kinds, for regions and their lines alike (plain strings,
    stored as they are). The layout gives ``TEXT``, ``PHOTO``, ``QR`` and ``RULE``
    blocks; the region classifier gives each line of a text block one of
    :data:`TEXT_KINDS` and cuts the block by kind; article assembly reads every line by
    the same names (a ``JUMP`` line as ``BODY``), and calls ``FURNITURE`` what is on the
    page but in no article."""

    TEXT = "text"  # a text block whose finer kind is not known (yet)
    HEADLINE = "headline"
    SUBHEAD = "subhead"  # a subhead or kicker, with its headline
    BODY = "body"
    CAPTION = "caption"  # of a photo or QR code
    JUMP = "jump"  # a line that is only a jump: （下转第2版）
    AD = "ad"
    MASTHEAD = "masthead"
    FOLIO = "folio"  # a running head or page number
    PHOTO = "photo"
    QR = "qr"
    RULE = "rule"
    FURNITURE = "furniture"  # (assembly) not article text, and no text passes it


# What the region classifier makes of the lines of text blocks.
TEXT_KINDS = (
    Kind.MASTHEAD,
    Kind.FOLIO,
    Kind.HEADLINE,
    Kind.SUBHEAD,
    Kind.BODY,
    Kind.CAPTION,
    Kind.AD,
    Kind.JUMP,
)
NOT_TEXT = frozenset({Kind.PHOTO, Kind.QR, Kind.RULE})  # blocks that hold no lines
NOT_ARTICLE = NOT_TEXT | {Kind.MASTHEAD, Kind.FOLIO, Kind.AD}  # kinds of no article text


@dataclass(frozen=True)
class Box:
    """An axis-aligned box ``(x0, y0, x1, y1)``, half-open, in one image's pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    @property
    def center(self) -> Point:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    def poly(self) -> Poly:
        return [(self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1)]

    def x_overlap(self, other: Box) -> float:
        """Width shared with ``other`` (negative: the gap between them)."""
        return min(self.x1, other.x1) - max(self.x0, other.x0)

    def y_overlap(self, other: Box) -> float:
        """Height shared with ``other`` (negative: the gap between them)."""
        return min(self.y1, other.y1) - max(self.y0, other.y0)

    def intersection(self, other: Box) -> float:
        return max(0.0, self.x_overlap(other)) * max(0.0, self.y_overlap(other))

    def contains_point(self, p: Point) -> bool:
        return self.x0 <= p[0] < self.x1 and self.y0 <= p[1] < self.y1

    def pad(self, d: float) -> Box:
        return Box(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)

    def clip(self, width: float, height: float) -> Box:
        return Box(
            min(max(self.x0, 0), width),
            min(max(self.y0, 0), height),
            min(max(self.x1, 0), width),
            min(max(self.y1, 0), height),
        )

    def offset(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def as_list(self) -> list[float]:
        return [self.x0, self.y0, self.x1, self.y1]

    @classmethod
    def union(cls, boxes: Iterable[Box]) -> Box:
        """The smallest box holding all ``boxes`` (at least one)."""
        boxes = list(boxes)
        return cls(
            min(b.x0 for b in boxes),
            min(b.y0 for b in boxes),
            max(b.x1 for b in boxes),
            max(b.y1 for b in boxes),
        )

    @classmethod
    def from_poly(cls, poly: Poly) -> Box:
        xs = [p[0] for p in poly]
        ys = [p[1] for p in poly]
        return cls(min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True)
class Deskew:
    """The affine map from scan pixels to deskewed-image pixels.

    The deskewed image is the scan rotated by ``-skew_degrees`` about the scan's
    centre, on a canvas of ``width`` x ``height`` big enough to hold the whole scan.
    """

    skew_degrees: float
    scan_width: int
    scan_height: int
    width: int
    height: int

    @classmethod
    def for_scan(cls, skew_degrees: float, scan_width: int, scan_height: int) -> Deskew:
        a = math.radians(skew_degrees)
        c, s = abs(math.cos(a)), abs(math.sin(a))
        width = int(math.ceil(scan_width * c + scan_height * s - 1e-6))
        height = int(math.ceil(scan_width * s + scan_height * c - 1e-6))
        return cls(skew_degrees, scan_width, scan_height, width, height)

    def matrix(self) -> list[list[float]]:
        """2x3 affine matrix (OpenCV ``warpAffine`` form) from scan to deskewed pixels."""
        # Rotating the image content clockwise by skew (y points down, so a clockwise
        # turn on screen is a positive angle in these coordinates).
        a = math.radians(self.skew_degrees)
        cos, sin = math.cos(a), math.sin(a)
        cx, cy = self.scan_width / 2, self.scan_height / 2
        ncx, ncy = self.width / 2, self.height / 2
        # p' = R (p - c) + c', with R the on-screen clockwise rotation by `a`:
        # R = [[cos, sin], [-sin, cos]] rotates counter-clockwise in y-down axes, so
        # use its transpose to undo a counter-clockwise skew.
        r = [[cos, -sin], [sin, cos]]
        tx = ncx - (r[0][0] * cx + r[0][1] * cy)
        ty = ncy - (r[1][0] * cx + r[1][1] * cy)
        return [[r[0][0], r[0][1], tx], [r[1][0], r[1][1], ty]]

    def to_deskewed(self, points: Poly) -> Poly:
        m = self.matrix()
        return [
            (m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2])
            for x, y in points
        ]

    def to_scan(self, points: Poly) -> Poly:
        m = self.matrix()
        # Inverse of a rotation plus translation: R^T (p' - t).
        out = []
        for x, y in points:
            dx, dy = x - m[0][2], y - m[1][2]
            out.append((m[0][0] * dx + m[1][0] * dy, m[0][1] * dx + m[1][1] * dy))
        return out


class _Placed:
    """Plain-dict round trips for a dataclass with a ``poly`` and a ``box``."""

    poly: Poly
    box: Box

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["poly"] = [list(p) for p in self.poly]
        d["box"] = self.box.as_list()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Self:
        d = dict(d)
        d["poly"] = [tuple(p) for p in d["poly"]]
        d["box"] = Box(*d["box"])
        return cls(**d)


@dataclass
class Line(_Placed):
    """One line of text. ``poly`` is in scan pixels, ``box`` in deskewed pixels."""

    id: str
    text: str
    confidence: float
    poly: Poly
    box: Box
    region: str | None = None
    article: str | None = None
    order: int = 0  # position within its region, reading order


@dataclass
class Region(_Placed):
    """A block of the page: a column block of text, a photo, a QR code, a rule...

    ``box`` is in deskewed pixels; ``poly`` is the same box mapped to scan pixels.
    ``text`` holds a decoded QR code's content (and, for text regions, may later hold
    the joined text of its lines).
    """

    id: str
    kind: str
    box: Box
    poly: Poly
    order: int = 0
    text: str | None = None
    article: str | None = None
    column: int | None = None


@dataclass
class PageJob:
    """Everything a worker needs to process one page: small and picklable."""

    source: str  # path of the source file
    page_index: int  # 0-based index within the source file
    number: int  # 1-based position of the page within its issue
    issue_key: str
    source_sha256: str
    dpi: int = 300
    pages_dir: str | None = None  # where to keep the deskewed page image
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.source} page {self.page_index + 1}"


@dataclass
class PageResult:
    """What a worker sends back for one page: data only, no images."""

    job: PageJob
    width: int = 0
    height: int = 0
    dpi: int | None = 300  # None: an image that does not say its resolution
    skew_degrees: float = 0.0
    deskewed_width: int = 0
    deskewed_height: int = 0
    image_path: str | None = None
    regions: list[Region] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    # What the page says about itself: {"printed_number": int, "title": str,
    # "date": "YYYY-MM-DD", "number": int} (masthead and folios), when found.
    meta: dict[str, Any] = field(default_factory=dict)
    status: str = "done"
    error: str | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def deskew(self) -> Deskew:
        return Deskew(
            self.skew_degrees, self.width, self.height, self.deskewed_width, self.deskewed_height
        )


@dataclass
class PageLayout:
    """One page as assembly sees it. ``number`` is the page's 1-based position in the
    issue, ``printed_number`` what the page says it is (folio), when known. Region and
    line ids must be unique within the issue. Boxes in deskewed pixels."""

    number: int
    regions: list[Region]
    lines: list[Line]
    printed_number: int | None = None
    width: float = 0.0
    height: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)
