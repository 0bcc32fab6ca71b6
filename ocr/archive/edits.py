"""Reviewers' article edits: title, blocks moved, merged, split, reordered, continuations.

An article is edited as a snapshot (``{"id", "title", "ord", "version", "lines"}``, its
line ids in reading order): an edit reads the snapshots of the articles it touches,
checks their versions (a stale one is a :class:`Conflict`), writes the new snapshots and
records both (``changes``), so that an undo writes the old ones back (an article a merge
removed comes back under its own id). An edited article is ``pinned``: re-assembly
(``ocr articles``, a re-processed page) works around it and never undoes it. A block is a
region of the page: the article's lines in that region.
"""

from __future__ import annotations

import json
from typing import Any

from ocr.archive.db import now, transaction
from ocr.archive.review import read_changes, record_change
from ocr.errors import Conflict, NotFound
from ocr.text import join_text


def article_snapshot(db, issue_id: int, article_id: int) -> dict[str, Any]:
    """The article as an edit sees it; :class:`NotFound` unless it is in the issue."""
    row = next(
        db.query(
            "SELECT id, issue_id, title, ord, version, pinned FROM articles WHERE id = ?",
            [article_id],
        ),
        None,
    )
    if row is None or row["issue_id"] != issue_id:
        raise NotFound(f"no article {article_id} in issue {issue_id}")
    lines = [
        r[0]
        for r in db.execute(
            "SELECT line_id FROM article_lines WHERE article_id = ? ORDER BY ord", [article_id]
        )
    ]
    return {k: row[k] for k in ("id", "title", "ord", "version")} | {"lines": lines}


def article_blocks(db, line_ids: list[int]) -> list[dict[str, Any]]:
    """The article's blocks in its reading order: ``{"region", "page", "lines"}``, a
    region's lines that follow each other in the article."""
    if not line_ids:
        return []
    info = _line_info(db, line_ids)
    blocks: list[dict[str, Any]] = []
    for i in line_ids:
        if i not in info:
            continue
        region, page = info[i]["region_id"], info[i]["number"]
        if blocks and blocks[-1]["region"] == region and blocks[-1]["page"] == page:
            blocks[-1]["lines"].append(i)
        else:
            blocks.append({"region": region, "page": page, "lines": [i]})
    return blocks


def _line_info(db, line_ids: list[int]) -> dict[int, dict[str, Any]]:
    out = {}
    for k in range(0, len(line_ids), 500):
        part = line_ids[k : k + 500]
        for r in db.query(
            "SELECT l.id, l.region_id, l.text, l.page_id, p.number FROM lines l "
            f"JOIN pages p ON p.id = l.page_id WHERE l.id IN ({','.join('?' * len(part))})",
            part,
        ):
            out[r["id"]] = r
    return out


def article_text(db, line_ids: list[int], title: str | None) -> tuple[str, list[int]]:
    """An edited article's text and pages from its lines as they read now: a block's
    lines joined, blocks on their own lines; the leading lines that spell the title
    are the title, not text."""
    info = _line_info(db, line_ids)
    ids = [i for i in line_ids if i in info]
    head, skip = "", 0
    want = "".join((title or "").split())
    for i in ids:
        nxt = head + "".join(info[i]["text"].split())
        if not want or not want.startswith(nxt):
            break
        head, skip = nxt, skip + 1
    if head != want:
        skip = 0
    paragraphs: list[str] = []
    last = object()
    for i in ids[skip:]:
        key = (info[i]["page_id"], info[i]["region_id"])
        if key != last:
            paragraphs.append("")
            last = key
        paragraphs[-1] = join_text(paragraphs[-1], info[i]["text"].strip())
    pages = sorted({info[i]["number"] for i in ids})
    return "\n".join(p for p in paragraphs if p), pages


def _check_versions(snaps: list[dict[str, Any]], versions: dict[int, int]) -> None:
    stale = [s for s in snaps if versions.get(s["id"]) != s["version"]]
    if stale:
        names = ", ".join(f"{s['id']} (at version {s['version']})" for s in stale)
        raise Conflict(f"article {names} changed since you loaded it", current=snaps)


def write_articles(
    db,
    issue_id: int,
    before: list[dict],
    after: list[dict],
    action: str,
    author: str,
    undo_of: int | None = None,
) -> dict[str, Any]:
    """Write the snapshots ``after`` (an id of None: a new article) over ``before``:
    articles of ``before`` not in ``after`` are removed. Records the change."""
    t = now()
    kept = {a["id"] for a in after if a["id"] is not None}
    for gone in {b["id"] for b in before} - kept:
        db.execute("DELETE FROM articles WHERE id = ?", [gone])
    written = []
    for snap in after:
        written.append(_write_article(db, issue_id, snap, t))
    change = record_change(db, "article", action, issue_id, before, written, author, undo_of)
    for aid in {b["id"] for b in before} | {w["id"] for w in written}:
        db.execute("INSERT OR IGNORE INTO change_articles VALUES (?, ?)", [change, aid])
    return {"change": change, "articles": written}


