"""Fault injection: an engine that crashes or hangs, a worker that dies or is killed
mid-page, a disk that fills up: each fails its page only (recorded with the reason),
the rest of the batch completes. Runs the fake engine of tests/fakes.py."""

from __future__ import annotations

import errno
import json
import sqlite3
import time
from collections import Counter

import numpy as np
import pytest
from fakes import DIE_WIDTH, HANG_WIDTH, KILL_WIDTH, RAISE_WIDTH
from PIL import Image

from ocr import archive
from ocr.batch.run import BatchOptions, run
from ocr.errors import ModelError, StoreError

FAKE = "fakes:FakeEngine"


def blank(path, width):
    Image.fromarray(np.full((400, width), 255, np.uint8)).save(path)


def pages(db_path) -> dict[int, dict]:
    db = archive.open_db(db_path)
    rows = {r["number"]: r for r in db.query("SELECT * FROM pages")}
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.conn.close()
    return rows


@pytest.mark.parametrize("jobs", [1, 2])
def test_engine_exception_fails_that_page_only(tmp_path, jobs):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, width in enumerate([600, RAISE_WIDTH, 640, 660]):
        blank(scans / f"p{i + 1}.png", width)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=jobs, engine="fakes:FakeEngine")
    report = run([scans], opts)
    assert (report.done, report.failed) == (3, 1)
    db = archive.open_db(tmp_path / "a.db")
    failed = list(db.query("SELECT number, error FROM pages WHERE status = 'failed'"))
    assert [r["number"] for r in failed] == [2]
    assert "p2.png page 1" in failed[0]["error"] and "crashed on purpose" in failed[0]["error"]
    db.conn.close()


def test_dying_worker_fails_that_page_only(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    widths = [600, 610, DIE_WIDTH, 620, 630, 640]
    for i, width in enumerate(widths):
        blank(scans / f"p{i + 1}.png", width)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=2, engine="fakes:FakeEngine")
    report = run([scans], opts)
    assert (report.done, report.failed) == (5, 1)
    db = archive.open_db(tmp_path / "a.db")
    rows = {r["number"]: r for r in db.query("SELECT * FROM pages")}
    assert rows[3]["status"] == "failed" and "worker process died" in rows[3]["error"]
    assert all(rows[n]["status"] == "done" for n in (1, 2, 4, 5, 6))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.conn.close()


def test_hung_engine_times_out_and_its_worker_is_replaced(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, width in enumerate([600, HANG_WIDTH, 620, 640, 660]):
        blank(scans / f"p{i + 1}.png", width)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=2, engine=FAKE, page_timeout=2)
    started = time.monotonic()
    report = run([scans], opts)
    assert time.monotonic() - started < 30
    assert (report.done, report.failed) == (4, 1)
    rows = pages(tmp_path / "a.db")
    assert rows[2]["status"] == "failed"
    assert "p2.png page 1: timed out after 2 s" in rows[2]["error"]
    assert all(rows[n]["status"] == "done" for n in (1, 3, 4, 5))


def test_worker_killed_mid_page_fails_that_page_only(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, width in enumerate([600, KILL_WIDTH, 620, 640]):
        blank(scans / f"p{i + 1}.png", width)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=1, engine=FAKE)
    report = run([scans], opts)
    assert (report.done, report.failed) == (3, 1)
    rows = pages(tmp_path / "a.db")
    assert "worker process died while processing it (exit code -9)" in rows[2]["error"]
    assert all(rows[n]["status"] == "done" for n in (1, 3, 4))


def test_workers_are_recycled_and_every_page_is_done_once(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(7):
        blank(scans / f"p{i + 1}.png", 600 + 10 * i)
    log = tmp_path / "log.jsonl"
    opts = BatchOptions(
        db=tmp_path / "a.db", pages_dir=None, jobs=2, recycle_after=2, engine=FAKE, log_json=log
    )
    report = run([scans], opts)
    assert (report.done, report.failed) == (7, 0)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(r["number"] for r in records) == list(range(1, 8))
    per_worker = Counter(r["worker"] for r in records)
    assert len(per_worker) >= 4 and max(per_worker.values()) <= 2
    assert all(r["rss_mb"] > 0 and r["peak_rss_mb"] >= r["rss_mb"] for r in records)


def test_engine_that_cannot_load_stops_the_batch(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    blank(scans / "p1.png", 600)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=2, engine="fakes:BrokenEngine")
    with pytest.raises(ModelError, match="missing on purpose"):
        run([scans], opts)


def test_disk_full_writing_a_page_image_fails_that_page_only(tmp_path, monkeypatch):
    from ocr import pipeline

    real = pipeline.save_page_image

    def save(gray, pages_dir, job):
        if job.source.endswith("p2.png"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(gray, pages_dir, job)

    monkeypatch.setattr(pipeline, "save_page_image", save)
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(3):
        blank(scans / f"p{i + 1}.png", 600 + 10 * i)
    opts = BatchOptions(
        db=tmp_path / "a.db", pages_dir=tmp_path / "pages", executor="inline", engine=FAKE
    )
    report = run([scans], opts)
    assert (report.done, report.failed) == (2, 1)
    rows = pages(tmp_path / "a.db")
    assert "p2.png page 1" in rows[2]["error"] and "No space left on device" in rows[2]["error"]
    assert len(list((tmp_path / "pages").glob("*.png"))) == 2


def test_database_full_for_one_page_fails_that_page_only(tmp_path, monkeypatch):
    real = archive.save_page

    def save_page(db, page_id, result, *args):
        if result.job.source.endswith("p2.png"):
            raise sqlite3.OperationalError("database or disk is full")
        return real(db, page_id, result, *args)

    monkeypatch.setattr(archive, "save_page", save_page)
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(4):
        blank(scans / f"p{i + 1}.png", 600 + 10 * i)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=2, engine=FAKE)
    report = run([scans], opts)
    assert (report.done, report.failed) == (3, 1)
    rows = pages(tmp_path / "a.db")
    assert rows[2]["status"] == "failed"
    assert "p2.png page 1: cannot store the page: database or disk is full" in rows[2]["error"]


def test_database_that_fills_up_stops_the_batch_and_resumes(tmp_path, monkeypatch):
    """A real SQLITE_FULL (the database may not grow past a few pages more): the pages
    stored before are kept, the batch stops with a StoreError, and a later run (space
    freed) finishes the rest."""
    real_open = archive.open_db

    def open_small(path):
        db = real_open(path)
        size = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {size + 12}")
        return db

    scans = tmp_path / "scans"
    scans.mkdir()
    text = "很长的一行" * 400  # a big line per page, so the database must grow
    for i in range(12):
        blank(scans / f"p{i + 1}.png", 600 + 10 * i)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=1, engine=FAKE)
    monkeypatch.setenv("FAKE_OCR_TEXT", text)
    monkeypatch.setattr(archive, "open_db", open_small)
    with pytest.raises(StoreError, match="database or disk is full"):
        run([scans], opts)
    monkeypatch.setattr(archive, "open_db", real_open)
    db = archive.open_db(tmp_path / "a.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = db.execute("SELECT count(*) FROM pages WHERE status = 'done'").fetchone()[0]
    db.conn.close()
    assert 0 < stored < 12, stored
    report = run([scans], opts)
    assert (report.done, report.skipped, report.failed) == (12 - stored, stored, 0)
    assert set(pages(tmp_path / "a.db")[n]["status"] for n in range(1, 13)) == {"done"}
