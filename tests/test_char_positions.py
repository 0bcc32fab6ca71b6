"""Character positions from the recognizer (PaddleOCR's CTC columns, ``return_word_box``):
carried on ``Line.char_centres``, stored (migration 0010), and used by the layout exports
so that ALTO ``String`` boxes follow the ink; rows without them, and corrected lines,
fall back to boxes cut evenly along the line."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import cjk_font
from lxml import etree
from PIL import Image, ImageDraw, ImageFont

from ocr import archive
from ocr.export import formats
from ocr.export.incremental import run_export
from ocr.export.pageview import char_spans, line_view, tokens
from ocr.model import Box, Line, PageJob, PageResult

ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
FONT_PX = 40
# (runs of a line, the gap before each run in ems): a wide gap between two runs, and
# Latin letters and digits (narrower than the half em even cuts give them) among CJK.
LINES = [
    [("张庙街道", 0.0), ("科创园开园仪式", 1.3)],
    [("意大利XEV", 0.0), ("srl", 0.5), ("等单位2021年签约", 0.5)],
    [("交运智慧湾科创园开园仪式举行。", 0.0)],
]
VERTICAL = "张庙街道新闻速递"  # a vertical headline, its characters top to bottom


def draw_page(path: Path) -> list[list[tuple[str, tuple[float, ...]]]]:
    """The page, each character drawn at a known place: per line, (character, ink box)
    for every character that is not a space (the vertical line last)."""
    font = ImageFont.truetype(cjk_font(), FONT_PX)
    img = Image.new("RGB", (1100, 760), (250, 246, 236))
    draw = ImageDraw.Draw(img)
    truth = []
    for k, runs in enumerate(LINES):
        x, y, chars = 80.0, 80 + k * 110, []
        for text, gap in runs:
            if gap:
                chars.append((" ", ()))  # where the runs part
            x += gap * FONT_PX
            for ch in text:
                draw.text((x, y), ch, font=font, fill=(20, 20, 20))
                chars.append((ch, draw.textbbox((x, y), ch, font=font)))
                x += draw.textlength(ch, font=font)
        truth.append(chars)
    chars = []
    for i, ch in enumerate(VERTICAL):
        at = (960, 80 + i * (FONT_PX + 4))
        draw.text(at, ch, font=font, fill=(20, 20, 20))
        chars.append((ch, draw.textbbox(at, ch, font=font)))
    truth.append(chars)
    img.save(path, dpi=(200, 200))
    return truth


@pytest.fixture(scope="module")
def read(tmp_path_factory, engine):
    """The page read by ``pipeline.process_page`` with the real models, stored and
    exported as ALTO: (truth, stored lines, ALTO lines by text, the result)."""
    from ocr import pipeline

    pipeline.init_worker(None, max(1, os.cpu_count() or 1))  # the real engine again
    tmp = tmp_path_factory.mktemp("chars")
    truth = draw_page(tmp / "page.png")
    job = PageJob(str(tmp / "page.png"), 0, 1, "chars", "c" * 64, dpi=200)
    result = pipeline.process_page(job)
    assert result.status == "done", result.error
    db = archive.open_db(tmp / "archive.db")
    issue = archive.upsert_issue(db, "chars", str(tmp), "张庙社区晨报", "2021-01-20")
    page = archive.ensure_page(db, issue, job)
    prov = archive.provenance_id(db, {"engine": "paddleocr"})
    archive.save_page(db, page["id"], result, "s" * 16, prov, confidence=0.9)
    stored = archive.issue_record(db, issue)["pages"][0]["lines"]
    run_export(db, formats.get("alto"), tmp / "alto")
    (alto,) = (tmp / "alto").glob("issue-*/alto/0001.xml")
    strings = {}
    for line in etree.parse(str(alto)).iter(ALTO + "TextLine"):
        found = [s for s in line.iter(ALTO + "String")]
        strings["".join(s.get("CONTENT") for s in found)] = [_centre(s) for s in found]
    yield truth, stored, strings, result
    db.conn.close()


def _centre(string) -> tuple[float, float]:
    x, y, w, h = (float(string.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
    return x + w / 2, y + h / 2


def _runs(chars: list[tuple[str, tuple[float, ...]]]) -> list[tuple[str, tuple[float, ...]]]:
    """The truth characters as the exports' tokens: a CJK character alone, a run of
    Latin letters and digits together (its ink the union of theirs)."""
    out: list[tuple[str, tuple[float, ...]]] = []
    parted = False
    for ch, box in chars:
        if ch == " ":
            parted = True
            continue
        latin = re.fullmatch(r"[A-Za-z0-9]", ch)
        if out and latin and not parted and re.fullmatch(r"[A-Za-z0-9]+", out[-1][0]):
            text, b = out[-1]
            out[-1] = (text + ch, (min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]),
                                   max(b[3], box[3])))  # fmt: skip
        else:
            out.append((ch, box))
        parted = False
    return out


def _on_ink(centre, box, slack: float) -> bool:
    x, y = centre
    return box[0] - slack <= x <= box[2] + slack and box[1] - slack <= y <= box[3] + slack


def _miss(centre, box) -> float:
    """How far (pixels, along the line) a box's centre is from the ink's centre."""
    return max(abs(centre[0] - (box[0] + box[2]) / 2), abs(centre[1] - (box[1] + box[3]) / 2))


def test_the_engine_gives_each_character_a_centre(read):
    _, stored, _, result = read
    texts = [ln.text for ln in result.lines]
    assert "张庙街道 科创园开园仪式" in texts or "张庙街道科创园开园仪式" in texts, texts
    for line in result.lines:
        assert line.char_centres and len(line.char_centres) == len(line.text)
        assert line.char_centres == sorted(line.char_centres)
        assert line.char_centres[0] > 0 and line.char_centres[-1] < 1
    assert all(len(json.loads(ln["char_centres"])) == len(ln["text"]) for ln in stored)


@pytest.mark.parametrize("k", range(len(LINES) + 1))
def test_alto_strings_follow_the_ink_better_than_even_cuts(read, k):
    """Each String's centre lies on its character's ink (a tenth of an em of slack), on
    average within 4 px of its centre; boxes cut evenly along the same line miss by more
    than twice as much where the line is not evenly set."""
    truth, stored, strings, _ = read
    want = _runs(truth[k])
    text = "".join(t for t, _ in want)
    (row,) = [ln for ln in stored if ln["text"].replace(" ", "") == text]
    (placed,) = [v for key, v in strings.items() if key == text]
    view = line_view({**row, "char_centres": None})
    even = [t.box.center for t in view.tokens if not t.space]
    assert len(placed) == len(even) == len(want)
    slack = 0.1 * FONT_PX
    assert all(_on_ink(c, box, slack) for c, (_, box) in zip(placed, want)), [
        (t, round(_miss(c, b))) for c, (t, b) in zip(placed, want)
    ]
    ours = sum(_miss(c, b) for c, (_, b) in zip(placed, want)) / len(want)
    cut = sum(_miss(c, b) for c, (_, b) in zip(even, want)) / len(want)
    # measured: 3.3 / 9.9 px (the gap line), 3.6 / 2.3 (Latin runs: both on the ink),
    # 3.5 / 12.5 (a full stop, its ink a corner of its cell, ends the line), 1.3 / 0.7
    # (the vertical line, evenly set)
    assert ours <= 4.0, (ours, cut)
    if k in (0, 2):
        assert ours < cut / 2, (ours, cut)


def test_rows_without_centres_or_corrected_fall_back_to_even_cuts():
    poly = [(0.0, 0.0), (100.0, 0.0), (100.0, 10.0), (0.0, 10.0)]
    row = {"id": 1, "text": "张庙", "ocr_text": "张庙", "confidence": 0.9, "x0": None,
           "poly": json.dumps(poly), "char_centres": json.dumps([0.05, 0.95])}  # fmt: skip
    assert [t.box.as_list()[0] for t in line_view(row).tokens] == pytest.approx([0.0, 90.0])
    for changed in ({"char_centres": None}, {"corrected": 1}, {"text": "张庙街"}):
        boxes = [t.box.as_list() for t in line_view({**row, **changed}).tokens]
        assert boxes[0][0] == 0.0 and boxes[1][0] == pytest.approx(100 / len(boxes))


def flat(spans):
    return [v for span in spans for v in span]


def test_char_spans_keep_a_character_to_its_width_about_its_centre():
    # two characters, an em a tenth of the line, far apart: each a tenth wide
    assert flat(char_spans("张庙", [0.05, 0.9], 0.1)) == pytest.approx([0.0, 0.1, 0.85, 0.95])
    # a space spans the gap between the ink either side
    spans = char_spans("张 庙", [0.05, 0.5, 0.9], 0.1)
    assert spans[1] == pytest.approx((0.1, 0.85))
    # close neighbours: clipped at the midpoint between their centres
    assert flat(char_spans("张庙", [0.3, 0.34], 0.1)) == pytest.approx([0.25, 0.32, 0.32, 0.39])
    toks = tokens("XEV张", [(0.0, 0.0), (100.0, 0.0), (100.0, 10.0), (0.0, 10.0)], False,
                  [0.1, 0.15, 0.2, 0.6])  # fmt: skip
    assert [t.text for t in toks] == ["XEV", "张"]
    assert toks[0].box.as_list()[0] == pytest.approx(10 - 2.75) and toks[1].box.center[0] == 60


def test_a_line_keeps_its_centres_through_the_archive(tmp_path):
    db = archive.open_db(tmp_path / "a.db")
    assert "0010_char_centres" in [r[0] for r in db.execute("SELECT name FROM _migrations")]
    issue = archive.upsert_issue(db, "k", str(tmp_path), "报", None)
    job = PageJob(str(tmp_path / "p.png"), 0, 1, "k", "d" * 64)
    page = archive.ensure_page(db, issue, job)
    box = Box(0, 0, 100, 10)
    lines = [Line("l1", "张庙", 0.9, box.poly(), box, char_centres=[0.25, 0.75]),
             Line("l2", "街道", 0.9, box.poly(), box, char_centres=[0.5])]  # fmt: skip
    result = PageResult(job=job, width=100, height=10, dpi=300, lines=lines)
    archive.save_page(db, page["id"], result, "s" * 16, archive.provenance_id(db, {}))
    rows = archive.issue_record(db, issue)["pages"][0]["lines"]
    assert [r["char_centres"] for r in rows] == ["[0.25, 0.75]", None]  # one per character
    db.conn.close()


def test_paddle_readings_become_centres_as_fractions_of_the_crop():
    """PaddleX's ``return_word_box`` reading: (text, [columns its content spans, words,
    each word's CTC columns, kinds]); ``fix`` undoes its scaling by another crop's
    aspect ratio (it sorts a batch's ratios, not its results)."""
    from ocr.recognize.paddle import _placed

    reading = ("张庙 X", [20.0, [["张", "庙"], [" "], ["X"]], [[2, 9], [12], [17]], ["cn"]])
    text, centres = _placed(reading, 1.0)
    assert text == "张庙 X" and centres == pytest.approx([0.125, 0.475, 0.625, 0.875])
    assert _placed(reading, 2.0)[1] == pytest.approx([0.0625, 0.2375, 0.3125, 0.4375])
    assert _placed("张庙", 1.0) == ("张庙", None)  # read without positions
    assert _placed(("张庙", [20.0, [["张"]], [[2]], ["cn"]]), 1.0) == ("张庙", None)
