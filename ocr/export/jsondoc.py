"""The JSON export, a contract (see README): one document per issue, from the archive.

All coordinates are in original-scan pixels, origin top-left; text is the current text
(reviewer corrections included)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ocr import archive
from ocr.errors import OutputError


def _poly(text: str) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in json.loads(text)]


def issue_document(db, issue_id: int) -> dict[str, Any]:
    """The JSON document of one issue: the issue, its pages and its articles."""
    record = archive.issue_record(db, issue_id)
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


def slug(text: str) -> str:
    s = re.sub(r"[^\w.-]+", "-", text or "issue", flags=re.UNICODE).strip("-.")
    return s[:80] or "issue"


def export_json(db, out_dir: Path, issue_ids: list[int] | None = None) -> list[Path]:
    """Write ``<out_dir>/issue-<id>-<title>.json`` for each issue; return the paths.
    A folder that cannot be written (read-only, no permission, disk full) raises
    :class:`OutputError`; no half-written file is left behind."""
    if issue_ids is None:
        issue_ids = archive.issue_ids(db)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(out_dir, exc) from exc
    paths = []
    for issue_id in issue_ids:
        doc = issue_document(db, issue_id)
        path = out_dir / f"issue-{issue_id}-{slug(doc['issue']['title'])}.json"
        tmp = path.with_suffix(".json.tmp")
        try:
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _cannot_write(path, exc) from exc
        paths.append(path)
    return paths


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write the export to {path}: {exc.strerror or exc}")
