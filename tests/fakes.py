"""Fault-injection engines: OcrEngine subclasses that crash, hang or die on purpose.

Fakes are for faults only; everything else uses the real models. A blank page's width
picks the crash, hang or death (the layout finds no text block on a blank page, so the
engine is handed the whole page); a failure that comes and goes is keyed on the page
itself (its file's name and page number), whatever the layout hands the engine.

Environment (read in the worker process): ``FAKE_OCR_TEXT`` is what every line reads
(default 假); ``FAKE_OCR_SECONDS`` makes each page take that long;
``FAKE_OCR_GATE`` names a file an engine waits for after its first page;
``FAKE_OCR_FAIL_PAGES`` names pages that fail, comma-separated, each ``NAME`` (every
page of the file called NAME) or ``NAME:N`` (its page N): a fault that goes away when
the variable does; ``FAKE_OCR_STARTS`` names a folder where each page started leaves a
file (its width first, then the worker's pid), to count the work done.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np

from ocr.errors import ModelError
from ocr.model import PageJob
from ocr.recognize.engine import OcrEngine

DIE_WIDTH = 777  # the worker process dies (as if it crashed in native code)
KILL_WIDTH = 444  # the worker process is killed mid-page (SIGKILL, as by the OOM killer)
RAISE_WIDTH = 555  # the engine raises
HANG_WIDTH = 333  # the engine hangs


def current_job() -> PageJob | None:
    """The page being processed: the ``job`` of the nearest caller that has one (every
    executor runs a page as ``ocr.batch.jobs.run_job(job)``)."""
    frame = sys._getframe(1)
    while frame is not None:
        job = frame.f_locals.get("job")
        if isinstance(job, PageJob):
            return job
        frame = frame.f_back
    return None


def fails_here(job: PageJob | None) -> bool:
    """Whether ``FAKE_OCR_FAIL_PAGES`` names this page (``NAME`` or ``NAME:N``)."""
    if job is None:
        return False
    for item in filter(None, os.environ.get("FAKE_OCR_FAIL_PAGES", "").split(",")):
        name, _, page = item.strip().partition(":")
        if Path(job.source).name == name and (not page or int(page) == job.page_index + 1):
            return True
    return False


class FakeEngine(OcrEngine):
    """Every block holds one line, reading ``FAKE_OCR_TEXT``; faults picked by width."""

    name = "fake"
    loads = 0  # engines built in this process: the models are loaded once per worker

    def __init__(self, models=None, threads=1):
        super().__init__(models, threads)
        FakeEngine.loads += 1
        self.load = FakeEngine.loads
        self.text = os.environ.get("FAKE_OCR_TEXT", "假")
        self.seconds = float(os.environ.get("FAKE_OCR_SECONDS", "0"))
        self.pages = 0  # pages this engine has detected
        self._job = None  # the page of the last call (lines first may call twice a page)

    @classmethod
    def version(cls):
        return "1"

    def provenance(self):
        return {"engine": self.name, "text": self.text, "load": self.load}

    def detect(self, image):
        h, w = image.shape[:2]
        job = current_job()
        first = job is None or job is not self._job  # the page's first detection
        self._job = job
        starts = os.environ.get("FAKE_OCR_STARTS")  # a folder: one file per page started
        if starts and first:
            Path(starts, f"{w}-{os.getpid()}-{time.monotonic_ns()}").touch()
        if w == DIE_WIDTH:
            os._exit(9)
        if w == KILL_WIDTH:
            os.kill(os.getpid(), signal.SIGKILL)
        if w == RAISE_WIDTH or fails_here(job):
            raise RuntimeError("engine crashed on purpose")
        if w == HANG_WIDTH:
            time.sleep(3600)
        if first:  # not again when lines first found too little text and reads by blocks
            if self.seconds:
                time.sleep(self.seconds)
            self.pages += 1
            gate = os.environ.get("FAKE_OCR_GATE")
            while gate and self.pages > 1 and not Path(gate).exists():  # hold after a page
                time.sleep(0.05)
        return [(np.array([[2, 2], [w - 2, 2], [w - 2, h - 2], [2, h - 2]], float), 0.9)]

    def recognize(self, crops):
        return [(self.text, 0.5) for _ in crops]


class BrokenEngine(FakeEngine):
    """An engine whose models cannot be loaded: the batch stops before any page."""

    def __init__(self, models=None, threads=1):
        raise ModelError("the fake models are missing on purpose")


class FakeEngineV2(FakeEngine):
    """Another engine (so other settings): pages done by FakeEngine are redone."""

    @classmethod
    def settings(cls):
        return {"fake_reading": 2}


class SlowEngine(FakeEngine):
    """Pages that take a while (half a second), so workers are busy across a batch."""

    def detect(self, image):
        time.sleep(0.5)
        return super().detect(image)
