"""Loading scans: formats, modes, natural page order, and clear errors for bad files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ocr.errors import InputError
from ocr.scan.load import count_pages, date_from_name, discover, load_page, natural_key


def page_image(value=200, size=(300, 400)):
    arr = np.full((size[1], size[0]), 255, np.uint8)
    arr[100:120, 50:250] = value  # a mark so pages differ
    return arr


def test_natural_order_and_issue_discovery(tmp_path):
    folder = tmp_path / "issue-2021-01-20"
    folder.mkdir()
    for n in (10, 2, 1):
        Image.fromarray(page_image(n)).save(folder / f"p{n}.png")
    Image.fromarray(page_image()).save(tmp_path / "single.jpg")
    (tmp_path / "notes.txt").write_text("not a scan")
    issues = discover([tmp_path])
    by_source = {i.source: i for i in issues}
    folder_issue = by_source[str(folder)]
    assert [p.name for p in folder_issue.files] == ["p1.png", "p2.png", "p10.png"]
    assert folder_issue.date == "2021-01-20"
    loose = [i for i in issues if i.files and i.files[0].name == "single.jpg"]
    assert len(loose) == 1 and len(issues) == 2
    assert sorted(["p10", "p2", "p1"], key=natural_key) == ["p1", "p2", "p10"]


@pytest.mark.parametrize("mode", ["1", "L", "RGB", "P"])
def test_image_modes_become_uint8(tmp_path, mode):
    im = Image.fromarray(page_image(0)).convert(mode)
    path = tmp_path / f"page.{'png' if mode != '1' else 'tif'}"
    im.save(path, dpi=(400, 400))
    arr, dpi = load_page(path, 0)
    assert arr.dtype == np.uint8 and arr.shape[:2] == (400, 300)
    assert dpi == 400
    assert arr[110, 100].max() < 128 and arr[10, 10].min() > 128


def test_color_scan_stays_color(tmp_path):
    rgb = np.full((400, 300, 3), 255, np.uint8)
    rgb[100:200, 100:200] = (200, 30, 30)
    Image.fromarray(rgb).save(tmp_path / "c.jpg", quality=95)
    arr, dpi = load_page(tmp_path / "c.jpg", 0, dpi=250)
    assert arr.ndim == 3 and dpi == 250
    assert arr[150, 150, 0] > arr[150, 150, 1] + 100


def test_multipage_tiff(tmp_path):
    frames = [Image.fromarray(page_image(v)) for v in (0, 60, 120)]
    path = tmp_path / "issue.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert count_pages(path) == 3
    arr, _ = load_page(path, 2)
    assert abs(int(arr[110, 100]) - 120) <= 2
    with pytest.raises(InputError, match="page 4"):
        load_page(path, 3)


def test_pdf_pages_at_dpi(tmp_path):
    frames = [Image.fromarray(page_image(v, (600, 800))) for v in (0, 90)]
    path = tmp_path / "issue.pdf"
    frames[0].save(path, save_all=True, append_images=frames[1:], resolution=100)
    assert count_pages(path) == 2
    arr, dpi = load_page(path, 1, dpi=150)
    assert dpi == 150 and arr.shape[:2] == (1200, 900)


def test_date_from_name():
    assert date_from_name("zhangmiao-2021-01-20.pdf") == "2021-01-20"
    assert date_from_name("zm_20210120_p1.tif") == "2021-01-20"
    assert date_from_name("scan-0001.tif") is None


def test_missing_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        discover([tmp_path / "nope"])
