"""What a page says about itself: title, date, issue and page numbers.

The title, date and issue number come from the masthead, the printed page number from
the folios.

:func:`page_meta` is a pure function of a page's classified regions and lines (see
:mod:`ocr.regions`); it reads the text with :mod:`ocr.text` (:func:`~ocr.text.parse_date`,
:func:`~ocr.text.issue_number`, :func:`~ocr.text.page_number`).
"""

from __future__ import annotations

import re
from typing import Any

from ocr.model import Kind, Line, Region
from ocr.text import DATE, PAGE_MARK, is_han, issue_number, normalize, page_number, parse_date


def page_meta(regions: list[Region], lines: list[Line]) -> dict[str, Any]:
    """``{"printed_number": int, "title": str, "date": "YYYY-MM-DD", "number": int}``,
    each key only when the page shows it.

    The date and issue number come from the masthead (or, failing that, the running
    head); the title is the masthead's big type (the biggest line and the lines of
    display type beside it), or the running head with its date and page number taken
    out; the printed page number comes from the folios (``第2版`` at the top, ``- 2 -``
    at the foot). A page with a masthead and no page number of its own is page 1.
    """
    kind_of = {r.id: r.kind for r in regions}
    mast = [ln for ln in lines if kind_of.get(ln.region) == Kind.MASTHEAD]
    folio = [ln for ln in lines if kind_of.get(ln.region) == Kind.FOLIO]
    meta: dict[str, Any] = {}

    for group in (mast, folio):
        for ln in _reading(group):
            if "date" not in meta and (d := parse_date(ln.text)):
                meta["date"] = d
            if "number" not in meta and (n := issue_number(ln.text)) is not None:
                meta["number"] = n
        if "date" in meta:
            break

    title = _masthead_title(mast) or _folio_title(folio)
    if title:
        meta["title"] = title

    numbers: list[int] = []
    if folio:
        bottom = max(ln.box.y1 for ln in folio)
        top = min(ln.box.y0 for ln in folio)
        for ln in folio:
            at_foot = ln.box.y1 >= bottom - 1 and bottom - top > 4 * ln.box.height
            n = page_number(ln.text, foot=at_foot or len(_cjk(ln.text)) == 0)
            if n is not None and 0 < n < 1000:
                numbers.append(n)
    if numbers:
        meta["printed_number"] = max(set(numbers), key=lambda n: (numbers.count(n), -n))
    elif mast:
        meta["printed_number"] = 1
    return meta


def _cjk(text: str) -> str:
    return "".join(ch for ch in text if is_han(ch))


def _reading(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (ln.box.y0, ln.box.x0))


def _masthead_title(mast: list[Line]) -> str | None:
    """The biggest masthead line (Chinese characters only) with the display lines
    level with it on its right: ``张 庙`` + ``社区晨报`` -> ``张庙社区晨报``."""
    cands = [ln for ln in mast if _cjk(ln.text) and not _is_info(ln.text)]
    if not cands:
        return None
    big = max(cands, key=lambda ln: min(ln.box.height, ln.box.width * 2))
    h = big.box.height
    parts = [big]
    for ln in cands:
        if ln is big or ln.box.height < 0.3 * h:
            continue
        level = ln.box.y0 < big.box.y1 and ln.box.y1 > big.box.y0
        near = -0.1 * h <= ln.box.x0 - big.box.x1 <= 0.6 * h
        if level and near:
            parts.append(ln)
    parts.sort(key=lambda ln: ln.box.x0)
    return "".join(_cjk(ln.text) for ln in parts) or None


def _is_info(text: str) -> bool:
    t = normalize(text)
    return bool(
        parse_date(t)
        or issue_number(t) is not None
        or PAGE_MARK.search(t)
        or re.search(r"出版|主办|编辑|星期|周[一二三四五六日]|刊号|邮发|期\s*[0-9]", t)
    )


def _folio_title(folio: list[Line]) -> str | None:
    """The paper's name in the running head: what is left of a line once its date,
    page number and weekday are taken out (``2021年1月20日 张庙社区晨报 第2版`` ->
    ``张庙社区晨报``), leaving out staff and contact lines; the biggest that names a paper
    (ends in 报 or 刊). Whatever else a running head says is a section (``第2版 专版``,
    ``综合新闻``), not the paper: a head without a paper's name gives no title (the issue
    takes its title from the masthead, :func:`ocr.articles.issue.issue_facts`)."""
    names = []
    for ln in folio:
        t = normalize(ln.text)
        if _STAFF.search(t):
            continue
        t = DATE.sub(" ", t)
        t = PAGE_MARK.sub(" ", t)
        t = re.sub(r"星期[一二三四五六日天]|周[一二三四五六日]|农历\S*", " ", t)
        name = _cjk(t)
        if len(name) >= 2 and name[-1] in "报報刊":
            names.append((ln.box.height, name))
    return max(names)[1] if names else None


_STAFF = re.compile(r"编辑|校对|责编|美编|版式|制作|设计|电话|热线|邮箱|mail|记者", re.I)
