"""The preparation stage on generated pages made into real scans with known truth:
turned, spreads, photographed, coarse, yellowed (``tests/degrade.py``)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import degrade
import numpy as np
import pytest
from PIL import Image

from ocr.errors import PagesSuspect
from ocr.model import Box
from ocr.scan import clean, outline, prepare, resolution, spread, unwarp
from ocr.scan.load import to_gray

TESTS = Path(__file__).parent


@pytest.fixture(scope="session")
def pages():
    """Two small generated pages (tuning seeds), 150 dpi."""
    import masonry

    return [
        masonry.render_page(number=n, seed=7010, dpi=150, width_mm=150, height_mm=210)
        for n in (1, 2)
    ]


def test_a_spread_is_found_and_a_turned_page_is_not(pages):
    image, left, right = degrade.spread(pages[0], pages[1], shadow=0.5)
    cut = spread.gutter(image)
    w = pages[0].image.shape[1]
    assert cut is not None and abs(cut - w) < 0.03 * w
    assert spread.leaf_box(image.shape[1], image.shape[0], cut, 2, False)[0] == cut
    for page in pages:
        assert spread.gutter(page.image) is None
        for degrees in (90, 270):
            assert spread.gutter(degrade.turned(page, degrees).image) is None


def test_vertical_lines_are_told_from_horizontal_ones(pages):
    for page in pages:
        gray = to_gray(page.image)
        assert not spread.vertical_text(gray)
        # The same page with its lines standing (transposed): columns of text.
        assert spread.vertical_text(np.ascontiguousarray(gray.T))


def test_each_page_of_a_spread_is_its_half_and_maps_back_into_the_image(pages):
    image, left, right = degrade.spread(pages[0], pages[1], gutter_px=20)
    options = prepare.PrepareOptions(deskew=False, scale=False, clean=False)
    for leaf, truth in ((1, left), (2, right)):
        page = prepare.prepare(image, options, leaf=leaf)
        assert page.record["split"]["leaf"] == leaf
        # Every truth line of this page lies inside the prepared image, where its
        # polygon in the spread maps to.
        for line in truth.lines[:20]:
            pts = page.transform.to_deskewed(line.poly)
            assert all(-1 <= x <= page.transform.width + 1 for x, _ in pts)
            back = page.transform.to_scan(pts)
            assert max(math.dist(p, q) for p, q in zip(back, line.poly)) < 1e-6


def test_a_photo_s_page_outline_is_found_and_made_a_rectangle(pages):
    photo = degrade.photographed(pages[0], tilt=0.08, light=0.3, seed=3)
    step = outline.outline_step(to_gray(photo.image))
    assert step is not None
    h, w = pages[0].image.shape[:2]
    # The page as large as the photo shows it, its shape the page's.
    sx, sy = step.width / w, step.height / h
    assert abs(sx / sy - 1) < 0.04
    # The truth lines land where they were on the upright page (within 1% of a side).
    errors = []
    for line in photo.lines:
        x0, y0, x1, y1 = (v * s for v, s in zip(line.box, (sx, sy, sx, sy)))
        want = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        got = [step.forward(x, y) for x, y in line.poly]
        errors.append(max(math.dist(g, t) for g, t in zip(got, want)))
    assert float(np.median(errors)) < 0.01 * max(step.width, step.height)
    # A scan (paper to the edges) has no outline to correct.
    assert outline.outline_step(to_gray(pages[0].image)) is None


def test_a_page_running_out_of_the_photo_at_a_corner_is_not_outlined(pages, monkeypatch):
    photo = degrade.photographed(pages[0], tilt=0.12, light=0.2, seed=4)
    h, w = photo.image.shape[:2]
    cut = to_gray(photo.image[int(0.25 * h) :, : int(0.75 * w)])  # its top right cut off
    assert outline.outline_step(cut) is None
    monkeypatch.setattr(outline, "CORNER", -1.0)  # without the rule: a quadrilateral
    assert outline.outline_step(cut) is not None
    # A scan whose paper runs to the image's edges on one side and has a dark border on
    # the other is cropped to its paper all the same (an upright outline).
    monkeypatch.setattr(outline, "CORNER", 0.01)
    scan = np.full((1200, 900), 20, np.uint8)
    scan[:, :820] = to_gray(pages[0].image)[:1200, :820]
    step = outline.outline_step(scan)
    assert step is not None and abs(step.width - 820) < 15


def _tilt_ems(lines, fn, em: float) -> float:
    """The mean difference in height between each line's two ends (its top corners
    mapped by ``fn``), in ems, over the lines at least 4 ems long: 0 on a flat page."""
    tilts = []
    for line in lines:
        (x0, y0), (x1, y1) = fn(*line.poly[0]), fn(*line.poly[1])
        if x1 - x0 > 4 * em:
            tilts.append(abs(y1 - y0) / em)
    return float(np.mean(tilts))


def test_a_curled_page_s_rows_are_made_straight_and_a_flat_one_is_left(pages):
    em = float(np.median([ln.box[3] - ln.box[1] for ln in pages[0].lines if ln.kind == "body"]))
    for curl in (0.03, 0.05):
        bent = degrade.curled(pages[0], curl)
        step, record = unwarp.unwarp_step(to_gray(bent.image))
        assert step is not None, record
        before = _tilt_ems(bent.lines, lambda x, y: (x, y), em)
        after = _tilt_ems(bent.lines, step.forward, em)
        assert before > 0.25 and after < 0.1 and after < before / 4, (before, after)
        # The step undoes exactly what it does (the point map; its image: test_transform).
        for line in bent.lines[:20]:
            for x, y in line.poly:
                assert math.dist(step.backward(*step.forward(x, y)), (x, y)) < 1e-6
    for page in pages:
        step, record = unwarp.unwarp_step(to_gray(page.image))
        assert step is None, record


def test_the_type_size_follows_the_resolution(pages):
    body = [ln.box[3] - ln.box[1] for ln in pages[0].lines if ln.kind == "body"]
    truth = float(np.median(body))
    full = resolution.text_height(pages[0].image)
    half = resolution.text_height(degrade.coarser(pages[0], 0.5).image)
    assert full is not None and half is not None
    assert abs(full - truth) < 0.2 * truth and abs(half - truth / 2) < 0.2 * truth / 2
    assert resolution.scale_for(half, 600, 800) == 1.0  # 10 px type is read as it is
    assert resolution.scale_for(6.0, 600, 800) >= 1.5  # tiny type: made larger
    assert resolution.scale_for(full * 5, 6000, 8000) < 1.0  # large type: made smaller
    assert resolution.scale_for(full, 6000, 12000) < 1.0  # too large to lay out
    assert resolution.scale_for(resolution.TARGET_TEXT_PX, 2000, 3000) == 1.0


def test_yellowed_unevenly_lit_paper_is_evened_and_clean_paper_left_alone(pages):
    page = to_gray(pages[0].image)
    same, record = clean.clean(page)
    assert same is page and not record["cleaned"]
    dark = to_gray(degrade.yellowed(pages[0], light=0.35).image)
    flat, record = clean.clean(dark)
    assert record["cleaned"]
    paper = flat[page == 255]
    assert np.percentile(paper, 5) >= 240  # the paper is white again, corner to corner
    ink = flat[page < 80]
    assert np.median(ink) < 110  # and the text is still dark


def _run_cli(args: list[str]) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
    )
    cmd = [sys.executable, "-m", "ocr", "process", *args, "--quiet", "--executor", "inline"]
    return subprocess.run(cmd + ["--engine", "fakes:FakeEngine"], env=env, capture_output=True)


def test_a_spread_becomes_two_pages_of_the_issue_pointing_at_one_image(pages, tmp_path):
    from ocr import archive

    scans = tmp_path / "issue"
    scans.mkdir()
    image, _, _ = degrade.spread(pages[0], pages[1], shadow=0.4)
    Image.fromarray(image).save(scans / "p1.png")
    Image.fromarray(to_gray(pages[0].image)).save(scans / "p2.png")
    db_path = tmp_path / "a.db"
    done = _run_cli([str(scans), "--db", str(db_path)])
    # (The fake engine's readings are stored, but flagged suspect: its exit code.)
    assert done.returncode in (0, PagesSuspect.exit_code), done.stderr.decode()
    db = archive.open_db(db_path)
    rows = list(
        db.query("SELECT number, source, source_sha256, leaf, status FROM pages ORDER BY number")
    )
    assert [(r["number"], r["leaf"], Path(r["source"]).name) for r in rows] == [
        (1, 1, "p1.png"),
        (2, 2, "p1.png"),
        (3, 0, "p2.png"),
    ]
    assert rows[0]["source_sha256"].endswith("#1") and rows[1]["source_sha256"].endswith("#2")
    assert rows[0]["source_sha256"][:-2] == rows[1]["source_sha256"][:-2]
    assert all(r["status"] == "done" for r in rows)
    db.conn.close()
    # A second run knows the spread: the same three pages, none run again.
    again = _run_cli([str(scans), "--db", str(db_path)])
    assert again.returncode in (0, PagesSuspect.exit_code)
    db = archive.open_db(db_path)
    assert db.execute("SELECT max(attempts) FROM pages").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 3
    db.conn.close()
    # With --no-split, a new archive has the spread as one page.
    other = tmp_path / "b.db"
    assert _run_cli([str(scans), "--db", str(other), "--no-split"]).returncode in (
        0,
        PagesSuspect.exit_code,
    )
    db = archive.open_db(other)
    assert [r[0] for r in db.execute("SELECT leaf FROM pages ORDER BY number")] == [0, 0]
    db.conn.close()


# -- orientation, with the real models -----------------------------------------------


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_turned_page_is_found_turned(pages, engine, degrees):
    found, record = prepare.orientation(degrade.turned(pages[0], degrees).image, engine)
    assert found == degrees, record


def test_an_upright_page_is_upright(pages, engine):
    found, record = prepare.orientation(pages[1].image, engine)
    assert found == 0, record


@pytest.mark.parametrize("degrees", [0, 90, 270])
def test_a_page_set_in_vertical_lines_is_told_from_a_turned_horizontal_one(engine, degrees):
    """A page set in vertical lines (standing lines of standing characters) is upright;
    turned by a quarter, found turned by as much, not by 180 degrees (its lines, lying
    then, read whole as well either way: the recognizer reads a vertical line turned on
    its side; cut into characters, only the right turn reads well both ways)."""
    from vertical_page import render_vertical_page

    image = render_vertical_page(0).image
    found, record = prepare.orientation(
        np.ascontiguousarray(np.rot90(image, -degrees // 90)), engine
    )
    assert found == degrees, record


def _processed(image: np.ndarray, tmp_path, dpi: int):
    from ocr.model import PageJob
    from ocr.pipeline import process_page, settings_for

    path = tmp_path / "page.png"
    Image.fromarray(image).save(path)
    result = process_page(
        PageJob(str(path), 0, 1, "t", "x" * 64, dpi, None, settings_for(dpi, None))
    )
    assert result.status == "done", result.error
    return result


def test_an_upright_page_records_its_orientation_and_the_evidence(pages, engine, tmp_path):
    """At 0 degrees too the page's record (stored as its provenance) says the angle and
    what was measured: read upright, confidently and in lying lines, so not tested."""
    result = _processed(pages[1].image, tmp_path, 150)
    record = result.preparation["orient"]
    assert record == result.orientation and record["degrees"] == 0
    assert not record["tested"] and record["why"] == "read upright"
    assert record["reading"]["confidence"] >= 0.85 and record["reading"]["tall_share"] <= 0.5
    assert record["reading"]["lines"] >= 8


def test_a_vertical_page_kept_upright_by_the_test_records_its_scores(engine, tmp_path):
    """A page set in vertical lines is tested (most of its text stands) and kept at 0
    degrees: the record holds the test's scores, 0 degrees the best, and the reading."""
    from vertical_page import render_vertical_page

    result = _processed(render_vertical_page(0).image, tmp_path, 200)
    record = result.preparation["orient"]
    assert record["degrees"] == 0 and record["tested"] and result.geometry.orientation == 0
    assert record["reading"]["tall_share"] > 0.5
    scores = record["scores"]
    assert "0" in scores and all(scores["0"] >= v for v in scores.values())


