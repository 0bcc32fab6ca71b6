"""The PaddleOCR engine: the one adapter for ``paddleocr`` 3.x on ONNX Runtime.

Only this module imports paddleocr, and only when an engine is built. A large block is
detected in overlapping strips and recognition runs in batches of bounded width (see
:mod:`ocr.recognize.strips`), so a worker's memory is bounded. A new engine runs each
model once at DET_TILE_PIXELS and REC_BATCH_WIDTH (``warm_up``), so a worker reaches
its memory when it starts and stays there, however its pages vary; only a block wider
than about 3900 px (a banner across the page) can raise it once more, to the
512 x 4000 bound. ONNX Runtime's memory patterns are off: they are planned per input
shape, and our shapes differ at every call (measured: a 1000x1000 block three times
peaks at 487 MB with them off, 619 MB on, at the same speed). PaddleOCR's result
objects are converted to plain tuples here and go no further.
"""

from __future__ import annotations

import os
from importlib import metadata
from typing import Any

import numpy as np

from ocr.errors import EngineError
from ocr.recognize.engine import OcrEngine, ScoredQuad
from ocr.recognize.model_files import ModelSet, load_model_set
from ocr.recognize.read import crop_quad as crop_quad  # re-exported (tests/test_vertical.py)
from ocr.recognize.strips import (
    DET_TILE,
    DET_TILE_PIXELS,
    REC_BATCH,
    REC_BATCH_WIDTH,
    REC_HEIGHT,
    REC_MAX_WIDTH,
    join_strips,
    rec_batches,
    strips,
)

# Detection settings: text blocks at full resolution (only blocks longer than 4000 px
# are scaled down; PaddleX caps a side at 4000 anyway).
DET_SETTINGS = {
    "limit_type": "max",
    "limit_side_len": 4000,
    "thresh": 0.3,
    "box_thresh": 0.5,
    "unclip_ratio": 1.6,
}


def _quiet_paddle() -> None:
    """No model-source check (nothing is downloaded) and no chatter from PaddleX."""
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("PADDLE_PDX_LOG_LEVEL", "ERROR")


