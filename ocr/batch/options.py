"""What a batch is asked to do (:class:`BatchOptions`) and what it did (:class:`BatchReport`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr.pipeline import DEFAULT_SCRIPT

# Hears the batch's events: ``plan`` (scans checked), ``start``, ``page``, ``left`` (pages
# another batch holds or has stored, found as pages are claimed), ``idle``, ``end``.
Progress = Callable[[str, dict[str, Any]], None]


def no_progress(event: str, data: dict[str, Any]) -> None:
    """A :data:`Progress` that shows nothing."""


def default_jobs() -> int:
    """Worker processes when none are asked for: one per core."""
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
    retry_suspect: bool = False  # run pages stored as suspect again (``ocr retry --suspect``)
    recycle_after: int = 50  # pages per worker before it is replaced (memory stays flat)
    page_timeout: float | None = 600.0  # seconds; a page running longer fails
    log_json: Path | None = None
    engine: str | None = None  # "module:Class"; default PaddleOCR (fakes in tests)
    executor: str = "local"  # ocr.batch.executors.EXECUTORS: local, dask or inline
    scheduler: str | None = None  # Dask scheduler address, e.g. tcp://10.0.0.5:8786
    script: str = DEFAULT_SCRIPT  # ocr.pipeline.SCRIPT_CHOICES: auto, simplified, as-read
    # The preparation steps turned off ({"orient": False, ...}: ocr.scan.prepare.PrepareOptions)
    prepare: dict[str, bool] = field(default_factory=dict)
    detect: str | None = None  # how lines are found: ocr.recognize.read.DETECT_MODES [page]


@dataclass
class BatchReport:
    issues: int = 0  # issues found
    pages: int = 0  # pages found (done before or not)
    done: int = 0  # pages processed and stored by this batch
    skipped: int = 0  # pages done before with the same settings
    failed: int = 0  # pages that failed, each with its reason in ``failures``
    suspect: int = 0  # pages stored, but read implausibly (``ocr.batch.gate``): ``suspects``
    running: int = 0  # pages left to another batch that holds them (``ocr.batch.leases``)
    lines: int = 0  # text lines stored
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    suspects: list[str] = field(default_factory=list)  # "FILE page N: reason; reason"
    issue_ids: list[int] = field(default_factory=list)
    store_failures: int = 0  # pages in a row that could not be stored

    def add(self, other: BatchReport) -> None:
        """Count ``other`` (a later batch of the same watch) in this report."""
        for name in ("issues", "pages", "done", "skipped", "failed", "lines", "suspect", "running"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures
        self.suspects += other.suspects
        self.issue_ids += [i for i in other.issue_ids if i not in self.issue_ids]
