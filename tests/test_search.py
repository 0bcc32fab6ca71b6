"""Full-text search: exact hits for Chinese of any length, words, both scripts, ranking, snippets"""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_store import make_job, make_result

from ocr import archive
from ocr.archive import db as archive_db
from ocr.cli.main import cli
from ocr.errors import StoreError
from ocr.text import search
from ocr.text.search import find_spans, fold, fts_match, index_tokens

# (title, lines of the body) per article; issue 1 is 2021-01-20, issue 2 2021-02-03.
ISSUES = {
    ("k1", "2021-01-20"): [
        ("科创园开园", ["张庙街道科创园今天开园。", "园区占地三十亩。"]),
        ("社区新闻", ["张庙路上新开的园区，科创企业入驻。"]),
        ("街道动态", ["张，庙宇修缮完工。"]),
        ("舊聞", ["張廟街道舉辦活動。"]),
    ],
    ("k2", "2021-02-03"): [
        ("新车", ["XEV 2021年发布，xev车型", "售价１２万元。"]),
        ("跨行", ["本报讯 张", "庙街道今日通报。"]),
        ("街坊", ["街道街道街道，街道办事处。"]),
    ],
}


def store_issue(db, key, date, articles, sha):
    issue_id = archive.upsert_issue(db, key, f"scans/{key}.pdf", None, date)
    job = make_job(sha=sha)
    page = archive.ensure_page(db, issue_id, job)
    texts = [t for _, lines in articles for t in lines]
    archive.save_page(db, page["id"], make_result(job, texts=texts), "h", None)
    ids = [
        r["id"]
        for r in db.query("SELECT id FROM lines WHERE page_id = ? ORDER BY ord", [page["id"]])
    ]
    rows, at = [], 0
    for title, lines in articles:
        line_ids = ids[at : at + len(lines)]
        at += len(lines)
        rows.append({"title": title, "text": "\n".join(lines), "pages": [1], "lines": line_ids})
    archive.save_articles(db, issue_id, rows, {"date": date, "flags": []}, method="block")
    return issue_id


def build(db):
    for n, ((key, date), articles) in enumerate(ISSUES.items()):
        store_issue(db, key, date, articles, sha=str(n) * 64)
    return {r["title"]: r["id"] for r in db.query("SELECT id, title FROM articles")}


@pytest.fixture
def arch(db):
    return db, build(db)


def titles(db, query, **kw):
    return [h["title"] for h in archive.search(db, query, **kw)]


def oracle(db, query):
    """The articles whose folded text (title or body, whitespace dropped) holds every
    CJK term of ``query``: plain substring search, independent of the index."""
    out = set()
    for r in db.query("SELECT title, text FROM articles"):
        hay = ["".join(fold(r[c] or "").split()) for c in ("title", "text")]
        if all(any(fold(term) in h for h in hay) for term in query.split()):
            out.add(r["title"])
    return out


# -- the rule ------------------------------------------------------------------------------


def test_tokens_rule():
    assert index_tokens("张庙街道") == "张庙 庙街 街道 道"
    assert index_tokens("XEV 2021年，園區") == "xev 2021 年 园区 区"
    assert index_tokens("张\n庙") == "张庙 庙"  # lines joined: the word stays whole
    assert index_tokens("张，庙") == "张 庙"  # punctuation breaks the run
    assert index_tokens("２０２１Ｘ") == "2021x"
    assert fts_match("科创园 开园") == '"科创 创园" AND "开园"'
    assert fts_match("园") == '"园"*'
    assert fts_match("2021年") == '"2021 年"*'
    assert fts_match("，。") is None


