"""Site benchmark: recall and precision of the static site's in-browser search for 1-4
character queries sampled from the stored text (and their traditional forms), against
exact substring truth, side by side with pagefind on the same articles and queries;
export seconds per page for json (the anchor), text, markdown, iiif and site.

    .venv/bin/python bench/site.py                  # writes the "site" section of BENCHMARKS.md
    .venv/bin/python bench/site.py --issues 2 --queries 20 --no-write

The archive: issues rendered by ``tests/synth.py`` (``render_issue``: colour scans with
skew, the seed issue's text), their truth lines stored through the archive API as if
recognized (no OCR), an article per headline and page. Queries run in Chromium
(Playwright, /usr/bin/chromium) on the exported site served by http.server on 127.0.0.1:
``ZM.query`` is the site's own search code. Truth for a query: the articles whose stored
text (title and text) holds it, compared after the site's folding (case, full-width,
traditional -> simplified); *strict* precision compares without folding.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import common  # noqa: E402  (bench/common.py)

OUT = ROOT / "bench" / "out" / "site"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "site"


# ---------------------------------------------------------------------------- archive


def store_issue(db, folder: Path, pages, key: str, date: str) -> int:
    """Store rendered truth pages as an issue: lines as read, an article per headline."""
    from PIL import Image

    from ocr import archive
    from ocr.model import Box, Line, PageJob, PageResult, Region
    from ocr.text import join_text

    folder.mkdir(parents=True, exist_ok=True)
    issue = archive.upsert_issue(db, key, str(folder), "张庙社区晨报", date)
    articles = []
    for tp in pages:
        path = folder / f"p{tp.number}.png"
        Image.fromarray(tp.image).save(path)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        job = PageJob(str(path), 0, tp.number, key, sha, dpi=tp.dpi)
        page = archive.ensure_page(db, issue, job)
        h, w = tp.image.shape[:2]
        regions = [Region(id=f"b{i}", kind=b.kind, box=Box(*b.box), poly=Box(*b.box).poly())
                   for i, b in enumerate(tp.blocks)]  # fmt: skip
        lines = [Line(id=f"l{k}", text=ln.text, confidence=0.95, poly=list(ln.poly),
                      box=Box(*ln.box), region=f"b{ln.block}", order=k + 1)
                 for k, ln in enumerate(tp.lines)]  # fmt: skip
        result = PageResult(job=job, width=w, height=h, dpi=tp.dpi,
                            skew_degrees=tp.skew_degrees, deskewed_width=w, deskewed_height=h,
                            regions=regions, lines=lines)  # fmt: skip
        archive.save_page(db, page["id"], result, "bench", archive.provenance_id(db, {"b": 1}))
        (stored,) = [p for p in archive.issue_pages(db, issue) if p["number"] == tp.number]
        ids = {ln["ord"]: ln["id"] for ln in stored["lines"]}
        for art in tp.articles:
            mine = [k for k, ln in enumerate(tp.lines) if ln.article == art.index]
            text = ""
            for k in mine:
                if tp.lines[k].kind in ("body", "subhead", "caption"):
                    text = join_text(text, tp.lines[k].text)
            articles.append({"title": art.full_title, "text": text, "pages": [tp.number],
                             "lines": [ids[k + 1] for k in mine], "jump_lines": [],
                             "regions": []})  # fmt: skip
    archive.save_articles(db, issue, articles, {"flags": [], "date": date}, method="bench")
    return issue


def build_archive(n_issues: int, pages: int, seed: int):
    import synth

    from ocr import archive

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    db = archive.open_db(OUT / "archive.db")
    day = dt.date(2021, 1, 6)
    for i in range(n_issues):
        skew = random.Random(seed + i).uniform(-1.5, 1.5)
        rendered = synth.render_issue(pages, seed=seed + i, dpi=150, color=True, skew_degrees=skew)
        date = (day + dt.timedelta(days=14 * i)).isoformat()
        store_issue(db, OUT / "scans" / date, rendered, f"bench-{i}", date)
    return db


# ---------------------------------------------------------------------------- exports


def time_exports(db) -> dict[str, float]:
    """Wall seconds of each export of the whole archive (fresh output folders), through
    ``ocr export FORMAT``'s machinery (``run_export``)."""
    from ocr.export import formats
    from ocr.export.incremental import run_export

    runs = {
        name: (lambda out, name=name: run_export(db, formats.get(name), out))
        for name in ("json", "text", "markdown", "iiif", "site")
    }
    seconds = {}
    for name, run in runs.items():
        out = OUT / "export" / name
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        run(out)
        seconds[name] = time.perf_counter() - t0
    return seconds


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------- queries


def article_texts(db) -> dict[int, str]:
    from ocr import archive
    from ocr.export.jsondoc import issue_document

    return {a["id"]: (a["title"] or "") + "\n" + (a["text"] or "")
            for i in archive.issue_ids(db) for a in issue_document(db, i)["articles"]}  # fmt: skip


