"""What a first-time archivist ran into (issue 13), through the CLI with the fake engine:
a retry with a moved scan, read-only or full output places, an archive from a newer
version, Ctrl-C, the summary's two counts, the JSON contract and the paper's name."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import signal
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import blank_scans
from conftest import run_ocr as run
from PIL import Image

from ocr import archive
from ocr.errors import Interrupted, OutputError, PagesFailed, StoreError

FAKE = ["--engine", "fakes:FakeEngine"]
README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def read_only(tmp_path) -> Path:
    """A folder nobody may write in. Root writes through a folder's mode, so as root
    this is ``/sys`` (sysfs refuses new files whoever asks)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except OSError:
        yield folder
    else:
        (folder / "probe").unlink()
        if not Path("/sys/kernel").is_dir():
            pytest.skip("no folder that refuses writes here")
        yield Path("/sys")
    folder.chmod(0o755)


# -- 4: ocr retry with a scan that has moved ----------------------------------------------


def test_retry_retries_what_it_can_and_reports_a_moved_scan(tmp_path, capsys, monkeypatch):
    scans = blank_scans(tmp_path, widths=(600, 620))
    lone = tmp_path / "lone.png"
    Image.fromarray(np.full((310, 620), 255, np.uint8)).save(lone)  # not p2.png's bytes
    db = tmp_path / "a.db"
    monkeypatch.setenv("FAKE_OCR_FAIL_PAGES", "p2.png,lone.png")
    assert run("process", scans, lone, "--db", db, "-q", *FAKE) == PagesFailed.exit_code
    capsys.readouterr()
    lone.rename(tmp_path / "moved.png")
    monkeypatch.delenv("FAKE_OCR_FAIL_PAGES")

    assert run("retry", "--db", db, "-q", *FAKE) == PagesFailed.exit_code
    out, err = capsys.readouterr()
    assert "retried: 1 processed, 0 still failed, 1 not retried (scan not found)" in out
    assert f"cannot retry: {lone} page 1: the file is not there any more" in err
    run("status", "--db", db)
    status = capsys.readouterr().out.splitlines()[0]
    assert status == "done=2 pending=0 failed=1 running=0 suspect=0"


def test_retry_leaves_an_issue_alone_when_one_of_its_scans_has_moved(tmp_path, capsys, monkeypatch):
    """Running the folder again without the moved scan would renumber its pages (and
    park the moved page out of sight): its failed pages are reported, not retried."""
    scans = blank_scans(tmp_path, widths=(600, 620, 640))
    db = tmp_path / "a.db"
    monkeypatch.setenv("FAKE_OCR_FAIL_PAGES", "p3.png")
    assert run("process", scans, "--db", db, "-q", *FAKE) == PagesFailed.exit_code
    capsys.readouterr()
    (scans / "p2.png").rename(tmp_path / "p2.png")  # a page that was done moves away
    monkeypatch.delenv("FAKE_OCR_FAIL_PAGES")

    assert run("retry", "--db", db, "-q", *FAKE) == PagesFailed.exit_code
    out, err = capsys.readouterr()
    assert "retried: 0 processed, 0 still failed, 1 not retried (scan not found)" in out
    assert f"cannot retry: {scans / 'p3.png'} page 1: {scans / 'p2.png'} of its issue" in err
    run("status", "--db", db)
    status = capsys.readouterr().out.splitlines()[0]
    assert status == "done=2 pending=0 failed=1 running=0 suspect=0"


# -- 5: read-only or full output places ---------------------------------------------------


def test_export_to_a_read_only_folder_is_a_clear_error(tmp_path, capsys, read_only):
    db = tmp_path / "a.db"
    assert run("process", blank_scans(tmp_path), "--db", db, "-q", *FAKE) == 0
    capsys.readouterr()
    assert run("export", "json", "--db", db, "--out", read_only) == OutputError.exit_code
    err = capsys.readouterr().err
    assert re.search(rf"ocr: cannot write the export to {re.escape(str(read_only))}\S*: ", err)
    assert "Traceback" not in err
    out = read_only / "export"
    assert run("export", "json", "--db", db, "--out", out) == OutputError.exit_code
    assert f"cannot write the export to {out}" in capsys.readouterr().err


def test_export_to_a_full_disk_is_a_clear_error_and_leaves_no_partial_file(
    tmp_path, capsys, monkeypatch
):
    db = tmp_path / "a.db"
    assert run("process", blank_scans(tmp_path), "--db", db, "-q", *FAKE) == 0
    capsys.readouterr()

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", full)
    out = tmp_path / "export"
    assert run("export", "json", "--db", db, "--out", out) == OutputError.exit_code
    assert "No space left on device" in capsys.readouterr().err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("option", ["--pages-dir", "--log-json"])
