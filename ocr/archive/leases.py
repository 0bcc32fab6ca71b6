"""Leases: which batch holds which pages, so two batches on one archive never do a page twice.

A batch claims the pages it is about to run (``lease_run``, a token of that batch, with
its process id, host and the time), renews the time while it runs, and frees each page
as it stores it (``pages.save_page`` and ``pages.record_failure`` clear the lease in the
same transaction) or, at the end, every page it still holds. Whether a lease held by
another batch is stale is the caller's rule (``ocr.batch.leases``); here, claiming is
one IMMEDIATE transaction, so two batches claiming at once are served one after the
other and never both get a page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ocr.archive.db import now, transaction
from ocr.archive.pages import RELEASE

CHUNK = 500  # page ids per statement (SQLite's limit on variables is far higher)


def claim_pages(
    db, page_ids: list[int], lease: dict[str, Any], may_take: Callable[[dict[str, Any]], bool]
) -> tuple[list[int], list[dict[str, Any]]]:
    """Claim the pages ``page_ids`` for ``lease`` (``run``, ``pid``, ``host``) where
    ``may_take(row)`` allows it (the page row as it is now: ``status``,
    ``settings_hash``, ``suspect``, ``processed_at``, and its lease: ``run``, ``pid``,
    ``host``, ``at``);
    return (the ids claimed, the rows of the pages left alone)."""
    taken: list[int] = []
    left: list[dict[str, Any]] = []
    t = now()
    with transaction(db):
        for start in range(0, len(page_ids), CHUNK):
            chunk = page_ids[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                "SELECT id, status, settings_hash, suspect, processed_at, "
                f"lease_run, lease_pid, lease_host, lease_at FROM pages WHERE id IN ({marks})",
                chunk,
            ).fetchall()
            names = ("id", "status", "settings_hash", "suspect", "processed_at")
            names += ("run", "pid", "host", "at")
            for row in (dict(zip(names, r)) for r in rows):
                if may_take(row):
                    taken.append(row["id"])
                else:
                    left.append(row)
        for start in range(0, len(taken), CHUNK):
            chunk = taken[start : start + CHUNK]
            db.execute(
                "UPDATE pages SET lease_run = ?, lease_pid = ?, lease_host = ?, lease_at = ? "
                f"WHERE id IN ({','.join('?' * len(chunk))})",
                [lease["run"], lease["pid"], lease["host"], t, *chunk],
            )
    return taken, left


def renew_leases(db, run: str) -> int:
    """Renew the time of every lease the batch ``run`` holds; the number renewed."""
    with transaction(db):
        cur = db.execute("UPDATE pages SET lease_at = ? WHERE lease_run = ?", [now(), run])
    return cur.rowcount


def release_leases(db, run: str) -> None:
    """Free every page the batch ``run`` still holds (it stops: done or interrupted)."""
    with transaction(db):
        db.execute(f"UPDATE pages SET {RELEASE} WHERE lease_run = ?", [run])


def lease_holders(db) -> list[dict[str, Any]]:
    """Each batch holding leases on numbered pages: ``run``, ``pid``, ``host``, ``at``
    (its latest renewal), ``pages`` held and ``statuses`` ({status: pages})."""
    holders: dict[str, dict[str, Any]] = {}
    for r in db.query(
        "SELECT lease_run AS run, lease_pid AS pid, lease_host AS host, max(lease_at) AS at, "
        "status, count(*) AS n FROM pages WHERE lease_run IS NOT NULL AND number > 0 "
        "GROUP BY lease_run, lease_pid, lease_host, status"
    ):
        h = holders.setdefault(
            r["run"], {"run": r["run"], "pid": r["pid"], "host": r["host"], "at": r["at"]}
        )
        h["at"] = max(h["at"], r["at"])
        h.setdefault("statuses", {})[r["status"]] = r["n"]
        h["pages"] = h.get("pages", 0) + r["n"]
    return list(holders.values())
