"""segment: the layout stage step by step, from the deskewed gray page to its regions.

The steps are those of the package docstring (:mod:`ocr.layout`). The analysis runs on
a copy of the page in *work pixels* (whole factor ``f``, see :class:`_Scale`); boxes of
the regions are measured on the full page."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.layout.boxes import overlaps, paint
from ocr.layout.columns import column_grid, column_of
from ocr.layout.headlines import headline_blobs
from ocr.layout.ink import (
    binarize,
    clean_text,
    gray_u8,
    pool,
    shrink,
    text_size,
)
from ocr.layout.photos import find_photos
from ocr.layout.qr import find_qr
from ocr.layout.rules import find_rules
from ocr.layout.xycut import WorkPage, xycut
from ocr.model import Box, Deskew, Region, Transform

WORK_SIDE = 2600  # the analysis copy of the page is at most this long (a whole factor)
PAD = 3  # pixels around the ink of a text block

# A picture (photo or QR code) to place: (work box, kind, decoded text of a QR code).
_Picture = tuple[tuple[int, int, int, int], str, str | None]
# A region found, before numbering: (kind, box in full pixels, text, grid column).
_Found = tuple[str, Box, str | None, int | None]


def segment(gray: np.ndarray, deskew: Deskew | Transform | None = None) -> list[Region]:
    """Blocks of the deskewed page ``gray`` in reading order: text blocks (kind
    ``"text"``), photos, QR codes (decoded into ``text``) and rules (last).

    Boxes are in deskewed pixels; each polygon is its box mapped to the scan by
    ``deskew`` (or the box itself without one)."""
    gray = gray_u8(gray)
    height, width = gray.shape[:2]
    if min(height, width) < 8:
        return []
    scale = _Scale(max(1, int(np.ceil(max(height, width) / WORK_SIDE))), width, height)
    ink_full = binarize(gray) > 0
    ink = pool(ink_full, scale.f)
    ch, line_gap = text_size(ink)

    qrs, photos, picture_area = _find_pictures(gray, ink, ch, scale.f)
    marks, text, solid, rule_mask, hrules, vrules = _text_ink(ink, picture_area, ch)
    page = _work_page(text, solid, picture_area, ch, line_gap, hrules, vrules)
    page.marks = marks  # the specks too: a 72 dpi point in a narrow gutter
    leaves: list = []
    xycut(page, (0, 0, ink.shape[1], ink.shape[0]), leaves)
    grid = _grid(page)

    pictures: list[_Picture] = [(b, "photo", None) for b in photos]
    pictures += [(b, "qr", t) for b, t in qrs]
    text_full = _text_full(ink_full, text, rule_mask, pictures, scale, ch)
    found = _place(leaves, pictures, text_full, scale, grid, ch)
    for rule in sorted(hrules + vrules, key=lambda r: (r[1], r[0])):
        found.append(("rule", scale.full_box(rule), None, None))
    return _regions(found, deskew)


@dataclass(frozen=True)
class _Scale:
    """How the analysis copy maps to the page: a work pixel is ``f`` x ``f`` pixels of
    the page, which is ``width`` x ``height`` pixels."""

    f: int
    width: int
    height: int

    def full_box(self, b) -> Box:
        """A work box in page pixels, clipped to the page on the right and bottom."""
        f = self.f
        return Box(b[0] * f, b[1] * f, min(self.width, b[2] * f), min(self.height, b[3] * f))

    def full_mask(self, mask: np.ndarray) -> np.ndarray:
        """A work mask at page size (each work pixel repeated)."""
        f = self.f
        return np.repeat(np.repeat(mask, f, axis=0), f, axis=1)[: self.height, : self.width]


def _picture_margin(ch: float) -> int:
    """How far (work pixels) around a picture is left out of the text: the edges of a
    photo are blurred and turned by the deskew."""
    return max(2, int(round(0.1 * ch)))


def _find_pictures(gray: np.ndarray, ink: np.ndarray, ch: float, f: int):
    """(QR codes with their text, photos, mask of their area): step 2, pictures. A photo
    where a QR code was found is dropped."""
    qrs = find_qr(gray, ink, ch, f)
    area = np.zeros(ink.shape, bool)
    paint(area, [b for b, _ in qrs])
    photos = find_photos(shrink(gray, f), ch)
    photos = [b for b in photos if not area[b[1] : b[3], b[0] : b[2]].any()]
    paint(area, photos)
    return qrs, photos, area


def _text_ink(ink: np.ndarray, picture_area: np.ndarray, ch: float):
    """(marks, text ink, solid, mask of rule pixels, horizontal rules, vertical rules):
    step 2, rules, and what is left for text: ink off pictures (and their margin) and
    rules (``marks``, every speck kept), and that cleaned (:func:`clean_text`)."""
    margin = _picture_margin(ch)
    square = np.ones((2 * margin + 1,) * 2, np.uint8)
    near_pictures = cv2.dilate(picture_area.astype(np.uint8), square) > 0
    hrules, vrules, rule_mask = find_rules(ink & ~picture_area, ch)
    marks = ink & ~near_pictures & ~rule_mask
    text, solid = clean_text(marks, ch)
    return marks, text, solid, rule_mask, hrules, vrules


def _work_page(text, solid, picture_area, ch: float, line_gap, hrules, vrules) -> WorkPage:
    """What the XY-cut works on (step 3): the masks, the text size, rules, headlines."""
    vrule_area = np.zeros(text.shape, bool)
    paint(vrule_area, vrules)
    occupied = text | picture_area
    k = max(1, int(round(0.3 * ch)))
    square = np.ones((k, k), np.uint8)
    return WorkPage(
        text=text,
        occupied=occupied,
        solid=solid | picture_area,
        lines=cv2.dilate(occupied.astype(np.uint8), square) > 0,
        grow=k // 2,
        pictures=picture_area,
        ch=ch,
        line_gap=line_gap,
        hrules=hrules,
        vrules=vrules,
        headlines=headline_blobs(text, ch, vrule_area),
    )


def _grid(page: WorkPage) -> list[float]:
    """The column grid of the page (work pixels) from the cuts of the XY-cut."""
    xs = np.flatnonzero(page.text.any(axis=0))
    return column_grid(page.column_starts, xs[0], xs[-1] + 1, page.ch) if len(xs) else []


def _text_full(ink_full, text, rule_mask, pictures: list[_Picture], scale: _Scale, ch: float):
    """Text pixels at full resolution: ink outside photos, QR codes and rules."""
    out = ink_full.copy()
    margin = _picture_margin(ch)
    for b, _, _ in pictures:
        fb = scale.full_box(b).pad(scale.f * margin)
        out[int(max(0, fb.y0)) : int(fb.y1), int(max(0, fb.x0)) : int(fb.x1)] = False
    out &= ~scale.full_mask(rule_mask)
    out &= scale.full_mask(text)
    return out


def _place(leaves, pictures: list[_Picture], text_full, scale: _Scale, grid, ch) -> list[_Found]:
    """Text blocks and pictures in reading order (step 4): leaf by leaf, the pictures
    that the leaf overlaps (each once) and its text block, top to bottom; then the
    pictures that no leaf overlaps."""

    def column(x: float) -> int:  # x in page pixels
        return column_of(grid, x / scale.f, ch)

    found: list[_Found] = []
    done: set[int] = set()
    for leaf in leaves:
        items = []
        for i, (b, kind, payload) in enumerate(pictures):
            if i not in done and overlaps(b, leaf):
                done.add(i)
                items.append((b[1], kind, scale.full_box(b), payload, column(b[0] * scale.f)))
        tb = _text_block(text_full, scale.full_box(leaf), scale)
        if tb is not None:
            items.append((tb.y0 / scale.f, "text", tb, None, column(tb.x0 + PAD)))
        for _, kind, b, payload, col in sorted(items, key=lambda t: t[0]):
            found.append((kind, b, payload, col))
    for i, (b, kind, payload) in enumerate(pictures):
        if i not in done:
            found.append((kind, scale.full_box(b), payload, column(b[0] * scale.f)))
    return found


def _text_block(text_full: np.ndarray, leaf: Box, scale: _Scale) -> Box | None:
    """The text block of a leaf (page pixels): tight around its text pixels, plus
    :data:`PAD`, clipped to the page; None for a leaf without text."""
    sub = text_full[int(leaf.y0) : int(leaf.y1), int(leaf.x0) : int(leaf.x1)]
    rows, cols = np.flatnonzero(sub.any(axis=1)), np.flatnonzero(sub.any(axis=0))
    if not len(rows):
        return None
    return Box(
        leaf.x0 + cols[0] - PAD,
        leaf.y0 + rows[0] - PAD,
        leaf.x0 + cols[-1] + 1 + PAD,
        leaf.y0 + rows[-1] + 1 + PAD,
    ).clip(scale.width, scale.height)


def _regions(found: list[_Found], deskew: Deskew | Transform | None) -> list[Region]:
    """The regions, numbered in order, with float boxes and polygons on the scan."""
    regions = []
    for n, (kind, b, payload, col) in enumerate(found, start=1):
        b = Box(float(b.x0), float(b.y0), float(b.x1), float(b.y1))
        poly = deskew.to_scan(b.poly()) if deskew is not None else b.poly()
        regions.append(
            Region(id=f"r{n}", kind=kind, box=b, poly=poly, order=n, text=payload, column=col)
        )
    return regions
