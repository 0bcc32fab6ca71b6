"""The METS file of an issue (NDNP style), beside its ALTO files (``ocr.export.alto``).

MODS for the issue (paper, date, number), each page (position, printed number, source)
and each article (title, pages); a file group of the page images and one of the ALTO
files (SHA-256 checksums); the physical structMap (issue, pages, each pointing at its
image and ALTO file) and the logical one (issue, articles in reading order, each a
``Title`` and a ``Body`` of ``area``s pointing at the ALTO blocks by ID: BETYPE IDREF).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ocr import __version__
from ocr.export.alto import block_id
from ocr.export.render import render
from ocr.model import Kind


def mets_xml(record: dict[str, Any], files: list[dict[str, Any]]) -> str:
    """The METS document of an issue whose pages were written as ``files`` (per page:
    ``page`` view, ``image`` and ``alto`` paths, their checksums, the image's ``mime``)."""
    issue = record["issue"]
    label = ", ".join(str(v) for v in (issue["title"], issue["date"]) if v)
    return render(
        "mets.xml.j2",
        issue=issue,
        label=label or f"issue {issue['id']}",
        objid=f"issue-{issue['id']}",
        flags=json.loads(issue.get("flags") or "[]"),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        version=__version__,
        files=files,
        articles=articles(record, files),
    )


def articles(record: dict[str, Any], files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each article with the ALTO blocks it is made of: its headlines (``title_areas``)
    and its other text blocks (``body_areas``), page by page in reading order."""
    by_article: dict[int, dict[str, list[dict[str, str]]]] = {}
    for f in files:
        alto_id = f"ALTO{f['page'].number:04d}"
        for block in f["page"].blocks:
            if block.article is None or block.kind == Kind.JUMP or not block.lines:
                continue
            part = "title_areas" if block.kind == Kind.HEADLINE else "body_areas"
            areas = by_article.setdefault(block.article, {"title_areas": [], "body_areas": []})
            areas[part].append({"file": alto_id, "block": block_id(block)})
    out = []
    for art in record["articles"]:
        areas = by_article.get(art["id"], {"title_areas": [], "body_areas": []})
        if not (areas["title_areas"] or areas["body_areas"]):
            continue
        out.append(
            {
                "id": f"ART{art['id']}",
                "dmd": f"articleModsBib{art['id']}",
                "title": art["title"],
                "pages": json.loads(art["pages"]),
                **areas,
            }
        )
    return out
