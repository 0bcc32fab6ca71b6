"""``ocr articles``: assemble the articles again from the stored lines, without OCR."""

from __future__ import annotations

import json

import click

from ocr.cli.common import db_option, open_existing
from ocr.errors import InputError


@click.command("articles")
@db_option
@click.option(
    "--issue",
    "issue_ids",
    type=int,
    multiple=True,
    help="Only this issue (its id; repeatable). Default: every issue.",
)
@click.option(
    "--paper",
    default=None,
    metavar="NAME",
    help="Name the archive's paper first (as 'ocr process --paper'): issues are titled by it.",
)
def articles_cmd(db, issue_ids, paper):
    """Assemble the articles again from the stored lines, reviewer corrections
    included, without running OCR; also sets each issue's title, date, number and page
    flags from what its pages say (the title: the paper's name, when the archive knows it).

    Example: ocr articles --db output/archive.db --issue 1
    """
    from ocr import archive
    from ocr.batch.assemble import assemble_issue

    database = open_existing(db)
    known = archive.issue_ids(database)
    missing = [i for i in issue_ids if i not in known]
    if missing:
        raise InputError(str(db), f"no issue {', '.join(map(str, missing))}")
    if paper:
        archive.name_paper(database, paper)
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
