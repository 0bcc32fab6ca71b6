"""Jump linking: an article's parts on other pages joined by jump lines and titles."""

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
    """Join the parts of continued articles; return the articles as lists of parts.
    ``printed``: each page position's printed page number."""
    links = _Links(parts, printed)
    for a in parts:  # forward: 下转第N版 finds its continuation
        links.follow(a, a.out, links.next, links.prev, lambda o: o.into)
    for b in parts:  # backward: 上接第N版 finds its start
        links.follow(b, b.into, links.prev, links.next, lambda o: o.out)
    return links.chains()


class _Links:
    """The parts of an issue and which continues which."""

    def __init__(self, parts: list[Part], printed: dict[int, int]) -> None:
        self.parts = parts
        self.printed = printed
        self.position: dict[int, int] = {}  # printed number -> first page with it
        for pos, num in printed.items():
            self.position.setdefault(num, pos)
        self.next: dict[int, Part] = {}  # id(part) -> the part continuing it
        self.prev: dict[int, Part] = {}  # id(part) -> the part it continues
        self.on_page: dict[int, list[Part]] = {}
        for p in parts:
            self.on_page.setdefault(p.page, []).append(p)

    def follow(self, p: Part, targets: list[int], mine: dict, theirs: dict, marks) -> None:
        """Link ``p`` to the partner on the first of ``targets`` (printed pages) that has
        one; ``mine``/``theirs``: the links of this direction and the opposite one."""
        for target in targets:
            if id(p) in mine:
                break
            page = self.position.get(target)
            if page is None or page == p.page:
                continue
            o = self.partner(p, page, theirs, marks)
            if o is not None:
                mine[id(p)], theirs[id(o)] = o, p

    def partner(self, p: Part, page: int, taken: dict, marks) -> Part | None:
        """The part on ``page`` that ``p`` continues to or from: one whose jump line
        names ``p``'s page (best title first), else an unmarked one with a like title."""
        here = self.printed[p.page]
        best, best_score = None, 0.0
        for o in self.on_page.get(page, []):
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

    def chains(self) -> list[list[Part]]:
        """The articles: each part that continues none, with the parts continuing it."""
        articles = []
        for p in self.parts:
            if id(p) in self.prev:
                continue
            chain, cur, seen = [p], p, {id(p)}
            while id(cur) in self.next and id(self.next[id(cur)]) not in seen:
                cur = self.next[id(cur)]
                seen.add(id(cur))
                chain.append(cur)
            articles.append(chain)
        return articles
