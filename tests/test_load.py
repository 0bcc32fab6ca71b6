"""Loading scans: formats, modes, natural page order, and clear errors for bad files."""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

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
    assert arr.ndim == 3
    assert dpi is None  # the file does not say; --dpi is for PDFs, not a guess for images
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


@contextmanager
def time_limit(seconds: float):
    """Fail (rather than hang the suite) when the block runs longer than ``seconds``."""

    def stop(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_symlink_loops_and_aliases_are_walked_once(tmp_path):
    scans = tmp_path / "scans"
    issue = scans / "issue-2021-01-20"
    issue.mkdir(parents=True)
    for n in (1, 2):
        Image.fromarray(page_image(n)).save(issue / f"p{n}.png")
    os.symlink(".", scans / "s1")  # two loops: 2**40 paths when each path is walked
    os.symlink(".", scans / "s2")
    os.symlink("..", issue / "up")
    os.symlink("issue-2021-01-20", scans / "latest")  # the same folder by another name
    os.symlink("issue-2021-01-20/p1.png", scans / "a-alias.png")  # the same file
    with time_limit(10):
        issues = discover([scans])
        again = discover([scans / "s1", scans, issue / "p2.png"])
    assert [(i.source, [f.name for f in i.files]) for i in issues] == [
        (str(issue), ["p1.png", "p2.png"])
    ]
    assert issues[0].date == "2021-01-20"  # found by its real name, not by ``latest``
    assert [i.key for i in again] == [issues[0].key]
    assert sum(len(i.files) for i in again) == 2


def test_a_symlink_to_a_folder_outside_is_followed(tmp_path):
    outside = tmp_path / "elsewhere" / "issue-2021-02-03"
    outside.mkdir(parents=True)
    Image.fromarray(page_image()).save(outside / "p1.png")
    scans = tmp_path / "scans"
    scans.mkdir()
    os.symlink(outside, scans / "feb")
    os.symlink(outside / "p1.png", scans / "loose.png")
    issues = discover([scans])
    assert len(issues) == 1 and [f.name for f in issues[0].files] == ["loose.png"]
    assert issues[0].source == str(scans)  # the file was reached first as scans/loose.png


def phone_jpeg(path):
    """What many phones write: an MPO, the photo plus a smaller preview frame."""
    photo = Image.fromarray(page_image(0, (768, 1024)))
    photo.save(path, format="MPO", save_all=True, append_images=[photo.resize((96, 128))])
    return path


@pytest.mark.parametrize("fmt", ["MPO", "APNG", "GIF", "WEBP"])
def test_only_tiff_frames_are_pages(tmp_path, fmt):
    if fmt == "MPO":
        path = phone_jpeg(tmp_path / "phone.jpg")
    else:
        frames = [Image.fromarray(page_image(v, (400, 500))) for v in (0, 120)]
        suffix = {"APNG": ".png", "GIF": ".jpg", "WEBP": ".tif"}[fmt]
        path = tmp_path / f"scan{suffix}"  # the suffix is a scan's, the content is not
        frames[0].save(
            path, format=fmt.replace("APNG", "PNG"), save_all=True, append_images=frames[1:]
        )
    with Image.open(path) as im:
        assert im.n_frames == 2  # Pillow sees two frames
    assert count_pages(path) == 1
    arr, _ = load_page(path, 0)
    assert arr.shape[:2] in ((1024, 768), (500, 400))
    with pytest.raises(InputError, match="no such page"):
        load_page(path, 1)


def test_a_pdf_without_pages_says_so(tmp_path):
    from pypdf import PdfWriter

    path = tmp_path / "empty-issue.pdf"
    with open(path, "wb") as f:
        PdfWriter().write(f)  # a valid PDF, zero pages
    with pytest.raises(InputError, match="the PDF has no pages") as info:
        count_pages(path)
    assert "Unable to get page count" not in str(info.value)
    with pytest.raises(InputError, match="the PDF has no pages"):
        load_page(path, 0)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tif"])
def test_an_image_without_a_dpi_is_at_an_unknown_dpi(tmp_path, suffix):
    path = tmp_path / f"page{suffix}"
    Image.fromarray(page_image()).save(path)
    assert load_page(path, 0, dpi=300)[1] is None
    Image.fromarray(page_image()).save(path, dpi=(240, 240))
    assert load_page(path, 0, dpi=300)[1] == 240
