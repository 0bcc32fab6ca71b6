"""Article benchmark: our pipeline (``ocr process`` then article assembly) against
anchors run in the same session, on generated issues of two generators and on a real
page.

- **Our generator** (``tests/synth.py``, seeds 5001 on, 2 issues by default, 5 for
  the old "articles" section; 3001-3005 and 4001-4005 were looked at while tuning the
  assembly): 4 pages, 200 dpi, 250 x 350 mm, 3 to 6
  columns, ``jumps="varied"``, ads, some vertical headlines, scan effects.
- **Unseen layouts** (``tests/masonry.py``, held-out seeds 9000-9999, never looked at
  while tuning; 7000-7999 are the tuning seeds): 5 issues of 2 pages (``HELD_OUT``),
  3 at 200 dpi and 2 at 300 dpi, page sizes from ``masonry.issue_params``, paper, date
  and issue number varying by issue, scan effects.
- **The real 农民日报 page** of OmniDocBench's demo set, when it is on this machine:
  block reading order and article grouping of the whole pipeline (``bench/realpage.py``).

Anchors: American Stories' rule-based article association (``bench/anchor.py``) run on
the lines and regions our pipeline stored (so the comparison is of assembly) and on the
generator's exact lines; PaddleOCR's whole-page pipeline (same models; its lines, and its
page text as one article per page) on the held-out pages. Articles are scored one to
one (``bench/scoring.py``). Every page is a PNG in a folder per issue; ours processes
the folders like ``ocr process`` (issue date and number must come from the pages).

    .venv/bin/python bench/articles.py            # writes the articles-unseen section
    .venv/bin/python bench/articles.py --quick    # 1 small held-out issue, prints only
    .venv/bin/python bench/articles.py --old-section   # also rewrites "articles"

Everything else it writes goes to ``bench/out/articles/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import anchor  # noqa: E402  (bench/anchor.py)
import common  # noqa: E402  (bench/common.py)
import scoring  # noqa: E402  (bench/scoring.py)

OUT = ROOT / "bench" / "out" / "articles"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "articles"
SECTION_UNSEEN = "articles-unseen"

PAGES = 4
PAGE_MM = (250.0, 350.0)
DPI = 200
AD_SLOTS = 0.25
VERTICAL = 0.15  # chance that an article's headline is set vertically
TARGETS = {"cer": 0.01, "whole": 0.95, "joined": 0.90, "titles": 0.95}
TARGETS_LINES = {"cer": 0.005, "found": 0.995}
TRUTH_ISSUE = {"date": "2021-01-20", "number": 75}  # what synth's mastheads print
# Held-out masonry issues: (seed, pages, dpi); page sizes from masonry.issue_params.
HELD_OUT = ((9001, 2, 200), (9002, 2, 200), (9003, 2, 200), (9004, 2, 300), (9005, 2, 300))
HELD_OUT_QUICK = ((9001, 2, 200),)

OURS, AMS, PADDLE, AMS_T, TRUTH_K, TRUTH_T = (
    "ours",
    "anchor",
    "paddle",
    "anchor-truth",
    "truth-kinds",
    "truth-text",
)
LABELS = {
    OURS: "ours (ocr process + assembly)",
    AMS: "anchor: American Stories rules on our lines and regions",
    PADDLE: "anchor: PaddleOCR whole page (one article per page)",
    AMS_T: "anchor: American Stories rules on exact lines (generator's kinds)",
    TRUTH_K: "reference: our assembly on exact lines, generator's kinds",
    TRUTH_T: "reference: our assembly on exact lines, all kinds 'text'",
}


# ---------------------------------------------------------------------------- issues


@dataclass
class Issue:
    key: str  # "s5001" (synth) or "m9001" (masonry)
    seed: int
    folder: Path
    pages: list  # synth.TruthPage
    plan: list[dict]
    params: list[dict]
    dpi: int
    facts: dict  # what the issue prints: date (ISO), number, paper
    size_mm: tuple[float, float] = PAGE_MM
    truth: list[dict] = field(default_factory=list)


def _save_pages(issue_pages, folder: Path, dpi: int) -> None:
    from PIL import Image

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for page in issue_pages:
        Image.fromarray(page.image).save(
            folder / f"p{page.number}.png", compress_level=1, dpi=(dpi, dpi)
        )


def _finish_issue(issue: Issue) -> Issue:
    import synth
    from test_articles import truth_articles

    synth.save_truth(issue.pages, OUT / "issues" / f"{issue.key}.truth.json")
    issue.truth = truth_articles(issue.pages)
    (OUT / "issues" / f"{issue.key}.articles.json").write_text(
        json.dumps({"plan": issue.plan, "articles": issue.truth}, ensure_ascii=False, indent=1)
    )
    jumps = "; ".join(f"{j['from']}→{j['to']} {j['out']}/{j['in']}" for j in issue.plan)
    print(
        f"  {issue.key}: {len(issue.pages)} pages at {issue.dpi} dpi; {len(issue.truth)}"
        f" articles; jumps {jumps}",
        file=sys.stderr,
    )
    return issue


def generate(n: int, seed: int) -> list[Issue]:
    """Our generator's issues (tests/synth.py), seeds ``seed`` to ``seed + n - 1``."""
    import synth

    issues = []
    for k in range(n):
        s = seed + k
        plan = synth.jump_plan(PAGES, s)
        rng = random.Random(f"bench-articles:{s}")
        kw = {
            "dpi": DPI,
            "width_mm": PAGE_MM[0],
            "height_mm": PAGE_MM[1],
            "ad_slots": AD_SLOTS,
            "vertical_headlines": VERTICAL,
        }
        pages, params = [], []
        for args in synth._issue_args(PAGES, s, kw):
            args.update(
                jumps=plan,
                body_pt=rng.choice((9.0, 10.0, 10.5)),
                skew_degrees=round(rng.uniform(-2.0, 2.0), 2),
                blur=round(rng.uniform(0.4, 0.8), 2),
                noise=round(rng.uniform(1.5, 3.5), 2),
                jpeg_quality=rng.randint(75, 92),
                color=rng.random() < 0.3,
            )
            pages.append(synth.render_page(**args))
            params.append({k: v for k, v in args.items() if k != "jumps"})
        folder = OUT / "issues" / f"s{s}"
        _save_pages(pages, folder, DPI)
        facts = dict(TRUTH_ISSUE, paper=None)
        issue = Issue(f"s{s}", s, folder, pages, plan, params, DPI, facts)
        issues.append(_finish_issue(issue))
    return issues


