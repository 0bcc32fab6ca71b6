"""Full-text search over the archive's articles (title, text) and lines (FTS5, migration 0006).

The tokens are ``ocr.text.search``'s rule. Both tables are current when a write
commits: a line's own triggers index it; an article's text, which is its lines'
current text in reading order, is indexed again by ``index.flush`` in the writer's
transaction (a correction, a re-read page, an issue's articles saved again, an edit in
the review app). A hit is an article that holds every term of the query; hits whose
title holds every term come first, then by bm25 (title weighted ``TITLE_WEIGHT`` times
the body). Each hit names its lines on the page (a word broken across two lines
names both) and a snippet.
"""

from __future__ import annotations

import json
from typing import Any

from ocr.archive.db import transaction
from ocr.archive.index import flush
from ocr.errors import StoreError
from ocr.text.search import TOKENS_VERSION, find_spans, fts_match, snippet

TITLE_WEIGHT = 10.0


def search(
    db,
    query: str,
    issue_id: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    limit: int | None = None,
    width: int = 60,
) -> list[dict[str, Any]]:
    """The articles holding every term of ``query``, best first, each
    ``{"article", "issue", "date", "title", "pages", "snippet", "score", "lines"}``
    (``lines``: ``{"id", "page", "poly"}``). Every hit unless ``limit``."""
    rows = _article_rows(db, query, issue_id, date_from, date_to, limit)
    lines = _article_lines(db, [r["id"] for r in rows])
    return [_hit(row, lines.get(row["id"], []), query, width) for row in rows]


def _article_lines(db, article_ids: list[int]) -> dict[int, list[tuple]]:
    """Each article's lines in reading order: ``(id, text, poly, page)``."""
    out: dict[int, list[tuple]] = {}
    for chunk in range(0, len(article_ids), 500):
        part = article_ids[chunk : chunk + 500]
        for aid, *line in db.execute(
            "SELECT al.article_id, l.id, l.text, l.poly, p.number FROM article_lines al "
            "JOIN lines l ON l.id = al.line_id JOIN pages p ON p.id = l.page_id "
            f"WHERE al.article_id IN ({','.join('?' * len(part))}) "
            "ORDER BY al.article_id, al.ord",
            part,
        ):
            out.setdefault(aid, []).append(tuple(line))
    return out


