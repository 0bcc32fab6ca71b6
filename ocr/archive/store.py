"""The archive database: the one adapter for SQLite (through sqlite-utils).

Rows are plain dicts in and out. The schema is built by numbered migrations, each run
in a transaction and recorded in ``_migrations``. A processed page is written in one
transaction, so a batch killed at any moment leaves every page either fully stored or
not at all. Lines and articles carry a ``version``; every change of a line's text is
kept in ``line_history``, so reviewer corrections are never lost.

Coordinates: ``poly`` columns hold JSON ``[[x, y] x 4]`` in original-scan pixels;
``x0 y0 x1 y1`` columns hold the box in the deskewed page image.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ocr.errors import StoreError
from ocr.model import Box, Line, PageJob, PageLayout, PageResult, Region

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE issues (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            title TEXT,
            date TEXT,
            number INTEGER,
            page_count INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE provenance (
            id INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            issue_id INTEGER NOT NULL REFERENCES issues(id),
            number INTEGER NOT NULL,
            source TEXT NOT NULL,
            source_sha256 TEXT NOT NULL,
            page_index INTEGER NOT NULL,
            dpi INTEGER,
            width INTEGER,
            height INTEGER,
            skew_degrees REAL,
            deskewed_width INTEGER,
            deskewed_height INTEGER,
            image_path TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'failed')),
            error TEXT,
            settings_hash TEXT,
            provenance_id INTEGER REFERENCES provenance(id),
            seconds REAL,
            timings TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            processed_at TEXT,
            UNIQUE (source_sha256, page_index),
            UNIQUE (issue_id, number)
        );
        CREATE TABLE regions (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            kind TEXT NOT NULL,
            x0 REAL, y0 REAL, x1 REAL, y1 REAL,
            poly TEXT NOT NULL,
            text TEXT,
            column_index INTEGER,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL
        );
        CREATE INDEX regions_page ON regions(page_id);
        CREATE TABLE lines (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            region_id INTEGER REFERENCES regions(id) ON DELETE SET NULL,
            ord INTEGER NOT NULL,
            text TEXT NOT NULL,
            ocr_text TEXT NOT NULL,
            confidence REAL,
            poly TEXT NOT NULL,
            x0 REAL, y0 REAL, x1 REAL, y1 REAL,
            version INTEGER NOT NULL DEFAULT 1,
            corrected INTEGER NOT NULL DEFAULT 0,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX lines_page ON lines(page_id, ord);
        CREATE INDEX lines_region ON lines(region_id);
        CREATE TABLE line_history (
            id INTEGER PRIMARY KEY,
            line_id INTEGER NOT NULL REFERENCES lines(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL,
            author TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX line_history_line ON line_history(line_id, version);
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            title TEXT,
            text TEXT NOT NULL DEFAULT '',
            pages TEXT NOT NULL DEFAULT '[]',
            method TEXT NOT NULL DEFAULT 'block',
            version INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX articles_issue ON articles(issue_id, ord);
        CREATE TABLE article_lines (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            line_id INTEGER NOT NULL REFERENCES lines(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            PRIMARY KEY (article_id, line_id)
        );
        CREATE INDEX article_lines_line ON article_lines(line_id);
        """,
    ),
    (
        "0002_page_meta",
        """
        ALTER TABLE pages ADD COLUMN printed_number INTEGER;
        ALTER TABLE pages ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE issues ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
        """,
    ),
    (
        "0003_file_hashes",
        """
        CREATE TABLE file_hashes (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            hashed_at TEXT NOT NULL
        );
        """,
    ),
]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the archive at ``path`` and bring its schema up to date."""
    path = Path(path)
    try:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=60000")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the archive database: {exc}") from exc
    return db


def pages_done(path: str | Path) -> int:
    """Pages stored as done in the archive at ``path``, read only (never creating,
    migrating or locking it, so it can watch a batch that is writing); 0 when there is
    no archive there yet."""
    path = Path(path)
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM pages WHERE status = 'done'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # being created: no schema yet
        return 0


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet recorded; return their names."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {r["name"] for r in db.query("SELECT name FROM _migrations")}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with transaction(db):
            for statement in _statements(sql):
                db.execute(statement)
            db.execute("INSERT INTO _migrations VALUES (?, ?)", [name, now()])
        applied.append(name)
    return applied


def _statements(sql: str) -> Iterator[str]:
    for part in sql.split(";"):
        if part.strip():
            yield part


class transaction:
    """``with transaction(db):`` runs the block in one IMMEDIATE transaction."""

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            # SQLite may have rolled back already (e.g. "database or disk is full"):
            # a second ROLLBACK would raise and hide the error that got us here.
            self.conn.execute("ROLLBACK")


# -- issues and pages -------------------------------------------------------------


def upsert_issue(db, key: str, source: str, title: str | None, date: str | None) -> int:
    row = db.execute("SELECT id FROM issues WHERE key = ?", [key]).fetchone()
    if row:
        return row[0]
    t = now()
    cur = db.execute(
        "INSERT INTO issues (key, source, title, date, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [key, source, title, date, t, t],
    )
    return cur.lastrowid


def ensure_page(db, issue_id: int, job: PageJob) -> dict[str, Any]:
    """The page row for ``job`` (identity: source sha256 + page index), created as
    pending when new. A page already known under another position is moved."""
    row = page_by_identity(db, job.source_sha256, job.page_index)
    if row:
        if row["issue_id"] != issue_id or row["number"] != job.number:
            with transaction(db):
                _free_number(db, issue_id, job.number, row["id"])
                db.execute(
                    "UPDATE pages SET issue_id = ?, number = ?, source = ? WHERE id = ?",
                    [issue_id, job.number, job.source, row["id"]],
                )
            row = page_by_identity(db, job.source_sha256, job.page_index)
        return row
    with transaction(db):
        _free_number(db, issue_id, job.number, None)
        db.execute(
            "INSERT INTO pages (issue_id, number, source, source_sha256, page_index, dpi, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'pending')",
            [issue_id, job.number, job.source, job.source_sha256, job.page_index, job.dpi],
        )
    return page_by_identity(db, job.source_sha256, job.page_index)


def _free_number(db, issue_id: int, number: int, keep: int | None) -> None:
    """A different file now sits at this position of the issue: park the old page's
    row at a negative number (its stored work is kept, never deleted)."""
    db.execute(
        "UPDATE pages SET number = -id WHERE issue_id = ? AND number = ? AND id IS NOT ?",
        [issue_id, number, keep],
    )


def known_sha256(db, path: str, size: int, mtime_ns: int) -> str | None:
    """The SHA-256 recorded for the file at ``path`` when it had this size and
    modification time (a resumed batch does not read every scan again)."""
    row = db.execute(
        "SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ?",
        [path, size, mtime_ns],
    ).fetchone()
    return row[0] if row else None


def remember_sha256(db, path: str, size: int, mtime_ns: int, sha256: str) -> None:
    db.execute(
        "INSERT OR REPLACE INTO file_hashes (path, size, mtime_ns, sha256, hashed_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [path, size, mtime_ns, sha256, now()],
    )


def page_by_identity(db, sha256: str, page_index: int) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT * FROM pages WHERE source_sha256 = ? AND page_index = ?", [sha256, page_index]
        )
    )
    return rows[0] if rows else None


def provenance_id(db, data: dict[str, Any]) -> int:
    import hashlib

    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(blob.encode()).hexdigest()
    row = db.execute("SELECT id FROM provenance WHERE hash = ?", [digest]).fetchone()
    if row:
        return row[0]
    return db.execute(
        "INSERT INTO provenance (hash, data, created_at) VALUES (?, ?, ?)", [digest, blob, now()]
    ).lastrowid


def record_failure(db, page_id: int, error: str, seconds: float = 0.0) -> None:
    """Mark a page failed with its reason. Lines stored by an earlier run are kept."""
    with transaction(db):
        db.execute(
            "UPDATE pages SET status = 'failed', error = ?, seconds = ?, processed_at = ?, "
            "attempts = attempts + 1 WHERE id = ?",
            [error, seconds, now(), page_id],
        )


def save_page(
    db, page_id: int, result: PageResult, settings_hash: str, prov_id: int | None
) -> dict[str, int]:
    """Store a processed page in one transaction: the page row, its regions and lines.

    Re-processing replaces the previous OCR of the page, except lines a reviewer
    corrected: those keep their text (and history); the new OCR reading is stored in
    ``ocr_text`` beside the corrected text.
    """
    with transaction(db):
        corrected = _corrected_lines(db, page_id)
        db.execute(
            "DELETE FROM article_lines WHERE line_id IN "
            "(SELECT id FROM lines WHERE page_id = ? AND corrected = 0)",
            [page_id],
        )
        db.execute("DELETE FROM lines WHERE page_id = ? AND corrected = 0", [page_id])
        db.execute("UPDATE lines SET region_id = NULL WHERE page_id = ?", [page_id])
        db.execute("DELETE FROM regions WHERE page_id = ?", [page_id])
        region_ids = _insert_regions(db, page_id, result.regions)
        n_lines = _insert_lines(db, page_id, result.lines, region_ids, corrected)
        db.execute(
            "UPDATE pages SET status = 'done', error = NULL, dpi = ?, width = ?, height = ?, "
            "skew_degrees = ?, deskewed_width = ?, deskewed_height = ?, image_path = ?, "
            "settings_hash = ?, provenance_id = ?, seconds = ?, timings = ?, "
            "printed_number = ?, meta = ?, "
            "attempts = attempts + 1, processed_at = ? WHERE id = ?",
            [
                result.dpi,
                result.width,
                result.height,
                round(result.skew_degrees, 4),
                result.deskewed_width,
                result.deskewed_height,
                result.image_path,
                settings_hash,
                prov_id,
                round(result.seconds, 3),
                json.dumps(result.timings),
                result.meta.get("printed_number"),
                json.dumps(result.meta, ensure_ascii=False),
                now(),
                page_id,
            ],
        )
    return {"regions": len(region_ids), "lines": n_lines}


def _corrected_lines(db, page_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM lines WHERE page_id = ? AND corrected = 1", [page_id]))


def _insert_regions(db, page_id: int, regions: list[Region]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i, r in enumerate(regions):
        cur = db.execute(
            "INSERT INTO regions (page_id, ord, kind, x0, y0, x1, y1, poly, text, column_index) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [page_id, i + 1, r.kind, *_box(r.box.as_list()), _poly(r.poly), r.text, r.column],
        )
        ids[r.id] = cur.lastrowid
    return ids


def _insert_lines(
    db, page_id: int, lines: list[Line], region_ids: dict[str, int], corrected: list[dict]
) -> int:
    t = now()
    for i, line in enumerate(lines):
        twin = _overlapping(line, corrected)
        region_id = region_ids.get(line.region) if line.region else None
        if twin is not None:
            # Keep the reviewer's text; record the new reading beside it.
            db.execute(
                "UPDATE lines SET ocr_text = ?, confidence = ?, region_id = ?, ord = ?, "
                "updated_at = ? WHERE id = ?",
                [line.text, line.confidence, region_id, i + 1, t, twin["id"]],
            )
            if line.text != twin["ocr_text"]:
                # Every new reading is kept too (source 'reocr'; the line's version, which
                # counts the text shown, stays the reviewer's).
                db.execute(
                    "INSERT INTO line_history (line_id, version, text, source, created_at) "
                    "VALUES (?, ?, ?, 'reocr', ?)",
                    [twin["id"], twin["version"], line.text, t],
                )
            corrected.remove(twin)
            continue
        cur = db.execute(
            "INSERT INTO lines (page_id, region_id, ord, text, ocr_text, confidence, poly, "
            "x0, y0, x1, y1, version, corrected, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?)",
            [
                page_id,
                region_id,
                i + 1,
                line.text,
                line.text,
                line.confidence,
                _poly(line.poly),
                *_box(line.box.as_list()),
                t,
            ],
        )
        db.execute(
            "INSERT INTO line_history (line_id, version, text, source, created_at) "
            "VALUES (?, 1, ?, 'ocr', ?)",
            [cur.lastrowid, line.text, t],
        )
    return len(lines)


def _overlapping(line: Line, corrected: list[dict]) -> dict | None:
    """The corrected line occupying the same place as ``line`` (box IoU >= 0.5)."""
    bx = line.box.as_list()
    for row in corrected:
        ix = min(bx[2], row["x1"]) - max(bx[0], row["x0"])
        iy = min(bx[3], row["y1"]) - max(bx[1], row["y0"])
        if ix <= 0 or iy <= 0:
            continue
        inter = ix * iy
        union = (
            (bx[2] - bx[0]) * (bx[3] - bx[1])
            + (row["x1"] - row["x0"]) * (row["y1"] - row["y0"])
            - inter
        )
        if union > 0 and inter / union >= 0.5:
            return row
    return None


def _box(b: list[float]) -> list[float]:
    return [round(v, 1) for v in b]


def _poly(poly) -> str:
    return json.dumps([[round(float(x), 1), round(float(y), 1)] for x, y in poly])


# -- corrections ------------------------------------------------------------------


def correct_line(
    db, line_id: int, text: str, author: str | None = None, expected_version: int | None = None
) -> int:
    """A reviewer's correction: new text, version + 1, history kept. Returns the new
    version. ``expected_version`` guards against overwriting a concurrent edit."""
    with transaction(db):
        row = db.execute("SELECT version FROM lines WHERE id = ?", [line_id]).fetchone()
        if row is None:
            raise StoreError(f"no line {line_id}")
        if expected_version is not None and row[0] != expected_version:
            raise StoreError(
                f"line {line_id} is at version {row[0]}, not {expected_version}: "
                "someone else changed it"
            )
        version = row[0] + 1
        t = now()
        db.execute(
            "UPDATE lines SET text = ?, version = ?, corrected = 1, updated_at = ? WHERE id = ?",
            [text, version, t, line_id],
        )
        db.execute(
            "INSERT INTO line_history (line_id, version, text, source, author, created_at) "
            "VALUES (?, ?, ?, 'review', ?, ?)",
            [line_id, version, text, author, t],
        )
    return version


# -- articles: one per text block (the simplest grouping; ocr/articles.py assembles) -


def rebuild_block_articles(db, issue_id: int) -> int:
    """Replace the issue's articles with one article per text block, in page order."""
    with transaction(db):
        db.execute("DELETE FROM articles WHERE issue_id = ?", [issue_id])
        blocks = list(
            db.query(
                "SELECT r.id, p.number FROM regions r JOIN pages p ON p.id = r.page_id "
                "WHERE p.issue_id = ? AND p.status = 'done' AND p.number > 0 "
                "AND r.kind IN ('text', 'headline', 'body', 'caption') "
                "ORDER BY p.number, r.ord",
                [issue_id],
            )
        )
        t = now()
        n = 0
        for block in blocks:
            lines = list(
                db.query(
                    "SELECT id, text FROM lines WHERE region_id = ? ORDER BY ord", [block["id"]]
                )
            )
            if not lines:
                continue
            n += 1
            art = db.execute(
                "INSERT INTO articles (issue_id, ord, title, text, pages, method, updated_at) "
                "VALUES (?, ?, NULL, ?, ?, 'block', ?)",
                [
                    issue_id,
                    n,
                    "\n".join(r["text"] for r in lines),
                    json.dumps([block["number"]]),
                    t,
                ],
            ).lastrowid
            db.execute("UPDATE regions SET article_id = ? WHERE id = ?", [art, block["id"]])
            for k, line in enumerate(lines):
                db.execute(
                    "INSERT INTO article_lines (article_id, line_id, ord) VALUES (?, ?, ?)",
                    [art, line["id"], k + 1],
                )
                db.execute("UPDATE lines SET article_id = ? WHERE id = ?", [art, line["id"]])
    return n


