"""Jump linking: the parts of an article continued on another page joined, by their jump
lines and titles."""

from __future__ import annotations

import difflib
import unicodedata

from ocr.articles.order import Part


def _norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def title_similarity(a: str | None, b: str | None) -> float:
    """How alike two titles are, 0..1: the longest common run of characters over the
    shorter title's length (a continued title is often a shortened one)."""
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    if m.size < 2:
        return 0.0
    return m.size / min(len(a), len(b))


def link_jumps(parts: list[Part], printed: dict[int, int]) -> list[list[Part]]:
    """Join the parts of continued articles; return the articles as lists of parts."""
    position = {}
    for pos, num in printed.items():
        position.setdefault(num, pos)
    nxt: dict[int, Part] = {}  # id(part) -> the part continuing it
    prev: dict[int, Part] = {}
    on_page: dict[int, list[Part]] = {}
    for p in parts:
        on_page.setdefault(p.page, []).append(p)

    def link(a: Part, b: Part) -> None:
        nxt[id(a)], prev[id(b)] = b, a

    def partner(p: Part, page: int, taken: dict, marks) -> Part | None:
        """The part on ``page`` that ``p`` continues to or from: one whose jump line
        names ``p``'s page (best title first), else an unmarked one with a like title."""
        here = printed[p.page]
        best, best_score = None, 0.0
        for o in on_page.get(page, []):
            if id(o) in taken or o is p:
                continue
            sim = title_similarity(p.title, o.title)
            if here in marks(o):
                score = 1.0 + sim
            elif not marks(o) and sim >= 0.6:
                score = sim
            else:
                continue
            if score > best_score:
                best, best_score = o, score
        return best

    for a in parts:  # forward: 下转第N版 finds its continuation
        for target in a.out:
            if id(a) in nxt:
                break
            page = position.get(target)
            if page is not None and page != a.page:
                b = partner(a, page, prev, lambda o: o.into)
                if b is not None:
                    link(a, b)
    for b in parts:  # backward: 上接第N版 finds its start
        for source in b.into:
            if id(b) in prev:
                break
            page = position.get(source)
            if page is not None and page != b.page:
                a = partner(b, page, nxt, lambda o: o.out)
                if a is not None:
                    link(a, b)
    articles = []
    for p in parts:
        if id(p) in prev:
            continue
        chain, cur, seen = [p], p, {id(p)}
        while id(cur) in nxt and id(nxt[id(cur)]) not in seen:
            cur = nxt[id(cur)]
            seen.add(id(cur))
            chain.append(cur)
        articles.append(chain)
    return articles
