"""Claiming pages: a batch holds the pages it runs, so two batches never do one page twice.

A batch claims its pages in the archive as it goes, a chunk as large as its workers
at a time, as its executor has room for them (a lease: a token of this batch, its
process id, host and the time; see ``ocr.archive.leases``), so a second batch started
on the same archive finds the pages not yet claimed and shares the work. A page another
batch holds is left to it (counted as ``running`` by both the batch report and ``ocr
status``), unless that lease is stale:

- its holder ran on this host and its process is gone (``kill -9``, a crash, a reboot);
- or it was not renewed for the page timeout (default 600 s; with no limit, 600 s):
  a live batch renews its leases every ``HEARTBEAT`` seconds from a thread of its main
  process, so a lease that old belongs to a batch that is gone or hung (this is the one
  test for a holder on another host, whose processes cannot be seen from here).

A page another batch stored after this one planned it (done with these settings, or
stored at a later second) is not claimed either: that batch has just done it. Each
page's lease is freed when its result is stored (in the same transaction), and the
batch frees what it still holds when it stops.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocr import archive
from ocr.batch.options import BatchOptions
from ocr.batch.plan import keep_as_is

HEARTBEAT = 30.0  # seconds between renewals of a running batch's leases
STALE_AFTER = 600.0  # seconds without renewal after which a lease is stale, with no timeout
MIN_STALE = 4 * HEARTBEAT  # never less: a short --page-timeout must not take a live lease


def stale_after(page_timeout: float | None) -> float:
    """Seconds without renewal after which another batch's lease is taken over."""
    return max(MIN_STALE, page_timeout or STALE_AFTER)


def holder_alive(pid: int | None, host: str | None) -> bool | None:
    """Whether the process holding a lease is alive: None when it ran on another host
    (it cannot be seen from here)."""
    if host != socket.gethostname() or pid is None:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return _not_a_zombie(pid)


def _not_a_zombie(pid: int) -> bool:
    """A process that has exited but was not yet reaped is gone too (Linux: /proc)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            return "\nState:\tZ" not in f.read()
    except OSError:
        return True  # no /proc here: os.kill said it exists


def is_stale(lease: dict[str, Any], page_timeout: float | None) -> bool:
    """Whether a lease (``pid``, ``host``, ``at``) is stale and may be taken over."""
    if holder_alive(lease.get("pid"), lease.get("host")) is False:
        return True
    at = lease.get("at")
    if not at:
        return True
    age = (datetime.fromisoformat(archive.now()) - datetime.fromisoformat(at)).total_seconds()
    return age > stale_after(page_timeout)


@dataclass
class Lease:
    """This batch's lease: ``run`` (its token), ``pid`` and ``host``; :meth:`claim`
    takes pages, :meth:`keep` renews them from a thread until :meth:`stop`."""

    options: BatchOptions
    run: str = field(default_factory=lambda: uuid.uuid4().hex)
    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def claim(
        self, db, page_ids: list[int], since: str, digest: str
    ) -> tuple[set[int], list[dict]]:
        """Claim ``page_ids``, pages planned at ``since`` to be run with the settings
        ``digest``; return (the ids claimed, the rows of pages another live batch holds
        or stored meanwhile: these are left alone)."""

        def may_take(row: dict[str, Any]) -> bool:
            if keep_as_is(row, digest, self.options):
                return False  # another batch has just done it, with these settings
            if row["processed_at"] and row["processed_at"] > since:
                return False  # stored by another batch after this one began planning
            if row["run"] in (None, self.run):
                return True
            return is_stale(row, self.options.page_timeout)

        lease = {"run": self.run, "pid": self.pid, "host": self.host}
        taken, left = archive.claim_pages(db, page_ids, lease, may_take)
        return set(taken), left

    def keep(self) -> None:
        """Renew this batch's leases every ``HEARTBEAT`` seconds, from a thread with its
        own connection, until :meth:`stop`."""
        if str(self.options.db) == ":memory:" or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._renew, name="ocr-leases", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        db = None
        try:
            while not self._stop.wait(HEARTBEAT):
                try:
                    db = db or archive.open_db(self.options.db)
                    archive.renew_leases(db, self.run)
                except Exception:  # a busy or full archive: try again next time
                    continue
        finally:
            if db is not None:
                db.conn.close()

    def stop(self, db) -> None:
        """Stop renewing and free every page this batch still holds. When the archive
        cannot be written (the batch stops for that), the leases stay, no longer
        renewed: the next batch takes them over once stale."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        try:
            archive.release_leases(db, self.run)
        except sqlite3.Error:
            archive.rollback(db)


def page_states(db, page_timeout: float | None = None) -> dict[str, int]:
    """Numbered pages by state for ``ocr status``: ``done``, ``pending``, ``failed``
    (as stored) with the pages a live batch holds counted as ``running`` instead, and
    ``suspect`` (done, but read implausibly; see ``ocr.batch.gate``)."""
    counts = {"done": 0, "pending": 0, "failed": 0, **archive.status_counts(db)}
    counts["running"] = 0
    for holder in live_holders(db, page_timeout):
        for status, n in holder["statuses"].items():
            counts[status] -= n
            counts["running"] += n
    counts["suspect"] = archive.count_suspects(db)
    return counts


def live_holders(db, page_timeout: float | None = None) -> list[dict[str, Any]]:
    """The batches holding pages whose leases are not stale (see :func:`is_stale`)."""
    return [h for h in archive.lease_holders(db) if not is_stale(h, page_timeout)]
