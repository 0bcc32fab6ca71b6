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
