"""Photos: large solid areas darker than the paper, many of their pixels gray."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.layout.boxes import overlaps
from ocr.layout.ink import paper_level


def find_photos(gray: np.ndarray, ch: float) -> list[tuple[int, int, int, int]]:
    """Boxes of photos: areas of at least ~3 characters a side where nearly every
    pixel is darker than the paper (a big title leaves paper between its strokes),
    and many are gray rather than black (unlike a black banner), and not a banner of
    one tone with lettering in it (:func:`_banner`)."""
    paper = paper_level(gray)
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.0)
    nonpaper = (smooth < paper - 22).astype(np.float32)
    gray_tone = (smooth >= 90) & (smooth < paper - 22)
    k = max(3, int(round(ch)))
    density = cv2.blur(nonpaper, (k, k))
    core = (density >= 0.85).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=4)
    boxes = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bw < 2.5 * ch or bh < 2.5 * ch or area < 0.5 * bw * bh:
            continue
        x0, y0, x1, y1 = _snap(nonpaper > 0, x, y, x + bw, y + bh, k)
        dark = nonpaper[y0:y1, x0:x1].sum()
        # Solid (a character leaves paper around its strokes; a big photo may have
        # a few white parts) and not all black.
        fill = dark / ((x1 - x0) * (y1 - y0))
        big = min(x1 - x0, y1 - y0) >= 8 * ch
        if fill < 0.75 or (fill < 0.95 and not big) or gray_tone[y0:y1, x0:x1].sum() < 0.25 * dark:
            continue
        if _banner(gray[y0:y1, x0:x1], paper):
            continue
        boxes.append((x0, y0, x1, y1))
    return _merge_boxes(boxes)


def _banner(box: np.ndarray, paper: float) -> bool:
    """Whether a solid area (``box``, gray) is a banner, a headline set in the paper's
    white on a ground of one tone: half of its pixels darker than the paper within 16
    levels of their median (a photo's tones spread far wider), and light strokes
    (nearer the paper than that tone) inside it, touching none of its edges, on a
    twentieth of it or more and in pieces, none of them half of all (the strokes of
    type; a tint box with nothing in it, a photo's sky along its edge, a light shape
    in a photo are not)."""
    box = box.astype(np.float32)
    ground = box[box < paper - 22]
    if ground.size == 0:
        return False
    tone = float(np.median(ground))
    if np.mean(np.abs(ground - tone) <= 16) < 0.5:
        return False
    light = box > (tone + paper) / 2  # nearer the paper than the ground
    n, labels, stats, _ = cv2.connectedComponentsWithStats(light.astype(np.uint8), connectivity=8)
    h, w = box.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    inside = (x > 0) & (y > 0) & (x + stats[:, 2] < w) & (y + stats[:, 3] < h)
    inside[0] = False
    area = stats[inside, cv2.CC_STAT_AREA]
    return area.sum() >= 0.05 * h * w and area.max() <= 0.5 * area.sum()


def _snap(mask: np.ndarray, x0: int, y0: int, x1: int, y1: int, reach: int):
    """Grow a box side by side while the row or column just outside is mostly set."""
    h, w = mask.shape
    for _ in range(reach + 2):
        grown = False
        if y0 > 0 and mask[y0 - 1, x0:x1].mean() >= 0.5:
            y0 -= 1
            grown = True
        if y1 < h and mask[y1, x0:x1].mean() >= 0.5:
            y1 += 1
            grown = True
        if x0 > 0 and mask[y0:y1, x0 - 1].mean() >= 0.5:
            x0 -= 1
            grown = True
        if x1 < w and mask[y0:y1, x1].mean() >= 0.5:
            x1 += 1
            grown = True
        if not grown:
            break
    return x0, y0, x1, y1


def _merge_boxes(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Merge overlapping boxes until none overlap."""
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if overlaps(a, b):
                    boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes
