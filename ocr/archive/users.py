"""Reviewers' accounts and sessions: users with a role and a password hash, login sessions,
failed logins.

Passwords are hashed by the caller (``ocr.review.auth``, argon2); this module stores the
hash only. A session is stored by the SHA-256 of its token, never the token itself, so
a copy of the archive holds no usable session. Failed logins are kept here too
(``login_attempt``), so that their limit holds for every process serving the archive
and over restarts; they are kept by the account's hash (a password typed into the
name field is not stored) and forgotten after their window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ocr.archive.db import now, transaction
from ocr.errors import NotFound, StoreError

ROLES = ("admin", "reviewer", "viewer")


def add_user(db, name: str, role: str, password_hash: str) -> int:
    """A new account; a :class:`StoreError` when the name is taken or the role unknown."""
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if not name.strip():
        raise StoreError("a user needs a name")
    if user_by_name(db, name) is not None:
        raise StoreError(f"there is a user {name!r} already")
    t = now()
    return db.execute(
        "INSERT INTO users (name, role, password_hash, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [name, role, password_hash, t, t],
    ).lastrowid


def user_by_name(db, name: str) -> dict[str, Any] | None:
    return next(db.query("SELECT * FROM users WHERE name = ?", [name]), None)


def users(db) -> list[dict[str, Any]]:
    """Every account (no password hashes), by name, with its open sessions."""
    return list(
        db.query(
            "SELECT u.id, u.name, u.role, u.created_at, u.updated_at, "
            "(SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > ?) "
            "AS sessions FROM users u ORDER BY u.name",
            [now()],
        )
    )


def remove_user(db, name: str) -> None:
    """Remove the account and end its sessions (its recorded changes keep its name)."""
    with transaction(db):
        if db.execute("DELETE FROM users WHERE name = ?", [name]).rowcount == 0:
            raise NotFound(f"no user {name!r}")


def set_password(db, name: str, password_hash: str) -> None:
    """A new password: every session of the account ends."""
    with transaction(db):
        cur = db.execute(
            "UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?",
            [password_hash, now(), name],
        )
        if cur.rowcount == 0:
            raise NotFound(f"no user {name!r}")
        db.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)", [name]
        )


def start_session(db, user_id: int, token_hash: str, csrf: str, seconds: int) -> None:
    """A new session for the user, ending after ``seconds``; expired ones are removed."""
    t = datetime.now(UTC)
    expires = (t + timedelta(seconds=seconds)).isoformat(timespec="seconds")
    with transaction(db):
        db.execute("DELETE FROM sessions WHERE expires_at <= ?", [now()])
        db.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [token_hash, user_id, csrf, now(), expires],
        )


def session_user(db, token_hash: str) -> dict[str, Any] | None:
    """The user of a session that has not expired (with the session's ``csrf``)."""
    return next(
        db.query(
            "SELECT u.id, u.name, u.role, s.csrf, s.expires_at FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
            [token_hash, now()],
        ),
        None,
    )


def end_session(db, token_hash: str) -> None:
    db.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])


def login_attempt(
    db, account: str, address: str, t: float, window: float, limit: int, spread: int
) -> bool:
    """Count a login attempt of ``account`` from ``address`` at ``t`` (seconds since
    the epoch) as failed until ``clear_login_failures`` says otherwise, unless the
    failures of the last ``window`` seconds already reach ``limit`` for the account
    from the address, or ``spread`` for the address (any account) or for the account
    (any address): then nothing is counted and the answer is False. One transaction,
    so processes serving the same archive count together."""
    since = t - window
    with transaction(db):
        db.execute("DELETE FROM login_failures WHERE at <= ?", [since])
        pair, by_address, by_account = db.execute(
            "SELECT coalesce(sum(account = ?1 AND address = ?2), 0), "
            "coalesce(sum(address = ?2), 0), coalesce(sum(account = ?1), 0) "
            "FROM login_failures WHERE (account = ?1 OR address = ?2) AND at > ?3",
            [account, address, since],
        ).fetchone()
        if pair >= limit or by_address >= spread or by_account >= spread:
            return False
        db.execute(
            "INSERT INTO login_failures (account, address, at) VALUES (?, ?, ?)",
            [account, address, t],
        )
    return True


def clear_login_failures(db, account: str, address: str) -> None:
    """A login that succeeded: the account's failures from that address are forgotten."""
    db.execute("DELETE FROM login_failures WHERE account = ? AND address = ?", [account, address])
