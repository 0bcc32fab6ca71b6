"""The layout stage: cut a deskewed page into blocks of text, photos, QR codes and rules.

Pure functions, image in, data out. :func:`segment` works on the deskewed gray page:

1. :func:`binarize` finds the ink. The analysis runs on a copy at most ~2600 px long
   (a 300 dpi page is halved); block boxes are measured on the full image.
2. QR codes are square blobs with many modules that ``cv2.QRCodeDetector`` (or the
   WeChat detector of opencv-contrib) finds and decodes. Photos are large areas where
   nearly every pixel is darker than the paper and many are gray (text, even a bold
   title, leaves paper between black strokes). Rules are long thin lines standing on
   their own, found by morphological opening in both directions.
3. The rest is text, cut by a recursive XY-cut. A region is cut, in order of
   preference: at horizontal rules across it; at vertical gutters (ruled, or white and
   wide with columns of several lines on both sides; never through a headline or
   between words of a line); at the white rows just above and below whatever crosses
   an otherwise white gutter (a headline over several columns, a caption under a wide
   photo) when that lets a piece be cut into columns; at horizontal white gaps clearly
   wider than the line spacing, or between text and a photo; at the edges of a photo
   or QR code. The leaves, in order, are the reading order: top to bottom, and left
   to right across columns.
4. Each text leaf becomes a block tight around its ink (plus :data:`PAD` pixels);
   ``Region.column`` is the grid column a block starts in, the grid being the regular
   pitch that best explains where the cuts between columns fell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ocr.model import Box, Deskew, Region
from ocr.scan.load import to_gray

WORK_SIDE = 2600  # the analysis copy of the page is at most this long (a whole factor)
PAD = 3  # pixels around the ink of a text block


def crop(image: np.ndarray, box: Box, pad: int = 0) -> np.ndarray:
    """The part of ``image`` inside ``box`` grown by ``pad``, clipped to the image."""
    h, w = image.shape[:2]
    b = box.pad(pad).clip(w, h)
    x0, y0 = int(np.floor(b.x0)), int(np.floor(b.y0))
    x1, y1 = int(np.ceil(b.x1)), int(np.ceil(b.y1))
    return image[y0:y1, x0:x1]


def _paper_level(gray: np.ndarray) -> float:
    """The gray level of the paper: the commonest level in the brighter half."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().astype(np.float64)
    cum = np.cumsum(hist)
    mid = int(np.searchsorted(cum, 0.5 * cum[-1]))
    hist = np.convolve(hist, np.ones(5) / 5, mode="same")
    return float(mid + np.argmax(hist[mid:]))


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink mask of a page: 255 where there is ink, 0 elsewhere (uint8, same size).

    A pixel is ink when, lightly smoothed, it is darker than the paper by 40 gray
    levels (less on a faint page: a third of the way to the darkest ink, at least 20),
    so that off-white paper and noise stay white and thin strokes stay ink."""
    g = to_gray(np.asarray(gray))
    if g.dtype != np.uint8:
        g = np.clip(g, 0, 255).astype(np.uint8)
    if g.size == 0:
        return np.zeros(g.shape, np.uint8)
    smooth = cv2.GaussianBlur(g, (3, 3), 0.8)
    paper = _paper_level(smooth)
    hist = cv2.calcHist([smooth], [0], None, [256], [0, 256]).ravel()
    darkest = float(np.searchsorted(np.cumsum(hist), 0.001 * hist.sum()))
    drop = min(40.0, max(20.0, (paper - darkest) / 3))
    # THRESH_BINARY_INV: 255 where smooth <= t; t just below paper - drop.
    t = float(np.ceil(paper - drop) - 1)
    return cv2.threshold(smooth, t, 255, cv2.THRESH_BINARY_INV)[1]


# ---------------------------------------------------------------------------- analysis


@dataclass
class _Page:
    """The analysis copy of a page and what was found on it (all in work pixels)."""

    text: np.ndarray  # bool, text ink
    occ: np.ndarray  # bool, text ink or photo/QR area
    lines: np.ndarray  # bool, occ dilated so that lines of text are solid bars
    grow: int  # how far (pixels) that dilation reaches up or down
    obst: np.ndarray  # bool, photo/QR area
    ch: float  # height of a body character
    line_gap: float  # usual white gap between two lines of body text
    hrules: list[tuple[int, int, int, int]] = field(default_factory=list)
    vrules: list[tuple[int, int, int, int]] = field(default_factory=list)
    blobs: list[tuple[int, int, int, int]] = field(default_factory=list)  # headline lines
    column_starts: list[int] = field(default_factory=list)  # x where columns begin


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Half-open runs of True in a 1-D bool array."""
    if flags.size == 0:
        return []
    d = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _text_size(ink: np.ndarray) -> tuple[float, float]:
    """(height of a line of body text, usual white gap between two lines), measured on
    the bands of ink in narrow vertical strips of the page (each band one line)."""
    h, w = ink.shape
    step = max(8, w // 25)
    heights: list[int] = []
    gaps: list[int] = []
    for x in range(0, w - step + 1, step):
        runs = [r for r in _runs(ink[:, x : x + step].any(axis=1)) if r[1] - r[0] >= 4]
        heights += [e - s for s, e in runs]
        gaps += [s1 - e0 for (_, e0), (s1, _) in zip(runs, runs[1:], strict=False)]
    if len(heights) < 10:
        return 10.0, 5.0
    hs = np.array(heights, dtype=np.float64)
    med = float(np.median(hs))
    ch = float(np.median(hs[(hs > 0.6 * med) & (hs < 1.5 * med)]))
    gs = np.array([g for g in gaps if g < 2 * ch], dtype=np.float64)
    gap = float(np.median(gs)) if len(gs) >= 5 else 0.5 * ch
    return max(6.0, ch), max(1.0, gap)


def _find_photos(gray: np.ndarray, ch: float) -> list[tuple[int, int, int, int]]:
    """Boxes of photos: areas of at least ~3 characters a side where nearly every
    pixel is darker than the paper (a big title leaves paper between its strokes),
    and many are gray rather than black (unlike a black banner)."""
    paper = _paper_level(gray)
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.0)
    nonpaper = (smooth < paper - 22).astype(np.float32)
    gray_tone = (smooth >= 90) & (smooth < paper - 22)
    k = max(3, int(round(ch)))
    density = cv2.blur(nonpaper, (k, k))
    core = (density >= 0.85).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=4)
    boxes = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bw < 2.5 * ch or bh < 2.5 * ch or area < 0.5 * bw * bh:
            continue
        x0, y0, x1, y1 = _snap(nonpaper > 0, x, y, x + bw, y + bh, k)
        dark = nonpaper[y0:y1, x0:x1].sum()
        # Solid (a character leaves paper around its strokes; a big photo may have
        # a few white parts) and not all black.
        fill = dark / ((x1 - x0) * (y1 - y0))
        big = min(x1 - x0, y1 - y0) >= 8 * ch
        if fill < 0.75 or (fill < 0.95 and not big) or gray_tone[y0:y1, x0:x1].sum() < 0.25 * dark:
            continue
        boxes.append((x0, y0, x1, y1))
    return _merge_boxes(boxes)


