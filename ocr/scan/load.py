"""Loading scans: the one adapter for pdf2image/poppler and Pillow.

A PDF is one issue (rasterized page by page at ``dpi``); a folder of images is one
issue with pages in natural order (p2 before p10); a single image is a one-page issue
(a multi-page TIFF gives one page per frame). Every failure raises :class:`InputError`
naming the file and, where known, the page.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ocr.errors import InputError

PDF_SUFFIXES = {".pdf"}
IMAGE_SUFFIXES = {".tif", ".tiff", ".jpg", ".jpeg", ".png"}
SCAN_SUFFIXES = PDF_SUFFIXES | IMAGE_SUFFIXES
MAX_PIXELS = 120_000_000  # a 600 dpi broadsheet is ~ 90 MP; larger is refused
MIN_SIDE = 32


@dataclass
class IssueSource:
    """One issue to process: its files and the pages in them."""

    key: str
    source: str
    title: str
    date: str | None
    files: list[Path] = field(default_factory=list)


def natural_key(name: str) -> list:
    """Sort key for file names in natural order (p2 before p10)."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def sha256_path(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex (a scan's identity; model files' checks)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


_DATE = re.compile(r"(19|20)(\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])")


def date_from_name(name: str) -> str | None:
    m = _DATE.search(name)
    return f"{m.group(1)}{m.group(2)}-{m.group(3)}-{m.group(4)}" if m else None


def _issue(key: str, path: Path, files: list[Path]) -> IssueSource:
    return IssueSource(
        key=key, source=str(path), title=path.stem, date=date_from_name(path.name), files=files
    )


