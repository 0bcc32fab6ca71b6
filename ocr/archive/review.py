"""What reviewers change on lines and pages: text, checks, conflicts, page status, undo.

Every change is one transaction that checks the version it was based on (a stale one is
a :class:`Conflict` carrying what is stored now), bumps the line's ``version``, keeps the
text in ``line_history`` and records the change in ``changes`` (who, when, before and
after), so that it can be shown and undone; an undo is itself a recorded change.
Every id is checked to belong where the caller says (a line of another page is a
:class:`NotFound`).
"""

from __future__ import annotations

import json
from typing import Any

from ocr.archive.db import now, transaction
from ocr.errors import Conflict, NotFound

PAGE_STATUSES = ("new", "in_progress", "done")
LINE_COLUMNS = (
    "l.id, l.page_id, l.region_id, l.ord, l.text, l.ocr_text, l.confidence, l.poly, "
    "l.x0, l.y0, l.x1, l.y1, l.version, l.corrected, l.checked, l.ocr_resolved, "
    "l.article_id, l.updated_at"
)
# The state of a line a change records, and an undo restores.
STATE = ("text", "corrected", "checked", "ocr_resolved")


def line_row(db, line_id: int) -> dict[str, Any] | None:
    """The line ``line_id`` as a change sees it (None when there is none)."""
    return next(db.query(f"SELECT {LINE_COLUMNS} FROM lines l WHERE l.id = ?", [line_id]), None)


def line_on_page(db, page_id: int, line_id: int) -> dict[str, Any]:
    """The line ``line_id`` of page ``page_id``; :class:`NotFound` unless it is there."""
    row = next(
        db.query(
            f"SELECT {LINE_COLUMNS} FROM lines l WHERE l.id = ? AND l.page_id = ?",
            [line_id, page_id],
        ),
        None,
    )
    if row is None:
        raise NotFound(f"no line {line_id} on page {page_id}")
    return row


def save_line(
    db, page_id: int, line_id: int, text: str, version: int, author: str
) -> dict[str, Any]:
    """A reviewer's text for a line, based on ``version``: the line as stored after.
    The same text again changes nothing."""
    with transaction(db):
        return write_text(db, _current(db, page_id, line_id, version), text, author)


def write_text(db, row: dict[str, Any], text: str, author: str | None) -> dict[str, Any]:
    """THE write of a reviewer's text (the review app's save and ``correct_line``), in
    the caller's transaction: the line ``row`` corrected to ``text``, its history and
    its change recorded; the same text on a corrected line changes nothing."""
    if row["text"] == text and row["corrected"]:
        return row
    after = {"text": text, "corrected": 1, "checked": row["checked"]}
    return _change_line(db, row, after, "text", author)


def check_line(
    db, page_id: int, line_id: int, version: int, author: str, checked: bool = True
) -> dict[str, Any]:
    """Mark a line as checked (its text confirmed as it is), or not, based on ``version``."""
    with transaction(db):
        row = _current(db, page_id, line_id, version)
        if bool(row["checked"]) == checked:
            return row
        after = {"checked": int(checked)}
        return _change_line(db, row, after, "check" if checked else "uncheck", author)


def resolve_conflict(
    db, page_id: int, line_id: int, version: int, take: str, author: str
) -> dict[str, Any]:
    """A corrected line the latest OCR reads differently: ``take`` ``"correction"``
    keeps the reviewer's text (the reading is marked as seen), ``"ocr"`` takes the
    reading as the line's text."""
    with transaction(db):
        row = _current(db, page_id, line_id, version)
        if take == "ocr":
            after = {"text": row["ocr_text"], "ocr_resolved": row["ocr_text"]}
        elif take == "correction":
            after = {"ocr_resolved": row["ocr_text"]}
        else:
            raise NotFound(f"no choice {take!r} (correction or ocr)")
        return _change_line(db, row, after, f"resolve:{take}", author)


def _current(db, page_id: int, line_id: int, version: int) -> dict[str, Any]:
    row = line_on_page(db, page_id, line_id)
    if row["version"] != version:
        raise Conflict(
            f"line {line_id} is at version {row['version']}, not {version}: "
            "someone else changed it",
            current=row,
        )
    return row


