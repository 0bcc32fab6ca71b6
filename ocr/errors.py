"""The one family of exceptions the library raises. Only the CLI maps them to exit codes."""

from __future__ import annotations


class OcrError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with when this ends a command."""

    exit_code = 1


class InputError(OcrError):
    """A scan that cannot be read: names the file and, where known, the page."""

    exit_code = 2

    def __init__(self, source: str, message: str, page: int | None = None):
        self.source = str(source)
        self.page = page
        where = self.source if page is None else f"{self.source} page {page}"
        super().__init__(f"{where}: {message}")
        self.reason = message


class ModelError(OcrError):
    """Model files missing, damaged or not in the expected form."""

    exit_code = 3


class EngineError(OcrError):
    """The OCR engine failed on a page."""

    exit_code = 4


class StoreError(OcrError):
    """The archive database cannot be opened or written."""

    exit_code = 5


class PagesFailed(OcrError):
    """A batch finished but some pages failed (recorded in the database)."""

    exit_code = 6


class ClusterError(OcrError):
    """The Dask scheduler cannot be reached or the cluster cannot run pages."""

    exit_code = 4


class OutputError(OcrError):
    """A place the command writes to (the export folder, the page images folder, the
    ``--log-json`` file) cannot be written: read-only, no permission, no space left."""

    exit_code = 7


class Interrupted(OcrError):
    """Ctrl-C stopped a batch; what was stored is kept (128 + SIGINT, as shells say)."""

    exit_code = 130


class PagesSuspect(OcrError):
    """A batch stored every page, but some read implausibly (flagged ``suspect``, listed
    by ``ocr status``; ``ocr retry --suspect`` runs them again)."""

    exit_code = 8


class NotFound(OcrError):
    """An id that is not in the archive, or not where the request says it is (a line of
    another page, a block of another article)."""

    exit_code = 2
    status = 404


class Conflict(OcrError):
    """A change based on a version that is no longer the current one: someone else
    changed it first. ``current`` holds what is stored now."""

    exit_code = 5
    status = 409

    def __init__(self, message: str, current: object = None):
        super().__init__(message)
        self.current = current
