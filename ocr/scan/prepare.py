"""The preparation stage: a scan as it came made into the upright, flat page layout reads.

Steps in order, each its own module and each can be turned off (``PrepareOptions``):
turn (``orient``; asked for by the pipeline only when the upright reading is poor,
see :func:`orientation`), split (``spread``: the page's half of a spread), outline (``outline``:
a photo's page outline and perspective; beyond the visible edges of a page without
one, masked: ``edges``), a binding's shadow lightened (``clean.lighten_shadows``, part
of ``clean``), unwarp (``unwarp``: a curled page's text rows made straight), scale
(``resolution``), deskew (``deskew``), then clean-up of the working copy (``clean``).
Every step that changes the geometry adds a :class:`~ocr.model.Step` to the page's
:class:`~ocr.model.Transform`, which maps points both ways between the original scan's
pixels and the prepared image's; a step that finds nothing to do adds nothing. ``record``
says what each step measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ocr.model import Transform
from ocr.scan import clean as cleanup
from ocr.scan import edges, orient, outline, resolution, spread, unwarp
from ocr.scan import transform as tf
from ocr.scan.deskew import deskew_angle
from ocr.scan.load import to_gray
from ocr.scan.options import PrepareOptions


@dataclass
class Prepared:
    """The prepared page: ``image`` for recognition (gray or RGB), ``gray`` for layout
    (the cleaned working copy), the ``transform`` from the scan, what was measured."""

    image: np.ndarray
    gray: np.ndarray
    transform: Transform
    record: dict[str, Any] = field(default_factory=dict)


def prepare(
    image: np.ndarray,
    options: PrepareOptions | None = None,
    engine=None,
    leaf: int = 0,
    timings: dict[str, float] | None = None,
    degrees: int = 0,
) -> Prepared:
    """Prepare one page of a scan found turned by ``degrees`` clockwise (see
    :func:`orientation`: the pipeline asks when the upright reading is poor).
    ``engine`` (with ``detect`` and ``recognize``, as
    :class:`ocr.recognize.engine.OcrEngine`) measures small type from detected lines;
    without it the type is measured from the ink alone. ``leaf`` 1 or 2: the first or
    second page of a spread in ``image``."""
    timings = {} if timings is None else timings
    options = options or PrepareOptions()
    h, w = image.shape[:2]
    run = _Run(image, Transform(w, h), {}, timings)
    if degrees:
        run.add(tf.turn_step(w, h, degrees))
    if leaf:
        run.timed("split", _split, leaf)
    if options.outline:
        run.timed("outline", _outline)
    if options.clean:
        run.timed("shadow", _shadow)
    if options.unwarp:
        run.timed("unwarp", _unwarp)
    if options.scale:
        run.timed("scale", _scale, engine)
    if options.deskew:
        run.timed("deskew", _deskew)
    gray = to_gray(run.image)
    if options.clean:
        t = time.perf_counter()
        gray, run.record["clean"] = cleanup.clean(gray)
        timings["clean"] = round(time.perf_counter() - t, 3)
    return Prepared(run.image, gray, run.transform, run.record)


def orientation(image: np.ndarray, engine) -> tuple[int, dict[str, Any]]:
    """How far the scan ``image`` is turned clockwise, by the text-line test of
    :mod:`ocr.scan.orient` (on a copy scaled up when its type is small), and the record."""
    gray = to_gray(image)
    text_px = resolution.text_height(gray)
    up = 1.0
    if text_px and text_px < orient.SAMPLE_MIN_PX:
        up = min(resolution.MAX_UP, orient.SAMPLE_TEXT_PX / text_px)
    work = gray if up == 1.0 else tf.apply(gray, tf.scale_step(gray.shape[1], gray.shape[0], up))
    sample = orient.sample_lines(work, engine.detect, up)
    degrees, scores = orient.orientation(sample, engine.recognize)
    scores = {str(k): round(v, 3) for k, v in scores.items()}
    return degrees, {"degrees": degrees, "lines": len(sample.crops), "scores": scores}


@dataclass
class _Run:
    """The image and transform so far, as the steps add to them."""

    image: np.ndarray
    transform: Transform
    record: dict[str, Any]
    timings: dict[str, float]

    def add(self, step) -> None:
        if step is not None:
            self.image = tf.apply(self.image, step)
            self.transform = self.transform.then(step)

    def timed(self, name: str, fn, *args):
        t = time.perf_counter()
        out = fn(self, *args)
        self.timings[name] = round(time.perf_counter() - t, 3)
        return out


def _split(run: _Run, leaf: int) -> None:
    """Keep the leaf's half of the spread (the cut found again on the upright image;
    the right half first when the text is set in vertical lines)."""
    w, h = run.transform.width, run.transform.height
    cut = spread.gutter(run.image) or w // 2
    right_first = spread.vertical_text(to_gray(run.image))
    box = spread.leaf_box(w, h, cut, leaf, right_first)
    run.record["split"] = {"leaf": leaf, "cut": cut, "right_first": right_first}
    run.add(tf.crop_step(w, h, box, leaf=leaf, cut=cut))


def _outline(run: _Run) -> None:
    """Correct a photo's perspective: the page's outline made an upright rectangle; a
    page seen on a background without a clear outline keeps its geometry, and what
    lies beyond its visible edges is masked (the working copies only)."""
    gray = to_gray(run.image)
    step = outline.outline_step(gray)
    run.record["outline"] = {"found": step is not None, **(step.params if step else {})}
    run.add(step)
    if step is None and outline.on_background(gray):
        found = edges.page_edges(gray)
        run.record["outline"]["edges"] = found
        if found:
            run.image = edges.masked(run.image, found)


def _shadow(run: _Run) -> None:
    """Lighten a shadow running down the page (a binding's), while it still runs
    straight down (before deskew); not on a photo whose page has no outline, where the
    columns beyond the page's edges are the desk."""
    if "edges" in run.record.get("outline", {}):
        return
    run.image, run.record["shadow"] = cleanup.lighten_shadows(run.image)


def _unwarp(run: _Run) -> None:
    """Flatten a curl: the text rows, fitted as smooth curves, made straight."""
    step, measured = unwarp.unwarp_step(to_gray(run.image))
    run.record["unwarp"] = {"found": step is not None, **measured}
    run.add(step)


def _scale(run: _Run, engine) -> None:
    """Resize the page so that its body type suits the models: measured from the ink,
    and where that says the type is small, from detected lines (a more robust measure
    on photos and coarse scans, at the cost of one detection of a sample tile)."""
    gray = to_gray(run.image)
    text_px = resolution.text_height(gray)
    how = "ink"
    if engine is not None and text_px is not None and text_px < resolution.MIN_TEXT_PX:
        up = min(resolution.MAX_UP, max(1.0, resolution.TARGET_TEXT_PX / text_px))
        w, h = gray.shape[::-1]
        work = tf.apply(gray, tf.scale_step(w, h, up)) if up > 1 else gray
        sample = orient.sample_lines(work, engine.detect, up)
        if sample.text_px:
            text_px, how = sample.text_px / resolution.LINE_TO_TYPE, "lines"
    factor = resolution.scale_for(text_px, run.transform.width, run.transform.height)
    run.record["scale"] = {"text_px": text_px and round(text_px, 1), "by": how, "factor": factor}
    if factor != 1.0:
        run.add(tf.scale_step(run.transform.width, run.transform.height, factor))


def _deskew(run: _Run) -> None:
    angle = deskew_angle(to_gray(run.image))
    image, step = tf.deskew(run.image, angle)
    run.record["deskew"] = {"degrees": round(angle, 4)}
    if step is not None:
        run.image, run.transform = image, run.transform.then(step)
