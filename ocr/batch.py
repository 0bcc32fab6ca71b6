"""Batches: find the pages, skip those already done, run the rest, store the results.

The main process is the single writer to SQLite; workers only compute. Every page is
stored in its own transaction as soon as it finishes, so an interrupted batch resumes
where it stopped. A page that fails is recorded with its reason and the batch goes on.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import store
from .errors import InputError
from .load import IssueSource, count_pages, discover, sha256_path
from .model import PageJob, PageResult
from .pipeline import init_worker, process_page, settings_for, settings_hash


@dataclass
class BatchOptions:
    db: Path = Path("output/archive.db")
    pages_dir: Path | None = Path("output/pages")
    dpi: int = 300
    jobs: int = 1
    models: str | None = None
    redo: bool = False
    retry_failed: bool = True
    recycle_after: int = 50  # pages per worker before it is replaced (memory stays flat)
    log_json: Path | None = None
    engine: str | None = None  # "module:Class"; default PaddleOCR (fakes in tests)


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


Progress = Callable[[str, dict[str, Any]], None]


def _noop(event: str, data: dict[str, Any]) -> None:
    pass


def plan(db, issues: list[IssueSource], options: BatchOptions, report: BatchReport):
    """Create issue and page rows; return (jobs to run, page ids by job key)."""
    settings = settings_for(options.dpi, options.models, options.engine)
    digest = settings_hash(settings)
    jobs: list[tuple[PageJob, int]] = []
    for issue in issues:
        issue_id = store.upsert_issue(db, issue.key, issue.source, issue.title, issue.date)
        report.issue_ids.append(issue_id)
        number = 0
        for path in issue.files:
            try:
                sha = sha256_path(path)
            except OSError as exc:
                sha = f"unreadable:{path.resolve()}"
                pages, error = 1, InputError(str(path), f"cannot read: {exc.strerror}")
            else:
                try:
                    pages, error = count_pages(path), None
                except InputError as exc:
                    pages, error = 1, exc
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
                row = store.ensure_page(db, issue_id, job)
                report.pages += 1
                if error is not None:
                    # The file could not be opened: its one page row carries the reason.
                    message = f"{error.source} page {index + 1}: {error.reason}"
                    store.record_failure(db, row["id"], message)
                    report.failed += 1
                    report.failures.append(message)
                    continue
                if not options.redo and row["status"] == "done" and row["settings_hash"] == digest:
                    report.skipped += 1
                    continue
                if row["status"] == "failed" and not options.retry_failed and not options.redo:
                    report.skipped += 1
                    continue
                jobs.append((job, row["id"]))
        db.execute("UPDATE issues SET page_count = ? WHERE id = ?", [number, issue_id])
    return jobs, digest, settings


def run(paths: list[Path], options: BatchOptions, progress: Progress = _noop) -> BatchReport:
    """Process the scans under ``paths`` into the archive at ``options.db``."""
    started = time.perf_counter()
    report = BatchReport()
    db = store.open_db(options.db)
    issues = discover([Path(p) for p in paths])
    report.issues = len(issues)
    jobs, digest, _ = plan(db, issues, options, report)
    progress(
        "start",
        {
            "total": report.pages,
            "todo": len(jobs),
            "skipped": report.skipped,
            "failed": report.failed,
        },
    )
    with ExitStack() as stack:
        stack.callback(db.conn.close)
        log = (
            stack.enter_context(open(options.log_json, "a", encoding="utf-8"))
            if options.log_json
            else None
        )
        page_ids = {(j.source_sha256, j.page_index): pid for j, pid in jobs}
        prov_cache: dict[str, int] = {}
        for result in execute([j for j, _ in jobs], options):
            page_id = page_ids[(result.job.source_sha256, result.job.page_index)]
            _store_result(db, page_id, result, digest, report, prov_cache)
            record = _log_record(result)
            if log:
                log.write(json.dumps(record, ensure_ascii=False) + "\n")
                log.flush()
            progress("page", record)
        for issue_id in report.issue_ids:
            store.rebuild_block_articles(db, issue_id)
    report.seconds = time.perf_counter() - started
    progress("end", {"report": report})
    return report


def _store_result(db, page_id, result: PageResult, digest, report, prov_cache) -> None:
    if result.status == "done":
        prov = result.timings.pop("_provenance", None)
        prov_id = None
        if prov:
            key = json.dumps(prov, sort_keys=True)
            if key not in prov_cache:
                prov_cache[key] = store.provenance_id(db, prov)
            prov_id = prov_cache[key]
        counts = store.save_page(db, page_id, result, digest, prov_id)
        report.done += 1
        report.lines += counts["lines"]
    else:
        store.record_failure(db, page_id, result.error or "unknown error", result.seconds)
        report.failed += 1
        report.failures.append(result.error or "unknown error")


def _log_record(result: PageResult) -> dict[str, Any]:
    return {
        "source": result.job.source,
        "page": result.job.page_index + 1,
        "number": result.job.number,
        "status": result.status,
        "error": result.error,
        "seconds": round(result.seconds, 3),
        "lines": len(result.lines),
        "skew_degrees": round(result.skew_degrees, 3),
        "timings": {k: v for k, v in result.timings.items() if not k.startswith("_")},
    }


def execute(jobs: list[PageJob], options: BatchOptions) -> Iterator[PageResult]:
    """Run the jobs, yielding results as they finish (in-process for one job at a time)."""
    if not jobs:
        return
    cores = os.cpu_count() or 1
    workers = max(1, min(options.jobs, len(jobs)))
    threads = max(1, cores // workers)
    if workers == 1:
        init_worker(options.models, threads, options.engine)
        for job in jobs:
            yield _with_provenance(process_page(job))
        return
    yield from _pool(jobs, options, workers, threads)


def _with_provenance(result: PageResult) -> PageResult:
    from .pipeline import engine

    if result.status == "done":
        result.timings["_provenance"] = engine().provenance()
    return result


def _worker_process(job: PageJob) -> PageResult:
    return _with_provenance(process_page(job))


def _pool(jobs: list[PageJob], options: BatchOptions, workers: int, threads: int):
    """Run jobs in worker processes, results as they finish. When a worker dies (killed,
    out of memory, a crash in native code) the pool is rebuilt; the pages that were in
    flight are run again one at a time, so only the page that kills its worker fails."""
    pending = deque(jobs)
    suspects: deque[PageJob] = deque()
    while pending or suspects:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            initializer=init_worker,
            initargs=(options.models, threads, options.engine),
            max_tasks_per_child=options.recycle_after,
        )
        running: dict[Any, PageJob] = {}
        try:
            while pending or suspects or running:
                if suspects:
                    if not running:  # isolate: one suspect in flight at a time
                        job = suspects.popleft()
                        running[pool.submit(_worker_process, job)] = job
                else:
                    while pending and len(running) < workers * 2:
                        job = pending.popleft()
                        running[pool.submit(_worker_process, job)] = job
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = running.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        running[fut] = job
                        raise
                    except Exception as exc:
                        result = PageResult(job=job, status="failed", error=f"{job.label}: {exc}")
                    yield result
        except BrokenProcessPool:
            isolated = len(running) == 1
            for job in running.values():
                if isolated:
                    yield PageResult(
                        job=job,
                        status="failed",
                        error=f"{job.label}: the worker process died while processing it",
                    )
                else:
                    suspects.append(job)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
