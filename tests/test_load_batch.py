"""What loading finds, as a batch counts and stores it (fake engine: the counts and the
stored page rows are the point, not the reading): a symlink loop in a scans folder, a
phone's MPO, a zero-page PDF, an image that does not say its DPI."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PIL import Image

from ocr import archive
from ocr.batch.run import BatchOptions, run
from ocr.cli.main import main
from ocr.errors import PagesFailed
from ocr.scan.load import discover

FAKE = ["--engine", "fakes:FakeEngine"]


def blank(width: int, height: int = 300) -> Image.Image:
    return Image.fromarray(np.full((height, width), 255, np.uint8))


def options(tmp_path) -> BatchOptions:
    return BatchOptions(
        db=tmp_path / "a.db", pages_dir=None, jobs=1, engine="fakes:FakeEngine", executor="inline"
    )


def pages(db_path) -> list[dict]:
    db = archive.open_db(db_path)
    try:
        return [dict(r) for r in db.query("SELECT * FROM pages ORDER BY source, page_index")]
    finally:
        db.conn.close()


def exported_dpis(db_path, out, capsys) -> list[tuple[str, int | None]]:
    """(file name, dpi) of every page in the JSON export of the archive, sorted."""
    main(["export", "json", "--db", str(db_path), "--out", str(out)])
    capsys.readouterr()
    exported = [page for f in out.glob("*.json") for page in json.loads(f.read_text())["pages"]]
    return sorted((os.path.basename(p["source"]), p["dpi"]) for p in exported)


def test_a_symlink_loop_is_one_issue_counted_once(tmp_path):
    scans = tmp_path / "scans"
    scans.mkdir()
    blank(600).save(scans / "p1.png")
    blank(620).save(scans / "p2.png")
    os.symlink(".", scans / "self")  # was 41 issues, 41 pages: 1 processed, 40 already done
    report = run([scans], options(tmp_path))
    assert (report.issues, report.pages, report.done, report.skipped) == (1, 2, 2, 0)
    assert [p["source"] for p in pages(tmp_path / "a.db")] == [
        str(scans / "p1.png"),
        str(scans / "p2.png"),
    ]
    report = run([scans, scans / "self"], options(tmp_path))  # again, the folder named twice
    assert (report.issues, report.pages, report.done, report.skipped) == (1, 2, 0, 2)


def test_a_phone_jpeg_is_one_page(tmp_path):
    photo = blank(600, 800)
    photo.save(tmp_path / "phone.jpg", format="MPO", save_all=True, append_images=[blank(60, 80)])
    report = run([tmp_path / "phone.jpg"], options(tmp_path))
    assert (report.pages, report.done, report.failed) == (1, 1, 0)
    assert [(p["page_index"], p["status"]) for p in pages(tmp_path / "a.db")] == [(0, "done")]


def test_a_pdf_without_pages_is_reported_as_such(tmp_path, capsys):
    from pypdf import PdfWriter

    path = tmp_path / "empty-issue.pdf"
    with open(path, "wb") as f:
        PdfWriter().write(f)
    with pytest.raises(SystemExit) as info:
        main(["process", str(path), "--db", str(tmp_path / "a.db"), "-q", *FAKE])
    assert info.value.code == PagesFailed.exit_code
    err = capsys.readouterr().err
    assert f"{path} page 1: the PDF has no pages" in err
    assert "Unable to get page count" not in err


def test_an_image_without_a_dpi_is_stored_at_an_unknown_dpi(tmp_path, capsys, monkeypatch):
    scans = tmp_path / "scans"
    scans.mkdir()
    blank(600).save(scans / "p1.jpg")  # says no DPI
    blank(620).save(scans / "p2.png", dpi=(400, 400))
    blank(640).save(scans / "p3.pdf", resolution=100)
    db_path = tmp_path / "a.db"
    monkeypatch.setenv("FAKE_OCR_FAIL_PAGES", "p3.pdf:1")  # the PDF page fails
    with pytest.raises(SystemExit):
        main(["process", str(scans), "--db", str(db_path), "--dpi", "200", "-q", *FAKE])
    stored = {os.path.basename(p["source"]): p for p in pages(db_path)}
    assert stored["p1.jpg"]["status"] == "done" and stored["p1.jpg"]["dpi"] is None
    assert stored["p2.png"]["dpi"] == 400
    assert stored["p3.pdf"]["status"] == "failed"

    # ocr retry reads the dpi of the failed batch (a NULL dpi among the pages is no matter).
    monkeypatch.delenv("FAKE_OCR_FAIL_PAGES")
    main(["retry", "--db", str(db_path), "-q", *FAKE])
    stored = {os.path.basename(p["source"]): p for p in pages(db_path)}
    assert stored["p3.pdf"]["status"] == "done" and stored["p3.pdf"]["dpi"] == 200
    assert stored["p3.pdf"]["width"] == 640 * 2
    assert stored["p1.jpg"]["dpi"] is None
    db = archive.open_db(db_path)
    assert archive.highest_dpi(db) == 400  # retry's fallback: the NULL is left out
    db.conn.close()

    assert exported_dpis(db_path, tmp_path / "export", capsys) == [
        ("p1.jpg", None),
        ("p2.png", 400),
        ("p3.pdf", 200),
    ]


def test_an_image_page_not_yet_read_has_no_dpi_from_the_option(tmp_path, capsys, monkeypatch):
    """``--dpi`` is the rasterization DPI of PDFs: a JPEG page that failed (or is still
    pending) is at an unknown dpi, not at ``--dpi``; a PDF page at the DPI it is (or
    will be) rasterized at. An archive whose pending image pages an older version
    recorded at ``--dpi`` is put right by the next batch."""
    scans = tmp_path / "scans"
    scans.mkdir()
    blank(600).save(scans / "p1.jpg")  # says no DPI
    blank(620).save(scans / "p2.pdf", resolution=100)
    db_path = tmp_path / "a.db"
    monkeypatch.setenv("FAKE_OCR_FAIL_PAGES", "p1.jpg,p2.pdf")
    with pytest.raises(SystemExit):
        main(["process", str(scans), "--db", str(db_path), "--dpi", "200", "-q", *FAKE])
    capsys.readouterr()
    stored = {os.path.basename(p["source"]): p for p in pages(db_path)}
    assert stored["p1.jpg"]["status"] == "failed" and stored["p1.jpg"]["dpi"] is None
    assert stored["p2.pdf"]["status"] == "failed" and stored["p2.pdf"]["dpi"] == 200

    assert exported_dpis(db_path, tmp_path / "export", capsys) == [
        ("p1.jpg", None),
        ("p2.pdf", 200),
    ]

    db = archive.open_db(db_path)  # as an older version left it: the image at --dpi
    db.execute("UPDATE pages SET dpi = 300")
    db.conn.close()
    with pytest.raises(SystemExit):
        main(["process", str(scans), "--db", str(db_path), "--dpi", "150", "-q", *FAKE])
    stored = {os.path.basename(p["source"]): p for p in pages(db_path)}
    assert stored["p1.jpg"]["dpi"] is None and stored["p2.pdf"]["dpi"] == 150


def test_two_symlink_loops_in_a_scans_folder_do_not_hang(tmp_path):
    """The case that hung (``s1 -> .``, ``s2 -> .``: paths without end, 100% CPU): every
    real folder is walked once, whatever links lead back to it."""
    import threading

    scans = tmp_path / "scans"
    (scans / "sub").mkdir(parents=True)
    blank(600).save(scans / "p1.png")
    blank(620).save(scans / "sub" / "p1.png")
    os.symlink(".", scans / "s1")
    os.symlink(".", scans / "s2")
    os.symlink("..", scans / "sub" / "up")
    found: list = []
    walk = threading.Thread(target=lambda: found.append(discover([scans])), daemon=True)
    walk.start()
    walk.join(30)
    assert found, "discovering the scans did not end within 30 s"
    (issues,) = found
    assert sorted(str(f) for issue in issues for f in issue.files) == [
        str(scans / "p1.png"),
        str(scans / "sub" / "p1.png"),
    ]
