"""The review app in a real browser: Debian's chromium driven by Playwright against
``ocr review`` on 127.0.0.1, over an archive of stored rows. One server and one browser
for the module; the tests run in order, each on what the one before left (the search
test last: it searches the text as the corrections before it left it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import reviewdata

from ocr import archive

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
browser_mod = pytest.importorskip("browser")

pytestmark = pytest.mark.skipif(
    not Path(browser_mod.CHROMIUM).exists(),
    reason="no /usr/bin/chromium (apt-get install chromium)",
)
# The README's screenshots: written to docs/ only when asked (`make screenshots`), so a
# test run leaves the checkout as it found it; otherwise to the module's temporary folder.
SHOTS = os.environ.get("OCR_SCREENSHOTS")
PASSWORD = "a long review secret"


def shot(page, site, name: str, **options) -> Path:
    """A screenshot of the page as ``name``, in docs/ when asked for, and checked written."""
    folder = Path(SHOTS) if SHOTS else site["folder"] / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), **options)
    assert path.stat().st_size > 1000, path
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db_path = folder / "archive.db"
    data = reviewdata.build_archive(db_path, pages=2, body_lines=12)
    for name in ("ann", "bob"):
        browser_mod.add_user(db_path, name, PASSWORD)
    server = browser_mod.Server(db_path)
    with playwright_api.sync_playwright() as p:
        chromium = browser_mod.launch(p)
        data.update(url=server.url, db_path=db_path, browser=chromium, folder=folder)
        try:
            yield data
        finally:
            chromium.close()
            server.stop()
            data["db"].conn.close()


@pytest.fixture(scope="module")
def ann(site):
    context = site["browser"].new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    browser_mod.log_in(page, site["url"], "ann", PASSWORD)
    yield page
    context.close()


def ready(page, line_id=None):
    """Wait until the editor shows a line with its crop loaded."""
    if line_id is None:
        page.wait_for_selector("body[data-ready-line]:not([data-ready-line=''])", state="attached")
    else:
        page.wait_for_selector(f"body[data-ready-line='{line_id}']", state="attached")
    return int(page.get_attribute("#line-text", "data-line"))


def saved(page):
    """Wait until no save is pending."""
    expect(page.locator("#line-info")).not_to_contain_text("saving")


def ocr(*args):
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=root)
    return subprocess.run([sys.executable, "-m", "ocr", *args], env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip


def test_twenty_lines_from_the_queue_with_the_keyboard_alone(site, ann):
    db = site["db"]
    queue = archive.low_confidence_queue(db, 0.8, limit=100)
    assert len(queue) >= 21
    ann.goto(f"{site['url']}/queue")
    typed, keys = {}, 0
    for k in range(20):
        line_id = ready(ann)
        assert line_id == queue[k]["id"]  # lowest confidence first
        ann.keyboard.type("正")
        typed[line_id] = ann.input_value("#line-text")
        ann.keyboard.press("Enter")
        keys += 1
        if k == 0:
            shot(ann, site, "review-queue.png")
    assert keys == 20  # one key per correction beyond the characters typed
    ready(ann, queue[20]["id"])
    saved(ann)
    for line_id, text in typed.items():
        row = archive.line_box(db, line_id)
        assert row["text"] == text and "正" in text
    site["typed"] = typed


def test_the_corrections_show_in_the_page_view(site, ann):
    line_id, text = next(iter(site["typed"].items()))
    page_id = archive.line_box(site["db"], line_id)["page_id"]
    ann.goto(f"{site['url']}/pages/{page_id}#line-{line_id}")
    assert ready(ann, line_id) == line_id
    assert ann.input_value("#line-text") == text
    rect = ann.locator(f"rect.line[data-line='{line_id}']")
    assert "conf-corrected" in rect.get_attribute("class")
    shot(ann, site, "review-page.png")


def test_the_corrections_are_in_the_articles_and_the_json_export(site):
    ocr("articles", "--db", str(site["db_path"]))
    out = site["folder"] / "export"
    ocr("export", "json", "--db", str(site["db_path"]), "--out", str(out))
    (doc_path,) = out.glob("*.json")
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    lines = {ln["id"]: ln for p in doc["pages"] for ln in p["lines"]}
    articles = {a["id"]: a for a in doc["articles"]}
    for line_id, text in site["typed"].items():
        assert lines[line_id]["text"] == text
        assert text in articles[lines[line_id]["article"]]["text"]


def test_undo_one_correction_from_its_history(site, ann):
    line_id, text = next(iter(site["typed"].items()))
    page_id = archive.line_box(site["db"], line_id)["page_id"]
    ann.goto(f"{site['url']}/pages/{page_id}#line-{line_id}")
    ready(ann, line_id)
    ann.click("#history summary")
    ann.click("#history-list button:has-text('Undo')")
    expect(ann.locator("#line-text")).not_to_have_value(text)
    row = archive.line_box(site["db"], line_id)
    assert "正" not in row["text"]
    actions = [c["action"] for c in archive.line_changes(site["db"], line_id)]
    assert actions[:2] == ["undo", "text"]


def test_merge_two_articles_and_split_one_back(site, ann):
    db, issue = site["db"], site["issues"][0]
    first, second = archive.issue_articles(db, issue)[:2]
    lines_before = {
        a: archive.article_snapshot(db, issue, a)["lines"] for a in (first["id"], second["id"])
    }
    ann.goto(f"{site['url']}/articles/{first['id']}")
    ann.select_option("#merge-with", str(second["id"]))
    ann.click("#merge")
    expect(ann.locator("#blocks .block")).to_have_count(4)
    assert second["id"] not in [a["id"] for a in archive.issue_articles(db, issue)]
    shot(ann, site, "review-article.png", full_page=True)
    ann.click("#blocks .block[data-index='2'] .split")
    expect(ann.locator("#blocks .block")).to_have_count(2)
    after = archive.issue_articles(db, issue)
    assert archive.article_snapshot(db, issue, first["id"])["lines"] == lines_before[first["id"]]
    split_off = next(a for a in after if a["ord"] == first["ord"] + 1)
    assert (
        archive.article_snapshot(db, issue, split_off["id"])["lines"] == lines_before[second["id"]]
    )
    assert split_off["title"] == second["title"]


def test_a_second_reviewer_saving_the_same_line_gets_the_conflict(site, ann):
    db = site["db"]
    page_id = site["pages"][1]
    line = archive.review_page(db, page_id)["lines"][1]
    context = site["browser"].new_context(viewport={"width": 1400, "height": 900})
    bob = context.new_page()
    browser_mod.log_in(bob, site["url"], "bob", PASSWORD)
    for who in (ann, bob):
        who.goto(f"{site['url']}/pages/{page_id}#line-{line['id']}")
        ready(who, line["id"])
    ann.fill("#line-text", "安的文字")
    ann.keyboard.press("Enter")
    saved(ann)
    bob.fill("#line-text", "鲍勃的文字")
    bob.keyboard.press("Enter")
    bob.wait_for_selector("#conflict:not([hidden])")
    assert bob.text_content("#conflict-theirs") == "安的文字"
    assert bob.text_content("#conflict-yours") == "鲍勃的文字"
    assert archive.line_box(db, line["id"])["text"] == "安的文字"  # nothing overwritten
    bob.click("#keep-mine")
    expect(bob.locator("#conflict")).to_be_hidden()
    saved(bob)
    assert archive.line_box(db, line["id"])["text"] == "鲍勃的文字"
    context.close()


def test_search_a_two_character_word_and_open_a_hit_with_its_lines_outlined(site, ann):
    db = site["db"]
    want = archive.search(db, "美好", limit=50)  # what the results page must show, in order
    assert want and want[0]["lines"]
    ann.goto(f"{site['url']}/issues/{site['issues'][0]}")
    ann.fill("header input[name=q]", "美好")  # the box every page has
    ann.press("header input[name=q]", "Enter")
    ann.wait_for_url("**/search?q=*")
    titles = ann.locator("#hits .hit-title").all_text_contents()
    assert titles == [h["title"] for h in want]
    expect(ann.locator("#hits .snippet mark").first).to_have_text("美好")
    shot(ann, site, "review-search.png")
    first = want[0]
    page_number = first["lines"][0]["page"]
    expected = sorted(ln["id"] for ln in first["lines"] if ln["page"] == page_number)
    ann.locator("#hits .hit").first.locator("a.hit-page").first.click()
    ann.wait_for_selector("#hits-layer rect.hit-line", state="attached")
    outlined = ann.locator("#hits-layer rect.hit-line").evaluate_all(
        "rects => rects.map((r) => Number(r.dataset.line))"
    )
    assert sorted(outlined) == expected
    page_id = archive.line_box(db, expected[0])["page_id"]
    assert f"/pages/{page_id}" in ann.url
    assert ready(ann, expected[0]) == expected[0]  # the editor is on the first hit line
    box = ann.locator(f"#hits-layer rect.hit-line[data-line='{expected[0]}']").bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0  # drawn, on screen
