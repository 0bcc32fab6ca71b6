"""Orientation: is the page upright, or turned by 90, 180 or 270 degrees in the scan?

A test from the text lines themselves, with the engine already loaded (no other model):
text lines are detected once on a sample tile of the page (the inkiest; more when it
holds few lines), and the longest of them are read under each hypothesis, the crop
turned back as the hypothesis says, each in two ways (:func:`_readings`):

- *whole*: a lying line as it is, a standing one turned a quarter counter-clockwise
  (how the recognizer reads a vertical line: trained so, it reads characters lying
  that way as well as standing ones);
- *cut*: the line cut into its characters (as many as the whole reading found, by their
  width), each shown the other way: a lying line's characters each turned a quarter
  counter-clockwise, a standing line's standing, side by side.

Each way reads well for two of a character's four turns: standing, and lying a quarter
counter-clockwise. The two ways part by a quarter turn, so both read well only when the
characters stand, i.e. under the right hypothesis. That tells a page set in vertical
lines (standing characters in standing lines) from a horizontal page turned by 90
degrees (standing lines too, their characters lying): read whole, both read alike. The
score of a hypothesis is the mean of its two readings' confidences.

On an upright page the first hypothesis is already read confidently and the others are
not tried: the cost there is one detection of the sample tiles and two reads of a
few lines. A turn other than 0 is taken only when it reads clearly better than 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from ocr.scan.load import to_gray
from ocr.text import units

TILE = 512  # side of a sample tile, pixels of the working copy
TILES = 3  # at most this many tiles are sampled (the inkiest of a 3 x 3 grid) ...
ENOUGH = 5  # ... until this many lines are found
LINES = 8  # lines read per hypothesis (the longest)
SURE = 0.88  # a mean confidence this high at 0 degrees: upright, nothing else tried
MARGIN = 0.12  # another turn must read this much better than 0 degrees to be taken
MIN_LINES = 3  # fewer lines than this: too little text to tell; left as it is
# The sample is read with its type at least this large (smaller type scaled up to
# SAMPLE_TEXT_PX, at most 3x): the test's thresholds were measured so.
SAMPLE_MIN_PX, SAMPLE_TEXT_PX = 24.0, 32.0

Detect = Callable[[np.ndarray], list]  # image -> [(4x2 quad, score)], the engine's detect
Read = Callable[[list[np.ndarray]], list[tuple[str, float]]]  # crops -> [(text, conf)]


@dataclass
class Sample:
    """Text lines found on the sample tiles: the longest lines' crops (axis-aligned, from
    the working copy) and every line's short side, in pixels of the page."""

    crops: list[np.ndarray] = field(default_factory=list)
    sizes: list[float] = field(default_factory=list)

    @property
    def text_px(self) -> float | None:
        return float(np.median(self.sizes)) if len(self.sizes) >= MIN_LINES else None


def _tiles(gray: np.ndarray, n: int) -> list[tuple[int, int, int, int]]:
    """The ``n`` inkiest tiles of a 3 x 3 grid of the page (each at most TILE square)."""
    h, w = gray.shape
    tw, th = min(TILE, w), min(TILE, h)
    small = cv2.resize(gray, (48, 48), interpolation=cv2.INTER_AREA).astype(np.float32)
    ink = cv2.absdiff(small, cv2.GaussianBlur(small, (0, 0), 4))
    boxes = []
    for fy in (0.25, 0.5, 0.75):
        for fx in (0.25, 0.5, 0.75):
            x0 = int(min(max(0, fx * w - tw / 2), w - tw))
            y0 = int(min(max(0, fy * h - th / 2), h - th))
            sx, sy = (
                slice(int(x0 / w * 48), int((x0 + tw) / w * 48) + 1),
                slice(int(y0 / h * 48), int((y0 + th) / h * 48) + 1),
            )
            boxes.append((float(ink[sy, sx].mean()), (x0, y0, x0 + tw, y0 + th)))
    boxes.sort(key=lambda b: -b[0])
    picked: list[tuple[int, int, int, int]] = []
    for _, b in boxes:
        if all(_overlap(b, p) < 0.3 for p in picked):
            picked.append(b)
        if len(picked) == n:
            break
    return picked


