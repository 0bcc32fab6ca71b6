"""The paper's script found on each page (``--script auto``, the default), and lines
printed right to left turned round where their own text says so."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from PIL import Image

from ocr import archive
from ocr.cli.main import main
from ocr.model import Box, Line
from ocr.pipeline import _as_printed, page_script
from ocr.text.direction import reads_reversed

SEED_TEXT = __import__("conftest").SEED_TEXT


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _traditional(text: str) -> str:
    return _s2t().convert(text)


def test_a_page_printed_in_traditional_characters_is_kept_and_a_simplified_one_cleaned():
    body = SEED_TEXT.read_text(encoding="utf-8")[:3000]
    lines = [body[i : i + 20] for i in range(0, len(body), 20)]
    found, record = page_script([_traditional(t) for t in lines])
    assert found == "as-read" and record["traditional_share"] > 0.15
    # A simplified page where the recognizer read a few characters in traditional form.
    lines[3] = _traditional(lines[3])
    found, record = page_script(lines)
    assert found == "simplified" and record["traditional_share"] < 0.03
    # Too little text to tell: the default, simplified.
    assert page_script(["會議"])[0] == "simplified"


def test_a_traditional_page_read_badly_is_still_found_traditional():
    """Small type read badly (the 1956 工商晚報 photos): the recognizer falls back on
    simplified forms for most characters, and only a few keep their traditional form;
    still far more than on a simplified page (see the test above)."""
    body = SEED_TEXT.read_text(encoding="utf-8")[:3000]
    lines = [body[i : i + 20] for i in range(0, len(body), 20)]
    mixed = [_traditional(t) if k % 5 == 0 else t for k, t in enumerate(lines)]  # a fifth
    found, record = page_script(mixed)
    assert record["traditional_share"] < 0.08  # the old test's threshold would miss it
    assert found == "as-read" and record["traditional_of_distinct"] > 0.15


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        ("日十二月一十年五十四國民華中", "中華民國四十五年十一月二十日"),
        ("二期星", "星期二"),
        ("頁二第", "第二頁"),
        ("日八十月十年申丙曆農", "農曆丙申年十月十八日"),  # a year of the sixty-year cycle
        ("期星", "星期"),  # the day read as a line of its own
        ("本期星光大道", None),
        ("中華民國四十五年十一月二十日", None),  # already in order
        ("本期8版第75期", None),
        ("报晚商工", None),  # no mark to go by: left as read
    ],
)
def test_a_line_printed_right_to_left_is_turned_round_on_its_own_evidence(read, printed):
    assert reads_reversed(read) == (printed is not None)
    wide = Line("l1", read, 0.9, Box(0, 0, 400, 30).poly(), Box(0, 0, 400, 30))
    assert _as_printed(wide) == (printed or read)
    tall = Line("l2", read, 0.9, Box(0, 0, 30, 400).poly(), Box(0, 0, 30, 400))
    assert _as_printed(tall) == read  # vertical lines are read top to bottom already


def test_process_keeps_a_traditional_page_traditional_unless_told(tmp_path, monkeypatch):
    scans = tmp_path / "scans"
    scans.mkdir()
    Image.fromarray(np.full((300, 600), 255, np.uint8)).save(scans / "p1.png")
    text = _traditional(SEED_TEXT.read_text(encoding="utf-8")[:400].replace("\n", ""))
    monkeypatch.setenv("FAKE_OCR_TEXT", text)
    db_path = tmp_path / "a.db"
    args = ["process", str(scans), "--db", str(db_path), "-q", "--engine", "fakes:FakeEngine"]
    for extra, want in (([], text), (["--script", "simplified"], None)):
        try:
            main(args + extra)
        except SystemExit:
            pass  # the fake's readings are flagged suspect
        db = archive.open_db(db_path)
        (stored,) = [r[0] for r in db.execute("SELECT text FROM lines")]
        db.conn.close()
        if want:
            assert stored == want
        else:
            assert stored != text and len(stored) == len(text), (stored, text)
