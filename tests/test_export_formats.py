"""The text, markdown, IIIF and static-site exports, from an archive stored through the
archive API (tests/sitearchive.py: the seed issue's text, no OCR): the files written,
their shape (IIIF Presentation 3 rules), the site's links, escaping and search index."""

from __future__ import annotations

import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sitearchive
from click.testing import CliRunner
from PIL import Image

from ocr import archive
from ocr.cli.main import cli
from ocr.export import formats
from ocr.export.incremental import run_export
from ocr.export.jsondoc import issue_document
from ocr.export.site.searchindex import fold, shard_of

BASE = "https://archive.example.org/iiif/"


def export(db, name: str, out: Path, **options):
    """``ocr export NAME`` into ``out`` (its report)."""
    return run_export(db, formats.get(name), out, options=options)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exports")
    db = archive.open_db(tmp / "archive.db")
    ids = sitearchive.build_archive(tmp, db)
    line = db.execute("SELECT id, text FROM lines WHERE text LIKE '%科创园%' LIMIT 1").fetchone()
    archive.correct_line(db, line[0], line[1] + "（校）", author="test")
    out = tmp / "out"
    export(db, "text", out / "text")
    export(db, "markdown", out / "md")
    export(db, "iiif", out / "iiif", base_url=BASE)
    export(db, "site", out / "site")
    docs = {i: issue_document(db, i) for i in ids}
    yield {"db": db, "ids": ids, "out": out, "docs": docs, "corrected": line[0], "tmp": tmp}
    db.conn.close()


# -- text and markdown ------------------------------------------------------------------


def test_text_one_file_per_article_in_reading_order(built):
    for issue_id, doc in built["docs"].items():
        (folder,) = (built["out"] / "text").glob(f"issue-{issue_id}-*")
        files = sorted(folder.glob("*.txt"))
        assert len(files) == len(doc["articles"])
        for k, (path, art) in enumerate(zip(files, doc["articles"]), start=1):
            assert path.name.startswith(f"{k:03d}-")
            head, date_line, *rest = path.read_text(encoding="utf-8").split("\n")
            assert head == art["title"]
            assert (doc["issue"]["date"] or "日期不详") in date_line
            assert "第" + "、".join(map(str, art["pages"])) + "版" in date_line
            body = [p for p in rest if p]
            assert body == [p for p in art["text"].split("\n") if p.strip()]


def test_markdown_files_index_and_escaping(built, tmp_path):
    doc = built["docs"][built["ids"][0]]
    (folder,) = (built["out"] / "md").glob(f"issue-{doc['issue']['id']}-*")
    index = (folder / "index.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", index)
    assert len(links) == len(doc["articles"])
    assert all((folder / link).exists() for link in links)
    first = (folder / links[0]).read_text(encoding="utf-8")
    assert first.startswith(f"# {doc['articles'][0]['title']}\n")
    assert "- 日期: 2021-01-20" in first
    hostile = _hostile_archive(tmp_path)
    export(hostile, "markdown", tmp_path / "md")
    (md,) = [p for p in (tmp_path / "md").rglob("*.md") if p.name != "index.md"]
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# \\<script\\>alert(1)\\</script\\> \\*粗体\\* \\#标签\n")


def _hostile_archive(tmp: Path):
    """An archive whose article title and line text are markup."""
    db = archive.open_db(tmp / "hostile.db")
    art = sitearchive.Art(
        "<script>alert(1)</script> *粗体* #标签", ["<img src=x onerror=alert(2)>正文"]
    )
    sitearchive.build(tmp / "hostile", [art], db, "h", "2021-03-03", "<b>报</b>")
    return db


def test_corrected_text_is_exported(built):
    db, line_id = built["db"], built["corrected"]
    page = db.execute("SELECT p.number, p.issue_id FROM lines l JOIN pages p ON p.id = l.page_id "
                      "WHERE l.id = ?", [line_id]).fetchone()  # fmt: skip
    html = (built["out"] / "site" / "issues" / str(page[1]) / f"page-{page[0]}.html").read_text()
    assert re.search(rf'id="line-{line_id}"[^>]*><title>[^<]*（校）</title>', html)
    manifest = json.loads(
        (built["out"] / "iiif" / f"issue-{page[1]}" / "manifest.json").read_text()
    )
    texts = [a["body"]["value"] for c in manifest["items"] for a in c["annotations"][0]["items"]]
    assert any(t.endswith("（校）") for t in texts)


# -- IIIF -------------------------------------------------------------------------------


def _is_language_map(value) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, list) and v for k, v in value.items())
        and all(isinstance(s, str) for v in value.values() for s in v)
    )


def _resources(node, found):
    """Every JSON object with an ``id`` and a ``type`` (resources and references)."""
    if isinstance(node, dict):
        if "type" in node and "id" in node:
            found.append(node)
        for v in node.values():
            _resources(v, found)
    elif isinstance(node, list):
        for v in node:
            _resources(v, found)
    return found


