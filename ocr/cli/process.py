"""``ocr process`` and ``ocr retry``: run pages into the archive, with their shared options."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ocr.batch.executors import EXECUTORS
from ocr.cli.common import db_option, open_existing
from ocr.cli.progress import progress_display
from ocr.errors import PagesFailed, PagesSuspect
from ocr.recognize.script import DEFAULT_SCRIPT, SCRIPTS


def run_options(command):
    """Options shared by ``ocr process`` and ``ocr retry``: how pages are run."""
    options = [
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes, each loading the models once [default: one per core].",
        ),
        click.option(
            "--threads",
            type=click.IntRange(min=1),
            default=None,
            help="Engine threads per worker [default: cores / jobs; 1 on Dask].",
        ),
        click.option(
            "--page-timeout",
            type=click.FloatRange(min=0),
            default=600,
            show_default=True,
            help="Seconds a page may take; a page over it fails and its worker is "
            "replaced (0: no limit).",
        ),
        click.option(
            "--recycle-after",
            type=click.IntRange(min=1),
            default=50,
            show_default=True,
            help="Pages per worker process before it is replaced (memory stays flat).",
        ),
        click.option(
            "--executor",
            type=click.Choice(EXECUTORS),
            default="local",
            show_default=True,
            help="local: worker processes here; dask: a Dask cluster (--scheduler); "
            "inline: in this process, no timeout (debugging).",
        ),
        click.option(
            "--scheduler",
            default=None,
            metavar="tcp://HOST:PORT",
            help="The Dask scheduler for --executor dask.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
        click.option(
            "--log-json",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Append one JSON record per processed page to this file.",
        ),
        # The OCR engine as module:Class (tests use a fault-injection fake).
        click.option("--engine", default=None, hidden=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def batch_options(db, jobs, threads, page_timeout, recycle_after, executor, scheduler, **kw):
    """The :class:`~ocr.batch.options.BatchOptions` of the run options and ``kw``."""
    from ocr.batch.options import BatchOptions, default_jobs

    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler tcp://HOST:PORT")
    return BatchOptions(
        db=db,
        jobs=jobs or default_jobs(),
        threads=threads,
        page_timeout=page_timeout or None,
        recycle_after=recycle_after,
        executor=executor,
        scheduler=scheduler,
        **kw,
    )


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@db_option
@click.option(
    "--pages-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where deskewed page images are kept [default: pages/ beside the database].",
)
@click.option("--dpi", default=300, show_default=True, help="Rasterization DPI for PDFs.")
@click.option(
    "--models",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A folder holding a *_det and a *_rec PaddleX model folder [default: PP-OCRv6 small].",
)
@click.option(
    "--script",
    type=click.Choice(SCRIPTS),
    default=DEFAULT_SCRIPT,
    show_default=True,
    help="simplified: traditional forms the recognizer reads now and then are turned "
    "into simplified ones (OpenCC t2s; a paper printed in simplified characters); "
    "as-read: keep the recognizer's reading.",
)
@click.option("--redo", is_flag=True, help="Process pages again even if already done.")
@click.option(
    "--watch",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Keep watching DIR (a scanner's hot folder) and process scans as they arrive; "
    "Ctrl-C stops.",
)
@click.option("--watch-settle", type=float, default=2.0, hidden=True)
@click.option("--watch-poll", type=float, default=1.0, hidden=True)
@click.option("--watch-seconds", type=float, default=None, hidden=True)
@click.option("--watch-limit", type=int, default=None, hidden=True)
@run_options
def process(
    paths,
    db,
    pages_dir,
    dpi,
    models,
    script,
    redo,
    watch,
    watch_settle,
    watch_poll,
    watch_seconds,
    watch_limit,
    quiet,
    log_json,
    engine,
    **run,
):
    """Process scans (PDFs, folders of images, single images) into the archive.

    A PDF is one issue; a folder of images is one issue (pages in natural order);
    a single image is a one-page issue. Pages already done with the same models and
    settings are skipped, so an interrupted run resumes where it stopped. Pages run
    in --jobs worker processes (or on a Dask cluster); a page that crashes its worker
    or runs over --page-timeout fails alone.

    Example: ocr process scans/ --db output/archive.db --jobs 2

    Example: ocr process --watch /srv/hotfolder --db output/archive.db
    """
    from ocr.batch.run import run as run_batch

    if not paths and watch is None:
        raise click.UsageError("give scans to process (PATH...) or a folder to --watch")
    options = batch_options(
        db,
        pages_dir=pages_dir or db.parent / "pages",
        dpi=dpi,
        models=models,
        script=script,
        redo=redo,
        log_json=log_json,
        engine=engine,
        **run,
    )
    on_event, stop = progress_display(quiet)
    try:
        if paths:
            report = run_batch(list(paths), options, on_event)
        if watch is not None:
            limits = (watch_settle, watch_poll, watch_seconds, watch_limit)
            report = _watch(watch, options, on_event, *limits, report if paths else None)
    finally:
        stop()
    _print_summary(db, report)
    if report.failed:
        raise PagesFailed(f"{report.failed} page(s) failed; see 'ocr status', then 'ocr retry'")
    _raise_if_suspect(report)


def _watch(folder, options, on_event, settle, poll, seconds, limit, before):
    """``process --watch``: until Ctrl-C (or, for tests, a time or page limit)."""
    from ocr.batch.watch import watch

    deadline = time.monotonic() + seconds if seconds else None

    def stop(report) -> bool:
        if limit is not None and report.done + report.failed >= limit:
            return True
        return deadline is not None and time.monotonic() >= deadline

    def events(event: str, data: dict) -> None:
        if event != "end":  # the bar stays up between arrivals
            on_event(event, data)

    click.echo(f"watching {folder} (Ctrl-C stops)", err=True)
    report = watch(folder, options, events, settle=settle, poll=poll, stop=stop)
    if before is not None:
        before.add(report)
        before.seconds += report.seconds
        report = before
    return report


def _print_summary(db: Path, report) -> None:
    """What the batch did, what the archive now holds, and every page that failed."""
    from ocr import archive

    database = archive.open_db(db)
    s = archive.summary(database, report.issue_ids)
    database.conn.close()
    conf = f"{s['confidence']:.3f}" if s["confidence"] is not None else "-"
    spp = f"{s['seconds_per_page']:.1f}" if s["seconds_per_page"] is not None else "-"
    click.echo(
        f"{report.issues} issue(s), {report.pages} page(s): {report.done} processed, "
        f"{report.skipped} already done, {report.failed} failed in {report.seconds:.1f} s"
    )
    click.echo(
        f"archive {db}: {s['pages']} pages, {s['lines']} lines, {s['characters']} characters, "
        f"mean confidence {conf}, {spp} s/page"
    )
    for failure in report.failures:
        click.echo(f"failed: {failure}", err=True)
    _print_suspects_and_running(report)


@click.command()
@db_option
@click.option(
    "--suspect",
    is_flag=True,
    help="Process the pages stored as suspect (read implausibly) again instead.",
)
@run_options
def retry(db, suspect, quiet, log_json, engine, **run):
    """Process the failed pages again (their source files must still be there), with
    the DPI, models and script their batch used; with --suspect, the suspect pages.

    Example: ocr retry --db output/archive.db

    Example: ocr retry --suspect --db output/archive.db
    """
    from ocr import archive
    from ocr.batch.run import run as run_batch

    database = open_existing(db)
    sources = (archive.sources_with_suspects if suspect else archive.sources_with_failures)(
        database
    )
    highest_dpi = archive.highest_dpi(database)
    used = archive.retry_settings(database)  # the models and script of the failed batch
    database.conn.close()
    if not sources:
        click.echo("no suspect pages" if suspect else "no failed pages")
        return
    models = used.get("models")
    options = batch_options(
        db,
        pages_dir=db.parent / "pages",
        dpi=used.get("dpi") or highest_dpi or 300,
        models=None if models in (None, "default") else models,
        script=used.get("script", DEFAULT_SCRIPT),
        log_json=log_json,
        engine=engine,
        retry_suspect=suspect,
        **run,
    )
    on_event, stop = progress_display(quiet)
    try:
        report = run_batch([Path(s) for s in sources], options, on_event)
    finally:
        stop()
    click.echo(f"retried: {report.done} processed, {report.failed} still failed")
    _print_suspects_and_running(report)
    if report.failed:
        raise PagesFailed(f"{report.failed} page(s) still failed")
    _raise_if_suspect(report)


def _print_suspects_and_running(report) -> None:
    """The summary's lines for pages stored as suspect and pages left to another batch."""
    if report.suspect:
        click.echo(f"{report.suspect} page(s) stored as suspect (their reading is implausible):")
        for line in report.suspects:
            click.echo(f"suspect: {line}")
    if report.running:
        click.echo(f"{report.running} page(s) left to another batch running on this archive")


def _raise_if_suspect(report) -> None:
    if report.suspect:
        raise PagesSuspect(
            f"{report.suspect} page(s) stored as suspect; see 'ocr status', "
            "then 'ocr retry --suspect' once the scans are fixed"
        )
