"""ALTO 4.3 per page and METS per issue: valid against the ALTO and METS XSDs, the stored
(corrected) text exactly, coordinates from the stored polygons, kinds, provenance, the
colour scan, and a METS whose file groups and structMaps point at files and ALTO blocks
that exist."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from exportdata import corrected_archive
from lxml import etree
from PIL import Image

from ocr import archive
from ocr.export import formats
from ocr.export.incremental import run_export
from ocr.model import Box

SCHEMAS = Path(__file__).parent / "data" / "schemas"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
NS = {
    "a": "http://www.loc.gov/standards/alto/ns-v4#",
    "mets": "http://www.loc.gov/METS/",
    "mods": "http://www.loc.gov/mods/v3",
    "xlink": "http://www.w3.org/1999/xlink",
}
HREF = "{http://www.w3.org/1999/xlink}href"
TRICKY = "A<b>&\"c'\x0c 张庙"  # markup, quotes and a form feed a reviewer pasted


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The built archive with two corrections, exported as ALTO: (archive, out folder)."""
    folder = tmp_path_factory.mktemp("alto")
    db = corrected_archive(folder / "archive", "交运智慧湾科创园开园仪式隆重举行。", TRICKY)
    out = folder / "out"
    report = run_export(db, formats.get("alto"), out)
    yield db, out, report
    db.conn.close()


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-3.xsd")))


