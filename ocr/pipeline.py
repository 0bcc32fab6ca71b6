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
from pathlib import Path
from typing import Any

import numpy as np

from ocr import __version__
from ocr.errors import OcrError
from ocr.model import PageJob, PageResult
from ocr.recognize.script import DEFAULT_SCRIPT

_ENGINE = None  # one engine per worker process, loaded once
DEFAULT_ENGINE = "ocr.recognize.paddle:PaddleEngine"


def settings_for(
    dpi: int, models: str | None, engine: str | None = None, script: str = DEFAULT_SCRIPT
) -> dict[str, Any]:
    """The settings that decide a page's OCR: a change means the page is redone."""
    from ocr.recognize.paddle import BLOCK_PAD, DET_SETTINGS, DET_TILE

    return {
        "dpi": dpi,
        "models": str(models) if models else "default",
        "engine": engine or DEFAULT_ENGINE,
        "det": DET_SETTINGS,
        "det_tile": DET_TILE,
        "block_pad": BLOCK_PAD,
        "script": script,
        "code": __version__,
    }


def settings_hash(settings: dict[str, Any]) -> str:
    blob = json.dumps(settings, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


_ENGINE_KEY: tuple | None = None


def load_engine_class(spec: str):
    """``module:Class`` -> the class. The engine is pluggable: anything with
    ``detect``, ``recognize`` and ``provenance`` like :class:`PaddleEngine`."""
    import importlib

    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


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


def engine():
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
    from ocr.layout import segment
    from ocr.recognize.paddle import read_page
    from ocr.recognize.script import normalize
    from ocr.regions import classify_regions, page_meta
    from ocr.scan.deskew import deskew_angle, deskew_image
    from ocr.scan.load import load_page, to_gray

    t = time.perf_counter()
    image, dpi = load_page(Path(job.source), job.page_index, job.dpi)
    result.dpi = dpi
    result.height, result.width = image.shape[:2]
    result.timings["load"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    skew = deskew_angle(to_gray(image))
    straight, deskew = deskew_image(image, skew)
    result.skew_degrees = deskew.skew_degrees
    result.deskewed_width, result.deskewed_height = deskew.width, deskew.height
    result.timings["deskew"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    gray = to_gray(straight)
    result.regions = segment(gray, deskew)
    result.timings["layout"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    bgr = straight[:, :, ::-1] if straight.ndim == 3 else straight
    result.lines = read_page(
        engine(), np.ascontiguousarray(bgr), result.regions, deskew, result.timings
    )
    script = job.settings.get("script", DEFAULT_SCRIPT)
    for line in result.lines:
        line.text = normalize(line.text, script)
    result.timings["recognize"] = round(time.perf_counter() - t, 3)

    t = time.perf_counter()
    result.regions, result.lines = classify_regions(
        result.regions, result.lines, deskew.width, deskew.height, deskew=deskew
    )
    result.meta = page_meta(result.regions, result.lines)
    result.timings["regions"] = round(time.perf_counter() - t, 3)

    if job.pages_dir:
        result.image_path = save_page_image(gray, Path(job.pages_dir), job)


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
