"""Traditional forms read by the recognizer become simplified (``--script``), through
the real OpenCC data; ``as-read`` keeps the reading. Pages are redone when it changes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ocr import store
from ocr.cli import main
from ocr.script import normalize


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
    db = store.open_db(db_path)
    assert [r[0] for r in db.execute("SELECT text FROM lines")] == ["会议"]
    db.conn.close()

    main([*args, "--script", "as-read"])  # another setting: the page is redone
    assert "1 processed, 0 already done" in capsys.readouterr().out
    db = store.open_db(db_path)
    assert [r[0] for r in db.execute("SELECT text FROM lines")] == ["會議"]
    db.conn.close()