def generate_masonry(specs) -> list[Issue]:
    """Held-out masonry issues: ``(seed, pages, dpi)``, page size from the seed."""
    import masonry

    issues = []
    for seed, n, dpi in specs:
        if seed not in masonry.HELD_OUT_SEEDS and seed not in masonry.TUNING_SEEDS:
            raise ValueError(f"seed {seed} is not a masonry seed (tuning or held out)")
        p = masonry.issue_params(seed)
        size = (float(p["width_mm"]), float(p["height_mm"]))
        pages = masonry.render_issue(
            n, seed=seed, dpi=dpi, width_mm=size[0], height_mm=size[1], scan=True
        )
        folder = OUT / "issues" / f"m{seed}"
        _save_pages(pages, folder, dpi)
        plan = masonry.jump_plan(n, seed)
        params = [{"columns": p.columns, "skew": p.skew_degrees} for p in pages]
        facts = dict(pages[0].issue)
        issue = Issue(f"m{seed}", seed, folder, pages, plan, params, dpi, facts, size)
        issues.append(_finish_issue(issue))
    return issues


# ---------------------------------------------------------------------------- systems


def run_ours(issues: list[Issue], threads: int, db_name: str, detect: str | None = None) -> dict:
    """``ocr process`` on the issue folders (in this process; one batch per dpi), then
    the assembly and the export; keeps each issue's layouts (for the anchor) and lines."""
    from ocr import archive
    from ocr.batch import run as batch

    db_path = OUT / db_name
    for p in OUT.glob(db_name + "*"):
        p.unlink()
    started = time.perf_counter()
    failed = 0
    for dpi in sorted({i.dpi for i in issues}):
        options = batch.BatchOptions(
            db=db_path,
            pages_dir=None,
            dpi=dpi,
            jobs=1,
            threads=threads,
            executor="inline",
            detect=detect,
        )
        report = batch.run([i.folder for i in issues if i.dpi == dpi], options)
        failed += report.failed
    out = {"wall": time.perf_counter() - started, "failed": failed, "issues": {}}
    db = archive.open_db(db_path)
    for issue in issues:
        out["issues"][issue.key] = _ours_issue(db, issue)
    out["kinds"] = {
        r["kind"]: r["n"] for r in db.query("SELECT kind, count(*) AS n FROM regions GROUP BY kind")
    }
    db.conn.close()
    return out


