"""Pages on a Dask distributed cluster: the one adapter for ``distributed``.

The client (the ``ocr process`` command) sends one task per page, keeping two per
worker in flight (the batch claims its pages as they are sent), and stores the
results as they come back (``distributed.as_completed``); it stays the single writer
to SQLite. Each Dask worker process loads the OCR engine once, at its first page, and
keeps it (:func:`ocr.pipeline.init_worker` caches it). Tasks carry the page's path,
not its bytes: the scans (and ``--pages-dir``) must be on a filesystem every worker
reads at the same path.

Failures stay page-level: a task that raises is recorded as a failed page; one whose
workers keep dying (Dask's ``KilledWorker``) is sent once more under a new key (an
innocent page can share a dying worker) and then recorded as failed; a page running
longer than the page timeout is cancelled and its worker restarted (through its nanny).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ocr.batch.jobs import failed_result, limit_threads, run_job
from ocr.errors import ClusterError
from ocr.model import PageJob, PageResult

MONITOR_EVERY = 2.0  # seconds between checks for overdue pages
RESUBMIT = 1  # times a page whose Dask workers died is sent again under a new key
_RUNNING: dict[str, float] = {}  # on a worker: task key -> when it started
_LOCK = threading.Lock()  # one page at a time per worker process (one engine)
_THREADS: dict[str, int] = {}  # in a worker process: the thread limit set
_PAGES = [0]  # pages run in this worker process
NO_WORKERS_SECONDS = 180.0  # with no worker on the cluster this long, the pages left fail
DRAIN_SECONDS = 60.0  # a recycled worker waits this long at most for its results to go


def dask_page(
    job: PageJob, models: str | None, threads: int, engine: str | None, recycle_after: int = 0
) -> PageResult:
    """The task run on a Dask worker for one page."""
    from distributed import get_worker

    from ocr.pipeline import init_worker

    worker = get_worker()
    if recycle_after and _PAGES[0] >= recycle_after:
        _hand_back(worker)
    key = str(worker.get_current_task())
    with _LOCK:
        _RUNNING[key] = time.monotonic()
        try:
            if _THREADS.get("threads") != threads:  # first page in this worker process
                limit_threads(threads)
                _THREADS["threads"] = threads
            init_worker(models, threads, engine)
            return run_job(job)
        finally:
            _RUNNING.pop(key, None)
            _PAGES[0] += 1
            if recycle_after and _PAGES[0] == recycle_after:
                worker.loop.add_callback(_recycle, worker)


def _hand_back(worker) -> None:
    """This worker process is retiring (see :func:`_recycle`) and took another page
    meanwhile: wait until the scheduler knows it is retiring (it then sends it no more
    pages) and give the page back unstarted (``Reschedule``), so no work is thrown away."""
    from distributed import Reschedule
    from distributed.core import Status

    deadline = time.monotonic() + DRAIN_SECONDS + 10
    while worker.status == Status.running and time.monotonic() < deadline:
        time.sleep(0.05)
    raise Reschedule()


async def _recycle(worker) -> None:
    """Replace this worker process (memory stays flat), as ``dask worker --lifetime
    --lifetime-restart`` does: once the results it holds have been fetched (the client
    releases each as it stores it), retire gracefully; its nanny starts a fresh one."""
    import asyncio

    deadline = time.monotonic() + DRAIN_SECONDS
    await asyncio.sleep(0.5)  # the result just returned is stored on the worker first
    while len(worker.data) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await worker.close_gracefully(restart=True, reason="ocr: recycled after its pages")


def overdue(timeout: float) -> dict[str, float]:
    """Run on each worker: the pages running there for longer than ``timeout``."""
    now = time.monotonic()
    return {key: now - t for key, t in list(_RUNNING.items()) if now - t > timeout}


class DaskExecutor:
    """Runs page jobs on the cluster whose scheduler is at ``options.scheduler``."""

    def __init__(self, options: Any):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - a dependency
            raise ClusterError(f"the Dask executor needs 'distributed': {exc}") from exc
        if not options.scheduler:
            raise ClusterError("--executor dask needs --scheduler tcp://HOST:PORT")
        self.options = options
        try:
            self.client = Client(options.scheduler, timeout=30, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            msg = f"cannot reach the Dask scheduler {options.scheduler}: {exc}"
            raise ClusterError(msg) from exc

    def close(self) -> None:
        self.client.close()

    def map(self, jobs: Iterable[PageJob]) -> Iterator[PageResult]:
        """Run ``jobs`` on the cluster; yield each page's result as it comes back. Jobs
        are taken from ``jobs`` as room frees up: twice as many pages in flight as the
        cluster has workers (a batch claims its pages as it goes)."""
        from distributed import as_completed

        source = iter(jobs)
        by_key: dict[str, tuple[Any, PageJob]] = {}  # the pages in flight
        tries: dict[tuple[str, int], int] = {}
        finished: set[str] = set()
        stream = as_completed([], loop=self.client.loop)
        window = self._window()
        checked = time.monotonic()
        alone = _Alone(self.client)
        while True:
            while len(by_key) < window and (job := next(source, None)) is not None:
                stream.add(self._submit(job, by_key, tries))
            if stream.is_empty():
                break
            for fut in stream.next_batch(block=False):
                if fut.key in finished:  # cancelled by the timeout below
                    continue
                finished.add(fut.key)
                job = by_key.pop(fut.key)[1]
                error = fut.exception() if fut.status == "error" else None  # fetched once
                if _lost(fut.status, error) and tries[_page(job)] <= RESUBMIT:
                    # Its worker died, perhaps of another page (a worker holds a few
                    # tasks): try it again under a new key, with a fresh count of deaths.
                    fut.release()
                    stream.add(self._submit(job, by_key, tries))
                    continue
                result = self._result(fut, job, error)
                result.job = job
                yield result
                fut.release()
            if time.monotonic() - checked > MONITOR_EVERY:
                checked = time.monotonic()
                window = self._window()
                if self.options.page_timeout:
                    yield from self._stop_overdue(by_key, finished)
                if alone.too_long():
                    yield from self._give_up(by_key, finished, alone.reason())
            time.sleep(0.05)

    def _window(self) -> int:
        """Pages to keep in flight: two per worker on the cluster now (at least two)."""
        try:
            workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        except Exception:  # the scheduler is busy: a small window until the next look
            workers = 1
        return max(2, 2 * workers)

    def _give_up(self, by_key, finished: set[str], reason: str) -> Iterator[PageResult]:
        """Fail every page not finished yet (the cluster cannot run them)."""
        for key, (fut, job) in list(by_key.items()):
            if key in finished or fut.done():
                continue
            finished.add(key)
            del by_key[key]
            fut.cancel()
            yield failed_result(job, reason)

    def _submit(self, job: PageJob, by_key: dict, tries: dict):
        o = self.options
        tries[_page(job)] = tries.get(_page(job), 0) + 1
        key = f"ocr-page-{job.source_sha256[:12]}-{job.page_index + 1}-{uuid.uuid4().hex[:8]}"
        fut = self.client.submit(
            dask_page,
            _absolute(job),
            o.models,
            o.threads or 1,
            o.engine,
            max(0, o.recycle_after or 0),
            key=key,
            pure=False,
        )
        by_key[key] = (fut, job)
        return fut

    def _result(self, fut, job: PageJob, error: BaseException | None) -> PageResult:
        if fut.status == "finished":
            try:
                return fut.result()
            except Exception as exc:  # the result could not be fetched
                return failed_result(job, f"its result could not be fetched: {exc}")
        if fut.status != "error":  # cancelled or lost, not by us
            return failed_result(job, f"the Dask task ended as {fut.status!r}")
        name = type(error).__name__
        if name == "KilledWorker":
            return failed_result(job, f"the Dask workers running it died ({error})")
        return failed_result(job, f"the Dask task failed: {name}: {error}")

    def _stop_overdue(self, by_key, finished: set[str]) -> Iterator[PageResult]:
        try:
            late = self.client.run(overdue, self.options.page_timeout, on_error="return")
        except Exception:  # a worker going away: look again next time
            return
        for address, keys in late.items():
            if not isinstance(keys, dict):
                continue
            stopped = False
            for key, seconds in keys.items():
                if key not in by_key or key in finished:
                    continue
                fut, job = by_key.pop(key)
                finished.add(key)
                fut.cancel()
                stopped = True
                yield failed_result(
                    job,
                    f"timed out after {seconds:.0f} s on Dask worker {address} "
                    "(the worker was restarted)",
                )
            if stopped:
                try:
                    self.client.restart_workers([address], raise_for_error=False)
                except Exception:  # without a nanny it cannot be restarted
                    pass


class _Alone:
    """Watches for a cluster left without workers (all gone, none restarted): a batch
    would otherwise wait for them for ever."""

    def __init__(self, client):
        self.client = client
        self.since: float | None = None

    def too_long(self) -> bool:
        try:
            workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        except Exception:  # the scheduler is busy or going: look again next time
            return False
        if workers:
            self.since = None
            return False
        self.since = self.since or time.monotonic()
        return time.monotonic() - self.since > NO_WORKERS_SECONDS

    def reason(self) -> str:
        return f"no Dask worker was left on the cluster for {NO_WORKERS_SECONDS:.0f} s"


def _absolute(job: PageJob) -> PageJob:
    """The job with absolute paths: workers resolve paths from their own folder."""
    pages_dir = str(Path(job.pages_dir).resolve()) if job.pages_dir else None
    return replace(job, source=str(Path(job.source).resolve()), pages_dir=pages_dir)


def _page(job: PageJob) -> tuple[str, int]:
    return (job.source_sha256, job.page_index)


def _lost(status: str, error: BaseException | None) -> bool:
    """Whether the task ended because its workers died (not because the page failed)."""
    if status in ("cancelled", "lost"):
        return True  # lost by the cluster; ours are in ``finished`` before this is asked
    return status == "error" and type(error).__name__ == "KilledWorker"