def test_a_page_scanned_upside_down_is_read_upright_and_stored_in_scan_pixels(
    pages, engine, tmp_path
):
    """Through the pipeline: read upright, the turn recorded, every line's polygon in the
    turned scan's pixels where the truth has it, its box in the prepared image."""
    from linematch import matched

    from ocr.model import PageJob
    from ocr.pipeline import process_page, settings_for

    turned = degrade.turned(pages[0], 180)
    path = tmp_path / "turned.png"
    Image.fromarray(turned.image).save(path)
    job = PageJob(str(path), 0, 1, "t", "x" * 64, 150, None, settings_for(150, None))
    result = process_page(job)
    assert result.status == "done", result.error
    assert result.geometry.orientation == 180 and result.orientation["degrees"] == 180
    pairs = matched(turned.lines, result.lines)
    assert len(pairs) >= 0.9 * len(turned.lines)
    right = sum(t.text == ln.text for t, ln in pairs)
    assert right >= 0.8 * len(pairs)
    for _, line in pairs:
        # The box is the polygon mapped into the prepared (upright) image.
        box = Box.from_poly(result.geometry.to_deskewed(line.poly))
        assert abs(box.x0 - line.box.x0) < 1 and abs(box.y1 - line.box.y1) < 1


def test_beyond_a_visible_edge_of_an_unoutlined_page_nothing_is_read(pages):
    """A photo whose page runs out of the frame (no outline: its top right cut off) with
    a printed slip on the desk beside the page's left edge: the slip is masked in the
    working copy, the page's own text is kept, and a scan is left as it is."""
    import cv2

    photo = degrade.photographed(pages[0], tilt=0.12, light=0.2, seed=4)
    h, w = photo.image.shape[:2]
    cut = np.ascontiguousarray(photo.image[int(0.25 * h) :, : int(0.75 * w)])
    left = min(x for ln in photo.lines for x, _ in ln.poly)  # the page's text starts here
    slip = (int(0.1 * left), int(0.3 * cut.shape[0]), int(0.6 * left), int(0.4 * cut.shape[0]))
    x0, y0, x1, y1 = slip
    cut[y0:y1, x0:x1] = 235
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(cut, "luckin", (x0 + 4, (y0 + y1) // 2), font, 0.8, (0, 0, 0), 2)
    gray = to_gray(cut)
    assert outline.outline_step(gray) is None and outline.on_background(gray)
    options = prepare.PrepareOptions(unwarp=False, scale=False, deskew=False, clean=False)
    page = prepare.prepare(cut, options)
    assert any(e["side"] == "left" for e in page.record["outline"]["edges"])
    assert page.transform.steps == ()  # the geometry is unchanged
    assert gray[y0:y1, x0:x1].min() < 60  # the slip's ink, before ...
    assert page.gray[y0:y1, x0:x1].min() == 255  # ... and after
    dy, (ch, cw) = int(0.25 * h), gray.shape
    boxes = [
        [int(v) for v in (min(xs), min(ys) - dy, max(xs) + 1, max(ys) + 1 - dy)]
        for xs, ys in (zip(*ln.poly) for ln in photo.lines)
    ]
    boxes = [b for b in boxes if b[1] >= 0 and b[2] <= cw and b[3] <= ch]
    assert len(boxes) > 20

    def ink(g):  # dark pixels in the page's lines
        return sum(int((g[y0:y1, x0:x1] < 100).sum()) for x0, y0, x1, y1 in boxes)

    assert ink(page.gray) == ink(gray)
    # A scan (paper to its edges) has no background: nothing is looked for, nothing masked.
    scan = prepare.prepare(pages[0].image, options)
    assert "edges" not in scan.record["outline"]
    assert np.array_equal(scan.gray, to_gray(pages[0].image))


def test_a_binding_shadow_is_lightened_so_that_layout_sees_no_ink_in_it(pages):
    from ocr.layout.ink import binarize

    image, left, right = degrade.spread(pages[0], pages[1], shadow=0.4)
    w = pages[0].image.shape[1]
    options = prepare.PrepareOptions(unwarp=False, scale=False, deskew=False)
    page = prepare.prepare(image, options, leaf=1)
    assert page.record["shadow"]["shadow"]
    # The page's own right margin, beyond its text, is in the shadow: no ink there now.
    text_right = max(x for ln in left.lines for x, _ in ln.poly)
    x0 = int(text_right) + 5
    margin = page.gray[:, x0:]
    assert margin.shape[1] > 0.01 * w
    assert float(to_gray(image)[:, x0:w].mean()) < 0.85 * 255  # the shadow, before
    assert not binarize(margin).any()
    # On a page without a shadow nothing is changed.
    plain = prepare.prepare(pages[0].image, options)
    assert plain.record["shadow"] == {"shadow": False}
    assert np.array_equal(plain.image, pages[0].image)


def test_a_skewed_curled_photo_is_flattened_without_leaning_its_columns():
    """The unwarp step only bends: a skewed page's straight tilt is left to deskew,
    which turns columns with rows (moved vertically, the rows would level but the
    columns lean, and the layout merge them across their gutters)."""
    import masonry

    page = masonry.render_page(
        number=1, seed=7010, dpi=150, width_mm=150, height_mm=210, skew_degrees=1.5
    )
    photo = degrade.photographed(page, tilt=0.05, curl=0.03, light=0.2, seed=5)
    prepared = prepare.prepare(photo.image, prepare.PrepareOptions(scale=False, clean=False))
    assert prepared.record["unwarp"]["found"]
    # The lines that start a column (same left edge on the upright page) start at the
    # same x on the prepared page, top to bottom.
    starts: dict[int, list[float]] = {}
    heights = []
    for line in photo.lines:
        if line.kind != "body":
            continue
        (x, _), *_ = prepared.transform.to_deskewed([line.poly[0]])
        starts.setdefault(round(line.box[0] / 3), []).append(x)
        heights.append(line.box[3] - line.box[1])
    em = float(np.median(heights))
    columns = [xs for xs in starts.values() if len(xs) >= 8]
    assert len(columns) >= 2
    lean = max(max(xs) - min(xs) for xs in columns)
    assert lean < 0.5 * em, (lean, em)


def test_a_skewed_page_on_gray_paper_is_deskewed_onto_its_own_paper():
    """The deskew's new corners are the page's paper, not white: on a photo's gray
    paper a white fill left a step that cleaning made a band of noise along the
    page's edges, which the layout took for text (and ran a column block across a
    rule from it: the phone photo's broken article)."""
    import masonry

    from ocr.layout.ink import binarize

    page = masonry.render_page(
        number=1, seed=7010, dpi=150, width_mm=150, height_mm=210, skew_degrees=1.5
    )
    noise = np.random.default_rng(3).normal(0, 4, page.image.shape)
    gray = (page.image.astype(np.float32) * 0.8 + noise).clip(0, 255).astype(np.uint8)
    prepared = prepare.prepare(gray, prepare.PrepareOptions(scale=False))
    assert abs(prepared.record["deskew"]["degrees"]) > 1 and prepared.record["clean"]["cleaned"]
    ink = binarize(prepared.gray) > 0
    edge = int(0.03 * ink.shape[1])  # the page's margins: no text there
    for strip in (ink[:, :edge], ink[:, -edge:], ink[:edge], ink[-edge:]):
        assert not strip.any()