# -- articles (assembled from the layout: see ocr/articles.py) ----------------------


def issue_pages(db, issue_id: int) -> list[dict[str, Any]]:
    """The issue's processed pages in order, each page row with its ``regions`` and
    ``lines`` rows (``lines.text`` is the current text, reviewer corrections included)."""
    pages = list(
        db.query(
            "SELECT * FROM pages WHERE issue_id = ? AND status = 'done' AND number > 0 "
            "ORDER BY number",
            [issue_id],
        )
    )
    for page in pages:
        page["regions"] = list(
            db.query("SELECT * FROM regions WHERE page_id = ? ORDER BY ord", [page["id"]])
        )
        page["lines"] = list(
            db.query("SELECT * FROM lines WHERE page_id = ? ORDER BY ord", [page["id"]])
        )
    return pages


def issue_layouts(db, issue_id: int) -> list[PageLayout]:
    """The issue's processed pages as :class:`PageLayout` objects for article assembly
    (``lines.text`` is the current text, reviewer corrections included); region and line
    ids become strings."""
    return [_layout(p) for p in issue_pages(db, issue_id)]


def _layout(page: dict[str, Any]) -> PageLayout:
    regions = [
        Region(
            id=str(r["id"]),
            kind=r["kind"],
            box=Box(r["x0"], r["y0"], r["x1"], r["y1"]),
            poly=[tuple(p) for p in json.loads(r["poly"])],
            order=r["ord"],
            text=r["text"],
            column=r["column_index"],
        )
        for r in page["regions"]
        if r["x0"] is not None
    ]
    lines = [
        Line(
            id=str(ln["id"]),
            text=ln["text"],
            confidence=ln["confidence"] or 0.0,
            poly=[tuple(p) for p in json.loads(ln["poly"])],
            box=Box(ln["x0"], ln["y0"], ln["x1"], ln["y1"]),
            region=str(ln["region_id"]) if ln["region_id"] is not None else None,
            order=ln["ord"],
        )
        for ln in page["lines"]
        if ln["x0"] is not None
    ]
    meta = page.get("meta") or "{}"
    return PageLayout(
        number=page["number"],
        regions=regions,
        lines=lines,
        printed_number=page.get("printed_number"),
        width=float(page.get("deskewed_width") or page.get("width") or 0),
        height=float(page.get("deskewed_height") or page.get("height") or 0),
        meta=json.loads(meta) if isinstance(meta, str) else dict(meta),
    )


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
        pages = "(SELECT id FROM pages WHERE issue_id = ?)"
        db.execute(f"UPDATE lines SET article_id = NULL WHERE page_id IN {pages}", [issue_id])
        db.execute(f"UPDATE regions SET article_id = NULL WHERE page_id IN {pages}", [issue_id])
        db.execute(
            "DELETE FROM article_lines WHERE article_id IN "
            "(SELECT id FROM articles WHERE issue_id = ?)",
            [issue_id],
        )
        matched = _match_articles(articles, old_lines)
        for gone in set(old) - set(matched.values()):
            db.execute("DELETE FROM articles WHERE id = ?", [gone])
        for k, art in enumerate(articles):
            pages_json = json.dumps(art["pages"])
            aid = matched.get(k)
            if aid is None:
                aid = db.execute(
                    "INSERT INTO articles (issue_id, ord, title, text, pages, method, "
                    "version, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                    [issue_id, k + 1, art["title"], art["text"], pages_json, method, t],
                ).lastrowid
            else:
                before = old[aid]
                changed = before["title"] != art["title"] or before["text"] != art["text"]
                db.execute(
                    "UPDATE articles SET ord = ?, title = ?, text = ?, pages = ?, method = ?, "
                    "version = version + ?, updated_at = CASE WHEN ? THEN ? ELSE updated_at END "
                    "WHERE id = ?",
                    [k + 1, art["title"], art["text"], pages_json, method, int(changed)]
                    + [int(changed), t, aid],
                )
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
    return len(articles)


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


