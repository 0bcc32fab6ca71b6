"""hOCR per page: parsed back with lxml (as XML and as HTML), the class hierarchy and the
title grammar checked, boxes nested on the page, the stored (corrected) text exactly."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from exportdata import corrected_archive
from lxml import etree
from PIL import Image

from ocr import archive
from ocr.export import formats
from ocr.export.incremental import run_export

XHTML = "{http://www.w3.org/1999/xhtml}"
TRICKY = "A<b>&\"c' 张庙"
CHILD = {"ocr_page": "ocr_carea", "ocr_carea": "ocr_par", "ocr_par": "ocr_line"}
CHILD["ocr_line"] = "ocrx_word"
# hOCR's title: properties separated by ';', each a name and its values (a quoted
# string may hold anything but a double quote).
PROPERTY = re.compile(r'\s*([a-z_]+)((?:\s+(?:"[^"]*"|[^\s;"]+))+)\s*(?:;|$)')


def properties(title: str) -> dict[str, list[str]]:
    out, at = {}, 0
    while at < len(title):
        m = PROPERTY.match(title, at)
        assert m, f"bad hOCR title at {title[at:]!r}"
        out[m.group(1)] = re.findall(r'"[^"]*"|[^\s"]+', m.group(2))
        at = m.end()
    return out


def bbox(el) -> tuple[int, ...]:
    values = properties(el.get("title"))["bbox"]
    assert all(re.fullmatch(r"\d+", v) for v in values), values
    x0, y0, x1, y1 = map(int, values)
    assert x0 < x1 and y0 < y1
    return x0, y0, x1, y1


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hocr")
    db = corrected_archive(folder / "archive", last=TRICKY)
    out = folder / "out"
    run_export(db, formats.get("hocr"), out)
    yield db, out
    db.conn.close()


def pages(out: Path) -> list[Path]:
    return sorted(out.glob("issue-*/*.hocr"))


def cls(el) -> str:
    return el.get("class") or ""


def test_every_page_parses_with_the_hocr_hierarchy_and_title_grammar(exported):
    _, out = exported
    assert len(pages(out)) == 3
    for path in pages(out):
        html = lxml.html.parse(str(path))  # what HTML tools see
        assert html.getroot().find(".//body") is not None
        doc = etree.parse(str(path))  # and well-formed XHTML
        (page,) = [e for e in doc.iter() if cls(e) == "ocr_page"]
        px0, py0, px1, py1 = bbox(page)
        assert (px0, py0) == (0, 0)
        props = properties(page.get("title"))
        assert props["image"][0].startswith('"images/') and props["ppageno"]
        for el in page.iter():
            c = cls(el)
            if c not in CHILD:
                continue
            x0, y0, x1, y1 = bbox(el)
            assert x0 >= 0 and y0 >= 0 and x1 <= px1 and y1 <= py1
            for kid in el:
                if cls(kid) in CHILD.values():
                    assert cls(kid) == CHILD[c], (c, cls(kid))
                    k0, k1, k2, k3 = bbox(kid)
                    assert x0 - 1 <= k0 and k2 <= x1 + 1 and y0 - 1 <= k1 and k3 <= y1 + 1


def test_lines_hold_the_stored_text_with_confidence_per_word(exported):
    db, out = exported
    for issue_id in (1, 2):
        record = archive.issue_record(db, issue_id)
        folder = next(out.glob(f"issue-{issue_id}-*"))
        for page in record["pages"]:
            doc = etree.parse(str(folder / f"{page['number']:04d}.hocr"))
            lines = [e for e in doc.iter() if cls(e) == "ocr_line"]
            stored = {ln["id"]: ln for ln in page["lines"]}
            assert sorted(int(e.get("id")[5:]) for e in lines) == sorted(stored)
            for el in lines:
                row = stored[int(el.get("id")[5:])]
                assert "".join(el.itertext()) == row["text"]
                words = [w for w in el if cls(w) == "ocrx_word"]
                confs = {properties(w.get("title"))["x_wconf"][0] for w in words}
                assert confs == {str(round(100 * row["confidence"]))}
    texts = ["".join(e.itertext()) for p in pages(out) for e in etree.parse(str(p)).iter()]
    assert TRICKY in texts


def test_words_are_characters_or_latin_runs_and_kinds_are_kept(exported):
    _, out = exported
    doc = etree.parse(str(out / "issue-1-张庙社区晨报" / "0001.hocr"))
    line = next(
        e for e in doc.iter() if cls(e) == "ocr_line" and "".join(e.itertext()).startswith("意")
    )
    assert [w.text for w in line][:6] == ["意", "大", "利", "XEV", "srl", "等"]
    areas = [e for e in doc.iter() if cls(e) == "ocr_carea"]
    assert [a.get("data-kind") for a in areas][:3] == ["masthead", "masthead", "headline"]
    assert areas[2].get("data-article") == "1"
    (photo,) = [e for e in doc.iter() if cls(e) == "ocr_photo"]
    assert bbox(photo) == (620, 420, 1080, 700)
    vertical = next(
        e for e in doc.iter() if cls(e) == "ocr_line" and "".join(e.itertext()) == "张庙街道新闻"
    )
    assert properties(vertical.get("title"))["textangle"] == ["90"]
    tops = [bbox(w)[1] for w in vertical]
    assert tops == sorted(tops) and len({bbox(w)[0] for w in vertical}) == 1


def test_the_page_image_is_the_colour_scan_or_the_scan_file_is_named(exported, tmp_path):
    db, out = exported
    doc = etree.parse(str(out / "issue-1-张庙社区晨报" / "0001.hocr"))
    (page,) = [e for e in doc.iter() if cls(e) == "ocr_page"]
    image = properties(page.get("title"))["image"][0].strip('"')
    with Image.open(out / "issue-1-张庙社区晨报" / image) as im:
        assert im.mode == "RGB" and im.size == bbox(page)[2:]
    run_export(db, formats.get("hocr"), tmp_path, issue_ids=[2], options={"images": "none"})
    doc = etree.parse(str(next(tmp_path.glob("issue-2-*/0001.hocr"))))
    (page,) = [e for e in doc.iter() if cls(e) == "ocr_page"]
    source = archive.issue_record(db, 2)["pages"][0]["source"]
    assert properties(page.get("title"))["image"] == [f'"{source}"']
    assert not list(tmp_path.glob("issue-2-*/images"))
