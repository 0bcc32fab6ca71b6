"""The CLI: every command has help with an example and is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from ocr.cli.main import cli, main
from ocr.errors import StoreError

README = Path(__file__).parent.parent / "README.md"


def commands(group: click.Group, prefix: str = "ocr"):
    for name, cmd in group.commands.items():
        full = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            yield from commands(cmd, full)
        else:
            yield full, cmd


def test_every_command_has_an_example_and_is_documented():
    readme = README.read_text()
    found = list(commands(cli))
    assert {name for name, _ in found} >= {
        "ocr process",
        "ocr status",
        "ocr retry",
        "ocr export json",
        "ocr models",
    }
    for name, cmd in found:
        assert "Example:" in (cmd.help or ""), f"{name} has no example in its help"
        assert re.search(rf"`{re.escape(name)}\b", readme), f"README does not document {name}"


def test_help_and_version(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    assert "process" in out and "export" in out
    main(["--version"])
    assert "ocr" in capsys.readouterr().out


def test_missing_database_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["status", "--db", str(tmp_path / "none.db")])
    assert info.value.code == StoreError.exit_code
    assert "none.db" in capsys.readouterr().err


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["process", str(tmp_path / "nope.pdf"), "--db", str(tmp_path / "a.db"), "-q"])
    assert info.value.code == 2
    assert "nope.pdf" in capsys.readouterr().err
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "pages").exists()