def test_iiif_manifest_shape(built):
    for issue_id, doc in built["docs"].items():
        folder = built["out"] / "iiif" / f"issue-{issue_id}"
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert m["@context"] == "http://iiif.io/api/presentation/3/context.json"
        assert m["type"] == "Manifest" and m["id"] == f"{BASE}issue-{issue_id}/manifest.json"
        assert _is_language_map(m["label"])
        for entry in m["metadata"]:
            assert _is_language_map(entry["label"]) and _is_language_map(entry["value"])
        if doc["issue"]["date"]:
            assert m["navDate"] == doc["issue"]["date"] + "T00:00:00Z"
        else:
            assert "navDate" not in m
        for r in _resources(m, []):
            assert r["id"].startswith(BASE), r["id"]
        defined = [r["id"] for r in _resources(m, []) if r["type"] != "Canvas" or "items" in r]
        defined = [i for i in defined if "#" not in i]
        assert len(defined) == len(set(defined)), "resource ids are unique"
        assert [c["type"] for c in m["items"]] == ["Canvas"] * len(doc["pages"])
        for canvas, page in zip(m["items"], doc["pages"]):
            _check_canvas(canvas, page, folder)
        canvases = {c["id"] for c in m["items"]}
        assert [r["label"][next(iter(r["label"]))][0] for r in m["structures"]] == [
            a["title"] for a in doc["articles"]
        ]
        for rng in m["structures"]:
            assert rng["type"] == "Range" and rng["items"]
            assert all(i["id"].split("#")[0] in canvases for i in rng["items"])


def _check_canvas(canvas: dict, page: dict, folder: Path) -> None:
    assert (canvas["width"], canvas["height"]) == (page["width"], page["height"])
    assert _is_language_map(canvas["label"])
    (paint_page,) = canvas["items"]
    assert paint_page["type"] == "AnnotationPage"
    (paint,) = paint_page["items"]
    assert paint["motivation"] == "painting" and paint["target"] == canvas["id"]
    body = paint["body"]
    assert body["type"] == "Image" and body["format"] == "image/jpeg"
    with Image.open(folder / body["id"].rsplit("/", 1)[1]) as im:
        assert (im.width, im.height) == (body["width"], body["height"])
        assert im.size == (page["width"], page["height"]) and im.mode == "RGB"
        r, g, b = (im.getextrema()[c] for c in range(3))
        assert r[1] - min(g[0], b[0]) > 100, "colour kept"
    (lines_page,) = canvas["annotations"]
    annos = lines_page["items"]
    assert [a["body"]["value"] for a in annos] == [ln["text"] for ln in page["lines"]]
    for anno, line in zip(annos, page["lines"]):
        assert anno["motivation"] == "supplementing" and anno["body"]["type"] == "TextualBody"
        target = anno["target"]
        assert target["source"]["id"] == canvas["id"]
        frag, svg = target["selector"]
        x, y, w, h = map(int, re.fullmatch(r"xywh=(\d+),(\d+),(\d+),(\d+)", frag["value"]).groups())
        assert x >= 0 and x + w <= page["width"] + 1 and y >= 0 and y + h <= page["height"] + 1
        pts = re.search(r"points='([^']+)'", svg["value"]).group(1).split()
        assert [[float(v) for v in p.split(",")] for p in pts] == line["poly"]


def test_iiif_collection(built):
    c = json.loads((built["out"] / "iiif" / "collection.json").read_text(encoding="utf-8"))
    assert c["type"] == "Collection" and c["id"] == BASE + "collection.json"
    assert _is_language_map(c["label"]) and c["behavior"] == ["multi-part"]
    ids = [i["id"] for i in c["items"]]
    assert ids == [f"{BASE}issue-{i}/manifest.json" for i in built["ids"]]  # by date, undated last
    assert all(i["type"] == "Manifest" and _is_language_map(i["label"]) for i in c["items"])


# -- the site's files ---------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.inline_scripts, self.handlers, self.csp = [], 0, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append(a[key])
        if tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        self.handlers += [k for k in a if k.startswith("on")]
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a["content"]


def test_site_links_are_relative_and_resolve(built):
    site = built["out"] / "site"
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.inline_scripts == 0 and not parser.handlers, page
        assert "script-src 'self'" in parser.csp and "unsafe-inline" not in parser.csp
        for ref in parser.refs:
            assert not re.match(r"^([a-z]+:|/)", ref), f"{page}: {ref} is not relative"
            target = (page.parent / ref.split("?")[0].split("#")[0]).resolve()
            assert target.exists(), f"{page}: {ref} does not exist"
    for js in (site / "search").glob("*.js"):
        assert "</" not in js.read_text(encoding="utf-8")


def test_site_calendar(built):
    html = (built["out"] / "site" / "index.html").read_text(encoding="utf-8")
    assert "2021年1月" in html and "2021年2月" in html
    ids = built["ids"]
    for issue_id, day in ((ids[0], 20), (ids[1], 24)):
        assert re.search(rf'<a href="issues/{issue_id}/index.html"[^>]*>{day}</a>', html)
    undated = html[html.index("日期不详</h2>") :]
    assert f"issues/{ids[2]}/index.html" in undated


