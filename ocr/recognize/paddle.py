"""Recognition: the one adapter for PaddleOCR (``paddleocr`` 3.x, ONNX Runtime engine).

Only this module imports paddleocr, and only when an engine is built. Detection runs
on each text block of the deskewed page at full resolution (whole-page detection at
the models' default size misses small newspaper text), a large block in overlapping
strips; recognition is batched over all lines of the page, in batches of bounded
width (so a worker's memory is bounded: see DET_TILE_PIXELS). PaddleOCR's result
objects are converted to :class:`Line` here and go no further.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ocr.errors import EngineError
from ocr.model import Box, Deskew, Line, Region
from ocr.recognize.model_files import ModelSet, load_model_set
from ocr.text import reading_order

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

# Memory. ONNX Runtime keeps, per model, the largest working set a call has needed, so
# a worker's memory is set by the largest input it has seen. Both inputs are bounded:
# detection runs on strips of at most DET_TILE_PIXELS (a taller block is cut into
# overlapping strips across its full width; a block wider than DET_TILE_PIXELS /
# DET_TILE_MIN_ROWS, about 1950 px, still gets strips of DET_TILE_MIN_ROWS rows, and
# PaddleX scales anything wider than 4000 px down, so no call exceeds 512 x 4000 px),
# and a recognition batch is at most REC_BATCH_WIDTH pixels wide in all (crops are
# scaled to REC_HEIGHT rows, a single crop to at most REC_MAX_WIDTH, PaddleX's own cap).
# A new engine runs each model once at DET_TILE_PIXELS and REC_BATCH_WIDTH
# (``warm_up``), so a worker reaches its memory when it starts and stays there, however
# its pages vary; only a block wider than about 1950 px (a banner across the page) can
# raise it once more, to the 512 x 4000 bound. ONNX Runtime's memory patterns are off: they are
# planned per input shape, and our shapes differ at every call (measured: a 1000x1000
# block three times peaks at 487 MB with them off, 619 MB on, at the same speed).
DET_TILE_PIXELS = 1_000_000
DET_TILE_MIN_ROWS = 512  # a very wide block still gets strips this tall
DET_TILE_OVERLAP = 192  # rows shared by neighbouring strips (> 2 x the tallest body line)
REC_HEIGHT = 48
REC_MIN_WIDTH = 320
REC_MAX_WIDTH = 3200
REC_BATCH_WIDTH = 4096


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
        config = {
            "intra_op_num_threads": self.threads,
            "inter_op_num_threads": 1,
            "enable_mem_pattern": False,
        }
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
        self.warm_up()

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

    def provenance(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {
            **self.models.provenance(),
            "engine": "paddleocr",
            "paddleocr": version("paddleocr"),
            "paddlex": version("paddlex"),
            "onnxruntime": version("onnxruntime"),
            "det_settings": DET_SETTINGS,
            "det_tile": DET_TILE,
            "rec_batch": REC_BATCH,
            "rec_batch_width": REC_BATCH_WIDTH,
            "threads": self.threads,
        }

    def detect(self, image: np.ndarray) -> list[tuple[np.ndarray, float]]:
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

    def _detect_one(self, image: np.ndarray) -> list[tuple[np.ndarray, float]]:
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        (res,) = self._det.predict(np.ascontiguousarray(image))
        polys = res["dt_polys"]
        scores = res["dt_scores"]
        return [(np.asarray(p, dtype=np.float64), float(s)) for p, s in zip(polys, scores)]

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence for each crop, in the order given."""
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for batch in rec_batches([c.shape[:2] for c in crops]):
            results = self._rec.predict([_bgr(crops[i]) for i in batch], batch_size=len(batch))
            for i, res in zip(batch, results):
                out[i] = (str(res["rec_text"]), float(res["rec_score"]))
        return out


DET_TILE = {"pixels": DET_TILE_PIXELS, "min_rows": DET_TILE_MIN_ROWS, "overlap": DET_TILE_OVERLAP}


def strips(height: int, width: int) -> list[tuple[int, int]]:
    """How detection reads an image of ``height`` x ``width``: rows ``top:bottom`` of
    each strip, across the full width. Strips hold at most DET_TILE_PIXELS (but at least
    DET_TILE_MIN_ROWS rows) and share DET_TILE_OVERLAP rows with their neighbours, so a
    line shorter than the overlap lies whole in at least one strip."""
    rows = max(DET_TILE_MIN_ROWS, DET_TILE_PIXELS // max(width, 1))
    if height <= rows:
        return [(0, height)]
    step = rows - DET_TILE_OVERLAP
    count = -(-(height - DET_TILE_OVERLAP) // step)  # ceil
    step = -(-(height - DET_TILE_OVERLAP) // count)  # spread the strips evenly
    return [(k * step, min(height, k * step + step + DET_TILE_OVERLAP)) for k in range(count)]


def join_strips(
    found: list[tuple[int, int, list[tuple[np.ndarray, float]]]], height: int
) -> list[tuple[np.ndarray, float]]:
    """The lines detected strip by strip (``(top, bottom, lines)``, image coordinates),
    each once. A line seen by two strips is kept from the one where it lies farthest
    from a cut (its whole, not a piece cut at a strip's edge); a line overlapping one
    already kept from another strip by more than half of either's box is the same line
    seen twice. Lines of the same strip are never merged (that is the detector's call)."""
    if len(found) == 1:
        return list(found[0][2])
    candidates = []
    for k, (top, bottom, lines) in enumerate(found):
        for i, (poly, score) in enumerate(lines):
            y0, y1 = float(poly[:, 1].min()), float(poly[:, 1].max())
            above = y0 - top if top > 0 else np.inf  # rows to the cut above (none at 0)
            below = bottom - y1 if bottom < height else np.inf
            margin = min(above, below)
            candidates.append((-margin, k, i, poly, score))
    candidates.sort(key=lambda c: c[:3])
    kept: list[tuple[int, int, Box, np.ndarray, float]] = []
    for _, k, i, poly, score in candidates:
        box = Box.from_poly([(float(x), float(y)) for x, y in poly])
        if any(k2 != k and _same_line(box, b2) for k2, _, b2, _, _ in kept):
            continue
        kept.append((k, i, box, poly, score))
    return [(poly, score) for _, _, _, poly, score in sorted(kept, key=lambda c: c[:2])]


def _same_line(a: Box, b: Box) -> bool:
    return a.intersection(b) > 0.5 * min(a.area, b.area)


def rec_width(height: int, width: int) -> int:
    """The width a crop has in a recognition batch (scaled to REC_HEIGHT rows)."""
    wanted = int(REC_HEIGHT * width / max(height, 1))
    return min(REC_MAX_WIDTH, max(REC_MIN_WIDTH, wanted))


def rec_batches(shapes: list[tuple[int, int]]) -> list[list[int]]:
    """Indexes of crops (given as ``(height, width)``) in recognition batches: crops of
    similar aspect ratio together (less padding), at most REC_BATCH crops and
    REC_BATCH_WIDTH pixels of padded width per batch (a batch is as wide as its widest
    crop times its size), so one call's memory is bounded."""
    order = sorted(range(len(shapes)), key=lambda i: shapes[i][1] / max(shapes[i][0], 1))
    batches: list[list[int]] = []
    for i in order:
        w = rec_width(*shapes[i])
        last = batches[-1] if batches else None
        if last and len(last) < REC_BATCH and (len(last) + 1) * w <= REC_BATCH_WIDTH:
            last.append(i)
        else:
            batches.append([i])
    return batches


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
