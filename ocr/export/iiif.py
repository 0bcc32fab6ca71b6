"""The ``iiif`` export: a IIIF Presentation 3 manifest per issue and a collection for the
archive, after the cookbook's newspaper recipe (issue manifests with ``navDate`` in a
``multi-part`` collection): pages as canvases painted with the page image (the original
scan, web size), articles as ranges, each line a ``supplementing`` annotation with its
text, targeting the line's polygon (an SvgSelector) and its box (xywh).

Canvases are in original-scan pixels, so stored coordinates are used as they are; the
image is scaled and says its own size. IIIF ids are absolute URIs: ``base_url`` is where
the export folder will be served."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from ocr import archive
from ocr.errors import InputError
from ocr.export.images import page_images
from ocr.export.jsondoc import document
from ocr.export.labels import issue_label, pages_label

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
LANG = "zh-Hans"
log = logging.getLogger(__name__)


def label(text: str, lang: str = LANG) -> dict:
    return {lang: [text]}


def _entry(key_en: str, key_zh: str, value: str) -> dict:
    return {"label": {"en": [key_en], LANG: [key_zh]}, "value": {"none": [value]}}


def xywh(poly: list[list[float]]) -> str:
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    x, y = int(min(xs)), int(min(ys))
    return f"xywh={x},{y},{max(1, round(max(xs)) - x)},{max(1, round(max(ys)) - y)}"


def svg_selector(poly: list[list[float]]) -> dict:
    points = " ".join(f"{x:g},{y:g}" for x, y in poly)
    value = f"<svg xmlns='http://www.w3.org/2000/svg'><polygon points='{points}'/></svg>"
    return {"type": "SvgSelector", "value": value}


def manifest(doc: dict, base: str, images: dict[int, dict]) -> dict:
    """The manifest of an issue document (``jsondoc.issue_document``); ``images`` maps a
    page number to its image ``{"file", "width", "height"}`` (pages without an image
    get a canvas without painting)."""
    issue = doc["issue"]
    root = f"{base}issue-{issue['id']}/"
    out = {
        "@context": CONTEXT,
        "id": root + "manifest.json",
        "type": "Manifest",
        "label": label(issue_label(issue)),
        "metadata": [_entry("Title", "报名", issue["title"] or "")]
        + ([_entry("Date", "日期", issue["date"])] if issue["date"] else [])
        + ([_entry("Issue", "期号", str(issue["number"]))] if issue["number"] else []),
        "behavior": ["paged"],
        "partOf": [{"id": base + "collection.json", "type": "Collection"}],
        "items": [_canvas(root, page, images.get(page["number"])) for page in doc["pages"]],
        "structures": [_range(root, art, doc["pages"]) for art in doc["articles"]],
    }
    if issue["date"]:
        out["navDate"] = f"{issue['date']}T00:00:00Z"
    return out


def _canvas(root: str, page: dict, image: dict | None) -> dict:
    cid = f"{root}canvas/{page['number']}"
    canvas = {
        "id": cid,
        "type": "Canvas",
        "label": label(pages_label([page["number"]])),
        "width": page["width"],
        "height": page["height"],
    }
    if image:
        body = {
            "id": root + image["file"],
            "type": "Image",
            "format": "image/jpeg",
            "width": image["width"],
            "height": image["height"],
        }
        paint = {"id": f"{cid}/annotation/image", "type": "Annotation", "motivation": "painting"}
        paint |= {"body": body, "target": cid}
        canvas["items"] = [{"id": f"{cid}/page/image", "type": "AnnotationPage", "items": [paint]}]
    lines = [_line_annotation(root, cid, line) for line in page["lines"] if line["text"]]
    canvas["annotations"] = [{"id": f"{cid}/page/lines", "type": "AnnotationPage", "items": lines}]
    return canvas


def _line_annotation(root: str, cid: str, line: dict) -> dict:
    return {
        "id": f"{root}annotation/line-{line['id']}",
        "type": "Annotation",
        "motivation": "supplementing",
        "body": {"type": "TextualBody", "value": line["text"], "format": "text/plain"}
        | {"language": LANG},
        "target": {
            "type": "SpecificResource",
            "source": {"id": cid, "type": "Canvas"},
            "selector": [
                {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/"}
                | {"value": xywh(line["poly"])},
                svg_selector(line["poly"]),
            ],
        },
    }


def _range(root: str, art: dict, pages: list[dict]) -> dict:
    """An article: the part of each of its pages that its lines cover."""
    mine = set(art["lines"])
    items = []
    for page in pages:
        polys = [ln["poly"] for ln in page["lines"] if ln["id"] in mine]
        if polys:
            corners = [p for poly in polys for p in poly]
            items.append({"id": f"{root}canvas/{page['number']}#{xywh(corners)}", "type": "Canvas"})
    return {
        "id": f"{root}range/article-{art['id']}",
        "type": "Range",
        "label": label(art["title"] or "无题"),
        "items": items,
    }


def collection(entries: list[dict], base: str, name: str) -> dict:
    """The archive's collection of issue manifests, by date."""
    return {
        "@context": CONTEXT,
        "id": base + "collection.json",
        "type": "Collection",
        "label": label(name),
        "behavior": ["multi-part"],
        "items": sorted(entries, key=lambda e: (e.get("navDate") or "9", e["id"])),
    }


