"""The hOCR export: one hOCR (XHTML) file per page, with its page image.

Per issue a folder ``issue-ID-TITLE/`` holds ``NNNN.hocr`` and ``images/NNNN.jpg`` (the
original scan, colour kept; ``--images none`` names the scan file instead). A region is
an ``ocr_carea`` (its kind in ``data-kind``, its article in ``data-article``) holding one
``ocr_par``; a line an ``ocr_line`` (``textangle 90`` when vertical); a CJK character or
a Latin run an ``ocrx_word`` with the line's confidence as ``x_wconf`` and a box cut from
the line's polygon (see ``ocr.export.pageview``). Photos and QR codes are ``ocr_photo``,
rules ``ocr_separator``. Boxes are whole pixels of the scan (``bbox x0 y0 x1 y1``).
"""

from __future__ import annotations

import math
from typing import Any

from ocr import __version__
from ocr.export.alto import SUFFIX
from ocr.export.images import encode, scan_image
from ocr.export.incremental import IssueExport, issue_file_name
from ocr.export.pageview import BlockView, LineView, PageView, page_row, page_views
from ocr.export.render import render
from ocr.model import Box, Kind

CSS = {Kind.PHOTO: "ocr_photo", Kind.QR: "ocr_photo", Kind.RULE: "ocr_separator"}


def write_issue(job: IssueExport) -> None:
    """The ``hocr`` format's writer: per page its hOCR file and, unless ``--images
    none``, its image."""
    folder = issue_file_name(job.record["issue"])
    fmt = job.options["images"]
    title = job.record["issue"]["title"] or f"issue {job.issue_id}"
    for view in page_views(job.db, job.record):
        stem = f"{view.number:04d}"
        image = view.source
        if fmt != "none":
            image = f"images/{stem}{SUFFIX[fmt]}"
            data = encode(scan_image(page_row(job.record, view)), fmt, job.options["quality"])
            job.write_bytes(f"{folder}/{image}", data)
        job.write_text(f"{folder}/{stem}.hocr", hocr_html(view, image, f"{title} {stem}"))


def hocr_html(view: PageView, image: str, title: str) -> str:
    """The hOCR document of one page whose image is at ``image``."""
    engine = view.provenance.get("engine", "")
    version = view.provenance.get("paddleocr", view.provenance.get("version", ""))
    dpi = f"; scan_res {view.dpi} {view.dpi}" if view.dpi else ""
    return render(
        "hocr.html.j2",
        title=title,
        system=f"zhangmiao-ocr {__version__} ({engine} {version})".replace(" ()", ""),
        page=view,
        page_title=f'image "{image}"; bbox 0 0 {view.width} {view.height}; '
        f"ppageno {view.number - 1}{dpi}",
        blocks=[_block(b) for b in view.blocks],
    )


def _block(block: BlockView) -> dict[str, Any]:
    return {
        "id": block.id,
        "kind": block.kind,
        "article": block.article,
        "bbox": bbox(block.box),
        "css": CSS.get(block.kind),
        "lines": [_line(ln) for ln in block.lines if ln.words],
    }


def _line(line: LineView) -> dict[str, Any]:
    size = line.box.width if line.vertical else line.box.height
    angle = "; textangle 90" if line.vertical else ""
    return {
        "id": line.id,
        "title": f"bbox {bbox(line.box)}{angle}; x_size {size:.0f}; x_descenders 0; x_ascenders 0",
        "wconf": round(100 * line.confidence),
        "words": [
            {"space": t.space, "text": t.text, "bbox": bbox(t.box), "n": k}
            for k, t in enumerate(line.tokens, start=1)
        ],
    }


def bbox(box: Box) -> str:
    """hOCR's ``bbox`` value: whole pixels (neighbouring words share an edge)."""
    x0, y0, x1, y1 = (math.floor(v + 0.5) for v in box.as_list())
    return f"{x0} {y0} {max(x1, x0 + 1)} {max(y1, y0 + 1)}"
