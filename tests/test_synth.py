"""Tests of the synthetic page renderer: its truth must match its pixels."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))  # for ocr.model

import synth  # noqa: E402

pytestmark = pytest.mark.skipif(not synth.fonts(), reason="no CJK font installed")

SMALL = {"dpi": 200, "width_mm": 120, "height_mm": 120}


@pytest.fixture(scope="module")
def front() -> synth.TruthPage:
    """A clean, upright front page with masthead, two QR codes and a photo."""
    return synth.render_page(number=1, masthead=True, qr=2, photos=1, seed=4, **SMALL)


@pytest.fixture(scope="module")
def inner() -> synth.TruthPage:
    """A clean, upright inner page: running head, folio, photos, a QR code in the body."""
    return synth.render_page(
        number=3, columns=4, photos=2, qr=1, seed=7, dpi=200, width_mm=150, height_mm=200
    )


def _same(a: synth.TruthPage, b: synth.TruthPage) -> bool:
    return (
        np.array_equal(a.image, b.image)
        and [(x.text, x.box, x.poly, x.kind, x.block, x.article) for x in a.lines]
        == [(x.text, x.box, x.poly, x.kind, x.block, x.article) for x in b.lines]
        and a.blocks == b.blocks
    )


def test_fonts_are_files():
    for path in synth.fonts():
        assert Path(path).is_file()


def test_same_seed_same_page_other_seed_other_page():
    kw = dict(SMALL, skew_degrees=1.2, blur=0.6, noise=3, jpeg_quality=75, qr=1)
    a = synth.render_page(seed=11, **kw)
    b = synth.render_page(seed=11, **kw)
    c = synth.render_page(seed=12, **kw)
    assert _same(a, b)
    assert not np.array_equal(a.image, c.image)


def test_page_size_and_kinds(front, inner):
    for page in (front, inner):
        h, w = page.image.shape
        assert page.image.dtype == np.uint8
        assert w == round(120 / 25.4 * 200) or w == round(150 / 25.4 * 200)
        assert {ln.kind for ln in page.lines} <= set(synth.LINE_KINDS)
        assert {b.kind for b in page.blocks} <= set(synth.BLOCK_KINDS)
        assert all(ln.text and ln.text == ln.text.strip() for ln in page.lines)
        assert all(0 <= ln.block < len(page.blocks) for ln in page.lines)
    assert {"masthead", "headline", "body", "caption"} <= {ln.kind for ln in front.lines}
    assert any(ln.text == "张 庙" for ln in front.lines)
    assert {"folio", "headline", "body", "caption"} <= {ln.kind for ln in inner.lines}
    assert any(ln.text == "2021年1月20日  张庙社区晨报  第3版" for ln in inner.lines)
    assert not any(
        ln.kind in ("masthead", "folio") and ln.article is not None for ln in inner.lines
    )


def test_line_boxes_are_tight_around_ink(front, inner):
    """Upright and clean: each box is exactly the extent of the ink near it, and the
    strips just outside the box (between lines) are blank."""
    for page in (front, inner):
        img = page.image
        for ln in page.lines:
            x0, y0, x1, y1 = (int(v) for v in ln.box)
            assert (x0, y0, x1, y1) == ln.box
            region = img[y0 - 3 : y1 + 3, x0 - 3 : x1 + 3]
            ys, xs = np.nonzero(region < 255)
            assert (xs.min() - 3, ys.min() - 3) == (0, 0), ln.text
            assert (xs.max() - 2 + x0, ys.max() - 2 + y0) == (x1, y1), ln.text
            assert (img[y0:y1, x0:x1] < 80).sum() >= 10, ln.text
            above = img[y0 - 4 : y0 - 1, x0:x1]
            below = img[y1 + 1 : y1 + 4, x0:x1]
            assert (above < 255).mean() == 0 and (below < 255).mean() == 0, ln.text


def test_body_text_is_big_and_spaced():
    page = synth.render_page(seed=3, dpi=300)  # defaults: 10.5 pt at 300 dpi
    body = [ln for ln in page.lines if ln.kind == "body"]
    heights = sorted(ln.box[3] - ln.box[1] for ln in body)
    assert 36 <= heights[len(heights) // 2] <= 48  # about 44 px characters
    for a, b in zip(body, body[1:]):
        if a.block == b.block:
            assert b.box[1] - a.box[1] >= 1.3 * 43.75 - 6  # tops, give or take punctuation


def test_polys_inside_image():
    for skew in (-3.0, 1.5, 3.0):
        page = synth.render_page(skew_degrees=skew, seed=5, qr=1, **SMALL)
        h, w = page.image.shape
        for ln in page.lines:
            for x, y in ln.poly:
                assert 0 <= x <= w and 0 <= y <= h


def test_lines_of_different_blocks_do_not_overlap(front, inner):
    for page in (front, inner):
        for i, a in enumerate(page.lines):
            bb = page.blocks[a.block].box
            assert bb[0] <= a.box[0] and bb[1] <= a.box[1]
            assert a.box[2] <= bb[2] and a.box[3] <= bb[3]
            for b in page.lines[i + 1 :]:
                if a.block != b.block:
                    w = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
                    h = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
                    assert w <= 0 or h <= 0, (a.text, b.text)


def test_text_stays_off_rules_photos_and_qr_codes():
    pages = [
        synth.render_page(number=2, columns=6, photos=2, qr=2, seed=s, **SMALL) for s in (0, 1)
    ]
    pages += synth.render_issue(2, seed=11, width_mm=130, height_mm=170, dpi=200)
    assert any(ln.text == synth.JUMP_IN for p in pages for ln in p.lines)
    for page in pages:
        solid = [b.box for b in page.blocks if b.kind in ("rule", "photo", "qr")]
        for ln in page.lines:
            for box in solid:
                w = min(ln.box[2], box[2]) - max(ln.box[0], box[0])
                h = min(ln.box[3], box[3]) - max(ln.box[1], box[1])
                assert w <= 0 or h <= 0, (page.number, ln.text, box)


@pytest.mark.parametrize("columns", [3, 5])
def test_columns_give_that_many_column_ranges(columns):
    page = synth.render_page(columns=columns, seed=columns, **SMALL)
    body_blocks = {ln.block for ln in page.lines if ln.kind == "body"}
    ranges = sorted({page.blocks[i].box[0::2] for i in body_blocks})
    assert len(ranges) == columns
    assert sorted({page.blocks[i].column for i in body_blocks}) == list(range(columns))
    for (_, a1), (b0, _) in zip(ranges, ranges[1:]):
        assert b0 - a1 >= 4 / 25.4 * 200 - 1  # a gutter of at least 4 mm


def _decode(image: np.ndarray, box, pad: int) -> str:
    x0, y0, x1, y1 = (int(v) for v in box)
    crop = image[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(crop)
    return text


def _need_qr() -> None:
    if synth._qr_matrix("x") is None:
        pytest.skip("neither qrcode nor segno is installed")


def test_qr_codes_decode(front):
    _need_qr()
    qrs = [b for b in front.blocks if b.kind == "qr"]
    assert [b.payload for b in qrs] == list(synth.QR_PAYLOADS)
    for b in qrs:
        assert _decode(front.image, b.box, 20) == b.payload
    assert sum(ln.text == synth.QR_CAPTION for ln in front.lines) == 2


def test_qr_decodes_on_a_scanned_page():
    _need_qr()
    page = synth.render_page(qr=1, skew_degrees=1.5, blur=0.6, noise=3, jpeg_quality=80, **SMALL)
    (qr,) = [b for b in page.blocks if b.kind == "qr"]
    h, w = page.image.shape
    m = synth._rotation(w, h, page.skew_degrees)
    corners = np.array([[qr.box[0], qr.box[1], 1], [qr.box[2], qr.box[3], 1]]) @ m.T
    assert _decode(page.image, (*corners.min(0), *corners.max(0)), 40) == qr.payload


def _ink_centroid(img: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    weight = (255.0 - img) * mask
    ys, xs = np.mgrid[0 : img.shape[0], 0 : img.shape[1]]
    total = weight.sum()
    # Pixel centres are at i + 0.5.
    return (float((weight * xs).sum() / total) + 0.5, float((weight * ys).sum() / total) + 0.5)


def test_polys_follow_the_rotation_of_the_image():
    upright = synth.render_page(seed=9, columns=3, **SMALL)
    skewed = synth.render_page(seed=9, columns=3, skew_degrees=3.0, **SMALL)
    assert [ln.box for ln in upright.lines] == [ln.box for ln in skewed.lines]
    h, w = upright.image.shape
    m = synth._rotation(w, h, 3.0)
    wrong = synth._rotation(w, h, -3.0)
    errors, wrong_errors = [], []
    for a, b in zip(upright.lines, skewed.lines):
        x0, y0, x1, y1 = (int(v) for v in a.box)
        if x1 - x0 < 3 * (y1 - y0):
            continue
        box_mask = np.zeros((h, w), np.float32)
        box_mask[y0:y1, x0:x1] = 1
        cx, cy = _ink_centroid(upright.image, box_mask)
        poly_mask = np.zeros((h, w), np.uint8)
        cv2.fillPoly(poly_mask, [np.round(np.array(b.poly) - 0.5).astype(np.int32)], 1)
        poly_mask = cv2.dilate(poly_mask, np.ones((5, 5), np.uint8)).astype(np.float32)
        sx, sy = _ink_centroid(skewed.image, poly_mask)
        px, py = m @ (cx, cy, 1)
        errors.append(math.hypot(sx - px, sy - py))
        qx, qy = wrong @ (cx, cy, 1)
        wrong_errors.append(math.hypot(sx - qx, sy - qy))
        # Counter-clockwise on screen: the end of a line is higher than its start.
        assert b.poly[1][1] < b.poly[0][1] and b.poly[2][1] < b.poly[3][1]
    assert len(errors) >= 10
    assert max(errors) < 1.0  # measured: about 0.03 px
    assert max(wrong_errors) > 10  # the test would catch a rotation the wrong way


def test_boxes_match_ocr_model_deskew():
    model = pytest.importorskip("ocr.model")
    page = synth.render_page(seed=2, skew_degrees=-1.3, **SMALL)
    h, w = page.image.shape
    deskew = model.Deskew.for_scan(page.skew_degrees, w, h)
    dx, dy = synth.deskewed_offset(page)
    for ln in page.lines[:20]:
        got = model.Box.from_poly(deskew.to_deskewed(ln.poly))
        want = (ln.box[0] + dx, ln.box[1] + dy, ln.box[2] + dx, ln.box[3] + dy)
        assert np.allclose(got.as_list(), want, atol=1e-6)


def test_scan_effects():
    clean = synth.render_page(seed=1, **SMALL)
    color = synth.render_page(seed=1, color=True, noise=2, **SMALL)
    assert color.image.shape == (*clean.image.shape, 3)
    r, g, b = (float(np.median(color.image[..., i])) for i in range(3))
    assert r > b + 10 and g > b  # yellowish paper
    blurred = synth.render_page(seed=1, blur=1.0, **SMALL)
    assert blurred.image.std() < clean.image.std()
    assert [ln.box for ln in blurred.lines] == [ln.box for ln in clean.lines]


def test_body_text_comes_from_the_source():
    source = "".join(synth._source(None).paragraphs)
    page = synth.render_page(seed=6, **SMALL)
    for ln in page.lines:
        if ln.kind == "body":
            assert ln.text.rstrip("。") in source, ln.text


def test_source_split():
    src = synth._source(None)
    assert "赋能产业转型升级 孕育城市新生机" in src.headlines
    assert "行者方致远 奋斗正当时" in src.headlines
    assert not any(re.search(r"\d{4}年\d+月\d+日$", h) for h in src.headlines)
    assert all(p[-1] in "。！？”" for p in src.paragraphs)
    assert not any("," in p for p in src.paragraphs)  # typeset as full-width


def test_text_argument_replaces_the_source():
    text = "社区新闻一则\n" + "居民们在社区广场上参加活动，大家都很高兴。" * 6 + "\n"
    page = synth.render_page(text=text, seed=1, photos=0, **SMALL)
    body = "".join(ln.text for ln in page.lines if ln.kind == "body")
    assert body and set(body) <= set(text)
    assert any(ln.text.startswith("社区新闻") for ln in page.lines if ln.kind == "headline")


def test_missing_font_falls_back():
    with pytest.warns(UserWarning, match="not found"):
        page = synth.render_page(font="/no/such/font.ttf", seed=1, photos=0, **SMALL)
    assert any(ln.kind == "body" for ln in page.lines)


def test_issue_and_files(tmp_path):
    jumps = 0
    for seed in range(4):
        pages = synth.render_issue(3, seed=seed, dpi=100, width_mm=150, height_mm=150)
        assert [p.number for p in pages] == [1, 2, 3]
        assert any(ln.kind == "masthead" for ln in pages[0].lines)
        assert not any(ln.kind == "masthead" for ln in pages[1].lines)
        assert all(3 <= p.columns <= 6 for p in pages)
        out = [ln for ln in pages[0].lines if ln.text == synth.JUMP_OUT]
        into = [ln for ln in pages[1].lines if ln.text == synth.JUMP_IN]
        assert len(out) == len(into) <= 1
        if out:
            jumps += 1
            titles = [
                "".join(
                    ln.text.replace(" ", "")
                    for ln in page.lines
                    if ln.kind == "headline" and ln.article == jump[0].article
                )
                for page, jump in ((pages[0], out), (pages[1], into))
            ]
            assert titles[0] and titles[0] == titles[1]
    assert jumps
    pdf, truth = tmp_path / "issue.pdf", tmp_path / "issue.truth.json"
    synth.save_pdf(pages, pdf)
    synth.save_truth(pages, truth)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") == 3
    w, h = pages[0].image.shape[1], pages[0].image.shape[0]
    assert f"/MediaBox [ 0 0 {w * 72 / 100:g} {h * 72 / 100:g} ]".encode() in data
    loaded = json.loads(truth.read_text(encoding="utf-8"))
    assert [p["number"] for p in loaded["pages"]] == [1, 2, 3]
    assert [ln["text"] for ln in loaded["pages"][2]["lines"]] == [ln.text for ln in pages[2].lines]
