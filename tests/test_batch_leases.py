"""Leases (``ocr.batch.leases``): two batches on one archive at once run each page once
in total, ``ocr status`` shows the pages a batch holds as ``running``, and a lease whose
holder is gone (a dead process on this host, or no renewal for the page timeout) is
taken over, while a live one is left alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from ocr import archive
from ocr.batch import leases
from ocr.batch.run import BatchOptions, run
from ocr.cli.main import main

TESTS = Path(__file__).parent
FAKE = "fakes:FakeEngine"
PAGES = 8


def scans(tmp_path: Path, pages: int = PAGES) -> Path:
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(pages):
        Image.fromarray(np.full((300, 500 + 10 * i), 255, np.uint8)).save(folder / f"p{i + 1}.png")
    return folder


def ocr_process(folder: Path, db: Path, starts: Path, gate: Path | None = None) -> subprocess.Popen:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        FAKE_OCR_SECONDS="0.5",
        FAKE_OCR_STARTS=str(starts),
    )
    if gate is not None:  # after its first page the batch waits for the gate to open
        env["FAKE_OCR_GATE"] = str(gate)
    cmd = [sys.executable, "-m", "ocr", "process", str(folder), "--db", str(db)]
    cmd += ["--jobs", "1", "--quiet", "--engine", FAKE]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_batches_share_the_pages_each_run_once(tmp_path, capsys):
    """A second `ocr process` started while the first runs finds the pages the first has
    not claimed yet (a batch claims a chunk at a time, as it goes) and shares the work;
    every page runs once in all."""
    folder = scans(tmp_path)
    db = tmp_path / "out" / "archive.db"
    starts = tmp_path / "starts"
    starts.mkdir()
    gate = tmp_path / "gate"
    procs = [ocr_process(folder, db, starts, gate)]
    deadline = time.monotonic() + 120
    while archive.pages_done(db) < 1:  # the first batch has stored a page: it is running
        assert procs[0].poll() is None and time.monotonic() < deadline, procs[0].communicate()
        time.sleep(0.05)
    first = {f.name.split("-")[1] for f in starts.iterdir()}
    procs.append(ocr_process(folder, db, starts))
    # The first batch holds its second page until the second batch has started one (on
    # a loaded machine the first could otherwise finish before the second has begun).
    while not {f.name.split("-")[1] for f in starts.iterdir()} - first:
        assert procs[1].poll() is None and time.monotonic() < deadline, procs[1].communicate()
        time.sleep(0.05)
    gate.touch()
    seen_running = 0
    while any(p.poll() is None for p in procs):
        database = archive.open_db(db)
        seen_running = max(seen_running, leases.page_states(database)["running"])
        database.conn.close()
        time.sleep(0.1)
    outs = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs

    widths = sorted(int(f.name.split("-")[0]) for f in starts.iterdir())
    assert widths == [500 + 10 * i for i in range(PAGES)]  # every page started once in all
    processed = [int(out.split(": ")[1].split(" processed")[0]) for out, _ in outs]
    assert sum(processed) == PAGES
    assert min(processed) >= 1, outs  # both batches did pages: the work was shared
    pids = {int(f.name.split("-")[1]) for f in starts.iterdir()}
    assert len(pids) == 2  # one worker process of each batch
    assert seen_running > 0  # `ocr status` showed the held pages as running
    database = archive.open_db(db)
    rows = database.execute("SELECT status, attempts, lease_run FROM pages").fetchall()
    database.conn.close()
    assert rows == [("done", 1, None)] * PAGES  # each stored once, every lease freed
    main(["status", "--db", str(db)])
    assert capsys.readouterr().out.splitlines()[0].startswith(f"done={PAGES} pending=0")


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def hold(db_path: Path, number: int, pid: int, host: str, at: str) -> None:
    """Page ``number`` pending and held by another batch (``pid`` on ``host`` since ``at``)."""
    db = archive.open_db(db_path)
    db.execute(
        "UPDATE pages SET status = 'pending', lease_run = ?, lease_pid = ?, lease_host = ?, "
        "lease_at = ? WHERE number = ?",
        [f"other-{number}", pid, host, at, number],
    )
    db.conn.close()


def test_stale_leases_are_taken_over_and_live_ones_left(tmp_path, capsys):
    folder = scans(tmp_path, pages=4)
    db = tmp_path / "a.db"
    options = BatchOptions(db=db, pages_dir=None, jobs=1, engine=FAKE, executor="inline")
    assert run([folder], options).done == 4
    here, now, long_ago = socket.gethostname(), archive.now(), "2020-01-01T00:00:00+00:00"
    hold(db, 1, dead_pid(), here, now)  # its process is gone: stale
    hold(db, 2, os.getpid(), here, now)  # alive (this very process, another batch): left
    hold(db, 3, 12345, "elsewhere", long_ago)  # another host, not renewed for years: stale
    hold(db, 4, 12345, "elsewhere", now)  # another host, renewed just now: left

    main(["status", "--db", str(db)])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "done=0 pending=2 failed=0 running=2 suspect=0"
    assert f"running: 1 page(s) held by pid {os.getpid()} on {here}" in out
    assert "running: 1 page(s) held by pid 12345 on elsewhere" in out

    report = run([folder], options)
    assert (report.done, report.running) == (2, 2)
    database = archive.open_db(db)
    rows = database.execute("SELECT number, status, attempts, lease_run FROM pages ORDER BY number")
    assert rows.fetchall() == [
        (1, "done", 2, None),
        (2, "pending", 1, "other-2"),
        (3, "done", 2, None),
        (4, "pending", 1, "other-4"),
    ]
    database.conn.close()


def test_what_is_stale():
    here = socket.gethostname()
    now = archive.now()
    assert leases.is_stale({"pid": dead_pid(), "host": here, "at": now}, 600)
    assert not leases.is_stale({"pid": os.getpid(), "host": here, "at": now}, 600)
    old = "2020-01-01T00:00:00+00:00"
    assert leases.is_stale({"pid": os.getpid(), "host": here, "at": old}, 600)  # hung
    assert leases.holder_alive(1, "another-host") is None  # cannot be seen from here
    assert leases.stale_after(5) == leases.MIN_STALE  # a short timeout takes no live lease
    assert leases.stale_after(None) == leases.STALE_AFTER == 600


def test_status_counts_suspect_pages_without_loading_them(db, monkeypatch):
    """``ocr status`` on a large archive: the suspect pages are counted in SQL (the same
    pages ``archive.suspects`` lists: done, numbered), never loaded to be counted."""
    from ocr.model import PageJob, PageResult

    issue = archive.upsert_issue(db, "k", "scans", None, None)
    for n in range(1, 6):
        job = PageJob(f"scans/p{n}.png", 0, n, "k", f"{n}" * 64)
        page = archive.ensure_page(db, issue, job)
        reasons = ["mean confidence 0.450 under 0.750"] if n % 2 else []
        archive.save_page(db, page["id"], PageResult(job=job), "h", None, 0.45, reasons)
    db.execute("UPDATE pages SET number = -id WHERE number = 5")  # parked: not counted
    assert len(archive.suspects(db)) == 2

    def no_loading(db):
        raise AssertionError("the suspect rows were loaded to be counted")

    monkeypatch.setattr(archive, "suspects", no_loading)
    counts = leases.page_states(db)
    assert (counts["suspect"], counts["done"]) == (2, 4)
