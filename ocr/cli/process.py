"""``ocr process`` and ``ocr retry``: run pages into the archive, with their shared options."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ocr.batch.executors import EXECUTORS
from ocr.cli.common import db_option, open_existing, writable_file, writable_folder
from ocr.cli.progress import progress_display
from ocr.errors import Interrupted, PagesFailed, PagesSuspect
from ocr.pipeline import DEFAULT_SCRIPT, SCRIPT_CHOICES
from ocr.recognize.read import DEFAULT_DETECT, DETECT_MODES, detect_mode


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


# The preparation steps that can be turned off (ocr.scan.prepare.PrepareOptions).
PREPARE_STEPS = {
    "orient": "Do not test whether pages are turned by 90, 180 or 270 degrees.",
    "split": "Do not split two-page spreads into their pages.",
    "outline": "Do not look for a photo's page outline (perspective correction).",
    "unwarp": "Do not flatten curled pages (their text rows made straight).",
    "scale": "Do not rescale pages for the size of their type.",
    "deskew": "Do not deskew pages.",
    "clean": "Do not even out the paper (uneven light, yellowing, show-through).",
}


def prepare_options(command):
    """``--no-orient``, ``--no-split``, ...: the preparation steps that can be turned off
    (read back with :func:`steps_off`)."""
    for name, text in reversed(PREPARE_STEPS.items()):
        command = click.option(f"--no-{name}", f"no_{name}", is_flag=True, help=text)(command)
    return command


def steps_off(run: dict) -> dict[str, bool]:
    """The preparation steps turned off, taken out of the command's keyword ``run``."""
    return {name: False for name in PREPARE_STEPS if run.pop(f"no_{name}", False)}


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
    type=click.Choice(SCRIPT_CHOICES),
    default=DEFAULT_SCRIPT,
    show_default=True,
    help="auto: each page kept in the script it is printed in (traditional kept as "
    "read; on a simplified page the traditional forms the recognizer reads now and then "
    "become simplified); simplified: every page made simplified (OpenCC t2s); as-read: "
    "keep the recognizer's reading.",
)
@click.option(
    "--detect",
    type=click.Choice(DETECT_MODES),
    default=DEFAULT_DETECT,
    show_default=True,
    help="page (lines first): text lines detected over the whole page at the body text's "
    "scale, cut at the gutters their neighbours agree on, then given to the layout's "
    "blocks; block: lines detected block by block at full resolution (faster).",
)
@click.option("--redo", is_flag=True, help="Process pages again even if already done.")
@prepare_options
@click.option(
    "--paper",
    default=None,
    metavar="NAME",
    help="The newspaper's name, stored in the archive: its issues are titled by it, and a "
    "masthead is taken as the title only when it reads (nearly) as a name the archive knows.",
)
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
    detect,
    redo,
    paper,
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
    from ocr.scan.load import discover

    if not paths and watch is None:
        raise click.UsageError("give scans to process (PATH...) or a folder to --watch")
    issues = discover(list(paths))  # a path that is not there: nothing created yet
    steps = steps_off(run)
    options = batch_options(
        db,
        pages_dir=pages_dir or db.parent / "pages",
        dpi=dpi,
        models=models,
        script=script,
        detect=detect,
        redo=redo,
        prepare=steps,
        log_json=log_json,
        engine=engine,
        **run,
    )
    _prepare(options, paper)
    limits = (watch_settle, watch_poll, watch_seconds, watch_limit)
    report = _run_batch(options, quiet, issues, watch, limits)
    _print_summary(db, report)
    if report.failed:
        raise PagesFailed(f"{report.failed} page(s) failed; see 'ocr status', then 'ocr retry'")
    _raise_if_suspect(report)


def _prepare(options, paper: str | None = None) -> None:
    """Before the first page: the archive opens (and is not from a newer version), the
    paper's name is stored, and the page images folder and the log can be written."""
    from ocr import archive

    database = archive.open_db(options.db)
    try:
        if paper:
            archive.name_paper(database, paper)
    finally:
        database.conn.close()
    if options.pages_dir is not None:
        writable_folder(options.pages_dir, "--pages-dir")
    if options.log_json is not None:
        writable_file(options.log_json, "--log-json")


def _run_batch(options, quiet: bool, issues: list, watch=None, limits=()):
    """Run ``issues`` (then watch the folder ``watch``) with a progress display. Ctrl-C
    stops it with the summary of what was stored and an :class:`Interrupted`."""
    from ocr.batch.options import BatchReport
    from ocr.batch.run import open_executor, run_issues

    report = BatchReport()  # filled in as pages are stored, so Ctrl-C keeps the count
    started = time.perf_counter()
    on_event, stop = progress_display(quiet)
    try:
        if issues:
            with open_executor(options) as executor:
                run_issues(issues, options, executor, on_event, report=report)
        if watch is not None:
            _watch(watch, options, on_event, *limits, report)
    except KeyboardInterrupt:
        stop()
        report.seconds = time.perf_counter() - started
        _print_summary(options.db, report)
        raise Interrupted(
            f"interrupted: {report.done} page(s) of this run are stored; "
            "run the same command again to resume"
        ) from None
    finally:
        stop()
    return report