def test_site_page_outlines_are_scaled_scan_polygons(built):
    doc = built["docs"][built["ids"][0]]
    folder = built["out"] / "site" / "issues" / str(doc["issue"]["id"])
    for page in doc["pages"]:
        html = (folder / f"page-{page['number']}.html").read_text(encoding="utf-8")
        with Image.open(folder / f"page-{page['number']}.jpg") as im:
            size, mode = im.size, im.mode
        assert mode == "RGB" and max(size) == 1600 and size[1] < page["height"]
        with Image.open(folder / f"page-{page['number']}-full.jpg") as full:
            assert full.size == (page["width"], page["height"]) and full.mode == "RGB"
        assert f'href="page-{page["number"]}-full.jpg"' in html
        scale = size[0] / page["width"]
        assert f'viewBox="0 0 {size[0]} {size[1]}"' in html
        shown = re.findall(r'<polygon class="line" id="line-(\d+)"[^>]*points="([^"]+)"', html)
        assert [int(i) for i, _ in shown] == [ln["id"] for ln in page["lines"]]
        for (_, points), line in zip(shown, page["lines"]):
            got = [[float(v) for v in p.split(",")] for p in points.split()]
            for (gx, gy), (x, y) in zip(got, line["poly"]):
                assert abs(gx - x * scale) <= 0.06 and abs(gy - y * scale) <= 0.06


def test_site_escapes_markup(tmp_path):
    db = _hostile_archive(tmp_path)
    export(db, "site", tmp_path / "site")
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>报" not in html
    article = next((tmp_path / "site").rglob("article-*.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "&lt;img src=x onerror=alert(2)&gt;" in article


def _load_index(site: Path) -> tuple[int, list, dict]:
    def payload(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return text[text.index("(") + 1 : text.rindex(")")]

    shards, docs = json.loads("[" + payload(site / "search" / "docs.js") + "]")
    postings: dict[str, list[int]] = {}
    for shard in (site / "search").glob("g*.js"):
        n, part = json.loads("[" + payload(shard) + "]")
        assert all(shard_of(g, shards) == n for g in part)
        postings.update({g: list(itertools.accumulate(ds)) for g, ds in part.items()})
    return shards, docs, postings


def test_site_index_postings_are_exact_for_one_and_two_characters(built):
    _, docs, postings = _load_index(built["out"] / "site")
    texts = {}
    for doc in built["docs"].values():
        for art in doc["articles"]:
            texts[art["id"]] = fold(art["title"] + "\n" + art["text"])
    assert [d[1] for d in docs] == list(texts)
    grams = {t[i : i + n] for t in texts.values() for n in (1, 2) for i in range(len(t) - n + 1)}
    grams = {g for g in grams if not any(c.isspace() for c in g)}
    assert set(postings) == grams
    for g in grams:
        truth = [k for k, aid in enumerate(texts) if g in texts[aid]]
        assert postings[g] == truth, g
    assert "街道" in postings and "张庙" in postings and "科创" in postings


def test_cli_exports_and_unwritable_out(built, tmp_path):
    db = str(built["tmp"] / "archive.db")
    runner = CliRunner()
    for fmt in ("text", "markdown", "iiif", "site"):
        extra = ["--max-side", "800"] if fmt == "iiif" else []
        result = runner.invoke(cli, ["export", fmt, "--db", db, "--out", str(tmp_path / fmt),
                                     "--issue", str(built["ids"][2]), *extra])  # fmt: skip
        assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "search.html").exists()
    assert (tmp_path / "iiif" / "collection.json").exists()
    (jpeg,) = (tmp_path / "iiif").rglob("page-1.jpg")
    with Image.open(jpeg) as im:
        assert max(im.size) == 800
    assert len(list((tmp_path / "text").rglob("*.txt"))) == 1
    (tmp_path / "blocked").write_text("a file where the folder should be")
    from ocr.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["export", "site", "--db", db, "--out", str(tmp_path / "blocked" / "site")])
    assert exc.value.code == 7
    assert not (tmp_path / "blocked").is_dir()


def test_scan_gone_leaves_outlines_and_a_canvas_without_image(tmp_path):
    db = archive.open_db(tmp_path / "gone.db")
    art = sitearchive.Art("园区简讯", ["交运智慧湾科创园开园仪式举行。" * 3])
    issue = sitearchive.build(tmp_path / "gone", [art], db, "g", "2021-04-01", "张庙社区晨报")
    (tmp_path / "gone" / "p1.png").unlink()
    warnings = export(db, "site", tmp_path / "site").warnings
    warnings += export(db, "iiif", tmp_path / "iiif", base_url=BASE).warnings
    assert sum("p1.png page 1" in w for w in warnings) == 2
    html = (tmp_path / "site" / "issues" / str(issue) / "page-1.html").read_text()
    assert "扫描图像不可用" in html and html.count('<polygon class="line"') == 3
    assert not (tmp_path / "site" / "issues" / str(issue) / "page-1.jpg").exists()
    m = json.loads((tmp_path / "iiif" / f"issue-{issue}" / "manifest.json").read_text())
    (canvas,) = m["items"]
    assert "items" not in canvas and len(canvas["annotations"][0]["items"]) == 3
