"""The app's pages: login, the issues list, an issue, a page, the queues, an article, search."""

from __future__ import annotations

import secrets

from markupsafe import Markup
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ocr import archive
from ocr.review import auth
from ocr.review.app import Ctx, route
from ocr.review.auth import COOKIE, LOGIN_COOKIE, HTTPError


def _local(target: str | None) -> str:
    """Where to go after login: a path of this site only (no other host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _cookie(response, ctx: Ctx, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        httponly=True,
        samesite="strict",
        path="/",
        secure=ctx.settings.secure_cookies,
    )


@route(login=False)
def login_form(ctx: Ctx):
    token = ctx.request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = ctx.page(
        "login.html", csrf=token, next=_local(ctx.request.query_params.get("next")), failed=None
    )
    _cookie(response, ctx, LOGIN_COOKIE, token, 3600)
    return response


@route(login=False, body="form")
def login(ctx: Ctx):
    form, request = ctx.body, ctx.request
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    address = request.client.host if request.client else "?"
    target = _local(form.get("next"))
    if not auth.same(request.cookies.get(LOGIN_COOKIE), form.get("csrf")):
        raise HTTPError(403, "the login form expired: load it again")
    limiter = ctx.settings.limiter
    if not limiter.attempt(ctx.db, name, address):
        raise HTTPError(429, "too many failed logins: wait a minute and try again")
    user = auth.check_password(ctx.db, name, password)
    if user is None:
        limiter.failed()
        return ctx.page(
            "login.html",
            code=401,
            csrf=form.get("csrf"),
            next=target,
            failed="wrong name or password",
        )
    limiter.succeeded(ctx.db, name, address)
    auth.end_session(ctx.db, request.cookies.get(COOKIE))  # a session set before: ended
    token = auth.start_session(ctx.db, user, ctx.settings.session_seconds)
    response = RedirectResponse(target, status_code=303)
    _cookie(response, ctx, COOKIE, token, ctx.settings.session_seconds)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@route(write=True, body="form")
def logout(ctx: Ctx):
    auth.end_session(ctx.db, ctx.request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@route()
def issues(ctx: Ctx):
    status = ctx.request.query_params.get("status") or None
    if status and status not in archive.PAGE_STATUSES:
        raise HTTPError(400, f"no page status {status!r}")
    rows = archive.issue_overviews(ctx.db, ctx.settings.threshold, status)
    return ctx.page("issues.html", issues=rows, status=status, threshold=ctx.settings.threshold)


@route()
def issue(ctx: Ctx, issue_id: int):
    status = ctx.request.query_params.get("status") or None
    pages = archive.issue_review_pages(ctx.db, issue_id, ctx.settings.threshold)
    if status:
        pages = [p for p in pages if p["review_status"] == status]
    return ctx.page(
        "issue.html",
        issue=archive.issue_row(ctx.db, issue_id),
        pages=pages,
        articles=archive.issue_articles(ctx.db, issue_id),
        status=status,
        statuses=archive.PAGE_STATUSES,
    )


@route()
def page(ctx: Ctx, page_id: int):
    view = archive.page_head(ctx.db, page_id)  # the lines come from the API
    raw = ctx.request.query_params.get("hits") or ""
    try:  # a search hit's lines, outlined by the page's script
        hits = [int(k) for k in raw.split(",") if k.strip()][:MAX_HITS]
    except ValueError as exc:
        raise HTTPError(400, "hits: line ids separated by commas") from exc
    query = _query(ctx) if hits else ""
    return ctx.page("page.html", view=view, statuses=archive.PAGE_STATUSES, hits=hits, query=query)


MAX_QUERY = 200  # characters of a search
MAX_HITS = 1000  # line ids a page view outlines
PER_PAGE = 50  # hits a results page shows, unless asked for more (up to MAX_SHOWN)
MAX_SHOWN = 500


def _query(ctx: Ctx) -> str:
    query = ctx.request.query_params.get("q") or ""
    if len(query) > MAX_QUERY:
        raise HTTPError(400, f"a search is at most {MAX_QUERY} characters, not {len(query)}")
    return query


@route()
def search(ctx: Ctx):
    """The archive's search (``archive.search``: the same hits and ranking as ``ocr
    search``), optionally in one issue; each hit links to its pages with its lines."""
    query, issue_id = _query(ctx), ctx.int_arg("issue")
    limit = max(1, min(MAX_SHOWN, ctx.int_arg("limit", PER_PAGE)))
    hits, total = [], 0
    if query.strip():
        hits = archive.search_hits(ctx.db, query, issue_id, limit)
        total = archive.count_hits(ctx.db, query, issue_id) if len(hits) == limit else len(hits)
    for hit in hits:
        # ocr.text.search.snippet escapes the text and adds <mark> around escaped text only
        hit["snippet"] = Markup(hit["snippet"])
    return ctx.page(
        "search.html",
        query=query,
        issue_id=issue_id,
        issues=archive.issue_choices(ctx.db),
        hits=hits,
        total=total,
        limit=limit,
        more=min(MAX_SHOWN, limit * 2) if total > limit and limit < MAX_SHOWN else None,
    )


@route(write=True, body="form")
def page_status(ctx: Ctx, page_id: int):
    archive.set_review_status(ctx.db, page_id, str(ctx.body.get("status")))
    back = ctx.body.get("back")
    return RedirectResponse(_local(back) if back else f"/pages/{page_id}", status_code=303)


@route()
def queue(ctx: Ctx):
    issue_id = ctx.int_arg("issue")
    threshold = float(ctx.request.query_params.get("threshold") or ctx.settings.threshold)
    return ctx.page("queue.html", issue_id=issue_id, threshold=threshold)


@route()
def conflicts(ctx: Ctx):
    return ctx.page("conflicts.html", issue_id=ctx.int_arg("issue"))


@route()
def article(ctx: Ctx, article_id: int):
    view = archive.article_view(ctx.db, article_id)
    others = archive.issue_articles(ctx.db, view["article"]["issue_id"])
    return ctx.page("article.html", view=view, others=others)


PAGE_ROUTES = [
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/", issues, methods=["GET"]),
    Route("/issues/{issue_id:int}", issue, methods=["GET"]),
    Route("/pages/{page_id:int}", page, methods=["GET"]),
    Route("/pages/{page_id:int}/status", page_status, methods=["POST"]),
    Route("/queue", queue, methods=["GET"]),
    Route("/conflicts", conflicts, methods=["GET"]),
    Route("/articles/{article_id:int}", article, methods=["GET"]),
    Route("/search", search, methods=["GET"]),
]
