"""The ``text`` and ``markdown`` exports: one file per article (title, date, pages), in
reading order, with the current (corrected) text; for Markdown an index per issue."""

from __future__ import annotations

from pathlib import Path

from ocr import archive
from ocr.export.files import issue_label, pages_label, write_file
from ocr.export.jsondoc import issue_document, slug
from ocr.export.templating import render

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


def export_articles(
    db, out_dir: Path, fmt: str, issue_ids: list[int] | None = None, progress=None
) -> list[Path]:
    """Write the articles of each issue (all when ``issue_ids`` is None) as ``fmt``
    (``text`` or ``markdown``) under ``out_dir/issue-.../``; return the paths written.
    ``progress(issue_id)`` is called after each issue."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {sorted(FORMATS)}")
    paths = []
    for issue_id in archive.issue_ids(db) if issue_ids is None else issue_ids:
        doc = issue_document(db, issue_id)
        folder = out_dir / issue_folder(doc["issue"])
        files = article_files(doc, fmt)
        for name, content in files:
            paths.append(write_file(folder / name, content))
        if fmt == "markdown":
            index = render(
                "issue.md",
                issue=doc["issue"],
                label=issue_label(doc["issue"]),
                entries=[
                    (name, art, pages_label(art["pages"]))
                    for (name, _), art in zip(files, doc["articles"])
                ],
            )
            paths.append(write_file(folder / "index.md", index))
        if progress:
            progress(issue_id)
    return paths