class PaddleEngine(OcrEngine):
    """PaddleOCR text detection + recognition on CPU through ONNX Runtime."""

    name = "paddleocr"

    def __init__(self, models: ModelSet | None = None, threads: int | None = None):
        _quiet_paddle()
        super().__init__(models or load_model_set(), threads)
        try:
            from paddleocr import TextDetection, TextRecognition
        except ImportError as exc:  # pragma: no cover - install problem
            raise EngineError(f"paddleocr is not installed: {exc}") from exc
        on_cpu = {
            "engine": "onnxruntime",
            "device": "cpu",
            "engine_config": {
                "intra_op_num_threads": self.threads,
                "inter_op_num_threads": 1,
                "enable_mem_pattern": False,
            },
        }
        try:
            self._det = TextDetection(
                model_name=self.models.det_name,
                model_dir=str(self.models.det_dir),
                **on_cpu,
                **DET_SETTINGS,
            )
            self._rec = TextRecognition(
                model_name=self.models.rec_name, model_dir=str(self.models.rec_dir), **on_cpu
            )
        except Exception as exc:
            raise EngineError(f"cannot load the OCR models: {exc}") from exc
        self.warm_up()

    @classmethod
    def version(cls) -> str:
        return metadata.version("paddleocr")

    @classmethod
    def settings(cls) -> dict[str, Any]:
        """Detection's thresholds and strips (recognition has no settings of its own)."""
        return {"det": DET_SETTINGS, "det_tile": DET_TILE}

    def provenance(self) -> dict[str, Any]:
        return {
            **self.models.provenance(),
            "engine": self.name,
            "paddleocr": self.version(),
            "paddlex": metadata.version("paddlex"),
            "onnxruntime": metadata.version("onnxruntime"),
            "det_settings": DET_SETTINGS,
            "det_tile": DET_TILE,
            "rec_batch": REC_BATCH,
            "rec_batch_width": REC_BATCH_WIDTH,
            "threads": self.threads,
        }

    def warm_up(self) -> None:
        """Run both models once at their largest inputs: detection on a square block of
        DET_TILE_PIXELS, recognition on one widest crop and on a full batch."""
        side = int(DET_TILE_PIXELS**0.5)
        block = np.full((side, side, 3), 255, dtype=np.uint8)
        block[::40] = 0  # something to find: dark rules across the block
        self._detect_one(block)
        widest = np.full((REC_HEIGHT, REC_MAX_WIDTH, 3), 255, dtype=np.uint8)
        self._rec.predict([widest], batch_size=1)
        narrow = widest[:, : REC_BATCH_WIDTH // REC_BATCH]
        self._rec.predict([narrow] * REC_BATCH, batch_size=REC_BATCH)

    def detect(self, image: np.ndarray) -> list[ScoredQuad]:
        """Text line quadrilaterals (4x2, image pixels) with their scores; a large image
        is read in overlapping strips (see :func:`strips` and :func:`join_strips`)."""
        h, w = image.shape[:2]
        found = []
        for top, bottom in strips(h, w):
            shift = np.array([0.0, top])
            found.append(
                (top, bottom, [(p + shift, s) for p, s in self._detect_one(image[top:bottom])])
            )
        return join_strips(found, h)

    def _detect_one(self, image: np.ndarray) -> list[ScoredQuad]:
        (res,) = self._det.predict(_three_channels(image))
        polys = res["dt_polys"]
        scores = res["dt_scores"]
        return [(np.asarray(p, dtype=np.float64), float(s)) for p, s in zip(polys, scores)]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence for each crop, in the order given."""
        return [(text, score) for text, score, _ in self._read(crops, placed=False)]

    def recognize_placed(
        self, crops: list[np.ndarray]
    ) -> list[tuple[str, float, list[float] | None]]:
        """Text, confidence and each character's centre along the crop (a fraction of its
        width: the CTC column it was read at, ``return_word_box``) for each crop."""
        return self._read(crops, placed=True)

    def _read(self, crops: list[np.ndarray], placed: bool):
        out: list[tuple[str, float, list[float] | None]] = [("", 0.0, None)] * len(crops)
        for batch in rec_batches([c.shape[:2] for c in crops]):
            batch_crops = [_three_channels(crops[i]) for i in batch]
            results = self._rec.predict(batch_crops, batch_size=len(batch), return_word_box=placed)
            ratios = [c.shape[1] / c.shape[0] for c in batch_crops]
            # PaddleX scales each result's column count by the batch's aspect ratios
            # taken in ascending order (it sorts them, not the results): undone here.
            taken = [ratios[j] for j in np.argsort(np.array(ratios))]
            for i, res, ratio, used in zip(batch, results, ratios, taken):
                text, centres = _placed(res["rec_text"], ratio / used)
                out[i] = (text, float(res["rec_score"]), centres)
        return out


def _placed(rec_text: Any, fix: float) -> tuple[str, list[float] | None]:
    """The text of a ``return_word_box`` reading and each character's centre, as a
    fraction of the crop's width: its CTC column (a column is 8 pixels of the crop
    scaled to 48 rows) over the columns the crop's content spans (PaddleX's count,
    times ``fix``). Measured on rendered lines: within 1-4 px of the glyph's centre."""
    if not isinstance(rec_text, tuple):
        return str(rec_text), None
    text, (columns, _, word_columns, _) = rec_text
    cols = [c for word in word_columns for c in word]
    span = float(columns) * fix
    if len(cols) != len(text) or span <= 0:
        return str(text), None
    return str(text), [round(min(1.0, (c + 0.5) / span), 4) for c in cols]


def _three_channels(img: np.ndarray) -> np.ndarray:
    """A contiguous BGR image, as PaddleX wants it (a gray one repeated thrice)."""
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    return np.ascontiguousarray(img)
