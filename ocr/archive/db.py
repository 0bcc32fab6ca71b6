"""The connection: opening an archive, its schema brought up to date, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from ocr.archive.index import flush, register_functions
from ocr.archive.migrations import MIGRATIONS
from ocr.errors import StoreError


def now() -> str:
    """The time stamp stored in ``*_at`` columns: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the archive at ``path`` and bring its schema up to date.

    An archive written by a newer version (a migration this version does not know) is
    refused with a :class:`StoreError` before anything is written to it."""
    path = Path(path)
    conn = None
    try:
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA busy_timeout=60000")
        refuse_newer(db, path)  # reads only: nothing is written to a newer archive
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        register_functions(conn)
        migrate(db)
    except (sqlite3.DatabaseError, OSError, StoreError) as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, StoreError):
            raise
        if isinstance(exc, OSError):
            reason = exc.strerror or exc
            raise StoreError(f"{path}: cannot create the archive there: {reason}") from exc
        raise StoreError(f"{path}: cannot open the archive database: {exc}") from exc
    return db


def refuse_newer(db: sqlite_utils.Database, path: str | Path = "the archive") -> None:
    """A :class:`StoreError` when the archive records migrations this version does not
    know: it was written by a newer version, whose schema this one must not touch."""
    has_table = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
    ).fetchone()
    if not has_table:
        return
    known = {name for name, _ in MIGRATIONS}
    unknown = sorted(r[0] for r in db.execute("SELECT name FROM _migrations") if r[0] not in known)
    if unknown:
        raise StoreError(
            f"{path}: the archive is from a newer version of ocr (it has migration "
            f"{', '.join(unknown)}, which this version does not know); it was left as it "
            "is: use the newer version of ocr with it"
        )


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet recorded; return their names. An archive from a newer
    version is refused (:func:`refuse_newer`).

    Each migration runs in an IMMEDIATE transaction that first looks again whether it is
    recorded: two processes opening a brand-new archive at once both find it empty, and
    the second, served after the first has committed, then skips what the first applied
    (instead of failing on 'table already exists')."""
    refuse_newer(db)
    register_functions(db.conn)
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = _applied(db)  # read without a write lock: an archive up to date takes none
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with transaction(db):
            if name in _applied(db):  # another process applied it meanwhile
                continue
            for statement in _statements(sql):
                db.execute(statement)
            db.execute("INSERT INTO _migrations VALUES (?, ?)", [name, now()])
        applied.append(name)
    return applied


def _applied(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM _migrations")}


def _statements(sql: str) -> Iterator[str]:
    """The statements of a migration, a trigger's ``BEGIN ... END`` kept whole."""
    pending = ""
    for part in sql.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
    if pending.strip(" \n;"):
        yield pending


class transaction:
    """``with transaction(db):`` runs the block in one IMMEDIATE transaction."""

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                flush(self.conn)  # the article search index, in this same transaction
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            # SQLite may have rolled back already (e.g. "database or disk is full"):
            # a second ROLLBACK would raise and hide the error that got us here.
            self.conn.execute("ROLLBACK")


def rollback(db) -> None:
    """Leave no transaction open after a failed write (SQLite may or may not have
    rolled it back already)."""
    if db.conn.in_transaction:
        try:
            db.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
