"""The per-page pipeline: a plain function of a picklable :class:`PageJob`.

``process_page`` runs in a worker process (or in the main process for ``--jobs 1``):
load -> prepare (turn, split, outline, scale, deskew, clean: :mod:`ocr.scan.prepare`) ->
segment -> recognize -> region kinds and page metadata, and returns a small
:class:`PageResult`.
Only the main process writes to the database (see :mod:`ocr.batch`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ocr import __version__
from ocr.errors import EngineError, OcrError
from ocr.model import Line, PageJob, PageResult, Region, Transform
from ocr.recognize.engine import OcrEngine
from ocr.recognize.script import SCRIPTS, page_script

# ``--script``: the paper's script as found on each page (``auto``), or one of
# ``ocr.recognize.script.SCRIPTS`` for every page.
AUTO_SCRIPT = "auto"
SCRIPT_CHOICES = (AUTO_SCRIPT, *SCRIPTS)
DEFAULT_SCRIPT = AUTO_SCRIPT

DEFAULT_ENGINE = "ocr.recognize.paddle:PaddleEngine"


def settings_for(
    dpi: int,
    models: str | None,
    engine: str | None = None,
    script: str = DEFAULT_SCRIPT,
    prepare: dict[str, bool] | None = None,
    detect: str | None = None,
) -> dict[str, Any]:
    """The settings that decide a page's OCR: a change means the page is redone. The
    engine's own settings (:meth:`OcrEngine.settings`) are part of them, and so are the
    preparation steps that run (``prepare``: :class:`ocr.scan.prepare.PrepareOptions`)
    and how lines are found (``detect``: ``page`` or ``block``, see
    :func:`ocr.recognize.read.read_settings`; None: the default)."""
    from ocr.recognize.read import DEFAULT_DETECT, read_settings
    from ocr.scan.options import PrepareOptions

    spec = engine or DEFAULT_ENGINE
    engine_settings = load_engine_class(spec).settings()
    before = {"dpi": dpi, "models": str(models) if models else "default", "engine": spec}
    steps = PrepareOptions.from_settings(prepare).settings()
    reading = read_settings(detect or DEFAULT_DETECT)
    after = {**reading, "script": script, "code": __version__, "prepare": steps}
    if clash := (before.keys() | after.keys()) & engine_settings.keys():
        raise EngineError(f"engine {spec}: settings {sorted(clash)} clash with the pipeline's")
    return {**before, **engine_settings, **after}  # in this order since the first archive


def settings_hash(settings: dict[str, Any]) -> str:
    """A short digest of ``settings``: pages stored with another were read otherwise."""
    blob = json.dumps(settings, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


_ENGINE: OcrEngine | None = None  # one engine per worker process, loaded once
_ENGINE_KEY: tuple | None = None  # the models, threads and engine it was built with


def load_engine_class(spec: str) -> type[OcrEngine]:
    """``module:Class`` -> the class, a subclass of :class:`OcrEngine` (the engine is
    pluggable; the default is :class:`ocr.recognize.paddle.PaddleEngine`)."""
    import importlib

    module, _, name = spec.partition(":")
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise EngineError(f"engine {spec}: cannot import it ({exc})") from exc
    if not (isinstance(cls, type) and issubclass(cls, OcrEngine)):
        raise EngineError(f"engine {spec}: not a subclass of {OcrEngine.__qualname__}")
    return cls


def init_worker(models: str | None, threads: int, engine_spec: str | None = None) -> None:
    """Load the models once in this process (a second call with the same models,
    threads and engine keeps the engine already loaded)."""
    global _ENGINE, _ENGINE_KEY
    spec = engine_spec or DEFAULT_ENGINE
    key = (str(models) if models else None, threads, spec)
    if _ENGINE is not None and key == _ENGINE_KEY:
        return
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    from ocr.recognize.model_files import load_model_set

    _ENGINE = load_engine_class(spec)(load_model_set(models), threads=threads)
    _ENGINE_KEY = key


def engine() -> OcrEngine:
    if _ENGINE is None:
        raise RuntimeError("init_worker() has not been called in this process")
    return _ENGINE


def process_page(job: PageJob) -> PageResult:
    """Process one page. Never raises for a bad page: the result says what failed."""
    started = time.perf_counter()
    result = PageResult(job=job, dpi=job.dpi)
    try:
        _run(job, result)
    except OcrError as exc:
        result.status, result.error = "failed", str(exc)
    except MemoryError:
        result.status, result.error = "failed", f"{job.label}: out of memory"
    except Exception as exc:  # an engine or library bug must not end the batch
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        result.status, result.error = "failed", f"{job.label}: {tb}"
    result.seconds = time.perf_counter() - started
    return result


def _run(job: PageJob, result: PageResult) -> None:
    """The steps, each timed in ``result.timings``: load -> prepare -> segment ->
    recognize -> region kinds and page metadata; then keep the prepared page."""
    from ocr.regions import classify_regions, page_meta
    from ocr.scan.load import load_page
    from ocr.scan.prepare import PrepareOptions, orientation

    with _timed(result, "load"):
        # The PDF's rasterization dpi, an image's own, or None: an image that does not
        # say (stored as NULL; nothing downstream reads it, the layout works in pixels).
        image, result.dpi = load_page(Path(job.source), job.page_index, job.dpi)
        result.height, result.width = image.shape[:2]

    options = PrepareOptions.from_settings(job.settings.get("prepare"))
    page = _read(image, job, result, options, 0)
    reading = upright_evidence(result.lines)
    tested = options.orient and _ENGINE is not None and needs_orientation(result.lines)
    degrees = 0
    if tested:
        with _timed(result, "orient"):
            degrees, result.orientation = orientation(image, _ENGINE)
        result.orientation = {**result.orientation, "tested": True, "reading": reading}
        if degrees:  # read again, turned upright (the first reading's seconds kept)
            steps = ("prepare", "layout", "recognize")
            result.timings["first_reading"] = round(sum(result.timings[k] for k in steps), 3)
            page = _read(image, job, result, options, degrees)
    else:
        why = "turned off" if not options.orient or _ENGINE is None else "read upright"
        if why == "read upright" and reading["lines"] < UPRIGHT_LINES:
            why = "too few lines"
        result.orientation = {"degrees": 0, "tested": False, "why": why, "reading": reading}
    if not degrees:  # the page's record says what was measured at 0 degrees too
        result.preparation["orient"] = result.orientation
    del image
    geometry = page.transform

    with _timed(result, "regions"):
        result.regions, result.lines = classify_regions(
            result.regions, result.lines, geometry.width, geometry.height, deskew=geometry
        )
        result.meta = page_meta(result.regions, result.lines)

    if job.pages_dir:
        result.image_path = save_page_image(page.gray, Path(job.pages_dir), job)


def _read(image, job: PageJob, result: PageResult, options, degrees: int):
    """Prepare the scan (taken as turned by ``degrees``), lay it out and read it into
    ``result``; the prepared page."""
    from ocr.layout import segment
    from ocr.recognize.read import detect_mode
    from ocr.scan.prepare import prepare

    with _timed(result, "prepare"):
        page = prepare(image, options, _ENGINE, job.leaf, result.timings, degrees)
        geometry = result.transform = page.transform
        result.preparation = {**page.record, "orient": result.orientation}
        result.skew_degrees = geometry.skew_degrees
        result.deskewed_width, result.deskewed_height = geometry.width, geometry.height

    with _timed(result, "layout"):
        result.regions = segment(page.gray, geometry)

    with _timed(result, "recognize"):
        script = job.settings.get("script", DEFAULT_SCRIPT)
        # A cleaned page is read cleaned (its paper evened out, show-through gone).
        seen = page.gray if page.record.get("clean", {}).get("cleaned") else page.image
        result.lines = recognize_text(
            seen, result.regions, geometry, script, result.timings, detect_mode(job.settings)
        )
        if "_script" in result.timings:
            result.preparation["script"] = result.timings.pop("_script")
    return page


# A page read upright this confidently (mean over its lines, weighted by length), most
# of its text in horizontal lines, is taken as upright without the orientation test;
# measured on generated pages: 0.95-0.99 upright, 0.2-0.5 turned by 180 or 270 degrees.
# (Turned by 90 degrees clockwise, a page reads well too, its lines standing on end:
# the recognizer reads a vertical line turned on its side. Such a page, like a paper set
# in vertical lines, has most of its text in tall lines, and is tested.)
UPRIGHT_CONFIDENCE = 0.85
UPRIGHT_LINES = 8


def needs_orientation(lines: list[Line]) -> bool:
    """Whether to test a page's orientation: it has text (``UPRIGHT_LINES`` lines of two
    characters or more: a page turned by any angle reads that many, garbage or not), and
    it does not read as an upright page does."""
    if sum(1 for ln in lines if len(ln.text) >= 2) < UPRIGHT_LINES:
        return False
    return not upright_reading(lines)


def upright_reading(lines: list[Line]) -> bool:
    """Whether a page's lines read as those of an upright, horizontally set page do."""
    n, mean, tall = _reading(lines)
    return n >= UPRIGHT_LINES and mean >= UPRIGHT_CONFIDENCE and tall <= 0.5


