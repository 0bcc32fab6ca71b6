"""The command line: ``ocr process``, ``ocr status``, ``ocr retry``, ``ocr export json``,
``ocr models``. The only place where errors become exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ocr import __version__
from ocr.errors import OcrError, PagesFailed
from ocr.recognize.script import DEFAULT_SCRIPT, SCRIPTS

DEFAULT_DB = Path("output/archive.db")

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The archive database (SQLite).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ocr")
def cli() -> None:
    """Turn newspaper scans into a searchable archive.

    Example: ocr process scans/ && ocr export json
    """


def _progress(quiet: bool):
    """A progress bar on stderr: pages done/total, pages per minute, ETA, failures."""
    if quiet:
        return (lambda event, data: None), (lambda: None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]pages"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} pages/min"),
        TimeRemainingColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        console=console,
        transient=False,
    )
    # Before the pages: the scans are checked (hashed, pages counted), which takes a
    # while on a first run over a large share; shown so a long start is not silent.
    plan = Progress(
        TextColumn("[bold]scans"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("checked ({task.fields[hashed]} read)"),
        console=console,
        transient=False,
    )
    state = {"task": None, "failed": 0, "done": 0, "start": None, "plan": None}

    def on_event(event: str, data: dict) -> None:
        import time

        if event == "plan":
            if state["plan"] is None:
                plan.start()
                state["plan"] = plan.add_task("scans", total=data["total"], hashed=0)
            plan.update(state["plan"], completed=data["done"], hashed=data["hashed"])
            return
        if event == "start" and state["plan"] is not None:
            plan.stop()
            state["plan"] = None
        if event == "start" and state["task"] is None:
            bar.start()
            state["start"] = time.monotonic()
            state["failed"] = data["failed"]
            state["task"] = bar.add_task(
                "pages",
                total=data["total"],
                completed=data["skipped"] + data["failed"],
                rate="-",
                failed=state["failed"],
            )
        elif event == "start":  # another batch of a watched folder
            state["failed"] += data["failed"]
            task = bar.tasks[0]
            bar.update(
                state["task"],
                total=(task.total or 0) + data["todo"] + data["failed"],
                advance=data["failed"],
                failed=state["failed"],
            )
        elif event == "page":
            state["done"] += 1
            if data["status"] != "done":
                state["failed"] += 1
                console.print(f"[red]failed:[/red] {data['error']}")
            minutes = (time.monotonic() - state["start"]) / 60
            rate = f"{state['done'] / minutes:.1f}" if minutes > 0 else "-"
            bar.update(state["task"], advance=1, rate=rate, failed=state["failed"])
        elif event == "end":
            bar.stop()

    def stop() -> None:
        plan.stop()
        bar.stop()

    return on_event, stop


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
            type=click.Choice(EXECUTOR_CHOICES),
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


EXECUTOR_CHOICES = ("local", "dask", "inline")


def _batch_options(db, jobs, threads, page_timeout, recycle_after, executor, scheduler, **kw):
    from ocr.batch.run import BatchOptions, default_jobs

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


@cli.command()
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
    from ocr import archive
    from ocr.batch.run import run as run_batch

    if not paths and watch is None:
        raise click.UsageError("give scans to process (PATH...) or a folder to --watch")
    options = _batch_options(
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
    on_event, stop = _progress(quiet)
    try:
        if paths:
            report = run_batch(list(paths), options, on_event)
        if watch is not None:
            report = _watch(
                watch,
                options,
                on_event,
                watch_settle,
                watch_poll,
                watch_seconds,
                watch_limit,
                report if paths else None,
            )
    finally:
        stop()
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
    if report.failed:
        raise PagesFailed(f"{report.failed} page(s) failed; see 'ocr status', then 'ocr retry'")


def _watch(folder, options, on_event, settle, poll, seconds, limit, before):
    """``process --watch``: until Ctrl-C (or, for tests, a time or page limit)."""
    import time

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


@cli.command()
@db_option
@click.option("--limit", default=20, show_default=True, help="How many conflicts to list.")
def status(db, limit):
    """Pages by state, every failed page with its reason, and corrections that the
    latest OCR reads differently (the correction is kept, the new reading beside it).

    Example: ocr status --db output/archive.db
    """
    from ocr import archive

    database = _existing(db)
    counts = archive.status_counts(database)
    click.echo(" ".join(f"{k}={counts.get(k, 0)}" for k in ("done", "pending", "failed")))
    for row in archive.failures(database):
        click.echo(f"failed: {row['error']}")
    corrected, differing = archive.count_conflicts(database)
    click.echo(
        f"corrected lines={corrected}, of which the latest OCR reads differently={differing}"
    )
    for row in archive.conflicts(database, limit):
        click.echo(
            f"conflict: {row['source']} page {row['page_index'] + 1} line {row['ord']}: "
            f"kept {row['text']!r}, OCR {row['ocr_text']!r}"
        )
    if differing > limit:
        click.echo(f"... and {differing - limit} more")
    database.conn.close()


@cli.command()
@db_option
@run_options
def retry(db, quiet, log_json, engine, **run):
    """Process the failed pages again (their source files must still be there), with
    the DPI, models and script their batch used.

    Example: ocr retry --db output/archive.db
    """
    from ocr import archive
    from ocr.batch.run import run as run_batch

    database = _existing(db)
    sources = archive.sources_with_failures(database)
    highest_dpi = archive.highest_dpi(database)
    used = archive.retry_settings(database)  # the models and script of the failed batch
    database.conn.close()
    if not sources:
        click.echo("no failed pages")
        return
    models = used.get("models")
    options = _batch_options(
        db,
        pages_dir=db.parent / "pages",
        dpi=used.get("dpi") or highest_dpi or 300,
        models=None if models in (None, "default") else models,
        script=used.get("script", DEFAULT_SCRIPT),
        log_json=log_json,
        engine=engine,
        **run,
    )
    on_event, stop = _progress(quiet)
    try:
        report = run_batch([Path(s) for s in sources], options, on_event)
    finally:
        stop()
    click.echo(f"retried: {report.done} processed, {report.failed} still failed")
    if report.failed:
        raise PagesFailed(f"{report.failed} page(s) still failed")


@cli.group()
def export():
    """Export the archive."""


@export.command("json")
@db_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output/export"),
    show_default=True,
    help="Folder for the JSON files (one per issue).",
)
def export_json_cmd(db, out):
    """One JSON file per issue: pages, regions, lines and articles with scan coordinates.

    Example: ocr export json --db output/archive.db --out output/export
    """
    from ocr.export.jsondoc import export_json

    database = _existing(db)
    for path in export_json(database, out):
        click.echo(str(path))


@cli.command()
@click.option(
    "--models",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A folder of PaddleX model folders to check instead of the default models.",
)
def models(models):
    """Assemble (offline) and verify the OCR model folders; print where they are.

    Example: ocr models
    """
    from ocr.recognize.model_files import load_model_set

    ms = load_model_set(models)
    for key, value in ms.provenance().items():
        click.echo(f"{key}: {value}")
    click.echo(f"det_dir: {ms.det_dir}")
    click.echo(f"rec_dir: {ms.rec_dir}")


def _existing(db: Path):
    from ocr import archive
    from ocr.errors import StoreError

    if not db.exists():
        raise StoreError(f"{db}: no archive database there (run 'ocr process' first)")
    return archive.open_db(db)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="ocr", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OcrError as exc:
        click.echo(f"ocr: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: pages stored so far are kept; run again to resume", err=True)
        sys.exit(130)


@cli.command("articles")
@db_option
@click.option(
    "--issue",
    "issue_ids",
    type=int,
    multiple=True,
    help="Only this issue (its id; repeatable). Default: every issue.",
)
def articles_cmd(db, issue_ids):
    """Assemble the articles again from the stored lines, reviewer corrections
    included, without running OCR; also sets each issue's title, date, number and page
    flags from what its pages say.

    Example: ocr articles --db output/archive.db --issue 1
    """
    import json

    from ocr import archive
    from ocr.batch.assemble import assemble_issue
    from ocr.errors import InputError

    database = _existing(db)
    known = archive.issue_ids(database)
    missing = [i for i in issue_ids if i not in known]
    if missing:
        raise InputError(str(db), f"no issue {', '.join(map(str, missing))}")
    for issue_id in issue_ids or known:
        n = assemble_issue(database, issue_id)
        issue = archive.issue_row(database, issue_id)
        joined = archive.articles_across_pages(database, issue_id)
        flags = json.loads(issue["flags"] or "[]")
        click.echo(
            f"issue {issue_id} ({issue['title']}, {issue['date'] or 'no date'}"
            f"{', no. ' + str(issue['number']) if issue['number'] is not None else ''}): "
            f"{n} articles, {joined} across pages"
            + (f"; flags: {'; '.join(flags)}" if flags else "")
        )
