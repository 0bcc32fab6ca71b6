"""Reading the archive: issues and their pages, articles, counts and the state of a batch."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ocr.model import Box, Line, PageLayout, Region

# -- issues, pages and articles -----------------------------------------------------------


def issue_ids(db) -> list[int]:
    """Every issue's id, in order."""
    return [r["id"] for r in db.query("SELECT id FROM issues ORDER BY id")]


def issue_row(db, issue_id: int) -> dict[str, Any] | None:
    return next(db.query("SELECT * FROM issues WHERE id = ?", [issue_id]), None)


def issue_pages(db, issue_id: int) -> list[dict[str, Any]]:
    """The issue's processed pages in order, each page row with its ``regions`` and
    ``lines`` rows (``lines.text`` is the current text, reviewer corrections included)."""
    return _pages_with_content(db, issue_id, done_only=True)


def issue_record(db, issue_id: int) -> dict[str, Any]:
    """Everything stored of one issue, as rows: ``issue``; ``pages`` (numbered pages in
    order, any state), each with its ``regions`` and ``lines`` rows; ``articles`` in
    order, each with ``line_ids`` in reading order."""
    pages = _pages_with_content(db, issue_id, done_only=False)
    articles = list(db.query("SELECT * FROM articles WHERE issue_id = ? ORDER BY ord", [issue_id]))
    for art in articles:
        art["line_ids"] = [
            r["line_id"]
            for r in db.query(
                "SELECT line_id FROM article_lines WHERE article_id = ? ORDER BY ord", [art["id"]]
            )
        ]
    return {"issue": issue_row(db, issue_id), "pages": pages, "articles": articles}


def _pages_with_content(db, issue_id: int, done_only: bool) -> list[dict[str, Any]]:
    """The issue's numbered pages in order (only the processed ones when ``done_only``),
    each row with its ``regions`` and ``lines`` rows in stored order."""
    done = " AND status = 'done'" if done_only else ""
    pages = list(
        db.query(
            f"SELECT * FROM pages WHERE issue_id = ?{done} AND number > 0 ORDER BY number",
            [issue_id],
        )
    )
    for page in pages:
        page["regions"] = list(
            db.query("SELECT * FROM regions WHERE page_id = ? ORDER BY ord", [page["id"]])
        )
        page["lines"] = list(
            db.query("SELECT * FROM lines WHERE page_id = ? ORDER BY ord", [page["id"]])
        )
    return pages


def issue_layouts(db, issue_id: int) -> list[PageLayout]:
    """The issue's processed pages as :class:`PageLayout` objects for article assembly
    (``lines.text`` is the current text, reviewer corrections included); region and line
    ids become strings."""
    return [_layout(p) for p in issue_pages(db, issue_id)]


def _layout(page: dict[str, Any]) -> PageLayout:
    regions = [
        Region(
            id=str(r["id"]),
            kind=r["kind"],
            box=Box(r["x0"], r["y0"], r["x1"], r["y1"]),
            poly=[tuple(p) for p in json.loads(r["poly"])],
            order=r["ord"],
            text=r["text"],
            column=r["column_index"],
        )
        for r in page["regions"]
        if r["x0"] is not None
    ]
    lines = [
        Line(
            id=str(ln["id"]),
            text=ln["text"],
            confidence=ln["confidence"] or 0.0,
            poly=[tuple(p) for p in json.loads(ln["poly"])],
            box=Box(ln["x0"], ln["y0"], ln["x1"], ln["y1"]),
            region=str(ln["region_id"]) if ln["region_id"] is not None else None,
            order=ln["ord"],
        )
        for ln in page["lines"]
        if ln["x0"] is not None
    ]
    meta = page.get("meta") or "{}"
    return PageLayout(
        number=page["number"],
        regions=regions,
        lines=lines,
        printed_number=page.get("printed_number"),
        width=float(page.get("deskewed_width") or page.get("width") or 0),
        height=float(page.get("deskewed_height") or page.get("height") or 0),
        meta=json.loads(meta) if isinstance(meta, str) else dict(meta),
    )


def paper_names(db) -> list[str]:
    """The names of the archive's papers, the latest named (the archive's paper) first."""
    return [r["name"] for r in db.query("SELECT name FROM papers ORDER BY id DESC")]


def articles_across_pages(db, issue_id: int) -> int:
    """How many of the issue's articles run over more than one page."""
    return db.execute(
        "SELECT count(*) FROM articles WHERE issue_id = ? AND json_array_length(pages) > 1",
        [issue_id],
    ).fetchone()[0]


# -- the state of the archive and of a batch ----------------------------------------------


def pages_done(path: str | Path) -> int:
    """Pages stored as done in the archive at ``path``, read only (never creating,
    migrating or locking it, so it can watch a batch that is writing); 0 when there is
    no archive there yet."""
    path = Path(path)
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM pages WHERE status = 'done'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # being created: no schema yet
        return 0


def status_counts(db) -> dict[str, int]:
    """Numbered pages by status (``pending``, ``done``, ``failed``)."""
    return {
        r["status"]: r["n"]
        for r in db.query(
            "SELECT status, count(*) AS n FROM pages WHERE number > 0 GROUP BY status"
        )
    }


def failures(db) -> list[dict[str, Any]]:
    """The failed pages, with their error and issue title, by source and page."""
    return list(
        db.query(
            "SELECT p.id, p.source, p.page_index, p.number, p.error, i.title AS issue "
            "FROM pages p JOIN issues i ON i.id = p.issue_id "
            "WHERE p.status = 'failed' AND p.number > 0 ORDER BY p.source, p.page_index"
        )
    )


