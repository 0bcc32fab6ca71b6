"""Writing pages: issues, page rows, a processed page's regions and lines, failures, hashes.

A page's identity is its file's SHA-256 and its index in the file; its position in the
issue (``number``) may change, and a page pushed out of its position is parked at a
negative number, never deleted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ocr.archive.carry import carry_over, claim_readings, joined_reading, replaced_lines
from ocr.archive.corrections import corrected_lines, keep_correction
from ocr.archive.db import now, transaction
from ocr.model import Line, PageJob, PageResult, Region
from ocr.scan.load import PDF_SUFFIXES

# Frees a page's lease (see ``ocr.archive.leases``): part of storing its result.
RELEASE = "lease_run = NULL, lease_pid = NULL, lease_host = NULL, lease_at = NULL"


def upsert_issue(db, key: str, source: str, title: str | None, date: str | None) -> int:
    """The id of the issue ``key``, created when new."""
    row = db.execute("SELECT id FROM issues WHERE key = ?", [key]).fetchone()
    if row:
        return row[0]
    t = now()
    # Another batch on the same archive may create it at the same moment: keep theirs.
    db.execute(
        "INSERT INTO issues (key, source, title, date, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        [key, source, title, date, t, t],
    )
    return db.execute("SELECT id FROM issues WHERE key = ?", [key]).fetchone()[0]


def name_paper(db, name: str) -> None:
    """Record ``name`` as the archive's paper (``ocr process --paper``): the latest name
    given is the paper's name, the earlier ones stay known (a paper renamed, a second
    paper in the archive)."""
    db.execute(
        "INSERT OR REPLACE INTO papers (name, named_at) VALUES (?, ?)", [name.strip(), now()]
    )


def set_page_count(db, issue_id: int, count: int) -> None:
    db.execute("UPDATE issues SET page_count = ? WHERE id = ?", [count, issue_id])


def ensure_page(db, issue_id: int, job: PageJob) -> dict[str, Any]:
    """The page row for ``job`` (identity: source sha256 + page index), created as
    pending when new. A page already known under another position is moved. A page not
    done yet is at the dpi known before it is read (:func:`dpi_before_reading`)."""
    dpi = dpi_before_reading(job)
    row = page_by_identity(db, job.source_sha256, job.page_index)
    if row:
        moved = row["issue_id"] != issue_id or row["number"] != job.number
        if moved or (row["status"] != "done" and row["dpi"] != dpi):
            with transaction(db):
                if moved:
                    _free_number(db, issue_id, job.number, row["id"])
                db.execute(
                    "UPDATE pages SET issue_id = ?, number = ?, source = ?, "
                    "dpi = CASE WHEN status = 'done' THEN dpi ELSE ? END WHERE id = ?",
                    [issue_id, job.number, job.source, dpi, row["id"]],
                )
            row = page_by_identity(db, job.source_sha256, job.page_index)
        return row
    with transaction(db):
        first = page_by_identity(db, job.source_sha256, job.page_index) is None
        if first:  # (another batch on the archive may have created it meanwhile)
            _free_number(db, issue_id, job.number, None)
            db.execute(
                "INSERT INTO pages (issue_id, number, source, source_sha256, page_index, dpi, "
                "leaf, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
                [
                    *(issue_id, job.number, job.source, job.source_sha256, job.page_index),
                    *(dpi, job.leaf),
                ],
            )
    if not first:
        return ensure_page(db, issue_id, job)
    return page_by_identity(db, job.source_sha256, job.page_index)


def dpi_before_reading(job: PageJob) -> int | None:
    """The dpi of a page not read yet: a PDF page's is the DPI it is rasterized at
    (``--dpi``); an image's is what the file states, known only once it is read (until
    then, and for good when the file states none, NULL: unknown)."""
    return job.dpi if Path(job.source).suffix.lower() in PDF_SUFFIXES else None


def _free_number(db, issue_id: int, number: int, keep: int | None) -> None:
    """A different file now sits at this position of the issue: park the old page's
    row at a negative number (its stored work is kept, never deleted)."""
    db.execute(
        "UPDATE pages SET number = -id WHERE issue_id = ? AND number = ? AND id IS NOT ?",
        [issue_id, number, keep],
    )


def page_by_identity(db, sha256: str, page_index: int) -> dict[str, Any] | None:
    """The page row of page ``page_index`` of the file with this SHA-256, if stored."""
    rows = list(
        db.query(
            "SELECT * FROM pages WHERE source_sha256 = ? AND page_index = ?", [sha256, page_index]
        )
    )
    return rows[0] if rows else None


def known_sha256(db, path: str, size: int, mtime_ns: int) -> str | None:
    """The SHA-256 recorded for the file at ``path`` when it had this size and
    modification time (a resumed batch does not read every scan again)."""
    row = db.execute(
        "SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ?",
        [path, size, mtime_ns],
    ).fetchone()
    return row[0] if row else None


def remember_sha256(db, path: str, size: int, mtime_ns: int, sha256: str) -> None:
    db.execute(
        "INSERT OR REPLACE INTO file_hashes (path, size, mtime_ns, sha256, hashed_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [path, size, mtime_ns, sha256, now()],
    )


def provenance_id(db, data: dict[str, Any]) -> int:
    """The id of the provenance record ``data`` (models, settings), stored once."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(blob.encode()).hexdigest()
    row = db.execute("SELECT id FROM provenance WHERE hash = ?", [digest]).fetchone()
    if row:
        return row[0]
    return db.execute(
        "INSERT INTO provenance (hash, data, created_at) VALUES (?, ?, ?)", [digest, blob, now()]
    ).lastrowid


