"""Writing articles: an issue's articles replaced at once, each matched to the one it continues.

The articles themselves are assembled elsewhere (``ocr.articles``, run by
``ocr.batch.assemble``); this module only stores them.
"""

from __future__ import annotations

import json
from typing import Any

from ocr.archive.db import now, transaction

_ISSUE_PAGES = "(SELECT id FROM pages WHERE issue_id = ?)"


def save_articles(
    db, issue_id: int, articles: list[dict[str, Any]], facts: dict[str, Any], method: str
) -> int:
    """Replace the issue's articles in one transaction; return how many there are.

    ``articles`` in reading order, each ``{"title", "text", "pages", "lines",
    "jump_lines", "regions"}`` (ids as stored). An article already stored that shares
    most of its lines with a new one keeps its id; its ``version`` goes up when its title
    or text changed. Lines and regions point to their article (jump lines too, though
    they are not in ``article_lines`` nor in the text). ``facts`` sets the issue's
    ``title``, ``date`` and ``number`` where found (None keeps what is there) and its
    ``flags``.
    """
    t = now()
    with transaction(db):
        old, old_lines = _stored_articles(db, issue_id)
        _unlink_articles(db, issue_id)
        matched = _match_articles(articles, old_lines)
        for gone in set(old) - set(matched.values()):
            db.execute("DELETE FROM articles WHERE id = ?", [gone])
        for k, art in enumerate(articles):
            aid = matched.get(k)
            if aid is None:
                aid = _insert_article(db, issue_id, k + 1, art, method, t)
            else:
                _update_article(db, old[aid], k + 1, art, method, t)
            _link_article(db, aid, art)
        _set_issue_facts(db, issue_id, facts, t)
    return len(articles)


def _stored_articles(db, issue_id: int) -> tuple[dict[int, dict[str, Any]], dict[int, set[int]]]:
    """The issue's stored articles by id, and the ids of each one's lines."""
    old = {
        r["id"]: r
        for r in db.query(
            "SELECT id, title, text, version FROM articles WHERE issue_id = ?", [issue_id]
        )
    }
    old_lines: dict[int, set[int]] = {i: set() for i in old}
    for r in db.query(
        "SELECT al.article_id, al.line_id FROM article_lines al "
        "JOIN articles a ON a.id = al.article_id WHERE a.issue_id = ?",
        [issue_id],
    ):
        old_lines[r["article_id"]].add(r["line_id"])
    return old, old_lines


def _unlink_articles(db, issue_id: int) -> None:
    """No line or region of the issue belongs to an article any more."""
    db.execute(f"UPDATE lines SET article_id = NULL WHERE page_id IN {_ISSUE_PAGES}", [issue_id])
    db.execute(f"UPDATE regions SET article_id = NULL WHERE page_id IN {_ISSUE_PAGES}", [issue_id])
    db.execute(
        "DELETE FROM article_lines WHERE article_id IN "
        "(SELECT id FROM articles WHERE issue_id = ?)",
        [issue_id],
    )


def _match_articles(articles: list[dict[str, Any]], old: dict[int, set[int]]) -> dict[int, int]:
    """New article index -> the stored article it continues: the one sharing the most
    lines, when they share more than half of the larger of the two."""
    owner = {line: aid for aid, lines in old.items() for line in lines}
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for k, art in enumerate(articles):
        counts: dict[int, int] = {}
        for line in art["lines"]:
            if line in owner:
                counts[owner[line]] = counts.get(owner[line], 0) + 1
        for aid, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            if aid not in taken and n > 0.5 * max(len(art["lines"]), len(old[aid])):
                matched[k] = aid
                taken.add(aid)
                break
    return matched


def _insert_article(db, issue_id: int, ord_: int, art: dict[str, Any], method: str, t: str) -> int:
    return db.execute(
        "INSERT INTO articles (issue_id, ord, title, text, pages, method, "
        "version, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
        [issue_id, ord_, art["title"], art["text"], json.dumps(art["pages"]), method, t],
    ).lastrowid


def _update_article(
    db, before: dict[str, Any], ord_: int, art: dict[str, Any], method: str, t: str
) -> None:
    """The stored article ``before`` continues as ``art``: a new version when its title
    or text changed."""
    changed = before["title"] != art["title"] or before["text"] != art["text"]
    db.execute(
        "UPDATE articles SET ord = ?, title = ?, text = ?, pages = ?, method = ?, "
        "version = version + ?, updated_at = CASE WHEN ? THEN ? ELSE updated_at END "
        "WHERE id = ?",
        [ord_, art["title"], art["text"], json.dumps(art["pages"]), method, int(changed)]
        + [int(changed), t, before["id"]],
    )


def _link_article(db, aid: int, art: dict[str, Any]) -> None:
    """The article's lines in reading order; its lines, jump lines and regions point to it."""
    for n, line_id in enumerate(art["lines"]):
        db.execute(
            "INSERT INTO article_lines (article_id, line_id, ord) VALUES (?, ?, ?)",
            [aid, line_id, n + 1],
        )
    ids = list(art["lines"]) + list(art.get("jump_lines", []))
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        db.execute(
            f"UPDATE lines SET article_id = ? WHERE id IN ({','.join('?' * len(part))})",
            [aid, *part],
        )
    for region_id in art.get("regions", []):
        db.execute("UPDATE regions SET article_id = ? WHERE id = ?", [aid, region_id])


def _set_issue_facts(db, issue_id: int, facts: dict[str, Any], t: str) -> None:
    db.execute(
        "UPDATE issues SET title = coalesce(?, title), date = coalesce(?, date), "
        "number = coalesce(?, number), flags = ?, updated_at = ? WHERE id = ?",
        [
            facts.get("title"),
            facts.get("date"),
            facts.get("number"),
            json.dumps(facts.get("flags", []), ensure_ascii=False),
            t,
            issue_id,
        ],
    )
