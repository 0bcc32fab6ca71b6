"""Page images for the exports, the one loader: the original scan's page (colour kept),
never the gray deskewed copy, since the stored polygons are in the original scan's
pixels.

A page (a row of ``archive.issue_record``'s pages) is loaded again from its source file
(``source``, ``page_index``; a PDF rasterized at the page's stored dpi) through
``ocr.scan.load``; a scan that is gone or no longer the size it was read at raises
:class:`InputError` naming the file and page. Sizes and quality are the caller's:
:func:`encode` (JPEG or PNG, a quality, a dpi) and :func:`fit` / :func:`scaled` (a
longer side, a factor); :func:`page_images` gives the page at several sizes, the scan
read once, with the factor from scan pixels to each image's (:func:`scaled_poly`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image

from ocr.errors import InputError
from ocr.scan.load import load_page

IMAGE_FORMATS = ("jpeg", "png")
WEB_SIDE = 1600  # the longer side of a page image on the web (the site), in pixels
WEB_QUALITY = 82  # JPEG quality of the web exports' page images (site, IIIF)


def scan_image(page: dict[str, Any]) -> Image.Image:
    """The page's original scan image (RGB, or L for a gray scan), at its stored size."""
    number = page["page_index"] + 1
    try:
        array, _ = load_page(page["source"], page["page_index"], page["dpi"] or 300)
    except InputError as exc:
        if exc.page is not None:
            raise
        raise InputError(page["source"], exc.reason, number) from exc
    image = Image.fromarray(array)
    size = (page["width"], page["height"])
    if image.size != size:
        raise InputError(
            page["source"],
            f"the scan is {image.size[0]}x{image.size[1]} pixels, not the "
            f"{size[0]}x{size[1]} it was read at: it has changed since",
            number,
        )
    return image


def encode(
    image: Image.Image, fmt: str = "jpeg", quality: int = 85, dpi: float = 0, progressive=False
) -> bytes:
    """The image as JPEG (``quality``; ``progressive``: some 4% smaller, shown coarse
    first) or PNG bytes, with ``dpi`` recorded when given."""
    buf = io.BytesIO()
    extra = {"dpi": (dpi, dpi)} if dpi else {}
    if fmt == "jpeg":
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        rgb.save(buf, "JPEG", quality=quality, optimize=True, progressive=progressive, **extra)
    elif fmt == "png":
        image.save(buf, "PNG", optimize=False, **extra)
    else:
        raise ValueError(f"unknown image format {fmt!r}")
    return buf.getvalue()


def scaled(image: Image.Image, scale: float) -> Image.Image:
    """The image resized by ``scale`` (Lanczos), or itself at scale 1 or more."""
    return image if scale >= 0.999 else _resize(image, scale)


def fit(image: Image.Image, max_side: int | None) -> Image.Image:
    """The image scaled so its longer side is at most ``max_side`` (None: as it is)."""
    if not max_side or max(image.width, image.height) <= max_side:
        return image
    return _resize(image, max_side / max(image.width, image.height))


def _resize(image: Image.Image, scale: float) -> Image.Image:
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


@dataclass(frozen=True)
class PageImage:
    """A page image's JPEG bytes, its size and the factor from scan pixels to its own."""

    jpeg: bytes
    width: int
    height: int
    scale: float


def page_images(
    page: dict[str, Any], sides: tuple[int | None, ...], quality: int = WEB_QUALITY
) -> list[PageImage]:
    """The page as a progressive JPEG at each of the longer ``sides`` (None: the scan's
    own size), the scan read once."""
    scan = scan_image(page)
    out = []
    for side in sides:
        image = fit(scan, side)
        data = encode(image, "jpeg", quality, progressive=True)
        out.append(PageImage(data, image.width, image.height, image.width / scan.width))
    return out


def scaled_poly(poly: list[list[float]], scale: float) -> list[list[float]]:
    """A polygon in scan pixels scaled to an image ``scale`` times the scan's size."""
    return [[round(x * scale, 1), round(y * scale, 1)] for x, y in poly]