def record_failure(db, page_id: int, error: str, seconds: float = 0.0) -> None:
    """Mark a page failed with its reason (and free its lease). Lines stored by an
    earlier run are kept."""
    with transaction(db):
        db.execute(
            "UPDATE pages SET status = 'failed', error = ?, seconds = ?, processed_at = ?, "
            f"suspect = 0, suspect_reasons = '[]', {RELEASE}, "
            "attempts = attempts + 1 WHERE id = ?",
            [error, seconds, now(), page_id],
        )


# -- a processed page -------------------------------------------------------------------


def save_page(
    db,
    page_id: int,
    result: PageResult,
    settings_hash: str,
    prov_id: int | None,
    confidence: float | None = None,
    suspect: list[str] | None = None,
) -> dict[str, int]:
    """Store a processed page in one transaction: the page row, its regions and lines,
    its mean line ``confidence`` and, when its reading is implausible, the ``suspect``
    reasons (``ocr.batch.gate``); its lease is freed.

    Re-processing replaces the previous OCR of the page, except lines a reviewer
    corrected: those keep their text (and history); the new OCR reading is stored in
    ``ocr_text`` beside the corrected text, even when the new OCR moved, split or
    merged its box; the new lines take the article places and checks of the lines they
    replace (``ocr.archive.carry``).
    """
    with transaction(db):
        corrected = corrected_lines(db, page_id)
        previous = replaced_lines(db, page_id)
        _clear_reading(db, page_id)
        region_ids = _insert_regions(db, page_id, result.regions)
        inserted = _insert_lines(db, page_id, result.lines, region_ids, corrected)
        carry_over(db, previous, inserted)
        n_lines = len(result.lines)
        db.execute(
            "UPDATE pages SET status = 'done', error = NULL, dpi = ?, width = ?, height = ?, "
            "skew_degrees = ?, deskewed_width = ?, deskewed_height = ?, image_path = ?, "
            "settings_hash = ?, provenance_id = ?, seconds = ?, timings = ?, "
            "printed_number = ?, meta = ?, confidence = ?, suspect = ?, suspect_reasons = ?, "
            "orientation = ?, preparation = ?, "
            f"{RELEASE}, attempts = attempts + 1, processed_at = ? WHERE id = ?",
            [
                result.dpi,
                result.width,
                result.height,
                round(result.skew_degrees, 4),
                result.deskewed_width,
                result.deskewed_height,
                result.image_path,
                settings_hash,
                prov_id,
                round(result.seconds, 3),
                json.dumps(result.timings),
                result.meta.get("printed_number"),
                json.dumps(result.meta, ensure_ascii=False),
                confidence,
                1 if suspect else 0,
                json.dumps(list(suspect or []), ensure_ascii=False),
                result.geometry.orientation,
                _preparation(result),
                now(),
                page_id,
            ],
        )
    return {"regions": len(region_ids), "lines": n_lines}


