"""Ink measurement: the ink mask, the paper level, runs of ink, the size of body text.

Also the analysis copy (masks pooled and images shrunk by a whole factor), the removal
of specks of noise, and :func:`crop`, which cuts a block out of a page."""

from __future__ import annotations

import cv2
import numpy as np

from ocr.model import Box
from ocr.scan.load import to_gray


def crop(image: np.ndarray, box: Box, pad: int = 0) -> np.ndarray:
    """The part of ``image`` inside ``box`` grown by ``pad``, clipped to the image."""
    h, w = image.shape[:2]
    b = box.pad(pad).clip(w, h)
    x0, y0 = int(np.floor(b.x0)), int(np.floor(b.y0))
    x1, y1 = int(np.ceil(b.x1)), int(np.ceil(b.y1))
    return image[y0:y1, x0:x1]


def gray_u8(image: np.ndarray) -> np.ndarray:
    """``image`` (gray, RGB or RGBA, any number type) as uint8 gray, clipped to 0..255."""
    g = to_gray(np.asarray(image))
    if g.dtype != np.uint8:
        g = np.clip(g, 0, 255).astype(np.uint8)
    return g


def paper_level(gray: np.ndarray) -> float:
    """The gray level of the paper: the commonest level in the brighter half."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(np.float64)
    cum = np.cumsum(hist)
    mid = int(np.searchsorted(cum, 0.5 * cum[-1]))
    hist = np.convolve(hist, np.ones(5) / 5, mode="same")
    return float(mid + np.argmax(hist[mid:]))


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink mask of a page: 255 where there is ink, 0 elsewhere (uint8, same size).

    A pixel is ink when, lightly smoothed, it is darker than the paper by 40 gray
    levels (less on a faint page: a third of the way to the darkest ink, at least 20),
    so that off-white paper and noise stay white and thin strokes stay ink."""
    g = gray_u8(gray)
    if g.size == 0:
        return np.zeros(g.shape, np.uint8)
    smooth = cv2.GaussianBlur(g, (3, 3), 0.8)
    paper = paper_level(smooth)
    hist = cv2.calcHist([smooth], [0], None, [256], [0, 256]).ravel()
    darkest = float(np.searchsorted(np.cumsum(hist), 0.001 * hist.sum()))
    drop = min(40.0, max(20.0, (paper - darkest) / 3))
    # THRESH_BINARY_INV: 255 where smooth <= t; t just below paper - drop.
    t = float(np.ceil(paper - drop) - 1)
    return cv2.threshold(smooth, t, 255, cv2.THRESH_BINARY_INV)[1]


def runs_of(flags: np.ndarray) -> list[tuple[int, int]]:
    """Half-open runs of True in a 1-D bool array."""
    if flags.size == 0:
        return []
    d = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def bands_of(mask: np.ndarray, min_rows: int = 1) -> list[tuple[int, int]]:
    """Half-open runs of rows of ``mask`` with a pixel set, at least ``min_rows`` tall."""
    return [r for r in runs_of(mask.any(axis=1)) if r[1] - r[0] >= min_rows]


def text_size(ink: np.ndarray) -> tuple[float, float]:
    """(height of a line of body text, usual white gap between two lines), measured on
    the bands of ink in narrow vertical strips of the page (each band one line); a page
    with too little text to measure gets (10, 5) (see :func:`measured_text_size`)."""
    return measured_text_size(ink) or (10.0, 5.0)


def measured_text_size(ink: np.ndarray) -> tuple[float, float] | None:
    """:func:`text_size` as the page's ink shows it, or None when it holds fewer than
    ten bands of ink (a blank or nearly blank page says nothing of its type size)."""
    h, w = ink.shape
    step = max(8, w // 25)
    heights: list[int] = []
    gaps: list[int] = []
    for x in range(0, w - step + 1, step):
        runs = bands_of(ink[:, x : x + step], 4)
        heights += [e - s for s, e in runs]
        gaps += [s1 - e0 for (_, e0), (s1, _) in zip(runs, runs[1:], strict=False)]
    if len(heights) < 10:
        return None
    hs = np.array(heights, dtype=np.float64)
    med = float(np.median(hs))
    ch = float(np.median(hs[(hs > 0.6 * med) & (hs < 1.5 * med)]))
    gs = np.array([g for g in gaps if g < 2 * ch], dtype=np.float64)
    gap = float(np.median(gs)) if len(gs) >= 5 else 0.5 * ch
    return max(6.0, ch), max(1.0, gap)


def pool(mask: np.ndarray, f: int) -> np.ndarray:
    """Any-pooling of a bool mask by a whole factor (padding the edges)."""
    if f == 1:
        return mask.copy()
    h, w = mask.shape
    ph, pw = -h % f, -w % f
    m = np.pad(mask, ((0, ph), (0, pw)))
    return m.reshape((h + ph) // f, f, (w + pw) // f, f).any(axis=(1, 3))


def shrink(gray: np.ndarray, f: int) -> np.ndarray:
    """A gray image made smaller by a whole factor (area averaging, padding with white)."""
    if f == 1:
        return gray
    h, w = gray.shape
    ph, pw = -h % f, -w % f
    g = np.pad(gray, ((0, ph), (0, pw)), constant_values=255)
    return cv2.resize(g, ((w + pw) // f, (h + ph) // f), interpolation=cv2.INTER_AREA)


def clean_text(text: np.ndarray, ch: float) -> tuple[np.ndarray, np.ndarray]:
    """(text, solid): ``text`` without what is not text, and that without its dots.

    Not text: specks of noise (a few pixels), the scan's dark border (ink touching the
    edge of the page and far bigger than a character) and stray dots (ink a quarter of
    a character across at most, a third of a character or more above or below anything
    bigger and two characters or more beside it: bleed-through and dirt; a point, a
    comma or the dash of ``- 1 -`` sits in a line, beside its characters). Dots: ink
    two fifths of a character across at most (points, commas, accents, dirt), wherever
    it lies; the gutters between columns are white but for dots."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(text.astype(np.uint8), connectivity=8)
    h, w = text.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    side = np.maximum(bw, bh)
    speck = stats[:, cv2.CC_STAT_AREA] <= max(2, int(0.004 * ch * ch))
    edge = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    drop = speck | (edge & (side > 12 * ch))
    small = side <= 0.25 * ch
    big = ~small & ~drop
    big[0] = False
    kh, kw = 2 * int(round(0.33 * ch)) + 1, 2 * int(round(2 * ch)) + 1
    near = cv2.dilate(big[labels].astype(np.uint8), np.ones((kh, kw), np.uint8))
    touched = np.bincount(labels.ravel(), weights=near.ravel(), minlength=n)
    drop |= small & (touched == 0)
    drop[0] = False
    dots = drop | (side <= 0.4 * ch)
    dots[0] = False
    return text & ~drop[labels], text & ~dots[labels]
