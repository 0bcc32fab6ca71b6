"""``ocr models``: assemble and verify the OCR model folders, and say where they are."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--models",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="A folder of PaddleX model folders to check instead of the default models.",
)
def models(models):
    """Assemble (offline) and verify the OCR model folders; print where they are.

    Example: ocr models
    """
    from ocr.recognize.model_files import load_model_set

    ms = load_model_set(models)
    for key, value in ms.provenance().items():
        click.echo(f"{key}: {value}")
    click.echo(f"det_dir: {ms.det_dir}")
    click.echo(f"rec_dir: {ms.rec_dir}")
