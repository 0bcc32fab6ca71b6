"""``ocr status``: pages by state, failed pages, and corrections the latest OCR reads otherwise."""

from __future__ import annotations

import click

from ocr.cli.common import db_option, open_existing


@click.command()
@db_option
@click.option("--limit", default=20, show_default=True, help="How many conflicts to list.")
def status(db, limit):
    """Pages by state, every failed page with its reason, and corrections that the
    latest OCR reads differently (the correction is kept, the new reading beside it).

    Example: ocr status --db output/archive.db
    """
    from ocr import archive

    database = open_existing(db)
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