def test_an_unwritable_output_place_stops_before_the_first_page(
    tmp_path, capsys, monkeypatch, read_only, option
):
    starts = tmp_path / "starts"
    starts.mkdir()
    monkeypatch.setenv("FAKE_OCR_STARTS", str(starts))
    place = read_only / ("pages" if option == "--pages-dir" else "log.jsonl")
    args = ["process", blank_scans(tmp_path), "--db", tmp_path / "a.db", "-q", *FAKE]
    assert run(*args, "--executor", "inline", option, place) == OutputError.exit_code
    err = capsys.readouterr().err
    assert f"ocr: {option} {place}: cannot write there: " in err
    assert list(starts.iterdir()) == []  # no page was run


def test_an_archive_in_an_unwritable_place_is_a_database_error(tmp_path, capsys, read_only):
    db = read_only / "sub" / "a.db"
    assert run("process", blank_scans(tmp_path), "--db", db, "-q", *FAKE) == StoreError.exit_code
    err = capsys.readouterr().err
    assert f"ocr: {db}: cannot create the archive" in err and "Traceback" not in err


# -- 6: an archive from a newer version ---------------------------------------------------


def test_an_archive_from_a_newer_version_is_refused_and_never_written(tmp_path, capsys):
    db = tmp_path / "a.db"
    scans = blank_scans(tmp_path)
    assert run("process", scans, "--db", db, "-q", *FAKE) == 0
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO _migrations VALUES ('0099_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    capsys.readouterr()
    for args in (
        ["status"],
        ["articles"],
        ["export", "json", "--out", tmp_path / "export"],
        ["retry", "-q", *FAKE],
        ["process", scans, "-q", *FAKE],
        ["process", scans, "-q", "--paper", "张庙社区晨报", *FAKE],
    ):
        assert run(*args, "--db", db) == StoreError.exit_code, args
        err = capsys.readouterr().err
        assert "newer version of ocr" in err and "0099_from_the_future" in err, args
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (tmp_path / "export").exists()


# -- 8: Ctrl-C ----------------------------------------------------------------------------


def test_ctrl_c_prints_what_was_stored_and_how_to_resume(tmp_path, capsys, monkeypatch):
    save = archive.save_page

    def save_then_ctrl_c(*args, **kwargs):
        counts = save(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C once the first page is stored
        return counts

    monkeypatch.setattr(archive, "save_page", save_then_ctrl_c)
    db = tmp_path / "a.db"
    args = ["process", blank_scans(tmp_path), "--db", db, "--executor", "inline", *FAKE]
    assert run(*args) == Interrupted.exit_code == 130
    out, err = capsys.readouterr()
    assert "1 issue(s), 3 page(s): 1 processed, 0 already done, 0 failed" in out
    assert "the whole archive" in out
    assert "ocr: interrupted: 1 page(s) of this run are stored; " in err
    assert "run the same command again to resume" in err
    monkeypatch.setattr(archive, "save_page", save)
    assert run(*args, "-q") == 0
    assert "3 page(s): 2 processed, 1 already done" in capsys.readouterr().out


def test_ctrl_c_on_a_terminal_stops_the_workers_and_prints_the_summary(tmp_path):
    """Ctrl-C as a terminal sends it (SIGINT to the whole process group: the batch and
    its worker processes): the batch prints what was stored and how to resume, exits
    130, leaves no page held and no worker behind."""
    import subprocess
    import sys
    import time

    scans = blank_scans(tmp_path, [600 + 10 * i for i in range(6)])
    db = tmp_path / "a.db"
    env = dict(os.environ, FAKE_OCR_SECONDS="0.5")
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "ocr", "process", str(scans), "--db", str(db), "-q", "-j", "1"]
    proc = subprocess.Popen(
        [*cmd, *FAKE],
        env=env,
        text=True,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while archive.pages_done(db) < 1:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == Interrupted.exit_code == 130, err
    assert "Traceback" not in err
    assert re.search(r"1 issue\(s\), 6 page\(s\): [1-5] processed, 0 already done", out), out
    assert "interrupted: " in err and "run the same command again to resume" in err
    for _ in range(100):  # no process left in its session (a worker, say) after 5 s
        left = subprocess.run(
            ["ps", "-o", "pid=,args=", "-s", str(proc.pid)], capture_output=True, text=True
        ).stdout.strip()
        if not left:
            break
        time.sleep(0.05)
    assert left == ""
    database = archive.open_db(db)
    held = database.execute("SELECT count(*) FROM pages WHERE lease_run IS NOT NULL")
    assert held.fetchone()[0] == 0
    database.conn.close()


def test_every_exit_code_is_documented():
    from ocr import errors

    readme = README.read_text()
    codes = {
        c.exit_code
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.OcrError)
    }
    documented = re.search(r"Exit codes: (.+?)\n\n", readme, re.S).group(1)
    for code in codes:
        assert re.search(rf"\b{code} ", documented), f"exit code {code} is not in the README"


# -- 9: the summary, the JSON contract, the paper's name ----------------------------------


def test_the_summary_says_what_is_this_run_and_what_is_the_whole_archive(tmp_path, capsys):
    db = tmp_path / "a.db"
    assert run("process", blank_scans(tmp_path), "--db", db, "-q", *FAKE) == 0
    capsys.readouterr()
    lone = tmp_path / "lone.png"
    Image.fromarray(np.full((300, 610), 255, np.uint8)).save(lone)  # a new scan
    assert run("process", lone, "--db", db, "-q", *FAKE) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 issue(s), 1 page(s): 1 processed, 0 already done, 0 failed in ")
    assert out[1].startswith("this run's issue(s): 1 page(s) done, 1 lines, 1 characters, ")
    assert out[2] == f"the whole archive {db}: 2 issue(s), 4 page(s) done, 0 failed"


def test_the_readme_contract_names_every_key_of_the_export(tmp_path):
    from ocr.export.jsondoc import issue_document

    db_path = tmp_path / "a.db"
    assert run("process", blank_scans(tmp_path), "--db", db_path, "-q", *FAKE) == 0
    db = archive.open_db(db_path)
    doc = issue_document(db, 1)
    db.conn.close()
    contract = README.read_text().split("## The JSON export")[1].split("\n## ")[0]
    keys = set(doc) | set(doc["issue"]) | set(doc["pages"][0]) | set(doc["articles"][0])
    keys |= set(doc["pages"][0]["lines"][0]) | set(doc["pages"][0]["regions"][0])
    for key in keys:
        assert f'"{key}"' in contract or f"`{key}`" in contract, f"{key} not in the contract"


def test_process_names_the_paper_and_the_issue_is_titled_by_it(tmp_path, capsys):
    db = tmp_path / "a.db"
    args = ["process", blank_scans(tmp_path), "--db", db, "-q", *FAKE]
    assert run(*args, "--paper", "张庙社区晨报") == 0
    assert run("export", "json", "--db", db, "--out", tmp_path / "export") == 0
    exported = [p.name for p in (tmp_path / "export").iterdir() if not p.name.startswith(".")]
    assert exported == ["issue-1-张庙社区晨报.json"]  # not the folder's name ("scans")
    assert run("articles", "--db", db) == 0  # the name is stored: kept without --paper
    assert "issue 1 (张庙社区晨报, " in capsys.readouterr().out
    assert run("articles", "--db", db, "--paper", "张庙晨报") == 0  # renamed: the new name
    assert "issue 1 (张庙晨报, " in capsys.readouterr().out


def store_masthead(db, reading: str | None) -> int:
    """An issue of one stored page whose masthead reads ``reading``."""
    from ocr.model import PageJob, PageResult

    issue = archive.upsert_issue(db, f"k{reading}", "scans/x", "x", None)
    job = PageJob(
        source="scans/x.pdf", page_index=0, number=1, issue_key="k", source_sha256=f"{reading}"
    )
    row = archive.ensure_page(db, issue, job)
    meta = {"printed_number": 1, **({"title": reading} if reading else {})}
    result = PageResult(job=job, width=100, height=100, dpi=100, meta=meta)
    archive.save_page(db, row["id"], result, "h", None)
    return issue


@pytest.mark.parametrize(
    ("reading", "title", "flags"),
    [
        ("震民日报", "农民日报", []),  # a misread masthead: the paper's name
        ("农民日报", "农民日报", []),
        ("人民日报社", "人民日报", []),  # the closest known name
        ("每周新闻", "农民日报", ["masthead reads '每周新闻', not a known paper name"]),
        (None, "农民日报", []),
    ],
)
def test_the_masthead_is_the_title_only_when_it_is_a_known_paper(db, reading, title, flags):
    from ocr.batch.assemble import assemble_issue

    archive.name_paper(db, "人民日报")
    archive.name_paper(db, "农民日报")  # the latest named: the archive's paper
    assert archive.paper_names(db) == ["农民日报", "人民日报"]
    issue = store_masthead(db, reading)
    assemble_issue(db, issue)
    row = archive.issue_row(db, issue)
    assert (row["title"], json.loads(row["flags"])) == (title, flags)


def test_without_a_paper_the_masthead_is_the_title_as_before(db):
    from ocr.batch.assemble import assemble_issue

    issue = store_masthead(db, "震民日报")
    assemble_issue(db, issue)
    assert archive.issue_row(db, issue)["title"] == "震民日报"
