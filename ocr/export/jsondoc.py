"""The JSON export, a contract (see README): one document per issue, from the archive.

All coordinates are in original-scan pixels, origin top-left; text is the current text
(reviewer corrections included)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ocr import archive
from ocr.export import formats
from ocr.export.incremental import issue_file_name, run_export


def _poly(text: str) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in json.loads(text)]


def issue_document(db, issue_id: int) -> dict[str, Any]:
    """The JSON document of one issue: the issue, its pages and its articles."""
    return document(archive.issue_record(db, issue_id))


def document(record: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of an issue's record (``archive.issue_record``)."""
    issue = record["issue"]
    return {
        "issue": {
            "id": issue["id"],
            "title": issue["title"],
            "date": issue["date"],
            "number": issue["number"],
            "source": issue["source"],
            "flags": json.loads(issue["flags"] or "[]"),
        },
        "pages": [_page_document(page) for page in record["pages"]],
        "articles": [_article_document(art) for art in record["articles"]],
    }


def _page_document(page: dict[str, Any]) -> dict[str, Any]:
    by_region: dict[int, list[str]] = {}
    for line in page["lines"]:
        by_region.setdefault(line["region_id"], []).append(line["text"])
    return {
        "number": page["number"],
        "source": page["source"],
        "source_page": page["page_index"] + 1,
        "printed_number": page["printed_number"],
        "status": page["status"],
        "error": page["error"],
        "width": page["width"],
        "height": page["height"],
        "dpi": page["dpi"],
        "skew_degrees": page["skew_degrees"],
        "regions": [_region_document(r, by_region) for r in page["regions"]],
        "lines": [
            {
                "id": line["id"],
                "text": line["text"],
                "confidence": line["confidence"],
                "poly": _poly(line["poly"]),
                "region": line["region_id"],
                "article": line["article_id"],
            }
            for line in page["lines"]
        ],
    }


def _region_document(region: dict[str, Any], by_region: dict[int, list[str]]) -> dict[str, Any]:
    """A region; its text is its own (a QR code's content) or its lines' joined."""
    text = region["text"]
    if text is None and region["id"] in by_region:
        text = "\n".join(by_region[region["id"]])
    return {
        "id": region["id"],
        "kind": region["kind"],
        "poly": _poly(region["poly"]),
        "text": text,
        "article": region["article_id"],
    }


def _article_document(art: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": art["id"],
        "title": art["title"],
        "text": art["text"],
        "pages": json.loads(art["pages"]),
        "lines": art["line_ids"],
        "version": art["version"],
    }


def write_issue(job) -> None:
    """The ``json`` format's writer: ``issue-<id>-<title>.json``."""
    doc = document(job.record)
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    job.write_text(issue_file_name(job.record["issue"], ".json"), text)


def export_json(db, out_dir: Path, issue_ids: list[int] | None = None) -> list[Path]:
    """Write ``<out_dir>/issue-<id>-<title>.json`` for each issue changed since the last
    export there; return the paths written. A folder that cannot be written (read-only,
    no permission, disk full) raises :class:`OutputError`; no half-written file is left."""
    return run_export(db, formats.get("json"), out_dir, issue_ids).written
