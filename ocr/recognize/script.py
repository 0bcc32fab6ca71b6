"""Traditional -> simplified clean-up of recognized text: the one adapter for OpenCC.

The recognizer was trained on both scripts and, on short lines in narrow columns, now
and then reads a simplified character in its traditional form (会 -> 會, 区 -> 區). For
a paper printed in simplified characters (the default, ``--script simplified``) every
line is passed through OpenCC's ``t2s`` conversion, which leaves simplified text as it
is and keeps the phrases where a traditional form is right in simplified text too
(乾隆, 乾坤). ``--script as-read`` keeps what the recognizer read.
"""

from __future__ import annotations

from functools import lru_cache

SCRIPTS = ("simplified", "as-read")
DEFAULT_SCRIPT = "simplified"


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def normalize(text: str, script: str = DEFAULT_SCRIPT) -> str:
    """``text`` in the page's script (``SCRIPTS``)."""
    if script == "as-read" or not text:
        return text
    if script != "simplified":
        raise ValueError(f"unknown script {script!r}; one of {SCRIPTS}")
    return _t2s().convert(text)
