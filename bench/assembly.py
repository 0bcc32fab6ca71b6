"""Assembly alone on masonry tuning issues: our articles from the generator's exact lines.

The articles benchmark's reference row ("our assembly on exact lines") for **tuning seeds
only (7000-7999)**: what the assembly costs when OCR and layout are perfect, issue by
issue, with the articles it got wrong (truth title, CER, what it was matched to, and the
predicted articles that matched nothing). No OCR: pages are rendered, not read.

    .venv/bin/python bench/assembly.py                   # seeds 7000-7009, their own sizes
    .venv/bin/python bench/assembly.py --seeds 7003 -v   # one issue, every article
    .venv/bin/python bench/assembly.py --classify        # kinds by our region classifier

Kinds: the generator's (default), none (``--text``: every region 'text', assembly guesses
from geometry), or our region classifier's (``--classify``: ``classify_regions`` on the
exact lines in 'text' regions, as the pipeline runs it after recognition). Rendered
issues are cached under bench/out/assembly, keyed by the generator's source (a changed
``tests/masonry.py`` or ``tests/synth.py`` renders afresh).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import scoring  # noqa: E402  (bench/scoring.py: one-to-one article scoring)

TUNING = range(7000, 8000)
OUT = ROOT / "bench" / "out" / "assembly"  # rendered issues (git-ignored)


def issue_of(seed: int, pages: int | None):
    """The pages of tuning issue ``seed`` (truth only matters: no scan noise)."""
    import masonry

    if seed not in TUNING:
        raise SystemExit(f"seed {seed}: only tuning seeds 7000-7999 may be used here")
    params = masonry.issue_params(seed)
    if pages:
        params["pages"] = min(pages, params["pages"])
    code = hashlib.sha256(
        b"".join((ROOT / "tests" / f).read_bytes() for f in ("masonry.py", "synth.py"))
    ).hexdigest()[:10]
    cache = OUT / f"m{seed}-{params['pages']}-{code}.pickle"  # rendering is the slow part
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    issue = masonry.render_issue(seed=seed, scan=False, **params)
    OUT.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(issue))
    return issue


def assemble(pages, kinds: str) -> list[dict]:
    """Our articles of ``pages`` with kinds ``"truth"``, ``"text"`` or ``"classify"``."""
    from test_articles import truth_layout

    from ocr.articles import assemble_articles

    layouts = [truth_layout(p, kinds == "truth") for p in pages]
    if kinds == "classify":
        from ocr.regions import classify_regions

        for lay in layouts:
            lay.regions, lay.lines = classify_regions(lay.regions, lay.lines, lay.width, lay.height)
    drafts = assemble_articles(layouts)
    return [{"title": d.title, "text": d.text, "pages": d.pages} for d in drafts]


def report(seed: int, truth, predicted, s: scoring.IssueScore, verbose: bool) -> None:
    whole = sum(1 for x in s.scored if x.whole)
    print(
        f"m{seed}: {len(truth)} truth, {len(predicted)} predicted ({s.extra} unmatched);"
        f" CER {100 * s.errors / max(s.chars, 1):.2f}%, whole {whole}/{len(truth)},"
        f" titles {titled(s)}/{len(truth)}, jumps joined {joins(s)} of {jumps(s)}"
    )
    for x in s.scored:
        if verbose or not x.whole or x.title != scoring.norm(x.got_title):
            got = f"{x.got_title!r} {x.got_pages}" if x.matched else "(no match)"
            print(f"   {100 * x.cer:6.1f}%  {x.title!r} {x.pages} -> {got}")
    matched = {x.got_title for x in s.scored if x.matched}
    for p in predicted:
        if p["title"] not in matched:
            print(f"   extra    {p['title']!r} {p['pages']}: {scoring.norm(p['text'])[:40]}")


def titled(s: scoring.IssueScore) -> int:
    """Truth articles whose match has the same title (normalized)."""
    return sum(1 for x in s.scored if x.title_ok)


def jumps(s: scoring.IssueScore) -> int:
    """Truth articles on more than one page."""
    return sum(1 for x in s.scored if x.jumped)


def joins(s: scoring.IssueScore) -> int:
    """Jumped truth articles whose match holds all their pages (CER within the joined
    bound of the articles benchmark)."""
    return sum(1 for x in s.scored if x.jumped and x.joined)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(7000, 7010)))
    ap.add_argument("--pages", type=int, help="at most this many pages an issue")
    ap.add_argument("--text", action="store_true", help="all kinds 'text' (no kinds given)")
    ap.add_argument(
        "--classify", action="store_true", help="kinds by our region classifier (from 'text')"
    )
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    from test_articles import truth_articles

    errors = chars = whole = titles = n = joined = jumped = 0
    for seed in args.seeds:
        pages = issue_of(seed, args.pages)
        truth = truth_articles(pages)
        kinds = "classify" if args.classify else "text" if args.text else "truth"
        predicted = assemble(pages, kinds)
        s = scoring.score_issue(truth, predicted)
        report(seed, truth, predicted, s, args.verbose)
        errors, chars = errors + s.errors, chars + s.chars
        whole += sum(1 for x in s.scored if x.whole)
        titles += titled(s)
        joined, jumped = joined + joins(s), jumped + jumps(s)
        n += len(truth)
    print(
        f"all: CER {100 * errors / max(chars, 1):.2f}%, whole {whole}/{n}, titles {titles}/{n},"
        f" jumps joined {joined} of {jumped}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
