"""``ocr export FORMAT``: the archive written out, one command per format of
``ocr.export.formats`` (``json``, ``alto``, ``hocr``, ``pdf``), each incremental (only
changed issues are written); ``text``, ``markdown``, ``iiif`` and ``site`` are commands
of their own below (written whole each time)."""

from __future__ import annotations

from pathlib import Path

import click

from ocr.cli.common import db_option, open_existing, writable_folder
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
            click.echo(
                f"{fmt.name}: {len(report.issues_written)} issue(s) written, "
                f"{len(report.issues_unchanged)} unchanged{failed}, in {out}",
                err=True,
            )
        if report.failed:
            raise InputError(f"{len(report.failed)} issue(s)", "not exported (see above)")

    run.__doc__ = f"{fmt.help}\n\nExample: ocr export {fmt.name} --db output/archive.db"
    for opt in reversed(fmt.options):
        run = click.option(
            f"--{opt.name.replace('_', '-')}",
            opt.name,
            type=click.Choice(opt.choices) if opt.choices else opt.type,
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


# -- text, markdown, iiif, site -----------------------------------------------------------

issue_option = click.option(
    "--issue", "issues", type=int, multiple=True, help="Only this issue (by id; repeatable)."
)


def _out_option(default: str, what: str):
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path(default),
        show_default=True,
        help=f"Folder for {what}.",
    )


def _run_over_issues(database, issues, label: str, write, out: Path) -> list[Path]:
    """``write(issue_ids, progress)`` with a progress bar over the issues on stderr,
    once ``out`` is known to be writable."""
    import sys

    from ocr import archive

    writable_folder(out, "--out")

    ids = list(issues) or archive.issue_ids(database)
    with click.progressbar(length=len(ids), label=label, file=sys.stderr) as bar:
        return write(ids, lambda _issue: bar.update(1))


def _articles_command(fmt: str, what: str, example: str):
    """``ocr export text`` and ``ocr export markdown``: one file per article."""

    @export.command(fmt, help=f"{what}\n\nExample: {example}")
    @db_option
    @_out_option(f"output/{fmt}", f"the {fmt} files (a folder per issue, a file per article)")
    @issue_option
    def command(db, out, issues):
        from ocr.export.text import export_articles

        database = open_existing(db)
        paths = _run_over_issues(
            database, issues, fmt, lambda ids, p: export_articles(database, out, fmt, ids, p), out
        )
        click.echo(f"{len(paths)} files in {out}")

    return command


export_text_cmd = _articles_command(
    "text",
    "One plain-text file per article (title, date, pages, then its text), in reading order.",
    "ocr export text --db output/archive.db --out output/text",
)
export_markdown_cmd = _articles_command(
    "markdown",
    "One Markdown file per article and an index.md per issue, in reading order.",
    "ocr export markdown --db output/archive.db --out output/markdown",
)


@export.command("iiif")
@db_option
@_out_option("output/iiif", "collection.json and a folder per issue (manifest.json, images)")
@issue_option
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000/",
    show_default=True,
    help="Where the --out folder will be served (IIIF ids are absolute URLs).",
)
@click.option(
    "--max-side",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Page images at most this many pixels on the longer side (0: the scan's size).",
)
def export_iiif_cmd(db, out, issues, base_url, max_side):
    """IIIF Presentation 3: a manifest per issue (pages, articles as ranges, line text
    annotations) and a collection; open collection.json in Mirador or Universal Viewer.

    Example: ocr export iiif --out output/iiif --base-url https://archive.example.org/iiif/
    """
    from ocr.export.iiif import export_iiif

    database = open_existing(db)
    paths = _run_over_issues(
        database,
        issues,
        "iiif",
        lambda ids, p: export_iiif(database, out, base_url, ids, p, max_side or None),
        out,
    )
    click.echo(f"{len(paths)} files in {out}; collection: {out / 'collection.json'}")


@export.command("site")
@db_option
@_out_option("output/site", "the static website (open index.html, or serve the folder)")
@issue_option
def export_site_cmd(db, out, issues):
    """A static archive website: calendar of issues, page viewer with line outlines,
    article pages and full-text search in the browser; no server code.

    Example: ocr export site --out output/site && python -m http.server -d output/site
    """
    from ocr.export.site import export_site

    database = open_existing(db)
    paths = _run_over_issues(
        database, issues, "site", lambda ids, p: export_site(database, out, ids, p), out
    )
    click.echo(f"{len(paths)} files in {out}; open {out / 'index.html'}")
