"""Run a batch: plan its pages, run them on an executor, store each result as it arrives.

The main process is the single writer to SQLite; workers only compute (worker
processes on this machine, see :mod:`ocr.batch.workers`, or a Dask cluster, see
:mod:`ocr.batch.cluster`). Every page is stored in its own transaction as soon as it
finishes, so an interrupted batch resumes where it stopped. A page that fails (bad
file, engine error, crashed or hung worker, a write that fails) is recorded with its
reason and the batch goes on; only an archive that cannot be written at all stops it.
A page read without error but implausibly (``ocr.batch.gate``: a page turned upside
down) is stored flagged ``suspect``. The pages a batch runs are claimed as it goes, a
few at a time (``ocr.batch.leases``), so two batches on one archive never run the same
page and a batch started second shares the pages left.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ocr import archive
from ocr.batch import gate
from ocr.batch.executors import open_executor
from ocr.batch.gate import HISTORY, Usual
from ocr.batch.leases import Lease
from ocr.batch.options import BatchOptions, BatchReport, Progress, no_progress
from ocr.batch.plan import Hashes, plan
from ocr.errors import StoreError
from ocr.model import PageResult
from ocr.scan.load import IssueSource, discover

# What callers use (tests, bench, the CLI): the batch and the names it is driven with.
__all__ = ["BatchOptions", "BatchReport", "interrupt_after", "open_executor", "run", "run_issues"]

STORE_FAILURES_IN_A_ROW = 3  # pages that cannot be stored, in a row, before the batch stops


def run(paths: list[Path], options: BatchOptions, progress: Progress = no_progress) -> BatchReport:
    """Process the scans under ``paths`` into the archive at ``options.db``."""
    issues = discover([Path(p) for p in paths])
    with open_executor(options) as executor:
        return run_issues(issues, options, executor, progress)


def run_issues(
    issues: list[IssueSource],
    options: BatchOptions,
    executor,
    progress: Progress = no_progress,
    hashes: Hashes | None = None,
    session: set[tuple[str, int]] | None = None,
    report: BatchReport | None = None,
) -> BatchReport:
    """Plan ``issues``, run their pages on ``executor`` (see :func:`open_executor`) and
    store each result as it arrives. ``hashes`` caches files' SHA-256 and ``session``
    the pages handled so far, across the batches of a watched folder; ``report``, when
    given, is filled in as pages are stored (so it holds them even if interrupted)."""
    started = time.perf_counter()
    report = report if report is not None else BatchReport()
    report.issues = len(issues)
    with ExitStack() as stack:
        db = archive.open_db(options.db)
        stack.callback(db.conn.close)
        since = archive.now()
        jobs, digest, _ = plan(db, issues, options, report, hashes, session, progress)
        lease = Lease(options)
        stack.callback(lease.stop, db)
        claims = _Claims(db, jobs, lease, (since, digest), report, options, progress)
        lease.keep()
        progress("start", _start_event(report, len(jobs)))
        log = (
            stack.enter_context(open(options.log_json, "a", encoding="utf-8"))
            if options.log_json
            else None
        )
        store = _Store(
            db, digest, report, options, Usual.of(archive.recent_confidences(db, HISTORY))
        )
        page_ids = {(j.source_sha256, j.page_index): (pid, iid) for j, pid, iid in jobs}
        for result in executor.map(claims):
            page_id, issue_id = page_ids[(result.job.source_sha256, result.job.page_index)]
            extras = {k: result.timings.pop(k) for k in list(result.timings) if k[0] == "_"}
            with interrupt_after():  # a page stored is a page counted and logged
                suspect = store.result(page_id, result, extras)
                record = {**_log_record(result, extras), "suspect": suspect}
                if log:
                    log.write(json.dumps(record, ensure_ascii=False) + "\n")
                    log.flush()
                progress("page", record)
            claims.settle(issue_id, stored=True)
        for issue_id in report.issue_ids:
            if issue_id not in claims.left:  # all its pages done before
                _issue_done(db, issue_id, options)
    report.seconds = time.perf_counter() - started
    progress("end", {"report": report})
    return report


def _start_event(report: BatchReport, todo: int) -> dict[str, int]:
    """What the ``start`` event says: pages found, to run, done before, failed already."""
    return {"total": report.pages, "todo": todo, "skipped": report.skipped, "failed": report.failed}


class _Claims:
    """The planned pages, claimed a chunk at a time as the executor takes them (a chunk
    as large as the batch's workers), so that a second batch started on the archive
    finds pages left to claim and shares the work. A page another batch holds is left
    to it (counted as ``running``); one it stored meanwhile, as done before. An issue
    is assembled when the last of its planned pages is stored or left, if this batch
    stored any of them (the other batch assembles it too when its pages are stored)."""

    def __init__(self, db, jobs: list, lease: Lease, planned, report, options, progress):
        self.db, self.jobs, self.lease, self.planned = db, jobs, lease, planned
        self.report, self.options, self.progress = report, options, progress
        self.chunk = max(1, options.jobs)
        self.left = Counter(iid for _, _, iid in jobs)  # planned pages not yet settled
        self.stored: set[int] = set()  # issues with a page stored by this batch

    def __iter__(self):
        for start in range(0, len(self.jobs), self.chunk):
            part = self.jobs[start : start + self.chunk]
            taken, rows = self.lease.claim(self.db, [pid for _, pid, _ in part], *self.planned)
            running = sum(row["run"] is not None for row in rows)
            self.report.running += running
            self.report.skipped += len(rows) - running
            if rows:
                self.progress("left", {"running": running, "skipped": len(rows) - running})
            for job, page_id, issue_id in part:
                if page_id in taken:
                    yield job
                else:
                    self.settle(issue_id)

    def settle(self, issue_id: int, stored: bool = False) -> None:
        """One planned page of the issue is stored (``stored``) or left to another batch."""
        if stored:
            self.stored.add(issue_id)
        self.left[issue_id] -= 1
        if self.left[issue_id] == 0 and issue_id in self.stored:
            _issue_done(self.db, issue_id, self.options)


@contextmanager
def interrupt_after():
    """Hold a Ctrl-C (SIGINT) that arrives inside the block until the block is done, so
    a page is never stored without being counted (the summary and the log stay exact).
    Outside the main thread (where signals cannot be handled) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[Any] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            if callable(previous):
                previous(signal.SIGINT, held[0])
            elif previous != signal.SIG_IGN:
                raise KeyboardInterrupt


def _issue_done(db, issue_id: int, options: BatchOptions) -> None:
    """All pages of the issue are stored: rebuild what spans its pages."""
    try:
        from ocr.batch.assemble import assemble_issue  # articles, issue metadata and page flags

        assemble_issue(db, issue_id)
    except sqlite3.Error as exc:
        raise _cannot_write(options, exc) from exc


def _cannot_write(options: BatchOptions, exc: object) -> StoreError:
    """The error that stops a batch whose archive cannot be written any more."""
    return StoreError(
        f"{options.db}: cannot write to the archive ({exc}); stopped. "
        "Pages stored so far are kept: free space, then run again to resume"
    )


class _Store:
    """Stores each page's result as it arrives, judging its reading on the way."""

    def __init__(self, db, digest: str, report: BatchReport, options: BatchOptions, usual):
        self.db, self.digest, self.report, self.options = db, digest, report, options
        self.usual = usual  # the archive's usual page (ocr.batch.gate)
        self.prov_cache: dict[str, int] = {}

    def result(self, page_id: int, result: PageResult, extras: dict[str, Any]) -> list[str]:
        """Store one page's result in its own transaction; return why its reading is
        suspect (empty when plausible or not stored). When storing fails (disk full, a
        database error), the page is recorded as failed with the reason and the batch
        goes on; when even that cannot be written, the batch stops (:class:`StoreError`)."""
        db, report = self.db, self.report
        try:
            if result.status == "done":
                return self._save(page_id, result, extras)
            error = result.error or "unknown error"
        except (sqlite3.Error, OSError) as exc:
            archive.rollback(db)
            error = f"{result.job.label}: cannot store the page: {_reason(exc)}"
            result.status, result.error = "failed", error
            report.store_failures += 1
            if report.store_failures >= STORE_FAILURES_IN_A_ROW:
                raise _cannot_write(self.options, _reason(exc)) from exc
        else:
            report.store_failures = 0
        try:
            archive.record_failure(db, page_id, error, result.seconds)
        except (sqlite3.Error, OSError) as exc:
            archive.rollback(db)
            raise _cannot_write(self.options, _reason(exc)) from exc
        report.failed += 1
        report.failures.append(error)
        return []

    def _save(self, page_id: int, result: PageResult, extras: dict[str, Any]) -> list[str]:
        """Store a page read without error, flagged suspect when its reading is not
        plausible (``ocr.batch.gate``); a plausible one joins the archive's usual."""
        report = self.report
        prov_id = _provenance_id(self.db, result, extras.get("_provenance"), self.prov_cache)
        confidence = gate.mean_confidence(result.lines)
        reasons = gate.judge(result.lines, self.usual)
        counts = archive.save_page(
            self.db, page_id, result, self.digest, prov_id, confidence, reasons
        )
        report.done += 1
        report.lines += counts["lines"]
        report.store_failures = 0
        if reasons:
            report.suspect += 1
            report.suspects.append(f"{result.job.label}: {'; '.join(reasons)}")
        else:
            self.usual.add(confidence)
        return reasons


def _provenance_id(db, result: PageResult, prov: dict | None, cache: dict[str, int]) -> int | None:
    """The archive's id for the engine's provenance with the page's settings (what
    ``ocr retry`` reuses); ``cache`` keeps the ids found so far in this batch."""
    if not prov:
        return None
    prov = {**prov, "settings": result.job.settings}
    key = json.dumps(prov, sort_keys=True)
    if key not in cache:
        cache[key] = archive.provenance_id(db, prov)
    return cache[key]


def _reason(exc: BaseException) -> BaseException:
    """The error that made a write fail. When SQLite has already rolled back (as it may
    on 'database or disk is full'), the ROLLBACK in ``archive.transaction`` fails too and
    hides it: the first error is then the exception's context."""
    if "cannot rollback" in str(exc) and exc.__context__ is not None:
        return exc.__context__
    return exc


def _log_record(result: PageResult, extras: dict[str, Any]) -> dict[str, Any]:
    """The page's record for ``--log-json`` and the progress display."""
    return {
        "source": result.job.source,
        "page": result.job.page_index + 1,
        "number": result.job.number,
        "sha256": result.job.source_sha256,
        "status": result.status,
        "error": result.error,
        "seconds": round(result.seconds, 3),
        "lines": len(result.lines),
        "skew_degrees": round(result.skew_degrees, 3),
        "timings": dict(result.timings),
        "worker": extras.get("_worker"),
        "rss_mb": extras.get("_rss_mb"),
        "peak_rss_mb": extras.get("_peak_rss_mb"),
        "at": archive.now(),
    }
