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


# The kinds of preparation step, in the order the pipeline applies them (see
# :mod:`ocr.scan.prepare`): each maps the previous image's pixels to the next's.
STEP_KINDS = ("turn", "split", "outline", "unwarp", "scale", "deskew")
_IDENTITY = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


def _apply_h(m: tuple[float, ...], x: float, y: float) -> Point:
    w = m[6] * x + m[7] * y + m[8]
    return ((m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w)


def _invert_h(m: tuple[float, ...]) -> tuple[float, ...]:
    """The inverse of a 3x3 homography (row-major), scaled so its last entry is 1."""
    a, b, c, d, e, f, g, h, i = m
    inv = (
        e * i - f * h, c * h - b * i, b * f - c * e,
        f * g - d * i, a * i - c * g, c * d - a * f,
        d * h - e * g, b * g - a * h, a * e - b * d,
    )  # fmt: skip
    det = a * inv[0] + b * inv[3] + c * inv[6]
    if abs(det) < 1e-12:
        raise ValueError("a preparation step that cannot be undone (singular matrix)")
    last = inv[8] / det
    k = 1.0 / det / (last if abs(last) > 1e-12 else 1.0)
    return tuple(v * k for v in inv)


def _poly_at(coeffs: tuple[float, ...], u: float) -> float:
    out = 0.0
    for c in reversed(coeffs):
        out = out * u + c
    return out


@dataclass(frozen=True)
class Step:
    """One preparation step: the map from the previous image (``in_width`` x
    ``in_height``) to the next (``width`` x ``height``).

    All kinds but ``unwarp`` are a 3x3 homography ``matrix`` (row-major, input to
    output): ``turn`` a quarter turn, ``split`` a crop (one page of a spread),
    ``outline`` the page's outline to an upright rectangle, ``scale`` a resize,
    ``deskew`` a small rotation. ``unwarp`` moves points vertically only: with
    ``u = x / in_width`` and ``c = in_height / 2``, ``y' = y - P(u) - Q(u) (y - c)``,
    ``P`` and ``Q`` the polynomials with coefficients ``bend[0]`` and ``bend[1]``
    (lowest power first; ``|Q| < 1``), so it is undone exactly. ``params`` say what
    was measured (degrees, a side, a factor), for the record."""

    kind: str
    in_width: int
    in_height: int
    width: int
    height: int
    matrix: tuple[float, ...] = _IDENTITY
    bend: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def forward(self, x: float, y: float) -> Point:
        if self.kind == "unwarp":
            u, c = x / self.in_width, self.in_height / 2
            return (x, y - _poly_at(self.bend[0], u) - _poly_at(self.bend[1], u) * (y - c))
        return _apply_h(self.matrix, x, y)

    def backward(self, x: float, y: float) -> Point:
        if self.kind == "unwarp":
            u, c = x / self.in_width, self.in_height / 2
            p, q = _poly_at(self.bend[0], u), _poly_at(self.bend[1], u)
            return (x, (y + p - q * c) / (1.0 - q))
        return _apply_h(_invert_h(self.matrix), x, y)

    def to_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, "in": [self.in_width, self.in_height]}
        d["out"] = [self.width, self.height]
        if self.kind == "unwarp":
            d["bend"] = [list(self.bend[0]), list(self.bend[1])]
        else:
            d["matrix"] = [round(v, 12) for v in self.matrix]
        return {**d, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Step:
        bend = d.get("bend") or ((), ())
        return cls(
            kind=d["kind"],
            in_width=int(d["in"][0]),
            in_height=int(d["in"][1]),
            width=int(d["out"][0]),
            height=int(d["out"][1]),
            matrix=tuple(float(v) for v in d.get("matrix", _IDENTITY)),
            bend=(tuple(bend[0]), tuple(bend[1])),
            params=dict(d.get("params", {})),
        )


@dataclass(frozen=True)
class Transform:
    """The chain of preparation steps from the original scan's pixels to the prepared
    image's (the one layout and recognition see). ``to_deskewed`` maps scan points to
    the prepared image, ``to_scan`` back; ``width`` x ``height`` is the prepared
    image's size. With no steps it is the identity on the scan."""

    scan_width: int
    scan_height: int
    steps: tuple[Step, ...] = ()

    @property
    def width(self) -> int:
        return self.steps[-1].width if self.steps else self.scan_width

    @property
    def height(self) -> int:
        return self.steps[-1].height if self.steps else self.scan_height

    def then(self, step: Step) -> Transform:
        """This chain followed by ``step`` (which starts from this chain's image)."""
        if (step.in_width, step.in_height) != (self.width, self.height):
            raise ValueError(f"a {step.kind} step of {step.in_width}x{step.in_height} "
                             f"after an image of {self.width}x{self.height}")  # fmt: skip
        return Transform(self.scan_width, self.scan_height, (*self.steps, step))

    def step(self, kind: str) -> Step | None:
        return next((s for s in self.steps if s.kind == kind), None)

    @property
    def skew_degrees(self) -> float:
        s = self.step("deskew")
        return float(s.params.get("degrees", 0.0)) if s else 0.0

    @property
    def orientation(self) -> int:
        """How far the page was turned in the scan, clockwise degrees (0, 90, 180, 270)."""
        s = self.step("turn")
        return int(s.params.get("degrees", 0)) if s else 0

    def to_deskewed(self, points: Poly) -> Poly:
        out = []
        for x, y in points:
            for s in self.steps:
                x, y = s.forward(x, y)
            out.append((x, y))
        return out

    to_prepared = to_deskewed

    def to_scan(self, points: Poly) -> Poly:
        out = []
        for x, y in points:
            for s in reversed(self.steps):
                x, y = s.backward(x, y)
            out.append((x, y))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"scan": [self.scan_width, self.scan_height],
                "steps": [s.to_dict() for s in self.steps]}  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transform:
        steps = tuple(Step.from_dict(s) for s in d.get("steps", []))
        return cls(int(d["scan"][0]), int(d["scan"][1]), steps)

    @classmethod
    def from_deskew(cls, deskew: Deskew) -> Transform:
        """The chain of one deskew step (what a page was before preparation had steps)."""
        return cls(deskew.scan_width, deskew.scan_height).then(deskew_step(deskew))


