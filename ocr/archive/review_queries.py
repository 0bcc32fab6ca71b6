"""Reading the archive for review: issue overviews, a page with its lines, the work queues,
search hits with the pages their lines are on."""

from __future__ import annotations

import json
from typing import Any

from ocr.archive.edits import article_blocks, article_snapshot
from ocr.archive.queries import issue_row
from ocr.archive.review import LINE_COLUMNS, PAGE_STATUSES
from ocr.archive.search import search
from ocr.errors import NotFound

# A corrected line whose latest OCR reading differs and that no reviewer has resolved.
CONFLICT = "l.corrected = 1 AND l.ocr_text != l.text AND l.ocr_resolved IS NOT l.ocr_text"
REVIEWED = "(l.corrected = 1 OR l.checked = 1)"
SHOWN = "p.status = 'done' AND p.number > 0"


def issue_overviews(db, threshold: float, status: str | None = None) -> list[dict[str, Any]]:
    """Every issue with its pages, lines, share reviewed, low-confidence lines left
    (below ``threshold``), conflicts left and pages by review status; only issues with a
    page in review ``status`` when given."""
    rows = list(
        db.query(
            "SELECT i.id, i.title, i.date, i.number, i.source, count(DISTINCT p.id) AS pages, "
            f"count(l.id) AS lines, coalesce(sum({REVIEWED}), 0) AS reviewed, "
            f"coalesce(sum(NOT {REVIEWED} AND l.confidence < ?), 0) AS low, "
            f"coalesce(sum({CONFLICT}), 0) AS conflicts FROM issues i "
            f"LEFT JOIN pages p ON p.issue_id = i.id AND {SHOWN} "
            "LEFT JOIN lines l ON l.page_id = p.id GROUP BY i.id ORDER BY i.date, i.id",
            [threshold],
        )
    )
    statuses: dict[int, dict[str, int]] = {}
    for r in db.query(
        f"SELECT p.issue_id, p.review_status, count(*) AS n FROM pages p WHERE {SHOWN} "
        "GROUP BY p.issue_id, p.review_status"
    ):
        statuses.setdefault(r["issue_id"], {})[r["review_status"]] = r["n"]
    for row in rows:
        row["statuses"] = {s: statuses.get(row["id"], {}).get(s, 0) for s in PAGE_STATUSES}
    if status:
        rows = [r for r in rows if r["statuses"].get(status)]
    return rows


def issue_review_pages(db, issue_id: int, threshold: float) -> list[dict[str, Any]]:
    """The issue's processed pages in order, each with its counts for review."""
    if db.execute("SELECT 1 FROM issues WHERE id = ?", [issue_id]).fetchone() is None:
        raise NotFound(f"no issue {issue_id}")
    return list(
        db.query(
            "SELECT p.id, p.number, p.printed_number, p.source, p.page_index, p.review_status, "
            f"p.suspect, count(l.id) AS lines, coalesce(sum({REVIEWED}), 0) AS reviewed, "
            f"coalesce(sum(NOT {REVIEWED} AND l.confidence < ?), 0) AS low, "
            f"coalesce(sum({CONFLICT}), 0) AS conflicts FROM pages p "
            f"LEFT JOIN lines l ON l.page_id = p.id WHERE p.issue_id = ? AND {SHOWN} "
            "GROUP BY p.id ORDER BY p.number",
            [threshold, issue_id],
        )
    )


def page_head(db, page_id: int) -> dict[str, Any]:
    """A processed page's row, its issue and the pages before and after it."""
    page = next(db.query(f"SELECT p.* FROM pages p WHERE p.id = ? AND {SHOWN}", [page_id]), None)
    if page is None:
        raise NotFound(f"no processed page {page_id}")
    issue = next(db.query("SELECT * FROM issues WHERE id = ?", [page["issue_id"]]))
    siblings = [
        r[0]
        for r in db.execute(
            f"SELECT p.id FROM pages p WHERE p.issue_id = ? AND {SHOWN} ORDER BY p.number",
            [page["issue_id"]],
        )
    ]
    k = siblings.index(page_id)
    return {
        "page": page,
        "issue": issue,
        "previous": siblings[k - 1] if k > 0 else None,
        "next": siblings[k + 1] if k + 1 < len(siblings) else None,
    }


