"""A resumed batch does not read every scan again: the archive records each file's
SHA-256 with its path, size and modification time. A changed file is read again (and
its pages are new pages); ``--redo`` reads every file again."""

from __future__ import annotations

import os

import numpy as np
from conftest import blank_scans
from PIL import Image

from ocr import archive
from ocr.batch import plan
from ocr.batch.run import BatchOptions, run
from ocr.scan.load import sha256_path


def _counting(monkeypatch) -> list[str]:
    read: list[str] = []

    def spy(path):
        read.append(os.path.basename(path))
        return sha256_path(path)

    monkeypatch.setattr(plan, "sha256_path", spy)  # where the plan reads files
    return read


def test_a_resumed_batch_reads_only_changed_files(tmp_path, monkeypatch):
    scans = blank_scans(tmp_path)
    read = _counting(monkeypatch)
    opts = BatchOptions(
        db=tmp_path / "a.db", pages_dir=None, executor="inline", engine="fakes:FakeEngine"
    )
    assert run([scans], opts).done == 3
    assert sorted(read) == ["p1.png", "p2.png", "p3.png"]

    read.clear()
    report = run([scans], opts)
    assert (report.done, report.skipped) == (0, 3)
    assert read == []  # known by path, size and mtime

    # p2 changes (another scan under the same name): read again, and it is a new page
    Image.fromarray(np.full((300, 700), 255, np.uint8)).save(scans / "p2.png")
    read.clear()
    report = run([scans], opts)
    assert read == ["p2.png"]
    assert (report.done, report.skipped) == (1, 2)
    db = archive.open_db(tmp_path / "a.db")
    hashes = {r["path"]: r["sha256"] for r in db.query("SELECT path, sha256 FROM file_hashes")}
    assert hashes[str((scans / "p2.png").resolve())] == sha256_path(scans / "p2.png")
    assert len(hashes) == 3
    db.conn.close()

    # touched but the same bytes: read again, same identity, nothing redone
    os.utime(scans / "p3.png", ns=(1, 1))
    read.clear()
    report = run([scans], opts)
    assert read == ["p3.png"] and (report.done, report.skipped) == (0, 3)


def test_redo_reads_every_file_again(tmp_path, monkeypatch):
    scans = blank_scans(tmp_path)
    opts = BatchOptions(
        db=tmp_path / "a.db", pages_dir=None, executor="inline", engine="fakes:FakeEngine"
    )
    run([scans], opts)
    read = _counting(monkeypatch)
    opts.redo = True
    assert run([scans], opts).done == 3
    assert sorted(read) == ["p1.png", "p2.png", "p3.png"]
