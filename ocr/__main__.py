"""``python -m ocr``: the ``ocr`` command line."""

from ocr.cli.main import main

main()
