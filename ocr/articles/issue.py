"""Issue facts: page numbers filled in, page flags, the issue's title, date and number.

Flags name missing, duplicate and out-of-order pages.
"""

from __future__ import annotations

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


def issue_facts(pages: list[PageLayout]) -> dict[str, Any]:
    """What the pages say about their issue: title, date and number from the first page's
    metadata (None when not found) and the page flags."""
    pages = sorted(pages, key=lambda p: p.number)
    meta = pages[0].meta if pages and pages[0].number == 1 else {}
    return {
        "title": meta.get("title") or None,
        "date": meta.get("date") or None,
        "number": meta.get("number"),
        "flags": page_flags([p.printed_number for p in pages]),
    }
