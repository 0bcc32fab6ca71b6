"""Resolution: how tall the page's text is in pixels, and the scale that suits the models.

The page's own evidence, not its stated dpi (many images state none, some state a
wrong one): the body text's character size is the median size of the square ink blobs
that characters make once their strokes are joined (a Han character is square; its
radicals are joined by closing the strokes' gaps). The recognizer reads lines resized
to 48 pixels high and the detector finds lines best between about 20 and 60 pixels of
type; a page whose body type is smaller than ``MIN_TEXT_PX`` is scaled up to
``TARGET_TEXT_PX`` (at most ``MAX_UP``), a page much larger than needed, or too large to
lay out, is scaled down.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.scan.load import to_gray

MIN_TEXT_PX = 24.0  # body type smaller than this is scaled up ...
TARGET_TEXT_PX = 32.0  # ... to about this (a 9 pt body at about 250 dpi)
# The detector's line boxes are this much taller than the type (they include a margin;
# 1.1-1.4 measured on generated pages at 150 and 200 dpi).
LINE_TO_TYPE = 1.25
MAX_TEXT_PX = 90.0  # body type larger than this is scaled down to TARGET_TEXT_PX * 2
MAX_UP = 3.0
MAX_SIDE = 9000  # a prepared page's long side at most (layout and detection memory)
SAMPLE_SIDE = 2000  # the text is measured on a copy at most this long
MIN_BLOBS = 40  # fewer character-like blobs than this: the size is not known


def text_height(image: np.ndarray) -> float | None:
    """The body text's character size in pixels of ``image``, or None (too little text)."""
    gray = to_gray(np.asarray(image))
    h, w = gray.shape
    f = min(1.0, SAMPLE_SIDE / max(h, w))
    small = gray if f == 1.0 else cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    # Ink against the local paper: works on yellowed or unevenly lit pages too.
    ink = cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )
    sizes = _blob_sizes(ink)
    if sizes is None:
        return None
    # Strokes closed over gaps of a few pixels join a character's parts; measured twice,
    # the second time with the gap set from the first size (small type has small gaps).
    first = float(np.median(sizes))
    sizes = _blob_sizes(ink, gap=max(1, int(round(first * 0.15)))) if first > 6 else sizes
    if sizes is None:
        return None
    return float(np.median(sizes)) / f


def _blob_sizes(ink: np.ndarray, gap: int = 2) -> np.ndarray | None:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (gap + 1, gap + 1))
    joined = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel)
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    bw, bh = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    area = stats[1:, cv2.CC_STAT_AREA]
    side = np.maximum(bw, bh)
    square = (bw >= 0.75 * bh) & (bh >= 0.75 * bw) & (side >= 4) & (area >= 0.15 * bw * bh)
    if int(square.sum()) < MIN_BLOBS:
        return None
    sizes = side[square].astype(np.float64)
    # Body text is the most common size: keep the blobs near the busiest size band.
    hist, edges = np.histogram(np.log(sizes), bins=24)
    k = int(np.argmax(hist))
    lo, hi = np.exp(edges[max(0, k - 2)]), np.exp(edges[min(len(hist), k + 3)])
    return sizes[(sizes >= lo) & (sizes <= hi)]


def scale_for(text_px: float | None, width: int, height: int) -> float:
    """The factor to resize a page whose body type is ``text_px`` high: 1.0 when it
    suits the models (or is unknown), and never so large the page exceeds ``MAX_SIDE``."""
    factor = 1.0
    if text_px and text_px < MIN_TEXT_PX:
        factor = min(MAX_UP, TARGET_TEXT_PX / text_px)
    elif text_px and text_px > MAX_TEXT_PX:
        factor = 2 * TARGET_TEXT_PX / text_px
    long_side = max(width, height)
    if long_side * factor > MAX_SIDE:
        factor = MAX_SIDE / long_side
    return round(factor, 3) if abs(factor - 1.0) > 0.05 else 1.0
