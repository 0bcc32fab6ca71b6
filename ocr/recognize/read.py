"""The recognize stage: a page's text lines, detected and read by an engine.

Detection runs over the whole deskewed page (QR codes blanked; the engine reads it in
bounded strips), scaled so that body text has DET_TEXT_MIN to DET_TEXT_HEIGHT pixels
(:func:`detection_scale`, from the page's measured text height); a detected line that
crosses a gutter its neighbours agree on is cut there (:mod:`ocr.recognize.gutters`).
Each line belongs to the layout's text block holding its centre; a block whose lines
stand in columns is cut into one block per column (:mod:`ocr.recognize.blocks`).
Recognition reads full-resolution crops, all lines of the page in one call, so the
engine can batch them. Works against :class:`ocr.recognize.engine.OcrEngine`: nothing
here knows which engine it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ocr.layout.ink import binarize, measured_text_size
from ocr.model import Box, Deskew, Kind, Line, Region
from ocr.recognize.blocks import split_blocks
from ocr.recognize.engine import OcrEngine, ScoredQuad
from ocr.recognize.gutters import GUTTERS, split_at_gutters
from ocr.text import reading_order

# Detection sees the page scaled so that a line of body text is at most this many
# pixels tall (a 300 dpi page is shrunk to about three quarters)...
DET_TEXT_HEIGHT = 32
DET_TEXT_MIN = 14  # ...and at least this many (a 72 dpi page is enlarged)
RULE_LINES = 1.6  # a vertical stroke taller than this many body lines is a rule
PAPER_INK = 0.45  # a line inside a photo's box is on paper when less of it is ink...
PHOTO_READ_MIN = 0.8  # ...and it is kept when read with at least this confidence
# What decides the lines found, in every page's settings (ocr.pipeline.settings_for).
READ_SETTINGS = {
    "detect": "page",
    "text_height": [DET_TEXT_MIN, DET_TEXT_HEIGHT],
    "gutters": GUTTERS,
    "rule_lines": RULE_LINES,
    "photo_text": [PAPER_INK, PHOTO_READ_MIN],
}
# The layout's blocks that detection runs on (photos, QR codes and rules hold no lines).
DETECTED_KINDS = (Kind.TEXT, Kind.HEADLINE, Kind.BODY, Kind.CAPTION)


@dataclass
class Detected:
    """A line found by detection, before it is read: where, how sure, in which block."""

    poly: np.ndarray  # 4x2 float, deskewed-image pixels
    score: float
    region: Region | None
    in_photo: bool = False  # on paper inside a photo's box: kept only if read surely


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral's content, warped upright (as PaddleOCR crops lines)."""
    import cv2

    q = quad.astype(np.float32)
    w = int(round(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3]))))
    h = int(round(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))))
    w, h = max(w, 1), max(h, 1)
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(q, dst)
    out = cv2.warpPerspective(
        image, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if h >= 1.5 * w:  # a vertical line of text: turn it to read left to right
        # Turned counter-clockwise, as PaddleOCR does: the PP-OCRv6 recognizer reads
        # such crops (characters on their side) as well as upright ones. Measured on
        # 126 vertical crops (detected headlines, body text of 17-40 px): CER 0.000
        # turned counter-clockwise, 0.002 cut into character cells set side by side,
        # 0.92 turned clockwise.
        out = np.rot90(out)
    return out


def _order_quad(poly: np.ndarray) -> np.ndarray:
    """Clockwise from top-left."""
    pts = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def detection_scale(text_height: float | None) -> float:
    """How much the page is scaled for detection: body text of ``text_height`` pixels
    is brought within DET_TEXT_MIN..DET_TEXT_HEIGHT pixels (a page whose text is
    already within, or whose text height could not be measured, is left as it is)."""
    if text_height is None:
        return 1.0
    text_height = max(text_height, 1.0)
    if text_height < DET_TEXT_MIN:
        return DET_TEXT_MIN / text_height
    return min(1.0, DET_TEXT_HEIGHT / text_height)


def text_ink(ink: np.ndarray, regions: list[Region]) -> tuple[np.ndarray, float | None]:
    """(the page's text ink, body text height or None if unmeasurable): ``ink`` (bool,
    deskewed pixels) outside photos, QR codes and rules, and without thin vertical
    strokes taller than RULE_LINES body lines (short column rules, which the layout
    leaves to the text)."""
    import cv2

    h, w = ink.shape
    ink = ink.copy()
    for r in regions:
        if r.kind in (Kind.PHOTO, Kind.QR, Kind.RULE):
            b = r.box.clip(w, h)
            ink[int(b.y0) : int(np.ceil(b.y1)), int(b.x0) : int(np.ceil(b.x1))] = False
    size = measured_text_size(ink)
    text_height = size[0] if size else None
    # A rule's one-pixel breaks (noise) closed first; its fringe goes with it.
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8))
    tall = np.ones((max(3, int(RULE_LINES * (text_height or 10.0))), 1), np.uint8)
    rules = cv2.morphologyEx(closed, cv2.MORPH_OPEN, tall)
    return ink & ~(cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0), text_height


