"""Where pages run: in this process, in local worker processes, or on a Dask cluster.

An executor has ``map(jobs)``, which yields each page's result as it finishes, and
``close()``. ``jobs`` may be a lazy iterable: an executor takes a job only when it has
room to run it (the batch claims each page as it is taken, see ``ocr.batch.leases``).
:func:`open_executor` picks the one ``BatchOptions.executor`` names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ocr.batch.jobs import run_job, share_threads
from ocr.batch.options import BatchOptions
from ocr.model import PageJob, PageResult

EXECUTORS = ("local", "dask", "inline")  # the choices of ``--executor``, in its help order


class InlineExecutor:
    """Pages one at a time in this process (no timeout, no crash isolation): for
    debugging and profiling."""

    def __init__(self, options: BatchOptions):
        self.options = options

    def map(self, jobs: Iterable[PageJob]) -> Iterator[PageResult]:
        from ocr.pipeline import init_worker

        loaded = False
        for job in jobs:  # taken one at a time: a batch claims its pages as it goes
            if not loaded:  # the models only when there is a page
                init_worker(
                    self.options.models, share_threads(self.options.threads, 1), self.options.engine
                )
                loaded = True
            yield run_job(job)

    def close(self) -> None:
        pass


@contextmanager
def open_executor(options: BatchOptions):
    """The executor named by ``options.executor``: something with ``map(jobs)`` that
    yields page results as they finish. Closed (workers stopped) on exit."""
    if options.executor == "inline":
        executor = InlineExecutor(options)
    elif options.executor == "local":
        from ocr.batch.workers import WorkerPool

        executor = WorkerPool(
            workers=max(1, options.jobs),
            threads=options.threads,
            models=options.models,
            engine=options.engine,
            page_timeout=options.page_timeout,
            recycle_after=max(1, options.recycle_after),
        )
    elif options.executor == "dask":
        from ocr.batch.cluster import DaskExecutor

        executor = DaskExecutor(options)
    else:
        raise ValueError(f"unknown executor {options.executor!r}; one of {EXECUTORS}")
    try:
        yield executor
    finally:
        executor.close()
