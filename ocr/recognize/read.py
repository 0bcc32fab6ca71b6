"""The recognize stage: a page's text lines, detected and read by an engine.

Two ways to find the lines (``detect``, part of the page settings, see
:func:`read_settings`):

- ``"page"`` (the default): lines first, detected over the whole page at a scale set by
  its body-text height, cut at the gutters their neighbours agree on, and given to the
  layout's blocks (:mod:`ocr.recognize.lines`; display type is detected again block by
  block at full resolution). A page with too little text to tell its body size is read
  block by block.
- ``"block"``: detection on each text block of the deskewed page at full resolution
  (how pages were read before lines came first; faster, but a block that spans a
  narrow gutter lets the detector read a line of each column as one line).

Recognition reads full-resolution crops, all lines of the page in one call, so the
engine can batch them. Works against :class:`ocr.recognize.engine.OcrEngine`: nothing
here knows which engine it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import numpy as np

from ocr.model import Box, Deskew, Kind, Line, Region
from ocr.recognize.engine import OcrEngine, ScoredQuad
from ocr.recognize.lines import (
    LINES_SETTINGS,
    PHOTO_READ_MIN,
    Detected,
    detect_page_lines,
    order_quad,
)
from ocr.text import reading_order

BLOCK_PAD = 12  # pixels of margin around a text block for detection
# The layout's blocks that detection runs on (photos, QR codes and rules hold no lines).
DETECTED_KINDS = (Kind.TEXT, Kind.HEADLINE, Kind.BODY, Kind.CAPTION)
DETECT_MODES = ("page", "block")
# Lines first reads held-out layouts better (BENCHMARKS.md, issue 9: article CER 13.28%
# against 21.62%, line CER 0.77% against 3.20%), at 1.1-1.5x the seconds a page.
DEFAULT_DETECT = "page"


def read_settings(detect: str = DEFAULT_DETECT) -> dict:
    """What decides the lines found, in every page's settings
    (:func:`ocr.pipeline.settings_for`): block-by-block detection has its padding only
    (the settings of the archives read before lines came first), lines first its own."""
    if detect == "block":
        return {"block_pad": BLOCK_PAD}
    return {"read": {"detect": detect, "block_pad": BLOCK_PAD, **LINES_SETTINGS}}


def detect_mode(settings: dict) -> str:
    """How a page with ``settings`` finds its lines: as its ``read`` settings say; a page
    of settings without them (read block by block) as before; none at all: the default."""
    if "read" in settings:
        return settings["read"].get("detect", DEFAULT_DETECT)
    return "block" if "block_pad" in settings else DEFAULT_DETECT


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


def detect_lines(engine: OcrEngine, image: np.ndarray, regions: list[Region]) -> list[Detected]:
    """Detect text lines block by block; each detection belongs to the block that holds
    its centre (detections from a neighbour seen through the padding are dropped)."""
    h, w = image.shape[:2]
    text_regions = [r for r in regions if r.kind in DETECTED_KINDS]
    if not text_regions:
        whole = Region(id="r0", kind="text", box=Box(0, 0, w, h), poly=Box(0, 0, w, h).poly())
        text_regions = [whole]
    found: list[Detected] = []
    for region in text_regions:
        box = region.box.pad(BLOCK_PAD).clip(w, h)
        x0, y0, x1, y1 = (int(round(v)) for v in box.as_list())
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        crop = image[y0:y1, x0:x1]
        for quad, score in engine.detect(crop):
            quad = order_quad(quad) + np.array([x0, y0])
            cx, cy = quad.mean(axis=0)
            if region.box.contains_point((cx, cy)):
                found.append(Detected(quad, score, region))
    return found


def read_page(
    engine: OcrEngine,
    image: np.ndarray,
    regions: list[Region],
    deskew: Deskew,
    timings: dict[str, float] | None = None,
    detect: str = DEFAULT_DETECT,
) -> list[Line]:
    """The recognize stage: lines with text, confidence, deskewed box and scan polygon,
    ordered block by block (blocks in their reading order), within one by rows top to
    bottom, vertical lines right to left (see :func:`ocr.text.reading_order`). With
    ``detect="page"``, a block of ``regions`` may grow by a line it takes in (all are
    renumbered in order)."""
    timings = {} if timings is None else timings
    t = time.perf_counter()
    detected = None
    if detect == "page":
        detected = _page_lines(engine, image, regions, deskew, timings)
    if detected is None:
        detected = detect_lines(engine, image, regions)
    timings["detect"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    detected = _in_block_order(detected, regions)
    texts = engine.recognize_placed([crop_quad(image, d.poly) for d in detected])
    timings["recognize_lines"] = round(time.perf_counter() - t, 3)
    groups: dict[int, list[Line]] = {}
    for d, (text, score, centres) in zip(detected, texts):
        lead, text = len(text) - len(text.lstrip()), text.strip()
        centres = centres[lead : lead + len(text)] if centres else None
        if text and not (d.on_photo and score < PHOTO_READ_MIN):
            groups.setdefault(id(d.region), []).append(_line(d, text, score, deskew, centres))
    return _numbered(groups.values())


def _page_lines(
    engine: OcrEngine, image: np.ndarray, regions: list[Region], deskew: Deskew, timings: dict
) -> list[Detected] | None:
    """Lines first (:func:`ocr.recognize.lines.detect_page_lines`); the blocks it grew
    get their polygons on the scan again, and all are renumbered in order. None for a
    page to read block by block. ``timings["detect_again"]``: the seconds the second
    look at display type took (part of ``detect``)."""
    timings["detect_again"] = 0.0

    def by_block(blocks: list[Region]) -> list[ScoredQuad]:
        t = time.perf_counter()
        found = [(d.poly, d.score) for d in detect_lines(engine, image, blocks)]
        timings["detect_again"] = round(timings["detect_again"] + time.perf_counter() - t, 3)
        return found

    before = {id(r): r.box for r in regions}
    found = detect_page_lines(engine, image, regions, DETECTED_KINDS, BLOCK_PAD, by_block)
    if found is None:
        return None
    for n, r in enumerate(regions, start=1):
        r.order = n
        if before.get(id(r)) != r.box:
            r.poly = deskew.to_scan(r.box.poly())
    return found


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


def _line(
    d: Detected, text: str, score: float, deskew: Deskew, centres: list[float] | None = None
) -> Line:
    """A read line: its box in the deskewed page, its polygon in the scan, the
    engine's character centres when it gave them."""
    pts = [(float(x), float(y)) for x, y in d.poly]
    return Line(
        id="",
        text=text,
        confidence=round(score, 4),
        poly=[(round(x, 1), round(y, 1)) for x, y in deskew.to_scan(pts)],
        box=Box.from_poly(pts),
        region=d.region.id if d.region is not None else None,
        char_centres=centres,
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
