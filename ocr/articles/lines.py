"""Article assembly's own display test, until it is one with :mod:`ocr.text`."""

from __future__ import annotations

from ocr.model import Line
from ocr.text import BodySize, is_vertical, units


def display(line: Line, size: BodySize) -> bool:
    """Clearly bigger than body text: a headline (taller and wider characters)."""
    u = units(line.text)
    if u < 1.5:
        return False
    if is_vertical(line):  # in a paper set horizontally, vertical lines are headlines
        return line.box.width >= 1.1 * size.height and line.box.height / u >= size.advance
    adv = line.box.width / u
    tall = 1.25 if u >= 3 else 1.4
    return line.box.height >= tall * size.height and adv >= 1.3 * size.advance
