"""Shared fixtures. tests/ is on sys.path so tests can ``import synth``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))
os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
# Tests must never reach the network: any model hub access would fail loudly.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("PADDLE_PDX_MODEL_SOURCE", "local")

SEED_TEXT = TESTS / "data" / "zhangmiao-2021-01-20.txt"


@pytest.fixture
def db(tmp_path):
    from ocr import archive

    database = archive.open_db(tmp_path / "archive.db")
    yield database
    database.conn.close()


@pytest.fixture(scope="session")
def engine():
    """The real PaddleOCR engine with the PP-OCRv6 models, loaded once."""
    from ocr import pipeline

    pipeline.init_worker(None, max(1, os.cpu_count() or 1))
    return pipeline.engine()


def cjk_font() -> str:
    import subprocess

    out = subprocess.run(
        ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
    ).stdout
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    preferred = [f for f in files if "NotoSansCJK-Regular" in f or "NotoSerifCJK-Regular" in f]
    if not (preferred or files):
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    return (preferred or files)[0]


def text_page(lines: list[str], font_px: int = 40, width: int = 1000):
    """A plain page with ``lines`` of text, one under another: (gray array, boxes)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font(), font_px)
    height = 120 + len(lines) * int(font_px * 1.8)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    boxes = []
    for i, line in enumerate(lines):
        y = 60 + i * int(font_px * 1.8)
        draw.text((60, y), line, font=font, fill=0)
        boxes.append(draw.textbbox((60, y), line, font=font))
    return np.asarray(img), boxes


def blank_scans(tmp_path: Path, widths=(600, 620, 640)) -> Path:
    """A folder ``scans`` of blank 300-px-high pages p1.png, p2.png... of these widths
    (for the fake engines, a page's width picks its fault)."""
    import numpy as np
    from PIL import Image

    folder = tmp_path / "scans"
    folder.mkdir()
    for i, width in enumerate(widths):
        Image.fromarray(np.full((300, width), 255, np.uint8)).save(folder / f"p{i + 1}.png")
    return folder


@pytest.fixture(scope="session")
def real_page(tmp_path_factory):
    """One small generated front page (110 x 140 mm at 200 dpi, 31 lines) for the runs
    with the real models through Dask, the hot folder and ``ocr retry``: the truth
    (``synth.TruthPage``) with ``path``, its file ``front.png`` (saying its dpi)."""
    from PIL import Image
    from synth import render_page

    page = render_page(
        masthead=True,
        columns=3,
        dpi=200,
        width_mm=110,
        height_mm=140,
        seed=11,
        noise=4.0,
        blur=0.5,
        skew_degrees=1.3,
    )
    page.path = tmp_path_factory.mktemp("real-page") / "front.png"
    Image.fromarray(page.image).save(page.path, dpi=(200, 200))
    return page


def check_real_page(db_path: Path, page) -> None:
    """``page`` (see :func:`real_page`) is stored in the archive at ``db_path`` as the
    real models read it: done, every legible line found and read right (the end-to-end
    test's targets), by the PP-OCRv6 models, its issue titled, dated and numbered from
    its masthead."""
    import json

    from metrics import line_cer

    from ocr import archive

    db = archive.open_db(db_path)
    try:
        (row,) = db.query("SELECT * FROM pages")
        assert (row["status"], row["dpi"], row["error"]) == ("done", 200, None)
        found = [
            (r["text"], json.loads(r["poly"]))
            for r in db.query("SELECT text, poly FROM lines WHERE page_id = ?", [row["id"]])
        ]
        prov = json.loads(
            db.execute(
                "SELECT data FROM provenance WHERE id = ?", [row["provenance_id"]]
            ).fetchone()[0]
        )
        issue = db.execute("SELECT title, date, number FROM issues").fetchone()
    finally:
        db.conn.close()
    expected = [(t.text, t.poly) for t in page.lines if t.box[3] - t.box[1] >= 12]
    cer, share = line_cer(expected, found)
    assert share >= 0.995 and cer <= 0.005, (share, cer)
    assert prov["det_model"] == "PP-OCRv6_small_det"
    assert prov["rec_model"] == "PP-OCRv6_small_rec"
    assert tuple(issue) == ("张庙社区晨报", "2021-01-20", 75)


def run_ocr(*args) -> int:
    """``ocr ARGS`` in this process: its exit code (0 when it returns)."""
    from ocr.cli.main import main

    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code
    return 0