def sample_queries(texts: dict[int, str], per_length: int, seed: int) -> dict[str, list[str]]:
    """``per_length`` distinct queries of each length 1-4 (no white space) drawn from the
    stored text, and the traditional form of the 2-4 character ones that have one."""
    import opencc

    rng = random.Random(seed)
    pool = list(texts.values())
    out: dict[str, list[str]] = {}
    for n in (1, 2, 3, 4):
        found: set[str] = set()
        while len(found) < per_length:
            t = rng.choice(pool)
            i = rng.randrange(0, max(1, len(t) - n))
            q = t[i : i + n]
            if len(q) == n and not any(c.isspace() for c in q):
                found.add(q)
        out[f"{n} char"] = sorted(found)
    s2t = opencc.OpenCC("s2t")
    trad = sorted({s2t.convert(q) for n in (2, 3, 4) for q in out[f"{n} char"]} - {
        q for n in (2, 3, 4) for q in out[f"{n} char"]})  # fmt: skip
    out["traditional"] = trad[:per_length]
    return out


def score(got: dict[str, list[int]], queries: list[str], truth) -> tuple[float, float, int]:
    """(recall, precision, queries with any error) over all (query, article) pairs."""
    tp = fp = fn = bad = 0
    for q in queries:
        g, t = set(got[q]), truth(q)
        tp, fp, fn = tp + len(g & t), fp + len(g - t), fn + len(t - g)
        bad += g != t
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    return recall, precision, bad


# ---------------------------------------------------------------------------- pagefind


def build_pagefind(texts: dict[int, str], out: Path) -> str | None:
    """A pagefind index of the articles (one page each, lang zh-Hans) in ``out``; None
    with the reason when pagefind is not installed."""
    try:
        from pagefind.index import IndexConfig, PagefindIndex
    except ImportError as exc:
        return f"pagefind not installed ({exc})"
    from html import escape

    async def run():
        config = IndexConfig(output_path=str(out))
        async with PagefindIndex(config=config) as index:
            for aid, text in texts.items():
                title, _, body = text.partition("\n")
                head = f"<head><title>{escape(title)}</title></head>"
                html = (f"<html lang='zh-Hans'>{head}<body><h1>{escape(title)}</h1>"
                        f"<p>{escape(body)}</p></body></html>")  # fmt: skip
                await index.add_html_file(content=html, url=f"/a/{aid}")

    asyncio.run(run())
    _settled(out)
    return None


def _settled(out: Path, timeout: float = 120.0) -> None:
    """Wait until pagefind's service has finished writing ``out`` (it may still be
    writing when the index is closed, seen under load: pagefind-entry.json empty)."""
    import json

    deadline, last = time.time() + timeout, None
    while time.time() < deadline:
        sizes = sorted((str(p), p.stat().st_size) for p in out.rglob("*") if p.is_file())
        try:
            json.loads((out / "pagefind-entry.json").read_text(encoding="utf-8"))
            if sizes == last:
                return
        except (OSError, ValueError):
            pass
        last = sizes
        time.sleep(1.0)
    raise RuntimeError(f"pagefind did not finish writing {out}")


PAGEFIND_JS = """async qs => {
  const pf = await import(location.origin + '/_pagefind/pagefind.js');
  await pf.init();
  const out = {};
  for (const q of qs) {
    const r = await pf.search(q);
    const data = await Promise.all(r.results.map(x => x.data()));
    out[q] = data.map(d => parseInt(d.url.split('/a/')[1]));
  }
  return out;
}"""
PAGEFIND_SETUP = (
    "pagefind 1.5.2 (extended, `pagefind[extended]` from PyPI), one page per article, "
    "lang zh-Hans, its own search (`pagefind.js`) in the same browser"
)
SITE_JS = """async qs => { const out = {}; for (const q of qs)
  out[q] = (await ZM.query(q)).map(k => ZM.doc(k)[1]); return out; }"""


def run_browser(
    site: Path, queries: list[str], with_pagefind: bool
) -> tuple[dict, dict | None, float]:
    """(site answers, pagefind answers or None, site seconds per query) in Chromium."""
    from browser import launch, serve
    from playwright.sync_api import sync_playwright

    (site / "_blank.html").write_text("<!doctype html><title>pf</title>", encoding="utf-8")
    with serve(site) as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(url + "search.html")
        t0 = time.perf_counter()
        ours = page.evaluate(SITE_JS, queries)
        per_query = (time.perf_counter() - t0) / max(1, len(queries))
        theirs = None
        if with_pagefind:
            page.goto(url + "_blank.html")
            theirs = page.evaluate(PAGEFIND_JS, queries)
        browser.close()
    return ours, theirs, per_query