def fts_table():
    conn = sqlite3.connect(":memory:")
    archive_db.register_functions(conn)
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(x, content='', prefix='1', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    return conn


ALPHABET = "张庙街道园區园，。 \nxX1２"


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(ALPHABET, min_size=0, max_size=12), min_size=1, max_size=6),
    query=st.text("张庙街道园區xX1 ，", min_size=1, max_size=5),
)
def test_index_answers_as_the_rule_finds(texts, query):
    """On random texts: SQLite's unicode61 splits the tokens back exactly; the FTS5
    answer equals the rule's own matcher; CJK queries equal plain substring search."""
    conn = fts_table()
    for i, text in enumerate(texts):
        conn.execute("INSERT INTO t (rowid, x) VALUES (?, ocr_tokens(?))", [i, text])
        got = [r[0] for r in conn.execute("SELECT term FROM v WHERE doc = ? ORDER BY offset", [i])]
        assert got == index_tokens(text).split()
    expr = fts_match(query)
    if expr is None:
        return
    found = {r[0] for r in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", [expr])}
    terms = [q for q in query.split() if fts_match(q)]
    assert found == {i for i, t in enumerate(texts) if all(find_spans(t, q) for q in terms)}
    if re.fullmatch(r"[张庙街道园區 ]+", query):
        want = {
            i
            for i, t in enumerate(texts)
            if all(fold(q) in "".join(fold(t).split()) for q in query.split())
        }
        assert found == want


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(ALPHABET + "é\u0301㎡…\u3000", max_size=16),
    query=st.text("张庙街道园區x ，", min_size=1, max_size=4),
)
def test_fast_paths_equal_the_rule_character_by_character(text, query):
    """The fast paths (whole runs, regular expressions) give what the rule gives
    character by character (``_search_units_slow``)."""
    slow = search._search_units_slow(text)
    assert search.search_units(text) == slow
    assert index_tokens(text) == " ".join(search._tokens(slow))
    spans = sorted(
        (slow[p].start, slow[p + len(t) - 1].end)
        for t in search.query_terms(query)
        for p in range(len(slow) - len(t) + 1)
        if search._matches(slow, p, t)
    )
    merged = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    assert find_spans(text, query) == merged


# -- exact answers -------------------------------------------------------------------------

EXPECTED = {
    "园": {"科创园开园", "社区新闻"},
    "庙": {"科创园开园", "社区新闻", "街道动态", "舊聞", "跨行"},
    "张庙": {"科创园开园", "社区新闻", "舊聞", "跨行"},
    "科创": {"科创园开园", "社区新闻"},
    "科创园": {"科创园开园"},
    "园区": {"科创园开园", "社区新闻"},
    "张庙街道": {"科创园开园", "舊聞", "跨行"},
    "街道": {"科创园开园", "街道动态", "舊聞", "跨行", "街坊"},
    "张庙路上": {"社区新闻"},
    "庙宇": {"街道动态"},
    "张庙宇": set(),
    "开园区": set(),
}


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_exact_hits_for_1_to_4_characters(arch, query):
    db, _ = arch
    assert set(titles(db, query)) == EXPECTED[query] == oracle(db, query)


def test_multi_word_queries_and_both_scripts(arch):
    db, _ = arch
    assert titles(db, "科创园 开园") == ["科创园开园"]
    assert set(titles(db, "张庙 园区")) == {"科创园开园", "社区新闻"} == oracle(db, "张庙 园区")
    assert set(titles(db, "張廟")) == EXPECTED["张庙"]  # traditional finds simplified
    assert set(titles(db, "舉辦")) == {"舊聞"} == set(titles(db, "举办"))
    assert titles(db, "旧闻") == ["舊聞"]  # and the title too
    assert titles(db, "科创园 不在") == []


def test_latin_words_and_digits(arch):
    db, _ = arch
    assert titles(db, "XEV") == ["新车"] == titles(db, "xev")
    assert titles(db, "2021") == ["新车"]
    assert titles(db, "2021年") == ["新车"]
    assert titles(db, "12万") == ["新车"]  # full-width digits in the text
    assert titles(db, "EV") == titles(db, "202") == []  # whole words only
    assert titles(db, "xev车型") == ["新车"]


def test_title_hits_first_then_bm25(arch):
    db, _ = arch
    hits = archive.search(db, "街道")
    assert hits[0]["title"] == "街道动态"  # the title hit, though 街坊 says 街道 four times
    assert [h["in_title"] for h in hits] == [True] + [False] * 4
    body = [h["title"] for h in hits[1:]]
    assert body[0] == "街坊"  # bm25: the most mentions of the shortest text first
    scores = [h["score"] for h in hits[1:]]
    assert scores == sorted(scores, reverse=True)