def _write_article(db, issue_id: int, snap: dict[str, Any], t: str) -> dict[str, Any]:
    known = _line_info(db, snap["lines"])
    lines = [i for i in snap["lines"] if i in known]
    text, pages = article_text(db, lines, snap["title"])
    aid = snap["id"]
    exists = aid is not None and db.execute("SELECT 1 FROM articles WHERE id = ?", [aid]).fetchone()
    if not exists:
        aid = db.execute(
            "INSERT INTO articles (id, issue_id, ord, title, text, pages, method, version, "
            "updated_at, pinned) VALUES (?, ?, ?, ?, ?, ?, 'review', ?, ?, 1)",
            [aid, issue_id, snap["ord"], snap["title"], text, json.dumps(pages)]
            + [snap.get("version", 0) + 1, t],
        ).lastrowid
    else:
        db.execute(
            "UPDATE articles SET ord = ?, title = ?, text = ?, pages = ?, version = version + 1, "
            "updated_at = ?, pinned = 1 WHERE id = ?",
            [snap["ord"], snap["title"], text, json.dumps(pages), t, aid],
        )
    db.execute("DELETE FROM article_lines WHERE article_id = ?", [aid])
    db.execute("UPDATE lines SET article_id = NULL WHERE article_id = ?", [aid])
    db.execute("UPDATE regions SET article_id = NULL WHERE article_id = ?", [aid])
    for n, line_id in enumerate(lines):
        db.execute("DELETE FROM article_lines WHERE line_id = ?", [line_id])
        db.execute("INSERT INTO article_lines VALUES (?, ?, ?)", [aid, line_id, n + 1])
        db.execute("UPDATE lines SET article_id = ? WHERE id = ?", [aid, line_id])
    db.execute(
        "UPDATE regions SET article_id = ? WHERE id IN "
        "(SELECT region_id FROM lines WHERE article_id = ?)",
        [aid, aid],
    )
    version = db.execute("SELECT version FROM articles WHERE id = ?", [aid]).fetchone()[0]
    return {"id": aid, "title": snap["title"], "ord": snap["ord"], "version": version} | {
        "lines": lines
    }


def _block_lines(db, snap: dict[str, Any], region_id: int | None, page: int | None = None):
    """The lines of ``snap`` in the block ``region_id`` (:class:`NotFound` when none)."""
    for block in article_blocks(db, snap["lines"]):
        if block["region"] == region_id and (page is None or block["page"] == page):
            return block["lines"]
    raise NotFound(f"no block {region_id} in article {snap['id']}")


def edit_articles(db, issue_id: int, versions: dict[int, int], action: str, author: str, make):
    """One edit: ``make(snapshots)`` returns the new snapshots of the articles in
    ``versions`` (their ids, each with the version the edit is based on)."""
    with transaction(db):
        before = [article_snapshot(db, issue_id, aid) for aid in versions]
        _check_versions(before, versions)
        after = make([dict(s, lines=list(s["lines"])) for s in before])
        return write_articles(db, issue_id, before, after, action, author)


def retitle(db, issue_id, article_id, title, version, author):
    """A new title for the article."""

    def make(snaps):
        return [dict(snaps[0], title=title.strip() or None)]

    return edit_articles(db, issue_id, {article_id: version}, "title", author, make)


def move_block(db, issue_id, article_id, region_id, target_id, versions, author):
    """Move the block ``region_id`` of one article to the end of another."""
    if article_id == target_id:
        raise NotFound("a block moves to another article")

    def make(snaps):
        src, dst = snaps
        moving = _block_lines(db, src, region_id)
        src["lines"] = [i for i in src["lines"] if i not in moving]
        dst["lines"] += moving
        return [s for s in (src, dst) if s["lines"]]

    ordered = {article_id: versions.get(article_id), target_id: versions.get(target_id)}
    return edit_articles(db, issue_id, ordered, "move", author, make)


def merge_articles(db, issue_id, article_id, other_id, versions, author, action="merge"):
    """The other article's lines follow this one's; the other is removed."""
    if article_id == other_id:
        raise NotFound("an article merges with another one")

    def make(snaps):
        keep, other = snaps
        keep["lines"] += other["lines"]
        keep["title"] = keep["title"] or other["title"]
        return [keep]

    ordered = {article_id: versions.get(article_id), other_id: versions.get(other_id)}
    return edit_articles(db, issue_id, ordered, action, author, make)


