"""The static site in a real browser (Playwright driving Debian's /usr/bin/chromium),
served by a local http.server on 127.0.0.1: search 科创园 and 2-character words, open
a hit, see its lines outlined; sampled 1-4 character and traditional-form queries find
exactly the articles whose stored text holds them; the site works from file:// too."""

from __future__ import annotations

import random
from urllib.parse import quote

import pytest
import sitearchive
from browser import CHROMIUM, launch, serve

from ocr import archive
from ocr.export import formats
from ocr.export.incremental import run_export
from ocr.export.jsondoc import issue_document
from ocr.export.site.searchindex import fold

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(site folder, its URL on 127.0.0.1, {article id: folded text}) for the test archive."""
    tmp = tmp_path_factory.mktemp("site")
    db = archive.open_db(tmp / "archive.db")
    ids = sitearchive.build_archive(tmp, db)
    run_export(db, formats.get("site"), tmp / "site")
    texts = {
        a["id"]: fold(a["title"] + "\n" + a["text"])
        for i in ids
        for a in issue_document(db, i)["articles"]
    }
    db.conn.close()
    with serve(tmp / "site") as url:
        yield tmp / "site", url, texts


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert not errors, errors


def truth(texts: dict[int, str], query: str) -> set[int]:
    terms = fold(query).split()
    return {aid for aid, t in texts.items() if all(term in t for term in terms)}


def search(page, url: str, query: str) -> list[str]:
    page.goto(f"{url}search.html?q={quote(query)}")
    page.wait_for_selector("#search-status[data-count]")
    return page.eval_on_selector_all("li.hit a.title", "els => els.map(e => e.href)")


def test_search_kechuangyuan_open_hit_lines_outlined(site, page):
    _, url, texts = site
    hits = search(page, url, "科创园")
    expected = truth(texts, "科创园")
    assert len(expected) >= 2
    assert sorted(int(h.split("article-")[1].split(".")[0]) for h in hits) == sorted(expected)
    assert page.locator("li.hit mark").first.inner_text() == "科创园"
    page.locator("li.hit a.has-hit").first.click()
    page.wait_for_url("**/page-*.html?q=*lines=*")
    outlined = page.locator("polygon.hit")
    assert outlined.count() >= 1
    assert outlined.first.is_visible()
    assert outlined.first.evaluate("e => getComputedStyle(e).stroke") == "rgb(224, 0, 0)"
    lines = outlined.evaluate_all("els => els.map(e => e.textContent)")
    q = "科创园"
    parts = [q[:k] for k in (1, 2)], [q[k:] for k in (1, 2)]
    for text in lines:  # each outlined line holds the word, or its start or end
        assert q in text or text.endswith(tuple(parts[0])) or text.startswith(tuple(parts[1]))
    assert page.locator("#viewer-status").get_attribute("data-hits") == str(outlined.count())
    if outlined.count() > 1:  # the hits one after another: buttons and the n key
        assert page.locator("polygon.hit.current").count() == 1
        before = page.locator("polygon.hit.current").get_attribute("id")
        page.locator("button.next-hit").click()
        after = page.locator("polygon.hit.current").get_attribute("id")
        assert after != before
        page.keyboard.press("p")
        assert page.locator("polygon.hit.current").get_attribute("id") == before


@pytest.mark.parametrize("word", ["街道", "张庙", "园区"])
def test_two_character_words_found_inside_longer_words(site, page, word):
    _, url, texts = site
    hits = search(page, url, word)
    assert len(hits) == len(truth(texts, word)) > 0
    if word == "街道":  # pagefind 1.5.2 misses 街道 in 张庙街道
        assert any("张庙街道" in t for t in texts.values())
    page.locator("li.hit a.has-hit").first.click()
    page.wait_for_selector("polygon.hit", state="visible")


def test_sampled_queries_exact_recall_and_precision(site, page):
    _, url, texts = site
    import opencc

    rng = random.Random(11)
    pool = [t for t in texts.values()]
    queries = []
    while len(queries) < 80:
        text = rng.choice(pool)
        n = rng.randint(1, 4)
        i = rng.randrange(0, len(text) - n)
        q = text[i : i + n]
        if not any(c.isspace() for c in q):
            queries.append(q)
    s2t = opencc.OpenCC("s2t")
    queries += [s2t.convert(q) for q in queries[:20]] + [
        "張廟",
        "科創園",
        "XEV",
        "2021",
        "科创园 开园",
    ]
    page.goto(f"{url}search.html")
    got = page.evaluate(
        "async qs => { const out = {}; for (const q of qs) "
        "out[q] = (await ZM.query(q)).map(k => ZM.doc(k)[1]); return out; }",
        queries,
    )
    wrong = {q: (sorted(got[q]), sorted(truth(texts, q))) for q in queries
             if sorted(got[q]) != sorted(truth(texts, q))}  # fmt: skip
    assert not wrong
    assert got["張廟"] and sorted(got["張廟"]) == sorted(truth(texts, "张庙"))


def test_article_page_marks_the_query_and_file_url_works(site, page):
    folder, url, _ = site
    hits = search(page, url, "交运")
    page.goto(hits[0])
    assert page.locator("article mark").count() >= 1
    assert set(page.locator("article mark").all_inner_texts()) == {"交运"}
    page.goto((folder / "search.html").as_uri() + "?q=" + quote("街道"))
    page.wait_for_selector("#search-status[data-count]")
    assert int(page.locator("#search-status").get_attribute("data-count")) > 0
    page.goto((folder / "index.html").as_uri())
    page.locator("td.has-issue a").first.click()
    page.wait_for_selector("ul.thumbs img")


@pytest.mark.parametrize("query", ["龘", "科创园 龘", "zzzz"])
def test_absent_words_find_nothing_and_load_no_missing_file(site, page, query):
    _, url, texts = site
    assert not truth(texts, query)
    assert search(page, url, query) == []
    assert page.locator("#search-status").get_attribute("data-count") == "0"


def test_query_in_the_url_is_text_never_markup(site, page):
    """An attacker's link (search.html?q=<img onerror=...>) runs nothing: the query is
    shown and marked as text on the search, article and page views."""
    _, url, _ = site
    attack = '<img src=x onerror="window.__pwned=1">张庙'
    search(page, url, attack)
    assert page.locator("main img").count() == 0
    assert attack.strip() in page.locator("#search-status").inner_text()
    first = search(page, url, "张庙")[0]
    for target in (first, f"{url}issues/1/page-1.html"):
        page.goto(target + ("&" if "?" in target else "?") + "q=" + quote(attack))
        page.wait_for_load_state("load")
        assert page.locator("main img[src=x]").count() == 0
    assert page.evaluate("() => window.__pwned") is None
