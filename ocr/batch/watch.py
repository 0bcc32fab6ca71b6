"""A scanner's hot folder: process new scans as they arrive.

The folder is polled (no extra dependency, works on network shares). A file is taken
once its size and modification time have not changed for ``settle`` seconds, so a
scan still being written is left alone. Issues are found as :func:`ocr.scan.load.discover`
finds them (a PDF is an issue, a folder of images is one issue), limited to the files
already taken; pages done before are skipped as in any batch. The workers stay up
between arrivals (models loaded once). Ctrl-C stops cleanly: pages stored are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ocr.batch.executors import open_executor
from ocr.batch.options import BatchOptions, BatchReport, Progress, no_progress
from ocr.batch.run import run_issues
from ocr.errors import InputError
from ocr.scan.load import SCAN_SUFFIXES, discover


@dataclass
class HotFolder:
    """Which files of ``folder`` are complete: seen twice, unchanged, ``settle`` s old."""

    folder: Path
    settle: float = 2.0
    _seen: dict[Path, tuple[int, int]] = field(default_factory=dict)
    taken: set[Path] = field(default_factory=set)

    def scan(self, now: float | None = None) -> list[Path]:
        """The files that became complete since the last call."""
        now = time.time() if now is None else now
        new = []
        current = {}
        for path in sorted(self.folder.rglob("*")):
            if (
                path.suffix.lower() not in SCAN_SUFFIXES
                or any(part.startswith((".", "~")) for part in path.relative_to(self.folder).parts)
                or path in self.taken
            ):
                continue
            try:
                st = path.stat()
            except OSError:  # gone again
                continue
            if not path.is_file():
                continue
            sig = (st.st_size, st.st_mtime_ns)
            current[path] = sig
            if self._seen.get(path) == sig and now - st.st_mtime >= self.settle:
                new.append(path)
                self.taken.add(path)
                current.pop(path)
        self._seen = current
        return new


def watch(
    folder: Path,
    options: BatchOptions,
    progress: Progress = no_progress,
    *,
    settle: float = 2.0,
    poll: float = 1.0,
    stop: Callable[[BatchReport], bool] | None = None,
) -> BatchReport:
    """Process scans arriving in ``folder`` until ``stop(report)`` is true or Ctrl-C.

    ``report`` adds up all the batches run so far."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "the folder to watch does not exist")
    hot = HotFolder(folder, settle)
    total = BatchReport()
    hashes: dict = {}
    session: set = set()
    started = time.perf_counter()
    with open_executor(options) as executor:
        try:
            while not (stop and stop(total)):
                if hot.scan():
                    batch = BatchReport()
                    try:
                        run_issues(
                            _issues(folder, hot.taken),
                            options,
                            executor,
                            progress,
                            hashes,
                            session,
                            batch,
                        )
                    finally:  # pages stored count, even when Ctrl-C cut the batch short
                        total.add(batch)
                    progress("idle", {"report": total})
                    continue
                time.sleep(poll)
        except KeyboardInterrupt:
            pass
    total.issues = len(total.issue_ids)
    total.seconds = time.perf_counter() - started
    return total


def _issues(folder: Path, taken: set[Path]):
    """The issues under ``folder``, each keeping only its files already taken."""
    issues = []
    for issue in discover([folder]):
        issue.files = [f for f in issue.files if f in taken]
        if issue.files:
            issues.append(issue)
    return issues
