"""Bad input never stops a batch: each bad file gets a clear error naming the file and
page, a failed page row with the reason; the good pages are processed; the exit code
says pages failed; and nothing stored before is lost. Runs the real OCR engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import text_page
from PIL import Image

from ocr import archive
from ocr.cli.main import main
from ocr.errors import PagesFailed

GOOD = ["张庙街道召开党政负责干部学习讨论会", "交运智慧湾科创园开园仪式举行"]


def good_png(path: Path) -> Path:
    arr, _ = text_page(GOOD)
    Image.fromarray(arr).save(path)
    return path


def good_pdf(path: Path) -> Path:
    arr, _ = text_page(GOOD)
    Image.fromarray(arr).save(path, resolution=150)
    return path


def encrypted_pdf(path: Path, tmp: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = good_pdf(tmp / "plain.pdf")
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with open(path, "wb") as f:
        writer.write(f)
    return path


def make_bad(kind: str, folder: Path, tmp: Path) -> Path:
    if kind == "zero-byte":
        p = folder / "empty.pdf"
        p.write_bytes(b"")
    elif kind == "truncated-pdf":
        whole = good_pdf(tmp / "whole.pdf").read_bytes()
        p = folder / "truncated.pdf"
        p.write_bytes(whole[:200])
    elif kind == "text-as-jpg":
        p = folder / "notes.jpg"
        p.write_text("这不是图片 this is not an image\n" * 20)
    elif kind == "one-pixel":
        p = folder / "dot.png"
        Image.new("L", (1, 1), 255).save(p)
    elif kind == "200-megapixel":
        p = folder / "huge.png"
        Image.new("1", (14200, 14200), 1).save(p)  # 201.6 MP, a few MB on disk
    elif kind == "encrypted-pdf":
        p = encrypted_pdf(folder / "locked.pdf", tmp)
    else:  # pragma: no cover
        raise ValueError(kind)
    return p


EXPECTED = {
    "zero-byte": "empty (0 bytes)",
    "truncated-pdf": "not a readable PDF",
    "text-as-jpg": "not a readable image",
    "one-pixel": "too small",
    "200-megapixel": "megapixel limit",
    "encrypted-pdf": "encrypted with a password",
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_bad_file_is_recorded_and_batch_completes(kind, tmp_path, capsys):
    scans = tmp_path / "scans"
    scans.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    db_path = tmp_path / "out" / "archive.db"

    # A first batch stores good work.
    first = good_png(scans / "a-first.png")
    main(["process", str(first), "--db", str(db_path), "--quiet"])
    db = archive.open_db(db_path)
    before = [r["text"] for r in db.query("SELECT text FROM lines ORDER BY id")]
    db.conn.close()
    assert before, "the good page must give lines"

    # Then a batch with the bad file between two good pages.
    bad = make_bad(kind, scans, work)
    good_pdf(scans / "z-last.pdf")
    with pytest.raises(SystemExit) as exit_info:
        main(["process", str(scans), "--db", str(db_path), "--quiet"])
    assert exit_info.value.code == PagesFailed.exit_code
    err = capsys.readouterr().err
    assert str(bad) in err and EXPECTED[kind] in err
    assert "page 1" in err

    db = archive.open_db(db_path)
    rows = {Path(r["source"]).name: r for r in db.query("SELECT * FROM pages")}
    failed = rows[bad.name]
    assert failed["status"] == "failed"
    assert EXPECTED[kind] in failed["error"] and str(bad) in failed["error"]
    assert rows["z-last.pdf"]["status"] == "done"
    assert rows["a-first.png"]["status"] == "done"
    after = [r["text"] for r in db.query("SELECT text FROM lines ORDER BY id")]
    assert after[: len(before)] == before  # nothing stored before is lost
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.conn.close()