def test_snippet_and_hit_lines(arch):
    db, ids = arch
    hit = archive.search(db, "科创园")[0]
    assert hit["snippet"] == "张庙街道<mark>科创园</mark>今天开园。 园区占地三十亩。"
    assert hit["pages"] == [1] and hit["date"] == "2021-01-20"
    assert len(hit["lines"]) == 1 and hit["lines"][0]["page"] == 1
    assert len(hit["lines"][0]["poly"]) == 4
    split = archive.search(db, "张庙街道", issue_id=2)[0]  # across two lines
    assert split["title"] == "跨行" and len(split["lines"]) == 2
    assert split["snippet"] == "本报讯 <mark>张 庙街道</mark>今日通报。"
    html = archive.search(db, "园", limit=1)[0]["snippet"]
    assert html.count("<mark>") == 3


def test_filters_and_limit(arch):
    db, _ = arch
    assert set(titles(db, "街道", issue_id=2)) == {"跨行", "街坊"}
    assert set(titles(db, "街道", date_from="2021-02-01")) == {"跨行", "街坊"}
    assert set(titles(db, "街道", date_to="2021-01-31")) == {"科创园开园", "街道动态", "舊聞"}
    assert len(archive.search(db, "街道", limit=2)) == 2
    assert archive.count_hits(db, "街道") == 5


# -- kept current --------------------------------------------------------------------------


def line_id(db, text):
    return db.execute("SELECT id FROM lines WHERE text = ?", [text]).fetchone()[0]


def test_correction_reaches_the_index_in_its_transaction(arch):
    db, _ = arch
    lid = line_id(db, "园区占地三十亩。")
    archive.correct_line(db, lid, "园区占地五十亩。")
    assert [r["id"] for r in archive.search_lines(db, "五十亩")] == [lid]
    assert archive.search_lines(db, "三十亩") == []
    # the article is its lines' current text: found by the correction at once
    hit = archive.search(db, "五十亩")
    assert [h["title"] for h in hit] == ["科创园开园"] and titles(db, "三十亩") == []
    assert hit[0]["snippet"] == "张庙街道科创园今天开园。 园区占地<mark>五十亩</mark>。"
    assert [line["id"] for line in hit[0]["lines"]] == [lid]
    assert db.execute("SELECT count(*) FROM search_dirty").fetchone()[0] == 0
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 0)")


def test_saved_articles_replace_the_issues_hits(arch):
    db, _ = arch
    first, second = line_id(db, "张庙街道科创园今天开园。"), line_id(db, "园区占地三十亩。")
    issue = db.execute("SELECT issue_id FROM articles WHERE title = '科创园开园'").fetchone()[0]
    rows = [{"title": "新标题", "text": "", "pages": [1], "lines": [second, first]}]
    archive.save_articles(db, issue, rows, {"flags": []}, method="block")
    assert titles(db, "新标题") == ["新标题"] and titles(db, "科创园开园") == []
    assert titles(db, "社区新闻") == titles(db, "庙宇") == []  # the issue's others are gone
    assert set(titles(db, "张庙")) == {"新标题", "跨行"}
    hit = archive.search(db, "三十亩")[0]
    assert hit["snippet"].startswith("园区占地<mark>三十亩</mark>。 张庙")  # in its new order
    counts = archive.index_counts(db)
    assert counts["articles"] == counts["articles_indexed"] == 4
    db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 0)")


def test_failed_write_leaves_the_index_as_it_was(arch):
    db, _ = arch
    lid = line_id(db, "园区占地三十亩。")
    with pytest.raises(StoreError):
        archive.correct_line(db, lid, "园区占地五十亩。", expected_version=99)
    assert archive.search_lines(db, "五十亩") == []
    assert [r["id"] for r in archive.search_lines(db, "三十亩")] == [lid]


