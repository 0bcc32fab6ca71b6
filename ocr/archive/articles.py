"""Writing articles: an issue's articles replaced at once, each matched to the one it continues.

The articles themselves are assembled elsewhere (``ocr.articles``, run by
``ocr.batch.assemble``); this module only stores them. Articles a reviewer edited
(``pinned``, see ``ocr.archive.edits``) are kept as they are: their lines stay theirs
(whatever a new assembly says), only their text follows their lines' corrections.
"""

from __future__ import annotations

import json
from typing import Any

from ocr.archive.db import now, transaction
from ocr.archive.edits import article_text

_ISSUE_PAGES = "(SELECT id FROM pages WHERE issue_id = ?)"
_PINNED = "(SELECT id FROM articles WHERE issue_id = ? AND pinned = 1)"


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
    ``flags``. Pinned articles stay as they are; what a new article holds of theirs is
    left out of it.
    """
    t = now()
    with transaction(db):
        pinned = _refresh_pinned(db, issue_id, t)
        articles = _without(articles, pinned)
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
        _renumber(db, issue_id)
        _set_issue_facts(db, issue_id, facts, t)
    return len(articles) + len(pinned)


def _refresh_pinned(db, issue_id: int, t: str) -> dict[int, set[int]]:
    """The issue's pinned articles (id -> line ids), their text brought up to date with
    their lines' text (a new version when it changed)."""
    pinned: dict[int, set[int]] = {}
    for row in list(
        db.query(
            "SELECT id, title, text FROM articles WHERE issue_id = ? AND pinned = 1", [issue_id]
        )
    ):
        lines = [
            r[0]
            for r in db.execute(
                "SELECT line_id FROM article_lines WHERE article_id = ? ORDER BY ord", [row["id"]]
            )
        ]
        text, pages = article_text(db, lines, row["title"])
        if text != row["text"]:
            db.execute(
                "UPDATE articles SET text = ?, pages = ?, version = version + 1, updated_at = ? "
                "WHERE id = ?",
                [text, json.dumps(pages), t, row["id"]],
            )
        held = set(lines)
        held |= {r[0] for r in db.execute("SELECT id FROM lines WHERE article_id = ?", [row["id"]])}
        pinned[row["id"]] = held
    return pinned


def _without(articles: list[dict[str, Any]], pinned: dict[int, set[int]]) -> list[dict[str, Any]]:
    """The new articles less the lines pinned articles hold (those left empty dropped)."""
    held = set().union(*pinned.values()) if pinned else set()
    if not held:
        return articles
    out = []
    for art in articles:
        lines = [i for i in art["lines"] if i not in held]
        if lines:
            jumps = [i for i in art.get("jump_lines", []) if i not in held]
            out.append(dict(art, lines=lines, jump_lines=jumps))
    return out


def _renumber(db, issue_id: int) -> None:
    """Articles numbered 1.. in order (pinned ones keep their place among the new)."""
    rows = db.execute(
        "SELECT id FROM articles WHERE issue_id = ? ORDER BY ord, pinned DESC, id", [issue_id]
    ).fetchall()
    for k, (aid,) in enumerate(rows):
        db.execute("UPDATE articles SET ord = ? WHERE id = ?", [k + 1, aid])


def _stored_articles(db, issue_id: int) -> tuple[dict[int, dict[str, Any]], dict[int, set[int]]]:
    """The issue's stored articles by id, and the ids of each one's lines."""
    old = {
        r["id"]: r
        for r in db.query(
            "SELECT id, title, text, version FROM articles WHERE issue_id = ? AND pinned = 0",
            [issue_id],
        )
    }
    old_lines: dict[int, set[int]] = {i: set() for i in old}
    for r in db.query(
        "SELECT al.article_id, al.line_id FROM article_lines al "
        "JOIN articles a ON a.id = al.article_id WHERE a.issue_id = ? AND a.pinned = 0",
        [issue_id],
    ):
        old_lines[r["article_id"]].add(r["line_id"])
    return old, old_lines


def _unlink_articles(db, issue_id: int) -> None:
    """No line or region of the issue belongs to an article any more, except to a
    pinned one."""
    free = f"page_id IN {_ISSUE_PAGES} AND (article_id IS NULL OR article_id NOT IN {_PINNED})"
    db.execute(f"UPDATE lines SET article_id = NULL WHERE {free}", [issue_id, issue_id])
    db.execute(f"UPDATE regions SET article_id = NULL WHERE {free}", [issue_id, issue_id])
    db.execute(
        "DELETE FROM article_lines WHERE article_id IN "
        "(SELECT id FROM articles WHERE issue_id = ? AND pinned = 0)",
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
        db.execute(
            "UPDATE regions SET article_id = ? WHERE id = ? AND (article_id IS NULL OR "
            "article_id NOT IN (SELECT id FROM articles WHERE pinned = 1))",
            [aid, region_id],
        )


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
