"""Page images for the exports: the original scan (colour kept), scaled to a web size.

Stored polygons are in original-scan pixels, so a polygon on the web image is the
stored one times :attr:`WebImage.scale`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ocr.errors import InputError
from ocr.scan.load import load_page

WEB_SIDE = 1600  # the longer side of a page image on the web, in pixels
JPEG_QUALITY = 82


@dataclass(frozen=True)
class WebImage:
    """A page's JPEG bytes, its size and the factor from scan pixels to its pixels."""

    jpeg: bytes
    width: int
    height: int
    scale: float


def web_image(page: dict, max_side: int | None = WEB_SIDE) -> WebImage:
    """The page (a page of ``jsondoc.issue_document``) from its original scan, scaled so
    its longer side is at most ``max_side`` (None: the scan's own size). Raises
    :class:`InputError` (naming file and page) when the scan is gone or unreadable."""
    return web_images(page, (max_side,))[0]


def web_images(page: dict, sides: tuple[int | None, ...]) -> list[WebImage]:
    """The page at each of the longer ``sides`` (None: the scan's own size), the scan
    read once."""
    from PIL import Image

    source = Path(page["source"])
    try:
        array, _ = load_page(source, page["source_page"] - 1, page.get("dpi") or 300)
    except InputError as exc:
        if exc.page is not None:
            raise
        raise InputError(str(source), exc.reason, page["source_page"]) from exc
    scan = Image.fromarray(array)
    stored_w = page.get("width") or scan.width
    if scan.width != stored_w:  # rasterized at another size than when it was read
        raise InputError(
            str(source),
            f"the scan is now {scan.width} px wide, {stored_w} px when it was read",
            page["source_page"],
        )
    out = []
    for side in sides:
        image = scan
        scale = min(1.0, side / max(scan.width, scan.height)) if side else 1.0
        if scale < 1.0:
            size = (max(1, round(scan.width * scale)), max(1, round(scan.height * scale)))
            image = scan.resize(size, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        image.convert("RGB" if image.mode != "L" else "L").save(
            buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True
        )
        out.append(WebImage(buf.getvalue(), image.width, image.height, image.width / stored_w))
    return out


def scaled(poly: list[list[float]], scale: float) -> list[list[float]]:
    """A polygon in scan pixels scaled to an image ``scale`` times the scan's size."""
    return [[round(x * scale, 1), round(y * scale, 1)] for x, y in poly]