def detect_page(
    engine: OcrEngine, image: np.ndarray, regions: list[Region], ink: np.ndarray
) -> list[ScoredQuad]:
    """The text lines of the whole page (QR codes blanked), detected at the scale set
    by the page's body text height (``ink``: the page's ink); quads in page pixels,
    clockwise from top-left, split at the gutters that their neighbours agree on."""
    import cv2

    text, text_height = text_ink(ink, regions)
    scale = detection_scale(text_height)
    page = image.copy()
    paper = 255 if page.dtype == np.uint8 else page.max()
    for r in regions:
        if r.kind == Kind.QR:
            b = r.box.clip(page.shape[1], page.shape[0])
            page[int(b.y0) : int(np.ceil(b.y1)), int(b.x0) : int(np.ceil(b.x1))] = paper
    if scale != 1.0:
        size = (max(1, round(page.shape[1] * scale)), max(1, round(page.shape[0] * scale)))
        shrink = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
        page = cv2.resize(page, size, interpolation=shrink)
    found = engine.detect(page)
    quads = [_order_quad(q) / scale for q, _ in found]
    flat = [r.box for r in regions if r.kind == Kind.RULE and r.box.width > 3 * r.box.height]
    pieces = split_at_gutters(quads, text, walls(regions), flat)
    return [(p, score) for (_, score), ps in zip(found, pieces) for p in ps]


def walls(regions: list[Region]) -> list[Box]:
    """What stands between two text columns on the layout's evidence: vertical rules,
    and the white between two text blocks side by side (over the rows they share)."""
    out = [r.box for r in regions if r.kind == Kind.RULE and r.box.height > 3 * r.box.width]
    text = [r.box for r in regions if r.kind in DETECTED_KINDS]
    for a in text:
        for b in text:
            if a.x1 <= b.x0 and a.y_overlap(b) > 0:
                between = [
                    c
                    for c in text
                    if c.x0 < b.x0 and c.x1 > a.x1 and c.y_overlap(a) > 0 and c.y_overlap(b) > 0
                ]
                if not between:
                    out.append(Box(a.x1, max(a.y0, b.y0), b.x0, min(a.y1, b.y1)))
    return out


def detect_lines(engine: OcrEngine, image: np.ndarray, regions: list[Region]) -> list[Detected]:
    """Detect the page's text lines (:func:`detect_page`); each belongs to the text
    block that holds its centre. A line in a QR code, or in a photo on no paper, is
    dropped; a line in no block (a headline over a photo) gets a new text block of its
    own, added to ``regions``."""
    ink = binarize(image if image.ndim == 2 else image.mean(axis=2)) > 0
    found: list[Detected] = []
    for quad, score in detect_page(engine, image, regions, ink):
        box = Box.from_poly([(float(x), float(y)) for x, y in quad])
        region = _block_of(box, regions, ink)
        if region is False:
            continue
        in_photo = region is None and _in(box, regions, (Kind.PHOTO,))
        if region is None:
            region = _new_block(box, regions)
        found.append(Detected(quad, score, region, in_photo))
    return found


def _in(box: Box, regions: list[Region], kinds) -> bool:
    return any(r.kind in kinds and r.box.contains_point(box.center) for r in regions)


