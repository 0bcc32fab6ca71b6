"""Review benchmark: the review app's speed on a 1,000-page archive, in the browser, and
under concurrent reviewers while ``ocr process`` writes the same archive.

    .venv/bin/python bench/review.py              # writes the "review" section of BENCHMARKS.md
    .venv/bin/python bench/review.py --pages 80 --no-write

The archive is built from stored rows (``tests/reviewdata.py``: pages of 6 columns, a
headline and 49 body lines each, 300 lines a page, 8 pages an issue, articles
assembled), not from OCR. ``ocr review`` runs in its own process on 127.0.0.1 and is
measured over HTTP with a keep-alive client; the anchor is a request for a small
static file through the same server and client in the same run (what any request
costs here). Browser figures come from Debian's chromium driven by Playwright.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import httpx  # noqa: E402
import reviewdata  # noqa: E402
from browser import Server, add_user, launch, log_in  # noqa: E402
from common import git_commit, machine, table, write_section  # noqa: E402

from ocr import archive  # noqa: E402
from ocr.batch.assemble import assemble_issue  # noqa: E402
from ocr.model import PageJob  # noqa: E402

PASSWORD = "benchmark secret"
OUT = ROOT / "bench" / "out" / "review"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def build(db_path: Path, pages: int) -> dict:
    """``pages`` pages (8 an issue) of 300 lines, copied from one generated issue."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    db = archive.open_db(db_path)
    folder = db_path.parent / "pages"
    kw = {"columns": 6, "body_lines": 49}
    t = time.perf_counter()
    for n in range(max(1, pages // 8)):
        issue = archive.upsert_issue(
            db,
            f"i{n}",
            f"scans/{n}.pdf",
            "张庙社区晨报",
            (dt.date(2020, 1, 1) + dt.timedelta(days=n)).isoformat(),
        )
        for k in range(8):
            job = PageJob(f"scans/{n}.pdf", k, k + 1, f"i{n}", f"{n:064d}")
            row = archive.ensure_page(db, issue, job)
            result = reviewdata.page_result(job, k + 1, **kw)
            result.image_path = reviewdata.page_image(folder, f"page-{k + 1}.png", result)
            archive.save_page(db, row["id"], result, "h", None)
        assemble_issue(db, issue)
    seconds = time.perf_counter() - t
    counts = (
        db.execute("SELECT count(*) FROM pages").fetchone()[0],
        db.execute("SELECT count(*) FROM lines").fetchone()[0],
    )
    db.conn.close()
    return {"pages": counts[0], "lines": counts[1], "build_s": seconds}


def reused(db_path: Path) -> dict:
    db = sqlite3.connect(db_path)
    pages, lines = db.execute(
        "SELECT (SELECT count(*) FROM pages WHERE source LIKE 'scans/%'), "
        "(SELECT count(*) FROM lines l JOIN pages p ON p.id = l.page_id "
        "WHERE p.source LIKE 'scans/%')"
    ).fetchone()
    db.close()
    return {"pages": pages, "lines": lines, "build_s": float("nan"), "reused": True}


def login(url: str, name: str) -> tuple[httpx.Client, str]:
    import re

    c = httpx.Client(base_url=url, timeout=120)
    form = c.get("/login").text
    token = re.search(r'id="login-csrf" value="([^"]+)"', form).group(1)
    r = c.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
    assert r.status_code == 303, r.text
    csrf = re.search(r'<meta name="csrf" content="([^"]+)"', c.get("/").text).group(1)
    return c, csrf


def app_ms(response) -> float:
    """The app's own time for a response (its ``Server-Timing`` header)."""
    return float(response.headers["server-timing"].split("dur=")[1])


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return 1000 * (time.perf_counter() - t)


def save_and_next(url: str, n: int) -> dict:
    """Save a correction of the queue's first line and load the next one with its crop,
    ``n`` times (the server's part of Enter); the anchor: a small static file."""
    c, csrf = login(url, "r0")
    head = {"X-CSRF-Token": csrf}
    times, anchors, server = [], [], []
    line = c.get("/api/queue?limit=1").json()["lines"][0]
    for _ in range(n):

        def step():
            nonlocal line
            r = c.post(
                f"/api/pages/{line['page_id']}/lines/{line['id']}",
                json={"text": line["text"] + "正", "version": line["version"]},
                headers=head,
            )
            assert r.status_code == 200, r.text
            q = f"/api/queue?limit=1&after_confidence={line['confidence']}&after_id={line['id']}"
            nxt = c.get(q)
            line = nxt.json()["lines"][0]
            crop = c.get(f"/api/pages/{line['page_id']}/lines/{line['id']}/crop")
            assert crop.status_code == 200
            server.append(app_ms(r) + app_ms(nxt) + app_ms(crop))

        times.append(timed(step))
        anchors.append(timed(lambda: c.get("/static/common.js")))
    return {
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "anchor_p50": pct(anchors, 50),
        "anchor_p95": pct(anchors, 95),
        "n": n,
        "server_p50": pct(server, 50),
        "server_p95": pct(server, 95),
    }


def page_view(url: str, page_ids: list[int], n: int) -> dict:
    """The page view of a 300-line page: its HTML and its line data."""
    c, _ = login(url, "r0")
    times, server = [], []
    for k in range(n):
        pid = page_ids[k % len(page_ids)]

        def load(pid=pid):
            html = c.get(f"/pages/{pid}")
            assert html.status_code == 200
            data = c.get(f"/api/pages/{pid}")
            assert len(data.json()["lines"]) == 300
            server.append(app_ms(html) + app_ms(data))

        times.append(timed(load))
    return {
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "n": n,
        "server_p50": pct(server, 50),
        "server_p95": pct(server, 95),
    }


# Installed through the DevTools protocol (the app's CSP allows no inline script): the
# time from the Enter keydown to the editor marking the next line ready (text in the box,
# crop shown), as the page itself sees it.
WATCH = """() => {
  window.enterTimes = [];
  let t0 = null;
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter") t0 = performance.now();
  }, true);
  new MutationObserver(() => {
    if (t0 !== null && document.body.dataset.readyLine) {
      window.enterTimes.push(performance.now() - t0);
      t0 = null;
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["data-ready-line"] });
}"""


def browser_enter(url: str, page_id: int, n: int) -> dict:
    """Enter to the next line ready to type (its text in the box, its crop shown), in
    chromium on a 300-line page view, over ``n`` corrections: as the page measures it,
    and as the driving script sees it (with Playwright's round trips); keys beyond the
    typed characters."""
    from playwright.sync_api import sync_playwright

    seen, extra = [], 0
    with sync_playwright() as p:
        chromium = launch(p)
        page = chromium.new_context(viewport={"width": 1400, "height": 900}).new_page()
        log_in(page, url, "r0", PASSWORD)
        page.goto(f"{url}/pages/{page_id}")
        page.wait_for_selector("body[data-ready-line]:not([data-ready-line=''])", state="attached")
        page.evaluate(WATCH)
        for _ in range(n):
            current = page.get_attribute("#line-text", "data-line")
            page.keyboard.type("正")
            t = time.perf_counter()
            page.keyboard.press("Enter")
            extra += 1
            page.wait_for_function(
                "old => document.body.dataset.readyLine && document.body.dataset.readyLine !== old",
                arg=current,
                polling="raf",
            )
            seen.append(1000 * (time.perf_counter() - t))
        inpage = page.evaluate("() => window.enterTimes")
        chromium.close()
    return {
        "p50": pct(inpage, 50),
        "p95": pct(inpage, 95),
        "n": len(inpage),
        "seen_p50": pct(seen, 50),
        "seen_p95": pct(seen, 95),
        "extra_keys": extra / n,
    }


def small_scans(folder: Path, pages: int) -> Path:
    """A folder of ``pages`` generated newspaper pages for ``ocr process``."""
    import synth

    folder.mkdir(parents=True, exist_ok=True)
    for k in range(pages):
        path = folder / f"p{k + 1}.png"
        if not path.exists():
            page = synth.render_page(
                number=k + 1, columns=3, dpi=150, width_mm=130, height_mm=170, seed=4100 + k
            )
            from PIL import Image

            Image.fromarray(page.image).save(path)
    return folder


def reviewer(url, name, lines, count, acked, errors, stop):
    c, csrf = login(url, name)
    head = {"X-CSRF-Token": csrf}
    rng = random.Random(name)
    for k in range(count):
        line = rng.choice(lines)
        text = f"{name}改{k}"
        for _ in range(20):
            r = c.post(
                f"/api/pages/{line['page_id']}/lines/{line['id']}",
                json={"text": text, "version": line["version"]},
                headers=head,
            )
            if r.status_code == 200:
                row = r.json()
                line["version"] = row["version"]
                acked.append((line["id"], row["version"], text, time.time()))
                break
            if r.status_code == 409:  # a real conflict: keep mine, on the new version
                errors["conflicts"] += 1
                line["version"] = r.json()["current"]["version"]
                continue
            errors["other"] += 1
            errors.setdefault("samples", []).append(f"{r.status_code} {r.text[:120]}")
            break


def wait_for_first_page(db_path: Path, scans: Path, proc) -> None:
    while proc.poll() is None:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            n = conn.execute(
                "SELECT count(*) FROM pages WHERE source LIKE ? AND processed_at IS NOT NULL",
                [f"{scans}%"],
            ).fetchone()[0]
        finally:
            conn.close()
        if n:
            return
        time.sleep(0.2)


def concurrency(url: str, db_path: Path, reviewers: int, saves: int, scan_pages: int) -> dict:
    """``reviewers`` reviewers saving ``saves`` corrections each (random lines of one
    issue, some the same: real conflicts, resolved by keeping theirs on the new version)
    while ``ocr process`` stores a batch into the same archive."""
    db = archive.open_db(db_path)
    pool = archive.review_page(db, 1)["lines"][:60] + archive.review_page(db, 2)["lines"][:60]
    db.conn.close()
    scans = small_scans(OUT / "scans", scan_pages)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.time()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ocr",
            "process",
            str(scans),
            "--db",
            str(db_path),
            "--jobs",
            "1",
            "-q",
            "--redo",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_for_first_page(db_path, scans, proc)  # the reviewers save while pages are stored
    acked, errors, threads = [], {"conflicts": 0, "other": 0}, []
    per = [[dict(ln) for ln in pool] for _ in range(reviewers)]
    for k in range(reviewers):
        th = threading.Thread(
            target=reviewer, args=(url, f"r{k}", per[k], saves, acked, errors, None)
        )
        th.start()
        threads.append(th)
    for th in threads:
        th.join()
    reviewers_done = time.time()
    out = proc.communicate()[0]
    process_done = time.time()
    db = sqlite3.connect(db_path)
    stored = db.execute(
        "SELECT min(processed_at), max(processed_at), count(*) FROM pages WHERE source LIKE ?",
        [f"{scans}%"],
    ).fetchone()
    lost = sum(
        1
        for line_id, version, text, _ in acked
        if db.execute(
            "SELECT 1 FROM line_history WHERE line_id = ? AND version = ? AND text = ?",
            [line_id, version, text],
        ).fetchone()
        is None
    )
    last = {}
    for line_id, version, text, _ in acked:
        if version > last.get(line_id, (0, ""))[0]:
            last[line_id] = (version, text)
    wrong_final = sum(
        1
        for line_id, (version, text) in last.items()
        if db.execute("SELECT text, version FROM lines WHERE id = ?", [line_id]).fetchone()
        != (text, version)
    )
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    first = dt.datetime.fromisoformat(stored[0]).timestamp() if stored[0] else process_done
    during = sum(1 for *_, t in acked if first <= t <= process_done)
    db.close()
    return {
        "acked": len(acked),
        "lost": lost,
        "wrong_final": wrong_final,
        "integrity": integrity,
        "conflicts": errors["conflicts"],
        "other_errors": errors["other"],
        "samples": errors.get("samples", [])[:3],
        "process_rc": proc.returncode,
        "process_out": out.strip().splitlines()[-3:],
        "pages_stored": stored[2],
        "reviewers_s": reviewers_done - t0,
        "process_s": process_done - t0,
        "saves_during_batch": during,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--saves", type=int, default=300, help="save+next measurements")
    ap.add_argument("--browser-lines", type=int, default=50)
    ap.add_argument("--reviewers", type=int, default=4)
    ap.add_argument("--reviewer-saves", type=int, default=500)
    ap.add_argument("--scan-pages", type=int, default=6)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep the archive of the last run")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "archive.db"
    started = time.time()
    load_before = os.getloadavg()
    built = reused(db_path) if args.reuse and db_path.exists() else build(db_path, args.pages)
    print("built", built, flush=True)
    for k in range(args.reviewers):
        if not built.get("reused"):
            add_user(db_path, f"r{k}", PASSWORD)
    server = Server(db_path)
    try:
        saving = save_and_next(server.url, args.saves)
        print("save+next", saving, flush=True)
        n_pages = built["pages"]
        viewing = page_view(server.url, list(range(1, n_pages + 1))[n_pages // 10 :][:40], 60)
        print("page view", viewing, flush=True)
        typing = browser_enter(server.url, n_pages // 2 + 1, args.browser_lines)
        print("browser", typing, flush=True)
        load_mid = os.getloadavg()
        together = concurrency(
            server.url, db_path, args.reviewers, args.reviewer_saves, args.scan_pages
        )
        print("concurrency", json.dumps(together, ensure_ascii=False), flush=True)
    finally:
        server.stop()
    minutes = (time.time() - started) / 60
    body = report(args, built, saving, viewing, typing, together, minutes, load_before, load_mid)
    print(body)
    if not args.no_write:
        write_section(ROOT / "BENCHMARKS.md", "review", body)


def report(args, built, saving, viewing, typing, together, minutes, load_before, load_mid) -> str:
    ok = lambda good: "yes" if good else "**no**"  # noqa: E731
    anchor = saving["anchor_p95"]
    rows = [
        ["save a correction + the next queue line + its crop: the app's time (Server-Timing)",
         f"{saving['server_p50']:.1f}", f"{saving['server_p95']:.1f}", "≤ 50",
         ok(saving["server_p95"] <= 50), ""],
        ["the same seen by the client over HTTP (3 requests)", f"{saving['p50']:.1f}",
         f"{saving['p95']:.1f}", "", "", f"{saving['p95'] / anchor:.1f}× anchor"],
        ["anchor: a small static file through the same server and client",
         f"{saving['anchor_p50']:.1f}", f"{anchor:.1f}", "", "", "1.0×"],
        ["page view of a 300-line page (HTML + line data): the app's time",
         f"{viewing['server_p50']:.1f}", f"{viewing['server_p95']:.1f}", "", "", ""],
        ["the same seen by the client over HTTP (2 requests)", f"{viewing['p50']:.1f}",
         f"{viewing['p95']:.1f}", "≤ 200", ok(viewing["p95"] <= 200),
         f"{viewing['p95'] / anchor:.1f}× anchor"],
        [f"browser: Enter to the next line ready to type, in the page ({typing['n']} lines)",
         f"{typing['p50']:.1f}", f"{typing['p95']:.1f}", "≤ 100", ok(typing["p95"] <= 100), ""],
        ["the same seen by the Playwright script (its round trips included)",
         f"{typing['seen_p50']:.1f}", f"{typing['seen_p95']:.1f}", "", "", ""],
    ]  # fmt: skip
    t = together
    lines = [
        "## Review (the web app on a 1,000-page archive)",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; run took {minutes:.1f} min.",
        f"- Machine: {machine()}; load average {load_before[0]:.1f} at the start, "
        f"{load_mid[0]:.1f} before the concurrency run (shared with other developers).",
        f"- Command: `.venv/bin/python bench/review.py --pages {args.pages}`; "
        f"code: commit {git_commit()}.",
        f"- Archive: {built['pages']} pages, {built['lines']} lines (300 a page, 8 pages "
        "an issue, articles assembled), built from stored rows (`tests/reviewdata.py`) "
        + (
            "(the archive of the run before, `--reuse`, its corrections included)"
            if built.get("reused")
            else f"in {built['build_s']:.0f} s"
        )
        + "; page images 1200 x 1700 px (the app keeps 6 decoded pages for crops).",
        "- Server: `ocr review` in its own process on 127.0.0.1 (uvicorn), measured over "
        "HTTP with a keep-alive client (httpx), so the times include the client's share.",
        "",
        table(["what", "p50 ms", "p95 ms", "target ms", "met", "vs anchor"], rows),
        "",
        f"- Keystrokes per correction beyond the typed characters: {typing['extra_keys']:.0f} "
        "(Enter; the target is at most 1).",
        f"- Concurrency: {args.reviewers} reviewers x {args.reviewer_saves} saves (random "
        "lines among 120 of one issue, so some collide) while `ocr process --jobs 1 --redo` "
        f"stored {t['pages_stored']} generated pages into the same archive (exit code "
        f"{t['process_rc']}, {t['process_s']:.0f} s; reviewers done after "
        f"{t['reviewers_s']:.0f} s; {t['saves_during_batch']} saves acknowledged between "
        "the batch's first stored page and its end):",
        f"  {t['acked']} saves acknowledged, **{t['lost']} lost** (an acknowledged save "
        f"missing from the line's history), {t['wrong_final']} lines whose final text is "
        f"not the last acknowledged save, {t['conflicts']} real conflicts (409, then saved "
        f"on the new version), **{t['other_errors']} other errors**, "
        f"`PRAGMA integrity_check`: {t['integrity']}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
