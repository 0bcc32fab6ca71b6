"""The Datasette plugin (entry point ``ocr``): Chinese full-text search in ``datasette archive.db``.

Datasette's own search box sends the query to FTS5 as it is, which finds a 2-character
word (one bigram token) but not 1-, 3- or 4-character ones. The plugin registers the
token rule as SQL functions on every connection (``prepare_connection``) and adds a
canned query ``search`` to every database that has the archive's index
(``/archive/search?q=科创园``): the same hits, order and snippets as ``ocr search``.

- ``ocr_match(q)``: the FTS5 expression of a query (``ocr.text.search.fts_match``);
  ``ocr_match(q, 'title')`` restricted to the title column.
- ``ocr_snippet(text, q)``: a snippet, the hits in 【】 (Datasette shows cells as text).
- ``ocr_tokens(text)``: the index tokens (what the archive's triggers call).
"""

from __future__ import annotations

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


@hookimpl
def prepare_connection(conn):
    register_functions(conn)
    conn.create_function("ocr_match", 1, ocr_match, deterministic=True)
    conn.create_function("ocr_match", 2, ocr_match, deterministic=True)
    conn.create_function("ocr_snippet", 2, ocr_snippet, deterministic=True)


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