def _ours_issue(db, issue: Issue) -> dict:
    from ocr import archive
    from ocr.batch.assemble import assemble_issue
    from ocr.export.jsondoc import issue_document

    row = next(db.query("SELECT * FROM issues WHERE source = ?", [str(issue.folder)]))
    t = time.perf_counter()
    assemble_issue(db, row["id"])
    assembly = time.perf_counter() - t
    doc = issue_document(db, row["id"])
    pages = list(
        db.query(
            "SELECT number, printed_number, meta, seconds FROM pages "
            "WHERE issue_id = ? AND number > 0 ORDER BY number",
            [row["id"]],
        )
    )
    (OUT / "ours").mkdir(parents=True, exist_ok=True)
    (OUT / "ours" / f"{issue.key}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=0))
    return {
        "articles": doc["articles"],
        "issue": doc["issue"],
        "printed": [p["printed_number"] for p in pages],
        "meta": [json.loads(p["meta"] or "{}") for p in pages],
        "page_seconds": [p["seconds"] for p in pages],
        "assembly_seconds": assembly,
        "layouts": archive.issue_layouts(db, row["id"]),
        "lines": {
            p["number"]: [(ln["text"], [tuple(q) for q in ln["poly"]]) for ln in p["lines"]]
            for p in doc["pages"]
        },
    }


def run_paddle(issues: list[Issue], threads: int) -> dict:
    """PaddleOCR's whole-page pipeline: its lines, and each page's text (in its order)
    as one article."""
    from accuracy import BenchPage, PaddleWholePage

    system = PaddleWholePage(threads)
    first = issues[0]
    system.run(  # warm-up, not timed
        BenchPage("warm", first.folder / "p1.png", [], None, (0, 0), first.dpi)
    )
    out = {"issues": {}}
    for issue in issues:
        arts, lines, secs = [], {}, []
        for page in issue.pages:
            path = issue.folder / f"p{page.number}.png"
            h, w = page.image.shape[:2]
            t = time.perf_counter()
            pred = system.run(
                BenchPage(f"{issue.key}-p{page.number}", path, [], None, (w, h), issue.dpi)
            )
            secs.append(time.perf_counter() - t)
            lines[page.number] = pred.lines
            text = "\n".join(t for t, _ in pred.lines)
            arts.append({"title": None, "text": text, "pages": [page.number]})
        out["issues"][issue.key] = {"articles": arts, "lines": lines, "page_seconds": secs}
    return out


def run_truth(issues: list[Issue], classified: bool) -> dict:
    """Our assembly on the generator's exact lines and blocks."""
    from test_articles import truth_layout

    from ocr.articles import assemble_articles

    out = {"issues": {}}
    for issue in issues:
        drafts = assemble_articles([truth_layout(p, classified) for p in issue.pages])
        out["issues"][issue.key] = {
            "articles": [{"title": d.title, "text": d.text, "pages": d.pages} for d in drafts]
        }
    return out


def run_anchor(issues: list[Issue], ours: dict | None) -> dict:
    """American Stories' rules on our stored layouts (``ours``), or on the generator's
    exact lines with its kinds (``ours`` None)."""
    from test_articles import truth_layout

    out = {"issues": {}}
    for issue in issues:
        if ours is None:
            layouts = [truth_layout(p, True) for p in issue.pages]
        else:
            layouts = ours["issues"][issue.key]["layouts"]
        out["issues"][issue.key] = {"articles": anchor.associate_issue(layouts)}
    return out


# ---------------------------------------------------------------------------- one set


@dataclass
class Result:
    """One set of issues, every system run on it and scored."""

    name: str
    issues: list[Issue]
    systems: dict[str, dict]
    totals: dict[str, scoring.Totals] = field(default_factory=dict)
    per_issue: dict[str, dict[str, scoring.IssueScore]] = field(default_factory=dict)
    lines: dict[str, common.Totals] = field(default_factory=dict)  # line scores by system
    lines_per_issue: dict[str, dict[str, common.Totals]] = field(default_factory=dict)
    lines_per_page: dict[tuple[str, int], dict[str, common.Totals]] = field(default_factory=dict)


def line_scores(issue: Issue, lines: dict[int, list]) -> dict[int, common.Totals]:
    """The issue's truth lines against a system's lines (``bench/common.py``), by page."""
    out = {}
    for page in issue.pages:
        h, w = page.image.shape[:2]
        truth = [(ln.text, ln.poly, ln.kind) for ln in page.lines]
        s = common.match_page(truth, lines.get(page.number, []), page.skew_degrees, (w, h))
        out[page.number] = common.Totals()
        out[page.number].add(s.lines, s.spurious)
    return out


def _add(into: common.Totals, t: common.Totals) -> None:
    for k in ("lines", "found", "chars", "errors", "chars_found", "errors_found", "spurious"):
        setattr(into, k, getattr(into, k) + getattr(t, k))


def score(result: Result) -> Result:
    for name, system in result.systems.items():
        total = scoring.Totals()
        for issue in result.issues:
            s = scoring.score_issue(issue.truth, system["issues"][issue.key]["articles"])
            total.issues.append(s)
            result.per_issue.setdefault(issue.key, {})[name] = s
            lines = system["issues"][issue.key].get("lines")
            if lines is None:
                continue
            per_issue = result.lines_per_issue.setdefault(issue.key, {})
            per_issue[name] = common.Totals()
            for number, lt in line_scores(issue, lines).items():
                result.lines_per_page.setdefault((issue.key, number), {})[name] = lt
                _add(per_issue[name], lt)
                _add(result.lines.setdefault(name, common.Totals()), lt)
        result.totals[name] = total
    return result


def evaluate(name: str, issues: list[Issue], args, paddle: bool) -> Result:
    print(f"{name}: ocr process ...", file=sys.stderr)
    ours = run_ours(issues, args.threads, f"{name}.db", args.detect)
    systems = {OURS: ours, AMS: run_anchor(issues, ours)}
    if paddle:
        print(f"{name}: PaddleOCR whole page ...", file=sys.stderr)
        systems[PADDLE] = run_paddle(issues, args.threads)
    systems[AMS_T] = run_anchor(issues, None)
    systems[TRUTH_K] = run_truth(issues, classified=True)
    systems[TRUTH_T] = run_truth(issues, classified=False)
    return score(Result(name, issues, systems))


# ---------------------------------------------------------------------------- main


def _seed_range(text: str) -> range:
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def tuning_specs(seeds: range) -> tuple:
    """Tuning issues shaped as the held-out ones: 2 pages, every third one at 300 dpi."""
    return tuple((s, 2, 300 if k % 3 == 2 else 200) for k, s in enumerate(seeds))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--issues", type=int, default=2, help="issues of our generator (5: as before)")
    p.add_argument("--seed", type=int, default=5001, help="our generator's first seed")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="1 small held-out issue; prints only")
    p.add_argument("--no-synth", action="store_true", help="skip our generator's issues")
    p.add_argument("--no-masonry", action="store_true", help="skip the held-out issues")
    p.add_argument("--no-paddle", action="store_true", help="skip PaddleOCR's whole page")
    p.add_argument("--paddle-synth", action="store_true", help="PaddleOCR on ours too")
    p.add_argument("--no-real", action="store_true")
    p.add_argument(
        "--tuning",
        type=_seed_range,
        metavar="FIRST-LAST",
        help="tuning masonry seeds (7000-7999) instead of the held-out ones; prints only",
    )
    p.add_argument(
        "--detect", choices=("block", "page"), help="how lines are found [ocr's default]"
    )
    p.add_argument("--old-section", action="store_true", help="also write 'articles'")
    p.add_argument("--write", action=argparse.BooleanOptionalAction, default=None)
    args = p.parse_args(argv)
    if args.quick:
        args.no_synth = True
    if args.write is None:
        args.write = not (args.quick or args.tuning)
    if args.tuning and args.write:
        p.error("--tuning prints only: its pages are not the benchmark's")
    args.cmd = " ".join(argv if argv is not None else sys.argv[1:])
    return args


