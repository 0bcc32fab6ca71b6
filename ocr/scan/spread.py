"""Spreads: two pages in one image (an opened issue on a scanner), found and split.

The evidence is the image's own: it is landscape; down its middle runs a band with no
ink (the two pages' inner margins, or the binding's shadow, which is smooth and so no
ink either) from top to bottom; that band is clearly wider than any other blank band
inside the image (a page's column gutters, the space between articles), and both
halves carry text. A single page turned on its side is landscape too, but its widest
blank band is seldom in the middle and seldom twice as wide as its gutters.

Whether a scan is a spread is decided when the batch is planned (each half becomes its
own page, numbered in the issue, both pointing back at the one image: ``PageJob.leaf``);
where the cut goes is found again by the worker on the upright image. The first page is
the left one, unless the text is set in vertical lines (read right to left, so bound on
the right): then it is the right one.
"""

from __future__ import annotations

import numpy as np

from ocr.scan.load import to_gray

MIN_ASPECT = 1.15  # a spread is at least this much wider than high
MIDDLE = (0.38, 0.62)  # where the gutter may be, as fractions of the width
MIN_BAND = 0.025  # the gutter is at least this wide (fraction of the width; two inner
# margins: a column gutter, at most about 1%, is not one) ...
WIDER = 2.0  # ... and this many times the widest other blank band inside the image
SIDE = 1000  # detection works on a copy with this long side
BLANK = 0.01  # a column with ink in fewer rows than this fraction is blank
PLAN_DPI = 50  # a PDF page is looked at this coarsely when the batch is planned


def leaf_sha256(sha256: str, leaf: int) -> str:
    """The identity of page ``leaf`` of a spread in the file with this hash: the hash
    with ``#1`` or ``#2`` after it (leaf 0, the whole image: the hash itself)."""
    return f"{sha256}#{leaf}" if leaf else sha256


def _ink_columns(gray: np.ndarray) -> np.ndarray:
    """For each column, the fraction of the content's rows with ink in it (ink: darker
    than the local paper; a smooth shadow is not ink)."""
    import cv2

    g = gray.astype(np.float32)
    dark = cv2.GaussianBlur(g, (0, 0), 6) - g
    ink = dark > max(20.0, float(np.percentile(dark, 99.5)) * 0.35)
    rows = np.nonzero(ink.mean(axis=1) > 0.002)[0]
    if len(rows) < 10:
        return np.zeros(gray.shape[1])
    body = ink[rows[0] + (rows[-1] - rows[0]) // 40 : rows[-1] - (rows[-1] - rows[0]) // 40]
    return body.mean(axis=0)


def _bands(blank: np.ndarray) -> list[tuple[int, int]]:
    """Runs of blank columns as (start, end), those touching the image's edges left out."""
    edges = np.diff(np.concatenate([[0], blank.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [(int(s), int(e)) for s, e in zip(starts, ends) if s > 0 and e < len(blank)]


def gutter(image: np.ndarray) -> int | None:
    """The x of the cut between the two pages of a spread (pixels of ``image``), or None
    when the image is not a spread."""
    import cv2  # here: the batch's planner imports this module for leaf_sha256

    gray = to_gray(np.asarray(image))
    h, w = gray.shape
    if w < MIN_ASPECT * h:
        return None
    f = min(1.0, SIDE / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    cols = _ink_columns(small)
    sw = len(cols)
    bands = _bands(cols < BLANK)
    lo, hi = MIDDLE[0] * sw, MIDDLE[1] * sw
    middle = [b for b in bands if b[0] < hi and b[1] > lo]
    if not middle:
        return None
    best = max(middle, key=lambda b: b[1] - b[0])
    width = best[1] - best[0]
    others = [e - s for s, e in bands if (s, e) != best]
    if width < MIN_BAND * sw or width < WIDER * max(others, default=0):
        return None
    left, right = cols[: best[0]].mean(), cols[best[1] :].mean()
    if min(left, right) < 0.02 or max(left, right) > 4 * min(left, right):
        return None  # one half without text (a cover beside a blank board, a fold-out)
    return int(round((best[0] + best[1]) / 2 / f))


def leaf_box(width: int, height: int, cut: int, leaf: int, right_first: bool) -> tuple:
    """The box (x0, y0, x1, y1) of page ``leaf`` (1 or 2, in reading order)."""
    left = (leaf == 1) != right_first
    return (0, 0, cut, height) if left else (cut, 0, width, height)


def vertical_text(gray: np.ndarray) -> bool:
    """Whether the page's text is set in vertical lines: within strips of the page, more
    of its ink's column profile is empty (the gaps between vertical lines) than of its
    row profile (the gaps between horizontal lines). (Characters set on a grid leave
    narrow, shallow gaps between them across a line; the gaps between lines are wide and
    empty. Measured on real pages: horizontal books and newspapers 0.24-0.73 empty
    columns per empty row, vertical newspapers 1.37-1.45.)"""
    import cv2

    f = min(1.0, SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else gray
    g = small.astype(np.float32)
    ink = (cv2.GaussianBlur(g, (0, 0), 6) - g > 25).astype(np.float32)

    def empty(profile: np.ndarray) -> float:
        inked = profile[profile > 0]
        if len(inked) < 10:
            return 0.0
        return float(np.mean(profile < 0.1 * np.median(inked)))

    # Profiles within strips, so that columns (or rows) of text do not fill each other.
    n = 8
    rows = np.mean([empty(s.sum(axis=1)) for s in np.array_split(ink, n, axis=1)])
    cols = np.mean([empty(s.sum(axis=0)) for s in np.array_split(ink, n, axis=0)])
    return bool(cols > rows)
