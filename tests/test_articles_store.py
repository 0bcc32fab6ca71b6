"""Articles in the archive: assembly from stored lines (reviewer corrections included),
written in one transaction, re-run without OCR (``ocr articles``), exported as JSON."""

from __future__ import annotations

import json

import pytest
import synth
from test_articles import SMALL, norm, truth_articles, truth_layout

from ocr import archive
from ocr.articles.assemble import find_jump
from ocr.batch import assemble as articles
from ocr.cli.main import main
from ocr.export.jsondoc import issue_document
from ocr.model import PageJob, PageResult

pytestmark = pytest.mark.skipif(not synth.fonts(), reason="no CJK font installed")

META = {"title": "张庙社区晨报", "date": "2021-01-20", "number": 75}


@pytest.fixture(scope="module")
def issue_pages() -> list[synth.TruthPage]:
    return synth.render_issue(pages=3, seed=2011, jumps="varied", **SMALL)


def store_issue(db, pages, printed=None, classified=False) -> int:
    """Store the truth of ``pages`` as if OCR had read every line exactly."""
    issue = archive.upsert_issue(db, "k", "scans/x", "x", None)
    for k, page in enumerate(pages):
        job = PageJob(
            source="scans/x.pdf", page_index=k, number=page.number, issue_key="k",
            source_sha256="a" * 64,
        )  # fmt: skip
        row = archive.ensure_page(db, issue, job)
        layout = truth_layout(page, classified)
        h, w = page.image.shape[:2]
        number = page.number if printed is None else printed[k]
        meta = dict(META, printed_number=number) if page.number == 1 else {}
        if number is not None and page.number != 1:
            meta = {"printed_number": number}
        result = PageResult(
            job=job, width=w, height=h, dpi=100, deskewed_width=w, deskewed_height=h,
            regions=layout.regions, lines=layout.lines, meta=meta,
        )  # fmt: skip
        archive.save_page(db, row["id"], result, "h", None)
    return issue


def test_assemble_issue_writes_articles_lines_and_regions(db, issue_pages):
    issue = store_issue(db, issue_pages)
    n = articles.assemble_issue(db, issue)
    truth = truth_articles(issue_pages)
    assert n == len(truth)
    doc = issue_document(db, issue)
    assert {norm(a["text"]) for a in doc["articles"]} == {t["text"] for t in truth}
    assert {(norm(a["title"]), tuple(a["pages"])) for a in doc["articles"]} == {
        (t["title"], tuple(t["pages"])) for t in truth
    }
    rows = list(db.query("SELECT method, version FROM articles WHERE issue_id = ?", [issue]))
    assert {(r["method"], r["version"]) for r in rows} == {("layout", 1)}
    lines = {ln["id"]: ln for p in doc["pages"] for ln in p["lines"]}
    for art in doc["articles"]:
        # article_lines in reading order: the title's lines first; every line points back
        assert norm("".join(lines[i]["text"] for i in art["lines"])).startswith(norm(art["title"]))
        assert all(lines[i]["article"] == art["id"] for i in art["lines"])
    # jump lines belong to their article but are in neither its lines nor its text
    jumps = [ln for ln in lines.values() if find_jump(ln["text"])]
    assert jumps and all(ln["article"] is not None for ln in jumps)
    in_articles = {i for a in doc["articles"] for i in a["lines"]}
    assert not {ln["id"] for ln in jumps} & in_articles
    assert not any("转第" in a["text"] or "接第" in a["text"] for a in doc["articles"])
    # a photo belongs to the article it illustrates
    photos = [r for p in doc["pages"] for r in p["regions"] if r["kind"] == "photo"]
    assert photos and all(r["article"] is not None for r in photos)
    # furniture is no article's
    folios = [ln for ln in lines.values() if ln["text"].startswith("- ")]
    assert folios and all(ln["article"] is None for ln in folios)


def test_issue_metadata_and_flags(db, issue_pages):
    issue = store_issue(db, issue_pages)
    articles.assemble_issue(db, issue)
    doc = issue_document(db, issue)
    assert doc["issue"]["title"] == "张庙社区晨报"
    assert (doc["issue"]["date"], doc["issue"]["number"]) == ("2021-01-20", 75)
    assert doc["issue"]["flags"] == []


def test_flags_for_missing_and_duplicate_pages(db, issue_pages):
    issue = store_issue(db, issue_pages, printed=[None, 3, 3])
    articles.assemble_issue(db, issue)
    flags = issue_document(db, issue)["issue"]["flags"]
    assert flags == ["missing page 2", "duplicate page 3"]


def test_no_meta_keeps_the_date_from_the_file_name(db):
    issue = archive.upsert_issue(db, "k", "scans/x", "x", "2020-05-01")
    articles.assemble_issue(db, issue)
    row = next(db.query("SELECT * FROM issues WHERE id = ?", [issue]))
    assert (row["title"], row["date"], json.loads(row["flags"])) == ("x", "2020-05-01", [])


def test_reviewer_edit_then_reassembly_bumps_only_that_article(db, issue_pages):
    issue = store_issue(db, issue_pages)
    articles.assemble_issue(db, issue)
    before = {a["id"]: a for a in issue_document(db, issue)["articles"]}
    target = next(a for a in before.values() if len(a["lines"]) > 3)
    body_line = target["lines"][-1]
    archive.correct_line(db, body_line, "审校后的文字。")
    assert articles.assemble_issue(db, issue) == len(before)
    after = {a["id"]: a for a in issue_document(db, issue)["articles"]}
    assert set(after) == set(before)  # same ids: articles are matched by their lines
    assert after[target["id"]]["text"].endswith("审校后的文字。")
    versions = dict(db.execute("SELECT id, version FROM articles").fetchall())
    assert versions[target["id"]] == 2
    assert all(v == 1 for k, v in versions.items() if k != target["id"])
    articles.assemble_issue(db, issue)  # nothing changed: no new versions
    assert dict(db.execute("SELECT id, version FROM articles").fetchall()) == versions


def test_a_failing_assembly_falls_back_to_blocks_and_says_so(db, issue_pages, monkeypatch):
    issue = store_issue(db, issue_pages[:1])

    def broken(pages):
        raise ValueError("boom")

    monkeypatch.setattr(articles, "assemble_articles", broken)
    assert articles.assemble_issue(db, issue) > 0
    doc = issue_document(db, issue)
    assert any("article assembly failed (ValueError: boom" in f for f in doc["issue"]["flags"])
    methods = {r["method"] for r in db.query("SELECT method FROM articles")}
    assert methods == {"block"}


def test_cli_articles_reassembles_from_stored_lines(tmp_path, issue_pages, capsys):
    path = tmp_path / "archive.db"
    db = archive.open_db(path)
    issue = store_issue(db, issue_pages)
    db.conn.close()
    main(["articles", "--db", str(path), "--issue", str(issue)])
    out = capsys.readouterr().out
    n = len(truth_articles(issue_pages))
    head = f"issue {issue} (张庙社区晨报, 2021-01-20, no. 75)"
    assert out == f"{head}: {n} articles, 1 across pages\n"
    main(["articles", "--db", str(path)])
    assert capsys.readouterr().out == out
    with pytest.raises(SystemExit) as info:
        main(["articles", "--db", str(path), "--issue", "99"])
    assert info.value.code == 2
    assert "no issue 99" in capsys.readouterr().err