def discover(paths: list[Path]) -> list[IssueSource]:
    """The issues under ``paths``: each PDF, each folder of images, each lone image."""
    issues: list[IssueSource] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
        if path.is_file():
            issues.append(_issue(f"file:{path.resolve()}", path, [path]))
            continue
        entries = sorted(path.iterdir(), key=lambda p: natural_key(p.name))
        images = [p for p in entries if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
        for pdf in (p for p in entries if p.is_file() and p.suffix.lower() in PDF_SUFFIXES):
            issues.append(_issue(f"file:{pdf.resolve()}", pdf, [pdf]))
        if images:
            issues.append(_issue(f"dir:{path.resolve()}", path, images))
        for sub in (p for p in entries if p.is_dir() and not p.name.startswith(".")):
            issues.extend(discover([sub]))
    return issues


def count_pages(path: Path) -> int:
    """How many pages a file holds (PDF pages, TIFF frames, else 1)."""
    suffix = path.suffix.lower()
    _check_file(path)
    if suffix in PDF_SUFFIXES:
        from pdf2image import pdfinfo_from_path
        from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError

        try:
            info = pdfinfo_from_path(str(path))
        except PDFInfoNotInstalledError as exc:
            raise InputError(str(path), "poppler (pdfinfo) is not installed") from exc
        except PDFPageCountError as exc:
            raise InputError(str(path), _pdf_problem(exc)) from exc
        pages = int(info.get("Pages", 0))
        if pages < 1:
            raise InputError(str(path), "the PDF has no pages")
        return pages
    if suffix in IMAGE_SUFFIXES:
        from PIL import Image, UnidentifiedImageError

        Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, with a clear message
        try:
            with Image.open(path) as im:
                return getattr(im, "n_frames", 1)
        except (UnidentifiedImageError, OSError) as exc:
            raise InputError(str(path), f"not a readable image: {_first_line(exc)}") from exc
    raise InputError(str(path), f"unsupported file type {suffix!r}")


def _pdf_problem(exc: BaseException) -> str:
    text = str(exc)
    if "password" in text.lower():
        return "the PDF is encrypted with a password; decrypt it first (e.g. qpdf --decrypt)"
    return f"not a readable PDF: {_first_line(exc)}"


def _check_file(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from exc
    if size == 0:
        raise InputError(str(path), "the file is empty (0 bytes)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def load_page(path: Path, index: int, dpi: int = 300) -> tuple[np.ndarray, int]:
    """Page ``index`` (0-based) of ``path`` as a uint8 array (gray HxW or RGB HxWx3)
    and the resolution it is at (the rasterization dpi for a PDF, else the file's dpi
    or ``dpi`` when the file does not say)."""
    path = Path(path)
    page = index + 1
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        image = _load_pdf_page(path, page, dpi)
        used_dpi = dpi
    elif suffix in IMAGE_SUFFIXES:
        image, used_dpi = _load_image(path, index, dpi)
    else:
        raise InputError(str(path), f"unsupported file type {suffix!r}", page)
    return _as_array(image, path, page), used_dpi


def _load_pdf_page(path: Path, page: int, dpi: int):
    from pdf2image import convert_from_path, pdfinfo_from_path
    from pdf2image.exceptions import PDFPageCountError, PDFSyntaxError

    try:
        info = pdfinfo_from_path(str(path))
        size = info.get("Page size", "")
        m = re.match(r"([\d.]+) x ([\d.]+) pts", size)
        if m:
            px = float(m.group(1)) / 72 * dpi * float(m.group(2)) / 72 * dpi
            if px > MAX_PIXELS:
                raise InputError(
                    str(path), f"page of {px / 1e6:.0f} megapixels at {dpi} dpi is too large", page
                )
        images = convert_from_path(
            str(path), dpi=dpi, first_page=page, last_page=page, grayscale=False, timeout=600
        )
    except InputError:
        raise
    except (PDFPageCountError, PDFSyntaxError) as exc:
        raise InputError(str(path), _pdf_problem(exc), page) from exc
    except Exception as exc:  # poppler failures surface as assorted exceptions
        raise InputError(str(path), f"cannot rasterize: {_first_line(exc)}", page) from exc
    if not images:
        raise InputError(str(path), "poppler returned no image (damaged or protected PDF)", page)
    return images[0]


def _load_image(path: Path, index: int, dpi: int):
    from PIL import Image, UnidentifiedImageError

    page = index + 1
    try:
        Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, with a clear message
        im = Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(str(path), f"not a readable image: {_first_line(exc)}", page) from exc
    with im:
        if im.width * im.height > MAX_PIXELS:
            raise InputError(
                str(path),
                f"image of {im.width}x{im.height} ({im.width * im.height / 1e6:.0f} "
                f"megapixels) is larger than the {MAX_PIXELS / 1e6:.0f} megapixel limit",
                page,
            )
        try:
            im.seek(index)
            im.load()
        except EOFError as exc:
            raise InputError(str(path), "no such page in the file", page) from exc
        except OSError as exc:
            raise InputError(str(path), f"damaged image data: {_first_line(exc)}", page) from exc
        file_dpi = im.info.get("dpi")
        used = int(round(file_dpi[0])) if file_dpi and file_dpi[0] and file_dpi[0] > 1 else dpi
        return im.copy(), used


def _as_array(im, path: Path, page: int) -> np.ndarray:
    if im.width < MIN_SIDE or im.height < MIN_SIDE:
        raise InputError(
            str(path), f"image of {im.width}x{im.height} pixels is too small to be a page", page
        )
    if im.mode in ("1", "L", "I;16", "I", "F", "P", "LA"):
        if im.mode == "P" and "transparency" not in im.info:
            im = im.convert("RGB")
        else:
            im = im.convert("L")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    arr = np.asarray(im, dtype=np.uint8)
    if arr.ndim == 3 and _is_gray(arr):
        arr = np.ascontiguousarray(arr[:, :, 0])
    return arr


def _is_gray(arr: np.ndarray) -> bool:
    sample = arr[:: max(1, arr.shape[0] // 64), :: max(1, arr.shape[1] // 64)].astype(np.int16)
    return bool(
        np.abs(sample[:, :, 0] - sample[:, :, 1]).max() <= 2
        and np.abs(sample[:, :, 1] - sample[:, :, 2]).max() <= 2
    )


def to_gray(image: np.ndarray) -> np.ndarray:
    """A uint8 gray copy (or the image itself) of a gray, RGB or RGBA image."""
    import cv2

    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2GRAY)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    raise ValueError(f"not an image: shape {image.shape}")
