"""Lines first: a page's text lines detected over the whole page, then given to its blocks.

The layout's regions stay as the layout made them (rules, photos, QR codes, text
blocks); only where the lines come from changes (:func:`detect_page_lines`):

1. The whole deskewed page (QR codes blanked) is detected at a scale set by its own
   body-text height, measured on its text ink (:func:`detection_scale`): text of
   DET_TEXT_MIN..DET_TEXT_HEIGHT pixels for the detector, read in the engine's bounded,
   overlapping strips (:mod:`ocr.recognize.strips`); only its laid-out part (the union
   of the layout's regions and a margin, :func:`_laid_out`) is given to the detector.
2. The page's body size is the cluster of its detected lines' heights around their
   median (:func:`ocr.text.size_band`). A line of body size is a body line; a taller one
   or a standing one (vertical) is display type, unless the ink in its box is of body
   size (a short line's box drawn taller than its type; two body lines of neighbouring
   blocks a little apart in height seen as one box): :func:`_body_after_all`.
3. Display type is read as before: the part of each text block that it covers is
   detected again at full resolution (:func:`_display_lines`), so headlines (their inner
   spaces, their vertical columns) come out as block-by-block detection saw them.
4. Body lines are cut at the gutters their body-line neighbours agree on (neighbours in
   the blocks the line runs through; :mod:`ocr.recognize.gutters`), and given to the
   text block holding their centre.
   A line in no block joins the nearest text block when it is body-like and next to it;
   one in a QR code, or in a photo's texture, is dropped; any other keeps no block.
   The layout's blocks are kept (a block of several text columns too: the assembly
   finds a block's columns itself); a block only grows by a line it takes in.

A page with too few lines to tell its body size is read block by block, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr.model import Box, Kind, Region
from ocr.recognize.engine import OcrEngine, ScoredQuad
from ocr.recognize.gutters import GUTTERS, split_at_gutters
from ocr.recognize.strips import DET_STRIDE
from ocr.text import is_tall, size_band

# Detection sees the page scaled so that a line of body text is at most this many
# pixels tall (a 300 dpi page is shrunk to about three quarters)...
DET_TEXT_HEIGHT = 32
DET_TEXT_MIN = 14  # ...and at least this many (a 72 dpi page is enlarged)
RULE_LINES = 1.6  # a vertical stroke taller than this many body lines is a rule
MIN_BODY_LINES = 8  # fewer long lines than this: the page is read block by block
BODY_MAX = 1.35  # body lines are never taller than this many times their median
EVEN = 1.6  # a display line's gap at a block boundary this much wider than its others: two
NEAR = 1.5  # a line in no block joins a text block at most this many body heights away
# A detected line whose core holds less ink than this share of the page's usual line
# (the median over its detected lines) is no print: show-through from the other side
# of the sheet, which the page's binarization leaves white (the detector still sees it).
PRINTED_MIN = 0.1
LOOK_AGAIN = 3  # looks at a zone, grown along a display line that runs on beyond it
PAPER_INK = 0.45  # a line inside a photo's box is on paper when less of it is ink...
PHOTO_READ_MIN = 0.8  # ...and it is kept when read with at least this confidence
PAPER_WHITE = 0.02  # a row of a line's box is white (paper) when less of it is ink
LINES_SETTINGS = {
    "text_height": [DET_TEXT_MIN, DET_TEXT_HEIGHT],
    "gutters": GUTTERS,
    "rule_lines": RULE_LINES,
    "min_body_lines": MIN_BODY_LINES,
    "body_max": BODY_MAX,
    "near": NEAR,
    "printed_min": PRINTED_MIN,
    "even": EVEN,
    "look_again": LOOK_AGAIN,
    "photo_text": [PAPER_INK, PHOTO_READ_MIN, PAPER_WHITE],
}


@dataclass
class Detected:
    """A line found by detection, before it is read: where, how sure, in which block."""

    poly: np.ndarray  # 4x2 float, deskewed-image pixels, clockwise from top-left
    score: float
    region: Region | None
    on_photo: bool = False  # on paper inside a photo's box: kept only if read surely


def order_quad(poly: np.ndarray) -> np.ndarray:
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

    from ocr.layout.ink import measured_text_size

    ink = ink.copy()
    for r in regions:
        if r.kind in (Kind.PHOTO, Kind.QR, Kind.RULE):
            _fill(ink, r.box, False)
    size = measured_text_size(ink)
    text_height = size[0] if size else None
    # A rule's one-pixel breaks (noise) closed first; its fringe goes with it.
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8))
    tall = np.ones((max(3, int(RULE_LINES * (text_height or 10.0))), 1), np.uint8)
    rules = cv2.morphologyEx(closed, cv2.MORPH_OPEN, tall)
    return ink & ~(cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0), text_height


def _fill(a: np.ndarray, box: Box, value) -> None:
    b = box.clip(a.shape[1], a.shape[0])
    a[int(b.y0) : int(np.ceil(b.y1)), int(b.x0) : int(np.ceil(b.x1))] = value


def _without_qr(image: np.ndarray, regions: list[Region]) -> np.ndarray:
    """The page with its QR codes blanked (their modules are no text)."""
    page = image.copy()
    paper = 255 if page.dtype == np.uint8 else page.max()
    for r in regions:
        if r.kind == Kind.QR:
            _fill(page, r.box, paper)
    return page


def _detect_scaled(
    engine: OcrEngine, image: np.ndarray, scale: float, within: Box | None = None
) -> list[ScoredQuad]:
    """The engine's lines on ``image`` scaled by ``scale``, in ``image``'s pixels; with
    ``within`` (a box of ``image``), on that part of the scaled image only, cut on the
    detector's stride (whole strides off its corner: the part's pixels are the scaled
    image's own, and the detector sees them as it would in the whole)."""
    import cv2

    if scale != 1.0:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        shrink = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
        image = cv2.resize(image, size, interpolation=shrink)
    corner = np.zeros(2)
    if within is not None:
        h, w = image.shape[:2]
        st = DET_STRIDE
        x0, y0 = (max(0, int(v * scale) // st * st) for v in (within.x0, within.y0))
        x1, y1 = (
            min(n, -(-int(np.ceil(v * scale)) // st) * st)
            for v, n in ((within.x1, w), (within.y1, h))
        )
        image, corner = image[y0:y1, x0:x1], np.array([x0, y0], dtype=float)
    return [((order_quad(q) + corner) / scale, s) for q, s in engine.detect(image)]


def _laid_out(regions: list[Region], text_height: float | None, w: int, h: int) -> Box | None:
    """The part of the page its layout found anything in (the union of its regions),
    with a margin of two body lines: the page's blank margins hold no lines."""
    if not regions or text_height is None:
        return None
    return Box.union([r.box for r in regions]).pad(2 * text_height).clip(w, h)


def text_blocks(regions: list[Region], kinds) -> list[Region]:
    return [r for r in regions if r.kind in kinds]


class _Body:
    """Which boxes are body lines: of the page's body size, lying (not standing)."""

    def __init__(self, boxes: list[Box], unit: float = 1.0):
        long = [b.height for b in boxes if b.width >= 2.5 * b.height]
        self.count = len(long)
        self.height = float(np.median(long)) if long else 0.0
        lo, hi = size_band(long, unit=unit)
        self.lo, self.hi = lo, min(hi, BODY_MAX * self.height)

    def __call__(self, box: Box) -> bool:
        return not is_tall(box) and box.height <= self.hi

    def display(self, box: Box) -> bool:
        """Display type: taller than body text, or standing (and :meth:`possible`)."""
        return (is_tall(box) or box.height > self.hi) and self.possible(box)

    def possible(self, box: Box) -> bool:
        """Could be text: no line is narrower than half a body line is tall (a sliver
        by a photo's edge or a rule is no standing line)."""
        return min(box.width, box.height) >= 0.5 * self.height


def detect_page_lines(
    engine: OcrEngine,
    image: np.ndarray,
    regions: list[Region],
    kinds,
    block_pad: int,
    detect_blocks,
) -> list[Detected] | None:
    """The page's lines, each with its block (a block of ``regions`` may grow by a
    line it takes in, see the module docstring); ``kinds``: the
    kinds of block that hold text; ``detect_blocks(blocks)``: block-by-block detection
    (the display type's own). None when the page has too few lines to tell its body
    size (then the caller reads it block by block)."""
    from ocr.layout.ink import binarize

    h, w = image.shape[:2]
    gray = image if image.ndim == 2 else image.mean(axis=2).astype(np.uint8)
    ink = binarize(gray) > 0
    text, text_height = text_ink(ink, regions)
    scale = detection_scale(text_height)
    part = _laid_out(regions, text_height, w, h)
    found = _printed(_detect_scaled(engine, _without_qr(image, regions), scale, part), ink)
    body = _Body([Box.from_poly(q) for q, _ in found], unit=1.0 / scale)
    if body.count < MIN_BODY_LINES:
        return None
    blocks = text_blocks(regions, kinds)
    found = [(q, s) for q, s in found if body.possible(Box.from_poly(q))]
    lines = [(q, s) for q, s in found if body(Box.from_poly(q))]
    display = [(q, s) for q, s in found if not body(Box.from_poly(q))]
    margin = _ink_margin([q for q, _ in lines], text)
    display, more = _body_after_all(display, blocks, ink, body, margin)
    lines += more
    display, covered, body_after_all = _display_lines(
        display, blocks, body, block_pad, detect_blocks, text, w, h, margin
    )
    lines = [(q, s) for q, s in lines if not _inside_any(Box.from_poly(q), covered)]
    again = {id(q) for q, _ in body_after_all}  # pieces under the second look's lines: theirs
    lines += body_after_all
    flat = [r.box for r in regions if r.kind == Kind.RULE and r.box.width > 3 * r.box.height]

    def apart(other: Box, line: Box) -> bool:  # in a block the line does not reach into
        held, crossed = _holder(other, blocks), _crossed(line, blocks)
        return held is not None and bool(crossed) and all(held is not r for r in crossed)

    pieces = split_at_gutters([q for q, _ in lines], text, flat, apart, margin or 0.0)
    placed = [
        (p, s, True, None)
        for (q, s), ps in zip(lines, pieces)
        for p in ps
        if body.possible(Box.from_poly(p))  # no sliver cut off at a gutter
        and not (id(q) in again and _inside_any(Box.from_poly(p), covered))
    ]
    placed = _fitted(placed, text, body.height)
    placed += [(q, s, False, b) for q, s, b in display]
    return _in_blocks(placed, regions, blocks, ink, body)


def _printed(found: list[ScoredQuad], ink: np.ndarray) -> list[ScoredQuad]:
    """The detected lines that are print: their core (the middle rows of the box, so
    that a rule or a neighbour's edge in its margin does not count) holds at least
    PRINTED_MIN of the ink the page's median line holds there. Faint show-through is
    read by the detector but is no ink to the page's binarization."""
    shares = [_core_ink(ink, Box.from_poly(q)) for q, _ in found]
    if not shares:
        return found
    usual = float(np.median(shares))
    return [line for line, share in zip(found, shares) if share >= PRINTED_MIN * usual]


def _core_ink(text: np.ndarray, box: Box) -> float:
    """The share of ink in the box's core: its middle 70% across the line (rows for a
    lying line, columns for a standing one)."""
    x0, y0, x1, y1 = box.x0, box.y0, box.x1, box.y1
    if is_tall(box):
        x0, x1 = x0 + 0.15 * box.width, x1 - 0.15 * box.width
    else:
        y0, y1 = y0 + 0.15 * box.height, y1 - 0.15 * box.height
    c0, c1 = max(0, int(x0)), min(text.shape[1], int(np.ceil(x1)))
    r0, r1 = max(0, int(y0)), min(text.shape[0], int(np.ceil(y1)))
    return float(text[r0:r1, c0:c1].mean()) if c1 > c0 and r1 > r0 else 0.0


def _in_blocks(placed: list, regions, blocks, ink, body: _Body) -> list[Detected]:
    """Each placed line ``(quad, score, is body, its block or None)`` as a detection of
    its block (one without a block given its place, :func:`_placed`)."""
    out: list[Detected] = []
    for quad, score, is_body, block in placed:
        if block is not None:
            out.append(Detected(quad, score, block))
            continue
        line = _placed(quad, score, is_body, regions, blocks, ink, body.height)
        if line is not None:
            out.append(line)
    return out


def _fitted(placed: list, text: np.ndarray, height: float) -> list:
    """Body lines taller than the page's median body line (``height``) brought to their
    own ink, with the margin the detector leaves around ink on this page (the median
    over its body lines), never below ``height``: seen over the whole page, a line's box
    can take in the white up to a headline or rule above it, and a taller box reads as
    a subhead. A box only ever shrinks; lines of the usual height are left alone."""
    spans = [_ink_rows(text, Box.from_poly(q)) for q, *_ in placed]
    m = _ink_margin([q for q, *_ in placed], text, spans)
    if m is None:
        return placed
    out = []
    for (q, *rest), r in zip(placed, spans):
        b = Box.from_poly(q)
        if r is not None and not is_tall(b) and b.height > height:
            y0, y1 = max(b.y0, r[0] - m), min(b.y1, r[1] + m)
            grow = max(0.0, height - (y1 - y0)) / 2  # never below the usual height
            y0, y1 = max(b.y0, y0 - grow), min(b.y1, y1 + grow)
            q = np.array([[b.x0, y0], [b.x1, y0], [b.x1, y1], [b.x0, y1]], dtype=float)
        out.append((q, *rest))
    return out


def _ink_margin(quads: list, text: np.ndarray, spans: list | None = None) -> float | None:
    """The margin the detector leaves above and below ink on this page: the median over
    the body lines ``quads`` (``spans``: their ink rows, when known); None without any."""
    if spans is None:
        spans = [_ink_rows(text, Box.from_poly(q)) for q in quads]
    margins = [
        ((b.y1 - b.y0) - (r[1] - r[0])) / 2
        for q, r in zip(quads, spans)
        if r is not None and (b := Box.from_poly(q))
    ]
    return float(np.median(margins)) if margins else None


def _ink_rows(text: np.ndarray, box: Box) -> tuple[float, float] | None:
    """The first and last (half-open) rows of ink inside ``box``, page pixels."""
    x0, x1 = max(0, int(box.x0)), min(text.shape[1], int(np.ceil(box.x1)))
    y0, y1 = max(0, int(box.y0)), min(text.shape[0], int(np.ceil(box.y1)))
    if x1 <= x0 or y1 <= y0:
        return None
    rows = np.flatnonzero(text[y0:y1, x0:x1].any(axis=1))
    return (y0 + float(rows[0]), y0 + float(rows[-1]) + 1) if len(rows) else None


def _body_after_all(display, blocks, ink, body: _Body, margin):
    """(display lines, body lines after all) of the page's display lines ``display``: a
    lying one is body text when the ink in its box (all of the page's ink ``ink``: a
    QR code's or a rule's too), with the page's margin around ink, is of body size (the
    detector drew a short line's box taller than its type), or when it runs
    through two or more text blocks side by side (:func:`_crossed`) with ink of body
    size in each (seen over the whole page, two body lines a little apart in height
    come out as one taller box across their gutter): it goes with the body lines, to be
    cut at the gutter and fitted to its ink. A headline has display-sized ink."""
    keep, body_lines = [], []
    for q, s in display:
        box = Box.from_poly(q)
        crossed = [] if is_tall(box) else _crossed(box, blocks)
        parts = [_within(box, Box(r.box.x0, box.y0, r.box.x1, box.y1)) for r in crossed]
        if len(parts) < 2:
            parts = [] if is_tall(box) else [box]
        if parts and all(_body_sized_ink(p, ink, body, margin) for p in parts):
            body_lines.append((q, s))
        else:
            keep.append((q, s))
    return keep, body_lines


def _display_lines(
    display, blocks, body: _Body, pad, detect_blocks, text, w: int, h: int, margin=None
):
    """(display lines as ``(quad, score, block or None)``, boxes of those taken from
    block-by-block detection, lines that are body text after all): where the page's
    detection saw display type in a text block, that part of the block (the display
    lines' boxes grown by half their height, within the block) is detected again at
    full resolution, as the block-by-block reading does, and its display lines are
    taken from there. A display line across
    blocks whose spacing is even (:func:`_one_line`: a letter-spaced headline the
    layout cut at an inner space) is kept whole, in the block it overlaps most. Display
    lines in no block, or where the second look finds none, stay as the page saw them.
    A lying line of the page's that was looked at again (in a zone looked at, or under
    the second look's display lines) but that those lines cover less than half of is no
    longer dropped: when its ink, with the page's margin around ink (``margin``), is of
    body size it is body text after all (seen over the whole page, two body lines side
    by side, a little apart in height, come out as one taller box across their gutter;
    the second look finds a short one of them display-sized), and goes with the body
    lines, to be cut at the gutter and fitted to its ink, its pieces under the second
    look's lines left to those; else it is display type the second look missed (a
    masthead's big title seen in a zone too small for it) and stays as the page saw it."""
    zones: dict[int, list[Box]] = {}
    owner = {id(b): b for b in blocks}
    whole: list[tuple[np.ndarray, float, Region]] = []
    for q, s in display:
        box = Box.from_poly(q)
        hit = [b for b in blocks if b.box.pad(pad).intersection(box) > 0]
        if len(hit) > 1 and _one_line(text, box, hit):
            whole.append((q, s, max(hit, key=lambda b: b.box.intersection(box))))
            continue
        for b in hit:
            zone = box.pad(max(pad, 0.5 * min(box.height, box.width))).clip(w, h)
            zones.setdefault(id(b), []).append(_within(zone, b.box.pad(pad).clip(w, h)))
    kept_whole = [Box.from_poly(q) for q, _, _ in whole]
    taken: list[tuple[np.ndarray, float, Region | None]] = []
    covered: list[Box] = []
    replaced: list[Box] = []
    for key, boxes in zones.items():
        block = owner[key]
        for zone in _merged(boxes):
            zone, again = _look_again(zone, block, body, pad, detect_blocks, kept_whole, w, h)
            # Two zones grown along one standing line both find it: it is taken once.
            again = [t for t in again if not _overlaps_any(Box.from_poly(t[0]), covered)]
            if again:
                taken += again
                covered += [Box.from_poly(q) for q, _, _ in again]
                replaced.append(zone)
    rest = [(q, s) for q, s in display if not any(q is k for k, _, _ in whole)]
    kept, body_after_all = _unconfirmed(rest, replaced, covered, text, body, margin)
    return kept + taken + whole, covered + kept_whole, body_after_all


def _look_again(zone: Box, block: Region, body: _Body, pad, detect_blocks, kept_whole, w, h):
    """(the zone looked at, the display lines the second look found whole in it): the
    part ``zone`` of ``block`` detected again (``detect_blocks``). A standing display
    line that runs on beyond what the second look saw (a vertical headline the page's
    detection found only a piece of) has the zone grown along it by its own length,
    within the block, and looked at again (at most LOOK_AGAIN times, and only while
    the zone can grow by at least one character, the line's width). A lying one is
    not followed: running on beyond a headline's zone is what a body line beside or
    under it does (a merged row of body lines across gutters would come back whole)."""
    bound = block.box.pad(pad).clip(w, h)
    for _ in range(LOOK_AGAIN):
        part = Region(id=block.id, kind=block.kind, box=zone, poly=zone.poly())
        seen = zone.pad(pad).clip(w, h)  # what the second look sees
        found = [
            (q, s, Box.from_poly(q))
            for q, s in detect_blocks([part])
            if block.box.contains_point(Box.from_poly(q).center)
            and body.display(Box.from_poly(q))
            and not _overlaps_any(Box.from_poly(q), kept_whole)
        ]
        cut = [b for _, _, b in found if is_tall(b) and _cut_off(b, seen, w, h)]
        grown = _within(Box.union([zone] + [_along(b) for b in cut]), bound)
        # A look that cannot show one more character of the line is not taken.
        if not cut or grown.height - zone.height < min(b.width for b in cut):
            break
        zone = grown
    return zone, [(q, s, None) for q, s, b in found if not _cut_off(b, seen, w, h)]


def _along(box: Box) -> Box:
    """A standing line's box grown by its own length at both ends."""
    return Box(box.x0, box.y0 - box.height, box.x1, box.y1 + box.height)


def _unconfirmed(display, replaced: list[Box], covered: list[Box], text, body: _Body, margin):
    """(display lines kept as the page saw them, lines that are body text after all) of
    the page's display lines ``display``, against the zones looked at again
    (``replaced``) and the second look's lines (``covered``): see :func:`_display_lines`."""
    kept, body_after_all = [], []
    for q, s in display:
        box = Box.from_poly(q)
        looked = any(z.contains_point(box.center) for z in replaced)
        if not looked and not _overlaps_any(box, covered):
            kept.append((q, s, None))
        elif not is_tall(box) and _share_under(box, covered) <= 0.5:
            if _body_sized_ink(box, text, body, margin):
                body_after_all.append((q, s))  # the second look saw no display type here
            else:
                kept.append((q, s, None))  # display type it missed: as the page saw it
    return kept, body_after_all


def _one_line(text: np.ndarray, box: Box, blocks: list[Region]) -> bool:
    """Whether a display line over several blocks is one line: each white gap along it
    (across it for a standing line) that holds a boundary between two of the blocks is
    no wider than EVEN times the widest of its other gaps (a letter-spaced headline's
    spaces are alike; two headlines side by side, each set close, leave a wider gap
    between them)."""
    from ocr.layout.ink import runs_of

    x0, x1 = max(0, int(box.x0)), min(text.shape[1], int(np.ceil(box.x1)))
    y0, y1 = max(0, int(box.y0)), min(text.shape[0], int(np.ceil(box.y1)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return False
    tall = is_tall(box)
    sub = text[y0:y1, x0:x1]
    along = sub.any(axis=1) if tall else sub.any(axis=0)
    start = y0 if tall else x0
    inked = np.flatnonzero(along)
    if len(inked) < 2:
        return False
    gaps = [(a + start, b + start) for a, b in runs_of(~along) if a > inked[0] and b <= inked[-1]]
    ends = [((r.box.y0, r.box.y1) if tall else (r.box.x0, r.box.x1)) for r in blocks]
    ends.sort()
    bounds = [(min(a1, b0), max(a1, b0)) for (_, a1), (b0, _) in zip(ends, ends[1:], strict=False)]
    at = [g for g in gaps if any(g[0] <= hi and g[1] >= lo for lo, hi in bounds)]
    others = [b - a for a, b in gaps if (a, b) not in at]
    if not at or not others:
        return False
    return all(b - a <= EVEN * max(others) for a, b in at)


def _cut_off(box: Box, seen: Box, w: int, h: int) -> bool:
    """A line that reaches the edge of what detection saw (not the page's edge): a piece
    of a line running on beyond it (the start of a body line beside a headline)."""
    near = 2.0
    return (
        (seen.x0 > 0 and box.x0 <= seen.x0 + near)
        or (seen.y0 > 0 and box.y0 <= seen.y0 + near)
        or (seen.x1 < w and box.x1 >= seen.x1 - near)
        or (seen.y1 < h and box.y1 >= seen.y1 - near)
    )


def _within(a: Box, b: Box) -> Box:
    return Box(max(a.x0, b.x0), max(a.y0, b.y0), min(a.x1, b.x1), min(a.y1, b.y1))


def _merged(boxes: list[Box]) -> list[Box]:
    """Overlapping boxes joined into one (until none overlap)."""
    out = [b for b in boxes if b.width > 0 and b.height > 0]
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                if out[i].intersection(out[j]) > 0:
                    out[i] = Box.union([out[i], out.pop(j)])
                    merged = True
                    break
            if merged:
                break
    return out


def _inside_any(box: Box, others: list[Box]) -> bool:
    """The box's centre lies in one of ``others`` (it is part of that line)."""
    return any(o.contains_point(box.center) for o in others)


def _body_sized_ink(box: Box, text: np.ndarray, body: _Body, margin: float | None) -> bool:
    """Whether the line's ink, with the page's margin around ink (:func:`_ink_margin`),
    is no taller than a body line."""
    r = _ink_rows(text, box)
    return margin is not None and r is not None and (r[1] - r[0]) + 2 * margin <= body.hi


def _share_under(box: Box, others: list[Box]) -> float:
    """How much of ``box``'s area ``others`` (lines, not overlapping) cover."""
    return min(1.0, sum(box.intersection(o) for o in others) / box.area) if box.area else 1.0


def _overlaps_any(box: Box, others: list[Box]) -> bool:
    return any(box.intersection(o) > 0.3 * min(box.area, o.area) for o in others)


def _crossed(line: Box, blocks: list[Region]) -> list[Region]:
    """The blocks a lying line runs through: those across its middle row that it
    overlaps by at least its own height (a line joined across a gutter runs through
    both columns' blocks; the detector's margin reaching into a neighbour does not)."""
    cy = line.center[1]
    return [
        r
        for r in blocks
        if r.box.y0 <= cy <= r.box.y1
        and min(line.x1, r.box.x1) - max(line.x0, r.box.x0) >= line.height
    ]


def _holder(box: Box, blocks: list[Region]) -> Region | None:
    c = box.center
    return next((r for r in blocks if r.box.contains_point(c)), None)


def _placed(
    quad, score, is_body: bool, regions, blocks, ink, body_height: float
) -> Detected | None:
    """The line with its block: the text block holding its centre; for a line in no
    block, the nearest text block when it is a body line within NEAR body heights and
    the block, grown over it, does not reach over another text block (the line lies
    between blocks: neither takes it, and none takes in its neighbour's lines); None
    (dropped) in a QR code or in a photo's texture (neither :func:`_sparse` nor
    :func:`_paper_around`); else no block.
    A line on paper in a photo's box is kept only if read surely (``on_photo``); one
    with paper above and below its ink is placed as a line in no block is (a caption
    the layout's photo box takes in part of, given to the caption's block)."""
    box = Box.from_poly(quad)
    if (r := _holder(box, blocks)) is not None:
        return Detected(quad, score, r)
    c = box.center
    if any(r.kind == Kind.QR and r.box.contains_point(c) for r in regions):
        return None
    photo = next((r.box for r in regions if r.kind == Kind.PHOTO and r.box.contains_point(c)), None)
    if photo is not None:
        around = _paper_around(ink, box)
        if not (around or _sparse(ink, box)):
            return None  # the photo's texture
        if not around:
            return Detected(quad, score, None, on_photo=True)
    if is_body and blocks:
        near = min(blocks, key=lambda r: _distance(r.box, box))
        grown = Box.union([near.box, box.pad(3)])
        others = [r.box for r in blocks if r is not near]
        if _distance(near.box, box) <= NEAR * body_height and not _reaches_over(
            near.box, grown, others
        ):
            near.box = grown
            return Detected(quad, score, near, on_photo=photo is not None)
    return Detected(quad, score, None, on_photo=photo is not None)


def _sparse(ink: np.ndarray, box: Box) -> bool:
    """Whether less of a line's box than PAPER_INK is ink (print on paper in a photo's
    box, not the photo's texture; so is a line with paper around it, :func:`_paper_around`)."""
    sub = ink[int(max(0, box.y0)) : int(np.ceil(box.y1)), int(max(0, box.x0)) : int(box.x1)]
    return bool(sub.size) and sub.mean() < PAPER_INK


def _paper_around(ink: np.ndarray, box: Box) -> bool:
    """Whether a lying line's box, with one more row above and below, has white rows
    (hardly any ink: the margin around print) above and below its ink: a line of print,
    dense or not, where a photo's texture reaches the box's edges (a caption whose box
    the layout's photo box takes in)."""
    y0, y1 = int(max(0, box.y0 - 1)), int(np.ceil(box.y1)) + 1
    sub = ink[y0:y1, int(max(0, box.x0)) : int(box.x1)]
    if is_tall(box) or sub.shape[0] < 3 or not sub.size:
        return False
    rows = sub.mean(axis=1)
    return bool(rows[0] <= PAPER_WHITE and rows[-1] <= PAPER_WHITE and rows.max() > PAPER_WHITE)


def _reaches_over(box: Box, grown: Box, others: list[Box]) -> bool:
    """``box`` grown to ``grown`` covers more of one of ``others`` than it did."""
    return any(grown.intersection(o) > box.intersection(o) for o in others)


def _distance(a: Box, b: Box) -> float:
    dx = max(0.0, a.x0 - b.x1, b.x0 - a.x1)
    dy = max(0.0, a.y0 - b.y1, b.y0 - a.y1)
    return float(np.hypot(dx, dy))
