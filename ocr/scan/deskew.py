"""The deskew stage: measure the skew of a scanned page and rotate it upright.

Pure functions, image in, data out. Angles follow the convention of
:mod:`ocr.model`: ``skew_degrees`` is the rotation of the text in the scan,
counter-clockwise positive as seen on screen; deskewing rotates by ``-skew_degrees``.

The angle is found by projection profiles. Ink is weighed by how much darker it is
than the paper (after subtracting a blurred copy, so that photos and shading, which
carry no direction, drop out); for each candidate angle the ink points are turned by
that angle and summed into row and column profiles. Lines of text (rows) and column
gutters and rules (columns) make both profiles sharpest, so the sum of their squares
peaks at the true skew. Three passes on ever larger copies of the page narrow the peak
down (1 degree steps over the whole range, then 0.2, then 0.04), and a parabola
through the best three angles of the last pass gives the final value.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ocr.model import Deskew
from ocr.scan.load import to_gray

# The passes: (long side of the page copy in pixels, step in degrees, half-width of the
# searched range in degrees, None for the whole range).
PASSES = ((400, 1.0, None), (800, 0.2, 1.2), (2000, 0.04, 0.2))
MIN_CONTRAST = 40  # ink must be this much darker than the paper (0-255) to count
NO_SKEW = 0.02  # below this many degrees, deskew_image leaves the image alone
HIGHPASS = 3.0  # sigma (pixels of each pass's copy) of the blur subtracted from the ink


def _scaled(gray: np.ndarray, long_side: int) -> np.ndarray:
    h, w = gray.shape
    scale = long_side / max(h, w)
    if scale >= 1.0:
        return gray
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)


def _ink_points(gray: np.ndarray, paper: float, threshold: float):
    """Coordinates and weights of the pixels darker than ``paper - threshold``,
    weighted by how much darker they are."""
    dark = paper - gray.astype(np.float32)
    if HIGHPASS:
        # Keep strokes, drop smooth areas (photos, shading) that carry no direction.
        dark = dark - cv2.GaussianBlur(dark, (0, 0), HIGHPASS)
    ys, xs = np.nonzero(dark > threshold)
    if len(xs) == 0:
        return None
    weights = dark[ys, xs] - threshold
    h, w = gray.shape
    # About the centre (pixel centres at i + 0.5), in float64.
    return xs - (w / 2 - 0.5), ys - (h / 2 - 0.5), weights


def _profile_energy(values: np.ndarray, weights: np.ndarray) -> float:
    """Sum of squares of the histogram of ``values`` in 1 px bins, each value spread
    over three bins by a quadratic B-spline. The energy then changes smoothly with the
    angle, and hardly depends on where values fall within their bins (linear
    splatting would favour 0 degrees, where every pixel of a row falls alike)."""
    f = values - np.floor(values.min()) + 1.0
    m = np.rint(f).astype(np.int64)
    d = f - m
    n = int(m.max()) + 2
    prof = np.bincount(m - 1, weights * 0.5 * (0.5 - d) ** 2, minlength=n)
    prof += np.bincount(m, weights * (0.75 - d * d), minlength=n)
    prof += np.bincount(m + 1, weights * 0.5 * (0.5 + d) ** 2, minlength=n)
    return float(np.dot(prof, prof))


def _energies(points, angles: np.ndarray) -> np.ndarray:
    xs, ys, wts = points
    out = np.empty(len(angles))
    for k, a in enumerate(angles):
        t = math.radians(a)
        c, s = math.cos(t), math.sin(t)
        # Undo a counter-clockwise skew of ``a``: in y-down pixels a point of a
        # horizontal line at x lies at y0 - x tan(a), so y cos + x sin is constant.
        rows = ys * c + xs * s
        cols = xs * c - ys * s
        out[k] = _profile_energy(rows, wts) + _profile_energy(cols, wts)
    return out


def _paper_and_contrast(gray: np.ndarray) -> tuple[float, float]:
    """The paper's gray level (90th percentile) and how much darker the darkest ink is."""
    cum = np.cumsum(cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel())
    paper = float(np.searchsorted(cum, 0.90 * cum[-1]))
    darkest = float(np.searchsorted(cum, 0.005 * cum[-1]))
    return paper, paper - darkest


