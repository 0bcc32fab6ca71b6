"""What a re-read page carries over from the lines it replaces: corrections, checks, articles.

New OCR may move a line's box a little, split a line in two or merge two into one, and
gives every line a new id. A new line takes over from an old one when the two share most
of the smaller box (``shares_place``): a corrected line keeps its text and takes the new
readings of every new line in its place (joined, in order) as its ``ocr_text``; an old
line's article takes the new line at the old one's place in its reading order; a check
stays when the new reading is the same text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ocr.model import Box, Line
from ocr.text import join_text


def _area(b) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def overlap(a, b) -> float:
    """The area two boxes ``[x0, y0, x1, y1]`` share."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    return ix * iy if ix > 0 and iy > 0 else 0.0


def shares_place(a, b) -> float:
    """The area shared when it is at least half of the smaller box, else 0."""
    inter = overlap(a, b)
    small = min(_area(a), _area(b))
    return inter if small > 0 and inter >= 0.5 * small else 0.0


def _row_box(row: dict[str, Any]) -> list[float]:
    return [row["x0"], row["y0"], row["x1"], row["y1"]]


def best_place(box, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The row (with ``x0 y0 x1 y1``) whose box shares most of its place with ``box``."""
    best, score = None, 0.0
    for row in rows:
        if row["x0"] is None:
            continue
        s = shares_place(box, _row_box(row))
        if s > score:
            best, score = row, s
    return best


def claim_readings(lines: list[Line], corrected: list[dict[str, Any]]) -> dict[int, list[int]]:
    """Corrected line id -> the indexes of the new lines in its place, in order."""
    claims: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        row = best_place(line.box.as_list(), corrected)
        if row is not None:
            claims.setdefault(row["id"], []).append(i)
    return claims


def joined_reading(lines: list[Line], indexes: list[int]) -> Line:
    """The new lines at ``indexes`` read as one: text joined, lowest confidence, the
    union of their boxes."""
    first = lines[indexes[0]]
    text = ""
    for i in indexes:
        text = join_text(text, lines[i].text)
    box = Box.union(lines[i].box for i in indexes)
    return replace(first, text=text, confidence=min(lines[i].confidence for i in indexes), box=box)


def replaced_lines(db, page_id: int) -> list[dict[str, Any]]:
    """The page's lines a re-read replaces (not corrected), with what they carry: their
    text, box, check and article place."""
    return list(
        db.query(
            "SELECT l.id, l.text, l.checked, l.x0, l.y0, l.x1, l.y1, al.article_id, "
            "al.ord AS article_ord FROM lines l LEFT JOIN article_lines al ON al.line_id = l.id "
            "WHERE l.page_id = ? AND l.corrected = 0",
            [page_id],
        )
    )


def carry_over(db, previous: list[dict[str, Any]], inserted: list[tuple[int, Line]]) -> None:
    """The new lines (``(id, line)``) take the article places and checks of the old
    lines they replace; the articles' reading order is renumbered."""
    touched: set[int] = set()
    for new_id, line in inserted:
        old = best_place(line.box.as_list(), previous)
        if old is None:
            continue
        if old["checked"] and old["text"] == line.text:
            db.execute("UPDATE lines SET checked = 1 WHERE id = ?", [new_id])
        if old["article_id"] is not None:
            db.execute(
                "INSERT OR IGNORE INTO article_lines (article_id, line_id, ord) VALUES (?, ?, ?)",
                [old["article_id"], new_id, old["article_ord"]],
            )
            db.execute("UPDATE lines SET article_id = ? WHERE id = ?", [old["article_id"], new_id])
            touched.add(old["article_id"])
    for aid in touched:
        rows = db.execute(
            "SELECT al.line_id FROM article_lines al JOIN lines l ON l.id = al.line_id "
            "WHERE al.article_id = ? ORDER BY al.ord, l.ord, l.id",
            [aid],
        ).fetchall()
        for k, (line_id,) in enumerate(rows):
            db.execute(
                "UPDATE article_lines SET ord = ? WHERE article_id = ? AND line_id = ?",
                [k + 1, aid, line_id],
            )
