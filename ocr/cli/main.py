"""The ``ocr`` command group and :func:`main`, the one place where errors become exit codes.

Each command group has its own module: ``process`` (process, retry), ``status``,
``export``, ``articles``, ``models``, ``search`` (search, index), ``review`` (review,
users); ``progress`` is the progress display.
"""

from __future__ import annotations

import sys

import click

from ocr import __version__
from ocr.cli.articles import articles_cmd
from ocr.cli.export import export
from ocr.cli.models import models
from ocr.cli.process import process, retry
from ocr.cli.review import review_cmd, users
from ocr.cli.search import index_cmd, search_cmd
from ocr.cli.status import status
from ocr.errors import Interrupted, OcrError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ocr")
def cli() -> None:
    """Turn newspaper scans into a searchable archive.

    Example: ocr process scans/ && ocr export json
    """


cli.add_command(process)
cli.add_command(status)
cli.add_command(retry)
cli.add_command(export)
cli.add_command(models)
cli.add_command(articles_cmd)
cli.add_command(search_cmd)
cli.add_command(index_cmd)
cli.add_command(review_cmd)
cli.add_command(users)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; an error ends it with its exit code and a one-line message.
    Ctrl-C is exit code 130 (a batch prints its summary first, see ``process``)."""
    try:
        cli.main(args=argv, prog_name="ocr", standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C outside a batch (click turns it into Abort)
        click.echo("ocr: interrupted", err=True)
        sys.exit(Interrupted.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except OcrError as exc:
        click.echo(f"ocr: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("ocr: interrupted: pages stored so far are kept; run again to resume", err=True)
        sys.exit(Interrupted.exit_code)
