"""What a page says about itself: the paper's title, the issue's date and number (from
the masthead) and the printed page number (from the folios).

:func:`page_meta` is a pure function of a page's classified regions and lines (see
:mod:`ocr.regions`); the readers below (:func:`parse_date`, :func:`issue_number`,
:func:`page_number`, :func:`jump_target`) are plain text functions, used by the region
classifier too. Numbers may be printed in Arabic digits (full- or half-width) or in
Chinese numerals (``二〇二一年一月二十日``, ``第十二版``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from ocr.model import Line, Region

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "廿": 20, "卅": 30, "百": 100, "千": 1000}
_CN = "〇○零一二两三四五六七八九十廿卅百千"
_NUM = rf"[0-9{_CN}]"

_DATE = re.compile(
    rf"(?P<y>[0-9]{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年\s*"
    rf"(?P<m>[0-9]{{1,2}}|[{_CN}]{{1,3}})\s*月\s*"
    rf"(?P<d>[0-9]{{1,2}}|[{_CN}]{{1,3}})\s*[日号]"
)
_DATE_NUMERIC = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*[-./]\s*(?P<m>[0-9]{1,2})\s*[-./]\s*"
    r"(?P<d>[0-9]{1,2})(?![0-9])"
)
_ISSUE = re.compile(rf"(?P<total>总\s*)?第\s*(?P<n>{_NUM}{{1,6}})\s*期")
_PAGE = re.compile(rf"第\s*(?:[A-Z]\s*)?(?P<n>{_NUM}{{1,4}})\s*版")
_PAGE_SECTION = re.compile(r"^(?:[A-Z]\s*)?(?P<n>[0-9]{1,3})\s*版$")
_PAGE_FOOT = re.compile(r"^[-–—_~·•|\s]*(?P<n>[0-9]{1,3})[-–—_~·•|\s]*$")
_JUMP = re.compile(
    rf"^[（(〔【\[<〈《]?\s*(?P<dir>下\s*转|上\s*接|转|接|续)\s*(?:第\s*)?"
    rf"(?:[A-Z]\s*)?(?P<n>{_NUM}{{1,3}})\s*版\s*[）)〕】\]>〉》]?[。.]?$"
)


def normalize(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), whitespace runs made one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def cn_int(text: str) -> int | None:
    """An integer written in Arabic digits or Chinese numerals (``十二``, ``二十``,
    ``一〇二``); None when it is neither."""
    text = normalize(text).replace(" ", "")
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if not any(ch in _CN_UNITS for ch in text):  # digit by digit: 二〇二一
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text.replace("廿", "二十").replace("卅", "三十"):
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:  # a unit: 十 alone is 10
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


def parse_date(text: str) -> str | None:
    """The first valid date in ``text`` as ``YYYY-MM-DD``: ``2021年1月20日``,
    ``2021年01月20日 星期三``, ``二〇二一年一月二十日``, ``2021-01-20``, ``2021.1.20``."""
    text = normalize(text)
    for pattern in (_DATE, _DATE_NUMERIC):
        for m in pattern.finditer(text):
            y, mo, d = (cn_int(m.group(k)) for k in ("y", "m", "d"))
            if y is None or mo is None or d is None:
                continue
            try:
                return dt.date(y, mo, d).isoformat()
            except ValueError:
                continue
    return None


def issue_number(text: str) -> int | None:
    """The issue number: ``第75期`` -> 75. A running total (``总第1234期``) only when
    the text has no plain ``第N期``."""
    found = [
        (m.group("total") is not None, n)
        for m in _ISSUE.finditer(normalize(text))
        if (n := cn_int(m.group("n"))) is not None
    ]
    if not found:
        return None
    return min(found, key=lambda f: f[0])[1]


def page_number(text: str, foot: bool = False) -> int | None:
    """The printed page number of a folio: ``第2版`` -> 2, ``A2版``; for a line at the
    foot of the page (``foot``) also a bare number: ``- 2 -``, ``2``."""
    t = normalize(text)
    m = _PAGE.search(t)
    if m:
        return cn_int(m.group("n"))
    m = _PAGE_SECTION.match(t.replace(" ", ""))
    if m:
        return int(m.group("n"))
    if foot:
        m = _PAGE_FOOT.match(t)
        if m:
            return int(m.group("n"))
    return None


def jump_target(text: str) -> tuple[str, int] | None:
    """For a line that is only a jump (``（下转第2版）``, ``（上接第1版）``, ``转3版``):
    (``"out"`` or ``"in"``, the page number); None for any other line."""
    m = _JUMP.match(normalize(text).replace(" ", ""))
    if not m:
        return None
    n = cn_int(m.group("n"))
    if n is None:
        return None
    return ("in" if m.group("dir") in ("上接", "接", "续") else "out"), n


def is_folio_text(text: str) -> bool:
    """Whether a line reads like a running head or page foot: a date, a page number."""
    return parse_date(text) is not None or page_number(text, foot=True) is not None


# ------------------------------------------------------------------------ page meta


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
    mast = [ln for ln in lines if kind_of.get(ln.region) == "masthead"]
    folio = [ln for ln in lines if kind_of.get(ln.region) == "folio"]
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
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


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
        or _PAGE.search(t)
        or re.search(r"出版|主办|编辑|星期|周[一二三四五六日]|刊号|邮发|期\s*[0-9]", t)
    )


def _folio_title(folio: list[Line]) -> str | None:
    """The paper's name in the running head: what is left of a line once its date,
    page number and weekday are taken out (``2021年1月20日 张庙社区晨报 第2版`` ->
    ``张庙社区晨报``), leaving out staff and contact lines; a name ending in 报 or 刊
    first, else the biggest."""
    names = []
    for ln in folio:
        t = normalize(ln.text)
        if _STAFF.search(t):
            continue
        t = _DATE.sub(" ", t)
        t = _PAGE.sub(" ", t)
        t = re.sub(r"星期[一二三四五六日天]|周[一二三四五六日]|农历\S*", " ", t)
        name = _cjk(t)
        if len(name) >= 2:
            names.append((name[-1] in "报報刊", ln.box.height, name))
    return max(names)[2] if names else None


_STAFF = re.compile(r"编辑|校对|责编|美编|版式|制作|设计|电话|热线|邮箱|mail|记者", re.I)
