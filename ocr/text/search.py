"""How text becomes search tokens: one rule for the FTS5 index, ``ocr search`` and the site.

The rule (``index_tokens``), stated once:

1. Every character is *folded* on its own (``fold_char``): NFKC (full-width ``２０２１``
   is ``2021``), lower case, accents dropped from letters, and a CJK character through
   OpenCC's ``t2s`` one character at a time (張 -> 张, 廟 -> 庙). Folding character by
   character, never by phrase, keeps every substring of a text a substring of its
   folded form, which is what makes the index exact.
2. The folded text is cut into *units*: each CJK character (Han, kana, hangul, 〇) is a
   unit; each run of other letters and digits is a *word* unit (``xev``, ``2021``).
   Whitespace separates words but not CJK characters (an article's lines are joined
   by newlines; a word broken across lines is still found); any other character
   (punctuation, symbols) separates words and breaks a run of CJK characters.
3. One token per unit: a CJK character followed by the next character of its run is
   the bigram of the two (``张庙``); the last character of a run is itself (``庙``); a
   word is itself. ``张庙街道`` -> ``张庙 庙街 街道 道``.

A query term (the query split at whitespace; terms are ANDed) is the phrase of its own
tokens, except that its last CJK character needs no token of its own after a bigram, and
a lone last CJK character is a prefix (``庙*``: every token starting with 庙; FTS5's
``prefix='1'`` index answers it). Hence, against the folded text: a CJK query matches
exactly where its characters stand together in one run; words match whole words.

SQLite's stock ``unicode61`` tokenizer splits the space-separated tokens back exactly
(every token is letters and digits only), so any SQLite reader can query the index: a
2-character word is one token (``MATCH '张庙'``), longer ones a phrase of bigrams
(``MATCH '"科创 创园"'``), one character a prefix (``MATCH '园*'``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from ocr.text.lines import is_han

# Bumped when the rule above changes: an index built by another version must be rebuilt.
TOKENS_VERSION = 1


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def is_cjk(ch: str) -> bool:
    """A character searched one by one: Han (any extension), kana, hangul, 〇, 々."""
    if is_han(ch):
        return True
    return unicodedata.category(ch) in ("Lo", "Lm", "Nl") and unicodedata.east_asian_width(ch) in (
        "W",
        "F",
    )


@lru_cache(maxsize=65536)
def fold_char(ch: str) -> str:
    """One character as the index sees it (rule 1); may be empty or several characters."""
    out = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        if is_cjk(c):
            s = _t2s().convert(c)
            out.append(s if len(s) == 1 else c)
        else:
            out.append("".join(d for d in unicodedata.normalize("NFD", c) if not _mark(d)))
    return "".join(out)


def fold(text: str) -> str:
    """``text`` folded character by character (rule 1)."""
    return "".join(fold_char(ch) for ch in text)


def _mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _word_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "LN" or cat == "Co"


class Unit(NamedTuple):
    """A unit of text (rule 2): ``key`` folded, ``start:end`` in the original text;
    ``joined``: a CJK character followed by the next one of its run."""

    key: str
    start: int
    end: int
    cjk: bool
    joined: bool = False


CJK, WORD, SPACE, BREAK = range(4)


@lru_cache(maxsize=65536)
def _classes(ch: str) -> tuple[tuple[str, int], ...]:
    """The folded characters of ``ch``, each with its class (rule 2)."""
    out = []
    for c in fold_char(ch):
        if is_cjk(c):
            out.append((c, CJK))
        elif c.isspace():
            out.append((c, SPACE))
        elif _word_char(c):
            out.append((c, WORD))
        elif not _mark(c):
            out.append((c, BREAK))
    return tuple(out)


class _Table(dict):
    """A ``str.translate`` table filled in on first sight of each character."""

    def __init__(self, make) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, code: int) -> str:
        self[code] = value = self.make(chr(code))
        return value


def _kind(ch: str) -> str:
    """C, W, S, B as the character folds to one CJK, word or space character or to
    breaks only; X otherwise (a fold to several letters or to nothing: the slow path)."""
    kinds = {kind for _, kind in _classes(ch)}
    if len(_classes(ch)) == 1 or kinds in ({SPACE}, {BREAK}):  # … is three breaks
        return "CWSB"[kinds.pop()]
    return "X"


_KINDS = _Table(_kind)
_FOLDED = _Table(lambda ch: _classes(ch)[0][0] if len(_classes(ch)) == 1 else ch)
_MARKED = _Table(
    lambda ch: {"S": " ", "B": "\x01"}.get(_kind(ch), _classes(ch)[0][0] if _classes(ch) else ch)
)
_UNITS = re.compile(r"C|W+")
_RUNS = re.compile(r"C(?:S*C)*|W+")
_new = tuple.__new__


def _marked(text: str) -> tuple[str, str] | None:
    """``text``'s kinds (``_kind``) and its folded form with every space a space and
    every break ``\x01``, both as long as ``text``; None when a character needs the
    slow path."""
    kinds = text.translate(_KINDS)
    if "X" in kinds:
        return None
    return kinds, text.translate(_MARKED)


def search_units(text: str) -> list[Unit]:
    """The units of ``text`` in order (rule 2)."""
    text = text or ""
    kinds = text.translate(_KINDS)
    if "X" in kinds:
        return _search_units_slow(text)
    folded = text.translate(_FOLDED)
    out: list[Unit] = []
    run_end = -1  # where the last unit ended, when it was a CJK character
    for m in _UNITS.finditer(kinds):
        s, e = m.span()
        if kinds[s] == "C":
            if run_end >= 0 and "B" not in kinds[run_end:s]:
                last = out[-1]
                out[-1] = _new(Unit, (last[0], last[1], last[2], True, True))
            out.append(_new(Unit, (folded[s], s, e, True, False)))
            run_end = e
        else:
            out.append(_new(Unit, (folded[s:e], s, e, False, False)))
            run_end = -1
    return out


def _search_units_slow(text: str) -> list[Unit]:
    """``search_units`` character by character (any fold, of any length)."""
    raw: list[list] = []  # [key, start, end, cjk, joined]
    word: list[str] = []
    word_start = 0
    run_open = False  # the last unit is a CJK character whose run may go on
    for i, ch in enumerate(text or ""):
        for c, kind in _classes(ch):
            if kind == WORD:
                if not word:
                    word_start = i
                word.append(c)
                run_open = False
                continue
            if word:
                raw.append(["".join(word), word_start, i, False, False])
                word.clear()
            if kind == CJK:
                if run_open:
                    raw[-1][4] = True
                raw.append([c, i, i + 1, True, False])
                run_open = True
            elif kind == BREAK:
                run_open = False
    if word:
        raw.append(["".join(word), word_start, len(text), False, False])
    return [Unit(*u) for u in raw]


def _tokens(units: list[Unit]) -> list[str]:
    return [u.key + units[k + 1].key if u.joined else u.key for k, u in enumerate(units)]


def index_tokens(text: str | None) -> str:
    """THE RULE: ``text`` as the space-separated tokens the FTS5 index stores (rule 3)."""
    marked = _marked(text or "")
    if marked is None:
        return " ".join(_tokens(_search_units_slow(text or "")))
    kinds, folded = marked
    out: list[str] = []
    for m in _RUNS.finditer(kinds):
        s, e = m.span()
        if kinds[s] == "C":  # a run of CJK characters: its bigrams, then its last
            run = folded[s:e].replace(" ", "")
            out.extend([run[i : i + 2] for i in range(len(run) - 1)])
            out.append(run[-1])
        else:
            out.append(folded[s:e])
    return " ".join(out)


def query_terms(query: str) -> list[list[Unit]]:
    """The query's terms (split at whitespace), each as its units; empty terms dropped."""
    terms = []
    for part in (query or "").split():
        units = search_units(part)
        if units:
            terms.append(units)
    return terms


