"""Vertical text: the generator's vertical headlines, turning vertical crops for the
recognizer, and (slow) whole pages through the real pipeline: region kinds, page
metadata and vertical headlines read in the right order."""

from __future__ import annotations

import collections
import os

import numpy as np
import pytest
from metrics import edit_distance, normalize
from PIL import Image
from synth import render_issue, render_page

from ocr.model import Box, PageJob
from ocr.recognize.paddle import crop_quad

SMALL = dict(columns=3, width_mm=130, height_mm=170, dpi=200)


def _vertical(t) -> bool:
    return t.box[3] - t.box[1] > 1.5 * (t.box[2] - t.box[0])


def test_no_vertical_headlines_by_default():
    a = render_page(number=2, seed=5, dpi=100, width_mm=120, height_mm=150)
    b = render_page(number=2, seed=5, dpi=100, width_mm=120, height_mm=150, vertical_headlines=0)
    assert np.array_equal(a.image, b.image)
    assert [(t.text, t.box, t.kind) for t in a.lines] == [(t.text, t.box, t.kind) for t in b.lines]
    assert not any(_vertical(t) for t in a.lines)


def test_vertical_headlines_truth():
    """Vertical headline columns read right to left, their ink inside their boxes, their
    text the article's title; the article's body beside them, not under them."""
    pages = render_issue(pages=2, seed=52, vertical_headlines=1.0, **SMALL)
    found = 0
    for page in pages:
        blocks = collections.defaultdict(list)
        for t in page.lines:
            if _vertical(t):
                assert t.kind == "headline"
                blocks[t.block].append(t)
        for cols in blocks.values():
            found += 1
            xs = [t.box[0] for t in cols]
            assert xs == sorted(xs, reverse=True)  # reading order: right to left
            art = next(a for a in page.articles if a.index == cols[0].article)
            assert "".join(t.text for t in cols) == art.title.replace(" ", "")
            head = Box(min(t.box[0] for t in cols), 0, max(t.box[2] for t in cols), 0)
            body = [t for t in page.lines if t.article == cols[0].article and t.kind == "body"]
            assert all(
                t.box[2] <= head.x0 or t.box[0] >= head.x1
                for t in body
                if t.box[1] < max(c.box[3] for c in cols)
            )
            for t in cols:
                x0, y0, x1, y1 = (int(round(v)) for v in t.box)
                ink = page.image[y0:y1, x0:x1] < 255
                assert ink[:, 0].any() and ink[:, -1].any() and ink[0].any() and ink[-1].any()
    assert found >= 4


def test_vertical_crops_are_turned_counter_clockwise():
    """As PaddleOCR does, and as the PP-OCRv6 recognizer reads best (measured: see
    ``crop_quad``): the top of the column ends at the left of the strip."""
    img = np.full((200, 200), 255, np.uint8)
    img[20:40, 50:80] = 0  # a mark at the top of a 30 x 120 column
    quad = np.array([[50, 20], [80, 20], [80, 140], [50, 140]], float)
    out = crop_quad(img, quad)
    assert out.shape == (30, 120)
    assert out[:, :20].mean() < 50 and out[:, 30:].mean() > 200


# ---------------------------------------------------------------------------- slow


@pytest.fixture(scope="module")
def processed(tmp_path_factory, engine):
    """A small two-page issue with vertical headlines, each page through
    ``pipeline.process_page`` with the real models."""
    from ocr import pipeline

    # The pages go through the process's engine: make it the real one again (an
    # in-process batch test may have loaded a fake since ``engine`` was first made).
    pipeline.init_worker(None, max(1, os.cpu_count() or 1))
    tmp = tmp_path_factory.mktemp("vertical")
    pages = render_issue(pages=2, seed=52, vertical_headlines=1.0, noise=3.0, blur=0.6, **SMALL)
    results = []
    for page in pages:
        path = tmp / f"p{page.number}.png"
        Image.fromarray(page.image).save(path)
        job = PageJob(str(path), 0, page.number, "vertical", "0" * 64, dpi=200)
        results.append(pipeline.process_page(job))
    return pages, results


def _matched(page, result):
    """For each truth line, the found lines whose centres lie in its (deskewed) box."""
    from synth import deskewed_offset

    ox, oy = deskewed_offset(page)
    out = []
    for t in page.lines:
        box = Box(t.box[0] + ox, t.box[1] + oy, t.box[2] + ox, t.box[3] + oy).pad(2)
        out.append((t, [ln for ln in result.lines if box.contains_point(ln.box.center)]))
    return out


@pytest.mark.slow
def test_real_pages_kinds_and_metadata(processed):
    pages, results = processed
    for page, result in zip(pages, results, strict=True):
        assert result.status == "done", result.error
        want = {"printed_number": page.number, "date": "2021-01-20", "title": "张庙社区晨报"}
        if page.number == 1:
            want["number"] = 75
        assert result.meta == want
        kind_of = {r.id: r.kind for r in result.regions}
        right = total = 0
        for t, hits in _matched(page, result):
            if t.box[3] - t.box[1] < 12:  # the masthead's tiny English line
                continue
            want_kind = "ad" if page.blocks[t.block].kind == "ad" else t.kind
            total += 1
            right += bool(hits) and {kind_of[ln.region] for ln in hits} == {want_kind}
        assert right / total >= 0.95, (page.number, right, total)


@pytest.mark.slow
def test_real_pages_vertical_headlines_read_in_order(processed):
    pages, results = processed
    checked = 0
    for page, result in zip(pages, results, strict=True):
        kind_of = {r.id: r.kind for r in result.regions}
        blocks = collections.defaultdict(list)
        for t in page.lines:
            if _vertical(t):
                blocks[t.block].append(t)
        matched = dict((id(t), hits) for t, hits in _matched(page, result))
        for cols in blocks.values():
            truth = "".join(t.text for t in cols)
            hits = [ln for t in cols for ln in matched[id(t)]]
            assert hits and all(kind_of[ln.region] == "headline" for ln in hits)
            # The found lines, in the page's order, read like the truth.
            region_lines = [ln for ln in result.lines if ln.region in {h.region for h in hits}]
            read = normalize("".join(ln.text for ln in region_lines))
            assert edit_distance(read, normalize(truth)) <= 0.1 * len(truth), (read, truth)
            checked += 1
    assert checked >= 4
