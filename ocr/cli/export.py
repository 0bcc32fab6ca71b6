"""``ocr export``: the archive written out in other formats (``ocr export json``)."""

from __future__ import annotations

from pathlib import Path

import click

from ocr.cli.common import db_option, open_existing


@click.group()
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

    database = open_existing(db)
    for path in export_json(database, out):
        click.echo(str(path))
