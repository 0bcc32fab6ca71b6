"""Which way a horizontal line reads: older Chinese papers set mastheads, headlines and
date lines right to left, and the recognizer reads every line left to right.

Only the line's own evidence turns it round: read backwards, it says something a paper
prints in a fixed order (a date: 年 before 月 before 日, the year in numerals or in the
cycle of sixty (丙申年); 星期 before its day, or ending the line; 第 before
a page or issue number and its 版, 頁 or 期; 中華民國 before its year), and read forwards
it does not. Text without such marks is left as read.
"""

from __future__ import annotations

import re

_N = "0-9〇○零一二三四五六七八九十廿卅百千"
_YEAR = rf"(?:[{_N}]+|[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥])"  # 四十五年, 丙申年
_ORDERED = (
    re.compile(rf"{_YEAR}\s*年\s*[{_N}]+\s*月\s*[{_N}]+\s*日"),
    re.compile(r"星期(?:\s*[一二三四五六日天]|$)"),  # 星期二; 星期 ending the line
    re.compile(rf"第\s*[{_N}A-Z]+\s*[版頁页期]"),
    re.compile(r"中[華华]民[國国]"),
)


def marks(text: str) -> int:
    """How many of the fixed-order marks ``text`` holds."""
    return sum(len(p.findall(text)) for p in _ORDERED)


def reads_reversed(text: str) -> bool:
    """Whether ``text`` (a horizontal line as read, left to right) was printed right to
    left: it holds fixed-order marks backwards and none forwards."""
    return marks(text) == 0 and marks(text[::-1]) > 0