def test_reprocessed_page_replaces_its_lines_in_the_index(arch):
    db, _ = arch
    page = db.execute("SELECT id FROM pages ORDER BY id LIMIT 1").fetchone()[0]
    job = make_job(sha="0" * 64)
    archive.save_page(db, page, make_result(job, texts=("全新的一行",)), "h2", None)
    assert len(archive.search_lines(db, "全新")) == 1
    assert archive.search_lines(db, "科创园") == []
    assert titles(db, "今天开园") == []  # the articles lost those lines with the old reading
    assert titles(db, "科创园开园") == ["科创园开园"]  # (their titles stay until re-assembly)
    counts = archive.index_counts(db)
    assert counts["lines"] == counts["lines_indexed"]


def test_writer_without_the_function_fails_loudly(arch, tmp_path):
    db, _ = arch
    raw = sqlite3.connect(tmp_path / "archive.db")
    with pytest.raises(sqlite3.OperationalError, match="ocr_tokens"):
        raw.execute("UPDATE lines SET text = 'x' WHERE id = 1")
    raw.close()


def test_rebuild_gives_the_same_answers(arch, tmp_path):
    db, _ = arch
    before = {q: titles(db, q) for q in EXPECTED}
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    assert titles(db, "张庙") == []
    db.conn.close()
    result = CliRunner().invoke(cli, ["index", "--rebuild", "--db", str(tmp_path / "archive.db")])
    assert result.exit_code == 0, result.output
    assert "rebuilt: 7 of 7 articles and 10 of 10 lines indexed" in result.output
    again = archive.open_db(tmp_path / "archive.db")
    assert {q: titles(again, q) for q in EXPECTED} == before
    again.conn.close()


def test_index_of_another_token_rule_is_refused_until_rebuilt(arch):
    db, _ = arch
    db.execute("UPDATE search_info SET value = '0' WHERE key = 'tokens_version'")
    with pytest.raises(StoreError, match="ocr index --rebuild"):
        archive.search(db, "张庙")
    archive.rebuild_index(db)
    assert set(titles(db, "张庙")) == EXPECTED["张庙"]


