"""``ocr search`` (articles holding every word of a query, ranked) and ``ocr index``."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import click

from ocr.cli.common import db_option, open_existing
from ocr.errors import InputError


def _iso_date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@click.command("search")
@click.argument("query")
@db_option
@click.option("--issue", "issue_id", type=int, default=None, help="Only this issue (its id).")
@click.option("--from", "date_from", callback=_iso_date, metavar="DATE", help="Issues from DATE.")
@click.option("--to", "date_to", callback=_iso_date, metavar="DATE", help="Issues up to DATE.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="At most N hits (default: all)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the hits as a JSON list.")
def search_cmd(query, db, issue_id, date_from, date_to, limit, as_json):
    """Find the articles holding every word of QUERY (words at spaces; Chinese of any
    length, simplified or traditional; Latin words and numbers whole), best first:
    title hits, then bm25. Prints title, date, pages and a snippet per hit.

    Example: ocr search "科创园 开园" --from 2021-01-01 --limit 20
    """
    from ocr import archive
    from ocr.text.search import query_terms

    if not query_terms(query):
        raise InputError("QUERY", f"{query!r} has no letters, digits or characters to search")
    database = open_existing(db)
    if issue_id is not None and issue_id not in archive.issue_ids(database):
        raise InputError(str(db), f"no issue {issue_id}")
    hits = archive.search(database, query, issue_id, date_from, date_to, limit)
    if as_json:
        for hit in hits:
            hit.pop("in_title")
        click.echo(json.dumps(hits, ensure_ascii=False, indent=1))
        return
    total = archive.count_hits(database, query, issue_id, date_from, date_to)
    for hit in hits:
        pages = ", ".join(str(p) for p in hit["pages"])
        click.echo(
            f"{hit['date'] or 'no date'}  issue {hit['issue']}  p. {pages}  "
            f"article {hit['article']}: {hit['title'] or '(untitled)'}"
        )
        click.echo(f"    {_plain(hit['snippet'])}")
    shown = f"{len(hits)} of {total}" if len(hits) < total else str(total)
    click.echo(f"{shown} article{'s' if total != 1 else ''} with {query!r}")


def _plain(snippet: str) -> str:
    """A snippet for the terminal: the hits in [brackets], the text unescaped."""
    return html.unescape(re.sub(r"</?mark>", lambda m: "]" if "/" in m[0] else "[", snippet))


@click.command("index")
@db_option
@click.option("--rebuild", is_flag=True, help="Build the search index again from the archive.")
def index_cmd(db, rebuild):
    """Show (or, with --rebuild, build again) the full-text search index. Triggers keep
    it current on every write; rebuild after restoring tables by hand.

    Example: ocr index --rebuild --db output/archive.db
    """
    from ocr import archive

    database = open_existing(db)
    counts = archive.rebuild_index(database) if rebuild else archive.index_counts(database)
    click.echo(
        f"{'rebuilt: ' if rebuild else ''}{counts['articles_indexed']} of "
        f"{counts['articles']} articles and {counts['lines_indexed']} of "
        f"{counts['lines']} lines indexed"
    )
