"""The Datasette plugin (entry point ``ocr``): Chinese full-text search in ``datasette archive.db``.

Datasette's search box sends a query to FTS5 through its SQL function ``escape_fts``,
which quotes each word: a run of Chinese is then one token, found only when it is a
2-character word. On the archive's connections the plugin replaces ``escape_fts`` with
the token rule's query (``ocr.text.search.fts_match``) and names the search tables of
``articles`` and ``lines`` in the metadata, so the search box on those tables answers
Chinese of any length exactly, both scripts (``/archive/articles?_search=科创园``). It
also adds a canned query ``search`` (``/archive/search?q=科创园``): the hits, order and
snippets of ``ocr search``. SQL functions on every archive connection:

- ``ocr_match(q)``: the FTS5 expression of a query; ``ocr_match(q, 'title')`` restricted
  to the title column. ``escape_fts(q)``: the same.
- ``ocr_snippet(text, q)``: a snippet, the hits in 【】 (Datasette shows cells as text).
- ``ocr_tokens(text)``, ``ocr_join(text, ord)``: what the archive's triggers call.
"""

from __future__ import annotations

import os
import sqlite3
from functools import lru_cache

from datasette import hookimpl

from ocr.archive.index import register_functions
from ocr.archive.search import TITLE_WEIGHT
from ocr.text.search import find_spans, fts_match, snippet

# An expression that matches nothing: a query with nothing to search for.
NOTHING = '"\u2205"'

SEARCH_SQL = f"""
SELECT a.id AS article, a.issue_id AS issue, i.date, a.title, a.pages,
       ocr_snippet(s.body, :q) AS snippet,
       round(-bm25(articles_fts, {TITLE_WEIGHT}, 1.0), 6) AS score
FROM articles_fts
JOIN articles a ON a.id = articles_fts.rowid
JOIN search_text s ON s.article_id = a.id
JOIN issues i ON i.id = a.issue_id
WHERE articles_fts MATCH ocr_match(:q)
ORDER BY a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ocr_match(:q, 'title'))
         DESC, bm25(articles_fts, {TITLE_WEIGHT}, 1.0), a.id
"""


def ocr_match(query, column=None) -> str:
    return fts_match(query or "", column) or NOTHING


def ocr_snippet(text, query) -> str:
    spans = find_spans(text or "", query or "")
    return snippet(text or "", spans, 80, ("【", "】"), escape=str)


def is_archive(conn) -> bool:
    """The database holds an archive's search index (migration 0006)."""
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_info'").fetchone())


@hookimpl(trylast=True)  # after Datasette's own escape_fts, which this one replaces
def prepare_connection(conn):
    if not is_archive(conn):
        return
    register_functions(conn)
    conn.create_function("ocr_match", 1, ocr_match, deterministic=True)
    conn.create_function("ocr_match", 2, ocr_match, deterministic=True)
    conn.create_function("escape_fts", 1, ocr_match, deterministic=True)
    conn.create_function("ocr_snippet", 2, ocr_snippet, deterministic=True)


@lru_cache(maxsize=64)
def _archive_file(path: str, mtime_ns: int) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return is_archive(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return False


@hookimpl
def get_metadata(datasette):
    """The archive's tables searched through their FTS5 tables (by ``escape_fts``)."""
    databases = {}
    for name, db in datasette.databases.items():
        path = getattr(db, "path", None)
        if not path or not os.path.exists(path):
            continue
        if _archive_file(str(path), os.stat(path).st_mtime_ns):
            databases[name] = {
                "tables": {
                    "articles": {"fts_table": "articles_fts", "fts_pk": "id"},
                    "lines": {"fts_table": "lines_fts", "fts_pk": "id"},
                }
            }
    return {"databases": databases}


@hookimpl
def canned_queries(datasette, database):
    async def inner():
        db = datasette.get_database(database)
        if not await db.table_exists("articles_fts"):
            return {}
        return {
            "search": {
                "sql": SEARCH_SQL,
                "title": "Search the articles",
                "description": (
                    "Every article holding every word of q (Chinese of any length, "
                    "simplified or traditional; Latin words and numbers whole): title "
                    "hits first, then bm25. The same as `ocr search`."
                ),
            }
        }

    return inner
