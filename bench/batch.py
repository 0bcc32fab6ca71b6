"""Batch benchmark: pages per minute of whole batches (``ocr.batch.run``) with one and
two local worker processes and on a local Dask cluster of two workers, against
PaddleOCR's own whole-page pipeline run page by page, all on the same generated pages
in one run; memory per worker over the batch; and SIGKILL-and-resume.

    .venv/bin/python bench/batch.py                 # 200 pages, writes BENCHMARKS.md
    .venv/bin/python bench/batch.py --pages 20 --no-write

Pages come from ``tests/synth.py`` (``render_page``): 130 x 170 mm at 200 dpi, 3 columns,
10 pages per issue (one folder of PNGs per issue), mild scan effects. They are kept
under ``bench/out/batch/pages`` (git-ignored) and reused by the next run with the same
seed. Every system starts from an empty archive; timings include starting the workers
and loading the models (as a user would see them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import common  # noqa: E402  (bench/common.py)

OUT = ROOT / "bench" / "out" / "batch"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "batch"
PAGE = {"width_mm": 130.0, "height_mm": 170.0, "dpi": 200, "columns": 3}
PER_ISSUE = 10
SYSTEMS = ("jobs1", "jobs2", "dask2", "paddle")
LABELS = {
    "jobs1": "ours, `--jobs 1` (2 engine threads)",
    "jobs2": "ours, `--jobs 2` (1 engine thread each)",
    "dask2": "ours, `--executor dask`, 2 local workers (1 thread each)",
    "paddle": "anchor: PaddleOCR whole page, page by page (2 threads)",
}
RSS_WINDOW = 20  # pages at the start and at the end compared for memory


# ---------------------------------------------------------------------------- pages


def generate(n: int, seed: int) -> Path:
    """``n`` pages in folders of ``PER_ISSUE`` (one issue each) under OUT/pages."""
    import synth
    from PIL import Image

    folder = OUT / "pages"
    manifest = folder / "manifest.json"
    want = {"pages": n, "seed": seed, **PAGE, "per_issue": PER_ISSUE}
    if manifest.exists() and json.loads(manifest.read_text()) == want:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for g in range(n):
        issue, number = g // PER_ISSUE, g % PER_ISSUE + 1
        rng = random.Random(f"bench-batch:{seed}:{g}")
        page = synth.render_page(
            number=number,
            seed=seed + issue,
            masthead=number == 1,
            photos=rng.choice((0, 1)),
            skew_degrees=round(rng.uniform(-2, 2), 2),
            blur=0.5,
            noise=2.0,
            **PAGE,
        )
        path = folder / f"zhangmiao-{issue + 1:03d}" / f"p{number}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(page.image).save(path, compress_level=1)
        if g % 20 == 0:
            print(f"  rendered {g + 1}/{n}", file=sys.stderr)
    manifest.write_text(json.dumps(want))
    return folder


def page_files(folder: Path) -> list[Path]:
    from ocr.scan.load import natural_key

    return sorted(folder.rglob("*.png"), key=lambda p: natural_key(str(p.relative_to(folder))))


# ---------------------------------------------------------------------------- systems


def run_ours(name: str, folder: Path, jobs: int, executor="local", scheduler=None) -> dict:
    from ocr.batch.run import BatchOptions, run

    db, log = OUT / f"{name}.db", OUT / f"{name}.jsonl"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), log):
        p.unlink(missing_ok=True)
    shutil.rmtree(OUT / f"{name}-pages", ignore_errors=True)
    options = BatchOptions(
        db=db,
        pages_dir=OUT / f"{name}-pages",
        dpi=PAGE["dpi"],
        jobs=jobs,
        threads=1 if executor == "dask" else None,
        executor=executor,
        scheduler=scheduler,
        log_json=log,
    )
    t = time.perf_counter()
    report = run([folder], options, progress(name))
    wall = time.perf_counter() - t
    records = [json.loads(line) for line in log.read_text().splitlines()]
    out = {"pages": report.done, "failed": report.failed, "wall": wall}
    out.update(memory(records))
    out["lines"] = report.lines
    return out


def memory(records: list[dict]) -> dict:
    """RSS after each page and the workers' peak RSS, first pages against last."""
    k = min(RSS_WINDOW, len(records) // 2)
    if k < 1:
        return {}
    rss = [r["rss_mb"] for r in records]
    peak = [r["peak_rss_mb"] for r in records]
    return {
        "window": k,
        "rss_first": statistics.mean(rss[:k]),
        "rss_last": statistics.mean(rss[-k:]),
        "peak_first": statistics.mean(peak[:k]),
        "peak_last": statistics.mean(peak[-k:]),
        "workers": len({r["worker"] for r in records}),
    }


def run_dask(folder: Path) -> dict:
    from distributed import LocalCluster

    t = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    started = time.perf_counter() - t
    try:
        out = run_ours("dask2", folder, 2, "dask", cluster.scheduler_address)
    finally:
        cluster.close()
    out["cluster_start"] = started
    return out


def run_paddle(folder: Path, threads: int = 2) -> dict:
    """PaddleOCR's OCR pipeline on each whole page, as bench/accuracy.py builds it."""
    from accuracy import PaddleWholePage

    from ocr.batch.jobs import peak_rss_mb, rss_mb

    t = time.perf_counter()
    system = PaddleWholePage(threads)
    done = failed = lines = 0
    rss, peak = [], []
    files = page_files(folder)
    for k, path in enumerate(files):
        try:
            (res,) = system.ocr.predict(str(path))
            done += 1
            lines += len(res["rec_texts"])
        except Exception as exc:  # report it, keep going
            failed += 1
            print(f"  paddle failed on {path}: {exc}", file=sys.stderr)
        rss.append(rss_mb())
        peak.append(peak_rss_mb())
        if k % 10 == 0:
            print(f"  paddle {k + 1}/{len(files)}", file=sys.stderr)
    wall = time.perf_counter() - t
    out = {"pages": done, "failed": failed, "wall": wall, "lines": lines}
    out.update(memory([{"rss_mb": a, "peak_rss_mb": b, "worker": 0} for a, b in zip(rss, peak)]))
    return out


def progress(name: str):
    state = {"n": 0}

    def on_event(event: str, data: dict) -> None:
        if event == "start":
            state["total"] = data["todo"]
        elif event == "page":
            state["n"] += 1
            if state["n"] % 10 == 0 or data["status"] != "done":
                extra = f" FAILED {data['error']}" if data["status"] != "done" else ""
                print(f"  {name} {state['n']}/{state['total']}{extra}", file=sys.stderr)

    return on_event


# ---------------------------------------------------------------------------- kill -9


def kill_and_resume(folder: Path, pages: int, kills: int, seed: int) -> dict:
    """SIGKILL ``ocr process --jobs 2`` at random points ``kills`` times, then let it
    finish; check every page is stored exactly once and the database is sound."""
    from ocr import archive

    src = page_files(folder)[:pages]
    work = OUT / "kill"
    shutil.rmtree(work, ignore_errors=True)
    for path in src:
        dest = work / "scans" / path.relative_to(folder)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, dest)
    db = work / "archive.db"
    cmd = [sys.executable, "-m", "ocr", "process", str(work / "scans"), "--db", str(db)]
    cmd += ["--jobs", "2", "--dpi", str(PAGE["dpi"]), "--quiet"]
    rng = random.Random(f"bench-batch-kill:{seed}")
    at: list[int] = []
    t = time.perf_counter()
    for _ in range(kills):
        before = archive.pages_done(db)
        left = len(src) - before
        if left < 2:
            break
        target = before + rng.randint(1, max(1, min(left - 1, len(src) // kills)))
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while archive.pages_done(db) < target and proc.poll() is None:
            time.sleep(0.05)
        # Kill some time after a page was stored, so pages are in flight.
        time.sleep(rng.uniform(0.0, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        at.append(archive.pages_done(db))
        print(f"  killed with {at[-1]}/{len(src)} pages stored", file=sys.stderr)
    final = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT status, attempts FROM pages").fetchall()
    dupes = conn.execute(
        "SELECT count(*) FROM (SELECT page_id, ord FROM lines GROUP BY 1, 2 HAVING count(*) > 1)"
    ).fetchone()[0]
    history_extra = conn.execute(
        "SELECT count(*) FROM line_history WHERE version = 1 AND line_id IN "
        "(SELECT line_id FROM line_history GROUP BY line_id, version HAVING count(*) > 1)"
    ).fetchone()[0]
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    return {
        "pages": len(src),
        "kills": at,
        "exit": final.returncode,
        "rows": len(rows),
        "done": sum(1 for s, _ in rows if s == "done"),
        "stored_once": sum(1 for s, a in rows if s == "done" and a == 1),
        "duplicate_lines": dupes,
        "duplicate_history": history_extra,
        "integrity": integrity,
        "wall": wall,
    }


def cpu_seconds() -> float:
    """CPU time of this process and of its children (workers) that have ended."""
    import resource

    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# ---------------------------------------------------------------------------- report


def report(args, results: dict, kill: dict | None, elapsed: float, render_s: float) -> str:

    anchor = results.get("paddle")
    rows = []
    for name, r in results.items():
        ppm = 60 * r["pages"] / r["wall"] if r["wall"] else float("nan")
        vs = ""
        if anchor and anchor["pages"]:
            vs = f"{ppm / (60 * anchor['pages'] / anchor['wall']):.2f}"
        if "window" in r:
            change = 100 * (r["peak_last"] - r["peak_first"]) / r["peak_first"]
            mem = (
                f"{r['rss_first']:.0f} → {r['rss_last']:.0f}",
                f"{r['peak_first']:.0f} → {r['peak_last']:.0f} ({change:+.1f}%)",
            )
        else:
            mem = ("-", "-")
        rows.append(
            [
                LABELS[name],
                str(r["pages"]),
                str(r["failed"]),
                f"{r['wall']:.0f}",
                f"{r['cpu'] / r['pages']:.1f}" if r.get("cpu") and r["pages"] else "-",
                f"{ppm:.2f}",
                vs,
                *mem,
                str(r.get("workers", "-")),
                f"{100 * r['others']:.0f}" if "others" in r else "-",
            ]
        )
    table = common.table(
        [
            "system",
            "pages",
            "failed",
            "wall s",
            "CPU s / page",
            "pages / min",
            "vs anchor",
            f"RSS after page, MB (first {RSS_WINDOW} → last {RSS_WINDOW})",
            f"peak RSS per worker, MB (first {RSS_WINDOW} → last {RSS_WINDOW})",
            "worker processes",
            "other load %",
        ],
        rows,
    )
    lines = [
        "## Batches (generated pages)",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; run took "
        f"{elapsed / 60:.1f} min (rendering {render_s / 60:.1f} min of it).",
        f"- Machine: {common.machine()}.",
        f"- Command: `{' '.join(['.venv/bin/python bench/batch.py', *args.argv])}`",
        f"- Code: commit {common.git_commit()}.",
        f"- Pages: {args.pages} pages from tests/synth.py `render_page`, "
        f"{PAGE['width_mm']:.0f} x {PAGE['height_mm']:.0f} mm at {PAGE['dpi']} dpi "
        f"({round(PAGE['width_mm'] / 25.4 * PAGE['dpi'])} x "
        f"{round(PAGE['height_mm'] / 25.4 * PAGE['dpi'])} px), {PAGE['columns']} columns, "
        f"skew within ±2°, blur 0.5 px, noise 2; {PER_ISSUE} pages per issue (a folder of "
        f"PNGs); seed {args.seed}.",
        "- Ours: `ocr.batch.run` from an empty archive, pages stored in SQLite and page "
        "images written, workers (local and Dask) recycled every 50 pages, "
        "page timeout 600 s; wall time "
        "includes starting the workers and loading the models. The Dask run starts a "
        "`LocalCluster(n_workers=2, threads_per_worker=1, processes=True)` on 127.0.0.1 "
        "first (its start-up is not in the wall time"
        + (
            f": {results['dask2']['cluster_start']:.1f} s)."
            if "dask2" in results and "cluster_start" in results["dask2"]
            else ")."
        ),
        "- Anchor: PaddleOCR's own OCR pipeline (`PaddleOCR.predict` on the whole page, "
        "same PP-OCRv6 small models, ONNX Runtime, 2 threads) page by page in this process, "
        "model loading included; it stores nothing.",
        "- Systems run one after another on the same pages (not interleaved), so load from "
        "other processes on the machine falls on them unevenly: *other load* is the share "
        "of the machine's CPU time that other processes used while each system ran. "
        "CPU s / page (all processes of the system: workers, Dask scheduler and nannies, "
        "the writer) depends less on that load than wall time does.",
        "",
        table,
        "",
        "Memory: RSS after page is the worker's resident memory when it finished a page, "
        "averaged over the first and the last pages of the batch (in the order they "
        "finished); peak RSS is the worker's high-water mark at that point. Workers "
        "are replaced every 50 pages (Dask workers retire gracefully and their nannies "
        "start fresh ones), so the last pages come from fresher workers.",
    ]
    if kill:
        ok = (
            kill["exit"] == 0
            and kill["done"] == kill["pages"] == kill["rows"] == kill["stored_once"]
            and kill["duplicate_lines"] == 0
            and kill["duplicate_history"] == 0
            and kill["integrity"] == "ok"
        )
        lines += [
            "",
            f"Kill and resume: `ocr process --jobs 2` on the first {kill['pages']} pages "
            f"killed with SIGKILL {len(kill['kills'])} times at random points (pages stored "
            f"when killed: {', '.join(map(str, kill['kills']))}), then run to the end: "
            f"exit {kill['exit']}, {kill['done']}/{kill['pages']} pages done, "
            f"{kill['stored_once']} stored exactly once (attempts = 1), "
            f"{kill['duplicate_lines']} duplicate lines, {kill['duplicate_history']} "
            f"duplicate history rows, `PRAGMA integrity_check`: {kill['integrity']}; "
            f"{kill['wall']:.0f} s in all. **{'PASS' if ok else 'FAIL'}**",
        ]
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="pages in the batch (200)")
    parser.add_argument("--seed", type=int, default=2001, help="seed of the first issue")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help=f"subset of {','.join(SYSTEMS)}"
    )
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs in the resume test")
    parser.add_argument(
        "--kill-pages", type=int, default=40, help="pages in the kill-and-resume test (40)"
    )
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])
    args.systems = [s for s in args.systems.split(",") if s]
    if set(args.systems) - set(SYSTEMS):
        parser.error(f"--systems: choose from {','.join(SYSTEMS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"rendering {args.pages} pages ...", file=sys.stderr)
    folder = generate(args.pages, args.seed)
    render_s = time.perf_counter() - started
    results: dict[str, dict] = {}
    for name in args.systems:
        print(f"{LABELS[name]} ...", file=sys.stderr)
        busy, mine, wall = common.machine_busy_seconds(), cpu_seconds(), time.perf_counter()
        if name == "jobs1":
            results[name] = run_ours(name, folder, 1)
        elif name == "jobs2":
            results[name] = run_ours(name, folder, 2)
        elif name == "dask2":
            results[name] = run_dask(folder)
        else:
            results[name] = run_paddle(folder)
        r = results[name]
        r["cpu"] = cpu_seconds() - mine
        others = common.machine_busy_seconds() - busy - r["cpu"]
        r["others"] = max(0.0, others) / ((time.perf_counter() - wall) * (os.cpu_count() or 1))
        print(f"  {name}: {r['pages']} pages in {r['wall']:.1f} s", file=sys.stderr)
    kill = None
    if args.kills:
        print("kill and resume ...", file=sys.stderr)
        kill = kill_and_resume(folder, min(args.kill_pages, args.pages), args.kills, args.seed)
    text = report(args, results, kill, time.perf_counter() - started, render_s)
    print()
    print(text)
    if args.write:
        common.write_section(BENCHMARKS, SECTION, text)
        print(f"wrote the '{SECTION}' section of {BENCHMARKS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
