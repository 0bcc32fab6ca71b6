"""A batch killed with SIGKILL in the middle resumes: every page ends stored exactly
once, none twice, the database stays consistent, no worker outlives the batch."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from ocr.archive import pages_done

TESTS = Path(__file__).parent
PAGES = 12


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def ocr_process(scans: Path, db_path: Path, log: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        FAKE_OCR_SECONDS="0.15",
    )
    cmd = [sys.executable, "-m", "ocr", "process", str(scans), "--db", str(db_path)]
    cmd += ["--jobs", "2", "--quiet", "--engine", "fakes:FakeEngine", "--log-json", str(log)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_when(proc: subprocess.Popen, db_path: Path, pages: int) -> None:
    deadline = time.monotonic() + 60
    while pages_done(db_path) < pages:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the batch made no progress"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_kill_9_and_resume(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(PAGES):
        Image.fromarray(np.full((300, 500 + 10 * i), 255, np.uint8)).save(scans / f"p{i + 1}.png")
    db_path = tmp_path / "out" / "archive.db"
    log = tmp_path / "pages.jsonl"

    for when in (3, 7):  # killed twice, at different points
        kill_when(ocr_process(scans, db_path, log), db_path, when)
        assert pages_done(db_path) < PAGES
        workers = {json.loads(line)["worker"] for line in log.read_text().splitlines()}
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in workers), "a worker outlived the batch"

    proc = ocr_process(scans, db_path, log)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert "already done" in out.decode()

    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = db.execute("SELECT number, status, attempts FROM pages ORDER BY number").fetchall()
    assert rows == [(n, "done", 1) for n in range(1, PAGES + 1)]  # each stored once
    assert db.execute("SELECT count(*) FROM lines").fetchone()[0] == PAGES
    assert db.execute("SELECT count(*) FROM line_history").fetchone()[0] == PAGES
    dupes = (
        "SELECT count(*) FROM (SELECT page_id, ord FROM lines GROUP BY 1, 2 HAVING count(*) > 1)"
    )
    assert db.execute(dupes).fetchone()[0] == 0
    db.close()
