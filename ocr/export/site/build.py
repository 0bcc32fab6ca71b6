"""Writing the static site: HTML from the templates in ``ocr/export/templates/site``
(Jinja2, autoescape on), page images from the original scans at web size, the search
index (``searchindex``) and the static assets. Every link is relative, so the folder
works from any web server or opened as files; no inline script (a strict CSP holds)."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ocr import archive
from ocr.errors import InputError
from ocr.export.files import issue_label, pages_label, write_file
from ocr.export.jsondoc import issue_document
from ocr.export.pageimage import WEB_SIDE, scaled, web_image
from ocr.export.site.searchindex import SearchDoc, build_index, doc_for
from ocr.export.templating import render

log = logging.getLogger(__name__)
ASSETS = ("site.css", "search.js", "viewer.js", "article.js", "favicon.svg")


@dataclass
class IssueEntry:
    """What the calendar shows of an issue."""

    id: int
    label: str
    date: str | None
    pages: int
    articles: int


def export_site(
    db, out_dir: Path, issue_ids: list[int] | None = None, progress=None, name: str | None = None
) -> list[Path]:
    """Write the site for the archive into ``out_dir``; return the paths written.
    ``issue_ids`` limits the issues rendered again (the calendar and the search index
    always cover the whole archive, whose other issues' pages are then expected to be
    there from an earlier export). ``progress(issue_id)`` after each issue."""
    todo = set(archive.issue_ids(db) if issue_ids is None else issue_ids)
    names = archive.paper_names(db)
    title = name or (names[0] if names else None)
    paths, entries, docs = [], [], []
    for issue_id in archive.issue_ids(db):
        doc = issue_document(db, issue_id)
        title = title or doc["issue"]["title"]
        doc["pages"] = [p for p in doc["pages"] if p["status"] == "done"]
        docs += _search_docs(doc)
        entries.append(_entry(doc))
        if issue_id in todo:
            paths += _write_issue(out_dir, doc, title or "报纸档案")
            if progress:
                progress(issue_id)
    site = {"site_title": title or "报纸档案", "root": ""}
    calendar_years = _calendar(entries)
    undated = [e for e in entries if not e.date]
    paths.append(_page(out_dir / "index.html", "index.html", site, years=calendar_years,
                       undated=undated, total=len(entries)))  # fmt: skip
    paths.append(_page(out_dir / "search.html", "search.html", site))
    for rel, text in build_index(docs).items():
        paths.append(write_file(out_dir / "search" / rel, text))
    for asset in ASSETS:
        data = resources.files("ocr.export.site").joinpath("static", asset).read_bytes()
        paths.append(write_file(out_dir / "assets" / asset, data))
    return paths


def _page(path: Path, template: str, site: dict, **context) -> Path:
    return write_file(path, render(f"site/{template}", **site, **context))


def _entry(doc: dict) -> IssueEntry:
    issue = doc["issue"]
    return IssueEntry(issue["id"], issue_label(issue), issue["date"], len(doc["pages"]),
                      len(doc["articles"]))  # fmt: skip


def _search_docs(doc: dict) -> list[SearchDoc]:
    issue = doc["issue"]
    return [
        doc_for(issue, art, doc["pages"], f"issues/{issue['id']}/article-{art['id']}.html")
        for art in doc["articles"]
    ]


def _calendar(entries: list[IssueEntry]) -> list[dict]:
    """Years, each with its months that have issues, each month as weeks of days
    (Monday first; 0 for a day of another month), each day with its issues."""
    by_day: dict[str, list[IssueEntry]] = {}
    for e in entries:
        if e.date:
            by_day.setdefault(e.date, []).append(e)
    months = sorted({d[:7] for d in by_day})
    years: dict[str, list[dict]] = {}
    for ym in months:
        y, m = int(ym[:4]), int(ym[5:7])
        weeks = [
            [(day, by_day.get(f"{ym}-{day:02d}", []) if day else []) for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdayscalendar(y, m)
        ]
        count = sum(len(v) for k, v in by_day.items() if k.startswith(ym))
        years.setdefault(ym[:4], []).append(
            {"id": ym, "label": f"{y}年{m}月", "weeks": weeks, "count": count}
        )
    return [{"year": y, "months": ms} for y, ms in sorted(years.items())]


def _write_issue(out_dir: Path, doc: dict, site_title: str) -> list[Path]:
    """An issue's pages (image and viewer), article pages and issue page."""
    issue = doc["issue"]
    folder = out_dir / "issues" / str(issue["id"])
    site = {"site_title": site_title, "root": "../../"}
    label = issue_label(issue)
    arts = {a["id"]: a for a in doc["articles"]}
    paths, pages = [], []
    for k, page in enumerate(doc["pages"]):
        view = _page_view(folder, issue, page, paths)
        view["prev"] = doc["pages"][k - 1]["number"] if k else None
        view["next"] = doc["pages"][k + 1]["number"] if k + 1 < len(doc["pages"]) else None
        view["articles"] = [arts[a] for a in _page_articles(page) if a in arts]
        pages.append(view)
        paths.append(_page(folder / f"page-{page['number']}.html", "page.html", site,
                           issue=issue, label=label, page=view))  # fmt: skip
    for art in doc["articles"]:
        paragraphs = [p for p in (art["text"] or "").split("\n") if p.strip()]
        paths.append(_page(folder / f"article-{art['id']}.html", "article.html", site,
                           issue=issue, label=label, article=art, paragraphs=paragraphs,
                           pages=pages_label(art["pages"])))  # fmt: skip
    paths.append(_page(folder / "index.html", "issue.html", site, issue=issue, label=label,
                       pages=pages, articles=[(a, pages_label(a["pages"])) for a in
                                              doc["articles"]]))  # fmt: skip
    return paths


def _page_articles(page: dict) -> list[int]:
    """The articles with lines on the page, in the order their lines come."""
    seen: list[int] = []
    for line in page["lines"]:
        if line["article"] is not None and line["article"] not in seen:
            seen.append(line["article"])
    return seen


def _page_view(folder: Path, issue: dict, page: dict, paths: list[Path]) -> dict:
    """What the viewer shows of a page: its image (written here) and its lines'
    outlines in the image's pixels. A scan that cannot be read leaves an outline-only
    page, logged."""
    name = f"page-{page['number']}.jpg"
    try:
        img = web_image(page)
        paths.append(write_file(folder / name, img.jpeg))
        image, width, height, scale = name, img.width, img.height, img.scale
    except InputError as exc:
        log.warning("site: no image for issue %s page %s: %s", issue["id"], page["number"], exc)
        scale = min(1.0, WEB_SIDE / max(page["width"] or 1, page["height"] or 1))
        image, width, height = None, round(page["width"] * scale), round(page["height"] * scale)
    lines = [
        {
            "id": ln["id"],
            "article": ln["article"],
            "text": ln["text"],
            "points": " ".join(f"{x:g},{y:g}" for x, y in scaled(ln["poly"], scale)),
        }
        for ln in page["lines"]
    ]
    return {"number": page["number"], "image": image, "width": width, "height": height,
            "lines": lines, "label": pages_label([page["number"]])}  # fmt: skip
