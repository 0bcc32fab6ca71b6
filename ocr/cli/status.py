"""``ocr status``: pages by state, failed pages, and corrections the latest OCR reads otherwise."""

from __future__ import annotations

import click

from ocr.cli.common import db_option, open_existing


@click.command()
@db_option
@click.option("--limit", default=20, show_default=True, help="How many conflicts to list.")
def status(db, limit):
    """Pages by state, every failed page with its reason, every suspect page (stored,
    but read implausibly) with its reasons, the batches running on the archive, and
    corrections that the latest OCR reads differently (the correction is kept, the new
    reading beside it). Suspect pages are counted among the done ones too.

    Example: ocr status --db output/archive.db
    """
    from ocr import archive
    from ocr.batch.leases import live_holders, page_states

    database = open_existing(db)
    counts = page_states(database)
    states = ("done", "pending", "failed", "running", "suspect")
    click.echo(" ".join(f"{k}={counts.get(k, 0)}" for k in states))
    for row in archive.failures(database):
        click.echo(f"failed: {row['error']}")
    for row in archive.suspects(database):
        reasons = "; ".join(row["reasons"])
        click.echo(f"suspect: {row['source']} page {row['page_index'] + 1}: {reasons}")
    for h in live_holders(database):
        click.echo(f"running: {h['pages']} page(s) held by pid {h['pid']} on {h['host']}")
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
