"""Headline blobs: lines of large text, which no vertical cut may cross."""

from __future__ import annotations

import cv2
import numpy as np


def headline_blobs(text: np.ndarray, ch: float, vrule: np.ndarray):
    """Boxes of lines of large text (headlines), which a vertical cut must not cross.

    Components taller than body text are joined with their neighbours on the same line
    when the gap is less than ~0.6 of their height (the space between two words) and
    no vertical rule lies between them; then each line is widened to the smaller
    parts of characters at its ends (a character need not have one tall component)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(text.astype(np.uint8), connectivity=8)
    if n <= 1:
        return []
    boxes = stats[1:, :4].astype(np.int64)
    boxes[:, 2] += boxes[:, 0]  # x1
    boxes[:, 3] += boxes[:, 1]  # y1
    heights = boxes[:, 3] - boxes[:, 1]
    widths = boxes[:, 2] - boxes[:, 0]
    seeds = boxes[(heights > 1.3 * ch) & (widths < 20 * ch)]
    if len(seeds) == 0:
        return []
    seeds = seeds[np.argsort(seeds[:, 0])]
    return [_widen(line, boxes, heights, vrule) for line in _join_words(seeds, vrule)]


def _ruled(vrule: np.ndarray, y0: int, y1: int, xa: int, xb: int) -> bool:
    """Whether a vertical rule lies in rows y0..y1 between columns xa and xb."""
    return xb > xa and y1 > y0 and bool(vrule[y0:y1, xa:xb].any())


def _join_words(seeds: np.ndarray, vrule: np.ndarray) -> list[list[int]]:
    """The boxes of the lines that the tall components ``seeds`` (x0, y0, x1, y1 rows,
    sorted by x0) make: neighbours of about the same height in the same rows, closer
    than ~0.6 of their height and with no vertical rule between them, are joined."""
    reach = 0.6 * float((seeds[:, 3] - seeds[:, 1]).max())
    parent = list(range(len(seeds)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(seeds):
        ha = a[3] - a[1]
        for j in range(i + 1, len(seeds)):
            b = seeds[j]
            if b[0] - a[2] > reach:
                break  # sorted by x0: all further boxes start further right
            hb = b[3] - b[1]
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            if overlap < 0.5 * min(ha, hb) or min(ha, hb) < 0.6 * max(ha, hb):
                continue
            if b[0] - a[2] > 0.6 * max(ha, hb):
                continue
            if _ruled(vrule, max(a[1], b[1]), min(a[3], b[3]), a[2], b[0]):
                continue
            parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i, b in enumerate(seeds):
        g = groups.setdefault(find(i), [int(v) for v in b])
        g[0], g[1] = min(g[0], b[0]), min(g[1], b[1])
        g[2], g[3] = max(g[2], b[2]), max(g[3], b[3])
    return list(groups.values())


def _widen(line: list[int], boxes: np.ndarray, heights: np.ndarray, vrule: np.ndarray):
    """A line widened, left and right, to the smaller parts of characters at its ends:
    components of ``boxes`` within its rows, at least a quarter of its height, less
    than ~0.6 of its height away and with no vertical rule between."""
    x0, y0, x1, y1 = line
    h = y1 - y0
    inside = (boxes[:, 1] >= y0 - 0.1 * h) & (boxes[:, 3] <= y1 + 0.1 * h) & (heights >= 0.25 * h)
    parts = boxes[inside]
    grown = True
    while grown:
        grown = False
        for p in parts:
            if x0 - 0.6 * h <= p[2] < x0 and not _ruled(vrule, y0, y1, p[2], x0):
                x0, grown = int(p[0]), True
            elif x1 < p[0] <= x1 + 0.6 * h and not _ruled(vrule, y0, y1, x1, p[0]):
                x1, grown = int(p[2]), True
    return (x0, y0, x1, y1)