# -- reading ----------------------------------------------------------------------


def status_counts(db) -> dict[str, int]:
    return {
        r["status"]: r["n"]
        for r in db.query(
            "SELECT status, count(*) AS n FROM pages WHERE number > 0 GROUP BY status"
        )
    }


def failures(db) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT p.id, p.source, p.page_index, p.number, p.error, i.title AS issue "
            "FROM pages p JOIN issues i ON i.id = p.issue_id "
            "WHERE p.status = 'failed' AND p.number > 0 ORDER BY p.source, p.page_index"
        )
    )


def conflicts(db, limit: int | None = None) -> list[dict[str, Any]]:
    """Reviewer-corrected lines whose latest OCR reading differs from the correction
    (the correction is kept; the new reading is in ``lines.ocr_text``)."""
    sql = (
        "SELECT l.id, l.text, l.ocr_text, l.ord, p.source, p.page_index, p.number "
        "FROM lines l JOIN pages p ON p.id = l.page_id "
        "WHERE l.corrected = 1 AND l.ocr_text != l.text ORDER BY p.source, p.page_index, l.ord"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return list(db.query(sql))


def count_conflicts(db) -> tuple[int, int]:
    """(corrected lines, corrected lines whose latest OCR reading differs)."""
    row = db.execute(
        "SELECT count(*), coalesce(sum(ocr_text != text), 0) FROM lines WHERE corrected = 1"
    ).fetchone()
    return row[0], row[1]


def sources_with_failures(db) -> list[str]:
    """The source of every issue with a failed page (what ``ocr retry`` runs again)."""
    return sorted(
        {
            r["source"]
            for r in db.query(
                "SELECT source FROM issues i WHERE EXISTS (SELECT 1 FROM pages p "
                "WHERE p.issue_id = i.id AND p.status = 'failed' AND p.number > 0)"
            )
        }
    )


def retry_settings(db) -> dict[str, Any]:
    """The page settings (``pipeline.settings_for``) of the latest pages stored in the
    issues that have failed pages, else of the latest page stored: ``ocr retry`` runs
    failed pages with the models and script their batch used."""
    for where in (
        "WHERE p.issue_id IN (SELECT issue_id FROM pages WHERE status = 'failed')",
        "",
    ):
        row = db.execute(
            "SELECT v.data FROM pages p JOIN provenance v ON v.id = p.provenance_id "
            f"{where} ORDER BY p.processed_at DESC, p.id DESC LIMIT 1"
        ).fetchone()
        if row:
            return json.loads(row[0]).get("settings") or {}
    return {}


def summary(db, issue_ids: list[int] | None = None) -> dict[str, Any]:
    where, args = "", []
    if issue_ids:
        where = f" AND p.issue_id IN ({','.join('?' * len(issue_ids))})"
        args = list(issue_ids)
    row = next(
        db.query(
            "SELECT count(DISTINCT p.id) AS pages, count(l.id) AS lines, "
            "coalesce(sum(length(l.text)), 0) AS characters, avg(l.confidence) AS confidence "
            "FROM pages p LEFT JOIN lines l ON l.page_id = p.id "
            f"WHERE p.status = 'done' AND p.number > 0{where}",
            args,
        )
    )
    secs = next(
        db.query(
            "SELECT avg(p.seconds) AS s, "
            "sum(CASE WHEN p.status = 'failed' THEN 1 ELSE 0 END) AS failed "
            f"FROM pages p WHERE p.number > 0{where}",
            args,
        )
    )
    return {**row, "seconds_per_page": secs["s"], "failed": secs["failed"] or 0}


# -- reads for the CLI and the exports ---------------------------------------------------


def issue_ids(db) -> list[int]:
    """Every issue's id, in order."""
    return [r["id"] for r in db.query("SELECT id FROM issues ORDER BY id")]


def issue_row(db, issue_id: int) -> dict[str, Any] | None:
    return next(db.query("SELECT * FROM issues WHERE id = ?", [issue_id]), None)


def articles_across_pages(db, issue_id: int) -> int:
    """How many of the issue's articles run over more than one page."""
    return db.execute(
        "SELECT count(*) FROM articles WHERE issue_id = ? AND json_array_length(pages) > 1",
        [issue_id],
    ).fetchone()[0]


def highest_dpi(db) -> int | None:
    return db.execute("SELECT max(dpi) FROM pages").fetchone()[0]


def issue_record(db, issue_id: int) -> dict[str, Any]:
    """Everything stored of one issue, as rows: ``issue``; ``pages`` (numbered pages in
    order, any state), each with its ``regions`` and ``lines`` rows; ``articles`` in
    order, each with ``line_ids`` in reading order."""
    pages = list(
        db.query(
            "SELECT * FROM pages WHERE issue_id = ? AND number > 0 ORDER BY number", [issue_id]
        )
    )
    for page in pages:
        page["regions"] = list(
            db.query("SELECT * FROM regions WHERE page_id = ? ORDER BY ord", [page["id"]])
        )
        page["lines"] = list(
            db.query("SELECT * FROM lines WHERE page_id = ? ORDER BY ord", [page["id"]])
        )
    articles = list(db.query("SELECT * FROM articles WHERE issue_id = ? ORDER BY ord", [issue_id]))
    for art in articles:
        art["line_ids"] = [
            r["line_id"]
            for r in db.query(
                "SELECT line_id FROM article_lines WHERE article_id = ? ORDER BY ord", [art["id"]]
            )
        ]
    return {"issue": issue_row(db, issue_id), "pages": pages, "articles": articles}


def set_page_count(db, issue_id: int, count: int) -> None:
    db.execute("UPDATE issues SET page_count = ? WHERE id = ?", [count, issue_id])


def rollback(db) -> None:
    """Leave no transaction open after a failed write (SQLite may or may not have
    rolled it back already)."""
    if db.conn.in_transaction:
        try:
            db.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
