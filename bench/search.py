"""Search benchmark: ``ocr search`` exact beside FTS5 trigram and unicode61; its speed at 1M lines.

    .venv/bin/python bench/search.py                  # writes BENCHMARKS.md
    .venv/bin/python bench/search.py --lines 100000 --no-write

Text: issues generated from the seed text as ``tests/synth.py`` reads it (its headlines
and paragraphs): each article a headline and 2-6 paragraphs, cut into lines of 8-18
characters, 10 articles on each of 8 pages of an issue; the archive is built through
the archive API (``save_page``, ``save_articles``), no OCR.

Accuracy: queries of 1-4 characters sampled at random positions of the stored text
(every character CJK), plus as many "near misses" (the first and last characters of
two different samples joined), plus the samples in traditional form (OpenCC ``s2t``).
The truth: plain substring search in each article's title and text, whitespace
removed, compared after the same per-character fold. Recall and precision are summed
over all queries (micro); "exact" is the share of queries answered exactly.

Speed: the archive grown to ``--lines`` lines by copying its pages as new issues
through the same API (the index kept by its triggers), then ``archive.search`` (top
20, ranked, with snippets and hit lines) timed for 1-, 2- and 3-character queries
sampled at random text positions (so common characters are asked as often as they
occur), beside the anchor of the same run: a full ``LIKE`` scan of the lines table.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import common  # noqa: E402  (bench/common.py)
import synth  # noqa: E402  (tests/synth.py)
from test_store import make_result  # noqa: E402

from ocr import archive  # noqa: E402
from ocr.model import PageJob  # noqa: E402
from ocr.text.search import fold, is_cjk  # noqa: E402

BENCHMARKS = ROOT / "BENCHMARKS.md"
PAGES_PER_ISSUE = 8
ARTICLES_PER_PAGE = 10


def generated_issue(rng: random.Random) -> list[list[tuple[str, list[str]]]]:
    """One issue: per page, its articles as (title, lines)."""
    src = synth._source(None)
    pages = []
    for _ in range(PAGES_PER_ISSUE):
        arts = []
        for _ in range(ARTICLES_PER_PAGE):
            body = "".join(rng.sample(src.paragraphs, rng.randint(2, min(6, len(src.paragraphs)))))
            lines, at = [], 0
            while at < len(body):
                n = rng.randint(8, 18)
                lines.append(body[at : at + n])
                at += n
            arts.append((rng.choice(src.headlines), lines))
        pages.append(arts)
    return pages


def store_issue(db, key: str, date: str, pages) -> int:
    issue_id = archive.upsert_issue(db, key, f"scans/{key}.pdf", None, date)
    rows = []
    for number, arts in enumerate(pages, 1):
        sha = hashlib.sha256(key.encode()).hexdigest()
        job = PageJob(f"scans/{key}.pdf", number - 1, number, key, sha)
        page = archive.ensure_page(db, issue_id, job)
        texts = [t for _, lines in arts for t in lines]
        archive.save_page(db, page["id"], make_result(job, texts=texts), "h", None)
        ids = [
            r["id"]
            for r in db.query("SELECT id FROM lines WHERE page_id = ? ORDER BY ord", [page["id"]])
        ]
        at = 0
        for title, lines in arts:
            rows.append(
                {
                    "title": title,
                    "text": "\n".join(lines),
                    "pages": [number],
                    "lines": ids[at : at + len(lines)],
                }
            )
            at += len(lines)
    archive.save_articles(db, issue_id, rows, {"date": date, "flags": []}, method="block")
    return sum(len(r["lines"]) for r in rows)


def build(path: Path, issues: int, seed: int) -> None:
    db = archive.open_db(path)
    rng = random.Random(seed)
    for n in range(issues):
        store_issue(db, f"i{n}", f"2021-{1 + n % 12:02d}-{1 + n // 12:02d}", generated_issue(rng))
    db.conn.close()


# -- accuracy -----------------------------------------------------------------------------


def sample_queries(texts: list[str], n: int, count: int, rng: random.Random) -> list[str]:
    """``count`` distinct CJK-only substrings of length ``n`` at random positions."""
    flat = ["".join(t.split()) for t in texts]
    out: set[str] = set()
    tries = 0
    while len(out) < count and tries < count * 200:
        tries += 1
        t = rng.choice(flat)
        if len(t) < n:
            continue
        i = rng.randrange(len(t) - n + 1)
        q = t[i : i + n]
        if all(is_cjk(c) for c in q):
            out.add(q)
    return sorted(out)


def near_misses(queries: list[str], rng: random.Random) -> list[str]:
    out = []
    for q in queries:
        if len(q) < 2:
            continue
        other = rng.choice(queries)
        out.append(q[: len(q) // 2] + other[len(q) // 2 :])
    return out


def truth(articles: list[dict], query: str) -> set[int]:
    q = fold(query)
    return {a["id"] for a in articles if q in a["folded"]}


def score(systems: dict, articles, queries) -> dict[str, tuple[int, int, int, int]]:
    """Per system: (true hits found, hits returned, true hits, queries answered exactly)."""
    out = {name: [0, 0, 0, 0] for name in systems}
    for q in queries:
        want = truth(articles, q)
        for name, fn in systems.items():
            got = fn(q)
            s = out[name]
            s[0] += len(got & want)
            s[1] += len(got)
            s[2] += len(want)
            s[3] += got == want
    return {k: tuple(v) for k, v in out.items()}


def comparison_systems(db, path: Path) -> dict:
    """Ours, FTS5 trigram and FTS5 unicode61 on the same articles (title and text)."""
    other = sqlite3.connect(":memory:")
    other.execute("CREATE VIRTUAL TABLE tri USING fts5(title, text, tokenize='trigram')")
    other.execute("CREATE VIRTUAL TABLE flat USING fts5(title, text, tokenize='trigram')")
    other.execute("CREATE VIRTUAL TABLE uni USING fts5(title, text)")
    for r in db.query("SELECT id, title, text FROM articles"):
        for t in ("tri", "uni"):
            other.execute(
                f"INSERT INTO {t} (rowid, title, text) VALUES (?, ?, ?)", list(r.values())
            )
        flat = ["".join((v or "").split()) for v in (r["title"], r["text"])]
        other.execute("INSERT INTO flat (rowid, title, text) VALUES (?, ?, ?)", [r["id"], *flat])

    def ours(q):
        return {h["article"] for h in archive.search(db, q)}

    def trigram(q, table="tri"):
        if len(q) >= 3:
            sql, arg = f"SELECT rowid FROM {table} WHERE {table} MATCH ?", '"' + q + '"'
        else:  # what trigram offers for short queries: LIKE through the index (one
            # column a statement: with OR, SQLite scans the table instead)
            sql = (
                f"SELECT rowid FROM {table} WHERE title LIKE ?1 "
                f"UNION SELECT rowid FROM {table} WHERE text LIKE ?1"
            )
            arg = f"%{q}%"
        return {r[0] for r in other.execute(sql, [arg])}

    def unicode61(q):
        return {
            r[0] for r in other.execute("SELECT rowid FROM uni WHERE uni MATCH ?", ['"' + q + '"'])
        }

    return {
        "ocr search": ours,
        "FTS5 trigram": trigram,
        "trigram, no whitespace": lambda q: trigram(q, "flat"),
        "FTS5 unicode61": unicode61,
    }


def accuracy(path: Path, per_length: int, seed: int) -> str:
    import opencc

    db = archive.open_db(path)
    articles = [
        {"id": r["id"], "folded": "".join(fold((r["title"] or "") + "\n" + r["text"]).split())}
        for r in db.query("SELECT id, title, text FROM articles")
    ]
    texts = [r["text"] for r in db.query("SELECT text FROM articles")]
    systems = comparison_systems(db, path)
    rng = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    rows = []
    for n in (1, 2, 3, 4):
        found = sample_queries(texts, n, per_length, rng)
        sets = {
            f"{n} char, found in text": found,
            f"{n} char, near misses": near_misses(found, rng),
        }
        trad = [s2t.convert(q) for q in found]
        trad = [t for t, q in zip(trad, found) if t != q]
        sets[f"{n} char, traditional form"] = trad
        for label, queries in sets.items():
            if not queries:
                continue
            res = score(systems, articles, queries)
            cells = [label, str(len(queries))]
            for name in systems:
                tp, got, want, exact = res[name]
                cells.append(
                    f"{common.fmt_pct(tp / want if want else float('nan'), 1)} / "
                    f"{common.fmt_pct(tp / got if got else float('nan'), 1)} / "
                    f"{common.fmt_pct(exact / len(queries), 0)}"
                )
            rows.append(cells)
    multi = [" ".join(rng.sample(sample_queries(texts, 2, 40, rng), 2)) for _ in range(40)]
    tp = got_n = want_n = exact = 0
    for q in multi:
        want = set.intersection(*(truth(articles, t) for t in q.split()))
        got = {h["article"] for h in archive.search(db, q)}
        tp, got_n, want_n = tp + len(got & want), got_n + len(got), want_n + len(want)
        exact += got == want
    rows.append(
        [
            "two 2-char words",
            str(len(multi)),
            f"{common.fmt_pct(tp / max(want_n, 1), 1)} / {common.fmt_pct(tp / max(got_n, 1), 1)}"
            f" / {common.fmt_pct(exact / len(multi), 0)}",
            "n/a",
            "n/a",
            "n/a",
        ]
    )
    db.conn.close()
    header = ["queries", "n", *systems]
    return common.table(header, rows), len(articles)


# -- speed --------------------------------------------------------------------------------


def grow(path: Path, lines: int, seed: int) -> float:
    """Add generated issues until the archive holds ``lines`` lines; seconds spent."""
    db = archive.open_db(path)
    rng = random.Random(seed + 1)
    base = [generated_issue(rng) for _ in range(4)]
    n = archive.index_counts(db)["lines"]
    k = 1000
    t0 = time.perf_counter()
    while n < lines:
        date = f"20{10 + k % 15:02d}-{1 + k % 12:02d}-{1 + k % 28:02d}"
        n += store_issue(db, f"g{k}", date, base[k % 4])
        k += 1
        if k % 20 == 0:
            print(f"  {n} lines", file=sys.stderr)
    secs = time.perf_counter() - t0
    db.conn.close()
    return secs


def timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1000


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def speed(path: Path, per_length: int, seed: int) -> tuple[str, dict]:
    db = archive.open_db(path)
    texts = [r["text"] for r in db.query("SELECT text FROM articles ORDER BY random() LIMIT 2000")]
    rng = random.Random(seed + 2)
    rows = []
    for n in (1, 2, 3):
        queries = [q for q in sample_queries(texts, n, per_length * 3, rng)]
        rng.shuffle(queries)
        queries = queries[:per_length]
        ms = [timed(archive.search, db, q, None, None, None, 20) for q in queries]
        hits = [archive.count_hits(db, q) for q in queries[:20]]
        rows.append(
            [
                f"{n} char",
                str(len(queries)),
                f"{statistics.median(ms):.1f}",
                f"{pct(ms, 0.95):.1f}",
                f"{max(ms):.1f}",
                f"{statistics.median(hits):.0f}",
            ]
        )
    anchor = [
        timed(
            lambda q: db.execute(
                "SELECT count(*) FROM lines WHERE text LIKE ?", [f"%{q}%"]
            ).fetchone(),
            q,
        )
        for q in ("张庙", "科创园", "街道")
    ]
    counts = archive.index_counts(db)
    chars = db.execute("SELECT sum(length(text)) FROM lines").fetchone()[0]
    achars = db.execute(
        "SELECT sum(length(text)) + sum(length(coalesce(title, ''))) FROM articles"
    ).fetchone()[0]
    sizes = {}
    try:
        for name in ("articles_fts", "lines_fts"):
            sizes[name] = db.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?", [name + "%"]
            ).fetchone()[0]
    except sqlite3.OperationalError:
        sizes = {}
    db.conn.close()
    facts = {
        "counts": counts,
        "chars": chars,
        "article_chars": achars,
        "sizes": sizes,
        "anchor_ms": statistics.median(anchor),
        "file_mb": path.stat().st_size / 1e6,
    }
    header = ["query", "n", "p50 ms", "p95 ms", "max ms", "median hits"]
    return common.table(header, rows), facts


def index_one_page(path: Path, seed: int) -> tuple[float, float]:
    """Median seconds to store one generated page (its articles after) with the index,
    on the grown archive, and on a fresh archive without the search migration."""
    rng = random.Random(seed + 3)
    issue = generated_issue(rng)[:1]

    def run(db_path, tag):
        times = []
        for k in range(5):
            db = archive.open_db(db_path)
            t0 = time.perf_counter()
            store_issue(db, f"{tag}{k}", "2030-01-01", issue)
            times.append(time.perf_counter() - t0)
            db.conn.close()
        return statistics.median(times)

    with_index = run(path, "p")
    from ocr.archive import db as archive_db

    keep = archive_db.MIGRATIONS
    with tempfile.TemporaryDirectory() as tmp:
        archive_db.MIGRATIONS = [m for m in keep if m[0] != "0006_search"]
        try:
            without = run(Path(tmp) / "plain.db", "p")
        finally:
            archive_db.MIGRATIONS = keep
    return with_index, without


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--issues", type=int, default=2, help="Issues of the accuracy archive.")
    ap.add_argument("--queries", type=int, default=100, help="Queries per length.")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", type=Path, default=None, help="Keep the grown archive here.")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    load0 = os.getloadavg()
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "archive.db"
        if not path.exists():
            build(path, args.issues, args.seed)
        acc, n_articles = accuracy(path, args.queries, args.seed)
        print(acc)
        grow_s = grow(path, args.lines, args.seed)
        speed_table, facts = speed(path, 50, args.seed)
        print(speed_table, facts)
        per_page, without = index_one_page(path, args.seed)
    load1 = os.getloadavg()
    c = facts["counts"]
    size = sum(facts["sizes"].values()) if facts["sizes"] else None
    indexed_chars = facts["chars"] + facts["article_chars"]
    per_m = size / indexed_chars if size else float("nan")
    body = f"""## Search (bench/search.py)

