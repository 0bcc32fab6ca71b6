"""The plausibility gate (``ocr.batch.gate``): a page read without error but implausibly
is stored as ``suspect`` with its reasons, counted and listed by ``ocr status``, shown
in the summary, retried by ``ocr retry --suspect``, and the exit code says so. The
rules on made-up lines; the batch with engines that read garbage or text; and a real
page turned 180° through the real models (slow)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import blank_scans
from fakes import FakeEngine
from PIL import Image

from ocr import archive
from ocr.batch import gate
from ocr.cli.main import main
from ocr.errors import PagesSuspect
from ocr.model import Box, Line

TEXT = "这是报纸上很普通的一行文字内容"  # 15 common characters
TRADITIONAL = "這是報紙上很普通的一行文字內容"  # the same, in traditional forms
RARE = "龘靐齉爩鱻麤龖厵灥驫"  # far outside GB 2312 level 1


def lines(texts: list[str], confidence: float = 0.97, ems: float = 16) -> list[Line]:
    """One line per text, each in a box ``ems`` long (30 px high)."""
    out = []
    for i, text in enumerate(texts):
        box = Box(10, 10 + 40 * i, 10 + 30 * ems, 40 + 40 * i)
        poly = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
        out.append(Line(id=f"l{i}", text=text, confidence=confidence, poly=poly, box=box))
    return out


# -- the rules ------------------------------------------------------------------------


def test_a_plain_page_is_plausible():
    assert gate.judge(lines([TEXT] * 30)) == []
    assert gate.judge(lines([TRADITIONAL] * 30)) == []  # judged like simplified text


def test_confidence_against_the_floor_and_against_the_archive():
    page = lines([TEXT] * 30, confidence=0.70)
    (reason,) = gate.judge(page)  # no history: the floor (1.0 + 0.5) / 2
    assert "0.700 under 0.750" in reason and "no archive history" in reason
    poor = gate.Usual.of([0.85] * gate.MIN_HISTORY)  # an archive of poor scans
    assert gate.judge(page, poor) == []  # 0.70 is over (0.85 + 0.5) / 2 = 0.675
    assert gate.judge(lines([TEXT] * 30, confidence=0.6), poor)[0].endswith("usual 0.850)")
    few = gate.Usual.of([0.85] * (gate.MIN_HISTORY - 1))  # not yet a usual: the floor
    assert gate.judge(page, few)


def test_most_lines_stubs():
    stubs = [TEXT] * 10 + ["国", "上工"] * 6  # 12 of 22 long boxes read <= 2 characters
    (reason,) = gate.judge(lines(stubs))
    assert reason.startswith("12 of 22 lines read 2 characters or fewer")
    assert gate.judge(lines([TEXT] * 12 + ["国", "上工"] * 5)) == []  # 10 of 22: not most
    # Short lines in short boxes (page numbers, table cells) are no evidence.
    assert gate.judge(lines([TEXT] * 10) + lines(["12"] * 20, ems=1.5)) == []


def test_mostly_rare_characters():
    (reason,) = gate.judge(lines([RARE] * 6 + [TEXT] * 4))  # 60 of 120 Han characters rare
    assert "50% of 120 Han characters are rare" in reason
    assert gate.judge(lines([RARE] * 3 + [TEXT] * 7)) == []  # 30 of 135: 22%
    assert len(gate.common_characters()) == 3755  # GB 2312 level 1


def test_too_few_lines_are_not_judged():
    assert gate.judge(lines(["国"] * (gate.MIN_LINES - 1), confidence=0.3)) == []


# -- the batch, with engines that read garbage or text --------------------------------


class GarbageEngine(FakeEngine):
    """Finds 20 lines of 20 ems on any page and reads one character of each, doubting it
    (as the real recognizer does a page turned upside down)."""

    reading, belief = "国", 0.45

    def detect(self, image):
        return [
            (np.array([[10, y], [250, y], [250, y + 12], [10, y + 12]], float), 0.9)
            for y in range(10, 290, 14)
        ]

    def recognize(self, crops):
        return [(self.reading, self.belief) for _ in crops]


class TextEngine(GarbageEngine):
    """The same lines, read as plain text with confidence."""

    reading, belief = TEXT, 0.97


def engine(cls) -> list[str]:
    return ["--engine", f"{__name__}:{cls.__name__}", "--executor", "inline", "-q"]


@pytest.fixture
def scans(tmp_path):
    return blank_scans(tmp_path, widths=(600, 620))


def test_a_garbage_page_is_stored_as_suspect_and_can_be_retried(
    scans, tmp_path, capsys, monkeypatch
):
    db = tmp_path / "a.db"
    main(["process", str(scans / "p1.png"), "--db", str(db), *engine(TextEngine)])
    assert "1 processed" in capsys.readouterr().out  # exit 0: nothing suspect

    with pytest.raises(SystemExit) as info:
        main(["process", str(scans / "p2.png"), "--db", str(db), *engine(GarbageEngine)])
    assert info.value.code == PagesSuspect.exit_code == 8
    out, err = capsys.readouterr()
    assert "1 page(s) stored as suspect" in out
    assert "suspect: " in out and "p2.png page 1: mean confidence 0.450 under 0.750" in out
    assert "20 of 20 lines read 2 characters or fewer" in out
    assert "ocr retry --suspect" in err

    database = archive.open_db(db)
    rows = database.execute(
        "SELECT source, status, suspect, suspect_reasons, confidence FROM pages ORDER BY id"
    ).fetchall()
    database.conn.close()
    assert [(r[1], r[2]) for r in rows] == [("done", 0), ("done", 1)]  # stored, flagged
    assert len(json.loads(rows[1][3])) == 2 and rows[1][4] == pytest.approx(0.45)

    main(["status", "--db", str(db)])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "done=2 pending=0 failed=0 running=0 suspect=1"
    assert out[1].startswith("suspect: ") and "p2.png page 1: mean confidence" in out[1]

    # The scan is fixed (or the engine now reads it): retry --suspect reads it again.
    main(["retry", "--suspect", "--db", str(db), *engine(TextEngine)])
    assert "retried: 1 processed, 0 still failed" in capsys.readouterr().out
    main(["status", "--db", str(db)])
    assert capsys.readouterr().out.splitlines()[0].endswith("suspect=0")
    main(["retry", "--suspect", "--db", str(db), *engine(TextEngine)])
    assert capsys.readouterr().out.strip() == "no suspect pages"


def test_the_usual_is_the_archive_s(tmp_path, capsys):
    """0.70 is under the floor of an empty archive, but not under the usual of an
    archive whose pages read 0.80; 0.60 is under that too."""
    db = tmp_path / "a.db"
    for folder, widths, cls in (
        ("usual", (600, 610, 620, 630, 640), Usual80),
        ("dim", (650,), Dim70),
        ("dimmer", (660,), Dim60),
    ):
        (tmp_path / folder).mkdir()
        scans = blank_scans(tmp_path / folder, widths=widths)
        try:
            main(["process", str(scans), "--db", str(db), *engine(cls)])
        except SystemExit as exc:
            assert (cls, exc.code) == (Dim60, 8)
    out = capsys.readouterr().out
    assert out.count("suspect: ") == 1
    assert "mean confidence 0.600 under 0.650 (the archive's usual 0.800)" in out
    assert gate.judge(lines([TEXT] * 20, confidence=0.70))  # with no history: suspect


class Usual80(TextEngine):
    belief = 0.80


class Dim70(TextEngine):
    belief = 0.70


class Dim60(TextEngine):
    belief = 0.60


# -- a real page turned 180°, through the real models ---------------------------------


@pytest.mark.slow
def test_a_real_page_turned_upside_down_is_suspect(tmp_path, capsys):
    """With the orientation test turned off (it would turn the page upright)."""
    from synth import render_page

    page = render_page(dpi=150, seed=3)
    scans = tmp_path / "scans"
    scans.mkdir()
    Image.fromarray(page.image).save(scans / "upright.png")
    Image.fromarray(np.rot90(page.image, 2).copy()).save(scans / "turned.png")
    db = tmp_path / "a.db"
    args = ["--db", str(db), "-q", "--executor", "inline"]
    with pytest.raises(SystemExit) as info:
        main(
            ["process", str(scans / "upright.png"), str(scans / "turned.png"), "--dpi", "150"]
            + ["--no-orient", *args]
        )
    assert info.value.code == PagesSuspect.exit_code
    out = capsys.readouterr().out
    suspects = [line for line in out.splitlines() if line.startswith("suspect: ")]
    assert len(suspects) == 1 and "turned.png page 1: mean confidence" in suspects[0]
    assert "lines read 2 characters or fewer" in suspects[0]

    database = archive.open_db(db)
    rows = {
        r["source"].rsplit("/", 1)[1]: r
        for r in database.query("SELECT source, suspect, confidence FROM pages")
    }
    database.conn.close()
    assert rows["upright.png"]["suspect"] == 0 and rows["upright.png"]["confidence"] > 0.95
    assert rows["turned.png"]["suspect"] == 1 and rows["turned.png"]["confidence"] < 0.7

    # Rescanned upright (a new file: one pixel differs from upright.png, which would
    # otherwise be the same page), the page is retried and is no longer suspect.
    rescanned = page.image.copy()
    rescanned[0, 0] = 250
    Image.fromarray(rescanned).save(scans / "turned.png")
    main(["retry", "--suspect", *args])
    assert "retried: 1 processed" in capsys.readouterr().out
    main(["status", "--db", str(db)])
    assert capsys.readouterr().out.splitlines()[0] == (
        "done=2 pending=0 failed=0 running=0 suspect=0"
    )


def test_an_archive_of_an_earlier_version_gets_its_pages_confidence(tmp_path, monkeypatch):
    """Migration 0004 fills in the mean confidence of the pages already stored, so an
    archive made before the gate has a usual page from its first batch on."""
    import ocr.archive.db as archive_db

    path = tmp_path / "old.db"
    monkeypatch.setattr(archive_db, "MIGRATIONS", archive.MIGRATIONS[:3])  # as released
    db = archive.open_db(path)
    t = archive.now()
    db.execute(
        "INSERT INTO issues (id, key, source, created_at, updated_at) VALUES (1, 'k', 's', ?, ?)",
        [t, t],
    )
    for page, status in ((1, "done"), (2, "failed")):
        db.execute(
            "INSERT INTO pages (id, issue_id, number, source, source_sha256, page_index, "
            "status, processed_at) VALUES (?, 1, ?, 's', ?, 0, ?, ?)",
            [page, page, f"sha{page}", status, t],
        )
    for conf in (0.9, 0.8):
        db.execute(
            "INSERT INTO lines (page_id, ord, text, ocr_text, confidence, poly, updated_at) "
            "VALUES (1, 1, '字', '字', ?, '[]', ?)",
            [conf, t],
        )
    db.conn.close()
    monkeypatch.undo()

    db = archive.open_db(path)
    rows = db.execute("SELECT id, confidence, suspect, lease_run FROM pages ORDER BY id")
    assert [(r[0], r[1] and round(r[1], 3), r[2], r[3]) for r in rows] == [
        (1, 0.85, 0, None),
        (2, None, 0, None),
    ]
    assert archive.recent_confidences(db, 10) == [pytest.approx(0.85)]
    names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name")]
    assert "0004_suspect_and_leases" in names
    db.conn.close()
