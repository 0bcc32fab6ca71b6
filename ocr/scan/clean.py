"""Clean-up of the working copy: uneven light, yellowed paper, bleed-through, shadows.

Only the copy that layout and recognition read is changed; the scan is never touched.
The paper's own brightness is estimated cell by cell (the bright end of each cell, which
is paper where there is text, smoothed by a median over neighbouring cells so that
photos and dark boxes take their neighbours' paper); dividing by it makes the paper
evenly white, whatever the light, the paper's tint or a binding's shadow. What is then
left lighter than ``BLEED`` of the way from ink to paper is faint show-through of the
other side, and is set to paper. A page whose paper is already even and white is
returned as it is (the fast path on clean scans).

A binding's shadow runs down the page from top to bottom and is a few per cent of the
width across: the cells, and the median over them, are too coarse to see it (and the
layout takes a shadow darker than its ink threshold for ink). It is measured column by
column instead (:func:`column_paper`: every column of a page crosses many gaps between
lines, so its bright end is its paper) and divided out of the image that layout and
recognition read (:func:`lighten_shadows`), before the page is deskewed, while the
shadow still runs straight down.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.scan.load import to_gray

CELLS = 32  # the paper is measured in cells of 1/32 of the page's long side ...
SMOOTH = 7  # ... and smoothed over this many cells by a median (photos drop out)
EVEN = 16  # paper varying less than this (0-255, across the middle half of the cells) ...
WHITE = 215  # ... and at least this bright (median cell) is left alone
BLEED = 0.82  # after flattening, gray lighter than this fraction of paper is paper
COLUMN_PAPER = 90  # a column's paper: this percentile of its pixels
SHADOW_SMOOTH = 0.005  # the column profile is smoothed over this fraction of the width
TONE_STEP = 4  # the paper's tone (what a warp fills in) is measured every this many pixels


def _paper_grid(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness in each cell: the cell's 95th percentile (most cells hold
    mostly paper), median-smoothed so that photos and dark boxes, which cover a few
    cells, take their neighbours' paper."""
    h, w = gray.shape
    side = max(8, int(max(h, w) / CELLS))
    ny, nx = max(1, h // side), max(1, w // side)
    cells = gray[: ny * side, : nx * side].reshape(ny, side, nx, side).transpose(0, 2, 1, 3)
    grid = np.percentile(cells.reshape(ny, nx, -1)[:, :, ::7], 95, axis=2).astype(np.uint8)
    k = min(SMOOTH, (min(ny, nx) // 2) * 2 + 1 if min(ny, nx) > 2 else 1)
    return cv2.medianBlur(grid, k) if k >= 3 else grid


def paper_tone(image: np.ndarray) -> int | tuple[int, ...]:
    """The page's paper as one tone (per channel for colour): the median over the cells
    of their bright end (:func:`_paper_grid`), on a copy taken every ``TONE_STEP``
    pixels. What a warp puts beyond its input's edges, so that they stay paper: a
    photo's gray paper filled with white would leave a step that :func:`flatten` makes
    a band of noise and the layout takes for text."""
    sub = image[::TONE_STEP, ::TONE_STEP]
    if sub.ndim == 2:
        return int(np.median(_paper_grid(sub)))
    return tuple(
        int(np.median(_paper_grid(np.ascontiguousarray(sub[:, :, c])))) for c in range(sub.shape[2])
    )


def paper(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness at each pixel of ``gray`` (float32, same size)."""
    grid = _paper_grid(gray).astype(np.float32)
    h, w = gray.shape
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def needs_cleaning(gray: np.ndarray) -> tuple[bool, dict]:
    """Whether the paper is uneven or dark enough to flatten, and what was measured."""
    grid = _paper_grid(gray)
    lo, mid, hi = (float(v) for v in np.percentile(grid, [25, 50, 75]))
    measured = {"paper_low": round(lo, 1), "paper": round(mid, 1), "paper_high": round(hi, 1)}
    return (hi - lo > EVEN or mid < WHITE), measured


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


def column_paper(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness in each column of ``gray`` (float32, one per column): the
    bright end of the column (every fourth row), smoothed across a few columns."""
    prof = np.percentile(gray[::4], COLUMN_PAPER, axis=0).astype(np.float32)
    sigma = max(1.0, SHADOW_SMOOTH * gray.shape[1])
    return cv2.GaussianBlur(prof[None, :], (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)[0]


def lighten_shadows(image: np.ndarray) -> tuple[np.ndarray, dict]:
    """``image`` with a shadow running down the page (a binding's) lightened to the
    paper around it: each column brightened by as much as its paper is darker than the
    page's (never darkened); returned as it is when no column's paper is darker than the
    page's by ``EVEN`` or more."""
    prof = column_paper(to_gray(image))
    level = float(np.median(prof))
    depth = level - float(prof.min())
    if depth < EVEN:
        return image, {"shadow": False}
    gain = np.maximum(level / np.maximum(prof, 1.0), 1.0)
    g = gain[None, :] if image.ndim == 2 else gain[None, :, None]
    out = np.clip(image.astype(np.float32) * g, 0, 255).astype(np.uint8)
    dark = np.nonzero(level - prof >= EVEN)[0]
    where = [int(dark[0]), int(dark[-1]) + 1]
    return out, {"shadow": True, "depth": round(depth, 1), "columns": where}
