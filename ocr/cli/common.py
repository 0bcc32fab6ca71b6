"""What the commands share: the ``--db`` option, opening an archive that must exist, and
checking the places a command will write to before it starts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ocr.errors import OutputError, StoreError

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


def writable_folder(path: Path, option: str) -> None:
    """Make sure files can be written in the folder ``path`` (created when missing), so
    a batch does not run its pages only to fail at the end: an :class:`OutputError`
    naming ``option`` when the folder is read-only, not ours or full."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".ocr-write-check-"):
            pass
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot write there: {exc.strerror or exc}") from exc


def writable_file(path: Path, option: str) -> None:
    """Make sure the file ``path`` can be appended to (created when missing)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot write there: {exc.strerror or exc}") from exc