def issue_files(
    record: dict, base_url: str, warn=None, max_side: int | None = None
) -> Iterator[tuple[str, str | bytes]]:
    """(relative path, data) of an issue's files, from its record
    (``archive.issue_record``): ``issue-ID/manifest.json`` and its page images (the
    scan's size, or at most ``max_side`` on the longer side). A page whose scan cannot
    be read gets a canvas without image and ``warn(message)`` (logged when no ``warn``
    is given)."""
    base = _slashed(base_url)
    doc = document(record)
    issue_id = doc["issue"]["id"]
    done = [(row, p) for row, p in zip(record["pages"], doc["pages"]) if p["status"] == "done"]
    doc["pages"] = [p for _, p in done]
    images = {}
    for row, page in done:
        try:
            (img,) = page_images(row, (max_side,))
        except InputError as exc:
            (warn or log.warning)(
                f"iiif: no image for issue {issue_id} page {page['number']}: {exc}"
            )
            continue
        name = f"page-{page['number']}.jpg"
        yield f"issue-{issue_id}/{name}", img.jpeg
        images[page["number"]] = {"file": name, "width": img.width, "height": img.height}
    yield f"issue-{issue_id}/manifest.json", _dumps(manifest(doc, base, images))


def archive_collection(db, base: str) -> dict:
    """The collection of every issue in the archive (not only those just written)."""
    entries, titles = [], []
    for issue_id in archive.issue_ids(db):
        issue = archive.issue_row(db, issue_id)
        titles.append(issue["title"])
        entry = {"id": f"{base}issue-{issue_id}/manifest.json", "type": "Manifest"}
        entry["label"] = label(issue_label(issue))
        if issue["date"]:
            entry["navDate"] = f"{issue['date']}T00:00:00Z"
        entries.append(entry)
    names = archive.paper_names(db) or [t for t in titles if t] or ["报纸档案"]
    return collection(entries, base, names[0])


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)


def _slashed(url: str) -> str:
    return url if url.endswith("/") else url + "/"


DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


def write_issue(job) -> None:
    """The ``iiif`` format's issue writer (an ``IssueExport``; options ``base_url``,
    ``max_side``); a page without image is one of the job's ``warnings``."""
    base = job.options.get("base_url") or DEFAULT_BASE_URL
    side = job.options.get("max_side") or None
    job.write_all(issue_files(job.record, base, job.warnings.append, side))


def finish(job) -> None:
    """After the issues, when any changed (an ``ExportJob``): ``collection.json``."""
    base = _slashed(job.options.get("base_url") or DEFAULT_BASE_URL)
    job.write_text("collection.json", _dumps(archive_collection(job.db, base)))
