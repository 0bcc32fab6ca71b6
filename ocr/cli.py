"""The command line: ``ocr process``, ``ocr status``, ``ocr retry``, ``ocr export json``,
``ocr models``. The only place where errors become exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import OcrError, PagesFailed

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
    state = {"task": None, "failed": 0, "done": 0, "start": None}

    def on_event(event: str, data: dict) -> None:
        import time

        if event == "start":
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

    return on_event, bar.stop


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@click.option(
    "--pages-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where deskewed page images are kept [default: pages/ beside the database].",
)
@click.option("--dpi", default=300, show_default=True, help="Rasterization DPI for PDFs.")
@click.option(
    "--jobs", "-j", default=1, show_default=True, help="Worker processes (each loads the models)."
)
@click.option(
    "--models",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A folder holding a *_det and a *_rec PaddleX model folder [default: PP-OCRv6 small].",
)
@click.option("--redo", is_flag=True, help="Process pages again even if already done.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option(
    "--log-json",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append one JSON record per processed page to this file.",
)
def process(paths, db, pages_dir, dpi, jobs, models, redo, quiet, log_json):
    """Process scans (PDFs, folders of images, single images) into the archive.

    A PDF is one issue; a folder of images is one issue (pages in natural order);
    a single image is a one-page issue. Pages already done with the same models and
    settings are skipped, so an interrupted run resumes where it stopped.

    Example: ocr process scans/ --db output/archive.db --jobs 2
    """
    from . import store
    from .batch import BatchOptions, run

    options = BatchOptions(
        db=db,
        pages_dir=pages_dir or db.parent / "pages",
        dpi=dpi,
        jobs=jobs,
        models=models,
        redo=redo,
        log_json=log_json,
    )
    on_event, stop = _progress(quiet)
    try:
        report = run(list(paths), options, on_event)
    finally:
        stop()
    database = store.open_db(db)
    s = store.summary(database, report.issue_ids)
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


@cli.command()
@db_option
def status(db):
    """Pages by state, and every failed page with its reason.

    Example: ocr status --db output/archive.db
    """
    from . import store

    database = _existing(db)
    counts = store.status_counts(database)
    click.echo(" ".join(f"{k}={counts.get(k, 0)}" for k in ("done", "pending", "failed")))
    for row in store.failures(database):
        click.echo(f"failed: {row['error']}")


@cli.command()
@db_option
@click.option("--jobs", "-j", default=1, show_default=True, help="Worker processes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def retry(db, jobs, quiet):
    """Process the failed pages again (their source files must still be there).

    Example: ocr retry --db output/archive.db
    """
    from .batch import BatchOptions, run

    database = _existing(db)
    sources = sorted(
        {
            r["source"]
            for r in database.query(
                "SELECT source FROM issues i WHERE EXISTS "
                "(SELECT 1 FROM pages p WHERE p.issue_id = i.id "
                "AND p.status = 'failed')"
            )
        }
    )
    dpi_row = database.execute("SELECT max(dpi) FROM pages").fetchone()
    database.conn.close()
    if not sources:
        click.echo("no failed pages")
        return
    options = BatchOptions(db=db, pages_dir=db.parent / "pages", dpi=dpi_row[0] or 300, jobs=jobs)
    on_event, stop = _progress(quiet)
    try:
        report = run([Path(s) for s in sources], options, on_event)
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
    from .export import export_json

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
    from .models import load_model_set

    ms = load_model_set(models)
    for key, value in ms.provenance().items():
        click.echo(f"{key}: {value}")
    click.echo(f"det_dir: {ms.det_dir}")
    click.echo(f"rec_dir: {ms.rec_dir}")


def _existing(db: Path):
    from . import store
    from .errors import StoreError

    if not db.exists():
        raise StoreError(f"{db}: no archive database there (run 'ocr process' first)")
    return store.open_db(db)


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
