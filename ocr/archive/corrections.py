"""Reviewer corrections: a line's new text with its history, kept when the page is read again.

A corrected line (``corrected = 1``) keeps its text through every re-OCR of its page;
the new reading goes to ``ocr_text`` and to ``line_history`` (source ``reocr``). Where
the two differ, the line is a conflict for a reviewer to look at.
"""

from __future__ import annotations

from typing import Any

from ocr.archive.db import transaction
from ocr.archive.review import line_row, write_text
from ocr.errors import StoreError
from ocr.model import Line


def correct_line(
    db, line_id: int, text: str, author: str | None = None, expected_version: int | None = None
) -> int:
    """A reviewer's correction from the library or the CLI: the one write path of the
    review app's save (``review.write_text``): new text, version + 1, ``line_history``
    kept and the change recorded in ``changes`` (by ``author``), so the reviewers'
    history shows it and can undo it. Returns the line's version after.
    ``expected_version`` guards against overwriting a concurrent edit."""
    with transaction(db):
        row = line_row(db, line_id)
        if row is None:
            raise StoreError(f"no line {line_id}")
        if expected_version is not None and row["version"] != expected_version:
            raise StoreError(
                f"line {line_id} is at version {row['version']}, not {expected_version}: "
                "someone else changed it"
            )
        return write_text(db, row, text, author)["version"]


# -- keeping corrections when a page is read again --------------------------------------


def corrected_lines(db, page_id: int) -> list[dict[str, Any]]:
    """The page's corrected line rows (what a re-OCR of the page must keep)."""
    return list(db.query("SELECT * FROM lines WHERE page_id = ? AND corrected = 1", [page_id]))


def keep_correction(
    db, twin: dict[str, Any], line: Line, region_id: int | None, ord_: int, t: str
) -> None:
    """The new reading ``line`` of the corrected line ``twin``: the reviewer's text
    stays; the reading is stored beside it (``ocr_text``) and in the history."""
    db.execute(
        "UPDATE lines SET ocr_text = ?, confidence = ?, region_id = ?, ord = ?, "
        "updated_at = ? WHERE id = ?",
        [line.text, line.confidence, region_id, ord_, t, twin["id"]],
    )
    if line.text != twin["ocr_text"]:
        # Every new reading is kept too (source 'reocr'; the line's version, which
        # counts the text shown, stays the reviewer's).
        db.execute(
            "INSERT INTO line_history (line_id, version, text, source, created_at) "
            "VALUES (?, ?, ?, 'reocr', ?)",
            [twin["id"], twin["version"], line.text, t],
        )


# -- conflicts ---------------------------------------------------------------------------


def conflicts(db, limit: int | None = None) -> list[dict[str, Any]]:
    """Reviewer-corrected lines whose latest OCR reading differs from the correction
    (the correction is kept; the new reading is in ``lines.ocr_text``) and that no
    reviewer has resolved (``ocr.archive.review.resolve_conflict``)."""
    sql = (
        "SELECT l.id, l.text, l.ocr_text, l.ord, p.source, p.page_index, p.number "
        "FROM lines l JOIN pages p ON p.id = l.page_id "
        "WHERE l.corrected = 1 AND l.ocr_text != l.text AND l.ocr_resolved IS NOT l.ocr_text "
        "ORDER BY p.source, p.page_index, l.ord"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return list(db.query(sql))


def count_conflicts(db) -> tuple[int, int]:
    """(corrected lines, corrected lines whose latest OCR reading differs, unresolved)."""
    row = db.execute(
        "SELECT count(*), coalesce(sum(ocr_text != text AND ocr_resolved IS NOT ocr_text), 0) "
        "FROM lines WHERE corrected = 1"
    ).fetchone()
    return row[0], row[1]
