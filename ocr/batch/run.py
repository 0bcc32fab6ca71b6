"""Batches: find the pages, skip those already done, run the rest, store the results.

The main process is the single writer to SQLite; workers only compute (worker
processes on this machine, see :mod:`ocr.workers`, or a Dask cluster, see
:mod:`ocr.cluster`). Every page is stored in its own transaction as soon as it
finishes, so an interrupted batch resumes where it stopped. A page that fails (bad
file, engine error, crashed or hung worker, a write that fails) is recorded with its
reason and the batch goes on; only an archive that cannot be written at all stops it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr import archive
from ocr.errors import InputError, StoreError
from ocr.model import PageJob, PageResult
from ocr.pipeline import settings_for, settings_hash
from ocr.recognize.script import DEFAULT_SCRIPT
from ocr.scan.load import IssueSource, count_pages, discover, sha256_path

EXECUTORS = ("local", "inline", "dask")
STORE_FAILURES_IN_A_ROW = 3  # pages that cannot be stored, in a row, before the batch stops


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass
class BatchOptions:
    db: Path = Path("output/archive.db")
    pages_dir: Path | None = Path("output/pages")
    dpi: int = 300
    jobs: int = field(default_factory=default_jobs)  # worker processes
    threads: int | None = None  # engine threads per worker [default: cores // jobs]
    models: str | None = None
    redo: bool = False
    retry_failed: bool = True
    recycle_after: int = 50  # pages per worker before it is replaced (memory stays flat)
    page_timeout: float | None = 600.0  # seconds; a page running longer fails
    log_json: Path | None = None
    engine: str | None = None  # "module:Class"; default PaddleOCR (fakes in tests)
    executor: str = "local"  # local worker processes, inline (this process), dask
    scheduler: str | None = None  # Dask scheduler address, e.g. tcp://10.0.0.5:8786
    script: str = DEFAULT_SCRIPT  # ocr.script.SCRIPTS: traditional forms read as simplified


@dataclass
class BatchReport:
    issues: int = 0
    pages: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    lines: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    issue_ids: list[int] = field(default_factory=list)
    store_failures: int = 0  # pages in a row that could not be stored

    def add(self, other: BatchReport) -> None:
        for name in ("issues", "pages", "done", "skipped", "failed", "lines"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures
        self.issue_ids += [i for i in other.issue_ids if i not in self.issue_ids]


Progress = Callable[[str, dict[str, Any]], None]
Hashes = dict[tuple[str, int, int], str]  # (path, size, mtime_ns) -> sha256


def _noop(event: str, data: dict[str, Any]) -> None:
    pass


def _sha256(
    db, path: Path, hashes: Hashes | None, rehash: bool = False, counts: dict | None = None
) -> str:
    """The file's SHA-256: from ``hashes`` (this watch's cache), else from the archive's
    record of the file at this path, size and modification time, else read (and
    recorded). ``rehash`` (``--redo``) reads every file again."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if hashes is not None and key in hashes:
        return hashes[key]
    sha = None if rehash else archive.known_sha256(db, *key)
    if sha is None:
        sha = sha256_path(path)
        archive.remember_sha256(db, *key, sha)
        if counts is not None:
            counts["hashed"] += 1
    if hashes is not None:
        hashes[key] = sha
    return sha


