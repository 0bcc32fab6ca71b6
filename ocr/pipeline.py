"""The per-page pipeline: a plain function of a picklable :class:`PageJob`.

``process_page`` runs in a worker process (or in the main process for ``--jobs 1``):
load -> deskew -> segment -> recognize -> region kinds and page metadata, and returns a
small :class:`PageResult`.
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
from ocr.model import Deskew, Line, PageJob, PageResult, Region
from ocr.recognize.engine import OcrEngine
from ocr.recognize.script import DEFAULT_SCRIPT

DEFAULT_ENGINE = "ocr.recognize.paddle:PaddleEngine"


def settings_for(
    dpi: int, models: str | None, engine: str | None = None, script: str = DEFAULT_SCRIPT
) -> dict[str, Any]:
    """The settings that decide a page's OCR: a change means the page is redone. The
    engine's own settings (:meth:`OcrEngine.settings`) are part of them."""
    from ocr.recognize.read import READ_SETTINGS

    spec = engine or DEFAULT_ENGINE
    engine_settings = load_engine_class(spec).settings()
    before = {"dpi": dpi, "models": str(models) if models else "default", "engine": spec}
    after = {"read": READ_SETTINGS, "script": script, "code": __version__}
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
    """The steps, each timed in ``result.timings``: load -> deskew -> segment ->
    recognize -> region kinds and page metadata; then keep the deskewed page."""
    from ocr.layout import segment
    from ocr.regions import classify_regions, page_meta
    from ocr.scan.deskew import deskew_angle, deskew_image
    from ocr.scan.load import load_page, to_gray

    with _timed(result, "load"):
        # The PDF's rasterization dpi, an image's own, or None: an image that does not
        # say (stored as NULL; nothing downstream reads it, the layout works in pixels).
        image, result.dpi = load_page(Path(job.source), job.page_index, job.dpi)
        result.height, result.width = image.shape[:2]

    with _timed(result, "deskew"):
        straight, deskew = deskew_image(image, deskew_angle(to_gray(image)))
        result.skew_degrees = deskew.skew_degrees
        result.deskewed_width, result.deskewed_height = deskew.width, deskew.height

    with _timed(result, "layout"):
        gray = to_gray(straight)
        result.regions = segment(gray, deskew)

    with _timed(result, "recognize"):
        script = job.settings.get("script", DEFAULT_SCRIPT)
        result.lines = recognize_text(straight, result.regions, deskew, script, result.timings)

    with _timed(result, "regions"):
        result.regions, result.lines = classify_regions(
            result.regions, result.lines, deskew.width, deskew.height, deskew=deskew
        )
        result.meta = page_meta(result.regions, result.lines)

    if job.pages_dir:
        result.image_path = save_page_image(gray, Path(job.pages_dir), job)


@contextmanager
def _timed(result: PageResult, step: str) -> Iterator[None]:
    """Record the seconds the ``with`` block took as ``result.timings[step]``."""
    started = time.perf_counter()
    yield
    result.timings[step] = round(time.perf_counter() - started, 3)


def recognize_text(
    image: np.ndarray, regions: list[Region], deskew: Deskew, script: str, timings: dict
) -> list[Line]:
    """The lines of the deskewed page (gray or RGB), read by this process's engine and
    put in the page's ``script``."""
    from ocr.recognize.read import read_page
    from ocr.recognize.script import normalize

    bgr = image[:, :, ::-1] if image.ndim == 3 else image
    lines = read_page(engine(), np.ascontiguousarray(bgr), regions, deskew, timings)
    for line in lines:
        line.text = normalize(line.text, script)
    return lines


def save_page_image(gray: np.ndarray, pages_dir: Path, job: PageJob) -> str:
    """Keep the deskewed page (for review and exports): ``<sha256[:16]>-p<N>.png``."""
    import cv2

    pages_dir.mkdir(parents=True, exist_ok=True)
    path = pages_dir / f"{job.source_sha256[:16]}-p{job.page_index + 1}.png"
    tmp = path.with_suffix(".tmp.png")
    if not cv2.imwrite(str(tmp), gray, [cv2.IMWRITE_PNG_COMPRESSION, 3]):
        raise OcrError(f"{job.label}: cannot write {path}")
    os.replace(tmp, path)
    return str(path)
