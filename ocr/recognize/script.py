"""Traditional -> simplified clean-up of recognized text: the one adapter for OpenCC.

The recognizer was trained on both scripts and, on short lines in narrow columns, now
and then reads a simplified character in its traditional form (会 -> 會, 区 -> 區). For
a paper printed in simplified characters (the default, ``--script simplified``) every
line is passed through OpenCC's ``t2s`` conversion, which leaves simplified text as it
is and keeps the phrases where a traditional form is right in simplified text too
(乾隆, 乾坤). ``--script as-read`` keeps what the recognizer read.

Which script a page is printed in (:func:`page_script`, for ``--script auto``) is told
by the characters the two scripts write differently: those t2s changes (traditional
forms) against those s2t changes (simplified forms).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

SCRIPTS = ("simplified", "as-read")
DEFAULT_SCRIPT = "simplified"
# A page is printed in traditional characters when, of its Han characters written
# differently in the two scripts, this share or more is in traditional form. Measured:
# on simplified text a third of the Han characters have another traditional form, and
# the recognizer reads under 2% in traditional form (a share under 0.06); on clean
# traditional text it is near 1; on the 1956 工商晚報 phone photos (type 8 px high)
# 0.30-0.53, the recognizer falling back on simplified forms where it reads badly
# (their t2s share alone, 6-10%, is no better than a noisy simplified page's).
TRADITIONAL_SHARE = 0.15
MIN_HAN = 100  # with fewer Han characters a page cannot tell: it is taken as simplified


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def normalize(text: str, script: str = DEFAULT_SCRIPT) -> str:
    """``text`` in the page's script (``SCRIPTS``)."""
    if script == "as-read" or not text:
        return text
    if script != "simplified":
        raise ValueError(f"unknown script {script!r}; one of {SCRIPTS}")
    return _t2s().convert(text)


def page_script(texts: list[str]) -> tuple[str, dict[str, Any]]:
    """The script a page is printed in, from its lines' text: ``as-read`` (traditional,
    kept) or ``simplified`` (see ``TRADITIONAL_SHARE``); and what was counted."""
    from ocr.text.lines import is_han

    han = traditional = simplified = 0
    for text in texts:  # line by line (OpenCC is slow on one long string)
        han += sum(1 for ch in text if is_han(ch))
        traditional += _changed(text, _t2s().convert(text))
        simplified += _changed(text, _s2t().convert(text))
    distinct = traditional + simplified
    share = traditional / distinct if distinct else 0.0
    found = "as-read" if han >= MIN_HAN and share >= TRADITIONAL_SHARE else "simplified"
    return found, {
        "script": found,
        "han": han,
        "traditional_share": round(traditional / han, 3) if han else 0.0,
        "simplified_share": round(simplified / han, 3) if han else 0.0,
        "traditional_of_distinct": round(share, 3),
    }


def _changed(text: str, converted: str) -> int:
    """How many characters of ``text`` the conversion changed (a phrase conversion that
    changed the length: the characters not kept)."""
    if len(converted) == len(text):
        return sum(1 for a, b in zip(text, converted) if a != b)
    return sum(max(0, n - converted.count(ch)) for ch, n in Counter(text).items())
