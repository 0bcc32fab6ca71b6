"""The searchable PDF, read back with poppler's own tools: ``pdftotext`` gives the stored
(corrected) text in reading order with CER 0 and no space between CJK characters (the
failure of per-character placement, OCRmyPDF's, is shown to be caught); ``-bbox-layout``
puts each line where it is on the scan; the page images are colour JPEGs at 200 dpi."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from exportdata import corrected_archive
from lxml import etree
from metrics import edit_distance

from ocr import archive
from ocr.export import formats
from ocr.export.incremental import run_export
from ocr.export.pageview import page_view
from ocr.model import Box

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
GAP = re.compile(f"[{CJK}][ \t\u00a0]+[{CJK}]")  # a space between two CJK characters
CORRECTED = "交运智慧湾科创园开园仪式隆重举行。"
FALLBACK = "Zażółć gęślą jaźń"  # letters the CJK font has no glyph for (ż, ł...)


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture(scope="module", params=["glyphless", "cjk"])
def exported(tmp_path_factory, request):
    """The built archive with corrections, exported as PDF with the glyphless font (the
    default) and with the installed CJK font."""
    folder = tmp_path_factory.mktemp(f"pdf-{request.param}")
    db = corrected_archive(folder / "archive", CORRECTED, FALLBACK)
    out = folder / f"out-{request.param}"
    report = run_export(db, formats.get("pdf"), out, options={"font": request.param})
    yield db, out, report
    db.conn.close()


def stored_pages(db, issue_id: int) -> list[list[str]]:
    """Each page's line texts in the page's reading order (as the PDF sets them)."""
    record = archive.issue_record(db, issue_id)
    return [[ln.text for ln in page_view(p).lines] for p in record["pages"]]


def pdf_of(out: Path, issue_id: int) -> Path:
    (path,) = out.glob(f"issue-{issue_id}-*.pdf")
    return path


def segment(output: str, stored: list[str]) -> list[list[str]]:
    """The output's lines as runs of consecutive stored lines: pdftotext joins lines that
    follow each other on the same row (a masthead and its date line) with one space.
    Fails unless every output line is whole stored lines, in the stored order."""
    runs, at = [], 0
    for out_line in (s for s in output.replace("\f", "").split("\n") if s):
        run = []
        while at < len(stored) and (
            out_line == " ".join([*run, stored[at]])
            or out_line.startswith(" ".join([*run, stored[at]]) + " ")
        ):
            run.append(stored[at])
            at += 1
        assert run and " ".join(run) == out_line, (out_line, stored[at : at + 2])
        runs.append(run)
    assert at == len(stored), stored[at:]
    return runs


def cer(stored: list[str], output: str) -> float:
    """Character error rate, the breaks between lines (newline or space) as one."""
    truth = re.sub(r"\s+", "\n", "\n".join(stored)).strip()
    read = re.sub(r"\s+", "\n", output).strip()
    return edit_distance(truth, read) / len(truth)


def test_pdftotext_gives_the_stored_text_in_reading_order_cer_0(exported):
    db, out, _ = exported
    for issue_id in (1, 2):
        for n, want in enumerate(stored_pages(db, issue_id), start=1):
            got = pdftotext(pdf_of(out, issue_id), "-raw", "-f", str(n), "-l", str(n))
            assert cer(want, got) == 0, got
            segment(got, want)
    raw = pdftotext(pdf_of(out, 1), "-raw")
    assert CORRECTED in raw and "交运智慧湾科创园开园仪式举行。" not in raw
    assert FALLBACK in pdftotext(pdf_of(out, 2), "-raw")


@pytest.mark.parametrize("font", ["glyphless", "cjk"])
def test_rare_characters_are_searchable_or_reported(exported, tmp_path, font):
    """The glyphless font has every character (a private-use one too); with a CJK font a
    character none of the fonts has is reported, the rest of the line kept."""
    db, _, _ = exported
    db.conn.execute("VACUUM INTO ?", [str(tmp_path / "copy.db")])
    copy = archive.open_db(tmp_path / "copy.db")
    line = archive.issue_record(copy, 2)["pages"][0]["lines"][0]
    archive.correct_line(copy, line["id"], "张庙\U000f0000𪛖", author="r")
    options = {"font": font}
    report = run_export(copy, formats.get("pdf"), tmp_path / "out", [2], options)
    copy.conn.close()
    text = pdftotext(report.written[0], "-raw")
    if font == "glyphless":
        assert report.warnings == [] and "张庙\U000f0000𪛖" in text
        return
    (warning,) = report.warnings
    assert warning.startswith("issue 2: no glyph for ") and "not searchable there" in warning
    assert "\\U000f0000" in warning and "张庙" in text


def test_no_space_is_inserted_between_cjk_characters(exported):
    """The only spaces between CJK characters are those of the stored text (a date line
    reads ``2021年1月20日 第75期``), in pdftotext's reading-order modes; and in its
    default mode (its own layout analysis) every stored line comes out whole."""
    db, out, _ = exported
    for issue_id in (1, 2):
        lines = sum(stored_pages(db, issue_id), [])
        stored = Counter(GAP.findall("\n".join(lines)))
        for mode in ((), ("-raw",)):
            text = pdftotext(pdf_of(out, issue_id), *mode)
            assert Counter(GAP.findall(text)) == stored, mode
        rows = pdftotext(pdf_of(out, issue_id)).split("\n")
        for line in lines:
            assert any(line in row for row in rows), line


def test_the_check_catches_characters_placed_one_by_one(exported, tmp_path):
    """OCRmyPDF's renderer sets each hOCR word (for CJK, a character) on its own at its
    box; where the boxes leave gaps between the glyphs, pdftotext reads '中 华 人 民'.
    Built that way here, the check above fails on it: it can fail."""
    from fpdf import FPDF
    from fpdf.enums import TextMode

    from ocr.export.pdf import fonts

    font = fonts("cjk")[0]
    pdf = FPDF(unit="pt", format=(400, 200))
    pdf.add_font("cjk", fname=font.path, collection_font_number=font.index)
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.text_mode = TextMode.INVISIBLE
    for i, word in enumerate("中华人民共和国"):
        pdf.text(20 + 30 * i, 100, word)  # 20 pt characters every 30 pt
    path = tmp_path / "per-character.pdf"
    pdf.output(str(path))
    text = pdftotext(path)
    assert "中 华 人 民" in text and GAP.search(text)


def _words(pdf: Path, page: int) -> list[tuple[str, Box]]:
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout
    doc = etree.fromstring(xml, etree.XMLParser(recover=True))
    return [
        (w.text, Box(*(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))))
        for w in doc.iter("{*}word")
    ]


def test_selection_lands_on_the_line_on_the_scan(exported):
    """The text boxes of each line's words (what a viewer highlights) make up the line's
    box on the scan, within 1.5 pt: horizontal, vertical and on the skewed page."""
    db, out, _ = exported
    record = archive.issue_record(db, 1)
    for n, page in enumerate(record["pages"], start=1):
        k = 72 / page["dpi"]
        words = _words(pdf_of(out, 1), n)
        for row in page["lines"]:
            xs, ys = zip(*json.loads(row["poly"]))
            want = Box(min(xs) * k, min(ys) * k, max(xs) * k, max(ys) * k)
            parts = []
            for piece in row["text"].split():
                boxes = [b for t, b in words if t == piece]
                assert boxes, piece
                parts.append(min(boxes, key=lambda b: abs(b.y0 - want.y0) + abs(b.x0 - want.x0)))
            got = Box.union(parts)
            err = max(abs(a - b) for a, b in zip(got.as_list(), want.as_list()))
            assert err < 1.5, (row["text"], got, want)
    (vbox,) = [b for t, b in _words(pdf_of(out, 1), 1) if t == "张庙街道新闻"]
    assert vbox.height > 5 * vbox.width  # set along its length, top to bottom


def _images(pdf: Path) -> list[list[str]]:
    out = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [row.split() for row in out.splitlines()[2:]]


def test_pages_are_colour_jpegs_at_200_dpi_with_an_embedded_subset_font(exported, tmp_path):
    db, out, report = exported
    images = _images(pdf_of(out, 1))
    assert len(images) == 2
    for row in images:  # page num type width height color comp bpc enc interp object ID x-ppi
        assert row[2] == "image" and row[5] == "rgb" and row[8] == "jpeg"
        assert row[12:14] == ["200", "200"]
    page = archive.issue_record(db, 1)["pages"][0]
    assert images[0][3:5] == [str(round(page["width"] * 200 / 300))] * 1 + [
        str(round(page["height"] * 200 / 300))
    ]
    info = subprocess.run(["pdfinfo", str(pdf_of(out, 1))], capture_output=True, text=True)
    size = f"{page['width'] * 72 / 300:g} x {page['height'] * 72 / 300:g} pts"
    assert size in info.stdout
    fonts_out = subprocess.run(["pdffonts", str(pdf_of(out, 1))], capture_output=True, text=True)
    rows = [r.split() for r in fonts_out.stdout.splitlines()[2:]]
    assert rows and all(r[-5:-2] == ["yes", "yes", "yes"] for r in rows)  # emb, sub, uni
    glyphless = report.written[0].parent.name == "out-glyphless"
    assert glyphless == any("GlyphLessFont" in r[0] for r in rows)
    assert max(p.stat().st_size for p in report.written) < 1_000_000
    low = run_export(db, formats.get("pdf"), tmp_path, issue_ids=[2], options={"dpi": 100})
    assert _images(low.written[0])[0][12:14] == ["100", "100"]