`{" ".join(["bench/search.py", *(argv or sys.argv[1:])])}` at {common.git_commit()},
SQLite {sqlite3.sqlite_version}; {common.machine()};
load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end (the machine is shared);
{(time.perf_counter() - t_start) / 60:.1f} min in all.

**Accuracy** against the stored text, on {args.issues} generated issues ({n_articles}
articles, text from the seed as tests/synth.py reads it). Queries sampled at random
positions of the text; near misses join halves of two samples; traditional forms by
OpenCC s2t. The truth is plain substring search (folded, whitespace removed). Trigram
answers 1-2 characters with `LIKE` (its documented path; on SQLite 3.40 it returns
nothing), 3-4 with `MATCH`; "trigram, no whitespace" is the same on the text with its
whitespace (the line breaks inside an article) removed, as the truth is; unicode61
with a `MATCH` phrase. Each cell: recall / precision / share of queries answered
exactly, in %.

{acc}

**Speed** on the archive grown to {c["lines"]:,} lines / {c["articles"]:,} articles
(copied generated issues stored through the archive API, index kept by the triggers:
{grow_s / 60:.1f} min). `archive.search(query, limit=20)`: ranked, snippets and hit
lines, 50 queries per length sampled at random text positions (common characters as
often as they occur; "median hits" = articles holding the query). Anchor: a full
`LIKE '%…%'` scan of the lines table, {facts["anchor_ms"]:.0f} ms median.
Targets: p95 ≤ 50 ms for 2 and 3 characters, ≤ 200 ms for 1.

{speed_table}

**Size**: the search tables take {size / 1e6 if size else float("nan"):.0f} MB
({", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in facts["sizes"].items())}) for
{indexed_chars / 1e6:.1f} M characters indexed (lines {facts["chars"] / 1e6:.1f} M,
articles {facts["article_chars"] / 1e6:.1f} M): {per_m:.1f} MB per million characters;
the whole archive file {facts["file_mb"]:.0f} MB.

**Indexing one page** (one generated page of {ARTICLES_PER_PAGE} articles stored with
`save_page`, then its articles with `save_articles`): {per_page * 1000:.0f} ms
median on the grown archive, {without * 1000:.0f} ms on a fresh archive without the
search migration; the index costs about {(per_page - without) * 1000:.0f} ms a page.
"""
    if not args.no_write:
        common.write_section(BENCHMARKS, "search", body)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
