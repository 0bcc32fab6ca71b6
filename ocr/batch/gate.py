"""The plausibility gate: whether a page's reading looks like text or like garbage.

A page can be read without an error and still be nonsense: a scan turned 180°, a page
of noise, the wrong side of a sheet. Such a page is stored (its lines are evidence, and
a reviewer may want them), but flagged ``suspect`` with its reasons, so ``ocr status``
lists it, the batch says so in its summary and exit code, and ``ocr retry --suspect``
runs it again. Each rule below takes its threshold from the page's own evidence or
from the archive's usual pages, not from a number tuned on one scan. Measured on the
sample pages (``tests/synth.py``, 150 dpi, PP-OCRv6 small): upright pages read with a
mean line confidence of 0.999, 1-2% of lines one or two characters, 0.1-0.5% rare
characters; the same pages turned 180° read 0.538 and 0.540, 72-78% such lines, no rare
characters (issue 13's real page turned 180°: 0.487, upright 0.957).

The rules judge only a page with at least ``MIN_LINES`` lines: below that (a blank
back, a full-page photo with a caption) one line moves a share by ten points or more,
too little evidence to call a page garbage.

1. **Confidence far under the archive's usual.** A line's confidence is the
   recognizer's own mean belief in the characters it read, so ``1 - confidence`` is the
   share of characters it doubts. On a line it cannot read (upside down, noise) it
   still picks characters, believing them about half the time: ``GARBAGE_CONFIDENCE``
   0.5 (measured: 0.487, 0.538, 0.540 on turned pages). A page is suspect when its mean
   confidence is under the midpoint between the archive's usual page (the median of the
   last ``HISTORY`` pages stored and not suspect) and garbage: that is what a page shows
   when half its lines read like garbage. With fewer than ``MIN_HISTORY`` pages there is
   no usual yet and the usual is taken as perfect (1.0), which makes the floor
   ``(1.0 + 0.5) / 2 = 0.75``: at that confidence a quarter of the characters are
   doubted, and a two-character word is read right only about ``0.75² ≈ 56%`` of the
   time, so search misses nearly half of what the page says. An archive of poor scans
   (usual 0.85) flags only pages under 0.675; one of clean scans (0.96) under 0.73.
2. **Most lines one or two characters.** Running text fills its lines; in the page's
   own geometry a line box ``n`` ems long (its length over its height) holds about
   ``n`` characters (upright pages: median 1.1 characters per em, no line under half).
   Only lines whose box is at least ``STUB_EMS`` (3) ems long are counted, so page
   numbers, table cells and lone digits, short in their boxes too, are left out. A
   page is suspect when most (over ``STUB_SHARE``, one half) of those lines read at most
   two characters: a recognizer that sees strokes but no characters in them (turned
   pages: 79% and 71% of the lines in such boxes; upright: none of 110 and 94).
3. **Mostly rare characters.** Modern Chinese print draws on few characters: GB 2312's
   level 1, the 3755 characters chosen by frequency for everyday use (read here from
   Python's own ``gb2312`` codec, rows 16-55: nothing to download or ship; the
   recognizer's own list is in code point order, and no dependency ships a frequency
   list), covers all but 0.4% of the sample issue's text. The recognizer's list holds 15702
   Han characters, 76% of them outside level 1, so a reading that picks characters with
   no regard for the text drifts towards rare ones. A character counts as common when
   it, or its simplified form (OpenCC ``t2s``), is in level 1, so a paper printed in
   traditional characters is judged like a simplified one. A page with at least
   ``MIN_HAN`` Han characters is suspect when over ``RARE_SHARE`` (0.4, about halfway
   between text's 0.4% and a random pick's 76%) of them are rare. (The turned sample
   pages read common characters only, as the recognizer's sense of the language pulls
   it there: rules 1 and 2 catch them; this rule is for readings that lose that too.)

:func:`judge` applies the rules to a page's lines; :class:`Usual` keeps the archive's
recent pages' confidences (seeded from the archive, grown as the batch stores pages).
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ocr.model import Line
from ocr.recognize.script import normalize
from ocr.text import is_han

MIN_LINES = 10  # fewer lines: too little evidence for any rule
GARBAGE_CONFIDENCE = 0.5  # what the recognizer believes of what it cannot read
PERFECT = 1.0  # the usual page assumed when the archive has no history yet
HISTORY = 200  # recent pages whose median is the archive's usual
MIN_HISTORY = 5  # pages needed before the archive has a usual
STUB_EMS = 3.0  # a line box at least this long (in ems) should hold 3 characters or more
STUB_CHARS = 2  # a line reading this many characters or fewer in such a box is a stub
STUB_SHARE = 0.5  # "most lines"
MIN_HAN = 30  # Han characters needed to judge their rarity
RARE_SHARE = 0.4  # halfway between text (0.4% rare) and a random pick (76%)


@dataclass
class Usual:
    """The archive's usual page: the mean confidences of its recent pages, not suspect."""

    confidences: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY))

    @classmethod
    def of(cls, confidences: Iterable[float]) -> Usual:
        """A usual seeded with the archive's recent pages (most recent last)."""
        usual = cls()
        usual.confidences.extend(c for c in confidences if c is not None)
        return usual

    def add(self, confidence: float | None) -> None:
        """Count a page just stored (not suspect) in the usual."""
        if confidence is not None:
            self.confidences.append(confidence)

    def confidence(self) -> float | None:
        """The usual page's mean confidence, or None without enough history."""
        if len(self.confidences) < MIN_HISTORY:
            return None
        return statistics.median(self.confidences)


