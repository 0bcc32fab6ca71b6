"""Pages on a Dask cluster: a local cluster of two worker processes on 127.0.0.1,
started by the test. The client stays the single writer; failures stay page-level."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import dask
import pytest
from conftest import blank_scans, check_real_page
from fakes import DIE_WIDTH, HANG_WIDTH, RAISE_WIDTH

from ocr import archive
from ocr.batch.run import BatchOptions, run
from ocr.cli.main import main
from ocr.model import PageJob


@pytest.fixture(scope="module")
def starts(tmp_path_factory):
    """A folder where the fake engines on the workers note each page they start."""
    folder = tmp_path_factory.mktemp("starts")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FAKE_OCR_STARTS", str(folder))  # inherited by the workers
        yield folder


@pytest.fixture(scope="module")
def scheduler(starts):
    from distributed import LocalCluster

    # A task whose worker dies is tried on one more worker only (default: 3 more), and
    # each worker holds only the task it runs (so a death rarely touches another page).
    # A recycled worker's nanny starts a fresh process; under load that can take longer
    # than the 15 s after which a LocalCluster closes the nanny of a worker that left
    # (``lost-worker-timeout``), leaving the cluster without workers: wait longer.
    settings = {
        "distributed.scheduler.allowed-failures": 1,
        "distributed.scheduler.worker-saturation": 1.0,
        "distributed.deploy.lost-worker-timeout": "600s",
    }
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        try:
            yield cluster.scheduler_address
        finally:
            cluster.close()


def on_cluster(tmp_path, scheduler, engine="fakes:FakeEngine", **kw) -> BatchOptions:
    return BatchOptions(
        db=tmp_path / "a.db",
        pages_dir=None,
        engine=engine,
        executor="dask",
        scheduler=scheduler,
        **kw,
    )


def test_process_on_a_dask_cluster(scheduler, starts, tmp_path, capsys):
    """Six pages through `ocr process --executor dask`: the cluster's two workers share
    them (each page's worker, as the log says, is the process the engine ran in), each
    worker loads the engine once, and a second run finds everything done."""
    widths = [600 + 10 * i for i in range(6)]
    scans = blank_scans(tmp_path, widths)
    for f in starts.iterdir():
        f.unlink()
    db_path = tmp_path / "a.db"
    log = tmp_path / "log.jsonl"
    args = ["process", str(scans), "--db", str(db_path), "-q"]
    dask_args = ["--executor", "dask", "--scheduler", scheduler]
    main([*args, "--engine", "fakes:SlowEngine", *dask_args, "--log-json", str(log)])
    assert "6 processed, 0 already done, 0 failed" in capsys.readouterr().out

    db = archive.open_db(db_path)
    assert [r[0] for r in db.execute("SELECT status FROM pages")] == ["done"] * 6
    assert db.execute("SELECT count(*) FROM lines").fetchone()[0] == 6
    provenance = [json.loads(r[0]) for r in db.execute("SELECT data FROM provenance")]
    assert provenance and all(p["load"] == 1 for p in provenance)  # models loaded once
    db.conn.close()
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(r["number"] for r in records) == [1, 2, 3, 4, 5, 6]
    # The engine noted the process each page ran in: the log names the same worker.
    ran_in = {int(f.name.split("-")[0]): int(f.name.split("-")[1]) for f in starts.iterdir()}
    assert {r["number"]: r["worker"] for r in records} == {
        n + 1: ran_in[w] for n, w in enumerate(widths)
    }
    pages_per_worker = sorted(Counter(r["worker"] for r in records).values())
    assert len(pages_per_worker) == 2 and pages_per_worker[0] >= 1, pages_per_worker

    # Again: everything is already done.
    main([*args, "--engine", "fakes:SlowEngine", *dask_args])
    assert "0 processed, 6 already done" in capsys.readouterr().out


def test_the_cluster_takes_pages_as_it_has_room(scheduler, tmp_path):
    """The Dask executor takes a page from the batch only when it has room for it (two
    per worker in flight), so a batch claims its pages as it goes, not all at once."""
    from ocr.batch.cluster import DaskExecutor

    scans = blank_scans(tmp_path, [600 + 10 * i for i in range(10)])
    taken: list[int] = []
    at_first_result: list[int] = []

    def jobs():
        for n, path in enumerate(sorted(scans.iterdir()), 1):
            taken.append(n)
            yield PageJob(str(path), 0, n, "k", f"{n:064d}")

    executor = DaskExecutor(on_cluster(tmp_path, scheduler, "fakes:SlowEngine"))
    try:
        results = []
        for result in executor.map(jobs()):
            at_first_result = at_first_result or [len(taken)]
            results.append(result)
    finally:
        executor.close()
    assert sorted(r.job.number for r in results) == list(range(1, 11))
    assert all(r.status == "done" for r in results), [r.error for r in results]
    assert at_first_result[0] <= 4  # two workers, two pages each: not all ten


@pytest.mark.slow
def test_a_page_on_the_cluster_with_the_real_models(scheduler, real_page, tmp_path):
    """`--executor dask` with the real PaddleOCR models: a Dask worker process loads them
    and reads the page; the client stores it."""
    scans = tmp_path / "scans"
    scans.mkdir()
    shutil.copy(real_page.path, scans)
    report = run([scans], on_cluster(tmp_path, scheduler, engine=None, threads=2))
    assert (report.done, report.failed, report.suspect) == (1, 0, 0), report.failures
    check_real_page(tmp_path / "a.db", real_page)


def test_failures_on_the_cluster_are_page_level(scheduler, tmp_path):
    scans = blank_scans(tmp_path, [600, RAISE_WIDTH, 620, HANG_WIDTH, 640, DIE_WIDTH, 660])
    report = run([scans], on_cluster(tmp_path, scheduler, page_timeout=3))
    db = archive.open_db(tmp_path / "a.db")
    rows = {r["number"]: r for r in db.query("SELECT * FROM pages")}
    assert (report.done, report.failed) == (4, 3), [r["error"] for r in rows.values()]
    assert "crashed on purpose" in rows[2]["error"]
    assert "p4.png page 1: timed out after" in rows[4]["error"]
    assert "p6.png page 1: the Dask workers running it died" in rows[6]["error"]
    assert all(rows[n]["status"] == "done" for n in (1, 3, 5, 7))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.conn.close()


def test_dask_workers_are_recycled(scheduler, starts, tmp_path):
    """After ``recycle_after`` pages a Dask worker retires and its nanny starts a fresh
    process; the pages it ran stay stored exactly once, and none is started twice (a
    page a retiring worker took is handed back before it starts)."""
    widths = [600 + 10 * i for i in range(8)]
    scans = blank_scans(tmp_path, widths)
    for f in starts.iterdir():
        f.unlink()
    log = tmp_path / "log.jsonl"
    opts = on_cluster(tmp_path, scheduler, "fakes:SlowEngine", recycle_after=2, log_json=log)
    report = run([scans], opts)
    assert (report.done, report.failed) == (8, 0)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert sorted(r["number"] for r in records) == list(range(1, 9))
    # Two worker processes at a time, each replaced after two pages: four or more ran.
    assert len({r["worker"] for r in records}) >= 4
    db = archive.open_db(tmp_path / "a.db")
    assert db.execute("SELECT count(*) FROM lines").fetchone()[0] == 8
    db.conn.close()
    started = sorted(int(f.name.split("-")[0]) for f in starts.iterdir())
    assert started == widths


def test_a_cluster_without_workers_fails_the_pages_instead_of_waiting(tmp_path, monkeypatch):
    """With no worker on the cluster (all gone, none restarted) the batch does not wait
    for ever: after a while its pages fail, saying why, and the batch ends."""
    from distributed import LocalCluster

    from ocr.batch import cluster as dask_executor

    monkeypatch.setattr(dask_executor, "NO_WORKERS_SECONDS", 1.0)
    monkeypatch.setattr(dask_executor, "MONITOR_EVERY", 0.2)
    scans = blank_scans(tmp_path, [600, 610])
    empty = LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=None)
    try:
        report = run([scans], on_cluster(tmp_path, empty.scheduler_address))
    finally:
        empty.close()
    assert (report.done, report.failed) == (0, 2)
    db = archive.open_db(tmp_path / "a.db")
    errors = [r["error"] for r in archive.failures(db)]
    db.conn.close()
    assert len(errors) == 2
    assert all("no Dask worker was left on the cluster for 1 s" in e for e in errors)
