"""Articles end to end with the real models: a generated two-page issue whose front-page
article continues on page 2 ("（转第2版）" / "（接第1版）", under a shortened title) goes
through `ocr process`; the archive holds it as one article, every title read right."""

from __future__ import annotations

import pytest
import synth
from metrics import edit_distance
from test_articles import norm, truth_articles

from ocr import archive
from ocr.cli.main import main
from ocr.export.jsondoc import issue_document

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("articles-e2e")
    pages = synth.render_issue(
        pages=2,
        seed=24,
        columns=3,
        width_mm=130,
        height_mm=170,
        dpi=200,
        jumps="varied",
        noise=3.0,
        blur=0.5,
        skew_degrees=-1.1,
    )
    pdf = tmp / "zhangmiao.pdf"  # no date in the name: the masthead gives it
    synth.save_pdf(pages, pdf)
    db_path = tmp / "archive.db"
    main(["process", str(pdf), "--db", str(db_path), "--dpi", "200", "--quiet"])
    db = archive.open_db(db_path)
    doc = issue_document(db, 1)
    db.conn.close()
    return pages, doc, db_path


def test_jumped_article_is_one_article(processed):
    pages, doc, _ = processed
    (jumped,) = [t for t in truth_articles(pages) if len(t["pages"]) > 1]
    (art,) = [a for a in doc["articles"] if norm(a["title"]) == jumped["title"]]
    assert art["pages"] == [1, 2]
    text = norm(art["text"])
    assert edit_distance(jumped["text"], text) <= 0.02 * len(jumped["text"])
    assert "转第2版" not in text and "接第1版" not in text


def test_titles_and_texts(processed):
    pages, doc, _ = processed
    truth = truth_articles(pages)
    titles = {norm(a["title"]) for a in doc["articles"]}
    assert {t["title"] for t in truth} <= titles
    texts = [norm(a["text"]) for a in doc["articles"]]
    for t in truth:
        best = min(edit_distance(t["text"], x) for x in texts)
        assert best <= 0.02 * len(t["text"]), t["title"]


def test_reassembly_after_a_correction(processed, capsys):
    _, doc, db_path = processed
    art = next(a for a in doc["articles"] if len(a["lines"]) > 2)
    db = archive.open_db(db_path)
    archive.correct_line(db, art["lines"][0], "校订后的标题")
    db.conn.close()
    main(["articles", "--db", str(db_path)])
    assert "articles" in capsys.readouterr().out
    db = archive.open_db(db_path)
    row = next(db.query("SELECT title, version FROM articles WHERE id = ?", [art["id"]]))
    db.conn.close()
    assert row["title"].startswith("校订后的标题") and row["version"] == 2
