"""The ALTO export: ALTO 4.3 XML per page, a METS file per issue, the page images.

Per issue a folder ``issue-ID-TITLE/`` holds ``mets.xml`` (``ocr.export.mets``),
``alto/NNNN.xml`` (one per page) and ``images/NNNN.jpg`` (the original scan's page,
colour kept, at its own size: ALTO's coordinates are its pixels). In the ALTO file a
region is a ``TextBlock`` (its kind a ``StructureTag``; photos and QR codes are
``Illustration``s, rules ``GraphicalElement``s), a line a ``TextLine`` (``ttb`` when
vertical), a CJK character or a Latin run a ``String`` with the line's confidence as
``WC`` (the archive keeps one per line) and a box cut from the line's polygon (see
``ocr.export.pageview``); a reviewer-corrected line has ``CS="true"``. ``Processing``
records the models, settings and code version the page was read with, and the
correction step when a reviewer changed it. ``ReadingOrder`` lists each article's
blocks on the page in order.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from markupsafe import Markup

from ocr.export.images import encode, scan_image
from ocr.export.incremental import IssueExport, issue_file_name
from ocr.export.pageview import BlockView, LineView, PageView, page_row, page_views
from ocr.export.render import num, render
from ocr.model import Box, Kind, Poly

ILLUSTRATIONS = {Kind.PHOTO, Kind.QR}
GRAPHICS = {Kind.RULE}
SUFFIX = {"jpeg": ".jpg", "png": ".png"}
MIME = {"jpeg": "image/jpeg", "png": "image/png"}


def write_issue(job: IssueExport) -> None:
    """The ``alto`` format's writer: images, ALTO per page and the issue's METS."""
    from ocr.export.mets import mets_xml

    folder = issue_file_name(job.record["issue"])
    fmt = job.options["images"]
    files: list[dict[str, Any]] = []
    views = page_views(job.db, job.record)
    if not views:  # no page of the issue is processed yet: nothing to write
        return
    for view in views:
        stem = f"{view.number:04d}"
        image = encode(scan_image(page_row(job.record, view)), fmt, job.options["quality"])
        alto = alto_xml(view, f"{stem}{SUFFIX[fmt]}").encode("utf-8")
        entry = {"page": view, "image": f"images/{stem}{SUFFIX[fmt]}", "alto": f"alto/{stem}.xml"}
        job.write_bytes(f"{folder}/{entry['image']}", image)
        job.write_bytes(f"{folder}/{entry['alto']}", alto)
        entry |= {"image_sha256": sha256(image), "alto_sha256": sha256(alto), "mime": MIME[fmt]}
        files.append(entry)
    job.write_text(f"{folder}/mets.xml", mets_xml(job.record, files))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def block_id(block: BlockView) -> str:
    """A block's XML id, stable across exports (from the archive's ids)."""
    return f"TB{block.id}"


def alto_xml(view: PageView, image_name: str) -> str:
    """The ALTO 4.3 document of one page."""
    blocks = [_block(b) for b in view.blocks]
    kinds = sorted({b["kind"] for b in blocks})
    return render(
        "alto.xml.j2",
        page=view,
        page_id=f"P{view.number}",
        image_name=image_name,
        processing=processing(view),
        correction_id="CORRECTION",
        tags=[{"id": _tag(k), "label": k} for k in kinds],
        reading_order=reading_order(view),
        blocks=blocks,
    )


def _block(block: BlockView) -> dict[str, Any]:
    element = "TextBlock"
    if block.kind in ILLUSTRATIONS:
        element = "Illustration"
    elif block.kind in GRAPHICS:
        element = "GraphicalElement"
    lines = [_line(ln) for ln in block.lines if ln.words]
    return {
        "element": element,
        "id": block_id(block),
        "kind": block.kind,
        "tag": _tag(block.kind),
        "geo": geo(block.box),
        "points": points(block.poly),
        "vertical": bool(lines) and all(ln["vertical"] for ln in lines),
        "lines": lines if element == "TextBlock" else [],
    }


def _line(line: LineView) -> dict[str, Any]:
    strings = []
    for k, tok in enumerate(line.tokens):
        strings.append(
            {
                "space": tok.space,
                "id": f"S{line.id}_{k + 1}",
                "content": tok.text,
                "geo": geo(tok.box),
            }
        )
    return {
        "id": f"TL{line.id}",
        "geo": geo(line.box),
        "points": points(line.poly),
        "vertical": line.vertical,
        "corrected": line.corrected,
        "wc": f"{line.confidence:.4f}",
        "strings": strings,
    }


def geo(box: Box) -> Markup:
    """ALTO's position attributes of a box (numbers only, so safe as markup)."""
    return Markup(
        f'HPOS="{num(box.x0)}" VPOS="{num(box.y0)}" '
        f'WIDTH="{num(box.width)}" HEIGHT="{num(box.height)}"'
    )


def _tag(kind: str) -> str:
    return f"KIND_{kind}"


def points(poly: Poly) -> str:
    """ALTO's polygon points: ``x1,y1 x2,y2 ...``."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in poly)


def processing(view: PageView) -> list[dict[str, Any]]:
    """The page's processing steps: the OCR (models, settings, code version, from the
    page's stored provenance) and, when a reviewer changed a line, the correction."""
    from ocr import __version__

    prov = dict(view.provenance)
    settings = prov.pop("settings", {})
    models = ", ".join(
        f"{prov[k]} (sha256 {prov.get(k.replace('model', 'sha256'), '?')[:12]})"
        for k in ("det_model", "rec_model")
        if k in prov
    )
    engine = f"{prov.get('engine', 'engine')} {prov.get('paddleocr', prov.get('version', ''))}"
    steps = [
        {
            "id": "OCR",
            "category": "contentGeneration",
            "datetime": view.processed_at,
            "description": "deskew and layout (OpenCV), text detection and recognition "
            f"({engine.strip()}; models: {models or 'unknown'}), region kinds",
            "settings": json.dumps({"settings": settings, "engine": prov}, ensure_ascii=False),
            "software": "zhangmiao-ocr",
            "version": settings.get("code", "unknown"),
            "application": engine.strip(),
        }
    ]
    if view.corrected:
        steps.append(
            {
                "id": "CORRECTION",
                "category": "contentModification",
                "datetime": None,
                "description": 'lines corrected by a reviewer (CS="true")',
                "settings": "",
                "software": "zhangmiao-ocr review",
                "version": __version__,
                "application": "manual correction",
            }
        )
    return steps


def reading_order(view: PageView) -> list[dict[str, Any]]:
    """Per article on the page, its blocks in order (articles by first appearance)."""
    groups: dict[int, list[str]] = {}
    for block in view.blocks:
        if block.article is not None and any(ln.words for ln in block.lines):
            groups.setdefault(block.article, []).append(block_id(block))
    return [{"id": f"RO_A{a}_P{view.number}", "refs": refs} for a, refs in groups.items()]