def _snap(mask: np.ndarray, x0: int, y0: int, x1: int, y1: int, reach: int):
    """Grow a box side by side while the row or column just outside is mostly set."""
    h, w = mask.shape
    for _ in range(reach + 2):
        grown = False
        if y0 > 0 and mask[y0 - 1, x0:x1].mean() >= 0.5:
            y0 -= 1
            grown = True
        if y1 < h and mask[y1, x0:x1].mean() >= 0.5:
            y1 += 1
            grown = True
        if x0 > 0 and mask[y0:y1, x0 - 1].mean() >= 0.5:
            x0 -= 1
            grown = True
        if x1 < w and mask[y0:y1, x1].mean() >= 0.5:
            x1 += 1
            grown = True
        if not grown:
            break
    return x0, y0, x1, y1


def _merge_boxes(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Merge overlapping boxes until none overlap."""
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    boxes[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def _find_qr(
    gray_full: np.ndarray, ink: np.ndarray, ch: float, f: int
) -> list[tuple[tuple[int, int, int, int], str | None]]:
    """QR codes: square blobs of ink (work pixels) that OpenCV finds on the full image,
    with their content (None for a code found but unreadable)."""
    k = max(3, int(round(0.4 * ch)))
    closed = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    found = []
    hh, ww = gray_full.shape
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        # Square, or a square with its caption stuck to it.
        if bw < 1.5 * ch or bh < 1.5 * ch or not 0.6 <= bw / bh <= 1.67:
            continue
        if area < 0.45 * bw * bh or bw > 0.5 * min(ink.shape):
            continue
        # Modules: many changes from ink to paper along rows and columns (a big
        # character has a few strokes).
        blob = ink[y : y + bh, x : x + bw]
        changes = np.count_nonzero(blob[:, 1:] != blob[:, :-1])
        changes += np.count_nonzero(blob[1:] != blob[:-1])
        if changes < 4.5 * (bw + bh):
            continue
        pad = int(0.15 * max(bw, bh) * f) + 4
        fx0, fy0 = max(0, x * f - pad), max(0, y * f - pad)
        fx1, fy1 = min(ww, (x + bw) * f + pad), min(hh, (y + bh) * f + pad)
        patch = gray_full[fy0:fy1, fx0:fx1]
        patch = cv2.copyMakeBorder(patch, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
        decoded = _decode_qr(patch)
        if decoded is None:
            continue
        text, points = decoded
        pts = points - pad + np.array([fx0, fy0])
        qx0, qy0 = pts.min(axis=0) / f
        qx1, qy1 = pts.max(axis=0) / f
        qb = (
            max(int(x), int(np.floor(qx0)) - 1),
            max(int(y), int(np.floor(qy0)) - 1),
            min(int(x + bw), int(np.ceil(qx1)) + 1),
            min(int(y + bh), int(np.ceil(qy1)) + 1),
        )
        found.append((qb, text))
    return found


def _decode_qr(patch: np.ndarray) -> tuple[str | None, np.ndarray] | None:
    """(text, corner points in patch pixels) of a QR code in a small patch; text None
    for a code that is found but cannot be read; None if there is no code.

    Tries OpenCV's detector at two magnifications (small codes decode better larger),
    then, if it found a code it could not read, the WeChat detector of opencv-contrib
    (without its CNN models)."""
    zoom = 240 / max(patch.shape)
    zoom = float(np.ceil(zoom)) if zoom > 1 else max(zoom, 400 / max(patch.shape), 0.25)
    seen = None
    for z in (zoom, zoom * 2 if zoom < 1 else zoom + 1):
        big = cv2.resize(patch, None, fx=z, fy=z, interpolation=cv2.INTER_CUBIC)
        try:
            text, points, _ = cv2.QRCodeDetector().detectAndDecode(big)
        except cv2.error:
            continue
        if points is not None:
            if text:
                return text, points.reshape(-1, 2) / z
            seen = points.reshape(-1, 2) / z
    if seen is None:
        return None
    if hasattr(cv2, "wechat_qrcode_WeChatQRCode"):  # slower; only for a code seen
        big = cv2.resize(patch, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
        try:
            texts, points = cv2.wechat_qrcode_WeChatQRCode().detectAndDecode(big)
        except cv2.error:
            texts, points = (), ()
        if texts and texts[0] and len(points):
            return texts[0], np.asarray(points[0]).reshape(-1, 2) / zoom
    if _finder_patterns(patch, seen):
        return None, seen
    return None


def _finder_patterns(patch: np.ndarray, quad: np.ndarray) -> bool:
    """Whether three corners of ``quad`` (a found code's corners, in patch pixels) hold
    QR finder patterns: along the diagonal from the corner inwards, runs of dark,
    light, dark, light, dark in the proportions 1:1:3:1:1."""
    sides = np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)
    if len(quad) != 4 or sides.min() < 10 or sides.min() < 0.8 * sides.max():
        return False
    _, dark = cv2.threshold(patch, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    centre = quad.mean(axis=0)
    good = 0
    for corner in quad:
        n = int(np.linalg.norm(centre - corner))
        t = np.linspace(0, 1, max(n, 2))
        pts = corner + (centre - corner) * t[:, None]
        xs = np.clip(pts[:, 0].astype(int), 0, patch.shape[1] - 1)
        ys = np.clip(pts[:, 1].astype(int), 0, patch.shape[0] - 1)
        line = dark[ys, xs]
        first = int(np.argmax(line > 0)) if line.any() else len(line)
        flips = np.flatnonzero(np.diff(line[first:].astype(np.int8)) != 0)
        runs = np.diff(np.concatenate(([0], flips + 1)))[:5]
        if len(runs) == 5:
            unit = runs.sum() / 7
            want = np.array([1, 1, 3, 1, 1]) * unit
            if np.all(np.abs(runs - want) <= 0.6 * unit + 1):
                good += 1
    return good >= 3


def _find_rules(ink: np.ndarray, ch: float):
    """Long thin lines: (horizontal boxes, vertical boxes, mask of their pixels).

    A line found by opening must be thin (a quarter of a character at most) and stand
    on its own: the ink it belongs to is no wider across it than a few times its
    thickness (a stroke of a big character is attached to the rest of the character),
    unless that ink is far bigger than any character (a frame, a rule it touches)."""
    thick = max(2.0, 0.25 * ch)
    ink8 = ink.astype(np.uint8)
    _, ink_labels, ink_stats, _ = cv2.connectedComponentsWithStats(ink8, connectivity=8)
    mask = np.zeros_like(ink8)
    out: list[list[tuple[int, int, int, int]]] = []
    for horizontal in (True, False):
        length = max(8, int(round((4.0 if horizontal else 3.0) * ch)))
        kernel = np.ones((1, length) if horizontal else (length, 1), np.uint8)
        opened = cv2.morphologyEx(ink8, cv2.MORPH_OPEN, kernel)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
        boxes = []
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            along = bw if horizontal else bh
            # Thin: a few pixels across on average (a slight tilt makes the box wider).
            width = area / along
            if along < length or width > thick:
                continue
            sub = labels[y : y + bh, x : x + bw] == i
            owner = np.bincount(ink_labels[y : y + bh, x : x + bw][sub]).argmax()
            across = ink_stats[owner, cv2.CC_STAT_HEIGHT if horizontal else cv2.CC_STAT_WIDTH]
            if max(4.0, 3 * width + 2) < across < 12 * ch:
                continue
            boxes.append((int(x), int(y), int(x + bw), int(y + bh)))
            mask[y : y + bh, x : x + bw][sub] = 1
        out.append(boxes)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    return out[0], out[1], mask.astype(bool)


def _headline_blobs(text: np.ndarray, ch: float, vrule: np.ndarray):
    """Boxes of lines of large text (headlines), which a vertical cut must not cross.

    Components taller than body text are joined with their neighbours on the same line
    when the gap is less than ~0.6 of their height (the space between two words) and
    no vertical rule lies between them; then each line is widened to the smaller
    parts of characters at its ends (a character need not have one tall component)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(text.astype(np.uint8), connectivity=8)
    if n <= 1:
        return []
    s = stats[1:, :4].astype(np.int64)
    s[:, 2] += s[:, 0]  # x1
    s[:, 3] += s[:, 1]  # y1
    heights = s[:, 3] - s[:, 1]
    widths = s[:, 2] - s[:, 0]
    seeds = s[(heights > 1.3 * ch) & (widths < 20 * ch)]
    if len(seeds) == 0:
        return []
    seeds = seeds[np.argsort(seeds[:, 0])]
    reach = 0.6 * float((seeds[:, 3] - seeds[:, 1]).max())
    parent = list(range(len(seeds)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def ruled(y0: int, y1: int, xa: int, xb: int) -> bool:
        return xb > xa and y1 > y0 and bool(vrule[y0:y1, xa:xb].any())

    for i, a in enumerate(seeds):
        ha = a[3] - a[1]
        for j in range(i + 1, len(seeds)):
            b = seeds[j]
            if b[0] - a[2] > reach:
                break  # sorted by x0: all further boxes start further right
            hb = b[3] - b[1]
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            if overlap < 0.5 * min(ha, hb) or min(ha, hb) < 0.6 * max(ha, hb):
                continue
            if b[0] - a[2] > 0.6 * max(ha, hb):
                continue
            if ruled(max(a[1], b[1]), min(a[3], b[3]), a[2], b[0]):
                continue
            parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i, b in enumerate(seeds):
        g = groups.setdefault(find(i), [int(v) for v in b])
        g[0], g[1] = min(g[0], b[0]), min(g[1], b[1])
        g[2], g[3] = max(g[2], b[2]), max(g[3], b[3])
    out = []
    for g in groups.values():
        x0, y0, x1, y1 = g
        h = y1 - y0
        inside = (s[:, 1] >= y0 - 0.1 * h) & (s[:, 3] <= y1 + 0.1 * h) & (heights >= 0.25 * h)
        parts = s[inside]
        grown = True
        while grown:
            grown = False
            for p in parts:
                if x0 - 0.6 * h <= p[2] < x0 and not ruled(y0, y1, p[2], x0):
                    x0, grown = int(p[0]), True
                elif x1 < p[0] <= x1 + 0.6 * h and not ruled(y0, y1, x1, p[0]):
                    x1, grown = int(p[2]), True
        out.append((x0, y0, x1, y1))
    return out


# ---------------------------------------------------------------------------- XY-cut


def _bands(mask: np.ndarray, min_rows: int = 1) -> list[tuple[int, int]]:
    return [r for r in _runs(mask.any(axis=1)) if r[1] - r[0] >= min_rows]


def _split(box, cuts, horizontal: bool):
    x0, y0, x1, y1 = box
    edges = [y0 if horizontal else x0, *sorted(cuts), y1 if horizontal else x1]
    parts = []
    for a, b in zip(edges, edges[1:], strict=False):
        if b > a:
            parts.append((x0, a, x1, b) if horizontal else (a, y0, b, y1))
    return parts


def _kind_runs(occ: np.ndarray, obst: np.ndarray, axis: int):
    """Runs of occupied rows (axis=1) or columns (axis=0), each with whether it is
    all photo/QR, as (start, end, is_obstacle)."""
    o = occ.sum(axis=axis)
    b = obst.sum(axis=axis)
    out = []
    for s, e in _runs(o > 0):
        out.append((s, e, b[s:e].sum() >= 0.97 * o[s:e].sum()))
    return out


def _cuts_h(page: _Page, box, strict: bool) -> list[int]:
    """Horizontal cuts (absolute y). strict: only at rules across the whole region;
    otherwise at white gaps clearly wider than the line spacing or, failing those,
    between text and a photo."""
    x0, y0, x1, y1 = box
    occ = page.occ[y0:y1, x0:x1]
    runs = _kind_runs(occ, page.obst[y0:y1, x0:x1], axis=1)
    width = x1 - x0
    hmin = max(page.line_gap * 1.6, page.line_gap + 0.4 * page.ch)
    ruled, wide, change = [], [], []
    for (_, e0, k0), (s1, _, k1) in zip(runs, runs[1:], strict=False):
        g0, g1 = y0 + e0, y0 + s1
        if any(
            g0 - 1 <= (r[1] + r[3]) / 2 <= g1 + 1 and min(r[2], x1) - max(r[0], x0) >= 0.8 * width
            for r in page.hrules
        ):
            ruled.append((g0 + g1) // 2)
        elif s1 - e0 >= hmin:
            wide.append((g0 + g1) // 2)
        elif k0 != k1:
            change.append((g0 + g1) // 2)
    if strict:
        return ruled
    return sorted(ruled + wide) or change


def _cuts_v(page: _Page, box) -> list[int]:
    """Vertical cuts (absolute x) at ruled or wide white gutters that no headline
    crosses, with columns of text (not single lines) on both sides."""
    x0, y0, x1, y1 = box
    occ = page.occ[y0:y1, x0:x1]
    text = page.text[y0:y1, x0:x1]
    runs = _kind_runs(occ, page.obst[y0:y1, x0:x1], axis=0)
    height = y1 - y0
    vmin = 0.9 * page.ch
    cuts = []
    for (_, e0, k0), (s1, _, k1) in zip(runs, runs[1:], strict=False):
        g0, g1 = x0 + e0, x0 + s1
        rules = [r for r in page.vrules if g0 - 1 <= (r[0] + r[2]) / 2 <= g1 + 1]
        ruled = any(min(r[3], y1) - max(r[1], y0) >= 0.6 * height for r in rules)
        if any(b[0] < g0 and b[2] > g1 and b[1] < y1 and b[3] > y0 for b in page.blobs):
            continue
        if k0 != k1:
            cuts.append((g0 + g1) // 2)
            continue
        ruled = ruled and s1 - e0 >= 0.4 * page.ch
        if (not ruled and s1 - e0 < vmin) or _splits_line(page, box, e0, s1, rules):
            continue
        if ruled:
            cuts.append((g0 + g1) // 2)
            continue
        left, right = _bands(text[:, :e0], 2), _bands(text[:, s1:], 2)
        # Columns of text on both sides, not the aligned gaps of a few widely spaced
        # lines: many lines on both sides, or lines on one side without a partner on
        # the other (columns of different lengths); never a narrow strip.
        if min(e0, x1 - g1) >= 3 * page.ch:
            least = min(len(left), len(right))
            if least >= 4 or (least >= 2 and _unmatched(left, right) >= 2):
                cuts.append((g0 + g1) // 2)
                continue
        tallest = max((e - s for s, e in left + right), default=0)
        if s1 - e0 >= 3 * tallest:
            cuts.append((g0 + g1) // 2)
    return cuts


def _unmatched(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """How many bands of either list overlap no band of the other by half its height."""

    def alone(x, others):
        return not any(
            min(x[1], o[1]) - max(x[0], o[0]) >= 0.5 * min(x[1] - x[0], o[1] - o[0]) for o in others
        )

    return sum(alone(x, b) for x in a) + sum(alone(x, a) for x in b)


def _cuts_blocking(page: _Page, box) -> list[int]:
    """Horizontal cuts (absolute y) around whatever crosses an otherwise white gutter,
    where that lets one of the pieces be cut into columns."""
    x0, y0, x1, y1 = box
    occ = page.occ[y0:y1, x0:x1]
    height = y1 - y0
    filled = page.lines[y0:y1, x0:x1].sum(axis=0)
    white_rows = _runs(~occ.any(axis=1))
    if not white_rows:
        return []
    best: list[int] = []
    used = filled[filled > 0]
    if len(used) == 0:
        return []
    level = min(0.5 * height, 0.35 * float(np.median(used)))
    for s, e in _runs(filled <= level):
        if e - s < 0.6 * page.ch or s == 0 or e == occ.shape[1]:
            continue
        cuts: set[int] = set()
        # What crosses the gutter crosses its middle (its sides may be in the ragged
        # edge of a column).
        c = (s + e) // 2
        for b0, b1 in _runs(page.lines[y0:y1, x0 + c - 1 : x0 + c + 2].any(axis=1)):
            m = min(page.grow, (b1 - b0) // 2)  # undo the dilation of page.lines
            b0, b1 = b0 + m, b1 - m
            above = [g for g in white_rows if g[1] <= b0]
            below = [g for g in white_rows if g[0] >= b1]
            if above:
                cuts.add(y0 + (above[-1][0] + above[-1][1]) // 2)
            if below:
                cuts.add(y0 + (below[0][0] + below[0][1]) // 2)
        if not cuts or (best and len(cuts) >= len(best)):
            continue
        for part in _split(box, sorted(cuts), True):
            part = _trim(page, part)
            if part is not None and _cuts_v(page, part):
                best = sorted(cuts)  # the fewest cuts that do it
                break
    return best


def _cuts_obstacle(page: _Page, box) -> tuple[list[int], bool]:
    """Cuts along the edges of a photo or QR code that shares a region with text:
    (positions, horizontal?). Vertical cuts are tried first."""
    x0, y0, x1, y1 = box
    obst = page.obst[y0:y1, x0:x1]
    if not obst.any() or obst.sum() == page.occ[y0:y1, x0:x1].sum():
        return [], False
    occ = page.occ[y0:y1, x0:x1]
    for axis, horizontal in ((0, False), (1, True)):
        runs = _runs(occ.any(axis=axis))
        has = obst.any(axis=axis)
        cuts = []
        for (s0, e0), (s1, e1) in zip(runs, runs[1:], strict=False):
            if not (has[s0:e0].any() or has[s1:e1].any()):
                continue
            if horizontal:
                cuts.append(y0 + (e0 + s1) // 2)
                continue
            g0, g1 = x0 + e0, x0 + s1
            if any(b[0] < g0 and b[2] > g1 and b[1] < y1 and b[3] > y0 for b in page.blobs):
                continue
            if _splits_line(page, box, e0, s1):
                continue
            cuts.append((g0 + g1) // 2)
        if cuts:
            return cuts, horizontal
    return [], False


def _splits_line(page: _Page, box, e0: int, s1: int, rules=()) -> bool:
    """Whether a white gap (columns e0..s1 of the region) runs through a line of text:
    ink on both sides, in the same rows, closer together than the line is tall (the
    space between words; columns are further apart than their text is tall), and no
    vertical rule (of ``rules``) between them."""
    x0, y0, x1, y1 = box
    ruled = np.zeros(y1 - y0, bool)
    for r in rules:
        ruled[max(0, r[1] - y0) : max(0, r[3] - y0)] = True
    text = page.text[y0:y1, x0:x1]
    reach = int(2 * page.ch)
    left = text[:, max(0, e0 - reach) : e0]
    right = text[:, s1 : s1 + reach]
    if left.size == 0 or right.size == 0:
        return False
    for a0, a1 in _bands(left):
        cols = np.flatnonzero(left[a0:a1].any(axis=0))
        end = cols[-1] + 1 - left.shape[1]  # <= 0, relative to e0
        for b0, b1 in _bands(right[a0:a1]):
            if b1 - b0 < 0.5 * min(a1 - a0, page.ch):
                continue
            start = int(np.flatnonzero(right[a0 + b0 : a0 + b1].any(axis=0))[0])
            gap = (s1 - e0) + start - end
            if gap < 0.95 * max(a1 - a0, b1 - b0) and not ruled[a0 + b0 : a0 + b1].all():
                return True
    return False


def _trim(page: _Page, box):
    x0, y0, x1, y1 = box
    occ = page.occ[y0:y1, x0:x1]
    rows, cols = np.flatnonzero(occ.any(axis=1)), np.flatnonzero(occ.any(axis=0))
    if len(rows) == 0:
        return None
    return (x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1)


def _find_cuts(page: _Page, box) -> tuple[list[int], bool]:
    """Where to cut a region next: (positions, horizontal?), ([], _) for a leaf."""
    cuts = _cuts_h(page, box, strict=True)
    if cuts:
        return cuts, True
    cuts = _cuts_v(page, box)
    if cuts:
        return cuts, False
    cuts = _cuts_blocking(page, box)
    if cuts:
        return cuts, True
    cuts = _cuts_h(page, box, strict=False)
    if cuts:
        return cuts, True
    return _cuts_obstacle(page, box)


def _xycut(page: _Page, box, leaves: list) -> None:
    box = _trim(page, box)
    if box is None:
        return
    cuts, horizontal = _find_cuts(page, box)
    if not cuts:
        leaves.append(box)
        return
    parts = [p for p in (_trim(page, p) for p in _split(box, cuts, horizontal)) if p]
    if not horizontal:
        page.column_starts += [p[0] for p in parts[1:]]
    for part in parts:
        _xycut(page, part, leaves)


# ---------------------------------------------------------------------------- segment


def _grid(starts: list[int], left: float, right: float, ch: float) -> list[float]:
    """Where the page's columns (but the first) begin, in work pixels.

    ``starts`` are the left edges of what the cuts between columns put on their right;
    ``left``/``right`` the extent of the text. Newspapers use a regular grid: the pitch
    that best explains the starts (most of them on the grid, few grid columns never
    seen) fills in the columns that no cut was needed between."""
    clusters: list[list[int]] = []
    for x in sorted(x for x in starts if x > left + ch):
        if clusters and x - clusters[-1][-1] < ch:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    seen = [float(np.mean(c)) for c in clusters]
    best, best_score = None, 0.0
    for pitch in {(x - left) / k for x in seen for k in range(1, 13)}:
        if pitch < 4 * ch:
            continue
        grid = list(np.arange(left + pitch, right - 2 * ch, pitch))
        hits = sum(any(abs(x - g) <= 0.6 * ch for g in grid) for x in seen)
        missing = sum(not any(abs(x - g) <= 0.6 * ch for x in seen) for g in grid)
        score = hits - 0.5 * missing
        if score > best_score or (score == best_score and best is not None and pitch > best):
            best, best_score = pitch, score
    if best is None:
        return seen
    out = []
    for g in np.arange(left + best, right - 2 * ch, best):
        near = [x for x in seen if abs(x - g) <= 0.6 * ch]
        out.append(near[0] if near else float(g))
    return out


def _pool(mask: np.ndarray, f: int) -> np.ndarray:
    """Any-pooling of a bool mask by a whole factor (padding the edges)."""
    if f == 1:
        return mask.copy()
    h, w = mask.shape
    ph, pw = -h % f, -w % f
    m = np.pad(mask, ((0, ph), (0, pw)))
    return m.reshape((h + ph) // f, f, (w + pw) // f, f).any(axis=(1, 3))


def _shrink(gray: np.ndarray, f: int) -> np.ndarray:
    if f == 1:
        return gray
    h, w = gray.shape
    ph, pw = -h % f, -w % f
    g = np.pad(gray, ((0, ph), (0, pw)), constant_values=255)
    return cv2.resize(g, ((w + pw) // f, (h + ph) // f), interpolation=cv2.INTER_AREA)


def segment(gray: np.ndarray, deskew: Deskew | None = None) -> list[Region]:
    """Blocks of the deskewed page ``gray`` in reading order: text blocks (kind
    ``"text"``), photos, QR codes (decoded into ``text``) and rules (last).

    Boxes are in deskewed pixels; each polygon is its box mapped to the scan by
    ``deskew`` (or the box itself without one)."""
    g = to_gray(np.asarray(gray))
    if g.dtype != np.uint8:
        g = np.clip(g, 0, 255).astype(np.uint8)
    H, W = g.shape[:2]
    if min(H, W) < 8:
        return []
    f = max(1, int(np.ceil(max(H, W) / WORK_SIDE)))
    ink_full = binarize(g) > 0
    ink = _pool(ink_full, f)
    small = _shrink(g, f)
    ch, line_gap = _text_size(ink)

    qrs = _find_qr(g, ink, ch, f)
    obst = np.zeros(ink.shape, bool)
    for (x0, y0, x1, y1), _ in qrs:
        obst[y0:y1, x0:x1] = True
    photos = [b for b in _find_photos(small, ch) if not obst[b[1] : b[3], b[0] : b[2]].any()]
    for x0, y0, x1, y1 in photos:
        obst[y0:y1, x0:x1] = True
    # The edges of a photo (blurred, turned by the deskew) are left out of the text too.
    margin = max(2, int(round(0.1 * ch)))
    near_obst = cv2.dilate(obst.astype(np.uint8), np.ones((2 * margin + 1,) * 2, np.uint8)) > 0
    hrules, vrules, rule_mask = _find_rules(ink & ~obst, ch)
    text = ink & ~near_obst & ~rule_mask
    text = _drop_specks(text, ch)
    vrule_only = np.zeros(ink.shape, bool)
    for x0, y0, x1, y1 in vrules:
        vrule_only[y0:y1, x0:x1] = True
    occ = text | obst
    k = max(1, int(round(0.3 * ch)))
    square = np.ones((k, k), np.uint8)
    page = _Page(
        text=text,
        occ=occ,
        lines=cv2.dilate(occ.astype(np.uint8), square) > 0,
        grow=k // 2,
        obst=obst,
        ch=ch,
        line_gap=line_gap,
        hrules=hrules,
        vrules=vrules,
        blobs=_headline_blobs(text, ch, vrule_only),
    )
    leaves: list = []
    _xycut(page, (0, 0, ink.shape[1], ink.shape[0]), leaves)

    xs = np.flatnonzero(text.any(axis=0))
    grid = _grid(page.column_starts, xs[0], xs[-1] + 1, ch) if len(xs) else []

    def column(x: float) -> int:
        return sum(1 for gx in grid if gx <= x / f + 0.5 * ch)

    def full_box(b) -> Box:
        return Box(b[0] * f, b[1] * f, min(W, b[2] * f), min(H, b[3] * f))

    # Text pixels at full resolution: ink outside photos, QR codes and rules.
    text_full = ink_full.copy()
    obstacles = [(b, "photo", None) for b in photos] + [(b, "qr", t) for b, t in qrs]
    for b, _, _ in obstacles:
        fb = full_box(b).pad(f * margin)
        text_full[int(max(0, fb.y0)) : int(fb.y1), int(max(0, fb.x0)) : int(fb.x1)] = False
    text_full &= ~np.repeat(np.repeat(rule_mask, f, axis=0), f, axis=1)[:H, :W]
    text_full &= np.repeat(np.repeat(text, f, axis=0), f, axis=1)[:H, :W]

    found: list[tuple[str, Box, str | None, int | None]] = []
    done: set[int] = set()
    for leaf in leaves:
        items = []
        for i, (b, kind, payload) in enumerate(obstacles):
            if (
                i not in done
                and b[0] < leaf[2]
                and leaf[0] < b[2]
                and b[1] < leaf[3]
                and leaf[1] < b[3]
            ):
                done.add(i)
                items.append((b[1], kind, full_box(b), payload, column(b[0] * f)))
        lb = full_box(leaf)
        sub = text_full[int(lb.y0) : int(lb.y1), int(lb.x0) : int(lb.x1)]
        rows, cols = np.flatnonzero(sub.any(axis=1)), np.flatnonzero(sub.any(axis=0))
        if len(rows):
            tb = Box(
                lb.x0 + cols[0] - PAD,
                lb.y0 + rows[0] - PAD,
                lb.x0 + cols[-1] + 1 + PAD,
                lb.y0 + rows[-1] + 1 + PAD,
            ).clip(W, H)
            items.append((tb.y0 / f, "text", tb, None, column(tb.x0 + PAD)))
        for _, kind, b, payload, col in sorted(items, key=lambda t: t[0]):
            found.append((kind, b, payload, col))
    for i, (b, kind, payload) in enumerate(obstacles):
        if i not in done:
            found.append((kind, full_box(b), payload, column(b[0] * f)))
    for x0, y0, x1, y1 in sorted(hrules + vrules, key=lambda r: (r[1], r[0])):
        found.append(("rule", full_box((x0, y0, x1, y1)), None, None))

    regions = []
    for n, (kind, b, payload, col) in enumerate(found, start=1):
        b = Box(float(b.x0), float(b.y0), float(b.x1), float(b.y1))
        poly = deskew.to_scan(b.poly()) if deskew is not None else b.poly()
        regions.append(
            Region(id=f"r{n}", kind=kind, box=b, poly=poly, order=n, text=payload, column=col)
        )
    return regions


def _drop_specks(text: np.ndarray, ch: float) -> np.ndarray:
    """Remove isolated specks of noise (components of a few pixels)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(text.astype(np.uint8), connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] <= max(2, int(0.004 * ch * ch))
    small[0] = False
    if not small.any():
        return text
    return text & ~small[labels]
