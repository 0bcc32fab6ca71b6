"""The progress displays of ``ocr process``, ``ocr retry`` and ``ocr export``: bars on stderr."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def progress_display(quiet: bool) -> tuple[Callable[[str, dict], None], Callable[[], None]]:
    """(the batch's progress callback, what stops the display); nothing when ``quiet``."""
    if quiet:
        return (lambda event, data: None), (lambda: None)
    display = ProgressDisplay()
    return display, display.stop


class ProgressDisplay:
    """A progress bar on stderr: pages done/total, pages per minute, ETA, failures.

    Before the pages, the scans are checked (hashed, pages counted), which takes a
    while on a first run over a large share: a bar of scans checked shows it, so a
    long start is not silent."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.console = Console(stderr=True)
        self.pages = Progress(
            TextColumn("[bold]pages"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} pages/min"),
            TimeRemainingColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            console=self.console,
            transient=False,
        )
        self.scans = Progress(
            TextColumn("[bold]scans"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("checked ({task.fields[hashed]} read)"),
            console=self.console,
            transient=False,
        )
        self.pages_task: Any = None
        self.scans_task: Any = None
        self.failed = 0
        self.done = 0
        self.started: float | None = None

    def __call__(self, event: str, data: dict) -> None:
        if event == "plan":
            self._scan_checked(data)
            return
        if event == "start" and self.scans_task is not None:
            self.scans.stop()
            self.scans_task = None
        if event == "start":
            self._start(data)
        elif event == "page":
            self._page(data)
        elif event == "left" and self.pages_task is not None:  # to another batch
            self.pages.update(self.pages_task, advance=data["running"] + data["skipped"])
        elif event == "end":
            self.pages.stop()

    def stop(self) -> None:
        self.scans.stop()
        self.pages.stop()

    def _scan_checked(self, data: dict) -> None:
        if self.scans_task is None:
            self.scans.start()
            self.scans_task = self.scans.add_task("scans", total=data["total"], hashed=0)
        self.scans.update(self.scans_task, completed=data["done"], hashed=data["hashed"])

    def _start(self, data: dict) -> None:
        if self.pages_task is None:
            self.pages.start()
            self.started = time.monotonic()
            self.failed = data["failed"]
            self.pages_task = self.pages.add_task(
                "pages",
                total=data["total"],
                completed=data["skipped"] + data["failed"],
                rate="-",
                failed=self.failed,
            )
            return
        # Another batch of a watched folder: its pages join the bar.
        self.failed += data["failed"]
        task = self.pages.tasks[0]
        self.pages.update(
            self.pages_task,
            total=(task.total or 0) + data["todo"] + data["failed"],
            advance=data["failed"],
            failed=self.failed,
        )

    def _page(self, data: dict) -> None:
        self.done += 1
        if data["status"] != "done":
            self.failed += 1
            self.console.print(f"[red]failed:[/red] {data['error']}")
        minutes = (time.monotonic() - self.started) / 60
        rate = f"{self.done / minutes:.1f}" if minutes > 0 else "-"
        self.pages.update(self.pages_task, advance=1, rate=rate, failed=self.failed)


def export_progress(
    quiet: bool, fmt: str
) -> tuple[Callable[[str, dict], None], Callable[[], None]]:
    """(the export's progress callback, what stops the display): a bar over issues on
    stderr, written and unchanged; nothing when ``quiet``."""
    if quiet:
        return (lambda event, data: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn(f"[bold]{fmt} issues"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unchanged]} unchanged"),
        console=Console(stderr=True),
        transient=False,
    )
    state: dict[str, Any] = {"task": None, "unchanged": 0}

    def show(event: str, data: dict) -> None:
        if event == "start":
            bar.start()
            state["task"] = bar.add_task(fmt, total=data["total"], unchanged=0)
        elif event == "issue":
            state["unchanged"] += 0 if data["written"] else 1
            bar.update(state["task"], advance=1, unchanged=state["unchanged"])
        elif event == "end":
            bar.stop()

    return show, bar.stop
