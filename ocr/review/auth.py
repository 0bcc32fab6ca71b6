"""Who may do what: argon2 passwords, session cookies, CSRF tokens, roles, login limits.

A session is a random token in an HttpOnly, SameSite=Strict cookie; the archive keeps
only its SHA-256 (``ocr.archive.users``), with the session's CSRF token and its expiry.
Every login starts a new session (a token set before login is never promoted: no
fixation); logout ends it. Every state-changing request carries the CSRF token (header
``X-CSRF-Token`` or form field ``csrf``). Failed logins are slowed down and limited per
account and address (then 429).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ocr import archive

COOKIE = "ocr_session"
LOGIN_COOKIE = "ocr_login"
CAN_WRITE = {"admin", "reviewer"}
_hasher = PasswordHasher()
# A hash to verify against when the account does not exist: the same work either way.
_DUMMY = _hasher.hash("not a password of anyone")


class HTTPError(Exception):
    """An error the web app answers with ``status`` and ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(db, name: str, password: str) -> dict | None:
    """The user when the password is theirs, else None (the same work either way)."""
    user = archive.user_by_name(db, name)
    try:
        _hasher.verify(user["password_hash"] if user else _DUMMY, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user if user else None


def start_session(db, user: dict, seconds: int) -> str:
    """A new session for ``user``: the token for the cookie."""
    token = secrets.token_urlsafe(32)
    archive.start_session(db, user["id"], token_hash(token), secrets.token_urlsafe(32), seconds)
    return token


def session_user(db, token: str | None) -> dict | None:
    if not token or len(token) > 200:
        return None
    return archive.session_user(db, token_hash(token))


def end_session(db, token: str | None) -> None:
    if token:
        archive.end_session(db, token_hash(token))


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two tokens (None never equals anything)."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def require_csrf(user: dict, sent: str | None) -> None:
    if not same(user["csrf"], sent):
        raise HTTPError(403, "missing or wrong CSRF token: reload the page")


def require_write(user: dict) -> None:
    if user["role"] not in CAN_WRITE:
        raise HTTPError(403, f"{user['name']} is a {user['role']}: viewers cannot change anything")


class LoginLimiter:
    """At most ``limit`` failed logins a ``window`` (seconds) per account and address,
    ``limit * 5`` per address whatever the account and per account whatever the
    address; then 429 until the window has passed. Each failure waits ``delay``. The
    failures are kept in the archive (``archive.login_attempt``), so the limit holds
    across every process serving it and over restarts; an attempt counts as failed
    from the moment it starts (two at once cannot both slip under the limit), and a
    login that succeeds clears its account's failures from its address."""

    def __init__(self, limit: int = 10, window: float = 60.0, delay: float = 0.25):
        self.limit, self.window, self.delay = limit, window, delay

    def attempt(self, db, name: str, address: str) -> bool:
        """May ``name`` try to log in from ``address`` now (the attempt is counted)?"""
        return archive.login_attempt(
            db, token_hash(name), address, time.time(), self.window, self.limit, self.limit * 5
        )

    def failed(self) -> None:
        time.sleep(self.delay)

    def succeeded(self, db, name: str, address: str) -> None:
        archive.clear_login_failures(db, token_hash(name), address)
