"""Page images for the exports: the original scan's page (colour kept), never the gray
deskewed copy, since the stored polygons are in the original scan's pixels.

A page is loaded again from its source file (``pages.source``, ``page_index``; a PDF
rasterized at the page's stored dpi) through ``ocr.scan.load``; a scan that is gone or
no longer the size it was read at raises :class:`InputError` naming the file and page.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from ocr.errors import InputError
from ocr.scan.load import load_page

IMAGE_FORMATS = ("jpeg", "png")


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
    if scale >= 0.999:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)