def _change_line(
    db, row: dict[str, Any], after: dict[str, Any], action: str, author: str, undo_of=None
) -> dict[str, Any]:
    """Write ``after`` over the line ``row``: a new version, its history and the change."""
    before = {k: row[k] for k in STATE}
    state = {**before, **after}
    version, t = row["version"] + 1, now()
    db.execute(
        "UPDATE lines SET text = ?, corrected = ?, checked = ?, ocr_resolved = ?, "
        "version = ?, updated_at = ? WHERE id = ?",
        [state["text"], state["corrected"], state["checked"], state["ocr_resolved"]]
        + [version, t, row["id"]],
    )
    if state["text"] != row["text"]:
        db.execute(
            "INSERT INTO line_history (line_id, version, text, source, author, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [row["id"], version, state["text"], "undo" if undo_of else "review", author, t],
        )
    issue = _issue_of_page(db, row["page_id"])
    change = record_change(db, "line", action, issue, before, state, author, undo_of, row["id"])
    out = {**row, **state, "version": version, "updated_at": t, "change": change}
    return out


def record_change(
    db, kind, action, issue_id, before, after, author, undo_of=None, line_id=None
) -> int:
    """Record a change (``before`` and ``after`` as JSON); an undo marks what it undid."""
    cid = db.execute(
        "INSERT INTO changes (kind, action, issue_id, line_id, before, after, author, "
        "created_at, undo_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [kind, action, issue_id, line_id, _json(before), _json(after), author, now(), undo_of],
    ).lastrowid
    if undo_of is not None:
        db.execute("UPDATE changes SET undone_by = ? WHERE id = ?", [cid, undo_of])
    return cid


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _issue_of_page(db, page_id: int) -> int | None:
    row = db.execute("SELECT issue_id FROM pages WHERE id = ?", [page_id]).fetchone()
    return row[0] if row else None


def change_row(db, change_id: int) -> dict[str, Any]:
    row = next(db.query("SELECT * FROM changes WHERE id = ?", [change_id]), None)
    if row is None:
        raise NotFound(f"no change {change_id}")
    row["before"], row["after"] = json.loads(row["before"]), json.loads(row["after"])
    return row


def undo_line_change(db, change: dict[str, Any], author: str) -> dict[str, Any]:
    """Undo a change of a line: its state before, as a new recorded change. The line
    must still be as the change left it (else a :class:`Conflict`)."""
    if change["line_id"] is None:
        raise NotFound(f"the line of change {change['id']} is no longer stored")
    with transaction(db):
        row = line_row(db, change["line_id"])
        if change["undone_by"] is not None:
            raise Conflict(f"change {change['id']} was undone already", current=row)
        if any(row[k] != change["after"].get(k, row[k]) for k in STATE):
            raise Conflict(
                f"line {row['id']} changed since change {change['id']}: undo that first",
                current=row,
            )
        return _change_line(db, row, change["before"], "undo", author, undo_of=change["id"])


def read_changes(db, sql: str, args: list) -> list[dict[str, Any]]:
    """The change rows ``sql`` selects, their ``before`` and ``after`` decoded."""
    rows = list(db.query(sql, args))
    for r in rows:
        r["before"], r["after"] = json.loads(r["before"]), json.loads(r["after"])
    return rows


def line_changes(db, line_id: int) -> list[dict[str, Any]]:
    """The recorded changes of a line, newest first."""
    return read_changes(
        db,
        "SELECT id, action, before, after, author, created_at, undo_of, undone_by "
        "FROM changes WHERE line_id = ? ORDER BY id DESC",
        [line_id],
    )


def line_texts(db, line_id: int) -> list[dict[str, Any]]:
    """Every text the line has had (OCR readings, corrections, undos), newest first."""
    return list(
        db.query(
            "SELECT version, text, source, author, created_at FROM line_history "
            "WHERE line_id = ? ORDER BY id DESC",
            [line_id],
        )
    )


def set_review_status(db, page_id: int, status: str) -> None:
    """The page's review status: ``new``, ``in_progress`` or ``done``."""
    if status not in PAGE_STATUSES:
        raise NotFound(f"no page status {status!r} (one of {', '.join(PAGE_STATUSES)})")
    with transaction(db):
        cur = db.execute("UPDATE pages SET review_status = ? WHERE id = ?", [status, page_id])
        if cur.rowcount == 0:
            raise NotFound(f"no page {page_id}")