def link_continuation(db, issue_id, article_id, other_id, versions, author):
    """Join an article continued on another page (its lines follow this one's)."""
    pages = {
        aid: set(article_text(db, article_snapshot(db, issue_id, aid)["lines"], None)[1])
        for aid in (article_id, other_id)
    }
    if pages[article_id] & pages[other_id] or not pages[other_id]:
        raise NotFound(f"article {other_id} is not on another page than {article_id}")
    return merge_articles(db, issue_id, article_id, other_id, versions, author, "link")


def split_article(db, issue_id, article_id, region_id, version, author, page=None):
    """A new article from the block ``region_id`` on (its title: the block's text when
    the block is a headline); ``page`` alone (no block): unlink what is on that page
    and after it, a continuation."""

    def make(snaps):
        snap = snaps[0]
        if region_id is None and page is not None:
            info = _line_info(db, snap["lines"])
            at = next((k for k, i in enumerate(snap["lines"]) if info[i]["number"] >= page), 0)
        else:
            at = snap["lines"].index(_block_lines(db, snap, region_id, page)[0])
        if at == 0:
            raise NotFound(f"article {article_id} starts there: nothing to split off")
        head, tail = snap["lines"][:at], snap["lines"][at:]
        db.execute(
            "UPDATE articles SET ord = ord + 1 WHERE issue_id = ? AND ord > ?",
            [issue_id, snap["ord"]],
        )
        new = {"id": None, "title": _block_title(db, tail), "ord": snap["ord"] + 1, "version": 0}
        return [dict(snap, lines=head), new | {"lines": tail}]

    action = "unlink" if region_id is None else "split"
    return edit_articles(db, issue_id, {article_id: version}, action, author, make)


def _block_title(db, lines: list[int]) -> str | None:
    """The text of the first block of ``lines`` when it is a headline region."""
    row = db.execute(
        "SELECT r.kind, r.id FROM lines l JOIN regions r ON r.id = l.region_id WHERE l.id = ?",
        [lines[0]],
    ).fetchone()
    if not row or row[0] != "headline":
        return None
    info = _line_info(db, lines)
    return "".join(info[i]["text"] for i in lines if info[i]["region_id"] == row[1]) or None


def reorder_blocks(db, issue_id, article_id, order: list[int], version, author):
    """The article's blocks in a new order: ``order`` lists every block's position
    (0-based, as ``article_blocks`` gives them) in the order wanted."""

    def make(snaps):
        blocks = article_blocks(db, snaps[0]["lines"])
        if sorted(order) != list(range(len(blocks))):
            raise NotFound(f"the order must list blocks 0..{len(blocks) - 1} once each")
        snaps[0]["lines"] = [i for k in order for i in blocks[k]["lines"]]
        return [snaps[0]]

    return edit_articles(db, issue_id, {article_id: version}, "reorder", author, make)


def undo_article_change(db, change: dict[str, Any], author: str) -> dict[str, Any]:
    """Write back the articles as they were before ``change``; they must still be as it
    left them (else a :class:`Conflict`)."""
    issue_id = change["issue_id"]
    with transaction(db):
        if change["undone_by"] is not None:
            raise Conflict(f"change {change['id']} was undone already")
        now_ = []
        for snap in change["after"]:
            current = article_snapshot(db, issue_id, snap["id"])
            if (current["title"], current["lines"]) != (snap["title"], snap["lines"]):
                raise Conflict(
                    f"article {snap['id']} changed since change {change['id']}: undo that first",
                    current=current,
                )
            now_.append(current)
        before = [dict(b, version=_next_version(db, b)) for b in change["before"]]
        return write_articles(db, issue_id, now_, before, "undo", author, undo_of=change["id"])


def _next_version(db, snap):
    row = db.execute("SELECT version FROM articles WHERE id = ?", [snap["id"]]).fetchone()
    return row[0] if row else snap["version"]


def article_changes(db, article_id: int) -> list[dict[str, Any]]:
    """The recorded changes that touched the article, newest first."""
    return read_changes(
        db,
        "SELECT c.id, c.action, c.before, c.after, c.author, c.created_at, c.undo_of, "
        "c.undone_by FROM changes c JOIN change_articles ca ON ca.change_id = c.id "
        "WHERE ca.article_id = ? ORDER BY c.id DESC",
        [article_id],
    )


def pinned_lines(db, issue_id: int) -> set[int]:
    """The lines of the issue's pinned (reviewer-edited) articles: re-assembly leaves them."""
    return {
        r[0]
        for r in db.execute(
            "SELECT al.line_id FROM article_lines al JOIN articles a ON a.id = al.article_id "
            "WHERE a.issue_id = ? AND a.pinned = 1",
            [issue_id],
        )
    }