def sources_with_failures(db) -> list[str]:
    """The source of every issue with a failed page (what ``ocr retry`` runs again)."""
    return _sources_with_pages(db, "p.status = 'failed'")


def _sources_with_pages(db, condition: str) -> list[str]:
    """The sources of the issues holding a numbered page that meets ``condition`` (a
    constant SQL condition on ``pages p``, never anything from outside)."""
    sql = (
        "SELECT source FROM issues i WHERE EXISTS (SELECT 1 FROM pages p "
        f"WHERE p.issue_id = i.id AND p.number > 0 AND {condition})"
    )
    return sorted({r["source"] for r in db.query(sql)})


def failed_issue_files(db) -> dict[str, list[str]]:
    """Each issue with a failed page (by its source) and the files of its pages, in
    order: ``ocr retry`` runs an issue again only when all of them are still there."""
    files: dict[str, list[str]] = {}
    for r in db.query(
        "SELECT i.source AS issue, p.source AS file FROM pages p JOIN issues i "
        "ON i.id = p.issue_id WHERE p.number > 0 AND i.id IN (SELECT issue_id FROM pages "
        "WHERE status = 'failed' AND number > 0) ORDER BY i.id, p.number"
    ):
        if r["file"] not in files.setdefault(r["issue"], []):
            files[r["issue"]].append(r["file"])
    return files


def retry_settings(db) -> dict[str, Any]:
    """The page settings (``pipeline.settings_for``) of the latest pages stored in the
    issues that have failed pages, else of the latest page stored: ``ocr retry`` runs
    failed pages with the models and script their batch used."""
    for where in (
        "WHERE p.issue_id IN (SELECT issue_id FROM pages WHERE status = 'failed')",
        "",
    ):
        row = db.execute(
            "SELECT v.data FROM pages p JOIN provenance v ON v.id = p.provenance_id "
            f"{where} ORDER BY p.processed_at DESC, p.id DESC LIMIT 1"
        ).fetchone()
        if row:
            return json.loads(row[0]).get("settings") or {}
    return {}


def highest_dpi(db) -> int | None:
    """The highest resolution of any page stored (None in an empty archive)."""
    return db.execute("SELECT max(dpi) FROM pages").fetchone()[0]


def summary(db, issue_ids: list[int] | None = None) -> dict[str, Any]:
    """Pages done, their lines, characters and mean confidence; seconds per page and
    pages failed: of the issues ``issue_ids``, or of the whole archive."""
    where, args = "", []
    if issue_ids:
        where = f" AND p.issue_id IN ({','.join('?' * len(issue_ids))})"
        args = list(issue_ids)
    row = next(
        db.query(
            "SELECT count(DISTINCT p.id) AS pages, count(l.id) AS lines, "
            "coalesce(sum(length(l.text)), 0) AS characters, avg(l.confidence) AS confidence "
            "FROM pages p LEFT JOIN lines l ON l.page_id = p.id "
            f"WHERE p.status = 'done' AND p.number > 0{where}",
            args,
        )
    )
    secs = next(
        db.query(
            "SELECT avg(p.seconds) AS s, "
            "sum(CASE WHEN p.status = 'failed' THEN 1 ELSE 0 END) AS failed "
            f"FROM pages p WHERE p.number > 0{where}",
            args,
        )
    )
    return {**row, "seconds_per_page": secs["s"], "failed": secs["failed"] or 0}


# -- suspect pages (``ocr.batch.gate``) ---------------------------------------------------


def recent_confidences(db, limit: int) -> list[float]:
    """The mean line confidence of the ``limit`` pages stored last as done and not
    suspect, oldest first (the archive's usual page, for the plausibility gate)."""
    rows = db.execute(
        "SELECT confidence FROM pages WHERE status = 'done' AND suspect = 0 "
        "AND confidence IS NOT NULL ORDER BY processed_at DESC, id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [r[0] for r in reversed(rows)]


def suspects(db) -> list[dict[str, Any]]:
    """The pages stored as done whose reading is implausible, each with its
    ``reasons`` (a list), by source and page."""
    rows = list(
        db.query(
            "SELECT p.id, p.source, p.page_index, p.number, p.confidence, p.suspect_reasons, "
            "i.title AS issue FROM pages p JOIN issues i ON i.id = p.issue_id "
            "WHERE p.suspect = 1 AND p.status = 'done' AND p.number > 0 "
            "ORDER BY p.source, p.page_index"
        )
    )
    for row in rows:
        row["reasons"] = json.loads(row.pop("suspect_reasons") or "[]")
    return rows


def count_suspects(db) -> int:
    """How many pages :func:`suspects` lists, counted in SQL (no row is loaded)."""
    return db.execute(
        "SELECT count(*) FROM pages WHERE suspect = 1 AND status = 'done' AND number > 0"
    ).fetchone()[0]


def sources_with_suspects(db) -> list[str]:
    """The source of every issue with a suspect page (what ``ocr retry --suspect`` runs)."""
    return _sources_with_pages(db, "p.suspect = 1 AND p.status = 'done'")


def provenance_records(db, ids) -> dict[int, dict[str, Any]]:
    """The provenance records (models, library versions, settings, code version) with
    these ids, by id (what an export records of how each page was read)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = db.query(
        f"SELECT id, data FROM provenance WHERE id IN ({','.join('?' * len(wanted))})", wanted
    )
    return {r["id"]: json.loads(r["data"]) for r in rows}
