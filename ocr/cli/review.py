"""``ocr review`` (the web app) and ``ocr users`` (its accounts)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ocr.cli.common import db_option, open_existing
from ocr.errors import InputError


@click.command("review")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--pages-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The page images folder [default: pages/ beside the database].",
)
@click.option(
    "--threshold",
    default=0.8,
    show_default=True,
    type=float,
    help="Lines below this confidence are in the low-confidence queue.",
)
@click.option("--secure-cookies", is_flag=True, help="Send the session cookie over HTTPS only.")
def review_cmd(db, host, port, pages_dir, threshold, secure_cookies):
    """Serve the review web app: reviewers correct lines and articles in the browser.
    Log in with an account made by 'ocr users add'.

    Example: ocr review --db output/archive.db --port 8000
    """
    import uvicorn

    from ocr.review import create_app

    open_existing(db).conn.close()
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine can reach the "
            "login page; put it behind HTTPS (and use --secure-cookies)",
            err=True,
        )
    app = create_app(db, pages_dir, threshold=threshold, secure_cookies=secure_cookies)
    click.echo(f"ocr review: http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@click.group("users")
def users():
    """The review app's accounts: add, list, remove, change a password.

    Example: ocr users add ann --role reviewer
    """


def _password(stdin: bool) -> str:
    if stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise InputError("password", "at least 8 characters, please")
    return password


@users.command("add")
@db_option
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["admin", "reviewer", "viewer"]),
    default="reviewer",
    show_default=True,
    help="admin and reviewer change text and articles; viewer reads.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(db, name, role, password_stdin):
    """Add an account (the password is asked twice, or read with --password-stdin).

    Example: echo 'a long secret' | ocr users add ann --role reviewer --password-stdin
    """
    from ocr import archive
    from ocr.review.auth import hash_password

    database = open_existing(db)
    archive.add_user(database, name, role, hash_password(_password(password_stdin)))
    click.echo(f"added {name} ({role})")


@users.command("list")
@db_option
def users_list(db):
    """List the accounts, their roles and open sessions.

    Example: ocr users list
    """
    from ocr import archive

    for u in archive.users(open_existing(db)):
        click.echo(f"{u['name']}\t{u['role']}\t{u['sessions']} sessions\tsince {u['created_at']}")


@users.command("remove")
@db_option
@click.argument("name")
def users_remove(db, name):
    """Remove an account and end its sessions (its changes keep its name).

    Example: ocr users remove ann
    """
    from ocr import archive

    archive.remove_user(open_existing(db), name)
    click.echo(f"removed {name}")


@users.command("passwd")
@db_option
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_passwd(db, name, password_stdin):
    """Set a new password (every session of the account ends).

    Example: ocr users passwd ann
    """
    from ocr import archive
    from ocr.review.auth import hash_password

    archive.set_password(open_existing(db), name, hash_password(_password(password_stdin)))
    click.echo(f"password of {name} changed")
