"""Loading scans: the one adapter for pdf2image/poppler and Pillow.

A PDF is one issue (rasterized page by page at ``dpi``); a folder of images is one
issue with pages in natural order (p2 before p10); a single image is a one-page issue.
Only a TIFF's frames are pages: a phone's JPEG (an MPO: the photo and a preview) is one
page. An image that does not say its resolution is at an unknown dpi (None). Every
failure raises :class:`InputError` naming the file and, where known, the page.
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
    """The issues under ``paths``: each PDF, each folder of images, each lone image.

    Symbolic links are followed, but each real folder is walked once and each real file
    is one scan (a loop such as ``self -> .`` adds nothing). Where the same folder or
    file is reached by two paths, the one without a link wins, then the first found."""
    found = _walk([Path(p) for p in paths])
    winners = _claim(found)
    issues: list[IssueSource] = []
    for i, place in enumerate(found):
        scans = [p for j, p in enumerate(place.scans) if (i, j) in winners]
        if place.lone:
            issues += [_issue(f"file:{p.resolve()}", p, [p]) for p in scans]
            continue
        images = [p for p in scans if p.suffix.lower() in IMAGE_SUFFIXES]
        for pdf in (p for p in scans if p.suffix.lower() in PDF_SUFFIXES):
            issues.append(_issue(f"file:{pdf.resolve()}", pdf, [pdf]))
        if images:
            issues.append(_issue(f"dir:{place.path.resolve()}", place.path, images))
    return issues


@dataclass
class _Place:
    """A folder walked (or a file named on its own): its scans in natural order."""

    path: Path
    scans: list[Path]
    via_link: bool = False  # reached through a symbolic link to a folder
    lone: bool = False  # a file named in ``paths``


def _walk(paths: list[Path]) -> list[_Place]:
    """The folders under ``paths``, each real folder once, depth first in natural order
    (a folder before its subfolders); folders reached only through links come after."""
    places: list[_Place] = []
    walked: set[tuple] = set()
    links: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(str(path), "no such file or folder")
        if path.is_file():
            places.append(_Place(path, [path], lone=True))
        else:
            _walk_tree(path, False, walked, places, links)
    while links:
        _walk_tree(links.pop(0), True, walked, places, links)
    return places


def _walk_tree(
    top: Path, via_link: bool, walked: set[tuple], places: list[_Place], links: list[Path]
) -> None:
    """Walk ``top`` depth first without following links to folders (they are added to
    ``links``, to be walked later unless their folder was walked by then)."""
    stack = [top]
    while stack:
        folder = stack.pop()
        if not _first_time(folder, walked):
            continue
        entries = sorted(folder.iterdir(), key=lambda p: natural_key(p.name))
        scans = [p for p in entries if p.suffix.lower() in SCAN_SUFFIXES and p.is_file()]
        places.append(_Place(folder, scans, via_link))
        subs = [p for p in entries if not p.name.startswith(".") and p.is_dir()]
        links += [p for p in subs if p.is_symlink()]
        stack += reversed([p for p in subs if not p.is_symlink()])


def _claim(places: list[_Place]) -> set[tuple[int, int]]:
    """Which (place, scan) pairs hold each real file: a path without a link first, then
    the first found."""
    best: dict[tuple, tuple[tuple[bool, int], tuple[int, int]]] = {}
    order = 0
    for i, place in enumerate(places):
        for j, path in enumerate(place.scans):
            rank = (place.via_link or path.is_symlink(), order)
            order += 1
            key = _identity(path)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, (i, j))
    return {where for _, where in best.values()}


def _identity(path: Path) -> tuple:
    """What names a real file or folder, whatever the path to it (device and inode)."""
    try:
        st = path.stat()
    except OSError:
        return ("path", str(path.absolute()))
    return (st.st_dev, st.st_ino)


def _first_time(folder: Path, walked: set[tuple]) -> bool:
    key = _identity(folder)
    if key in walked:
        return False
    walked.add(key)
    return True


def count_pages(path: Path) -> int:
    """How many pages a file holds (PDF pages, TIFF frames, else 1: see :func:`_pages_in`)."""
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
                return _pages_in(im)
        except (UnidentifiedImageError, OSError) as exc:
            raise InputError(str(path), f"not a readable image: {_first_line(exc)}") from exc
    raise InputError(str(path), f"unsupported file type {suffix!r}")


def _pages_in(im) -> int:
    """The pages of an open image: a TIFF's frames. Whatever else Pillow reads as several
    frames is one page, its first frame: an MPO (what phones write as .jpg: the photo,
    then a preview), an animated PNG, GIF or WebP, a PSD's layers. The format is the
    content's, whatever the file's suffix says."""
    return getattr(im, "n_frames", 1) if im.format == "TIFF" else 1


# What poppler says of a well-formed PDF whose page tree is empty.
_NO_PAGES = re.compile(r"Invalid page count 0\b|the last page \(0\)")


def _pdf_problem(exc: BaseException) -> str:
    text = str(exc)
    if "password" in text.lower():
        return "the PDF is encrypted with a password; decrypt it first (e.g. qpdf --decrypt)"
    if _NO_PAGES.search(text):
        return "the PDF has no pages"
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


def load_page(path: Path, index: int, dpi: int = 300) -> tuple[np.ndarray, int | None]:
    """Page ``index`` (0-based) of ``path`` as a uint8 array (gray HxW or RGB HxWx3)
    and the resolution it is at: ``dpi`` (the rasterization dpi) for a PDF, else the
    file's own dpi, or None when the file does not say (not a guess)."""
    path = Path(path)
    page = index + 1
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        image = _load_pdf_page(path, page, dpi)
        used_dpi = dpi
    elif suffix in IMAGE_SUFFIXES:
        image, used_dpi = _load_image(path, index)
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


def _load_image(path: Path, index: int):
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
            if index >= (pages := _pages_in(im)):
                raise EOFError(f"{pages} page(s)")
            im.seek(index)
            im.load()
        except EOFError as exc:
            raise InputError(str(path), "no such page in the file", page) from exc
        except OSError as exc:
            raise InputError(str(path), f"damaged image data: {_first_line(exc)}", page) from exc
        return im.copy(), _file_dpi(im)


def _file_dpi(im) -> int | None:
    """The horizontal dpi the image file states, or None (no dpi, or a placeholder of 0
    or 1: JFIF's aspect-ratio-only density)."""
    stated = im.info.get("dpi")
    if not stated or not stated[0] or stated[0] <= 1:
        return None
    return int(round(stated[0]))


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
