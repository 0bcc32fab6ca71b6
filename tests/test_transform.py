"""The chain of preparation steps: points survive the round trip scan -> prepared ->
scan for every combination of steps, and each step's image agrees with its point map."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr.model import Deskew, Step, Transform, deskew_step
from ocr.scan import transform as tf
from ocr.scan import unwarp


def _outline_step(w: int, h: int, k: float) -> Step:
    """A perspective step: a page whose corners are pulled in by up to ``k`` of a side."""
    import cv2

    src = np.float32([[k * w, 0.3 * k * h], [w * (1 - 0.5 * k), 0], [w, h], [0, h * (1 - k)]])
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, dst)
    return tf.homography_step("outline", w, h, m, (w, h))


def _unwarp_step(w: int, h: int, a: float, b: float) -> Step:
    return Step("unwarp", w, h, w, h, bend=((0.0, a * h, -a * h), (b, -2 * b, 2 * b)))


@st.composite
def chains(draw):
    """A scan size and a chain of any subset of the steps, in the pipeline's order."""
    w, h = draw(st.integers(40, 3000)), draw(st.integers(40, 3000))
    t = Transform(w, h)
    if draw(st.booleans()):
        t = t.then(tf.turn_step(t.width, t.height, draw(st.sampled_from([0, 90, 180, 270]))))
    if draw(st.booleans()):
        x0 = draw(st.integers(0, t.width // 2 - 1))
        y0 = draw(st.integers(0, t.height // 4))
        box = (x0, y0, draw(st.integers(x0 + 10, t.width)), draw(st.integers(y0 + 10, t.height)))
        t = t.then(tf.crop_step(t.width, t.height, box))
    if draw(st.booleans()):
        t = t.then(_outline_step(t.width, t.height, draw(st.floats(0.0, 0.2))))
    if draw(st.booleans()):
        a, b = draw(st.floats(-0.05, 0.05)), draw(st.floats(-0.2, 0.2))
        t = t.then(_unwarp_step(t.width, t.height, a, b))
    elif draw(st.booleans()):  # as the curl flattening fits it (ocr.scan.unwarp)
        n = unwarp.DEGREE_P + unwarp.DEGREE_Q
        coef = np.array(draw(st.lists(st.floats(-1, 1), min_size=n, max_size=n)))
        coef[: unwarp.DEGREE_P] *= 0.05 * t.height
        coef[unwarp.DEGREE_P :] *= 0.1
        bend = unwarp._as_polys(coef)
        t = t.then(Step("unwarp", t.width, t.height, t.width, t.height, bend=bend))
    if draw(st.booleans()):
        t = t.then(tf.scale_step(t.width, t.height, draw(st.floats(0.25, 3.0))))
    if draw(st.booleans()):
        d = Deskew.for_scan(draw(st.floats(-10, 10)), t.width, t.height)
        t = t.then(deskew_step(d))
    return t


@settings(max_examples=300, deadline=None)
@given(chains(), st.floats(0, 1), st.floats(0, 1))
def test_a_point_survives_the_round_trip(t: Transform, fx: float, fy: float) -> None:
    p = (fx * t.scan_width, fy * t.scan_height)
    (q,) = t.to_scan(t.to_deskewed([p]))
    assert math.dist(p, q) < 1e-6 * max(t.scan_width, t.scan_height)
    # ... and the other way, from the prepared image.
    p2 = (fx * t.width, fy * t.height)
    (q2,) = t.to_deskewed(t.to_scan([p2]))
    assert math.dist(p2, q2) < 1e-6 * max(t.width, t.height, 1)


@settings(max_examples=50, deadline=None)
@given(chains())
def test_the_chain_is_stored_as_it_is(t: Transform) -> None:
    back = Transform.from_dict(t.to_dict())
    pts = [(1.5, 2.5), (t.scan_width - 3.0, t.scan_height / 2)]
    assert back.width == t.width and back.height == t.height
    assert np.allclose(back.to_deskewed(pts), t.to_deskewed(pts), atol=1e-6)


def _dot_image(w: int, h: int, x: int, y: int) -> np.ndarray:
    img = np.full((h, w), 255, np.uint8)
    img[y - 2 : y + 3, x - 2 : x + 3] = 0
    return img


def _ink_centre(img: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(img < 128)
    return float(xs.mean()) + 0.5, float(ys.mean()) + 0.5


@pytest.mark.parametrize(
    "make",
    [
        lambda w, h: tf.turn_step(w, h, 90),
        lambda w, h: tf.turn_step(w, h, 180),
        lambda w, h: tf.turn_step(w, h, 270),
        lambda w, h: tf.crop_step(w, h, (30, 20, w - 10, h - 5)),
        lambda w, h: tf.scale_step(w, h, 2.0),
        lambda w, h: _outline_step(w, h, 0.1),
        lambda w, h: _unwarp_step(w, h, 0.03, 0.1),
        lambda w, h: deskew_step(Deskew.for_scan(4.0, w, h)),
    ],
    ids=["turn90", "turn180", "turn270", "split", "scale", "outline", "unwarp", "deskew"],
)
def test_each_step_moves_pixels_where_it_maps_points(make) -> None:
    w, h, x, y = 300, 200, 120, 70
    step = make(w, h)
    out = tf.apply(_dot_image(w, h, x, y), step)
    assert out.shape == (step.height, step.width)
    (want,) = Transform(w, h, (step,)).to_deskewed([(x + 0.5, y + 0.5)])
    assert math.dist(_ink_centre(out), want) < 0.6


def test_a_chain_refuses_a_step_for_another_size() -> None:
    t = Transform(100, 50).then(tf.turn_step(100, 50, 90))
    with pytest.raises(ValueError):
        t.then(tf.scale_step(100, 50, 2.0))
    assert (t.width, t.height, t.orientation) == (50, 100, 90)