def review_page(db, page_id: int) -> dict[str, Any]:
    """A processed page for the page view: :func:`page_head`, its regions, lines
    (reading order) and the articles on it with their line ids on this page."""
    view = page_head(db, page_id)
    view["regions"] = list(
        db.query(
            "SELECT id, ord, kind, x0, y0, x1, y1, article_id FROM regions WHERE page_id = ? "
            "ORDER BY ord",
            [page_id],
        )
    )
    lines = list(
        db.query(
            f"SELECT {LINE_COLUMNS} FROM lines l WHERE l.page_id = ? ORDER BY l.ord, l.id",
            [page_id],
        )
    )
    for ln in lines:
        ln.pop("poly")
    view["lines"] = lines
    view["articles"] = _articles_on_page(db, page_id)
    return view


def _articles_on_page(db, page_id: int) -> list[dict[str, Any]]:
    rows = list(
        db.query(
            "SELECT a.id, a.title, a.ord, a.version, a.pinned, a.pages, "
            "group_concat(al.line_id) AS line_ids FROM articles a "
            "JOIN article_lines al ON al.article_id = a.id JOIN lines l ON l.id = al.line_id "
            "WHERE l.page_id = ? GROUP BY a.id ORDER BY a.ord",
            [page_id],
        )
    )
    for r in rows:
        r["line_ids"] = [int(i) for i in (r["line_ids"] or "").split(",") if i]
        r["pages"] = json.loads(r["pages"])
    return rows


def low_confidence_queue(
    db, threshold: float, issue_id: int | None = None, limit: int = 50, after: tuple = ()
) -> list[dict[str, Any]]:
    """Lines not yet reviewed below ``threshold``, lowest confidence first (then by id),
    across the archive or one issue; ``after`` a (confidence, id) to start past."""
    # (as the partial index lines_queue says it, so that the index serves the query)
    where, args = ["l.corrected = 0 AND l.checked = 0", "l.confidence < ?", SHOWN], [threshold]
    if issue_id is not None:
        where.append("p.issue_id = ?")
        args.append(issue_id)
    if after:
        where.append("(l.confidence, l.id) > (?, ?)")
        args += [after[0], after[1]]
    return list(
        db.query(
            f"SELECT {LINE_COLUMNS}, p.number AS page_number, p.issue_id FROM lines l "
            f"JOIN pages p ON p.id = l.page_id WHERE {' AND '.join(where)} "
            "ORDER BY l.confidence, l.id LIMIT ?",
            [*args, int(limit)],
        )
    )


