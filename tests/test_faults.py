"""Fault injection: a crashing engine and a dying worker fail their page only."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import DIE_WIDTH, RAISE_WIDTH
from PIL import Image

from ocr import store
from ocr.batch import BatchOptions, run


def blank(path, width):
    Image.fromarray(np.full((400, width), 255, np.uint8)).save(path)


@pytest.mark.parametrize("jobs", [1, 2])
def test_engine_exception_fails_that_page_only(tmp_path, jobs):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, width in enumerate([600, RAISE_WIDTH, 640, 660]):
        blank(scans / f"p{i + 1}.png", width)
    opts = BatchOptions(db=tmp_path / "a.db", pages_dir=None, jobs=jobs, engine="fakes:FakeEngine")
    report = run([scans], opts)
    assert (report.done, report.failed) == (3, 1)
    db = store.open_db(tmp_path / "a.db")
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
    db = store.open_db(tmp_path / "a.db")
    rows = {r["number"]: r for r in db.query("SELECT * FROM pages")}
    assert rows[3]["status"] == "failed" and "worker process died" in rows[3]["error"]
    assert all(rows[n]["status"] == "done" for n in (1, 2, 4, 5, 6))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.conn.close()
