"""A small pool of worker processes that the main process fully controls.

Each worker is a ``multiprocessing`` process (started with ``spawn``: no locks or
threads inherited from the main process) joined to the main process by a pipe. It
loads the OCR engine once, says it is ready, then takes one :class:`PageJob` at a time
and sends back its :class:`PageResult`. The main process knows which page each worker
holds and since when, so it can:

* fail exactly that page when the worker dies (killed, out of memory, a crash in
  native code) and start a new worker;
* stop a worker whose page runs longer than ``page_timeout`` seconds (a hung engine),
  fail that page with the reason, and start a new worker;
* replace each worker after ``recycle_after`` pages, so memory stays flat.

Workers ignore Ctrl-C (the main process stops them) and exit when the main process
goes away (their pipe closes), so a ``kill -9`` of the batch leaves no orphans.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from ocr.batch.jobs import failed_result, limit_threads, run_job, share_threads
from ocr.errors import EngineError, OcrError
from ocr.model import PageJob, PageResult

READY_TIMEOUT = 600.0  # seconds a new worker may take to load the models
POLL = 0.5  # seconds between checks for overdue pages


def _worker_main(conn: Connection, models: str | None, threads: int, engine: str | None):
    """The body of a worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_threads(threads)
    try:
        from ocr.pipeline import init_worker

        init_worker(models, threads, engine)
    except BaseException as exc:  # tell the main process why, then stop
        conn.send(("error", _portable(exc)))
        return
    try:
        conn.send(("ready", os.getpid()))
        while (job := conn.recv()) is not None:
            conn.send(("result", run_job(job)))
    except (EOFError, OSError):  # the main process is gone (even killed): stop too
        return


def _portable(exc: BaseException) -> BaseException:
    """An exception that survives pickling: our own errors as they are, others as text."""
    if isinstance(exc, OcrError) and type(exc).__init__ is Exception.__init__:
        return exc
    return EngineError(f"cannot start the OCR engine in a worker: {type(exc).__name__}: {exc}")


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    ready: bool = False
    job: PageJob | None = None
    since: float = 0.0  # when the current job (or, before ready, the start) began
    pages: int = 0
    gone: bool = False  # its pipe closed: it died or is dying


@dataclass
class WorkerPool:
    """``workers`` processes running :func:`run_job`; use as a context manager.

    ``page_timeout`` (seconds, ``None`` for none) bounds each page; after
    ``recycle_after`` pages a worker is replaced. Without ``threads``, each worker gets
    the cores divided by the number of workers the pages need (one page: all cores).
    :meth:`map` yields results as pages finish, and can be called again (the workers
    stay up between calls, models loaded).
    """

    workers: int
    threads: int | None = None  # engine threads per worker; None: the cores shared out
    models: str | None = None
    engine: str | None = None
    page_timeout: float | None = 600.0
    recycle_after: int = 50
    ready_timeout: float = READY_TIMEOUT
    _pool: list[_Worker] = field(default_factory=list)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- workers ---------------------------------------------------------------

    def _start(self, workers: int) -> _Worker:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        threads = share_threads(self.threads, workers)
        process = ctx.Process(
            target=_worker_main,
            args=(child, self.models, threads, self.engine),
            name="ocr-worker",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent, since=time.monotonic())
        self._pool.append(worker)
        return worker

    def _stop(self, worker: _Worker, kill: bool = False) -> None:
        """Stop a worker: politely (finish, then exit) or at once (SIGKILL)."""
        if worker in self._pool:
            self._pool.remove(worker)
        if not kill and worker.process.is_alive():
            try:
                worker.conn.send(None)
            except OSError:
                kill = True
            worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    def close(self) -> None:
        for worker in list(self._pool):
            self._stop(worker, kill=worker.job is not None)

    # -- running ---------------------------------------------------------------

    def map(self, jobs: Iterable[PageJob]) -> Iterator[PageResult]:
        """Run ``jobs``; yield each page's result as soon as it is ready. A job is taken
        from ``jobs`` only when a worker is free for it (a batch claims its pages as it
        goes, so another batch on the archive can share them)."""
        source = iter(jobs)
        pending: deque[PageJob] = deque()
        busy = 0
        while True:
            while len(pending) < self.workers - busy:  # as many as the free workers
                job = next(source, None)
                if job is None:
                    break
                pending.append(job)
            if not (pending or busy):
                break
            # Keep enough workers: replaced ones are started here, only while needed.
            needed = min(self.workers, busy + len(pending))
            while len(self._pool) < needed:
                self._start(needed)
            for worker in list(self._pool):
                if worker.ready and worker.job is None and pending:
                    job = pending.popleft()
                    worker.conn.send(job)
                    worker.job, worker.since = job, time.monotonic()
                    busy += 1
            ready = wait(
                [w.conn for w in self._pool] + [w.process.sentinel for w in self._pool], POLL
            )
            for worker in list(self._pool):
                result = self._receive(worker, ready)
                if result is not None:
                    busy -= 1
                    yield result
            for worker in list(self._pool):
                result = self._check(worker)
                if result is not None:
                    busy -= 1
                    yield result

    def _receive(self, worker: _Worker, ready: list) -> PageResult | None:
        """Take a message from ``worker`` if it sent one."""
        if worker.conn not in ready:
            return None
        try:
            kind, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.gone = True  # it died: _check replaces it
            return None
        if kind == "error":
            self.close()
            raise payload
        if kind == "ready":
            worker.ready = True
            return None
        worker.job = None
        worker.pages += 1
        if worker.pages >= self.recycle_after:
            self._stop(worker)
        return payload

    def _check(self, worker: _Worker) -> PageResult | None:
        """Replace a worker that died or overran its page; fail that page."""
        now = time.monotonic()
        job = worker.job
        if worker.gone or not worker.process.is_alive():
            self._stop(worker, kill=True)
            code = worker.process.exitcode
            if job is None:
                if not worker.ready:
                    self.close()
                    raise EngineError(f"a worker process died while loading the models ({code})")
                return None
            reason = f"the worker process died while processing it (exit code {code})"
            return failed_result(job, reason)
        if job is None and not worker.ready and now - worker.since > self.ready_timeout:
            self.close()
            raise EngineError(
                f"a worker process did not load the models within {self.ready_timeout:.0f} s"
            )
        if job is not None and self.page_timeout and now - worker.since > self.page_timeout:
            self._stop(worker, kill=True)
            return failed_result(
                job, f"timed out after {self.page_timeout:g} s (its worker process was stopped)"
            )
        return None
