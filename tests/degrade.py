"""Real-scan degradations of generated pages, with the truth carried along.

Each helper takes a rendered page (``synth.TruthPage`` or ``masonry``'s, upright or
slightly skewed) and returns a new ``TruthPage`` whose image is the page as it reached
the archive -- turned, set beside another in a spread, photographed on a desk, or
scanned coarser -- and whose lines' ``poly`` are the truth polygons moved by the same
map (in the new image's pixels, so they are what a line's stored polygon should be).
``box`` stays the line's box on the upright page. Every helper is a pure function of its
arguments.
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

DESK = (92, 72, 58)  # a brown desk, RGB


def _gray(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img


def _rgb(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB) if img.ndim == 2 else img


def _moved(page, image: np.ndarray, fn) -> object:
    """A copy of ``page`` with ``image`` and each line's poly mapped by ``fn``."""
    lines = [dataclasses.replace(ln, poly=[fn(x, y) for x, y in ln.poly]) for ln in page.lines]
    return dataclasses.replace(page, image=image, lines=lines)


def turned(page, degrees: int):
    """The page as scanned turned ``degrees`` clockwise (90, 180, 270)."""
    h, w = page.image.shape[:2]
    k = {90: -1, 180: 2, 270: 1}[degrees]
    image = np.ascontiguousarray(np.rot90(page.image, k))
    maps = {
        90: lambda x, y: (h - y, x),
        180: lambda x, y: (w - x, h - y),
        270: lambda x, y: (y, w - x),
    }
    return _moved(page, image, maps[degrees])


def spread(left, right, gutter_px: int = 0, shadow: float = 0.0):
    """Two pages side by side in one image (``left`` the left-hand one), ``gutter_px``
    of paper between them, a binding shadow down the middle as dark as ``shadow``
    (0-1). Returns (image, left page's truth, right page's truth), the truths' polys in
    the spread's pixels."""
    a, b = _gray(left.image), _gray(right.image)
    h = max(a.shape[0], b.shape[0])
    canvas = np.full((h, a.shape[1] + gutter_px + b.shape[1]), 255, np.uint8)
    canvas[: a.shape[0], : a.shape[1]] = a
    x1 = a.shape[1] + gutter_px
    canvas[: b.shape[0], x1:] = b
    if shadow > 0:
        mid = a.shape[1] + gutter_px / 2
        xs = np.arange(canvas.shape[1]) + 0.5
        width = 0.03 * canvas.shape[1]
        dark = 1.0 - shadow * np.exp(-(((xs - mid) / width) ** 2))
        canvas = (canvas.astype(np.float32) * dark[None, :]).astype(np.uint8)
    lt = _moved(left, canvas, lambda x, y: (x, y))
    rt = _moved(right, canvas, lambda x, y: (x + x1, y))
    return canvas, lt, rt


def photographed(page, tilt: float = 0.08, curl: float = 0.0, light: float = 0.3, seed: int = 0):
    """The page photographed on a desk: seen in perspective (corners pulled in by up
    to ``tilt`` of a side), its lines bent by ``curl`` (fraction of the height the
    middle of the page sags), lit unevenly (darker by up to ``light`` towards one
    corner), with the desk around it."""
    rng = np.random.default_rng(seed)
    if curl:
        page = curled(page, curl)
    img = _rgb(page.image)
    h, w = img.shape[:2]

    margin = int(0.12 * max(w, h))
    pull = rng.uniform(0.3, 1.0, size=(4, 2)) * tilt
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    signs = np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    dst = (src + signs * pull * np.float32([w, h]) + margin).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    size = (w + 2 * margin, h + 2 * margin)
    desk = np.empty((size[1], size[0], 3), np.uint8)
    desk[:] = DESK
    warped = cv2.warpPerspective(img, m, size, flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size) > 127
    desk[mask] = warped[mask]
    if light:
        yy, xx = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
        shade = 1.0 - light * (xx / size[0] * 0.6 + yy / size[1] * 0.4)
        desk = (desk.astype(np.float32) * shade[:, :, None]).clip(0, 255).astype(np.uint8)

    def project(x, y):
        p = m @ np.array([x, y, 1.0])
        return float(p[0] / p[2]), float(p[1] / p[2])

    return _moved(page, desk, project)


def curled(page, curl: float):
    """The page curled: a point moves down by ``curl * y * (1 - (2x/w - 1)^2)``, so its
    lines sag in the middle, more towards the foot of the page (``curl`` the fraction of
    the height the middle of the foot sags)."""
    h, w = page.image.shape[:2]
    xs, ys = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    src_y = ys / (1 + curl * (1 - (2 * xs / w - 1) ** 2))
    img = cv2.remap(
        page.image, (xs - 0.5).astype(np.float32), (src_y - 0.5).astype(np.float32),
        cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=_white(page.image),
    )  # fmt: skip
    return _moved(page, img, lambda x, y: (x, y * (1 + curl * (1 - (2 * x / w - 1) ** 2))))


def _white(img: np.ndarray):
    return 255 if img.ndim == 2 else (255,) * img.shape[2]


def coarser(page, factor: float):
    """The page scanned at ``factor`` of its resolution (0.5: 300 -> 150 dpi)."""
    h, w = page.image.shape[:2]
    size = (round(w * factor), round(h * factor))
    image = cv2.resize(page.image, size, interpolation=cv2.INTER_AREA)
    fx, fy = size[0] / w, size[1] / h
    out = _moved(page, image, lambda x, y: (x * fx, y * fy))
    return dataclasses.replace(out, dpi=round(page.dpi * factor))


def yellowed(page, tint=(236, 214, 170), light: float = 0.25):
    """The page on yellowed paper under uneven light (darker towards the bottom right)."""
    img = _rgb(page.image).astype(np.float32) / 255.0
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 1.0 - light * np.hypot(xx / w, yy / h) / math.sqrt(2)
    out = img * np.float32(tint)[None, None, :] * shade[:, :, None]
    return dataclasses.replace(page, image=out.clip(0, 255).astype(np.uint8))