def _block_of(box: Box, regions: list[Region], ink: np.ndarray) -> Region | None | bool:
    """The text block holding the line's centre (else the one it overlaps most); None
    for a line in no block; False for a line in a QR code, or in a photo where it is
    not on paper (more than PAPER_INK of its box is ink: the photo's own texture)."""
    c = box.center
    for r in regions:
        if r.kind in DETECTED_KINDS and r.box.contains_point(c):
            return r
    if _in(box, regions, (Kind.QR,)):
        return False
    if _in(box, regions, (Kind.PHOTO,)):
        h, w = ink.shape
        b = box.clip(w, h)
        sub = ink[int(b.y0) : int(np.ceil(b.y1)), int(b.x0) : int(np.ceil(b.x1))]
        return None if sub.size and sub.mean() < PAPER_INK else False
    best = max(
        (r for r in regions if r.kind in DETECTED_KINDS),
        key=lambda r: r.box.intersection(box),
        default=None,
    )
    if best is not None and best.box.intersection(box) > 0.5 * box.area:
        return best
    return None


def _new_block(box: Box, regions: list[Region]) -> Region:
    """A text block for a line that the layout left out of every block."""
    region = Region(id=_free_id(regions), kind=Kind.TEXT, box=box, poly=box.poly())
    regions.append(region)
    return region


def _free_id(regions: list[Region]) -> str:
    """A region id not yet taken: ``r<N>``."""
    n, taken = len(regions) + 1, {r.id for r in regions}
    while f"r{n}" in taken:
        n += 1
    return f"r{n}"


def _box(d: Detected) -> Box:
    return Box.from_poly([(float(x), float(y)) for x, y in d.poly])


def read_page(
    engine: OcrEngine,
    image: np.ndarray,
    regions: list[Region],
    deskew: Deskew,
    timings: dict[str, float] | None = None,
) -> list[Line]:
    """The recognize stage: lines with text, confidence, deskewed box and scan polygon,
    ordered block by block (blocks in their reading order), within one by rows top to
    bottom, vertical lines right to left (see :func:`ocr.text.reading_order`)."""
    timings = {} if timings is None else timings
    t = time.perf_counter()
    detected = detect_lines(engine, image, regions)
    split_blocks(detected, _box, regions, lambda: _free_id(regions))
    h, w = image.shape[:2]
    for n, r in enumerate(regions, start=1):  # blocks made or cut from their lines
        r.order = n
        if r.kind in DETECTED_KINDS:
            r.box = r.box.clip(w, h)
            r.poly = deskew.to_scan(r.box.poly())
    timings["detect"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    detected = _in_block_order(detected, regions)
    texts = engine.recognize([crop_quad(image, d.poly) for d in detected])
    timings["recognize_lines"] = round(time.perf_counter() - t, 3)
    groups: dict[int, list[Line]] = {}
    for d, (text, score) in zip(detected, texts):
        text = text.strip()
        if text and not (d.in_photo and score < PHOTO_READ_MIN):
            groups.setdefault(id(d.region), []).append(_line(d, text, score, deskew))
    return _numbered(groups.values())


def _in_block_order(detected: list[Detected], regions: list[Region]) -> list[Detected]:
    """Detections block by block (blocks in the order of ``regions``), within a block
    top to bottom, then left to right."""
    rank = {id(r): i for i, r in enumerate(regions)}
    return sorted(
        detected,
        key=lambda d: (
            rank.get(id(d.region), -1),
            float(d.poly[:, 1].mean()),
            float(d.poly[:, 0].min()),
        ),
    )


def _line(d: Detected, text: str, score: float, deskew: Deskew) -> Line:
    """A read line: its box in the deskewed page, its polygon in the scan."""
    pts = [(float(x), float(y)) for x, y in d.poly]
    return Line(
        id="",
        text=text,
        confidence=round(score, 4),
        poly=[(round(x, 1), round(y, 1)) for x, y in deskew.to_scan(pts)],
        box=Box.from_poly(pts),
        region=d.region.id if d.region is not None else None,
    )


def _numbered(blocks: Iterable[list[Line]]) -> list[Line]:
    """The lines of each block (blocks in order) in reading order: rows top to bottom,
    vertical lines right to left; ids ``l1``, ``l2``... across the page, ``order`` 1,
    2... within a block."""
    lines: list[Line] = []
    for group in blocks:
        for i, line in enumerate(reading_order(group), start=1):
            line.id, line.order = f"l{len(lines) + 1}", i
            lines.append(line)
    return lines
