"""The review web app: a Starlette application over one archive, its templates and statics.

:func:`create_app` builds it; ``ocr review`` serves it with uvicorn. Every route but the
login page and static files needs a session (``ocr.review.auth``); each request runs in
a worker thread with that thread's own connection to the archive (SQLite's busy timeout
makes a save wait while ``ocr process`` writes, never fail).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ocr import archive
from ocr.errors import Conflict, NotFound, OcrError
from ocr.review.auth import COOKIE, HTTPError, LoginLimiter, require_csrf, require_write
from ocr.review.auth import session_user as find_session

HERE = Path(__file__).parent
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass
class Settings:
    """What the app serves: the archive, its page images folder, the session length, the
    low-confidence threshold and the login limits."""

    db_path: Path
    pages_dir: Path
    session_seconds: int = 8 * 3600
    threshold: float = 0.8
    secure_cookies: bool = False
    limiter: LoginLimiter = field(default_factory=LoginLimiter)


class Archive:
    """One archive connection per worker thread."""

    def __init__(self, path: Path):
        self.path = path
        self.local = threading.local()

    def db(self):
        db = getattr(self.local, "db", None)
        if db is None:
            db = self.local.db = archive.open_db(self.path)
        return db


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.filters["pct"] = lambda a, b: f"{100 * a / b:.0f}%" if b else "–"
    env.globals["status_names"] = {"new": "new", "in_progress": "in progress", "done": "done"}
    return env


@dataclass
class Ctx:
    """A request as a route sees it: the archive, the user, the parsed body."""

    request: Request
    db: Any
    user: dict | None
    body: Any
    settings: Settings
    env: Environment

    def page(self, name: str, code: int = 200, **values) -> HTMLResponse:
        """The template ``name`` rendered as a response with HTTP status ``code``."""
        html = self.env.get_template(name).render(user=self.user, request=self.request, **values)
        return HTMLResponse(html, status_code=code, headers={"cache-control": "no-store"})

    def int_arg(self, name: str, default=None):
        value = self.request.query_params.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except ValueError as exc:
            raise HTTPError(400, f"{name} must be a whole number") from exc


def route(write: bool = False, login: bool = True, body: str | None = None):
    """Wrap ``fn(ctx, **path_params)``: the session (401/redirect without one), the role
    and CSRF token for a change (403), the body (``"json"`` or ``"form"``); runs ``fn``
    in a worker thread."""

    def deco(fn):
        async def endpoint(request: Request) -> Response:
            parsed = None
            if body == "json":
                try:
                    parsed = await request.json()
                except ValueError:
                    return error(request, HTTPError(400, "the body is not JSON"))
            elif body == "form":
                parsed = dict(await request.form())
            app = request.app.state
            return await run_in_threadpool(_run, fn, request, parsed, app, write, login)

        endpoint.__name__ = fn.__name__
        return endpoint

    return deco


def _run(fn, request, parsed, app, write, login) -> Response:
    ctx = Ctx(request, None, None, parsed, app.settings, app.env)
    try:
        ctx.db = app.archive.db()
        ctx.user = find_session(ctx.db, request.cookies.get(COOKIE))
        if login and ctx.user is None:
            raise HTTPError(401, "log in first")
        if write:
            sent = request.headers.get("x-csrf-token") or (parsed or {}).get("csrf")
            require_csrf(ctx.user, sent if isinstance(sent, str) else None)
            require_write(ctx.user)
        return fn(ctx, **request.path_params)
    except (HTTPError, OcrError) as exc:
        return error(request, exc, ctx)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.method != "GET"


def error(request: Request, exc: Exception, ctx: Ctx | None = None) -> Response:
    """An error as JSON for the API (a conflict with what is stored now), else a page."""
    if isinstance(exc, Conflict):
        status, message = 409, str(exc)
    elif isinstance(exc, NotFound):
        status, message = 404, str(exc)
    elif isinstance(exc, HTTPError):
        status, message = exc.status, exc.message
    else:
        status, message = 400, str(exc)
    if status == 401 and not wants_json(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if wants_json(request):
        payload: dict[str, Any] = {"error": message, "status": status}
        if isinstance(exc, Conflict):
            payload["current"] = exc.current
        return JSONResponse(payload, status_code=status)
    env = request.app.state.env
    html = env.get_template("error.html").render(
        user=ctx.user if ctx else None, request=request, status=status, message=message
    )
    return HTMLResponse(html, status_code=status)


class SecurityHeaders:
    """Adds the security headers to every response (pages, API, static files, errors),
    and ``Server-Timing: app;dur=MS``, the time the app took to start its answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()

        async def with_headers(message):
            if message["type"] == "http.response.start":
                ms = f"app;dur={1000 * (time.perf_counter() - t0):.2f}".encode()
                extra = [*SECURITY_HEADERS, (b"server-timing", ms)]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(db_path: str | Path, pages_dir: str | Path | None = None, **settings) -> Starlette:
    """The review app over the archive at ``db_path`` (page images in ``pages_dir``,
    default ``pages/`` beside the database)."""
    from ocr.review.api import API_ROUTES
    from ocr.review.routes import PAGE_ROUTES

    db_path = Path(db_path)
    pages = Path(pages_dir) if pages_dir else db_path.parent / "pages"
    archive.open_db(db_path).conn.close()  # migrated once, before any request
    routes = (
        PAGE_ROUTES
        + API_ROUTES
        + [Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]
    )
    app = Starlette(routes=routes)
    app.state.settings = Settings(db_path, pages, **settings)
    app.state.archive = Archive(db_path)
    app.state.env = templates()
    app.add_middleware(SecurityHeaders)
    return app
