"""What the commands share: the ``--db`` option and opening an archive that must exist."""

from __future__ import annotations

from pathlib import Path

import click

from ocr.errors import StoreError

DEFAULT_DB = Path("output/archive.db")

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DB,
    show_default=True,
    help="The archive database (SQLite).",
)


def open_existing(db: Path):
    """The archive at ``db``; a :class:`StoreError` when there is none yet."""
    from ocr import archive

    if not db.exists():
        raise StoreError(f"{db}: no archive database there (run 'ocr process' first)")
    return archive.open_db(db)
