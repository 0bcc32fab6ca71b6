"""The static site's search index: every article's text as character unigrams and
bigrams in an inverted index (postings delta-coded), sharded by a hash of the gram's
code points into ``.js`` files the browser loads with script tags (no fetch, so it works
from a plain folder).

The browser answers a query term of one or two characters from the postings alone
(exact); a longer term from the intersection of its bigrams' postings, each candidate
then checked by exact substring against the article's text. So every article whose
text contains the term is found and no other: no word segmentation to hide 街道 in
张庙街道.

Both text and queries are *folded* character by character by the archive's search rule
(``ocr.text.search``: NFKC, so full-width Ｘ２ is x2; case; accents; traditional →
simplified through OpenCC t2s), so 張廟 finds 张庙 and back. Folding never changes a
string's length in UTF-16 units, so an offset in folded text is an offset in the text
(line offsets are in UTF-16 units, as JavaScript counts). The fold map shipped holds
every BMP character that folds to a character of the archive's text, so the browser
folds a query as this module does."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from ocr.text.search import fold_char as search_fold_char


def u16(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (JavaScript's ``length``)."""
    return len(text.encode("utf-16-le")) // 2


@cache
def fold_char(ch: str) -> str:
    """One character folded by the archive's search rule (``ocr.text.search.fold_char``:
    NFKC, case, accents, traditional -> simplified), so ``ocr search`` and the site fold
    alike; the character itself where that rule would give none or several characters
    or change its UTF-16 length (offsets must hold)."""
    out = search_fold_char(ch)
    return out if len(out) == 1 and u16(out) == u16(ch) else ch


def fold(text: str) -> str:
    return "".join(fold_char(c) for c in text)


def fold_map(chars: set[str]) -> dict[str, str]:
    """Every character (of the BMP or of ``chars``) that folds to another character
    found in folded text made of ``chars``: what the browser needs to fold a query."""
    folded = {fold_char(c) for c in chars}
    out = {}
    for c in [chr(cp) for cp in range(0x20, 0x10000) if not 0xD800 <= cp < 0xE000] + sorted(chars):
        f = fold_char(c)
        if f != c and f in folded:
            out[c] = f
    return out


def grams(folded: str) -> set[str]:
    """The unigrams and bigrams of folded text (none holding white space)."""
    out = set()
    for i, c in enumerate(folded):
        if c.isspace():
            continue
        out.add(c)
        if i + 1 < len(folded) and not folded[i + 1].isspace():
            out.add(folded[i : i + 2])
    return out


@dataclass
class SearchDoc:
    """An article as the site's search sees it: its text is the title, a line break,
    then the article's text; ``lines`` are ``[line id, page, start, end]`` of each of
    its lines found in that text (UTF-16 offsets)."""

    issue: int
    article: int
    title: str
    date: str | None
    pages: list[int]
    href: str
    text: str
    lines: list[list[int]] = field(default_factory=list)


def doc_for(issue: dict, art: dict, pages: list[dict], href: str) -> SearchDoc:
    """The search document of an article of ``jsondoc.issue_document``."""
    text = (art["title"] or "") + "\n" + (art["text"] or "")
    where = {ln["id"]: (page["number"], ln["text"]) for page in pages for ln in page["lines"]}
    lines, cursor = [], 0
    for line_id in art["lines"]:
        number, line_text = where.get(line_id, (None, ""))
        piece = line_text.strip()
        at = text.find(piece, cursor) if piece else -1
        if number is None or at < 0:
            continue
        start = u16(text[:at])
        lines.append([line_id, number, start, start + u16(piece)])
        cursor = at + len(piece)
    return SearchDoc(issue["id"], art["id"], art["title"] or "", issue["date"], art["pages"],
                     href, text, lines)  # fmt: skip


def shard_count(n_grams: int, n_postings: int) -> int:
    """Shards for an index of ``n_grams`` grams holding ``n_postings`` postings: a power
    of two giving about 2,000 grams and 40,000 postings (some 200 KB) a shard, 8 to 4096."""
    want = max(n_grams // 2000, n_postings // 40000)
    return max(8, min(4096, 1 << max(0, want).bit_length()))


def shard_of(gram: str, shards: int) -> int:
    """The shard of a gram: its two code points hashed (the browser computes the same)."""
    return (ord(gram[0]) * 31 + (ord(gram[1]) if len(gram) > 1 else 0)) % shards


def deltas(ids: list[int]) -> list[int]:
    """Ascending ids as the first id and the differences after it (shorter files)."""
    return [b - a for a, b in zip([0, *ids], ids)]


def build_index(docs: list[SearchDoc]) -> dict[str, str]:
    """The index files (relative path -> JavaScript text) for ``docs``: ``docs.js``
    (what each hit shows), ``fold.js``, ``g<N>.js`` (postings shards) and
    ``t<issue>.js`` (each issue's article texts and line offsets)."""
    postings: dict[str, list[int]] = {}
    chars: set[str] = set()
    for k, doc in enumerate(docs):
        chars.update(doc.text)
        for g in grams(fold(doc.text)):
            postings.setdefault(g, []).append(k)
    shards = shard_count(len(postings), sum(map(len, postings.values())))
    parts: dict[int, dict[str, list[int]]] = {}
    for g in sorted(postings):
        parts.setdefault(shard_of(g, shards), {})[g] = deltas(postings[g])
    # every shard, empty ones too: a query never asks for a file that is not there
    files = {f"g{n}.js": f"ZM.shard({n},{_js(parts.get(n, {}))});\n" for n in range(shards)}
    meta = [[d.issue, d.article, d.title, d.date, d.pages, d.href] for d in docs]
    files["docs.js"] = f"ZM.docs({shards},{_js(meta)});\n"
    files["fold.js"] = f"ZM.fold_map({_js(fold_map(chars))});\n"
    texts: dict[int, dict[int, list]] = {}
    for k, d in enumerate(docs):
        texts.setdefault(d.issue, {})[k] = [d.text, d.lines]
    for issue, entries in texts.items():
        files[f"t{issue}.js"] = f"ZM.texts({issue},{_js(entries)});\n"
    return files


def _js(data) -> str:
    """JSON that is safe as JavaScript in a script file (no ``</script>``, U+2028/9)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
