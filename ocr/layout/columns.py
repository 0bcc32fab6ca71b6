"""The column grid: the regular pitch that best explains where columns were cut."""

from __future__ import annotations

import numpy as np


def column_grid(starts: list[int], left: float, right: float, ch: float) -> list[float]:
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


def column_of(grid: list[float], x: float, ch: float) -> int:
    """The grid column (0 for the first) that work x falls in, half a character of
    slack to the left of each column start."""
    return sum(1 for gx in grid if gx <= x + 0.5 * ch)