def term_phrase(units: list[Unit]) -> str:
    """The FTS5 phrase of one query term (see the module docstring)."""
    tokens = _tokens(units)
    prefix = False
    last = units[-1]
    if last.cjk:
        if len(units) > 1 and units[-2].joined:
            tokens.pop()  # the bigram before it holds it
        else:
            prefix = True
    return '"' + " ".join(tokens) + '"' + ("*" if prefix else "")


def fts_match(query: str, column: str | None = None) -> str | None:
    """The FTS5 MATCH expression of ``query`` (every term), restricted to ``column``
    when given; None when the query has nothing to search for."""
    terms = query_terms(query)
    if not terms:
        return None
    expr = " AND ".join(term_phrase(t) for t in terms)
    return f"{{{column}}} : ({expr})" if column else expr


def find_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where the query's terms stand in ``text`` (original offsets, sorted, merged),
    found by the rule the index answers with."""
    text = text or ""
    marked, units = _marked(text), None
    spans = []
    for term in query_terms(query):
        if marked is not None and all(u.cjk for u in term):
            pattern = _term_pattern(tuple((u.key, u.joined) for u in term))
            spans += [m.span(1) for m in pattern.finditer(marked[1])]
            continue
        if units is None:
            units = search_units(text)
        k, first = len(term), term[0].key
        for p in [p for p, u in enumerate(units[: max(0, len(units) - k + 1)]) if u.key == first]:
            if _matches(units, p, term):
                spans.append((units[p].start, units[p + k - 1].end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


@lru_cache(maxsize=1024)
def _term_pattern(term: tuple[tuple[str, bool], ...]) -> re.Pattern:
    """A CJK term as a regular expression over ``_marked`` text: its characters with
    only spaces between where they are joined, at least one break where not; every
    occurrence (overlapping ones too) as group 1."""
    parts = []
    for k, (key, joined) in enumerate(term):
        parts.append(re.escape(key))
        if k < len(term) - 1:
            parts.append(" *" if joined else "[ \x01]*\x01[ \x01]*")
    return re.compile("(?=(" + "".join(parts) + "))")


def _matches(units: list[Unit], p: int, term: list[Unit]) -> bool:
    for i, q in enumerate(term):
        t = units[p + i]
        if t.key != q.key or t.cjk != q.cjk:
            return False
        if q.cjk and i < len(term) - 1 and t.joined != q.joined:
            return False
    return True


def snippet(
    text: str,
    spans: list[tuple[int, int]],
    width: int = 60,
    mark=("<mark>", "</mark>"),
    escape=html.escape,
) -> str:
    """About ``width`` characters of ``text`` around its first span, the spans in it
    marked; HTML-escaped by default (the marks are the only markup); "…" where cut."""
    text = text or ""
    if spans:
        first = spans[0][0]
        start = max(0, first - width // 3)
    else:
        start = 0
    end = min(len(text), start + width)
    if spans:
        end = max(end, min(len(text), spans[0][1]))
    out, at = [], start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[at:s]) + mark[0] + escape(text[s:e]) + mark[1])
        at = e
    out.append(escape(text[at:end]))
    body = " ".join("".join(out).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