def at_schema_before_search(db, path, monkeypatch):
    """A copy of ``db``'s rows in a new archive at the schema before 0006_search (the
    rows stored through today's API, each table's columns of that schema copied)."""
    names = [name for name, _ in archive.MIGRATIONS]
    previous = archive.MIGRATIONS[: names.index("0006_search")]
    assert previous[-1][0] == "0005_papers"
    with monkeypatch.context() as m:
        m.setattr(archive_db, "MIGRATIONS", previous)
        archive.open_db(path).conn.close()
    old = sqlite3.connect(path)
    old.execute("ATTACH DATABASE ? AS cur", [db.conn.execute("PRAGMA database_list").fetchone()[2]])
    tables = [r[0] for r in old.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table == "_migrations":
            continue
        cols = ", ".join(r[1] for r in old.execute(f"PRAGMA main.table_info({table})"))
        old.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM cur.{table}")
    old.commit()
    old.close()


def test_migration_builds_the_index_of_an_older_archive(arch, tmp_path, monkeypatch):
    db, _ = arch
    path = tmp_path / "old.db"
    at_schema_before_search(db, path, monkeypatch)
    raw = sqlite3.connect(path)
    assert not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
    assert raw.execute("SELECT count(*) FROM lines").fetchone()[0] == 10
    raw.close()
    old = archive.open_db(path)
    assert "0006_search" in [r[0] for r in old.execute("SELECT name FROM _migrations")]
    for query, want in EXPECTED.items():
        assert set(titles(old, query)) == want
    assert len(archive.search_lines(old, "张庙")) == 3
    old.conn.close()


# -- the command ---------------------------------------------------------------------------


def test_cli_search_json_shape(arch, tmp_path):
    db, ids = arch
    db.conn.close()
    path = str(tmp_path / "archive.db")
    result = CliRunner().invoke(cli, ["search", "科创园", "--db", path, "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert [h["article"] for h in hits] == [ids["科创园开园"]]
    assert set(hits[0]) == {
        "article",
        "issue",
        "date",
        "title",
        "pages",
        "snippet",
        "score",
        "lines",
    }
    assert set(hits[0]["lines"][0]) == {"id", "page", "poly"}
    text = CliRunner().invoke(cli, ["search", "街道", "--db", path, "--limit", "2"])
    assert text.exit_code == 0
    assert text.output.splitlines()[-1] == "2 of 5 articles with '街道'"
    assert "[街道]" in text.output
    dated = CliRunner().invoke(
        cli, ["search", "街道", "--db", path, "--from", "2021-02-01", "--json"]
    )
    assert {h["date"] for h in json.loads(dated.output)} == {"2021-02-03"}
    bad = CliRunner().invoke(cli, ["search", "，", "--db", path])
    assert bad.exit_code != 0
    bad_date = CliRunner().invoke(cli, ["search", "街道", "--db", path, "--from", "2021-13-01"])
    assert bad_date.exit_code == 2


def test_sqlite_pitfalls_pinned(arch):
    """What the SQLite running the tests does with the obvious alternatives, beside the
    index's exact answer: unicode61 keeps a run of Han as one token (张庙 is not found
    in 张庙街道); trigram cannot answer fewer than 3 characters."""
    db, _ = arch
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE u USING fts5(x)")
    conn.execute("CREATE VIRTUAL TABLE g USING fts5(x, tokenize='trigram')")
    for r in db.query("SELECT text FROM articles"):
        conn.execute("INSERT INTO u VALUES (?)", [r["text"]])
        conn.execute("INSERT INTO g VALUES (?)", [r["text"]])
    assert conn.execute("SELECT count(*) FROM u WHERE u MATCH '张庙'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM g WHERE g MATCH '张庙'").fetchone()[0] == 0
    like = conn.execute("SELECT count(*) FROM g WHERE x LIKE '%张庙%'").fetchone()[0]
    if sqlite3.sqlite_version_info[:2] == (3, 40):  # Debian 12, CI's
        assert like == 0
    assert len(titles(db, "张庙")) == 4


# -- Datasette -----------------------------------------------------------------------------


def test_datasette_plugin_answers_chinese_queries(arch, tmp_path):
    datasette_app = pytest.importorskip("datasette.app")
    import asyncio

    from datasette.plugins import pm

    import ocr.archive.datasette_plugin as plugin

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["datasette"]["ocr"] == plugin.__name__
    db, _ = arch
    db.conn.close()
    if not pm.is_registered(plugin):
        pm.register(plugin, name="ocr")

    async def get(path):
        ds = datasette_app.Datasette([str(tmp_path / "archive.db")])
        return await ds.client.get(path)

    for query in ("张庙", "园", "科创园", "张庙街道", "張廟"):
        r = asyncio.run(get(f"/archive/search.json?_shape=array&q={query}"))
        assert r.status_code == 200
        assert {h["title"] for h in r.json()} == EXPECTED.get(query, EXPECTED["张庙"])
    r = asyncio.run(get("/archive/search.json?_shape=array&q=科创园"))
    assert r.json()[0]["snippet"] == "张庙街道【科创园】今天开园。 园区占地三十亩。"
    assert asyncio.run(get("/archive/search.json?_shape=array&q=")).json() == []
    # Datasette's own search box on the tables, through the plugin's escape_fts
    page = asyncio.run(get("/archive/articles"))
    assert page.status_code == 200 and 'name="_search"' in page.text
    for query in ("园", "张庙", "科创园", "张庙街道", "張廟"):
        r = asyncio.run(get(f"/archive/articles.json?_shape=array&_search={query}"))
        assert {h["title"] for h in r.json()} == EXPECTED.get(query, EXPECTED["张庙"])
    r = asyncio.run(get("/archive/articles.json?_shape=array&_search_title=街道"))
    assert [h["title"] for h in r.json()] == ["街道动态"]
    r = asyncio.run(get("/archive/lines.json?_shape=array&_search=张庙"))
    assert len(r.json()) == 3