def _watch(folder, options, on_event, settle, poll, seconds, limit, report):
    """``process --watch``: until Ctrl-C (or, for tests, a time or page limit); what it
    does is added to ``report``."""
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
    watched = watch(folder, options, events, settle=settle, poll=poll, stop=stop)
    report.add(watched)
    report.seconds += watched.seconds


def _print_summary(db: Path, report) -> None:
    """What the batch did, what its issues now hold, what the whole archive holds, and
    every page that failed."""
    from ocr import archive

    database = archive.open_db(db)
    s = archive.summary(database, report.issue_ids) if report.issue_ids else None
    whole = archive.summary(database)
    issues = len(archive.issue_ids(database))
    database.conn.close()
    click.echo(
        f"{report.issues} issue(s), {report.pages} page(s): {report.done} processed, "
        f"{report.skipped} already done, {report.failed} failed in {report.seconds:.1f} s"
    )
    if s is not None:
        conf = f"{s['confidence']:.3f}" if s["confidence"] is not None else "-"
        spp = f"{s['seconds_per_page']:.1f}" if s["seconds_per_page"] is not None else "-"
        click.echo(
            f"this run's issue(s): {s['pages']} page(s) done, {s['lines']} lines, "
            f"{s['characters']} characters, mean confidence {conf}, {spp} s/page"
        )
    click.echo(
        f"the whole archive {db}: {issues} issue(s), {whole['pages']} page(s) done, "
        f"{whole['failed']} failed"
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
    """Process the failed pages again, with the DPI, models and script their batch used;
    with --suspect, the pages stored as suspect. An issue is run again only when all its
    scans are still where they were; the failed pages of any other issue are reported
    and left failed.

    Example: ocr retry --db output/archive.db

    Example: ocr retry --suspect --db output/archive.db
    """
    from ocr import archive
    from ocr.scan.load import discover

    database = open_existing(db)
    if suspect:
        pending = sources = archive.sources_with_suspects(database)
        cannot: list[str] = []
    else:
        pending = archive.failures(database)
        sources, cannot = _retryable(pending, archive.failed_issue_files(database))
    highest_dpi = archive.highest_dpi(database)
    used = archive.retry_settings(database)  # the models and script of the failed batch
    database.conn.close()
    if not pending:
        click.echo("no suspect pages" if suspect else "no failed pages")
        return
    for message in cannot:
        click.echo(f"cannot retry: {message}", err=True)
    models = used.get("models")
    options = batch_options(
        db,
        pages_dir=db.parent / "pages",
        dpi=used.get("dpi") or highest_dpi or 300,
        models=None if models in (None, "default") else models,
        script=used.get("script", DEFAULT_SCRIPT),
        prepare=used.get("prepare") or {},
        detect=detect_mode(used),
        log_json=log_json,
        engine=engine,
        retry_suspect=suspect,
        **run,
    )
    _prepare(options)
    report = _run_batch(options, quiet, discover([Path(s) for s in sources]))
    click.echo(
        f"retried: {report.done} processed, {report.failed} still failed"
        + (f", {len(cannot)} not retried (scan not found)" if cannot else "")
    )
    _print_suspects_and_running(report)
    if report.failed or cannot:
        raise PagesFailed(f"{report.failed + len(cannot)} page(s) still failed")
    _raise_if_suspect(report)


def _retryable(failed: list[dict], files: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(the issues to run again, why each other failed page cannot be retried). An issue
    with a scan gone is left alone: running it again would renumber its pages."""
    gone = {f for fs in files.values() for f in fs if not Path(f).exists()}
    blocked = {
        issue: ([f for f in fs if f in gone] or [issue])[0]
        for issue, fs in files.items()
        if not Path(issue).exists() or gone & set(fs)
    }
    issue_of = {f: issue for issue, fs in files.items() for f in fs}
    cannot = []
    for page in failed:
        where = f"{page['source']} page {page['page_index'] + 1}"
        if not Path(page["source"]).exists():
            cannot.append(
                f"{where}: the file is not there any more "
                "(moved? run 'ocr process' on it where it is now)"
            )
        elif issue_of.get(page["source"]) in blocked:
            cannot.append(
                f"{where}: {blocked[issue_of[page['source']]]} of its issue is not there "
                "any more (running the issue again would renumber its pages)"
            )
    return [issue for issue in files if issue not in blocked], cannot


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
