"""Resolution: how tall the page's text is in pixels, and the scale that suits the models.

The page's own evidence, not its stated dpi (many images state none, some state a
wrong one): the body text's character size from the heights of the ink's connected
parts (see :func:`text_height`), or, where that says the type is small or cannot say,
from the text lines the detector finds on a sample of the page. The recognizer reads lines resized
to 48 pixels high whatever their size, and the recognize stage detects lines block by
block at full resolution, so small type reads best as it is: only type smaller than
``MIN_TEXT_PX`` is scaled up, to ``TARGET_TEXT_PX`` (at most ``MAX_UP``); a page much
larger than needed, or too large to lay out, is scaled down.

Measured on the real 农民日报 page (992 x 1419 px, body type 10 px by its detected
lines), read whole at each factor, line CER against its (noisy) ground truth and
against a hand-corrected sample of 209 characters: x1 11.5% / 2.9%, x1.5 12.5% / 5.7%,
x2 13.9% / 19.6%, x2.5 15.7% / 24.9%, x3 11.9% / 4.8%. Scaled up, lines are found in
pieces (the 2x and 2.5x readings lose parts of lines) and read no better; so a 10 px
body is read as it is (``bench/realscans.py``).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.scan.load import to_gray

MIN_TEXT_PX = 8.0  # body type smaller than this is scaled up ...
TARGET_TEXT_PX = 12.0  # ... to about this (the smallest type measured reading well)
# The detector's line boxes are this much taller than the type (they include a margin;
# 1.1-1.4 measured on generated pages at 150 and 200 dpi).
LINE_TO_TYPE = 1.25
MAX_TEXT_PX = 90.0  # body type larger than this is scaled down to TARGET_TEXT_PX * 2
MAX_UP = 3.0
MAX_SIDE = 9000  # a prepared page's long side at most (layout and detection memory)
SAMPLE_SIDE = 2000  # the text is measured on a copy at most this long
MIN_PARTS = 300  # fewer parts of characters than this: the size is not known


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
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    bw, bh = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    # A character's strokes and radicals: not rules (long and thin), not photos (huge).
    parts = bh[(bh >= 4) & (bw <= 3 * bh) & (bh <= 0.1 * max(small.shape))]
    if len(parts) < MIN_PARTS:
        return None
    # Most characters have a part as tall as the character (a vertical stroke, a
    # radical), and body text is most of the page's characters: among the taller half
    # of the parts, the most common height (each height counted with those within 10%)
    # is the body's character height (on generated pages at 100-300 dpi, 0.85-1.0 of
    # the body lines' ink height; a percentile is thrown by headline-heavy pages).
    top = np.sort(parts[parts >= np.median(parts)]).astype(np.float64)
    heights = np.arange(top[0], top[-1] + 1)
    counts = np.searchsorted(top, 1.1 * heights, "right") - np.searchsorted(top, 0.9 * heights)
    return float(heights[int(np.argmax(counts))]) / f


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