def conflict_queue(db, issue_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Corrected lines whose latest OCR reading differs and is not resolved yet."""
    where, args = [CONFLICT, SHOWN], []
    if issue_id is not None:
        where.append("p.issue_id = ?")
        args.append(issue_id)
    return list(
        db.query(
            f"SELECT {LINE_COLUMNS}, p.number AS page_number, p.issue_id FROM lines l "
            f"JOIN pages p ON p.id = l.page_id WHERE {' AND '.join(where)} "
            "ORDER BY p.issue_id, p.number, l.ord LIMIT ?",
            [*args, int(limit)],
        )
    )


def page_image(db, page_id: int) -> dict[str, Any]:
    """The page's stored image path and deskewed size; :class:`NotFound` without one."""
    row = next(
        db.query(
            "SELECT id, image_path, deskewed_width, deskewed_height FROM pages WHERE id = ?",
            [page_id],
        ),
        None,
    )
    if row is None or not row["image_path"]:
        raise NotFound(f"no image of page {page_id}")
    return row


def line_box(db, line_id: int) -> dict[str, Any]:
    """A line's page and box (for its crop); :class:`NotFound` when there is none."""
    row = next(
        db.query(
            "SELECT id, page_id, text, version, x0, y0, x1, y1 FROM lines WHERE id = ?",
            [line_id],
        ),
        None,
    )
    if row is None:
        raise NotFound(f"no line {line_id}")
    return row


def issue_articles(db, issue_id: int) -> list[dict[str, Any]]:
    """The issue's articles in order, with their pages, lines and the start of the text."""
    if db.execute("SELECT 1 FROM issues WHERE id = ?", [issue_id]).fetchone() is None:
        raise NotFound(f"no issue {issue_id}")
    rows = list(
        db.query(
            "SELECT a.id, a.ord, a.title, substr(a.text, 1, 120) AS start, a.pages, a.version, "
            "a.pinned, a.method, (SELECT count(*) FROM article_lines al "
            "WHERE al.article_id = a.id) AS lines FROM articles a WHERE a.issue_id = ? "
            "ORDER BY a.ord, a.id",
            [issue_id],
        )
    )
    for r in rows:
        r["pages"] = json.loads(r["pages"])
    return rows


def article_view(db, article_id: int) -> dict[str, Any]:
    """An article to read and edit: its row, its blocks in reading order (each with its
    lines' text and boxes, page id and number) and the pages it is on."""
    row = next(db.query("SELECT * FROM articles WHERE id = ?", [article_id]), None)
    if row is None:
        raise NotFound(f"no article {article_id}")
    snap = article_snapshot(db, row["issue_id"], article_id)
    lines = {}
    for k in range(0, len(snap["lines"]), 500):
        part = snap["lines"][k : k + 500]
        for r in db.query(
            "SELECT l.id, l.page_id, l.text, l.version, l.x0, l.y0, l.x1, l.y1, l.corrected, "
            "l.checked FROM lines l "
            f"WHERE l.id IN ({','.join('?' * len(part))})",
            part,
        ):
            lines[r["id"]] = r
    blocks = article_blocks(db, snap["lines"])
    for b in blocks:
        b["lines"] = [lines[i] for i in b["lines"] if i in lines]
        b["page_id"] = b["lines"][0]["page_id"] if b["lines"] else None
    page_ids = sorted({ln["page_id"] for ln in lines.values()})
    pages = [
        next(
            db.query(
                "SELECT id, number, deskewed_width, deskewed_height FROM pages WHERE id = ?", [p]
            )
        )
        for p in page_ids
    ]
    row["pages"] = json.loads(row["pages"])
    issue = next(db.query("SELECT * FROM issues WHERE id = ?", [row["issue_id"]]))
    return {"article": row, "issue": issue, "blocks": blocks, "pages": pages}


def issue_choices(db) -> list[dict[str, Any]]:
    """Every issue, by date, as a choice of filter (no counts: cheap)."""
    return list(db.query("SELECT id, title, date, number, source FROM issues ORDER BY date, id"))


def search_hits(
    db, query: str, issue_id: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """``search.search`` (the same hits, ranking and snippets, top ``limit``) for the
    review app: each hit's lines also grouped by the page they are on,
    ``"on_pages": [{"page_id", "number", "lines": [line id]}]``, in reading order."""
    if issue_id is not None and issue_row(db, issue_id) is None:
        raise NotFound(f"no issue {issue_id}")
    hits = search(db, query, issue_id=issue_id, limit=limit)
    ids = [ln["id"] for h in hits for ln in h["lines"]]
    page_of: dict[int, int] = {}
    for k in range(0, len(ids), 500):
        part = ids[k : k + 500]
        page_of.update(
            db.execute(
                f"SELECT id, page_id FROM lines WHERE id IN ({','.join('?' * len(part))})", part
            ).fetchall()
        )
    for h in hits:
        pages: dict[int, dict[str, Any]] = {}
        for ln in h["lines"]:
            pid = page_of.get(ln["id"])
            if pid is not None:
                entry = pages.setdefault(pid, {"page_id": pid, "number": ln["page"], "lines": []})
                entry["lines"].append(ln["id"])
        h["on_pages"] = list(pages.values())
    return hits