# ---------------------------------------------------------------------------- report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--issues", type=int, default=8)
    ap.add_argument("--pages", type=int, default=4, help="pages per issue")
    ap.add_argument("--queries", type=int, default=100, help="queries per length")
    ap.add_argument("--seed", type=int, default=6100)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    from ocr.export.site.searchindex import fold

    started, busy0, load0 = time.time(), common.machine_busy_seconds(), os.getloadavg()
    commit = common.git_commit()  # at the start: the code that runs
    db = build_archive(args.issues, args.pages, args.seed)
    build_s = time.time() - started
    seconds = time_exports(db)
    texts = article_texts(db)
    folded = {aid: fold(t) for aid, t in texts.items()}
    groups = sample_queries(texts, args.queries, args.seed)
    queries = [q for qs in groups.values() for q in qs]
    site = OUT / "export" / "site"
    pf_note = build_pagefind(texts, site / "_pagefind")
    ours, theirs, per_query = run_browser(site, queries, pf_note is None)
    wall = time.time() - started
    busy = common.machine_busy_seconds() - busy0
    n_pages = args.issues * args.pages

    def truth(q):
        terms = fold(q).split()
        return {a for a, t in folded.items() if all(x in t for x in terms)}

    def strict(q):
        return {a for a, t in texts.items() if q in t}

    rows = []
    for name, qs in groups.items():
        r, p, bad = score(ours, qs, truth)
        row = [name, str(len(qs)), common.fmt_pct(r), common.fmt_pct(p), str(bad)]
        if name != "traditional":
            row.append(common.fmt_pct(score(ours, qs, strict)[1]))
        else:
            row.append("—")
        if theirs is not None:
            r2, p2, bad2 = score(theirs, qs, truth)
            row += [common.fmt_pct(r2), common.fmt_pct(p2), str(bad2)]
        else:
            row += ["—"] * 3
        rows.append(row)
    jiedao = [a for a, t in texts.items() if "张庙街道" in t]
    example = ""
    if theirs is not None and jiedao:
        got = run_browser(site, ["街道"], True)
        example = (f"- 街道 in 张庙街道: {len(jiedao)} articles hold 张庙街道; the site finds "
                   f"{len(set(got[0]['街道']) & set(jiedao))} of them, pagefind "
                   f"{len(set(got[1]['街道']) & set(jiedao))}.")  # fmt: skip
    body = report(args, rows, seconds, n_pages, build_s, wall, busy, load0, per_query, pf_note,
                  example, site, commit)  # fmt: skip
    print(body)
    if not args.no_write:
        common.write_section(BENCHMARKS, SECTION, body)
    return 0


def report(args, rows, seconds, n_pages, build_s, wall, busy, load0, per_query, pf_note,
           example, site, commit) -> str:  # fmt: skip
    load1 = os.getloadavg()
    other = max(0.0, busy / max(1e-9, wall) - 1.0)
    anchor = seconds["json"] / n_pages
    export_rows = [[name, f"{s / n_pages:.3f}", f"{(s / n_pages) / anchor:.1f}"]
                   for name, s in seconds.items()]  # fmt: skip
    index_bytes = folder_bytes(site / "search")
    head = ["queries", "n", "site recall %", "site precision %", "site queries wrong",
            "site strict precision %", "pagefind recall %", "pagefind precision %",
            "pagefind queries wrong"]  # fmt: skip
    return "\n".join(
        [
            "## Static site search and exports (generated issues, no OCR)",
            "",
            f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; run took {wall / 60:.1f} min "
            f"(rendering and storing the archive {build_s / 60:.1f} min of it).",
            f"- Machine: {common.machine()}; load average {load0[0]:.2f} at the start, "
            f"{load1[0]:.2f} at the end; all processes kept {busy / max(1e-9, wall):.2f} cores "
            f"busy on average (this run about 1 of them; other load ~{other:.2f} cores)"
            + (
                "; the machine was saturated, so the seconds are inflated by other "
                "developers' work: compare the ratios to json, measured in the same run."
                if other >= 0.9 or load1[0] > 2 * (os.cpu_count() or 1)
                else "."
            ),
            f"- Command: `.venv/bin/python bench/site.py --issues {args.issues} --pages "
            f"{args.pages} --queries {args.queries} --seed {args.seed}`",
            f"- Code: commit {commit}.",
            f"- Archive: {args.issues} issues x {args.pages} pages from tests/synth.py "
            "`render_issue` (150 dpi, colour, skew within ±1.5°, the seed issue's text), truth "
            "lines stored through the archive API, an article per headline and page.",
            "- Queries: sampled from the stored article text (title and text), distinct, no white "
            "space; traditional: the OpenCC s2t form of the 2-4 character ones where it differs. "
            "Truth: the articles holding the query after the site's folding (case, full-width, "
            "traditional → simplified); strict precision: against plain substring, no folding. "
            "Both systems run in Chromium on the same articles.",
            f"- pagefind: {pf_note or PAGEFIND_SETUP}.",
            example,
            "",
            common.table(head, rows),
            "",
            f"Site search: {per_query * 1000:.1f} ms per query in the browser (index loaded on "
            f"demand, wall time in Chromium over http.server); index {index_bytes / 1024:.0f} KiB "
            f"for {sum(1 for _ in (site / 'issues').rglob('article-*.html'))} articles.",
            "",
            "Export seconds per page (the whole archive, fresh folder; json is the anchor):",
            "",
            common.table(["format", "s / page", "vs json"], export_rows),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
