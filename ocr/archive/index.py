"""Keeping the article search index current: marked articles indexed again before a commit.

Migration 0006's triggers index lines themselves and mark in ``search_dirty`` every
article whose title, lines or line text changed; ``flush`` (run by
``db.transaction`` before its COMMIT, so in the writer's own transaction) makes each
marked article's text again from its lines, in reading order, and replaces what
``articles_fts`` and ``search_text`` held for it. A contentless FTS5 table forgets a row
only when told its old tokens: ``search_text`` keeps the text they were made from.
"""

from __future__ import annotations

import sqlite3

from ocr.text.search import index_tokens

_DIRTY = "(SELECT article_id FROM search_dirty)"

FLUSH = [
    "INSERT INTO articles_fts (articles_fts, rowid, title, body) "
    "SELECT 'delete', article_id, ocr_tokens(title), ocr_tokens(body) FROM search_text "
    f"WHERE article_id IN {_DIRTY}",
    f"DELETE FROM search_text WHERE article_id IN {_DIRTY}",
    "INSERT INTO search_text (article_id, title, body) "
    "SELECT a.id, a.title, coalesce((SELECT ocr_join(l.text, al.ord) FROM article_lines al "
    "JOIN lines l ON l.id = al.line_id WHERE al.article_id = a.id), '') "
    f"FROM articles a WHERE a.id IN {_DIRTY}",
    "INSERT INTO articles_fts (rowid, title, body) "
    "SELECT article_id, ocr_tokens(title), ocr_tokens(body) FROM search_text "
    f"WHERE article_id IN {_DIRTY}",
    "DELETE FROM search_dirty",
]


class JoinLines:
    """``ocr_join(text, ord)``: the texts in ``ord`` order, one a line."""

    def __init__(self) -> None:
        self.parts: list[tuple[int, str]] = []

    def step(self, text, ord_) -> None:
        self.parts.append((ord_, text or ""))

    def finalize(self) -> str:
        return "\n".join(t for _, t in sorted(self.parts, key=lambda p: p[0]))


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the archive's triggers and ``flush`` call: ``ocr_tokens(text)``
    (``ocr.text.search.index_tokens``) and the aggregate ``ocr_join(text, ord)``. Every
    connection that writes lines or articles needs them (``open_db`` registers them; a
    writer without them fails with "no such function: ocr_tokens" rather than leave
    the index stale)."""
    conn.create_function("ocr_tokens", 1, index_tokens, deterministic=True)
    conn.create_aggregate("ocr_join", 2, JoinLines)


def flush(conn: sqlite3.Connection) -> None:
    """Index again the articles the triggers marked (nothing to do: one cheap read;
    an archive before migration 0006: nothing)."""
    try:
        if conn.execute("SELECT 1 FROM search_dirty LIMIT 1").fetchone() is None:
            return
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return
        raise
    for sql in FLUSH:
        conn.execute(sql)
