"""The page's outline in a photo, and the perspective that makes it an upright rectangle.

A phone photo of a page on a desk shows the desk around the page, and the page as a
quadrilateral. The page is the largest bright region (Otsu's threshold on a small,
blurred copy); its outline, simplified to four corners, is mapped onto a rectangle whose
sides are the outline's mean side lengths. Nothing outside the outline is kept, so
nothing beside the page is read as its text. A scan, whose paper fills the image, is
left as it is; so is a page whose outline is not a clear quadrilateral, but then what
lies beyond the page's edges that are in the photo is masked (``ocr.scan.edges``).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.model import Step
from ocr.scan import transform as tf

SMALL = 800  # the outline is found on a copy with this long side
MIN_AREA = 0.25  # the page covers at least this fraction of the photo ...
MAX_AREA = 0.93  # ... and, to be worth correcting, at most this fraction
MIN_CONTRAST = 25  # the page is this much brighter than what is around it (0-255)
CORNER = 0.01  # a quadrilateral corner this close (fraction of the long side) to a
# corner of the image is the image's, not the page's (unless the outline is upright:)
UPRIGHT_DEGREES = 1.5


def _page_region(gray: np.ndarray) -> tuple[np.ndarray, float, tuple[int, int]] | None:
    """The page seen on a background: the convex hull of the largest bright region (on
    the small copy), the copy's scale and shape; None when the photo shows no page on a
    darker background of the right size (a scan: paper to the edges)."""
    h, w = gray.shape
    f = min(1.0, SMALL / max(h, w))
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 3)
    # Close the text so the page is one bright region.
    k = max(3, int(min(small.shape) / 30) | 1)
    small = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    t, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    inside, outside = small[bright > 0], small[bright == 0]
    if len(outside) == 0 or float(inside.mean()) - float(outside.mean()) < MIN_CONTRAST:
        return None
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    area = cv2.contourArea(hull) / (small.shape[0] * small.shape[1])
    if not MIN_AREA <= area <= MAX_AREA:
        return None
    return hull, f, small.shape


def on_background(gray: np.ndarray) -> bool:
    """Whether the photo shows its page on a darker background (outlined or not)."""
    return _page_region(gray) is not None


def page_quad(gray: np.ndarray) -> np.ndarray | None:
    """The page's four corners (4x2, clockwise from top-left, pixels of ``gray``) or None."""
    region = _page_region(gray)
    if region is None:
        return None
    hull, f, shape = region
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(quad) != 4:
        return None
    if _in_a_corner(quad, shape) and not _upright(quad):
        return None
    return _clockwise(quad.astype(np.float64) / f)


def _upright(quad: np.ndarray) -> bool:
    """Whether ``quad``'s sides all run within ``UPRIGHT_DEGREES`` of the image's axes
    (a scan cropped to its paper, not a page seen in perspective)."""
    q = _clockwise(quad.astype(np.float64))
    for a, b in zip(q, np.roll(q, -1, axis=0)):
        dx, dy = np.abs(b - a)
        if np.degrees(np.arctan2(min(dx, dy), max(dx, dy))) > UPRIGHT_DEGREES:
            return False
    return True


def _in_a_corner(quad: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a corner of ``quad`` is a corner of the image. In a photo (its page in
    perspective) the page's own corner is then outside the photo and the bright region
    runs into the background there (a white table, a bag: the 工商晚報 photos), so the
    quadrilateral is no outline; a scan whose paper reaches the image's edges on one
    side and its lid's dark border on the other (an NZZ page) is cropped to its paper."""
    h, w = shape[:2]
    tol = CORNER * max(h, w)
    near_x = (quad[:, 0] <= tol) | (quad[:, 0] >= w - 1 - tol)
    near_y = (quad[:, 1] <= tol) | (quad[:, 1] >= h - 1 - tol)
    return bool(np.any(near_x & near_y))


def _clockwise(pts: np.ndarray) -> np.ndarray:
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def outline_step(gray: np.ndarray) -> Step | None:
    """The step from the photo to its page made an upright rectangle, or None."""
    quad = page_quad(gray)
    if quad is None:
        return None
    tl, tr, br, bl = quad
    width = int(round((np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2))
    height = int(round((np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2))
    dst = np.float64([[0, 0], [width, 0], [width, height], [0, height]])
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst.astype(np.float32))
    corners = [[round(float(x), 1), round(float(y), 1)] for x, y in quad]
    h, w = gray.shape
    return tf.homography_step("outline", w, h, m, (width, height), corners=corners)