def _overlap(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy / max(1, (a[2] - a[0]) * (a[3] - a[1]))


def sample_lines(image: np.ndarray, detect: Detect, scale: float = 1.0) -> Sample:
    """Detect lines on the sample tiles of ``image`` (a working copy, ``scale`` times
    the page) and keep the ``LINES`` longest."""
    gray = to_gray(image)
    found = []
    for x0, y0, x1, y1 in _tiles(gray, TILES):
        if len(found) >= ENOUGH:
            break
        tile = gray[y0:y1, x0:x1]
        for quad, _ in detect(tile):
            q = np.asarray(quad, dtype=np.float64).reshape(-1, 2)
            qx0, qy0 = np.floor(q.min(axis=0)).astype(int)
            qx1, qy1 = np.ceil(q.max(axis=0)).astype(int)
            bw, bh = qx1 - qx0, qy1 - qy0
            if min(bw, bh) < 4 or max(bw, bh) < 2 * min(bw, bh):
                continue  # a single character or a blob: no direction to see
            crop = tile[max(0, qy0) : qy1, max(0, qx0) : qx1]
            found.append((max(bw, bh), crop, min(bw, bh) / scale))
    found.sort(key=lambda f: -f[0])
    out = Sample(sizes=[f[2] for f in found])  # the size of every line: mostly body type
    out.crops = [np.ascontiguousarray(crop) for _, crop, _ in found[:LINES]]
    return out


def _whole(crop: np.ndarray) -> np.ndarray:
    """A crop as the recognizer reads a line: a wide crop as it is, a tall one (a vertical
    line) turned a quarter counter-clockwise, its top at the left."""
    h, w = crop.shape[:2]
    return crop if h <= w else np.ascontiguousarray(np.rot90(crop, 1))


def _cut(crop: np.ndarray, chars: float) -> np.ndarray:
    """The crop cut into ``chars`` characters along its length (``chars`` in ems, rounded;
    at least one) and set side by side, each shown a quarter turn from :func:`_whole`:
    a wide crop's characters each turned counter-clockwise, a tall crop's standing."""
    h, w = crop.shape[:2]
    tall = h > w
    length = h if tall else w
    n = max(1, int(round(chars)))
    step = length / n
    cells = []
    for i in range(n):
        a, b = int(round(i * step)), int(round((i + 1) * step))
        cells.append(crop[a:b] if tall else np.rot90(crop[:, a:b], 1))
    side = min(c.shape[0] for c in cells)
    return np.ascontiguousarray(np.hstack([c[:side] for c in cells]))


def _turned_back(crop: np.ndarray, degrees: int) -> np.ndarray:
    """The crop as it would stand if the page was turned ``degrees`` clockwise."""
    return np.ascontiguousarray(np.rot90(crop, {0: 0, 90: 1, 180: 2, 270: 3}[degrees]))


def _readings(crops: list[np.ndarray], read: Read) -> list[tuple[str, float]]:
    """Each crop read whole, then cut into the characters that reading found (their
    count in ems; a crop read as nothing is cut into squares): both readings, in turn."""
    whole = read([_whole(c) for c in crops])
    chars = [units(t) or max(c.shape[:2]) / min(c.shape[:2]) for c, (t, _) in zip(crops, whole)]
    return whole + read([_cut(c, n) for c, n in zip(crops, chars)])


def _score(sample: Sample, read: Read, degrees: int) -> float:
    """The mean confidence of both readings of the sample turned back by ``degrees``,
    each line weighted by the characters its whole reading found."""
    results = _readings([_turned_back(c, degrees) for c in sample.crops], read)
    half = len(results) // 2
    weights = [max(1, len(t)) for t, _ in results[:half]] * 2
    return float(sum(w * c for w, (_, c) in zip(weights, results)) / max(1, sum(weights)))


def orientation(sample: Sample, read: Read) -> tuple[int, dict[int, float]]:
    """How far the page was turned clockwise (0, 90, 180, 270) and the scores tried.

    0 when the sample has too few lines, when 0 degrees reads surely (``SURE``), or
    when no other turn reads at least ``MARGIN`` better."""
    if len(sample.crops) < MIN_LINES:
        return 0, {}
    scores = {0: _score(sample, read, 0)}
    if scores[0] >= SURE:
        return 0, scores
    for degrees in (90, 180, 270):
        scores[degrees] = _score(sample, read, degrees)
    best = max(scores, key=lambda d: scores[d])
    if best != 0 and scores[best] >= scores[0] + MARGIN:
        return best, scores
    return 0, scores
