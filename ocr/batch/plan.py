"""Plan a batch: hash each scan, count its pages, record them, and pick the pages to run.

A page is known by its file's SHA-256 and its index in the file, so a renamed or moved
scan is not processed again; the two pages of a spread (two pages in one image, found
when the page is first planned) by the hash with ``#1`` or ``#2`` after it. The archive
remembers each file's hash with its path, size and modification time, so a resumed
batch reads only the files that changed. A page is run again only when it is new, was
done with other settings, failed (unless told not to retry), or with ``--redo``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ocr import archive
from ocr.batch.options import BatchOptions, BatchReport, Progress, no_progress
from ocr.errors import InputError
from ocr.model import PageJob
from ocr.pipeline import settings_for, settings_hash
from ocr.scan import spread
from ocr.scan.load import IssueSource, count_pages, load_page, sha256_path

Hashes = dict[tuple[str, int, int], str]  # (path, size, mtime_ns) -> sha256
Planned = tuple[PageJob, int, int]  # (the page's job, its page id, its issue id)


def file_sha256(
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
    progress: Progress = no_progress,
) -> tuple[list[Planned], str, dict[str, Any]]:
    """Create issue and page rows; return (jobs to run as (job, page id, issue id),
    settings hash, settings). Pages in ``session`` (already handled by an earlier
    batch of the same watch) are not counted again. ``progress`` hears ``plan`` after
    each file (files checked, of how many, how many had to be read to hash them)."""
    settings = settings_for(
        options.dpi,
        options.models,
        options.engine,
        options.script,
        options.prepare,
        options.detect,
    )
    digest = settings_hash(settings)
    jobs: list[Planned] = []
    planned: set[tuple[str, int]] = set()
    files = {"done": 0, "total": sum(len(issue.files) for issue in issues), "hashed": 0}
    for issue in issues:
        issue_id = archive.upsert_issue(db, issue.key, issue.source, issue.title, issue.date)
        report.issue_ids.append(issue_id)
        number = 0
        for path in issue.files:
            files["done"] += 1
            sha, pages, error = _read_scan(db, path, hashes, options.redo, files)
            progress("plan", dict(files))
            for index, leaf in _pages(db, path, sha, pages, error, options):
                number += 1
                job = _page_job(issue, path, index, number, sha, options, settings, leaf)
                row = archive.ensure_page(db, issue_id, job)
                key = (job.source_sha256, index)
                if session is not None:
                    if key in session:
                        continue
                    session.add(key)
                report.pages += 1
                if error is not None:
                    # The file could not be opened: its one page row carries the reason.
                    message = f"{error.source} page {index + 1}: {error.reason}"
                    archive.record_failure(db, row["id"], message)
                    report.failed += 1
                    report.failures.append(message)
                    continue
                # Identical copies in this batch (discovery gives each real file once:
                # not two paths to it), or nothing to do for this page.
                if key in planned or keep_as_is(row, digest, options):
                    report.skipped += 1
                    continue
                planned.add(key)
                jobs.append((job, row["id"], issue_id))
        archive.set_page_count(db, issue_id, number)
    return jobs, digest, settings


def _read_scan(
    db, path: Path, hashes: Hashes | None, rehash: bool, counts: dict
) -> tuple[str, int, InputError | None]:
    """(SHA-256, pages, error) of one scan; a file that cannot be read or opened is one
    page carrying the error (its hash then names the path, as nothing else is known)."""
    try:
        sha = file_sha256(db, path, hashes, rehash, counts)
    except OSError as exc:
        sha = f"unreadable:{path.resolve()}"
        return sha, 1, InputError(str(path), f"cannot read: {exc.strerror}")
    try:
        return sha, count_pages(path), None
    except InputError as exc:
        return sha, 1, exc


def _pages(db, path: Path, sha: str, pages: int, error, options: BatchOptions):
    """(index, leaf) of each page of the scan: leaf 0 for a page that is the whole
    image, 1 and 2 for the two pages of a spread (``ocr.scan.spread``). Known from the
    archive for a page planned before, else looked at once (with ``--no-split``, none)."""
    for index in range(pages):
        if error is None and options.prepare.get("split", True) and _spread(db, path, sha, index):
            yield from ((index, 1), (index, 2))
        else:
            yield index, 0


def _spread(db, path: Path, sha: str, index: int) -> bool:
    if archive.page_by_identity(db, sha, index):
        return False
    if archive.page_by_identity(db, spread.leaf_sha256(sha, 1), index):
        return True
    try:
        image, _ = load_page(path, index, dpi=spread.PLAN_DPI)
    except InputError:
        return False  # the worker reads the page again and records why it cannot
    return spread.gutter(image) is not None


def _page_job(
    issue: IssueSource,
    path: Path,
    index: int,
    number: int,
    sha: str,
    options: BatchOptions,
    settings: dict[str, Any],
    leaf: int = 0,
) -> PageJob:
    """The job for page ``index`` of the scan at ``path``, page ``number`` of its issue
    (``leaf``: its first or second page, when it is a spread)."""
    return PageJob(
        source=str(path),
        page_index=index,
        number=number,
        issue_key=issue.key,
        source_sha256=spread.leaf_sha256(sha, leaf),
        leaf=leaf,
        dpi=options.dpi,
        pages_dir=str(options.pages_dir) if options.pages_dir else None,
        settings=settings,
    )


def keep_as_is(row: dict[str, Any], digest: str, options: BatchOptions) -> bool:
    """Whether a page is left as it is: done before with the same settings (unless
    suspect and to be retried), or failed and not to be retried (``--redo`` runs every
    page again)."""
    if options.redo:
        return False
    if row["status"] == "done" and row["settings_hash"] == digest:
        return not (options.retry_suspect and row.get("suspect"))
    return row["status"] == "failed" and not options.retry_failed
