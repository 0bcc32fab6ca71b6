"""One page job in a worker process, for every executor: threads, the result, memory use."""

from __future__ import annotations

import os

from ocr.model import PageJob, PageResult


def share_threads(threads: int | None, workers: int) -> int:
    """Engine threads per worker: ``threads`` if given, else the cores shared out among
    ``workers``, so workers do not fight."""
    return threads or max(1, (os.cpu_count() or 1) // max(1, workers))


def limit_threads(threads: int) -> None:
    """Make the numeric libraries of this process use ``threads`` threads."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    try:
        import cv2

        cv2.setNumThreads(threads)
    except ImportError:  # pragma: no cover - OpenCV is a dependency
        pass


def run_job(job: PageJob) -> PageResult:
    """Process one page in this (worker) process, with the engine's provenance and the
    worker's memory use attached (keys starting with ``_`` are not stored as timings)."""
    from ocr.pipeline import engine, process_page

    result = process_page(job)
    if result.status == "done":
        result.timings["_provenance"] = engine().provenance()
    result.timings["_worker"] = os.getpid()
    result.timings["_rss_mb"] = rss_mb()
    result.timings["_peak_rss_mb"] = peak_rss_mb()
    return result


def failed_result(job: PageJob, reason: str) -> PageResult:
    """The result of a page that failed outside the pipeline (its worker died, it ran
    too long, the cluster lost it): ``reason`` after the page's label."""
    return PageResult(job=job, status="failed", error=f"{job.label}: {reason}")


def rss_mb() -> float:
    """Resident memory of this process now, in MB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 1e6, 1)


def peak_rss_mb() -> float:
    """The most resident memory this process has used so far, in MB (10^6 bytes, as
    :func:`rss_mb`; Linux reports ``ru_maxrss`` in KiB)."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1)
