"""`ocr process --watch DIR`: scans dropped into a hot folder are processed once they
are complete (size and time unchanged for a while); Ctrl-C stops cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import blank_scans, check_real_page
from PIL import Image

from ocr import archive
from ocr.archive import pages_done
from ocr.batch.watch import HotFolder
from ocr.cli.main import main

TESTS = Path(__file__).parent


def blank(path: Path, width: int) -> None:
    tmp = path.with_name("." + path.name)  # written under a hidden name, then renamed
    Image.fromarray(np.full((300, width), 255, np.uint8)).save(tmp, format="PNG")
    os.replace(tmp, path)


def test_a_file_still_being_written_is_left_alone(tmp_path):
    hot = HotFolder(tmp_path, settle=1.0)
    scan = tmp_path / "p1.png"
    scan.write_bytes(b"\x89PNG partial")
    now = time.time()
    assert hot.scan(now) == []  # first sight
    assert hot.scan(now + 0.5) == []  # unchanged, but not for long enough
    with open(scan, "ab") as f:
        f.write(b"more")  # still growing
    assert hot.scan(now + 5) == []  # changed since the last look
    assert hot.scan(now + 6) == [scan]  # unchanged and settled: taken
    assert hot.scan(now + 7) == []  # only once


def test_watch_processes_files_as_they_arrive(tmp_path, capsys):
    hot = tmp_path / "hot"
    issue = hot / "zhangmiao-2021-01-20"
    issue.mkdir(parents=True)
    db_path = tmp_path / "a.db"

    def scanner():
        for i in range(4):
            time.sleep(0.3)
            blank(issue / f"p{i + 1}.png", 600 + 10 * i)

    thread = threading.Thread(target=scanner)
    thread.start()
    args = ["process", "--watch", str(hot), "--db", str(db_path), "-q", "-j", "1"]
    args += ["--engine", "fakes:FakeEngine", "--watch-settle", "0.3", "--watch-poll", "0.1"]
    main([*args, "--watch-limit", "4", "--watch-seconds", "60"])
    thread.join()
    out = capsys.readouterr().out
    assert "1 issue(s), 4 page(s): 4 processed" in out
    db = archive.open_db(db_path)
    rows = db.execute("SELECT number, status FROM pages ORDER BY number").fetchall()
    assert rows == [(1, "done"), (2, "done"), (3, "done"), (4, "done")]
    assert db.execute("SELECT count(*) FROM issues").fetchone()[0] == 1
    assert db.execute("SELECT date FROM issues").fetchone()[0] == "2021-01-20"
    db.conn.close()


@pytest.mark.slow
def test_a_real_page_dropped_in_is_read_by_the_real_models(engine, real_page, tmp_path, capsys):
    """The hot folder with the real PaddleOCR models: a scan copied in while `ocr process
    --watch` runs is taken once complete and stored as read (in this process: the
    session's engine, loaded once)."""
    hot = tmp_path / "hot"
    hot.mkdir()
    db_path = tmp_path / "a.db"

    def scanner():
        time.sleep(0.5)
        tmp = hot / ".front.png"  # written under a hidden name, then renamed
        shutil.copy(real_page.path, tmp)
        os.replace(tmp, hot / "front.png")

    thread = threading.Thread(target=scanner)
    thread.start()
    args = ["process", "--watch", str(hot), "--db", str(db_path), "-q", "--executor", "inline"]
    args += ["--watch-settle", "0.3", "--watch-poll", "0.1", "--watch-limit", "1"]
    main([*args, "--watch-seconds", "300"])
    thread.join()
    assert "1 issue(s), 1 page(s): 1 processed, 0 already done, 0 failed" in capsys.readouterr().out
    check_real_page(db_path, real_page)


def test_ctrl_c_stops_watching_cleanly(tmp_path):
    hot = tmp_path / "hot"
    hot.mkdir()
    blank(hot / "a.png", 600)
    db_path = tmp_path / "a.db"
    env = dict(os.environ, PYTHONPATH=str(TESTS))
    cmd = [sys.executable, "-m", "ocr", "process", "--watch", str(hot), "--db", str(db_path)]
    cmd += ["-q", "-j", "1", "--engine", "fakes:FakeEngine", "--watch-settle", "0.2"]
    cmd += ["--watch-poll", "0.1"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while pages_done(db_path) < 1:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # Ctrl-C right after the page's commit: the page is counted all the same.
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert "1 issue(s), 1 page(s): 1 processed" in out.decode()
    assert "Traceback" not in err.decode()


def test_ctrl_c_between_storing_and_counting_a_page_waits_for_the_count(tmp_path, monkeypatch):
    """The page is committed, then Ctrl-C arrives before the report counts it: the
    interrupt is held until the page is counted and logged, then raised."""
    from ocr.batch.run import BatchOptions, BatchReport, open_executor, run_issues
    from ocr.scan.load import discover

    scans = blank_scans(tmp_path)
    save = archive.save_page

    def save_then_interrupt(*args, **kwargs):
        counts = save(*args, **kwargs)  # committed
        os.kill(os.getpid(), signal.SIGINT)
        return counts

    monkeypatch.setattr(archive, "save_page", save_then_interrupt)
    log = tmp_path / "log.jsonl"
    opts = BatchOptions(
        db=tmp_path / "a.db",
        pages_dir=None,
        executor="inline",
        engine="fakes:FakeEngine",
        log_json=log,
    )
    report = BatchReport()
    try:
        with open_executor(opts) as executor:
            run_issues(discover([scans]), opts, executor, report=report)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the Ctrl-C was lost")
    assert pages_done(tmp_path / "a.db") == 1
    assert report.done == 1
    assert len(log.read_text().splitlines()) == 1
