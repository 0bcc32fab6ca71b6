"""Matching read lines to truth lines by where they are (scan pixels), for tests."""

from __future__ import annotations


def _rect(poly):
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def matched(truth_lines, lines) -> list[tuple]:
    """(truth line, read line) pairs: each read line with the truth line whose
    rectangle holds its polygon's centre (scan pixels), one read line per truth line."""
    rects = [_rect(t.poly) for t in truth_lines]
    taken: dict[int, object] = {}
    for line in lines:
        x0, y0, x1, y1 = _rect(line.poly)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for i, (a, b, c, d) in enumerate(rects):
            if a <= cx < c and b <= cy < d and i not in taken:
                taken[i] = line
                break
    return [(truth_lines[i], ln) for i, ln in sorted(taken.items())]