def count_hits(
    db,
    query: str,
    issue_id: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> int:
    """How many articles ``search`` finds without a limit."""
    expr = fts_match(query)
    if expr is None:
        return 0
    where, args = _filters(issue_id, date_from, date_to)
    sql = (
        "SELECT count(*) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"JOIN issues i ON i.id = a.issue_id WHERE articles_fts MATCH ?{where}"
    )
    return db.execute(sql, [expr, *args]).fetchone()[0]


def _filters(issue_id, date_from, date_to) -> tuple[str, list[Any]]:
    where, args = "", []
    if issue_id is not None:
        where += " AND a.issue_id = ?"
        args.append(issue_id)
    if date_from is not None:
        where += " AND i.date >= ?"
        args.append(date_from)
    if date_to is not None:
        where += " AND i.date <= ?"
        args.append(date_to)
    return where, args


def check_index(db) -> None:
    """A :class:`StoreError` when the index was built by another version of the token
    rule (its answers would be wrong): ``ocr index --rebuild`` builds it again."""
    row = db.execute("SELECT value FROM search_info WHERE key = 'tokens_version'").fetchone()
    if row is None or row[0] != str(TOKENS_VERSION):
        raise StoreError(
            f"the archive's search index was built by token rule {row[0] if row else '?'}, "
            f"this version of ocr uses rule {TOKENS_VERSION}: run 'ocr index --rebuild'"
        )


def _article_rows(db, query, issue_id, date_from, date_to, limit) -> list[dict[str, Any]]:
    check_index(db)
    expr = fts_match(query)
    if expr is None:
        return []
    where, args = _filters(issue_id, date_from, date_to)
    # Ranked on the FTS table alone (joined only for a filter), then the page of hits
    # joined to its articles: the join of every match costs more than the ranking.
    joined = (
        "JOIN articles a ON a.id = articles_fts.rowid JOIN issues i ON i.id = a.issue_id "
        if where
        else ""
    )
    ranked = (
        f"SELECT articles_fts.rowid AS id, bm25(articles_fts, {TITLE_WEIGHT}, 1.0) AS bm25, "
        "articles_fts.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?) "
        f"AS in_title FROM articles_fts {joined}WHERE articles_fts MATCH ?{where} "
        "ORDER BY in_title DESC, bm25, id"
    )
    if limit is not None:
        ranked += f" LIMIT {int(limit)}"
    sql = (
        "SELECT a.id, a.issue_id, i.date, a.title, a.pages, r.bm25, r.in_title "
        f"FROM ({ranked}) r JOIN articles a ON a.id = r.id JOIN issues i ON i.id = a.issue_id "
        "ORDER BY r.in_title DESC, r.bm25, r.id"
    )
    return list(db.query(sql, [fts_match(query, "title"), expr, *args]))


def _hit(row: dict[str, Any], lines: list[tuple], query: str, width: int) -> dict[str, Any]:
    body = "\n".join(line[1] for line in lines)  # what the index holds (index.flush)
    spans = find_spans(body, query)
    if spans or not row["title"]:
        text = snippet(body, spans, width)
    else:
        text = snippet(row["title"], find_spans(row["title"], query), width)
    return {
        "article": row["id"],
        "issue": row["issue_id"],
        "date": row["date"],
        "title": row["title"],
        "pages": json.loads(row["pages"]),
        "snippet": text,
        "score": round(-row["bm25"], 6),
        "in_title": bool(row["in_title"]),
        "lines": [
            {"id": lines[k][0], "page": lines[k][3], "poly": json.loads(lines[k][2])}
            for k in _lines_at(lines, spans)
        ],
    }


def _lines_at(lines: list[tuple], spans: list[tuple[int, int]]) -> list[int]:
    """The indexes of the lines (joined one a line) that the spans touch."""
    hit, start = [], 0
    for k, line in enumerate(lines):
        end = start + len(line[1])
        if any(s < end and start < e for s, e in spans):
            hit.append(k)
        start = end + 1
    return hit


def search_lines(
    db,
    query: str,
    page_id: int | None = None,
    issue_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The lines holding every term of ``query`` (a page's hits, to outline them), by
    bm25, each ``{"id", "page_id", "page", "issue", "text", "poly", "score", "spans"}``."""
    check_index(db)
    expr = fts_match(query)
    if expr is None:
        return []
    where, args = "", [expr]
    if page_id is not None:
        where += " AND l.page_id = ?"
        args.append(page_id)
    if issue_id is not None:
        where += " AND p.issue_id = ?"
        args.append(issue_id)
    sql = (
        "SELECT l.id, l.page_id, p.number AS page, p.issue_id AS issue, l.text, l.poly, "
        "bm25(lines_fts) AS bm25 FROM lines_fts JOIN lines l ON l.id = lines_fts.rowid "
        f"JOIN pages p ON p.id = l.page_id WHERE lines_fts MATCH ?{where} ORDER BY bm25, l.id"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    out = []
    for r in db.query(sql, args):
        out.append(
            {
                **{k: r[k] for k in ("id", "page_id", "page", "issue", "text")},
                "poly": json.loads(r["poly"]),
                "score": round(-r["bm25"], 6),
                "spans": find_spans(r["text"], query),
            }
        )
    return out


def rebuild_index(db) -> dict[str, int]:
    """Build both search tables again from the stored articles and lines, in one
    transaction (``ocr index --rebuild``); returns how many rows each holds."""
    with transaction(db):
        for table in ("articles_fts", "lines_fts"):
            db.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
        db.execute("DELETE FROM search_text")
        db.execute("INSERT OR IGNORE INTO search_dirty SELECT id FROM articles")
        flush(db.conn)
        db.execute("INSERT INTO lines_fts (rowid, text) SELECT id, ocr_tokens(text) FROM lines")
        db.execute(
            "INSERT OR REPLACE INTO search_info VALUES ('tokens_version', ?)",
            [str(TOKENS_VERSION)],
        )
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        db.execute("INSERT INTO lines_fts (lines_fts) VALUES ('optimize')")
    return index_counts(db)


def index_counts(db) -> dict[str, int]:
    """Rows in the search tables and the tables they index (equal when current)."""

    def one(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    return {
        "articles": one("SELECT count(*) FROM articles"),
        "articles_indexed": one("SELECT count(*) FROM search_text"),
        "lines": one("SELECT count(*) FROM lines"),
        "lines_indexed": one("SELECT count(*) FROM lines_fts"),
    }