def plan(
    db,
    issues: list[IssueSource],
    options: BatchOptions,
    report: BatchReport,
    hashes: Hashes | None = None,
    session: set[tuple[str, int]] | None = None,
    progress: Progress = _noop,
) -> tuple[list[tuple[PageJob, int, int]], str, dict[str, Any]]:
    """Create issue and page rows; return (jobs to run as (job, page id, issue id),
    settings hash, settings). Pages in ``session`` (already handled by an earlier
    batch of the same watch) are not counted again. ``progress`` hears ``plan`` after
    each file (files checked, of how many, how many had to be read to hash them)."""
    settings = settings_for(options.dpi, options.models, options.engine, options.script)
    digest = settings_hash(settings)
    jobs: list[tuple[PageJob, int, int]] = []
    planned: set[tuple[str, int]] = set()
    files = {"done": 0, "total": sum(len(issue.files) for issue in issues), "hashed": 0}
    for issue in issues:
        issue_id = archive.upsert_issue(db, issue.key, issue.source, issue.title, issue.date)
        report.issue_ids.append(issue_id)
        number = 0
        for path in issue.files:
            files["done"] += 1
            try:
                sha = _sha256(db, path, hashes, options.redo, files)
            except OSError as exc:
                sha = f"unreadable:{path.resolve()}"
                pages, error = 1, InputError(str(path), f"cannot read: {exc.strerror}")
            else:
                try:
                    pages, error = count_pages(path), None
                except InputError as exc:
                    pages, error = 1, exc
            progress("plan", dict(files))
            for index in range(pages):
                number += 1
                job = PageJob(
                    source=str(path),
                    page_index=index,
                    number=number,
                    issue_key=issue.key,
                    source_sha256=sha,
                    dpi=options.dpi,
                    pages_dir=str(options.pages_dir) if options.pages_dir else None,
                    settings=settings,
                )
                row = archive.ensure_page(db, issue_id, job)
                if session is not None:
                    if (sha, index) in session:
                        continue
                    session.add((sha, index))
                report.pages += 1
                if error is not None:
                    # The file could not be opened: its one page row carries the reason.
                    message = f"{error.source} page {index + 1}: {error.reason}"
                    archive.record_failure(db, row["id"], message)
                    report.failed += 1
                    report.failures.append(message)
                    continue
                if (sha, index) in planned:  # the same file twice in this batch
                    report.skipped += 1
                    continue
                if not options.redo and row["status"] == "done" and row["settings_hash"] == digest:
                    report.skipped += 1
                    continue
                if row["status"] == "failed" and not options.retry_failed and not options.redo:
                    report.skipped += 1
                    continue
                planned.add((sha, index))
                jobs.append((job, row["id"], issue_id))
        archive.set_page_count(db, issue_id, number)
    return jobs, digest, settings


def run(paths: list[Path], options: BatchOptions, progress: Progress = _noop) -> BatchReport:
    """Process the scans under ``paths`` into the archive at ``options.db``."""
    issues = discover([Path(p) for p in paths])
    with open_executor(options) as executor:
        return run_issues(issues, options, executor, progress)


