"""The export machinery: ``ocr export FORMAT``, incremental per issue (a manifest of
fingerprints in the output folder), stale files removed, a progress bar over issues;
and the JSON export's contract with corrected text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import run_ocr as run
from exportdata import build_archive

from ocr import archive
from ocr.errors import InputError
from ocr.export import formats
from ocr.export.incremental import Manifest, run_export


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture
def db(built, tmp_path):
    """A copy of the built archive of its own (tests change it)."""
    copy = tmp_path / "archive.db"
    src = archive.open_db(built.db_path)
    src.conn.execute("VACUUM INTO ?", [str(copy)])
    src.conn.close()
    database = archive.open_db(copy)
    yield database
    database.conn.close()


def stamps(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if not p.name.startswith(".")}


def test_an_unchanged_issue_is_not_written_again(db, tmp_path):
    out = tmp_path / "out"
    first = run_export(db, formats.get("json"), out)
    assert first.issues_written == [1, 2] and first.issues_unchanged == []
    assert sorted(p.name for p in out.glob("*.json")) == [  # the manifest is not among them
        "issue-1-张庙社区晨报.json",
        "issue-2-张庙社区晨报.json",
    ]
    before = stamps(out)
    again = run_export(db, formats.get("json"), out)
    assert again.issues_written == [] and again.issues_unchanged == [1, 2]
    assert again.written == [] and stamps(out) == before


def test_a_correction_rewrites_its_issue_only_with_the_corrected_text(db, tmp_path):
    out = tmp_path / "out"
    run_export(db, formats.get("json"), out)
    (line,) = [
        ln for ln in archive.issue_record(db, 2)["pages"][0]["lines"] if "正文" in ln["text"]
    ]
    archive.correct_line(db, line["id"], "第二期的一行正文（已校对）", author="reviewer")
    report = run_export(db, formats.get("json"), out)
    assert report.issues_written == [2] and report.issues_unchanged == [1]
    (path,) = report.written
    doc = json.loads(path.read_text(encoding="utf-8"))
    texts = [ln["text"] for ln in doc["pages"][0]["lines"]]
    assert "第二期的一行正文（已校对）" in texts and "第二期的一行正文" not in texts


def test_new_articles_or_a_new_title_rewrite_the_issue_and_remove_its_old_file(db, tmp_path):
    out = tmp_path / "out"
    run_export(db, formats.get("json"), out)
    old = out / "issue-1-张庙社区晨报.json"
    assert old.is_file()
    archive.save_articles(db, 1, [], {"title": "张庙晨报", "flags": []}, method="test")
    report = run_export(db, formats.get("json"), out)
    assert report.issues_written == [1]
    assert not old.exists() and report.removed == [old]
    assert json.loads((out / "issue-1-张庙晨报.json").read_text())["articles"] == []


def test_a_deleted_file_a_new_option_or_force_writes_again(db, tmp_path):
    out = tmp_path / "out"
    json_format = formats.get("json")
    run_export(db, json_format, out)
    (out / "issue-2-张庙社区晨报.json").unlink()
    assert run_export(db, json_format, out).issues_written == [2]
    assert run_export(db, json_format, out, force=True).issues_written == [1, 2]
    bumped = formats.Format(**{**json_format.__dict__, "version": json_format.version + 1})
    assert run_export(db, bumped, out).issues_written == [1, 2]


def test_a_damaged_manifest_means_everything_is_written_again(db, tmp_path):
    out = tmp_path / "out"
    run_export(db, formats.get("json"), out)
    Manifest.path_for(out, "json").write_text("{not json", encoding="utf-8")
    assert run_export(db, formats.get("json"), out).issues_written == [1, 2]
    manifest = json.loads(Manifest.path_for(out, "json").read_text())
    assert sorted(manifest["issues"]) == ["1", "2"]


def test_a_manifest_cannot_make_the_export_delete_files_outside_its_folder(db, tmp_path):
    out = tmp_path / "out"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    run_export(db, formats.get("json"), out)
    path = Manifest.path_for(out, "json")
    data = json.loads(path.read_text())
    data["issues"]["1"]["files"] += ["../victim.txt", str(victim)]
    data["issues"]["1"]["fingerprint"] = "changed"
    path.write_text(json.dumps(data))
    assert run_export(db, formats.get("json"), out).issues_written == [1]
    assert victim.read_text() == "keep me"


def test_the_progress_callback_sees_every_issue(db, tmp_path):
    events = []
    out = tmp_path / "out"
    run_export(db, formats.get("json"), out, issue_ids=[2])
    run_export(db, formats.get("json"), out, progress=lambda e, d: events.append((e, d)))
    assert events[0] == ("start", {"format": "json", "total": 2})
    issues = [(d["issue"], d["written"]) for e, d in events if e == "issue"]
    assert issues == [(1, True), (2, False)]
    assert events[-1][0] == "end"


def test_an_unknown_issue_is_bad_input(db, tmp_path):
    with pytest.raises(InputError, match="--issue 99: no such issue"):
        run_export(db, formats.get("json"), tmp_path / "out", issue_ids=[99])
    assert not (tmp_path / "out").exists()


def test_the_command_exports_one_issue_then_skips_it_and_shows_a_bar(built, tmp_path, capsys):
    out = tmp_path / "out"
    assert run("export", "json", "--db", built.db_path, "--out", out, "--issue", 2) == 0
    stdout, err = capsys.readouterr()
    assert stdout.splitlines() == [str(out / "issue-2-张庙社区晨报.json")]
    assert "json issues" in err and "1/1" in err
    assert "json: 1 issue(s) written, 0 unchanged" in err
    assert run("export", "json", "--db", built.db_path, "--out", out) == 0
    stdout, err = capsys.readouterr()
    assert stdout.splitlines() == [str(out / "issue-1-张庙社区晨报.json")]
    assert "json: 1 issue(s) written, 1 unchanged" in err
    assert run("export", "json", "--db", built.db_path, "--out", out, "-q") == 0
    assert capsys.readouterr() == ("", "")
    assert run("export", "json", "--db", built.db_path, "--issue", 7) == InputError.exit_code
    assert "ocr: --issue 7: no such issue in the archive" in capsys.readouterr().err


def test_every_format_is_a_command_with_the_common_options(capsys):
    assert run("export", "--help") == 0
    listed = capsys.readouterr().out
    for name, fmt in formats.FORMATS.items():
        assert name in listed
        assert run("export", name, "--help") == 0
        text = capsys.readouterr().out
        for option in ("--db", "--out", "--issue", "--force", "--quiet"):
            assert option in text, (name, option)
        for opt in fmt.options:
            assert f"--{opt.name.replace('_', '-')}" in text


def test_json_keeps_its_contract_and_exports_the_corrected_text(db, tmp_path):
    """``lines.text`` (the reviewer's) everywhere, ``ocr_text`` nowhere; the keys as
    the README's contract lists them."""
    record = archive.issue_record(db, 1)
    line = record["pages"][0]["lines"][4]
    archive.correct_line(db, line["id"], "交运智慧湾科创园开园仪式隆重举行。", author="r")
    (path,) = [
        p for p in run_export(db, formats.get("json"), tmp_path).written if "issue-1" in p.name
    ]
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == {"issue", "pages", "articles"}
    page = doc["pages"][0]
    assert set(page) == {
        "number", "source", "source_page", "printed_number", "status", "error", "width",
        "height", "dpi", "skew_degrees", "regions", "lines",
    }  # fmt: skip
    assert set(page["lines"][0]) == {"id", "text", "confidence", "poly", "region", "article"}
    texts = {ln["id"]: ln["text"] for ln in page["lines"]}
    assert texts[line["id"]] == "交运智慧湾科创园开园仪式隆重举行。"
    assert "ocr_text" not in path.read_text(encoding="utf-8")
    body = next(r for r in page["regions"] if r["id"] == line["region_id"])
    assert "交运智慧湾科创园开园仪式隆重举行。" in body["text"]
    assert os.path.basename(path) == "issue-1-张庙社区晨报.json"


@pytest.mark.parametrize("fmt", ["alto", "hocr", "pdf", "text", "markdown", "iiif", "site"])
def test_each_format_runs_from_the_command_line(built, tmp_path, capsys, fmt):
    out = tmp_path / fmt
    issue = 1 if fmt in ("text", "markdown") else 2  # issue 2 has no article
    args = ["export", fmt, "--db", built.db_path, "--out", out, "--issue", issue, "-q"]
    assert run(*args) == 0
    written = [Path(p) for p in capsys.readouterr().out.split()]
    assert written and all(p.is_file() and out in p.parents for p in written)
    assert run(*args) == 0 and capsys.readouterr().out == ""  # unchanged: nothing written


def test_an_issue_without_processed_pages_writes_nothing(db, tmp_path):
    from ocr.model import PageJob

    issue = archive.upsert_issue(db, "k3", "scans/k3", "空", None)
    job = PageJob("scans/k3/p1.png", 0, 1, "k3", "f" * 64)
    page = archive.ensure_page(db, issue, job)
    archive.record_failure(db, page["id"], "scans/k3/p1.png page 1: damaged")
    for name in ("alto", "hocr", "pdf"):
        report = run_export(db, formats.get(name), tmp_path / name, issue_ids=[issue])
        assert report.issues_written == [issue] and report.written == []


def test_an_export_stopped_half_way_keeps_what_it_wrote(db, tmp_path, monkeypatch):
    """Ctrl-C (or a bug) during the second issue: the first is in the manifest, so the
    next run does not write it again."""
    out = tmp_path / "out"
    json_format = formats.get("json")
    write = json_format.write

    def stop_at_issue_2(job):
        if job.issue_id == 2:
            raise KeyboardInterrupt
        write(job)

    monkeypatch.setattr(formats.Format, "write", lambda self, job: stop_at_issue_2(job))
    with pytest.raises(KeyboardInterrupt):
        run_export(db, json_format, out)
    monkeypatch.undo()
    assert run_export(db, json_format, out).issues_written == [2]


# -- text, markdown, iiif and site: the same machinery, archive-wide files too ------------

ARCHIVE_WIDE = {  # the files a format writes for the whole archive (its ``finish``)
    "text": set(),
    "markdown": set(),
    "iiif": {"collection.json"},
    "site": {"index.html", "search.html", "search/docs.js", "assets/site.css"},
}


@pytest.fixture
def db2(db):
    """The archive with an article in issue 2 as well (so each issue has text files)."""
    page = archive.issue_record(db, 2)["pages"][0]
    body = next(ln for ln in page["lines"] if "正文" in ln["text"])
    art = {"title": "第二期要闻", "text": body["text"], "pages": [1], "lines": [body["id"]],
           "jump_lines": [], "regions": [body["region_id"]]}  # fmt: skip
    archive.save_articles(db, 2, [art], {"flags": []}, method="test")
    return db


def all_stamps(out: Path) -> dict[str, int]:
    """Every file the export wrote (the manifest aside) and its modification time."""
    return {
        str(p.relative_to(out)): p.stat().st_mtime_ns
        for p in out.rglob("*")
        if p.is_file() and ".ocr-export" not in p.parts
    }


def issue_files(out: Path, name: str, issue: int) -> set[str]:
    return set(json.loads(Manifest.path_for(out, name).read_text())["issues"][str(issue)]["files"])


@pytest.mark.parametrize("name", ["text", "markdown", "iiif", "site"])
def test_a_second_export_writes_nothing(db2, tmp_path, name):
    out = tmp_path / name
    first = run_export(db2, formats.get(name), out)
    assert first.issues_written == [1, 2] and first.archive_written == bool(ARCHIVE_WIDE[name])
    assert issue_files(out, name, 1) and issue_files(out, name, 2)
    assert ARCHIVE_WIDE[name] <= set(all_stamps(out))
    before = all_stamps(out)
    again = run_export(db2, formats.get(name), out)
    assert again.issues_written == [] and again.issues_unchanged == [1, 2]
    assert again.written == [] and not again.archive_written
    assert all_stamps(out) == before


@pytest.mark.parametrize("name", ["text", "markdown", "iiif", "site"])
def test_a_correction_rewrites_its_issue_and_the_archive_files_only(db2, tmp_path, name):
    out = tmp_path / name
    run_export(db2, formats.get(name), out)
    before = all_stamps(out)
    line = next(
        ln for ln in archive.issue_record(db2, 2)["pages"][0]["lines"] if "正文" in ln["text"]
    )
    archive.correct_line(db2, line["id"], "第二期的一行正文（已校对）", author="reviewer")
    archive.save_articles(db2, 2, [{"title": "第二期要闻", "text": "第二期的一行正文（已校对）",
                                    "pages": [1], "lines": [line["id"]], "jump_lines": [],
                                    "regions": [line["region_id"]]}],
                          {"flags": []}, method="test")  # fmt: skip
    report = run_export(db2, formats.get(name), out)
    assert report.issues_written == [2] and report.issues_unchanged == [1]
    written = {str(p.relative_to(out)) for p in report.written}
    archive_files = set(json.loads(Manifest.path_for(out, name).read_text())["issues"].get(
        "archive", {"files": []})["files"])  # fmt: skip
    assert written == issue_files(out, name, 2) | archive_files
    assert ARCHIVE_WIDE[name] <= archive_files
    after = all_stamps(out)
    changed = {f for f in after if after[f] != before.get(f)}
    assert changed == written
    assert not changed & issue_files(out, name, 1)
    text = "".join((out / f).read_text(encoding="utf-8") for f in written if not f.endswith(
        (".jpg", ".svg", ".css")))  # fmt: skip
    assert "第二期的一行正文（已校对）" in text


@pytest.mark.parametrize("name", ["text", "markdown", "iiif", "site"])
def test_a_deleted_file_is_written_again(db2, tmp_path, name):
    out = tmp_path / name
    fmt = formats.get(name)
    run_export(db2, fmt, out)
    gone = sorted(issue_files(out, name, 1))[0]
    (out / gone).unlink()
    report = run_export(db2, fmt, out)
    assert report.issues_written == [1] and (out / gone).is_file()
    for wide in sorted(ARCHIVE_WIDE[name]):
        (out / wide).unlink()
        report = run_export(db2, fmt, out)
        assert report.issues_written == [] and report.archive_written
        assert (out / wide).is_file()
    assert not run_export(db2, fmt, out).written
