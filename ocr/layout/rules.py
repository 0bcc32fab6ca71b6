"""Rules: long thin lines standing on their own, horizontal and vertical."""

from __future__ import annotations

import cv2
import numpy as np


def find_rules(ink: np.ndarray, ch: float):
    """Long thin lines: (horizontal boxes, vertical boxes, mask of their pixels).

    A line found by opening must be thin (a quarter of a character at most) and stand
    on its own: the ink it belongs to is no wider across it than a few times its
    thickness (a stroke of a big character is attached to the rest of the character),
    unless that ink is far bigger than any character (a frame, a rule it touches). A
    line longer than any character can be (twelve of body size) is a rule even when
    characters touch it, and up to half a character thick."""
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
            if along < length or width > (thick if along < 12 * ch else 2 * thick):
                continue
            sub = labels[y : y + bh, x : x + bw] == i
            owner = np.bincount(ink_labels[y : y + bh, x : x + bw][sub]).argmax()
            across = ink_stats[owner, cv2.CC_STAT_HEIGHT if horizontal else cv2.CC_STAT_WIDTH]
            if along < 12 * ch and max(4.0, 3 * width + 2) < across < 12 * ch:
                continue
            boxes.append((int(x), int(y), int(x + bw), int(y + bh)))
            mask[y : y + bh, x : x + bw][sub] = 1
        out.append(boxes)
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    return out[0], out[1], mask.astype(bool)