def mean_confidence(lines: list[Line]) -> float | None:
    """The page's mean line confidence (what the summary reports), None without lines."""
    return statistics.fmean(ln.confidence for ln in lines) if lines else None


def judge(lines: list[Line], usual: Usual | None = None) -> list[str]:
    """The reasons the page's reading is implausible (empty when it is plausible)."""
    if len(lines) < MIN_LINES:
        return []
    reasons = [
        _confidence_reason(lines, usual.confidence() if usual else None),
        _stub_reason(lines),
        _rare_reason("".join(ln.text for ln in lines)),
    ]
    return [r for r in reasons if r]


def _confidence_reason(lines: list[Line], usual: float | None) -> str | None:
    """Rule 1: mean confidence under the midpoint of the usual page and garbage."""
    mean = mean_confidence(lines) or 0.0
    base = PERFECT if usual is None else usual
    limit = (base + GARBAGE_CONFIDENCE) / 2
    if mean >= limit:
        return None
    against = "no archive history yet" if usual is None else f"the archive's usual {usual:.3f}"
    return f"mean confidence {mean:.3f} under {limit:.3f} ({against})"


def _stub_reason(lines: list[Line]) -> str | None:
    """Rule 2: most lines long enough for three characters read two or fewer."""
    long = [ln for ln in lines if _ems(ln) >= STUB_EMS]
    if len(long) < MIN_LINES:
        return None
    stubs = sum(1 for ln in long if len(_chars(ln.text)) <= STUB_CHARS)
    if stubs <= STUB_SHARE * len(long):
        return None
    return (
        f"{stubs} of {len(long)} lines read {STUB_CHARS} characters or fewer "
        f"in boxes of {STUB_EMS:g}+ ems"
    )


def _rare_reason(text: str) -> str | None:
    """Rule 3: most Han characters outside the common ones (GB 2312 level 1)."""
    han = [ch for ch in text if is_han(ch)]
    if len(han) < MIN_HAN:
        return None
    rare = sum(1 for ch in han if not is_common(ch))
    if rare <= RARE_SHARE * len(han):
        return None
    return f"{rare / len(han):.0%} of {len(han)} Han characters are rare (outside GB 2312 level 1)"


def _ems(line: Line) -> float:
    """A line box's length in ems: its long side over its short side."""
    w, h = line.box.width, line.box.height
    return max(w, h) / max(1.0, min(w, h))


def _chars(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


@lru_cache(maxsize=1)
def common_characters() -> frozenset[str]:
    """GB 2312 level 1 (rows 16-55: bytes B0A1-D7F9), the 3755 everyday characters."""
    out = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:  # the five unused places at the end of row 55
                continue
    return frozenset(out)


@lru_cache(maxsize=8192)
def is_common(ch: str) -> bool:
    """Whether a Han character, or its simplified form, is one of the common ones."""
    common = common_characters()
    return ch in common or normalize(ch, "simplified") in common
