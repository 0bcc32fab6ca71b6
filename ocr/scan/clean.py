"""Clean-up of the working copy: uneven light, yellowed paper, bleed-through, shadows.

Only the copy that layout and recognition read is changed; the scan is never touched.
The paper's own brightness is estimated by a wide closing (which removes the ink) on a
small copy; dividing by it makes the paper evenly white, whatever the light, the paper's
tint or a binding's shadow. What is then left lighter than ``BLEED`` of the way from ink
to paper is faint show-through of the other side, and is set to paper. A page whose
paper is already even and white is returned as it is (the fast path on clean scans).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.scan.load import to_gray

SMALL = 500  # the paper is estimated on a copy with this long side
EVEN = 12  # paper varying less than this (0-255, 5th to 95th percentile) and ...
WHITE = 225  # ... at least this bright is left alone
BLEED = 0.82  # after flattening, gray lighter than this fraction of paper is paper


def paper(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness at each pixel of ``gray`` (float32, same size)."""
    h, w = gray.shape
    f = min(1.0, SMALL / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    k = max(3, int(round(min(small.shape) / 40)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.medianBlur(bg, 5)
    return cv2.resize(bg.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def needs_cleaning(gray: np.ndarray) -> tuple[bool, dict]:
    """Whether the paper is uneven or dark enough to flatten, and what was measured."""
    bg = paper(gray[:: max(1, gray.shape[0] // 600), :: max(1, gray.shape[1] // 600)])
    lo, hi = (float(v) for v in np.percentile(bg, [5, 95]))
    measured = {"paper_low": round(lo, 1), "paper_high": round(hi, 1)}
    return (hi - lo > EVEN or lo < WHITE), measured


def flatten(gray: np.ndarray) -> np.ndarray:
    """``gray`` with its paper made evenly white and faint show-through removed."""
    bg = np.maximum(paper(gray), 1.0)
    flat = np.clip(gray.astype(np.float32) / bg * 255.0, 0, 255)
    flat[flat > BLEED * 255] = 255
    return flat.astype(np.uint8)


def clean(image: np.ndarray) -> tuple[np.ndarray, dict]:
    """The working copy of ``image`` (gray out when cleaned) and the record of it."""
    gray = to_gray(image)
    needed, measured = needs_cleaning(gray)
    if not needed:
        return image, {"cleaned": False, **measured}
    return flatten(gray), {"cleaned": True, **measured}
