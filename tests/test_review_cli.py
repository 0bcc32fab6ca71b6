"""``ocr users`` and ``ocr review``: accounts from the command line, the server's start."""

from __future__ import annotations

import pytest

from ocr import archive
from ocr.cli.main import main
from ocr.errors import InputError, NotFound
from ocr.review.auth import check_password


@pytest.fixture
def db_path(tmp_path):
    archive.open_db(tmp_path / "archive.db").conn.close()
    return tmp_path / "archive.db"


def run(capsys, monkeypatch, args, stdin=None):
    if stdin is not None:
        import io

        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    main(args)
    return capsys.readouterr()


def test_users_add_list_passwd_remove(db_path, capsys, monkeypatch):
    db = ["--db", str(db_path)]
    out = run(
        capsys,
        monkeypatch,
        ["users", "add", "ann", "--role", "viewer", "--password-stdin", *db],
        "first secret\n",
    )
    assert "added ann (viewer)" in out.out
    database = archive.open_db(db_path)
    assert check_password(database, "ann", "first secret")["role"] == "viewer"
    assert archive.user_by_name(database, "ann")["password_hash"].startswith("$argon2")
    assert "ann\tviewer" in run(capsys, monkeypatch, ["users", "list", *db]).out
    run(capsys, monkeypatch, ["users", "passwd", "ann", "--password-stdin", *db], "second secret\n")
    assert check_password(database, "ann", "first secret") is None
    assert check_password(database, "ann", "second secret") is not None
    with pytest.raises(SystemExit) as err:
        run(capsys, monkeypatch, ["users", "add", "bob", "--password-stdin", *db], "short\n")
    assert err.value.code == InputError.exit_code
    run(capsys, monkeypatch, ["users", "remove", "ann", *db])
    assert archive.users(database) == []
    with pytest.raises(SystemExit) as err:
        run(capsys, monkeypatch, ["users", "remove", "ann", *db])
    assert err.value.code == NotFound.exit_code


def test_the_password_is_asked_twice(db_path, capsys, monkeypatch):
    answers = iter(["one secret", "another one"] + ["same secret"] * 2)
    monkeypatch.setattr("click.termui.visible_prompt_func", lambda _: next(answers))
    monkeypatch.setattr("click.termui.hidden_prompt_func", lambda _: next(answers))
    run(capsys, monkeypatch, ["users", "add", "ann", "--db", str(db_path)])
    assert check_password(archive.open_db(db_path), "ann", "same secret") is not None


def test_review_binds_to_localhost_and_warns_for_every_address(db_path, capsys, monkeypatch):
    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw))  # a fake server
    run(capsys, monkeypatch, ["review", "--db", str(db_path)])
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8000
    err = run(capsys, monkeypatch, ["review", "--db", str(db_path), "--host", "0.0.0.0"]).err
    assert "warning" in err and "0.0.0.0" in err
