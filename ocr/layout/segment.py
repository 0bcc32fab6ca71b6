"""segment: the layout stage in order, from the gray page to its regions."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.layout.columns import column_grid
from ocr.layout.headlines import headline_blobs
from ocr.layout.ink import binarize, drop_specks, pool, shrink, text_size
from ocr.layout.photos import find_photos
from ocr.layout.qr import find_qr
from ocr.layout.rules import find_rules
from ocr.layout.xycut import WorkPage, xycut
from ocr.model import Box, Deskew, Region
from ocr.scan.load import to_gray

WORK_SIDE = 2600  # the analysis copy of the page is at most this long (a whole factor)
PAD = 3  # pixels around the ink of a text block


def segment(gray: np.ndarray, deskew: Deskew | None = None) -> list[Region]:
    """Blocks of the deskewed page ``gray`` in reading order: text blocks (kind
    ``"text"``), photos, QR codes (decoded into ``text``) and rules (last).

    Boxes are in deskewed pixels; each polygon is its box mapped to the scan by
    ``deskew`` (or the box itself without one)."""
    g = to_gray(np.asarray(gray))
    if g.dtype != np.uint8:
        g = np.clip(g, 0, 255).astype(np.uint8)
    H, W = g.shape[:2]
    if min(H, W) < 8:
        return []
    f = max(1, int(np.ceil(max(H, W) / WORK_SIDE)))
    ink_full = binarize(g) > 0
    ink = pool(ink_full, f)
    small = shrink(g, f)
    ch, line_gap = text_size(ink)

    qrs = find_qr(g, ink, ch, f)
    obst = np.zeros(ink.shape, bool)
    for (x0, y0, x1, y1), _ in qrs:
        obst[y0:y1, x0:x1] = True
    photos = [b for b in find_photos(small, ch) if not obst[b[1] : b[3], b[0] : b[2]].any()]
    for x0, y0, x1, y1 in photos:
        obst[y0:y1, x0:x1] = True
    # The edges of a photo (blurred, turned by the deskew) are left out of the text too.
    margin = max(2, int(round(0.1 * ch)))
    near_obst = cv2.dilate(obst.astype(np.uint8), np.ones((2 * margin + 1,) * 2, np.uint8)) > 0
    hrules, vrules, rule_mask = find_rules(ink & ~obst, ch)
    text = ink & ~near_obst & ~rule_mask
    text = drop_specks(text, ch)
    vrule_only = np.zeros(ink.shape, bool)
    for x0, y0, x1, y1 in vrules:
        vrule_only[y0:y1, x0:x1] = True
    occ = text | obst
    k = max(1, int(round(0.3 * ch)))
    square = np.ones((k, k), np.uint8)
    page = WorkPage(
        text=text,
        occ=occ,
        lines=cv2.dilate(occ.astype(np.uint8), square) > 0,
        grow=k // 2,
        obst=obst,
        ch=ch,
        line_gap=line_gap,
        hrules=hrules,
        vrules=vrules,
        blobs=headline_blobs(text, ch, vrule_only),
    )
    leaves: list = []
    xycut(page, (0, 0, ink.shape[1], ink.shape[0]), leaves)

    xs = np.flatnonzero(text.any(axis=0))
    grid = column_grid(page.column_starts, xs[0], xs[-1] + 1, ch) if len(xs) else []

    def column(x: float) -> int:
        return sum(1 for gx in grid if gx <= x / f + 0.5 * ch)

    def full_box(b) -> Box:
        return Box(b[0] * f, b[1] * f, min(W, b[2] * f), min(H, b[3] * f))

    # Text pixels at full resolution: ink outside photos, QR codes and rules.
    text_full = ink_full.copy()
    obstacles = [(b, "photo", None) for b in photos] + [(b, "qr", t) for b, t in qrs]
    for b, _, _ in obstacles:
        fb = full_box(b).pad(f * margin)
        text_full[int(max(0, fb.y0)) : int(fb.y1), int(max(0, fb.x0)) : int(fb.x1)] = False
    text_full &= ~np.repeat(np.repeat(rule_mask, f, axis=0), f, axis=1)[:H, :W]
    text_full &= np.repeat(np.repeat(text, f, axis=0), f, axis=1)[:H, :W]

    found: list[tuple[str, Box, str | None, int | None]] = []
    done: set[int] = set()
    for leaf in leaves:
        items = []
        for i, (b, kind, payload) in enumerate(obstacles):
            if (
                i not in done
                and b[0] < leaf[2]
                and leaf[0] < b[2]
                and b[1] < leaf[3]
                and leaf[1] < b[3]
            ):
                done.add(i)
                items.append((b[1], kind, full_box(b), payload, column(b[0] * f)))
        lb = full_box(leaf)
        sub = text_full[int(lb.y0) : int(lb.y1), int(lb.x0) : int(lb.x1)]
        rows, cols = np.flatnonzero(sub.any(axis=1)), np.flatnonzero(sub.any(axis=0))
        if len(rows):
            tb = Box(
                lb.x0 + cols[0] - PAD,
                lb.y0 + rows[0] - PAD,
                lb.x0 + cols[-1] + 1 + PAD,
                lb.y0 + rows[-1] + 1 + PAD,
            ).clip(W, H)
            items.append((tb.y0 / f, "text", tb, None, column(tb.x0 + PAD)))
        for _, kind, b, payload, col in sorted(items, key=lambda t: t[0]):
            found.append((kind, b, payload, col))
    for i, (b, kind, payload) in enumerate(obstacles):
        if i not in done:
            found.append((kind, full_box(b), payload, column(b[0] * f)))
    for x0, y0, x1, y1 in sorted(hrules + vrules, key=lambda r: (r[1], r[0])):
        found.append(("rule", full_box((x0, y0, x1, y1)), None, None))

    regions = []
    for n, (kind, b, payload, col) in enumerate(found, start=1):
        b = Box(float(b.x0), float(b.y0), float(b.x1), float(b.y1))
        poly = deskew.to_scan(b.poly()) if deskew is not None else b.poly()
        regions.append(
            Region(id=f"r{n}", kind=kind, box=b, poly=poly, order=n, text=payload, column=col)
        )
    return regions
