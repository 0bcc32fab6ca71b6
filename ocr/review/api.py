"""The JSON API the pages' scripts call: a page's lines, saves, checks, undo, queues, articles.

Every change names the version it is based on (409 with what is stored now when stale);
every id in a URL is checked to belong to the one before it (a line of page 3 is a 404
through page 4's URL, an article of another issue too).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from ocr import archive
from ocr.review.app import Ctx, route
from ocr.review.auth import HTTPError
from ocr.review.images import image_file, line_crop


def ok(value: Any) -> JSONResponse:
    return JSONResponse(value, headers={"cache-control": "no-store"})


def field(ctx: Ctx, name: str, kind: type):
    """A field of the JSON body, of the type wanted (400 otherwise)."""
    body = ctx.body if isinstance(ctx.body, dict) else {}
    value = body.get(name)
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise HTTPError(400, f"the body needs {name!r} ({kind.__name__})")
    return value


def versions(ctx: Ctx) -> dict[int, int]:
    raw = field(ctx, "versions", dict)
    try:
        return {int(k): int(v) for k, v in raw.items()}
    except (TypeError, ValueError) as exc:
        raise HTTPError(400, "versions: article id -> version") from exc


@route()
def page_data(ctx: Ctx, page_id: int):
    return ok(archive.review_page(ctx.db, page_id))


@route()
def page_image(ctx: Ctx, page_id: int):
    path = image_file(ctx.db, ctx.settings.pages_dir, page_id)
    cache = {"cache-control": "private, max-age=3600"}
    return FileResponse(path, media_type="image/png", headers=cache)


@route()
def crop(ctx: Ctx, page_id: int, line_id: int):
    png = line_crop(ctx.db, ctx.settings.pages_dir, page_id, line_id)
    return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=600"})


@route(write=True, body="json")
def save(ctx: Ctx, page_id: int, line_id: int):
    text = field(ctx, "text", str)
    if len(text) > 10000 or "\n" in text:
        raise HTTPError(400, "a line is one line of at most 10,000 characters")
    row = archive.save_line(
        ctx.db, page_id, line_id, text, field(ctx, "version", int), ctx.user["name"]
    )
    return ok(row)


@route(write=True, body="json")
def check(ctx: Ctx, page_id: int, line_id: int):
    checked = ctx.body.get("checked", True) if isinstance(ctx.body, dict) else True
    row = archive.check_line(
        ctx.db, page_id, line_id, field(ctx, "version", int), ctx.user["name"], bool(checked)
    )
    return ok(row)


@route(write=True, body="json")
def resolve(ctx: Ctx, page_id: int, line_id: int):
    row = archive.resolve_conflict(
        ctx.db,
        page_id,
        line_id,
        field(ctx, "version", int),
        field(ctx, "take", str),
        ctx.user["name"],
    )
    return ok(row)


@route()
def line_history(ctx: Ctx, page_id: int, line_id: int):
    archive.line_on_page(ctx.db, page_id, line_id)
    return ok(
        {
            "changes": archive.line_changes(ctx.db, line_id),
            "texts": archive.line_texts(ctx.db, line_id),
        }
    )


@route(write=True, body="json")
def status(ctx: Ctx, page_id: int):
    archive.set_review_status(ctx.db, page_id, field(ctx, "status", str))
    return ok({"page": page_id, "status": ctx.body["status"]})


@route()
def queue(ctx: Ctx):
    q = ctx.request.query_params
    try:
        threshold = float(q.get("threshold") or ctx.settings.threshold)
        after = (float(q["after_confidence"]), int(q["after_id"])) if q.get("after_id") else ()
    except ValueError as exc:
        raise HTTPError(400, "threshold, after_confidence and after_id are numbers") from exc
    limit = min(200, ctx.int_arg("limit", 50))
    rows = archive.low_confidence_queue(ctx.db, threshold, ctx.int_arg("issue"), limit, after)
    return ok({"lines": [_no_poly(r) for r in rows], "threshold": threshold})


@route()
def conflict_list(ctx: Ctx):
    rows = archive.conflict_queue(ctx.db, ctx.int_arg("issue"), min(200, ctx.int_arg("limit", 100)))
    return ok({"lines": [_no_poly(r) for r in rows]})


def _no_poly(row: dict) -> dict:
    row.pop("poly", None)
    return row


@route(write=True, body="json")
def undo(ctx: Ctx, change_id: int):
    change = archive.change_row(ctx.db, change_id)
    if change["kind"] == "line":
        return ok({"line": archive.undo_line_change(ctx.db, change, ctx.user["name"])})
    return ok(archive.undo_article_change(ctx.db, change, ctx.user["name"]))


@route()
def article_data(ctx: Ctx, article_id: int):
    view = archive.article_view(ctx.db, article_id)
    view["changes"] = archive.article_changes(ctx.db, article_id)
    return ok(view)


def _block(ctx: Ctx) -> int | None:
    region = (ctx.body or {}).get("region")
    if region is not None and (isinstance(region, bool) or not isinstance(region, int)):
        raise HTTPError(400, "region: a block's region id")
    return region


def _title(ctx, issue_id, article_id, who):
    title = field(ctx, "title", str)[:500]
    return archive.retitle(ctx.db, issue_id, article_id, title, field(ctx, "version", int), who)


def _move(ctx, issue_id, article_id, who):
    target = field(ctx, "target", int)
    return archive.move_block(ctx.db, issue_id, article_id, _block(ctx), target, versions(ctx), who)


def _merge(ctx, issue_id, article_id, who):
    other = field(ctx, "other", int)
    return archive.merge_articles(ctx.db, issue_id, article_id, other, versions(ctx), who)


def _link(ctx, issue_id, article_id, who):
    other = field(ctx, "other", int)
    return archive.link_continuation(ctx.db, issue_id, article_id, other, versions(ctx), who)


def _split(ctx, issue_id, article_id, who):
    version = field(ctx, "version", int)
    return archive.split_article(ctx.db, issue_id, article_id, _block(ctx), version, who)


def _unlink(ctx, issue_id, article_id, who):
    page, version = field(ctx, "page", int), field(ctx, "version", int)
    return archive.split_article(ctx.db, issue_id, article_id, None, version, who, page)


def _reorder(ctx, issue_id, article_id, who):
    order = field(ctx, "order", list)
    if not all(isinstance(k, int) and not isinstance(k, bool) for k in order):
        raise HTTPError(400, "order: block positions")
    version = field(ctx, "version", int)
    return archive.reorder_blocks(ctx.db, issue_id, article_id, order, version, who)


EDITS = {
    "title": _title,
    "move": _move,
    "merge": _merge,
    "link": _link,
    "split": _split,
    "unlink": _unlink,
    "reorder": _reorder,
}


@route(write=True, body="json")
def article_edit(ctx: Ctx, issue_id: int, article_id: int, action: str):
    """One article edit (``EDITS``): the body says what with, and the versions it is
    based on."""
    if action not in EDITS:
        raise HTTPError(404, f"no article action {action!r}")
    return ok(EDITS[action](ctx, issue_id, article_id, ctx.user["name"]))


LINE = "/api/pages/{page_id:int}/lines/{line_id:int}"
API_ROUTES = [
    Route("/api/pages/{page_id:int}", page_data, methods=["GET"]),
    Route("/pages/{page_id:int}/image", page_image, methods=["GET"]),
    Route(LINE + "/crop", crop, methods=["GET"]),
    Route(LINE, save, methods=["POST"]),
    Route(LINE + "/check", check, methods=["POST"]),
    Route(LINE + "/resolve", resolve, methods=["POST"]),
    Route(LINE + "/history", line_history, methods=["GET"]),
    Route("/api/pages/{page_id:int}/status", status, methods=["POST"]),
    Route("/api/queue", queue, methods=["GET"]),
    Route("/api/conflicts", conflict_list, methods=["GET"]),
    Route("/api/changes/{change_id:int}/undo", undo, methods=["POST"]),
    Route("/api/articles/{article_id:int}", article_data, methods=["GET"]),
    Route(
        "/api/issues/{issue_id:int}/articles/{article_id:int}/{action:str}",
        article_edit,
        methods=["POST"],
    ),
]
