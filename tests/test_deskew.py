"""The deskew stage: the measured angle on generated pages, and THE coordinate convention.

``Deskew.to_deskewed`` says where ``deskew_image`` puts every scan point."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import deskewed_offset, render_page

from ocr.model import Box, Deskew
from ocr.scan.deskew import deskew_angle, deskew_image

SKEWS = [-10, -5, -2.5, -0.7, 0, 0.3, 1.2, 4, 9.5]
SCANS = {
    "clean": {},
    "noisy": {"noise": 12, "blur": 1.0},
    "jpeg": {"noise": 4, "blur": 0.6, "jpeg_quality": 40},
    "color": {"color": True, "noise": 6, "jpeg_quality": 70},
}
TOLERANCE = 0.1  # degrees; measured errors are at most ~0.04 on these pages


@pytest.mark.parametrize("scan", sorted(SCANS))
@pytest.mark.parametrize("skew", SKEWS)
def test_angle_of_generated_pages(skew, scan):
    k = SKEWS.index(skew) + sorted(SCANS).index(scan)
    page = render_page(
        columns=3 + k % 4,
        dpi=(150, 200)[k % 2],
        width_mm=120,
        height_mm=160,
        photos=k % 3,
        qr=k % 2,
        skew_degrees=skew,
        seed=k,
        **SCANS[scan],
    )
    found = deskew_angle(page.image)
    assert abs(found - skew) <= TOLERANCE, f"found {found:.3f} for {skew}"


def test_blank_pages_have_no_skew():
    rng = np.random.default_rng(0)
    white = np.full((1400, 1000), 255, np.uint8)
    paper = np.clip(rng.normal(238, 8, (1400, 1000)), 0, 255).astype(np.uint8)
    gray = np.full((700, 500), 128, np.uint8)
    for image in (white, paper, gray, np.dstack([paper] * 3)):
        assert abs(deskew_angle(image)) <= 0.05


@pytest.mark.parametrize("shape", [(0, 0), (1, 1), (5, 5), (1, 400), (400, 1), (5, 5, 3), (20, 30)])
def test_tiny_images_do_not_crash(shape):
    angle = deskew_angle(np.zeros(shape, np.uint8))
    assert -10 <= angle <= 10


def test_angle_stays_within_the_limit():
    page = render_page(width_mm=120, height_mm=160, dpi=150, skew_degrees=4, seed=3)
    assert abs(deskew_angle(page.image, max_degrees=2)) <= 2


def test_tiny_skew_leaves_the_image_alone():
    image = np.full((30, 40), 200, np.uint8)
    out, deskew = deskew_image(image, 0.01)
    assert out is image
    assert deskew == Deskew.for_scan(0.0, 40, 30) == Deskew(0.0, 40, 30, 40, 30)


@pytest.mark.parametrize("channels", [None, 3])
def test_deskewed_canvas_and_white_border(channels):
    shape = (300, 200) if channels is None else (300, 200, channels)
    image = np.full(shape, 90, np.uint8)
    out, deskew = deskew_image(image, 7.0)
    assert deskew == Deskew.for_scan(7.0, 200, 300)
    assert out.shape[:2] == (deskew.height, deskew.width)
    assert out.dtype == np.uint8 and out.ndim == image.ndim
    assert (out[0, 0] == 255).all() and (out[-1, -1] == 255).all()  # corners: outside the scan


# ---------------------------------------------------------------- the mapping


@settings(max_examples=300, deadline=None)
@given(
    skew=st.floats(-10, 10),
    width=st.integers(1, 10000),
    height=st.integers(1, 10000),
    fx=st.floats(-0.5, 1.5),
    fy=st.floats(-0.5, 1.5),
)
def test_to_scan_undoes_to_deskewed(skew, width, height, fx, fy):
    deskew = Deskew.for_scan(skew, width, height)
    p = (fx * width, fy * height)
    back = deskew.to_scan(deskew.to_deskewed([p]))[0]
    assert math.isclose(back[0], p[0], abs_tol=1e-6)
    assert math.isclose(back[1], p[1], abs_tol=1e-6)
    again = deskew.to_deskewed(deskew.to_scan([p]))[0]
    assert math.isclose(again[0], p[0], abs_tol=1e-6)
    assert math.isclose(again[1], p[1], abs_tol=1e-6)


def dot_image(width: int, height: int, p: tuple[float, float], radius: float = 2.5) -> np.ndarray:
    """White image with a dark anti-aliased disc centred on ``p`` (model pixels: the
    centre of pixel i is i + 0.5; OpenCV draws with centres at integers)."""
    image = np.full((height, width), 255, np.uint8)
    s = 16  # 4 fractional bits
    centre = (round((p[0] - 0.5) * s), round((p[1] - 0.5) * s))
    cv2.circle(image, centre, round(radius * s), 0, -1, cv2.LINE_AA, shift=4)
    return image


def ink_centroid(image: np.ndarray) -> tuple[float, float]:
    """Centre of the ink, in model pixels."""
    weight = 255.0 - image.astype(np.float64)
    weight[weight < 8] = 0  # interpolation dust
    ys, xs = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    total = weight.sum()
    return (float((xs * weight).sum() / total) + 0.5, float((ys * weight).sum() / total) + 0.5)


@settings(max_examples=60, deadline=None)
@given(
    skew=st.floats(-10, 10),
    width=st.integers(40, 400),
    height=st.integers(40, 400),
    fx=st.floats(0.1, 0.9),
    fy=st.floats(0.1, 0.9),
)
def test_a_dot_lands_where_to_deskewed_says(skew, width, height, fx, fy):
    p = (fx * width, fy * height)
    out, deskew = deskew_image(dot_image(width, height, p), skew)
    expected = deskew.to_deskewed([p])[0]
    found = ink_centroid(out)
    assert math.dist(found, expected) <= 1.5
    # In fact it is exact to a small fraction of a pixel (half-pixel convention kept).
    assert math.dist(found, expected) <= 0.25


@pytest.mark.parametrize("skew", [-9.0, -2.0, 2.0, 6.5])
def test_the_dot_check_catches_a_wrong_sign(skew):
    """Rotating by +skew instead of -skew puts the dot far from to_deskewed(p)."""
    width, height = 400, 300
    p = (60.5, 50.5)  # far from the centre, so a wrong turn moves it a lot
    expected = Deskew.for_scan(skew, width, height).to_deskewed([p])[0]
    right, _ = deskew_image(dot_image(width, height, p), skew)
    wrong, _ = deskew_image(dot_image(width, height, p), -skew)
    assert math.dist(ink_centroid(right), expected) <= 1.5
    assert math.dist(ink_centroid(wrong), expected) > 5 * 1.5


def test_deskewed_generated_page_puts_lines_where_the_truth_says():
    """The generator rotates its page independently (cv2.getRotationMatrix2D); after
    deskewing with the true skew, each line's scan polygon maps onto an upright box
    holding exactly that line's ink."""
    page = render_page(columns=3, dpi=150, width_mm=120, height_mm=160, skew_degrees=4, seed=5)
    out, deskew = deskew_image(page.image, page.skew_degrees)
    dx, dy = deskewed_offset(page)
    ink = out < 240  # any trace of ink, as the generator's boxes are measured
    checked = 0
    for line in page.lines:
        box = Box.from_poly(deskew.to_deskewed(line.poly))
        truth = Box(*line.box).offset(dx, dy)
        assert max(abs(a - b) for a, b in zip(box.as_list(), truth.as_list())) < 0.01
        if line.kind != "body":
            continue
        x0, y0, x1, y1 = (int(round(v)) for v in box.pad(4).as_list())
        rows = np.flatnonzero(ink[y0:y1, x0:x1].any(axis=1))
        cols = np.flatnonzero(ink[y0:y1, x0:x1].any(axis=0))
        found = Box(x0 + cols[0], y0 + rows[0], x0 + cols[-1] + 1, y0 + rows[-1] + 1)
        assert max(abs(a - b) for a, b in zip(found.as_list(), box.as_list())) <= 1.5
        checked += 1
    assert checked >= 10
