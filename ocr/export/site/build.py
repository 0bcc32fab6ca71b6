"""Writing the static site: HTML from the templates in ``ocr/export/templates/site``
(Jinja2, autoescape on), page images from the original scans at web size, the search
index (``searchindex``) and the static assets. Every link is relative, so the folder
works from any web server or opened as files; no inline script (a strict CSP holds).

The site is an issue's files (:func:`issue_files`: its pages, images, articles) plus the
archive's (:func:`archive_files`: the calendar, the search page and index, the assets);
each yields ``(relative path, text or bytes)``. ``ocr export site`` writes them
(``ocr.export.incremental``): an issue's files when it changed, the archive's when any
issue did."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable, Iterator
from importlib import resources

from ocr import archive
from ocr.errors import InputError
from ocr.export.images import WEB_SIDE, page_images, scaled_poly
from ocr.export.jsondoc import document, issue_document
from ocr.export.labels import issue_label, pages_label
from ocr.export.render import render_page as render
from ocr.export.site.searchindex import build_index, doc_for

log = logging.getLogger(__name__)
ASSETS = ("site.css", "search.js", "viewer.js", "article.js", "favicon.svg")
Files = Iterator[tuple[str, str | bytes]]
Warn = Callable[[str], None]


def site_title(db, name: str | None = None) -> str:
    """The site's name: ``name``, else the archive's paper, else the first issue's title."""
    if name:
        return name
    names = archive.paper_names(db)
    if names:
        return names[0]
    for issue_id in archive.issue_ids(db):
        title = archive.issue_row(db, issue_id)["title"]
        if title:
            return title
    return "报纸档案"


def _done(doc: dict) -> dict:
    doc["pages"] = [p for p in doc["pages"] if p["status"] == "done"]
    return doc


def _done_rows(record: dict) -> list[dict]:
    return [p for p in record["pages"] if p["status"] == "done"]


def archive_files(db, title: str) -> Files:
    """The calendar, the search page, the search index and the assets."""
    site = {"site_title": title, "root": ""}
    entries, docs = [], []
    for issue_id in archive.issue_ids(db):
        doc = _done(issue_document(db, issue_id))
        issue = doc["issue"]
        entries.append({"id": issue["id"], "label": issue_label(issue), "date": issue["date"],
                        "pages": len(doc["pages"]), "articles": len(doc["articles"])})  # fmt: skip
        href = f"issues/{issue['id']}/article-{{}}.html"
        docs += [doc_for(issue, a, doc["pages"], href.format(a["id"])) for a in doc["articles"]]
    undated = [e for e in entries if not e["date"]]
    yield "index.html", render("site/index.html", **site, years=_calendar(entries),
                               undated=undated, total=len(entries))  # fmt: skip
    yield "search.html", render("site/search.html", **site)
    for rel, text in build_index(docs).items():
        yield f"search/{rel}", text
    for asset in ASSETS:
        yield (
            f"assets/{asset}",
            resources.files("ocr.export.site").joinpath("static", asset).read_bytes(),
        )


def _calendar(entries: list[dict]) -> list[dict]:
    """Years, each with its months that have issues, each month as weeks of days
    (Monday first; 0 for a day of another month), each day with its issues."""
    by_day: dict[str, list[dict]] = {}
    for e in entries:
        if e["date"]:
            by_day.setdefault(e["date"], []).append(e)
    years: dict[str, list[dict]] = {}
    for ym in sorted({d[:7] for d in by_day}):
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


def issue_files(record: dict, title: str, warn: Warn | None = None) -> Files:
    """An issue's files under ``issues/ID/``, from its record (``archive.issue_record``):
    page images and viewers, article pages, the issue page. A page whose scan cannot be
    read gets an outline-only viewer and ``warn(message)`` (logged when no ``warn``)."""
    doc = _done(document(record))
    issue, folder = doc["issue"], f"issues/{doc['issue']['id']}/"
    site = {"site_title": title, "root": "../../", "issue": issue, "label": issue_label(issue)}
    arts = {a["id"]: a for a in doc["articles"]}
    pages = []
    for k, (row, page) in enumerate(zip(_done_rows(record), doc["pages"])):
        view, images = _page_view(issue, row, page, warn or log.warning)
        for name, data in images:
            yield folder + name, data
        view["prev"] = doc["pages"][k - 1]["number"] if k else None
        view["next"] = doc["pages"][k + 1]["number"] if k + 1 < len(doc["pages"]) else None
        view["articles"] = [arts[a] for a in _page_articles(page) if a in arts]
        pages.append(view)
        yield f"{folder}page-{page['number']}.html", render("site/page.html", **site, page=view)
    for art in doc["articles"]:
        paragraphs = [p for p in (art["text"] or "").split("\n") if p.strip()]
        yield (
            f"{folder}article-{art['id']}.html",
            render("site/article.html", **site, article=art, paragraphs=paragraphs),
        )
    listed = [(a, pages_label(a["pages"])) for a in doc["articles"]]
    yield folder + "index.html", render("site/issue.html", **site, pages=pages, articles=listed)


def _page_articles(page: dict) -> list[int]:
    """The articles with lines on the page, in the order their lines come."""
    seen: list[int] = []
    for line in page["lines"]:
        if line["article"] is not None and line["article"] not in seen:
            seen.append(line["article"])
    return seen


def _page_view(
    issue: dict, row: dict, page: dict, warn: Warn
) -> tuple[dict, list[tuple[str, bytes]]]:
    """What the viewer shows of a page (its lines' outlines in the image's pixels) and
    its images: the viewer's (web size) and the scan's full size (none when the scan
    cannot be read); ``row`` is the stored page, ``page`` its document."""
    try:
        img, full = page_images(row, (WEB_SIDE, None))
        jpeg, width, height, scale = img.jpeg, img.width, img.height, img.scale
    except InputError as exc:
        warn(f"site: no image for issue {issue['id']} page {page['number']}: {exc}")
        scale = min(1.0, WEB_SIDE / max(page["width"] or 1, page["height"] or 1))
        jpeg, width, height = None, round(page["width"] * scale), round(page["height"] * scale)
        full = None
    lines = [
        {
            "id": ln["id"],
            "article": ln["article"],
            "text": ln["text"],
            "points": " ".join(f"{x:g},{y:g}" for x, y in scaled_poly(ln["poly"], scale)),
        }
        for ln in page["lines"]
    ]
    n = page["number"]
    view = {"number": n, "image": f"page-{n}.jpg" if jpeg else None,
            "full": f"page-{n}-full.jpg" if full else None,
            "width": width, "height": height, "lines": lines,
            "label": pages_label([page["number"]])}  # fmt: skip
    images = [(view["image"], jpeg), (view["full"], full.jpeg)] if full else []
    return view, images


def write_issue(job) -> None:
    """The ``site`` format's issue writer (an ``IssueExport``): the issue's pages,
    images and articles; a page without image is one of the job's warnings."""
    title = site_title(job.db, job.options.get("name"))
    job.write_all(issue_files(job.record, title, job.warnings.append))


def finish(job) -> None:
    """After the issues, when any changed (an ``ExportJob``): the calendar, the search
    page and index, the assets."""
    job.write_all(archive_files(job.db, site_title(job.db, job.options.get("name"))))
