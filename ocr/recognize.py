"""Recognition: the one adapter for PaddleOCR (``paddleocr`` 3.x, ONNX Runtime engine).

Only this module imports paddleocr, and only when an engine is built. Detection runs
on each text block of the deskewed page at full resolution (whole-page detection at
the models' default size misses small newspaper text); recognition is batched over
all lines of the page. PaddleOCR's result objects are converted to :class:`Line`
here and go no further.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import EngineError
from .model import Box, Deskew, Line, Region
from .models import ModelSet, load_model_set
from .regions import reading_order

# Detection settings: text blocks at full resolution (only blocks longer than 4000 px
# are scaled down; PaddleX caps a side at 4000 anyway).
DET_SETTINGS = {
    "limit_type": "max",
    "limit_side_len": 4000,
    "thresh": 0.3,
    "box_thresh": 0.5,
    "unclip_ratio": 1.6,
}
REC_BATCH = 8
BLOCK_PAD = 12  # pixels of margin around a text block for detection


def _quiet_paddle() -> None:
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("PADDLE_PDX_LOG_LEVEL", "ERROR")


@dataclass
class Detected:
    poly: np.ndarray  # 4x2 float, deskewed-image pixels
    score: float
    region: Region | None


class PaddleEngine:
    """PaddleOCR text detection + recognition on CPU through ONNX Runtime."""

    def __init__(self, models: ModelSet | None = None, threads: int | None = None):
        _quiet_paddle()
        self.models = models or load_model_set()
        self.threads = threads or max(1, os.cpu_count() or 1)
        try:
            from paddleocr import TextDetection, TextRecognition
        except ImportError as exc:  # pragma: no cover - install problem
            raise EngineError(f"paddleocr is not installed: {exc}") from exc
        config = {"intra_op_num_threads": self.threads, "inter_op_num_threads": 1}
        try:
            self._det = TextDetection(
                model_name=self.models.det_name,
                model_dir=str(self.models.det_dir),
                engine="onnxruntime",
                device="cpu",
                engine_config=config,
                **DET_SETTINGS,
            )
            self._rec = TextRecognition(
                model_name=self.models.rec_name,
                model_dir=str(self.models.rec_dir),
                engine="onnxruntime",
                device="cpu",
                engine_config=config,
            )
        except Exception as exc:
            raise EngineError(f"cannot load the OCR models: {exc}") from exc

    def provenance(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            **self.models.provenance(),
            "engine": "paddleocr",
            "paddleocr": version("paddleocr"),
            "paddlex": version("paddlex"),
            "onnxruntime": version("onnxruntime"),
            "det_settings": DET_SETTINGS,
            "rec_batch": REC_BATCH,
            "threads": self.threads,
        }

    def detect(self, image: np.ndarray) -> list[tuple[np.ndarray, float]]:
        """Text line quadrilaterals (4x2, image pixels) with their scores."""
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        (res,) = self._det.predict(np.ascontiguousarray(image))
        polys = res["dt_polys"]
        scores = res["dt_scores"]
        return [(np.asarray(p, dtype=np.float64), float(s)) for p, s in zip(polys, scores)]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence for each crop, in the order given."""
        if not crops:
            return []
        # Batch crops of similar aspect ratio together: less padding, faster.
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        batch = [_bgr(crops[i]) for i in order]
        results = self._rec.predict(batch, batch_size=REC_BATCH)
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for i, res in zip(order, results):
            out[i] = (str(res["rec_text"]), float(res["rec_score"]))
        return out


def _bgr(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    return np.ascontiguousarray(img)


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral's content, warped upright (as PaddleOCR crops lines)."""
    import cv2

    q = quad.astype(np.float32)
    w = int(round(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3]))))
    h = int(round(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2]))))
    w, h = max(w, 1), max(h, 1)
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(q, dst)
    out = cv2.warpPerspective(
        image, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if h >= 1.5 * w:  # a vertical line of text: turn it to read left to right
        # Turned counter-clockwise, as PaddleOCR does: the PP-OCRv6 recognizer reads
        # such crops (characters on their side) as well as upright ones. Measured on
        # 126 vertical crops (detected headlines, body text of 17-40 px): CER 0.000
        # turned counter-clockwise, 0.002 cut into character cells set side by side,
        # 0.92 turned clockwise.
        out = np.rot90(out)
    return out


def _order_quad(poly: np.ndarray) -> np.ndarray:
    """Clockwise from top-left."""
    pts = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def detect_lines(engine: PaddleEngine, image: np.ndarray, regions: list[Region]) -> list[Detected]:
    """Detect text lines block by block; each detection belongs to the block that holds
    its centre (detections from a neighbour seen through the padding are dropped)."""
    h, w = image.shape[:2]
    text_regions = [r for r in regions if r.kind in ("text", "headline", "body", "caption")]
    if not text_regions:
        whole = Region(id="r0", kind="text", box=Box(0, 0, w, h), poly=Box(0, 0, w, h).poly())
        text_regions = [whole]
    found: list[Detected] = []
    for region in text_regions:
        box = region.box.pad(BLOCK_PAD).clip(w, h)
        x0, y0, x1, y1 = (int(round(v)) for v in box.as_list())
        if x1 - x0 < 4 or y1 - y0 < 4:
            continue
        crop = image[y0:y1, x0:x1]
        for quad, score in engine.detect(crop):
            quad = _order_quad(quad) + np.array([x0, y0])
            cx, cy = quad.mean(axis=0)
            if region.box.contains_point((cx, cy)):
                found.append(Detected(quad, score, region))
    return found


def read_page(
    engine: PaddleEngine,
    image: np.ndarray,
    regions: list[Region],
    deskew: Deskew,
    timings: dict[str, float] | None = None,
) -> list[Line]:
    """The recognize stage: lines with text, confidence, deskewed box and scan polygon,
    ordered block by block (blocks in their reading order), within one by rows top to
    bottom, vertical lines right to left (see :func:`ocr.regions.reading_order`)."""
    timings = {} if timings is None else timings
    t = time.perf_counter()
    detected = detect_lines(engine, image, regions)
    timings["detect"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    rank = {id(r): i for i, r in enumerate(regions)}
    detected.sort(
        key=lambda d: (
            rank.get(id(d.region), -1),
            float(d.poly[:, 1].mean()),
            float(d.poly[:, 0].min()),
        )
    )
    texts = engine.recognize([crop_quad(image, d.poly) for d in detected])
    timings["recognize_lines"] = round(time.perf_counter() - t, 3)
    groups: dict[int, list[Line]] = {}
    for d, (text, score) in zip(detected, texts):
        text = text.strip()
        if not text:
            continue
        pts = [(float(x), float(y)) for x, y in d.poly]
        groups.setdefault(id(d.region), []).append(
            Line(
                id="",
                text=text,
                confidence=round(score, 4),
                poly=[(round(x, 1), round(y, 1)) for x, y in deskew.to_scan(pts)],
                box=Box.from_poly(pts),
                region=d.region.id if d.region is not None else None,
            )
        )
    # Within a block: rows top to bottom, vertical lines right to left.
    lines: list[Line] = []
    for group in groups.values():  # blocks in their order (detections are sorted)
        for i, line in enumerate(reading_order(group), start=1):
            line.id, line.order = f"l{len(lines) + 1}", i
            lines.append(line)
    return lines
