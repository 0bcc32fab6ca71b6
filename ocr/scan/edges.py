"""The page's visible edges in a photo whose outline is not a clear quadrilateral, and
what lies beyond them masked.

A photo of a page that runs out of the frame (its foot, a corner) has no four-cornered
outline (``ocr.scan.outline`` leaves it as it is), but where its edge is in the photo
the edge is plain: a long, nearly straight line along which the page's paper, bright
and blank (its margin), meets something darker (the desk, a shadow). Each side of the
photo is searched for such a line in its outer third (a Hough transform of the
places where the image gets brighter towards the inside); a line is the page's edge
only when along most of its length it is darker outside than inside by ``CONTRAST``
and blank inside (no ink in the margin strip, which rules out a rule or a box's
border inside the page). Everything beyond a found edge is not the page and is set to
paper white in the working copy (a receipt on the table, a keyboard beside the page:
nothing outside the page is text of the page). The geometry is unchanged.
"""

from __future__ import annotations

import cv2
import numpy as np

SMALL = 800  # edges are found on a copy with this long side
BAND = 0.35  # an edge lies in the outer third of the photo on its side
ANGLE = 0.15  # radians: an edge runs within this of the photo's side
GRADIENT = 40.0  # Sobel response (3x3, blurred copy) of an edge's step
MIN_LENGTH = 0.3  # the edge's votes: at least this fraction of the side's length
CONTRAST = 20.0  # inside brighter than outside by this much (0-255) ...
ALONG = 0.6  # ... along at least this fraction of the edge in the photo
BLANK = 0.8  # and the margin strip inside is blank paper along this fraction
STRIP = (2, 6)  # the strips either side, pixels of the small copy from the line
CANDIDATES = 8  # strongest lines tried per side


def _sides(small: np.ndarray) -> dict[str, np.ndarray]:
    """Per side, where the image gets brighter towards the inside (a binary map)."""
    g = cv2.GaussianBlur(small, (0, 0), 1.5)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    h, w = small.shape
    bh, bw = int(BAND * h), int(BAND * w)
    out = {}
    for side, grad, keep in (
        ("top", gy, (slice(0, bh), slice(None))),
        ("bottom", -gy, (slice(h - bh, h), slice(None))),
        ("left", gx, (slice(None), slice(0, bw))),
        ("right", -gx, (slice(None), slice(w - bw, w))),
    ):
        m = np.zeros((h, w), np.uint8)
        m[keep] = (grad[keep] > GRADIENT).astype(np.uint8) * 255
        out[side] = m
    return out


def _lines(m: np.ndarray, side: str) -> list[tuple[float, float]]:
    """The strongest (rho, theta) lines of the map near the side's direction."""
    h, w = m.shape
    horizontal = side in ("top", "bottom")
    centre = np.pi / 2 if horizontal else 0.0
    length = w if horizontal else h
    lo, hi = centre - ANGLE, centre + ANGLE
    found = []
    for a, b in ((lo, hi),) if horizontal else ((0.0, hi), (np.pi - ANGLE, np.pi)):
        got = cv2.HoughLines(m, 1, np.pi / 720, int(MIN_LENGTH * length), min_theta=a, max_theta=b)
        if got is not None:
            found += [tuple(v) for v in got.reshape(-1, 2)[:CANDIDATES]]
    return found


def _inward(side: str, theta: float) -> np.ndarray:
    """The unit normal of the line (rho, theta) pointing into the page."""
    n = np.array([np.cos(theta), np.sin(theta)])
    want = {"top": (0, 1), "bottom": (0, -1), "left": (1, 0), "right": (-1, 0)}[side]
    return n if float(n @ np.array(want)) > 0 else -n


def _is_edge(small: np.ndarray, ink: np.ndarray, rho: float, theta: float, side: str) -> bool:
    """Whether the line is the page's edge: darker outside than inside along most of
    it, and blank paper just inside."""
    h, w = small.shape
    n = np.array([np.cos(theta), np.sin(theta)])
    d = np.array([-n[1], n[0]])
    base = n * rho
    t = np.arange(-2 * max(h, w), 2 * max(h, w))
    pts = base[None, :] + t[:, None] * d[None, :]
    inside_img = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    pts = pts[inside_img]
    if len(pts) < MIN_LENGTH * (w if side in ("top", "bottom") else h):
        return False
    inward = _inward(side, theta)

    def strip(sign: float, image: np.ndarray) -> np.ndarray:
        vals = []
        for k in range(STRIP[0], STRIP[1] + 1):
            q = np.round(pts + sign * k * inward).astype(int)
            q[:, 0], q[:, 1] = q[:, 0].clip(0, w - 1), q[:, 1].clip(0, h - 1)
            vals.append(image[q[:, 1], q[:, 0]].astype(np.float32))
        return np.stack(vals)

    inner, outer = strip(1.0, small), strip(-1.0, small)
    dark_outside = inner.mean(axis=0) - outer.mean(axis=0) >= CONTRAST
    blank_inside = strip(1.0, ink).max(axis=0) == 0
    return bool(dark_outside.mean() >= ALONG and blank_inside.mean() >= BLANK)


def page_edges(gray: np.ndarray) -> list[dict]:
    """The page's visible edges: per side found, the line as ``rho`` (pixels of
    ``gray``) and ``theta`` (radians; the points x cos + y sin = rho), and the side."""
    h, w = gray.shape
    f = min(1.0, SMALL / max(h, w))
    small = gray if f == 1.0 else cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    inv = cv2.THRESH_BINARY_INV
    ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, inv, 15, 20)
    found = []
    for side, m in _sides(small).items():
        for rho, theta in _lines(m, side):
            if _is_edge(small, ink, rho, theta, side):
                found.append({"side": side, "rho": round(float(rho) / f, 1),
                              "theta": round(float(theta), 5)})  # fmt: skip
                break
    return found


def outside(shape: tuple[int, int], edges: list[dict]) -> np.ndarray:
    """The pixels (a boolean HxW map) beyond any of the ``edges``."""
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    beyond = np.zeros((h, w), bool)
    for e in edges:
        n = _inward(e["side"], e["theta"])
        rho = e["rho"] * (1 if n @ np.array([np.cos(e["theta"]), np.sin(e["theta"])]) > 0 else -1)
        beyond |= (xx + 0.5) * n[0] + (yy + 0.5) * n[1] < rho
    return beyond


def masked(image: np.ndarray, edges: list[dict]) -> np.ndarray:
    """A copy of ``image`` with everything beyond the ``edges`` set to paper white."""
    out = image.copy()
    out[outside(image.shape, edges)] = 255
    return out
