"""Text and geometry metrics shared by the tests (the benchmarks have their own)."""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    """NFKC (full-width and half-width punctuation alike), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def box_of(poly) -> tuple[float, float, float, float]:
    xs = [p[0] for p in poly]
    ys = [p[1] for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def overlap(truth_box, other_box) -> float:
    """Intersection over the truth box's area."""
    ix = min(truth_box[2], other_box[2]) - max(truth_box[0], other_box[0])
    iy = min(truth_box[3], other_box[3]) - max(truth_box[1], other_box[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    area = (truth_box[2] - truth_box[0]) * (truth_box[3] - truth_box[1])
    return ix * iy / area if area > 0 else 0.0


def match_lines(truth: list[tuple[str, list]], found: list[tuple[str, list]]):
    """For each truth line (text, poly), the text of the found lines whose centres lie
    in its box, left to right; None when there are none."""
    out = []
    boxes = [(text, box_of(poly)) for text, poly in found]
    for _text, poly in truth:
        tb = box_of(poly)
        hits = [
            (b[0], t)
            for t, b in boxes
            if tb[0] <= (b[0] + b[2]) / 2 <= tb[2] and tb[1] <= (b[1] + b[3]) / 2 <= tb[3]
        ]
        out.append("".join(t for _, t in sorted(hits)) if hits else None)
    return out


def line_cer(truth: list[tuple[str, list]], found: list[tuple[str, list]]):
    """(CER with missed lines counted as deleted, share of truth lines found)."""
    matched = match_lines(truth, found)
    errors = chars = hits = 0
    for (text, _), got in zip(truth, matched):
        t = normalize(text)
        chars += len(t)
        if got is None:
            errors += len(t)
        else:
            hits += 1
            errors += edit_distance(t, normalize(got))
    return errors / max(1, chars), hits / max(1, len(truth))
