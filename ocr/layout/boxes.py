"""Boxes in work pixels: (x0, y0, x1, y1) tuples of ints, half-open, as the finders give them."""

from __future__ import annotations

import numpy as np


def overlaps(a, b) -> bool:
    """Whether boxes ``a`` and ``b`` share a pixel."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def paint(mask: np.ndarray, boxes) -> None:
    """Set every pixel of ``mask`` inside one of ``boxes``."""
    for x0, y0, x1, y1 in boxes:
        mask[y0:y1, x0:x1] = True