def run_issues(
    issues: list[IssueSource],
    options: BatchOptions,
    executor,
    progress: Progress = _noop,
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
        jobs, digest, _ = plan(db, issues, options, report, hashes, session, progress)
        progress(
            "start",
            {
                "total": report.pages,
                "todo": len(jobs),
                "skipped": report.skipped,
                "failed": report.failed,
            },
        )
        log = (
            stack.enter_context(open(options.log_json, "a", encoding="utf-8"))
            if options.log_json
            else None
        )
        page_ids = {(j.source_sha256, j.page_index): (pid, iid) for j, pid, iid in jobs}
        left = Counter(iid for _, _, iid in jobs)  # pages still to come, per issue
        prov_cache: dict[str, int] = {}
        for result in executor.map([j for j, _, _ in jobs]):
            page_id, issue_id = page_ids[(result.job.source_sha256, result.job.page_index)]
            extras = {k: result.timings.pop(k) for k in list(result.timings) if k[0] == "_"}
            with interrupt_after():  # a page stored is a page counted and logged
                _store_result(db, page_id, result, digest, report, prov_cache, extras, options)
                record = _log_record(result, extras)
                if log:
                    log.write(json.dumps(record, ensure_ascii=False) + "\n")
                    log.flush()
                progress("page", record)
            left[issue_id] -= 1
            if left[issue_id] == 0:
                _issue_done(db, issue_id, options)
        for issue_id in report.issue_ids:
            if issue_id not in left:  # nothing to run: all its pages were done before
                _issue_done(db, issue_id, options)
    report.seconds = time.perf_counter() - started
    progress("end", {"report": report})
    return report


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
    return StoreError(
        f"{options.db}: cannot write to the archive ({exc}); stopped. "
        "Pages stored so far are kept: free space, then run again to resume"
    )


def _store_result(db, page_id, result, digest, report, prov_cache, extras, options) -> None:
    """Store one page's result in its own transaction. When that fails (disk full, a
    database error), the page is recorded as failed with the reason and the batch goes
    on; when even that cannot be written, the batch stops with a :class:`StoreError`."""
    try:
        if result.status == "done":
            prov = extras.get("_provenance")
            prov_id = None
            if prov:
                prov = {**prov, "settings": result.job.settings}  # what `ocr retry` reuses
                key = json.dumps(prov, sort_keys=True)
                if key not in prov_cache:
                    prov_cache[key] = archive.provenance_id(db, prov)
                prov_id = prov_cache[key]
            counts = archive.save_page(db, page_id, result, digest, prov_id)
            report.done += 1
            report.lines += counts["lines"]
            report.store_failures = 0
            return
        error = result.error or "unknown error"
    except (sqlite3.Error, OSError) as exc:
        archive.rollback(db)
        error = f"{result.job.label}: cannot store the page: {_reason(exc)}"
        result.status, result.error = "failed", error
        report.store_failures += 1
        if report.store_failures >= STORE_FAILURES_IN_A_ROW:
            raise _cannot_write(options, _reason(exc)) from exc
    else:
        report.store_failures = 0
    try:
        archive.record_failure(db, page_id, error, result.seconds)
    except (sqlite3.Error, OSError) as exc:
        archive.rollback(db)
        raise _cannot_write(options, _reason(exc)) from exc
    report.failed += 1
    report.failures.append(error)


def _reason(exc: BaseException) -> BaseException:
    """The error that made a write fail. When SQLite has already rolled back (as it may
    on 'database or disk is full'), the ROLLBACK in ``archive.transaction`` fails too and
    hides it: the first error is then the exception's context."""
    if "cannot rollback" in str(exc) and exc.__context__ is not None:
        return exc.__context__
    return exc


def _log_record(result: PageResult, extras: dict[str, Any]) -> dict[str, Any]:
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


# -- executors ----------------------------------------------------------------------


def worker_threads(options: BatchOptions, workers: int) -> int:
    """Engine threads per worker: the cores shared out, so workers do not fight."""
    return options.threads or max(1, (os.cpu_count() or 1) // max(1, workers))


class InlineExecutor:
    """Pages one at a time in this process (no timeout, no crash isolation): for
    debugging and profiling."""

    def __init__(self, options: BatchOptions):
        self.options = options

    def map(self, jobs: list[PageJob]) -> Iterator[PageResult]:
        from ocr.batch.workers import run_job
        from ocr.pipeline import init_worker

        if not jobs:
            return
        init_worker(self.options.models, worker_threads(self.options, 1), self.options.engine)
        for job in jobs:
            yield run_job(job)

    def close(self) -> None:
        pass


@contextmanager
def open_executor(options: BatchOptions):
    """The executor named by ``options.executor``: something with ``map(jobs)`` that
    yields page results as they finish. Closed (workers stopped) on exit."""
    if options.executor == "inline":
        executor = InlineExecutor(options)
    elif options.executor == "local":
        from ocr.batch.workers import WorkerPool

        executor = WorkerPool(
            workers=max(1, options.jobs),
            threads=options.threads,
            models=options.models,
            engine=options.engine,
            page_timeout=options.page_timeout,
            recycle_after=max(1, options.recycle_after),
        )
    elif options.executor == "dask":
        from ocr.batch.cluster import DaskExecutor

        executor = DaskExecutor(options)
    else:
        raise ValueError(f"unknown executor {options.executor!r}; one of {EXECUTORS}")
    try:
        yield executor
    finally:
        executor.close()