def _peak(angles: np.ndarray, energy: np.ndarray) -> float:
    """The angle of the maximum, refined by a parabola through its neighbours."""
    k = int(np.argmax(energy))
    if 0 < k < len(angles) - 1:
        e0, e1, e2 = energy[k - 1], energy[k], energy[k + 1]
        denom = e0 - 2 * e1 + e2
        if denom < 0:
            shift = 0.5 * (e0 - e2) / denom
            return float(angles[k] + max(-1.0, min(1.0, shift)) * (angles[1] - angles[0]))
    return float(angles[k])


def deskew_angle(gray: np.ndarray, max_degrees: float = 10.0) -> float:
    """The skew of the text in ``gray`` (or a color image) in degrees,
    counter-clockwise positive as seen on screen, within ``±max_degrees``.

    Returns 0.0 for pages without enough ink to measure (blank, tiny or flat)."""
    gray = to_gray(np.asarray(gray))
    if gray.ndim != 2 or min(gray.shape) < 16 or not max_degrees > 0:
        return 0.0
    if gray.dtype != np.uint8:
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    angle = 0.0
    copies = {}
    for side, _, _ in sorted(PASSES, reverse=True):  # each copy from the next larger one
        copies[side] = _scaled(copies[min(copies)] if copies else gray, side)
    for n, (side, step, half) in enumerate(PASSES):
        small = copies[side]
        paper, contrast = _paper_and_contrast(small)
        if contrast < MIN_CONTRAST:
            return 0.0
        points = _ink_points(small, paper, max(MIN_CONTRAST / 2, contrast * 0.25))
        if points is None or len(points[0]) < 20:
            return 0.0
        if half is None:
            count = max(2, int(math.ceil(max_degrees / step)))
            angles = np.linspace(-max_degrees, max_degrees, 2 * count + 1)
        else:
            angles = angle + np.arange(-half, half + 1e-9, step)
        energy = _energies(points, angles)
        # A page with no structure (noise, one blob) gives a flat curve: nothing to see.
        if n == 0 and energy.max() <= energy.mean() * 1.002:
            return 0.0
        angle = _peak(angles, energy) if n == len(PASSES) - 1 else angles[np.argmax(energy)]
    return float(max(-max_degrees, min(max_degrees, angle)))


def deskew_image(image: np.ndarray, skew_degrees: float) -> tuple[np.ndarray, Deskew]:
    """Rotate ``image`` by ``-skew_degrees`` about its centre onto the canvas of
    :meth:`Deskew.for_scan`, paper white outside the scan.

    Uses :meth:`Deskew.matrix` (shifted by half a pixel, since OpenCV puts pixel
    centres at integers and the model at ``i + 0.5``), so that ``to_deskewed`` maps
    every scan point to where it lands (bicubic interpolation: small QR codes stay
    readable). Below 0.02 degrees the image is returned as is.
    """
    h, w = image.shape[:2]
    if abs(skew_degrees) < NO_SKEW:
        return image, Deskew.for_scan(0.0, w, h)
    deskew = Deskew.for_scan(skew_degrees, w, h)
    m = np.array(deskew.matrix(), dtype=np.float64)
    # Model p' = A p + t with centres at i + 0.5; OpenCV's indices are p - 0.5.
    half = np.array([0.5, 0.5])
    m[:, 2] += m[:, :2] @ half - half
    white = 255 if image.ndim == 2 else (255,) * image.shape[2]
    out = cv2.warpAffine(
        image,
        m,
        (deskew.width, deskew.height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=white,
    )
    return out, deskew
