"""Page images and line crops, found by page id in the archive's own page folder only.

No path from a request reaches the filesystem: a page id selects the stored image
path, of which only the file name is used, inside the configured page folder; a file
that is not there (or is a link out of it) is a 404. Decoded pages are kept in a small
cache so that the crops of one page cost one decode.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

from ocr import archive
from ocr.errors import NotFound

PAD = 6  # pixels of page around a line's crop
MAX_CROP_HEIGHT = 160  # crops are shrunk to at most this (the browser enlarges)
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def image_file(db, pages_dir: Path, page_id: int) -> Path:
    """The stored image of the page, inside ``pages_dir``; :class:`NotFound` otherwise."""
    row = archive.page_image(db, page_id)
    name = Path(str(row["image_path"]).replace("\\", "/")).name
    folder = pages_dir.resolve()
    path = (folder / name).resolve()
    if not name or path.parent != folder or not path.is_file():
        raise NotFound(f"no image of page {page_id} in {pages_dir}")
    return path


def _decoded(path: Path):
    from PIL import Image

    key = (str(path), path.stat().st_mtime_ns)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    img = Image.open(path)
    img.load()
    with _lock:
        _cache[key] = img
        while len(_cache) > 6:
            _cache.popitem(last=False)
    return img


def line_crop(db, pages_dir: Path, page_id: int, line_id: int) -> bytes:
    """A PNG of the line's box on its page (the line must be of that page)."""
    line = archive.line_on_page(db, page_id, line_id)
    img = _decoded(image_file(db, pages_dir, page_id))
    if line["x0"] is None:
        raise NotFound(f"line {line_id} has no box")
    box = (
        max(0, int(line["x0"]) - PAD),
        max(0, int(line["y0"]) - PAD),
        min(img.width, int(line["x1"] + 0.999) + PAD),
        min(img.height, int(line["y1"] + 0.999) + PAD),
    )
    if box[2] <= box[0] or box[3] <= box[1]:
        raise NotFound(f"line {line_id} is outside its page image")
    crop = img.crop(box)
    vertical = crop.height > 1.5 * crop.width
    limit = MAX_CROP_HEIGHT * (8 if vertical else 1)
    if crop.height > limit:
        crop = crop.resize((max(1, crop.width * limit // crop.height), limit))
    out = io.BytesIO()
    crop.save(out, format="PNG", compress_level=1)
    return out.getvalue()
