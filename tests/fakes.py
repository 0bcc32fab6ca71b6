"""Fault-injection engines (fakes are for faults only; everything else uses the real
models). A blank page's width picks the fault: the layout finds no text block on a
blank page, so the engine is handed the whole page."""

from __future__ import annotations

import os
import time

import numpy as np

DIE_WIDTH = 777  # the worker process dies (as if killed or crashed in native code)
RAISE_WIDTH = 555  # the engine raises
HANG_WIDTH = 333  # the engine hangs


class FakeEngine:
    def __init__(self, models=None, threads=1):
        self.threads = threads

    def provenance(self):
        return {"engine": "fake"}

    def detect(self, image):
        h, w = image.shape[:2]
        if w == DIE_WIDTH:
            os._exit(9)
        if w == RAISE_WIDTH:
            raise RuntimeError("engine crashed on purpose")
        if w == HANG_WIDTH:
            time.sleep(3600)
        return [(np.array([[2, 2], [w - 2, 2], [w - 2, h - 2], [2, h - 2]], float), 0.9)]

    def recognize(self, crops):
        return [("假", 0.5) for _ in crops]
