"""The ``text`` and ``markdown`` exports: one file per article (title, date, pages), in
reading order, with the current (corrected) text; for Markdown an index per issue.
Written through ``ocr export text|markdown`` (``ocr.export.incremental``)."""

from __future__ import annotations

from collections.abc import Iterator

from ocr.export.incremental import slug
from ocr.export.jsondoc import document
from ocr.export.labels import issue_label, pages_label
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


def issue_files(doc: dict, fmt: str) -> Iterator[tuple[str, str]]:
    """(relative path, text) of an issue's files in ``fmt`` (``text`` or ``markdown``),
    from its document (``jsondoc.document``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {sorted(FORMATS)}")
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


def write_text_issue(job) -> None:
    """The ``text`` format's issue writer (an ``IssueExport``)."""
    job.write_all(issue_files(document(job.record), "text"))


def write_markdown_issue(job) -> None:
    """The ``markdown`` format's issue writer (an ``IssueExport``)."""
    job.write_all(issue_files(document(job.record), "markdown"))
