"""Assemble an issue's articles from its stored lines: archive -> articles -> archive."""

from __future__ import annotations

import traceback
from dataclasses import replace

from ocr import archive
from ocr.articles import assemble_articles, block_articles, issue_facts


def assemble_issue(db, issue_id: int) -> int:
    """Assemble the articles of an issue from its stored lines (reviewer corrections
    included) and store them, with the issue's title, date, number and page flags, in
    one transaction. Returns the number of articles. Should assembly itself fail (a bug),
    the issue gets one article per text block and a flag saying so: a batch never stops
    here. Articles a reviewer edited (pinned) are kept: their lines are left out of the
    assembly, which works around them."""
    pages = archive.issue_layouts(db, issue_id)
    facts = issue_facts(pages, archive.paper_names(db))  # the title: a paper's name
    pinned = {str(i) for i in archive.pinned_lines(db, issue_id)}
    if pinned:
        pages = [replace(p, lines=[ln for ln in p.lines if ln.id not in pinned]) for p in pages]
    method = "layout"
    try:
        drafts = assemble_articles(pages)
    except Exception as exc:  # noqa: BLE001 - keep the batch going, say what happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        facts["flags"].append(
            f"article assembly failed ({type(exc).__name__}: {exc} at line {where.lineno}); "
            "one article per text block"
        )
        drafts, method = block_articles(pages), "block"
    rows = []
    for d in drafts:
        row = d.to_dict()
        row["lines"] = [int(i) for i in d.lines]
        row["jump_lines"] = [int(i) for i in d.jump_lines]
        row["regions"] = [int(i) for i in d.regions]
        rows.append(row)
    return archive.save_articles(db, issue_id, rows, facts, method=method)
