"""One-to-one article scoring: each predicted article is matched to at most one truth
article, and what is left over counts against the prediction.

Texts are compared after NFKC normalization with all whitespace removed (titles apart:
an article's text is its body, subheads and captions, no headline and no jump lines).

The rules, exactly:

- *Matching.* A truth article ``t`` (``n`` characters) and a predicted article ``p``
  (``m`` characters) may be matched when their edit distance ``d`` is less than half
  the longer text: ``d < max(n, m) / 2``. Then more than half of each text is the other,
  character for character (``d >= max(n, m) - equal characters``): unrelated texts,
  which an edit distance would pair by substitutions, do not pair, nor does a short
  article with a long prediction that is mostly other articles (a page, a merge); a
  merge pairs with its larger part. Among those pairs a maximum-weight one-to-one
  assignment is chosen (Hungarian method) with weight ``n + m - d``: the errors the
  pairing saves against leaving both unmatched, so the assignment is the one with the
  fewest errors in all.
  Ties go to the pairs with the same title, then the same pages.
- *Errors.* A matched truth article costs ``d``; an unmatched truth article costs ``n``
  (all deleted); an unmatched predicted article costs ``m`` (all inserted). Article CER
  = all errors / all truth characters. A prediction that repeats every article twice
  pays every copy's characters again as insertions; an article split in two pays its
  smaller part twice (deleted from its truth, inserted as an extra article), and all
  of it twice when neither part is more than half of it.
- *Whole*: a truth article whose one-to-one match has ``d / n <= 2%``. *Title exact*:
  its match's title equals the truth title. *Joined* (an article on several pages): its
  match lists all of the truth's pages and has ``d / n <= 10%``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

WHOLE = 0.02  # an article is recovered whole at CER <= 2%
JOINED_CER = 0.10  # a jumped article is joined when its match holds its pages, CER <= 10%


def norm(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def distance(a: str, b: str) -> int:
    """Levenshtein distance, bit-parallel (Myers 1999 / Hyyrö), exact: fast enough for
    articles of thousands of characters."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, c in enumerate(b):
        peq[c] = peq.get(c, 0) | (1 << i)
    full, top = (1 << m) - 1, 1 << (m - 1)
    pv, mv, score = full, 0, m
    for c in a:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & full) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def assign(weight: list[list[float]]) -> list[int]:
    """Maximum-weight assignment of rows to columns (Hungarian method, O(n^2 m)): for
    each row the column it gets, or -1. Only positive weights are worth a pairing; a row
    whose best is a non-positive weight gets -1."""
    n = len(weight)
    m = len(weight[0]) if n else 0
    if not n or not m:
        return [-1] * n
    if n > m:  # the method wants rows <= columns: solve the transpose
        cols = assign([[weight[i][j] for i in range(n)] for j in range(m)])
        out = [-1] * n
        for j, i in enumerate(cols):
            if i >= 0:
                out[i] = j
        return out
    inf = float("inf")
    # Costs: -weight, clipped at 0 (a non-positive weight is the same as no pairing).
    cost = [[-max(w, 0.0) for w in row] for row in weight]
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    p, way = [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    out = [-1] * n
    for j in range(1, m + 1):
        if p[j] and weight[p[j] - 1][j - 1] > 0:
            out[p[j] - 1] = j - 1
    return out


@dataclass
class Scored:
    """One truth article and its one-to-one match (``got_*`` None/empty: unmatched)."""

    title: str
    pages: list[int]
    chars: int
    errors: int
    got_title: str | None
    got_pages: list[int]
    matched: bool = True

    @property
    def cer(self) -> float:
        return self.errors / self.chars if self.chars else 0.0

    @property
    def whole(self) -> bool:
        return self.matched and self.cer <= WHOLE

    @property
    def jumped(self) -> bool:
        return len(self.pages) > 1

    @property
    def joined(self) -> bool:
        return self.matched and set(self.pages) <= set(self.got_pages) and self.cer <= JOINED_CER

    @property
    def title_ok(self) -> bool:
        return self.matched and norm(self.got_title) == self.title


@dataclass
class IssueScore:
    scored: list[Scored] = field(default_factory=list)
    predicted: int = 0  # predicted articles
    extra: int = 0  # predicted articles matched to no truth article
    extra_chars: int = 0  # their characters, counted as insertions

    @property
    def chars(self) -> int:
        return sum(s.chars for s in self.scored)

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.scored) + self.extra_chars