def _clear_reading(db, page_id: int) -> None:
    """Remove the page's previous reading: its regions and its lines, except corrected ones."""
    db.execute(
        "DELETE FROM article_lines WHERE line_id IN "
        "(SELECT id FROM lines WHERE page_id = ? AND corrected = 0)",
        [page_id],
    )
    db.execute("DELETE FROM lines WHERE page_id = ? AND corrected = 0", [page_id])
    db.execute("UPDATE lines SET region_id = NULL WHERE page_id = ?", [page_id])
    db.execute("DELETE FROM regions WHERE page_id = ?", [page_id])


def _preparation(result: PageResult) -> str:
    """The page's preparation as stored: the steps from the scan to the prepared image
    (``ocr.model.Transform``, which maps points both ways) and what each step measured."""
    data = {"transform": result.geometry.to_dict(), "record": result.preparation}
    return json.dumps(data, ensure_ascii=False)


def _insert_regions(db, page_id: int, regions: list[Region]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i, r in enumerate(regions):
        cur = db.execute(
            "INSERT INTO regions (page_id, ord, kind, x0, y0, x1, y1, poly, text, column_index) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [page_id, i + 1, r.kind, *_box(r.box.as_list()), _poly(r.poly), r.text, r.column],
        )
        ids[r.id] = cur.lastrowid
    return ids


def _insert_lines(
    db, page_id: int, lines: list[Line], region_ids: dict[str, int], corrected: list[dict]
) -> list[tuple[int, Line]]:
    """Insert the page's lines, except where a corrected line of an earlier run sits:
    that one keeps its text and takes the new readings in its place beside it. Returns
    the lines inserted, with their ids."""
    t = now()
    claims = claim_readings(lines, corrected)
    by_id = {row["id"]: row for row in corrected}
    claimed = {i: cid for cid, idx in claims.items() for i in idx}
    inserted = []
    for i, line in enumerate(lines):
        region_id = region_ids.get(line.region) if line.region else None
        if i in claimed:
            cid = claimed[i]
            if claims[cid][0] == i:
                reading = joined_reading(lines, claims[cid])
                keep_correction(db, by_id[cid], reading, region_id, i + 1, t)
            continue
        cur = db.execute(
            "INSERT INTO lines (page_id, region_id, ord, text, ocr_text, confidence, poly, "
            "x0, y0, x1, y1, version, corrected, updated_at, char_centres) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?)",
            [
                page_id,
                region_id,
                i + 1,
                line.text,
                line.text,
                line.confidence,
                _poly(line.poly),
                *_box(line.box.as_list()),
                t,
                _centres(line),
            ],
        )
        db.execute(
            "INSERT INTO line_history (line_id, version, text, source, created_at) "
            "VALUES (?, 1, ?, 'ocr', ?)",
            [cur.lastrowid, line.text, t],
        )
        inserted.append((cur.lastrowid, line))
    return inserted


def _box(b: list[float]) -> list[float]:
    return [round(v, 1) for v in b]


def _centres(line: Line) -> str | None:
    """The recognizer's character centres (JSON), when they are one per character."""
    c = line.char_centres
    return json.dumps([round(v, 4) for v in c]) if c and len(c) == len(line.text) else None


def _poly(poly) -> str:
    return json.dumps([[round(float(x), 1), round(float(y), 1)] for x, y in poly])
