"""The preparation steps on images: each :class:`~ocr.model.Step` applied to pixels.

The steps (their point maps) are the data model's (:class:`ocr.model.Step`,
:class:`ocr.model.Transform`); here they are built and applied to images, so that the
image after a step and the step's point map agree: a quarter turn and a crop move
pixels exactly, a scale is a resize, an outline or deskew a warp (OpenCV puts pixel
centres at integers and the model at ``i + 0.5``: the matrices are shifted by half a
pixel), an unwarp a remap. Outside the input, the new pixels are the input's paper
(its measured tone, :func:`ocr.scan.clean.paper_tone`: a photo's paper is gray).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.model import Deskew, Step, Transform, deskew_step
from ocr.scan.clean import paper_tone


def turn_step(width: int, height: int, degrees: int) -> Step:
    """The step that turns a page found turned ``degrees`` clockwise (0, 90, 180, 270)
    in a ``width`` x ``height`` scan upright: the image is turned back by as much."""
    w, h = width, height
    matrix = {
        0: (1, 0, 0, 0, 1, 0),
        90: (0, 1, 0, -1, 0, w),  # turned back counter-clockwise: (x, y) -> (y, w - x)
        180: (-1, 0, w, 0, -1, h),
        270: (0, -1, h, 1, 0, 0),  # turned back clockwise: (x, y) -> (h - y, x)
    }[degrees % 360]
    out = (h, w) if degrees % 180 else (w, h)
    m = tuple(float(v) for v in matrix) + (0.0, 0.0, 1.0)
    return Step("turn", w, h, *out, matrix=m, params={"degrees": degrees % 360})


def crop_step(width: int, height: int, box: tuple[int, int, int, int], **params) -> Step:
    """The step that keeps ``box`` (x0, y0, x1, y1, whole pixels) of the image."""
    x0, y0, x1, y1 = box
    m = (1.0, 0.0, -float(x0), 0.0, 1.0, -float(y0), 0.0, 0.0, 1.0)
    return Step("split", width, height, x1 - x0, y1 - y0, matrix=m, params=params)


def scale_step(width: int, height: int, factor: float, **params) -> Step:
    """The step that resizes the image by ``factor`` (each side rounded to whole pixels,
    the map exact for the sides it gives)."""
    w2, h2 = max(1, round(width * factor)), max(1, round(height * factor))
    m = (w2 / width, 0.0, 0.0, 0.0, h2 / height, 0.0, 0.0, 0.0, 1.0)
    return Step("scale", width, height, w2, h2, matrix=m, params={"factor": factor, **params})


def homography_step(kind: str, width: int, height: int, matrix, size, **params) -> Step:
    """A step of ``kind`` by the 3x3 ``matrix`` onto an image of ``size`` (w, h)."""
    m = np.asarray(matrix, dtype=np.float64).reshape(3, 3)
    m = m / m[2, 2]
    return Step(kind, width, height, int(size[0]), int(size[1]), tuple(m.ravel()), params=params)


def apply(image: np.ndarray, step: Step) -> np.ndarray:
    """``image`` (the step's input) after ``step``."""
    if image.shape[1] != step.in_width or image.shape[0] != step.in_height:
        raise ValueError(f"a {step.kind} step for {step.in_width}x{step.in_height} "
                         f"on an image of {image.shape[1]}x{image.shape[0]}")  # fmt: skip
    if step.kind == "turn":
        k = {0: 0, 90: 1, 180: 2, 270: 3}[int(step.params["degrees"])]
        return np.ascontiguousarray(np.rot90(image, k))  # turned back counter-clockwise
    if step.kind == "split":
        x0, y0 = int(round(-step.matrix[2])), int(round(-step.matrix[5]))
        return np.ascontiguousarray(image[y0 : y0 + step.height, x0 : x0 + step.width])
    if step.kind == "scale":
        shrink = step.width < step.in_width
        size = (step.width, step.height)
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
    if step.kind == "unwarp":
        return _remap(image, step)
    return _warp(image, step)


def apply_all(image: np.ndarray, transform: Transform) -> np.ndarray:
    for step in transform.steps:
        image = apply(image, step)
    return image


def _warp(image: np.ndarray, step: Step) -> np.ndarray:
    m = np.asarray(step.matrix, dtype=np.float64).reshape(3, 3)
    # Model p' = M p with centres at i + 0.5; OpenCV's indices are p - 0.5.
    shift, unshift = np.eye(3), np.eye(3)
    shift[:2, 2], unshift[:2, 2] = 0.5, -0.5
    m = unshift @ m @ shift
    return cv2.warpPerspective(
        image,
        m,
        (step.width, step.height),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=paper_tone(image),
    )


def _remap(image: np.ndarray, step: Step) -> np.ndarray:
    """An unwarp: each output pixel centre taken from where :meth:`Step.backward` puts it."""
    xs = np.arange(step.width, dtype=np.float64) + 0.5
    ys = np.arange(step.height, dtype=np.float64) + 0.5
    u = xs / step.in_width
    p = np.polynomial.polynomial.polyval(u, step.bend[0]) if step.bend[0] else 0 * u
    q = np.polynomial.polynomial.polyval(u, step.bend[1]) if step.bend[1] else 0 * u
    c = step.in_height / 2
    src_y = (ys[:, None] + p[None, :] - q[None, :] * c) / (1.0 - q[None, :])
    map_x = np.broadcast_to(xs[None, :] - 0.5, src_y.shape).astype(np.float32)
    map_y = (src_y - 0.5).astype(np.float32)
    return cv2.remap(
        image,
        map_x,
        map_y,
        cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=paper_tone(image),
    )


def deskew(image: np.ndarray, skew_degrees: float) -> tuple[np.ndarray, Step | None]:
    """``image`` deskewed (``ocr.scan.deskew``'s canvas) and its step; below the
    deskew's threshold the image as it is and no step."""
    from ocr.scan.deskew import NO_SKEW

    if abs(skew_degrees) < NO_SKEW:
        return image, None
    h, w = image.shape[:2]
    step = deskew_step(Deskew.for_scan(skew_degrees, w, h))
    return _warp(image, step), step
