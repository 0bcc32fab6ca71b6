"""What a line says: numbers, dates, issue and page numbers, jumps.

Numbers may be printed in Arabic digits (full- or half-width) or in Chinese numerals
(``二〇二一年一月二十日``, ``第十二版``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

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

# A date in words (2021年1月20日, 二〇二一年一月二十日) and a page mark (第2版, 第A2版).
DATE = re.compile(
    rf"(?P<y>[0-9]{{4}}|[〇○零一二三四五六七八九]{{4}})\s*年\s*"
    rf"(?P<m>[0-9]{{1,2}}|[{_CN}]{{1,3}})\s*月\s*"
    rf"(?P<d>[0-9]{{1,2}}|[{_CN}]{{1,3}})\s*[日号]"
)
_DATE_NUMERIC = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})\s*[-./]\s*(?P<m>[0-9]{1,2})\s*[-./]\s*"
    r"(?P<d>[0-9]{1,2})(?![0-9])"
)
_ISSUE = re.compile(rf"(?P<total>总\s*)?第\s*(?P<n>{_NUM}{{1,6}})\s*期")
PAGE_MARK = re.compile(rf"第\s*(?:[A-Z]\s*)?(?P<n>{_NUM}{{1,4}})\s*版")
_PAGE_SECTION = re.compile(r"^(?:[A-Z]\s*)?(?P<n>[0-9]{1,3})\s*版$")
_PAGE_FOOT = re.compile(r"^[-–—_~·•|\s]*(?P<n>[0-9]{1,3})[-–—_~·•|\s]*$")


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
    for pattern in (DATE, _DATE_NUMERIC):
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
    m = PAGE_MARK.search(t)
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


# ---------------------------------------------------------------------------- jumps

# 下转第2版, 上接第1版, 转3版, 接A3版, 续第十二版, in brackets or not.
_JUMP = re.compile(
    rf"(?P<open>[（(〔【\[<〈《])?\s*(?P<dir>下\s*转|上\s*接|转|接|续)\s*(?:第\s*)?"
    rf"(?:[A-ZＡ-Ｚ]\s*)?(?P<num>[0-9０-９{_CN}]{{1,3}})\s*版\s*(?P<close>[）)〕】\]>〉》])?"
)
_TRIM = " \u3000.,，。·:：;；-—_"  # what may stand around a jump on a line of its own


@dataclass(frozen=True)
class Jump:
    """A jump phrase in a line: ``direction`` "out" (下转, 转) or "in" (上接, 接, 续), the
    printed ``page`` it points to, its span in the line's text, and whether the line
    holds nothing else (``whole``)."""

    direction: str
    page: int
    start: int
    end: int
    whole: bool


def find_jump(text: str) -> Jump | None:
    """The jump phrase of a line, if it has one: alone on the line (brackets optional),
    or in brackets at the line's start or end ("...工作。（下转第2版）")."""
    for m in _JUMP.finditer(text):
        page = cn_int(m.group("num"))
        if not page:
            continue
        before, after = text[: m.start()].strip(_TRIM), text[m.end() :].strip(_TRIM)
        whole = not before and not after
        bracketed = bool(m.group("open") or m.group("close"))
        if whole or (bracketed and (not before or not after)):
            direction = "out" if "转" in m.group("dir") else "in"
            return Jump(direction, page, m.start(), m.end(), whole)
    return None


def jump_target(text: str) -> tuple[str, int] | None:
    """For a line that is only a jump (``（下转第2版）``, ``（上接第1版）``, ``转3版``):
    (``"out"`` or ``"in"``, the page number); None for any other line."""
    j = find_jump(text)
    return (j.direction, j.page) if j is not None and j.whole else None


def strip_jump(text: str) -> str:
    """The line's text without its jump phrase."""
    j = find_jump(text)
    if j is None:
        return text
    return (text[: j.start] + text[j.end :]).strip()
