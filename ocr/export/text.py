"""The ``text`` and ``markdown`` exports: one file per article (title, date, pages), in
reading order, with the current (corrected) text; for Markdown an index per issue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ocr import archive
from ocr.export.files import issue_label, pages_label, write_all, write_through
from ocr.export.incremental import slug
from ocr.export.jsondoc import issue_document
from ocr.export.render import render_page as render

FORMATS = {"text": "txt", "markdown": "md"}


def issue_folder(issue: dict) -> str:
    """The folder of an issue's files: ``issue-ID-TITLE-DATE``."""
    return f"issue-{issue['id']}-{slug(issue['title'])}" + (
        f"-{issue['date']}" if issue.get("date") else ""
    )


def article_files(doc: dict, fmt: str) -> list[tuple[str, str]]:
    """(file name, content) of each article of an issue document, in reading order."""
    ext = FORMATS[fmt]
    issue = doc["issue"]
    out = []
    for k, art in enumerate(doc["articles"], start=1):
        name = f"{k:03d}-{slug(art['title'] or '无题')}.{ext}"
        content = render(
            f"article.{ext}",
            issue=issue,
            label=issue_label(issue),
            article=art,
            pages=pages_label(art["pages"]),
            paragraphs=[p for p in (art["text"] or "").split("\n") if p.strip()],
        )
        out.append((name, content))
    return out


def issue_files(db, issue_id: int, fmt: str) -> Iterator[tuple[str, str]]:
    """(relative path, text) of an issue's files in ``fmt`` (``text`` or ``markdown``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {sorted(FORMATS)}")
    doc = issue_document(db, issue_id)
    folder = issue_folder(doc["issue"]) + "/"
    files = article_files(doc, fmt)
    for name, content in files:
        yield folder + name, content
    if fmt == "markdown":
        entries = [(name, art, pages_label(art["pages"]))
                   for (name, _), art in zip(files, doc["articles"])]  # fmt: skip
        label = issue_label(doc["issue"])
        yield folder + "index.md", render("issue.md", issue=doc["issue"], label=label,
                                          entries=entries)  # fmt: skip


def export_articles(
    db, out_dir: Path, fmt: str, issue_ids: list[int] | None = None, progress=None
) -> list[Path]:
    """Write the articles of each issue (all when ``issue_ids`` is None) as ``fmt``
    (``text`` or ``markdown``) under ``out_dir/issue-.../``; return the paths written.
    ``progress(issue_id)`` is called after each issue."""
    paths = []
    for issue_id in archive.issue_ids(db) if issue_ids is None else issue_ids:
        paths += write_all(out_dir, issue_files(db, issue_id, fmt))
        if progress:
            progress(issue_id)
    return paths


def write_text_issue(job) -> None:
    """The ``text`` format's issue writer for ``ocr export FORMAT`` (an ``IssueExport``)."""
    write_through(job, issue_files(job.db, job.issue_id, "text"))


def write_markdown_issue(job) -> None:
    """The ``markdown`` format's issue writer for ``ocr export FORMAT``."""
    write_through(job, issue_files(job.db, job.issue_id, "markdown"))
