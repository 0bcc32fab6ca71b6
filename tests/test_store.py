"""The archive database: migrations, page round trips, corrections kept with history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr import archive
from ocr.articles import block_articles
from ocr.errors import StoreError
from ocr.export.jsondoc import issue_document
from ocr.model import Box, Deskew, Line, PageJob, PageResult, Region


def make_job(number=1, sha="a" * 64, index=0):
    return PageJob(
        source="scans/x.pdf", page_index=index, number=number, issue_key="k", source_sha256=sha
    )


def make_result(job, texts=("第一行", "第二行"), skew=1.5):
    d = Deskew.for_scan(skew, 1000, 1400)
    region = Region(id="r1", kind="text", box=Box(50, 60, 500, 900), poly=[], column=0)
    region.poly = d.to_scan(region.box.poly())
    lines = []
    for i, t in enumerate(texts):
        box = Box(60, 70 + 50 * i, 480, 110 + 50 * i)
        lines.append(
            Line(
                id=f"l{i}",
                text=t,
                confidence=0.9,
                poly=d.to_scan(box.poly()),
                box=box,
                region="r1",
                order=i + 1,
            )
        )
    return PageResult(
        job=job,
        width=1000,
        height=1400,
        dpi=300,
        skew_degrees=skew,
        deskewed_width=d.width,
        deskewed_height=d.height,
        regions=[region],
        lines=lines,
    )


def store_block_articles(db, issue_id: int) -> int:
    """One article per text block of the stored pages (the fallback of article assembly),
    stored as the batch stores articles."""
    drafts = block_articles(archive.issue_layouts(db, issue_id))
    rows = [
        {**d.to_dict(), "lines": [int(i) for i in d.lines], "regions": [int(i) for i in d.regions]}
        for d in drafts
    ]
    return archive.save_articles(db, issue_id, rows, {"flags": []}, method="block")


def test_migrations_recorded_and_idempotent(db):
    names = [r["name"] for r in db.query("SELECT name FROM _migrations")]
    assert names == [name for name, _ in archive.MIGRATIONS]
    assert archive.migrate(db) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for table in (
        "issues",
        "pages",
        "regions",
        "lines",
        "line_history",
        "articles",
        "article_lines",
        "provenance",
    ):
        assert db[table].exists()


def test_two_openers_of_a_new_archive_both_succeed(tmp_path, monkeypatch):
    """Two batches opening a brand-new archive at once: both read that no migration is
    applied, then both would create the schema. The second, once the first has
    committed, finds each migration recorded and skips it (no 'table already exists')."""
    from ocr.archive import db as db_module

    gate = threading.Barrier(2, timeout=30)
    waited: set[int] = set()

    class Gated(db_module.transaction):
        def __enter__(self):
            if threading.get_ident() not in waited:  # both have read the migrations done
                waited.add(threading.get_ident())
                gate.wait()
            return super().__enter__()

    monkeypatch.setattr(db_module, "transaction", Gated)
    path = tmp_path / "new.db"
    errors: list[BaseException] = []

    def opener():
        try:
            archive.open_db(path).conn.close()
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    db = archive.open_db(path)
    names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name")]
    db.conn.close()
    assert names == sorted(name for name, _ in archive.MIGRATIONS)  # each applied once


def test_processes_opening_a_new_archive_at_once(tmp_path):
    """Three processes released at the same moment onto one new archive path all open it."""
    path, go = tmp_path / "out" / "new.db", tmp_path / "go"
    code = (
        "import os, sys, time\n"
        "from ocr import archive\n"
        "while not os.path.exists(sys.argv[2]): time.sleep(0.005)\n"
        "archive.open_db(sys.argv[1]).conn.close()\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path), str(go)],
            env=env,
            text=True,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    time.sleep(1.5)  # imports done: all wait for the file
    Path(go).touch()
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errs
    db = archive.open_db(path)
    assert db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(archive.MIGRATIONS)
    db.conn.close()


def test_page_round_trip_through_export(db):
    issue = archive.upsert_issue(db, "k", "scans/x.pdf", "x", "2021-01-20")
    job = make_job()
    page = archive.ensure_page(db, issue, job)
    assert page["status"] == "pending"
    result = make_result(job)
    counts = archive.save_page(db, page["id"], result, "h1", archive.provenance_id(db, {"m": 1}))
    assert counts == {"regions": 1, "lines": 2}
    assert store_block_articles(db, issue) == 1
    doc = issue_document(db, issue)
    assert doc["issue"]["date"] == "2021-01-20"
    (p,) = doc["pages"]
    assert p["skew_degrees"] == 1.5 and p["width"] == 1000 and p["dpi"] == 300
    assert [ln["text"] for ln in p["lines"]] == ["第一行", "第二行"]
    for stored, original in zip(p["lines"], result.lines):
        for (x, y), (ox, oy) in zip(stored["poly"], original.poly):
            assert abs(x - ox) <= 0.05 and abs(y - oy) <= 0.05
        assert stored["region"] == p["regions"][0]["id"]
    (art,) = doc["articles"]
    assert art["lines"] == [ln["id"] for ln in p["lines"]]
    assert art["text"] == "第一行\n第二行" and art["pages"] == [1]
    linked = db.execute("SELECT DISTINCT article_id FROM lines").fetchall()
    linked += db.execute("SELECT DISTINCT article_id FROM regions").fetchall()
    assert {r[0] for r in linked} == {art["id"]}


def test_correction_survives_reprocessing_with_history(db):
    issue = archive.upsert_issue(db, "k", "scans/x.pdf", "x", None)
    job = make_job()
    page = archive.ensure_page(db, issue, job)
    archive.save_page(db, page["id"], make_result(job), "h1", None)
    first = next(db.query("SELECT * FROM lines WHERE page_id = ? ORDER BY ord", [page["id"]]))
    assert (
        archive.correct_line(db, first["id"], "第一行（改）", author="rev", expected_version=1) == 2
    )
    # New OCR of the same page: the corrected line keeps its text; the new reading is kept.
    archive.save_page(db, page["id"], make_result(job, texts=("第一行X", "第二行Y")), "h2", None)
    rows = list(db.query("SELECT * FROM lines WHERE page_id = ? ORDER BY ord", [page["id"]]))
    assert [r["text"] for r in rows] == ["第一行（改）", "第二行Y"]
    assert rows[0]["ocr_text"] == "第一行X" and rows[0]["version"] == 2
    history = [
        (r["version"], r["text"], r["source"])
        for r in db.query("SELECT * FROM line_history WHERE line_id = ? ORDER BY id", [first["id"]])
    ]
    assert history == [
        (1, "第一行", "ocr"),
        (2, "第一行（改）", "review"),
        (2, "第一行X", "reocr"),  # the new reading is kept too
    ]


def test_stale_correction_is_refused(db):
    issue = archive.upsert_issue(db, "k", "scans/x.pdf", "x", None)
    job = make_job()
    page = archive.ensure_page(db, issue, job)
    archive.save_page(db, page["id"], make_result(job), "h1", None)
    line_id = db.execute("SELECT id FROM lines LIMIT 1").fetchone()[0]
    archive.correct_line(db, line_id, "甲", expected_version=1)
    try:
        archive.correct_line(db, line_id, "乙", expected_version=1)
    except StoreError as exc:
        assert "version 2" in str(exc)
    else:
        raise AssertionError("a stale edit must be refused")
    assert db.execute("SELECT text FROM lines WHERE id = ?", [line_id]).fetchone()[0] == "甲"


def test_failure_keeps_previous_work(db):
    issue = archive.upsert_issue(db, "k", "scans/x.pdf", "x", None)
    job = make_job()
    page = archive.ensure_page(db, issue, job)
    archive.save_page(db, page["id"], make_result(job), "h1", None)
    archive.record_failure(db, page["id"], "scans/x.pdf page 1: boom")
    row = archive.page_by_identity(db, job.source_sha256, 0)
    assert row["status"] == "failed" and "page 1" in row["error"]
    assert db.execute("SELECT count(*) FROM lines").fetchone()[0] == 2


def test_page_identity_is_sha_and_index(db):
    issue = archive.upsert_issue(db, "k", "scans/x.pdf", "x", None)
    a = archive.ensure_page(db, issue, make_job(1, "a" * 64, 0))
    b = archive.ensure_page(db, issue, make_job(2, "a" * 64, 1))
    again = archive.ensure_page(db, issue, make_job(1, "a" * 64, 0))
    assert a["id"] == again["id"] != b["id"]
    # Another file takes position 1: the old page is parked, never deleted.
    c = archive.ensure_page(db, issue, make_job(1, "c" * 64, 0))
    assert c["number"] == 1
    parked = archive.page_by_identity(db, "a" * 64, 0)
    assert parked["number"] < 0


def test_provenance_deduplicated(db):
    a = archive.provenance_id(db, {"det": "x", "rec": "y"})
    b = archive.provenance_id(db, {"rec": "y", "det": "x"})
    c = archive.provenance_id(db, {"det": "z"})
    assert a == b != c
    assert json.loads(db.execute("SELECT data FROM provenance WHERE id = ?", [a]).fetchone()[0])


@settings(max_examples=25, deadline=None)
@given(
    skew=st.floats(-10, 10),
    x=st.floats(0, 900),
    y=st.floats(0, 1300),
)
def test_stored_poly_is_scan_coordinates(skew, x, y):
    """What the archive stores for a line is its polygon in scan pixels and its box in
    deskewed pixels: the stored polygon, mapped to the deskewed image, is the stored box,
    and a point survives the round trip scan -> deskewed -> scan."""
    d = Deskew.for_scan(skew, 1000, 1400)
    ((px, py),) = d.to_scan(d.to_deskewed([(x, y)]))
    assert abs(px - x) < 1e-6 and abs(py - y) < 1e-6
    db = archive.open_db(":memory:")
    issue = archive.upsert_issue(db, "k", "scans/x.pdf", None, None)
    job = make_job()
    page = archive.ensure_page(db, issue, job)
    (bx, by), *_ = d.to_deskewed([(x, y)])
    box = Box(bx, by, bx + 80, by + 20)
    result = make_result(job, texts=(), skew=skew)
    result.lines = [Line("l0", "字", 0.9, d.to_scan(box.poly()), box, region="r1", order=1)]
    archive.save_page(db, page["id"], result, "h", None)
    row = next(db.query("SELECT poly, x0, y0, x1, y1 FROM lines"))
    stored = json.loads(row["poly"])  # rounded to 0.1 px, as the archive keeps them

    def apart(a, b) -> float:
        return max(abs(u - v) for p, q in zip(a, b) for u, v in zip(p, q))

    assert len(stored) == 4
    assert apart(stored, d.to_scan(box.poly())) <= 0.05 + 1e-9
    assert apart(d.to_deskewed([tuple(p) for p in stored]), box.poly()) < 0.1
    assert (row["x0"], row["y0"], row["x1"], row["y1"]) == pytest.approx(
        (box.x0, box.y0, box.x1, box.y1), abs=0.05 + 1e-9
    )
    db.conn.close()