def upright_evidence(lines: list[Line]) -> dict[str, Any]:
    """What the page's first, upright reading says about its orientation (recorded):
    its lines of two characters or more, their mean confidence and the share of their
    characters in tall lines (each line weighted by its characters)."""
    n, mean, tall = _reading(lines)
    return {"lines": n, "confidence": round(mean, 3), "tall_share": round(tall, 3)}


def _reading(lines: list[Line]) -> tuple[int, float, float]:
    weights = [len(ln.text) for ln in lines]
    total = sum(weights)
    if not total:
        return 0, 0.0, 0.0
    tall = sum(w for w, ln in zip(weights, lines) if ln.box.height > 1.5 * ln.box.width)
    mean = sum(w * ln.confidence for w, ln in zip(weights, lines)) / total
    return sum(1 for w in weights if w >= 2), mean, tall / total


@contextmanager
def _timed(result: PageResult, step: str) -> Iterator[None]:
    """Record the seconds the ``with`` block took as ``result.timings[step]``."""
    started = time.perf_counter()
    yield
    result.timings[step] = round(time.perf_counter() - started, 3)


def recognize_text(
    image: np.ndarray,
    regions: list[Region],
    deskew: Transform,
    script: str,
    timings: dict,
    detect: str | None = None,
) -> list[Line]:
    """The lines of the prepared page (gray or RGB), read by this process's engine and
    put in the page's ``script`` (``auto``: the one the page is printed in, see
    :func:`page_script`); ``deskew`` maps them to the scan; ``detect``: how lines are
    found (:mod:`ocr.recognize.read`; None: the default)."""
    from ocr.recognize.read import DEFAULT_DETECT, read_page
    from ocr.recognize.script import normalize

    bgr = image[:, :, ::-1] if image.ndim == 3 else image
    mode = detect or DEFAULT_DETECT
    lines = read_page(engine(), np.ascontiguousarray(bgr), regions, deskew, timings, mode)
    if script == AUTO_SCRIPT:
        script, timings["_script"] = page_script([ln.text for ln in lines])
    for line in lines:
        printed = _as_printed(line)
        if line.char_centres and printed != line.text:  # reversed: so are the places
            line.char_centres = line.char_centres[::-1]
        line.text = normalize(printed, script)
    return lines


def _as_printed(line: Line) -> str:
    """A horizontal line's text in the order it was printed: reversed where the line's
    own evidence says it was set right to left (``ocr.text.direction``)."""
    from ocr.text.direction import reads_reversed

    if line.box.width > line.box.height and reads_reversed(line.text):
        return line.text[::-1]
    return line.text


def save_page_image(gray: np.ndarray, pages_dir: Path, job: PageJob) -> str:
    """Keep the prepared page (for review and exports): ``<sha256[:16]>-p<N>.png``, the
    pages of a spread ``-p<N>-<leaf>.png``."""
    import cv2

    pages_dir.mkdir(parents=True, exist_ok=True)
    leaf = f"-{job.leaf}" if job.leaf else ""
    path = pages_dir / f"{job.source_sha256[:16]}-p{job.page_index + 1}{leaf}.png"
    tmp = path.with_suffix(".tmp.png")
    if not cv2.imwrite(str(tmp), gray, [cv2.IMWRITE_PNG_COMPRESSION, 3]):
        raise OcrError(f"{job.label}: cannot write {path}")
    os.replace(tmp, path)
    return str(path)
