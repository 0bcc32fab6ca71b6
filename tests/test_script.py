"""The page's script: traditional forms read by the recognizer become simplified.

``--script simplified`` goes through the real OpenCC data; ``as-read`` keeps the
reading. Pages are redone when it changes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ocr import archive
from ocr.cli.main import main
from ocr.recognize.script import normalize


@pytest.mark.parametrize(
    ("read", "simplified"),
    [
        ("會議區對運儲", "会议区对运储"),  # the confusions the accuracy benchmark counts
        ("張廟街道社區", "张庙街道社区"),
        ("张庙社区晨报第75期", "张庙社区晨报第75期"),  # simplified text is left alone
        ("乾隆年間", "乾隆年间"),  # 乾 stays where it is right in simplified text too
        ("（下轉第2版）", "（下转第2版）"),  # jump lines still read as jumps
        ("", ""),
    ],
)
def test_simplified(read, simplified):
    assert normalize(read) == simplified
    assert normalize(read, "as-read") == read


def test_unknown_script_is_refused():
    with pytest.raises(ValueError, match="unknown script"):
        normalize("會", "klingon")


def test_process_stores_simplified_text_and_redoes_pages_when_the_script_changes(
    tmp_path, capsys, monkeypatch
):
    scans = tmp_path / "scans"
    scans.mkdir()
    Image.fromarray(np.full((300, 600), 255, np.uint8)).save(scans / "p1.png")
    db_path = tmp_path / "a.db"
    monkeypatch.setenv("FAKE_OCR_TEXT", "會議")  # what the (fake) recognizer reads
    args = ["process", str(scans), "--db", str(db_path), "-q", "--engine", "fakes:FakeEngine"]

    main(args)
    capsys.readouterr()
    db = archive.open_db(db_path)
    assert [r[0] for r in db.execute("SELECT text FROM lines")] == ["会议"]
    db.conn.close()

    main([*args, "--script", "as-read"])  # another setting: the page is redone
    assert "1 processed, 0 already done" in capsys.readouterr().out
    db = archive.open_db(db_path)
    assert [r[0] for r in db.execute("SELECT text FROM lines")] == ["會議"]
    db.conn.close()


def test_retry_uses_the_script_of_the_failed_batch(tmp_path, capsys, monkeypatch):
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, width in enumerate((600, 620)):
        Image.fromarray(np.full((300, width), 255, np.uint8)).save(scans / f"p{i + 1}.png")
    db_path = tmp_path / "a.db"
    fake = ["--engine", "fakes:FakeEngine"]
    monkeypatch.setenv("FAKE_OCR_TEXT", "會議")
    monkeypatch.setenv("FAKE_OCR_FAIL_PAGES", "p2.png")  # page 2 fails this time
    with pytest.raises(SystemExit):
        main(["process", str(scans), "--db", str(db_path), "-q", "--script", "as-read", *fake])
    monkeypatch.delenv("FAKE_OCR_FAIL_PAGES")
    capsys.readouterr()

    main(["retry", "--db", str(db_path), "-q", *fake])
    # Page 2 is read as the batch read (as-read), and page 1 is not redone.
    assert "retried: 1 processed, 0 still failed" in capsys.readouterr().out
    db = archive.open_db(db_path)
    rows = db.execute("SELECT p.number, l.text FROM lines l JOIN pages p ON p.id = l.page_id")
    assert sorted(rows.fetchall()) == [(1, "會議"), (2, "會議")]
    db.conn.close()