def deskew_step(deskew: Deskew) -> Step:
    """A :class:`Deskew` as a step of a :class:`Transform`."""
    (a, b, c), (d, e, f) = deskew.matrix()
    return Step(
        "deskew", deskew.scan_width, deskew.scan_height, deskew.width, deskew.height,
        matrix=(a, b, c, d, e, f, 0.0, 0.0, 1.0),
        params={"degrees": round(deskew.skew_degrees, 4)},
    )  # fmt: skip


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
    """One line of text. ``poly`` is in scan pixels, ``box`` in deskewed pixels.

    ``char_centres``, when the engine gives them, is the centre of each character of
    ``text`` along the line (its reading direction, start to end), as a fraction of the
    line's length: one per character, in ``[0, 1]``."""

    id: str
    text: str
    confidence: float
    poly: Poly
    box: Box
    region: str | None = None
    article: str | None = None
    order: int = 0  # position within its region, reading order
    char_centres: list[float] | None = None


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
    # 0: the whole image is the page; 1, 2: the first or second page (in reading order)
    # of a two-page spread in one image (``ocr.scan.spread``).
    leaf: int = 0

    @property
    def label(self) -> str:
        where = f"{self.source} page {self.page_index + 1}"
        return f"{where} ({('first', 'second')[self.leaf - 1]} of a spread)" if self.leaf else where


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
    # The preparation steps from the scan to the prepared image (``ocr.scan.prepare``);
    # None for a result made without them (its one step is ``deskew``).
    transform: Transform | None = None
    preparation: dict[str, Any] = field(default_factory=dict)  # what each step measured
    # The orientation found (``degrees``, 0 too) and what was measured: the first upright
    # reading's evidence, and the test's scores when it ran (``ocr.pipeline``).
    orientation: dict[str, Any] = field(default_factory=dict)

    @property
    def deskew(self) -> Deskew:
        return Deskew(
            self.skew_degrees, self.width, self.height, self.deskewed_width, self.deskewed_height
        )

    @property
    def geometry(self) -> Transform:
        """The map between scan and prepared pixels (the transform, or the deskew alone)."""
        return self.transform or Transform.from_deskew(self.deskew)


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