@pytest.fixture(scope="module")
def mets_schema():
    """METS 1.12.1 (tests/data/schemas/README.md: where it comes from)."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "mets.xsd")))


def alto_files(out: Path) -> list[Path]:
    return sorted(out.glob("issue-*/alto/*.xml"))


def test_every_page_is_valid_alto_4_3(exported, schema):
    db, out, report = exported
    files = alto_files(out)
    assert len(files) == 3  # issue 1: two pages, issue 2: one
    for path in files:
        doc = etree.parse(str(path))
        assert schema.validate(doc), (path, schema.error_log.last_error)
        assert doc.getroot().get("SCHEMAVERSION") == "4.3"


def _line_text(line) -> str:
    parts = []
    for el in line:
        if el.tag == ALTO + "String":
            parts.append(el.get("CONTENT"))
        elif el.tag == ALTO + "SP":
            parts.append(" ")
    return "".join(parts)


def test_the_text_is_the_stored_corrected_text_line_by_line(exported):
    db, out, _ = exported
    for issue_id in (1, 2):
        record = archive.issue_record(db, issue_id)
        folder = next(out.glob(f"issue-{issue_id}-*"))
        for page in record["pages"]:
            doc = etree.parse(str(folder / "alto" / f"{page['number']:04d}.xml"))
            got = {
                int(tl.get("ID")[2:]): _line_text(tl)
                for tl in doc.iterfind(".//a:TextLine", namespaces=NS)
            }
            want = {ln["id"]: ln["text"].replace("\x0c", "") for ln in page["lines"]}
            assert got == want
    texts = [_line_text(tl) for p in alto_files(out) for tl in etree.parse(str(p)).iter()]
    assert "交运智慧湾科创园开园仪式隆重举行。" in texts
    assert TRICKY.replace("\x0c", "") in texts  # escaped, parsed back as written


def test_strings_are_characters_or_latin_runs_with_boxes_along_the_line(exported):
    _, out, _ = exported
    doc = etree.parse(str(out / "issue-1-张庙社区晨报" / "alto" / "0001.xml"))
    line = next(
        tl
        for tl in doc.iterfind(".//a:TextLine", namespaces=NS)
        if _line_text(tl).startswith("意大利")
    )
    strings = line.findall("a:String", namespaces=NS)
    assert [s.get("CONTENT") for s in strings][:6] == ["意", "大", "利", "XEV", "srl", "等"]
    assert line.find("a:SP", namespaces=NS) is not None  # between XEV and srl
    box = _box(line)
    assert (box.x0, box.y0, box.x1, box.y1) == (100, 400, 560, 436)  # the stored polygon
    xs = [_box(s) for s in strings]
    assert xs[0].x0 == box.x0 and abs(xs[-1].x1 - box.x1) < 0.2
    assert all(a.x1 <= b.x0 + 0.2 for a, b in zip(xs, xs[1:]))  # left to right, no overlap
    assert all(s.y0 == box.y0 and s.y1 == box.y1 for s in xs)
    # A CJK character is 1 em, a Latin letter 0.55 (ocr.text.lines.units): XEV is 1.65.
    assert abs(xs[3].width / xs[0].width - 1.65) < 0.02
    assert {s.get("WC") for s in strings} == {line_wc(doc, line)}


def line_wc(doc, line) -> str:
    return line.find("a:String", namespaces=NS).get("WC")


def _box(el) -> Box:
    x, y = float(el.get("HPOS")), float(el.get("VPOS"))
    return Box(x, y, x + float(el.get("WIDTH")), y + float(el.get("HEIGHT")))


def test_confidence_kinds_vertical_lines_photos_and_the_skewed_page(exported):
    db, out, _ = exported
    folder = out / "issue-1-张庙社区晨报"
    doc = etree.parse(str(folder / "alto" / "0001.xml"))
    tags = {t.get("ID"): t.get("LABEL") for t in doc.iterfind(".//a:StructureTag", namespaces=NS)}
    kinds = [tags[b.get("TAGREFS")] for b in doc.iterfind(".//a:TextBlock", namespaces=NS)]
    assert kinds == [
        "masthead", "masthead", "headline", "body", "body", "headline", "caption", "folio",
    ]  # fmt: skip
    (photo,) = doc.iterfind(".//a:Illustration", namespaces=NS)
    assert photo.get("TYPE") == "photo" and _box(photo) == Box(620, 420, 1080, 700)
    vertical = next(
        tl
        for tl in doc.iterfind(".//a:TextLine", namespaces=NS)
        if _line_text(tl) == "张庙街道新闻"
    )
    assert vertical.get("BASEDIRECTION") == "ttb"
    cells = [_box(s) for s in vertical.findall("a:String", namespaces=NS)]
    assert [c.y0 for c in cells] == sorted(c.y0 for c in cells) and len({c.x0 for c in cells}) == 1
    assert abs(cells[0].height - 60) < 0.2  # 360 px for 6 characters
    record = archive.issue_record(db, 1)
    conf = {ln["id"]: ln["confidence"] for p in record["pages"] for ln in p["lines"]}
    for tl in doc.iterfind(".//a:TextLine", namespaces=NS):
        assert float(line_wc(doc, tl)) == pytest.approx(conf[int(tl.get("ID")[2:])], abs=1e-4)
    skewed = etree.parse(str(folder / "alto" / "0002.xml"))
    first = skewed.find(".//a:TextLine", namespaces=NS)
    stored = json.loads(record["pages"][1]["lines"][0]["poly"])
    points = first.find("a:Shape/a:Polygon", namespaces=NS).get("POINTS")
    assert points == " ".join(f"{_n(x)},{_n(y)}" for x, y in stored)  # the scan polygon


def _n(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:.1f}"


def test_processing_records_models_settings_code_version_and_corrections(exported):
    _, out, _ = exported
    page1 = etree.parse(str(out / "issue-1-张庙社区晨报" / "alto" / "0001.xml"))
    steps = page1.findall(".//a:Processing", namespaces=NS)
    assert [s.get("ID") for s in steps] == ["OCR", "CORRECTION"]
    ocr = etree.tostring(steps[0], encoding="unicode")
    for expected in ("PP-OCRv6_small_det", "PP-OCRv6_small_rec", "eeeeeeeeeeee", "simplified"):
        assert expected in ocr
    assert steps[0].findtext("a:processingSoftware/a:softwareVersion", namespaces=NS) == "0.1.0"
    corrected = [tl for tl in page1.iterfind(".//a:TextLine", namespaces=NS) if tl.get("CS")]
    assert [_line_text(tl) for tl in corrected] == ["交运智慧湾科创园开园仪式隆重举行。"]
    assert corrected[0].get("PROCESSINGREFS") == "CORRECTION"
    page2 = etree.parse(str(out / "issue-1-张庙社区晨报" / "alto" / "0002.xml"))
    assert [s.get("ID") for s in page2.findall(".//a:Processing", namespaces=NS)] == ["OCR"]


def test_page_images_are_the_colour_scan_at_its_size(exported):
    db, out, _ = exported
    image = Image.open(out / "issue-1-张庙社区晨报" / "images" / "0001.jpg")
    page = archive.issue_record(db, 1)["pages"][0]
    assert image.size == (page["width"], page["height"]) and image.mode == "RGB"
    r, g, b = image.getpixel((850, 560))  # the middle of the red photo
    assert r > 150 and g < 80 and b < 80


def test_every_issue_has_a_mets_file_valid_against_the_mets_xsd(exported, mets_schema):
    _, out, _ = exported
    files = sorted(out.glob("issue-*/mets.xml"))
    assert len(files) == 2
    for path in files:
        assert mets_schema.validate(etree.parse(str(path))), mets_schema.error_log.last_error


def test_the_mets_xsd_catches_a_broken_mets_file(exported, mets_schema):
    """The check bites: a structMap without its div, a file without an ID."""
    _, out, _ = exported
    doc = etree.parse(str(out / "issue-1-张庙社区晨报" / "mets.xml"))
    broken = doc.find(".//mets:file", namespaces=NS)
    del broken.attrib["ID"]
    assert not mets_schema.validate(doc)
    assert "ID" in str(mets_schema.error_log.last_error)


def test_mets_points_at_every_page_file_and_article_block(exported):
    _, out, _ = exported
    folder = out / "issue-1-张庙社区晨报"
    mets = etree.parse(str(folder / "mets.xml"))
    root = mets.getroot()
    assert root.tag == "{http://www.loc.gov/METS/}mets"
    assert root.get("PROFILE").startswith("urn:library-of-congress:mets:profiles:ndnp:issue")
    assert [c.tag.split("}")[1] for c in root] == [
        "metsHdr", "dmdSec", "dmdSec", "dmdSec", "dmdSec", "dmdSec", "fileSec", "structMap",
        "structMap",
    ]  # fmt: skip
    assert mets.findtext(".//mods:dateIssued", namespaces=NS) == "2021-01-20"
    files = {}
    for grp, use in (("IMGGRP", "Images"), ("ALTOGRP", "Text")):
        (group,) = mets.iterfind(f".//mets:fileGrp[@ID='{grp}']", namespaces=NS)
        assert group.get("USE") == use
        for f in group:
            path = folder / f.find("mets:FLocat", namespaces=NS).get(HREF)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == f.get("CHECKSUM")
            files[f.get("ID")] = path
    assert sorted(files) == ["ALTO0001", "ALTO0002", "IMG0001", "IMG0002"]
    physical, logical = mets.findall("mets:structMap", namespaces=NS)
    pages = physical.findall("mets:div/mets:div", namespaces=NS)
    assert [p.get("TYPE") for p in pages] == ["np:page", "np:page"]
    assert [[f.get("FILEID") for f in p] for p in pages] == [
        ["IMG0001", "ALTO0001"],
        ["IMG0002", "ALTO0002"],
    ]
    check_articles(logical, files)


def check_articles(logical, files: dict[str, Path]) -> None:
    """Each article's areas name a block that is in the ALTO file named."""
    ids = {
        fid: {e.get("ID") for e in etree.parse(str(path)).iter() if e.get("ID")}
        for fid, path in files.items()
        if fid.startswith("ALTO")
    }
    articles = logical.findall(".//mets:div[@TYPE='Article']", namespaces=NS)
    assert [a.get("LABEL") for a in articles] == ["科创园开园迎来首批企业", "张庙街道新闻"]
    spans = []
    for art in articles:
        areas = art.findall(".//mets:area", namespaces=NS)
        assert areas and all(a.get("BETYPE") == "IDREF" for a in areas)
        assert all(a.get("BEGIN") in ids[a.get("FILEID")] for a in areas)
        spans.append(sorted({a.get("FILEID") for a in areas}))
        assert [d.get("TYPE") for d in art] == ["Title", "Body"]
    assert spans == [["ALTO0001", "ALTO0002"], ["ALTO0001"]]  # the jump is followed


def test_an_unchanged_archive_is_not_exported_again(exported):
    db, out, report = exported
    assert report.issues_written == [1, 2]
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = run_export(db, formats.get("alto"), out)
    assert again.issues_unchanged == [1, 2] and again.written == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_a_moved_scan_fails_its_issue_with_a_clear_error_and_the_rest_is_exported(
    exported, tmp_path
):
    db, out, _ = exported
    scan = Path(archive.issue_record(db, 2)["pages"][0]["source"])
    moved = scan.with_suffix(".moved")
    shutil.move(scan, moved)
    try:
        report = run_export(db, formats.get("alto"), tmp_path / "out")
    finally:
        shutil.move(moved, scan)
    assert report.issues_written == [1]
    ((issue, message),) = report.failed
    assert issue == 2 and re.search(rf"{re.escape(str(scan))}.*page 1", message)
    assert not list((tmp_path / "out").glob("issue-2-*/mets.xml"))
