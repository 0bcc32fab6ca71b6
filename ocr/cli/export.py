"""``ocr export FORMAT``: the archive written out, one command per format of
``ocr.export.formats`` (``json``, ``alto``, ``hocr``, ``pdf``, ``text``, ``markdown``,
``iiif``, ``site``), each incremental (only changed issues are written, and a format's
archive-wide files only when an issue was)."""

from __future__ import annotations

from pathlib import Path

import click

from ocr.cli.common import db_option, open_existing
from ocr.cli.progress import export_progress
from ocr.errors import InputError
from ocr.export.formats import FORMATS, Format


@click.group()
def export():
    """Export the archive: ocr export FORMAT [--db] [--out] [--issue ID].

    Only issues whose pages, lines or articles changed since the last export into the
    same folder are written again (--force writes all).

    Example: ocr export json --db output/archive.db --out output/export
    """


def _command(fmt: Format) -> click.Command:
    """The ``ocr export NAME`` command of one format: the common options, then its own."""

    def run(db, out, issue, force, quiet, **options):
        from ocr.export.incremental import run_export

        database = open_existing(db)
        show, stop = export_progress(quiet, fmt.name)
        try:
            report = run_export(database, fmt, out, list(issue), options, force, show)
        finally:
            stop()
        for path in report.written:
            click.echo(str(path))
        for warning in report.warnings:
            click.echo(f"ocr: warning: {warning}", err=True)
        for _, why in report.failed:
            click.echo(f"ocr: not exported: {why}", err=True)
        if not quiet:
            failed = f", {len(report.failed)} failed" if report.failed else ""
            whole = ", the archive's own files again" if report.archive_written else ""
            click.echo(
                f"{fmt.name}: {len(report.issues_written)} issue(s) written, "
                f"{len(report.issues_unchanged)} unchanged{failed}{whole}, in {out}",
                err=True,
            )
        if report.failed:
            raise InputError(f"{len(report.failed)} issue(s)", "not exported (see above)")

    run.__doc__ = f"{fmt.help}\n\nExample: ocr export {fmt.name} --db output/archive.db"
    for opt in reversed(fmt.options):
        kind = click.Choice(opt.choices) if opt.choices else opt.type
        if opt.minimum is not None:
            kind = click.IntRange(min=opt.minimum)
        run = click.option(
            f"--{opt.name.replace('_', '-')}",
            opt.name,
            type=kind,
            default=opt.default,
            show_default=True,
            help=opt.help,
        )(run)
    run = click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")(run)
    run = click.option("--force", is_flag=True, help="Write every issue, changed or not.")(run)
    run = click.option(
        "--issue",
        type=int,
        multiple=True,
        help="Only this issue (its id; repeat for more). Default: every issue.",
    )(run)
    run = click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=fmt.out_dir(),
        show_default=True,
        help="The folder to write into.",
    )(run)
    return click.command(fmt.name)(db_option(run))


for _fmt in FORMATS.values():
    export.add_command(_command(_fmt))
