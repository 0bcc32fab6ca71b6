"""Observable batches through the CLI (fake engine): the progress bar, --log-json,
`ocr status` (counts, failures with reasons, corrections the new OCR reads
differently), `ocr retry`, and corrections that survive re-processing."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import blank_scans, check_real_page

from ocr import archive
from ocr.cli.main import main
from ocr.errors import PagesFailed

FAKE = ["--engine", "fakes:FakeEngine"]


@pytest.fixture
def scans(tmp_path):
    return blank_scans(tmp_path)


def test_progress_log_status_and_retry(scans, tmp_path, capsys, monkeypatch):
    db = tmp_path / "a.db"
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("FAKE_OCR_FAIL_PAGES", "p2.png")  # page 2 fails this time
    with pytest.raises(SystemExit) as info:
        main(["process", str(scans), "--db", str(db), "--log-json", str(log), "-j", "2", *FAKE])
    assert info.value.code == PagesFailed.exit_code
    out, err = capsys.readouterr()
    assert "1 issue(s), 3 page(s): 2 processed, 0 already done, 1 failed" in out
    assert "pages/min" in err and "3/3" in err and "1 failed" in err  # the progress bar
    assert "checked (3 read)" in err  # the scans checked before the pages
    assert "p2.png page 1: RuntimeError: engine crashed on purpose" in err

    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(r["number"] for r in records) == [1, 2, 3]
    by_number = {r["number"]: r for r in records}
    assert by_number[2]["status"] == "failed" and "crashed" in by_number[2]["error"]
    assert by_number[1]["status"] == "done" and by_number[1]["lines"] == 1
    assert {"source", "page", "sha256", "seconds", "timings", "worker", "rss_mb"} <= set(
        by_number[1]
    )

    main(["status", "--db", str(db)])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "done=2 pending=0 failed=1 running=0 suspect=0"
    assert out[1].startswith("failed: ") and "p2.png page 1" in out[1] and "crashed" in out[1]

    monkeypatch.delenv("FAKE_OCR_FAIL_PAGES")  # the fault is gone
    main(["retry", "--db", str(db), "-q", *FAKE])
    assert "retried: 1 processed, 0 still failed" in capsys.readouterr().out
    main(["status", "--db", str(db)])
    assert (
        capsys.readouterr().out.splitlines()[0] == "done=3 pending=0 failed=0 running=0 suspect=0"
    )
    main(["retry", "--db", str(db), "-q", *FAKE])
    assert capsys.readouterr().out.strip() == "no failed pages"

    main(["process", str(scans), "--db", str(db), *FAKE])  # again: the scans are known
    out, err = capsys.readouterr()
    assert "3 page(s): 0 processed, 3 already done" in out
    assert "3/3 checked (0 read)" in err


@pytest.mark.slow
def test_retry_stores_a_real_page_after_a_fault(engine, real_page, tmp_path, capsys, monkeypatch):
    """A page failed by an injected fault, then `ocr retry` with the real PaddleOCR models
    (in this process: the session's engine) reads and stores it."""
    scans = tmp_path / "scans"
    scans.mkdir()
    shutil.copy(real_page.path, scans)
    db = tmp_path / "a.db"
    monkeypatch.setenv("FAKE_OCR_FAIL_PAGES", "front.png")
    with pytest.raises(SystemExit) as info:  # a worker process with the fake engine
        main(["process", str(scans), "--db", str(db), "-q", "-j", "1", *FAKE])
    assert info.value.code == PagesFailed.exit_code
    assert "front.png page 1: RuntimeError: engine crashed on purpose" in capsys.readouterr().err
    monkeypatch.delenv("FAKE_OCR_FAIL_PAGES")

    main(["retry", "--db", str(db), "-q", "--executor", "inline"])  # the real models
    assert "retried: 1 processed, 0 still failed" in capsys.readouterr().out
    check_real_page(db, real_page)
    main(["status", "--db", str(db)])
    assert (
        capsys.readouterr().out.splitlines()[0] == "done=1 pending=0 failed=0 running=0 suspect=0"
    )


def test_corrections_survive_redo_and_the_conflict_is_visible(scans, tmp_path, capsys, monkeypatch):
    db_path = tmp_path / "a.db"
    monkeypatch.setenv("FAKE_OCR_TEXT", "旧")
    main(["process", str(scans), "--db", str(db_path), "-q", *FAKE])
    db = archive.open_db(db_path)
    line = db.execute(
        "SELECT l.id FROM lines l JOIN pages p ON p.id = l.page_id WHERE p.number = 2"
    ).fetchone()[0]
    archive.correct_line(db, line, "正", author="reviewer")
    db.conn.close()

    # Same engine and settings: nothing is redone.
    main(["process", str(scans), "--db", str(db_path), "-q", *FAKE])
    assert "0 processed, 3 already done" in capsys.readouterr().out

    # --redo with a model that reads differently: the correction stays.
    monkeypatch.setenv("FAKE_OCR_TEXT", "新")
    main(["process", str(scans), "--db", str(db_path), "-q", "--redo", *FAKE])
    assert "3 processed, 0 already done" in capsys.readouterr().out
    db = archive.open_db(db_path)
    row = db.execute("SELECT text, ocr_text, corrected, version FROM lines WHERE id = ?", [line])
    assert row.fetchone() == ("正", "新", 1, 2)
    history = db.execute(
        "SELECT version, text, source FROM line_history WHERE line_id = ? ORDER BY id",
        [line],
    ).fetchall()
    assert history == [(1, "旧", "ocr"), (2, "正", "review"), (2, "新", "reocr")]
    others = {r[0] for r in db.execute("SELECT text FROM lines WHERE corrected = 0")}
    assert others == {"新"}
    db.conn.close()

    main(["status", "--db", str(db_path)])
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "corrected lines=1, of which the latest OCR reads differently=1"
    assert out[2].startswith("conflict: ") and "p2.png page 1 line 1: kept '正', OCR '新'" in out[2]

    # Another engine (new settings) redoes the pages without --redo; still kept.
    monkeypatch.setenv("FAKE_OCR_TEXT", "另")
    main(["process", str(scans), "--db", str(db_path), "-q", "--engine", "fakes:FakeEngineV2"])
    assert "3 processed, 0 already done" in capsys.readouterr().out
    db = archive.open_db(db_path)
    assert db.execute("SELECT text FROM lines WHERE id = ?", [line]).fetchone()[0] == "正"
    readings = db.execute(
        "SELECT text FROM line_history WHERE line_id = ? AND source = 'reocr' ORDER BY id",
        [line],
    ).fetchall()
    assert [r[0] for r in readings] == ["新", "另"]  # every new reading kept, in order
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.conn.close()


def test_dask_needs_a_scheduler(scans, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["process", str(scans), "--db", str(tmp_path / "a.db"), "--executor", "dask"])
    assert info.value.code == 2
    assert "--scheduler" in capsys.readouterr().err