def main(argv: list[str] | None = None) -> int:
    import articles_report as rep

    args = parse_args(argv)
    started = time.perf_counter()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Result] = {}
    if not args.no_synth:
        print(f"rendering {args.issues} issues of our generator ...", file=sys.stderr)
        issues = generate(args.issues, args.seed)
        results["synth"] = evaluate("synth", issues, args, paddle=args.paddle_synth)
    if not args.no_masonry:
        specs = HELD_OUT_QUICK if args.quick else HELD_OUT
        if args.tuning:
            specs = tuning_specs(args.tuning)
        kind = "TUNING (not held-out)" if args.tuning else "held-out"
        print(f"rendering {len(specs)} {kind} masonry issues ...", file=sys.stderr)
        issues = generate_masonry(specs)
        results["masonry"] = evaluate("masonry", issues, args, paddle=not args.no_paddle)
    real = None
    if not args.no_real:
        import realpage

        print("real page ...", file=sys.stderr)
        real = realpage.evaluate(args.threads)
    elapsed = time.perf_counter() - started
    text = rep.unseen_section(args, results, real, elapsed)
    print()
    if args.tuning:
        seeds = f"{args.tuning.start}-{args.tuning.stop - 1}"
        text = text.replace("held-out masonry", f"TUNING masonry {seeds}")
    print(text)
    if args.write:
        common.write_section(BENCHMARKS, SECTION_UNSEEN, text)
        print(f"\nwrote the '{SECTION_UNSEEN}' section of {BENCHMARKS}", file=sys.stderr)
    if args.old_section and "synth" in results:
        import reading_order

        old = rep.old_section(args, results["synth"], reading_order.reading_order(), elapsed)
        print()
        print(old)
        if args.write:
            common.write_section(BENCHMARKS, SECTION, old)
    return 0


if __name__ == "__main__":
    sys.exit(main())
