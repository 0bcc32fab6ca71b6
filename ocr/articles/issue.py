"""Issue facts: page numbers filled in, page flags, the issue's title, date and number.

Flags name missing, duplicate and out-of-order pages, and a masthead that does not read
as a paper the archive knows.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from typing import Any

from ocr.model import PageLayout


def effective_numbers(printed: list[int | None]) -> list[int]:
    """Printed page numbers with the unknown ones filled in: the page after a known one
    is one more; leading unknown pages are numbered from 1 (a front page prints no page
    number), or counted back from the first known number when that is lower; positions
    when no page says its number."""
    known = [(i, n) for i, n in enumerate(printed) if n is not None]
    if not known:
        return list(range(1, len(printed) + 1))
    out: list[int] = []
    first_i, first_n = known[0]
    for i, n in enumerate(printed):
        if n is not None:
            out.append(n)
        elif i < first_i:
            out.append(min(i + 1, first_n - (first_i - i)))
        else:
            out.append(out[-1] + 1)
    return out


def page_flags(printed: list[int | None]) -> list[str]:
    """Flags for an issue whose pages (in position order) print these numbers: missing,
    duplicate or out-of-order pages. Unnumbered pages are taken to be the pages between
    their neighbours; an issue where no page prints its number gets no flags."""
    if all(n is None for n in printed):
        return []
    numbers = effective_numbers(printed)
    flags = []
    seen: dict[int, int] = {}
    for n in numbers:
        seen[n] = seen.get(n, 0) + 1
    present = {n for n in numbers if n >= 1}
    if present:
        for n in range(1, max(present) + 1):
            if n not in present:
                flags.append(f"missing page {n}")
    for n in sorted(seen):
        if seen[n] > 1:
            flags.append(f"duplicate page {n}")
    if any(b < a for a, b in zip(numbers, numbers[1:])):
        flags.append("pages out of order")
    return flags


def issue_facts(pages: list[PageLayout], papers: Sequence[str] = ()) -> dict[str, Any]:
    """What the pages say about their issue: title, date and number from the first page's
    metadata (None when not found) and the page flags. ``papers``: the names the archive
    knows, its own paper first; the title is then one of them (see :func:`paper_title`)."""
    pages = sorted(pages, key=lambda p: p.number)
    meta = pages[0].meta if pages and pages[0].number == 1 else {}
    title, flag = paper_title(meta.get("title") or None, papers)
    return {
        "title": title,
        "date": meta.get("date") or None,
        "number": meta.get("number"),
        "flags": page_flags([p.printed_number for p in pages]) + ([flag] if flag else []),
    }


PAPER_LIKENESS = 0.6  # a masthead read this alike to a known name is that name, misread


def paper_title(reading: str | None, papers: Sequence[str]) -> tuple[str | None, str | None]:
    """(the issue's title, a flag or None) from the masthead's ``reading`` and the paper
    names the archive knows (its own paper first). Without known names the reading is
    the title; a reading that is nearly a known name (``震民日报`` for ``农民日报``) is that
    name, spelled right; any other reading, or none, gives the archive's own paper, with
    a flag when the masthead read as something else."""
    if not papers:
        return reading, None
    if not reading:
        return papers[0], None
    best = max(papers, key=lambda name: _likeness(reading, name))  # ties: the own paper
    if _likeness(reading, best) >= PAPER_LIKENESS:
        return best, None
    return papers[0], f"masthead reads {reading!r}, not a known paper name"


def _likeness(a: str, b: str) -> float:
    """How alike two names read, 0..1 (width forms and spaces ignored)."""
    a, b = ("".join(unicodedata.normalize("NFKC", t).split()) for t in (a, b))
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