def limit(n: int, m: int) -> float:
    """A pair of texts of lengths ``n`` and ``m`` may match below this edit distance."""
    return max(n, m) / 2


def _candidates(truth: list[dict], preds: list[tuple[str, dict]]) -> dict[tuple[int, int], int]:
    """Edit distances of the pairs that may match (``d < limit``); cheap lower bounds
    (length difference, shared characters) skip the pairs that cannot."""
    counts = [Counter(t) for t, _ in preds]
    out = {}
    for i, t in enumerate(truth):
        text, n = t["text"], len(t["text"])
        if not n:
            continue
        tc = Counter(text)
        for j, (p, _) in enumerate(preds):
            m = len(p)
            top = limit(n, m)
            if not m or abs(n - m) >= top:
                continue
            shared = sum((tc & counts[j]).values())
            if max(n, m) - shared >= top:
                continue
            d = distance(text, p)
            if d < top:
                out[(i, j)] = d
    return out


def score_issue(truth: list[dict], predicted: list[dict]) -> IssueScore:
    """Score an issue's predicted articles (``title``, ``text``, ``pages``) against its
    truth articles (``title`` and ``text`` normalized, ``pages``): see the module."""
    preds = [(norm(p["text"]), p) for p in predicted]
    dist = _candidates(truth, preds)
    eps = 0.25 / (len(truth) + 1)  # ties: all of them together weigh less than 1 char
    weight = [[0.0] * len(preds) for _ in truth]
    for (i, j), d in dist.items():
        t, p = truth[i], preds[j][1]
        w = len(t["text"]) + len(preds[j][0]) - d
        w += eps * (norm(p.get("title")) == t["title"]) + eps / 2 * (p["pages"] == t["pages"])
        weight[i][j] = w
    match = assign(weight)
    out = IssueScore(predicted=len(preds))
    used = set()
    for i, t in enumerate(truth):
        n, j = len(t["text"]), match[i]
        if j < 0 or (i, j) not in dist:
            out.scored.append(Scored(t["title"], t["pages"], n, n, None, [], matched=False))
            continue
        used.add(j)
        p = preds[j][1]
        out.scored.append(
            Scored(t["title"], t["pages"], n, dist[(i, j)], p.get("title"), list(p["pages"]))
        )
    for j, (text, _) in enumerate(preds):
        if j not in used:
            out.extra += 1
            out.extra_chars += len(text)
    return out


@dataclass
class Totals:
    """Article scores summed over issues."""

    issues: list[IssueScore] = field(default_factory=list)

    @property
    def scored(self) -> list[Scored]:
        return [s for i in self.issues for s in i.scored]

    @property
    def articles(self) -> int:
        return len(self.scored)

    @property
    def predicted(self) -> int:
        return sum(i.predicted for i in self.issues)

    @property
    def extra(self) -> int:
        return sum(i.extra for i in self.issues)

    @property
    def chars(self) -> int:
        return sum(i.chars for i in self.issues)

    @property
    def extra_share(self) -> float:
        """Characters of unmatched predicted articles per truth character."""
        chars = self.chars
        return sum(i.extra_chars for i in self.issues) / chars if chars else float("nan")

    @property
    def cer(self) -> float:
        chars = self.chars
        return sum(i.errors for i in self.issues) / chars if chars else float("nan")

    def share(self, pred, of=None) -> float:
        pool = [s for s in self.scored if of is None or of(s)]
        return sum(1 for s in pool if pred(s)) / len(pool) if pool else float("nan")

    @property
    def whole(self) -> float:
        return self.share(lambda s: s.whole)

    @property
    def joined(self) -> float:
        return self.share(lambda s: s.joined, of=lambda s: s.jumped)

    @property
    def jumped(self) -> int:
        return sum(1 for s in self.scored if s.jumped)

    @property
    def joined_count(self) -> int:
        return sum(1 for s in self.scored if s.jumped and s.joined)

    @property
    def titles(self) -> float:
        return self.share(lambda s: s.title_ok)
