"""A small archive for the export tests, stored through the archive API from the seed
issue's text (no OCR): colour page scans drawn with Pillow, a line per row with its
polygon on the scan, articles stored as the batch stores them.

Issue 1 (2021-01-20) holds the seed text over several pages; issue 2 (2021-02-24) holds
a few of its articles again, one of them in traditional characters as the recognizer
might read it with ``--script as-read``; issue 3 has no date."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from conftest import SEED_TEXT, cjk_font

from ocr import archive
from ocr.model import Box, Line, PageJob, PageResult, Region

FONT_PX = 26
CHARS = 24  # characters per line
COLS = 2
ROWS = 38
WIDTH, HEIGHT = 1500, 2000  # larger than the web size: images are scaled
PAPER = (246, 239, 222)
RED = (190, 30, 30)


@dataclass
class Art:
    title: str
    paragraphs: list[str]


def seed_articles() -> list[Art]:
    """The seed issue's text cut into articles: a run of short lines without final
    punctuation is a headline (its last line the title, the others the article's first
    paragraphs: kickers), the longer lines after it are its paragraphs; the masthead
    and QR-code captions (no paragraph of 50 characters) are left out."""
    arts: list[Art] = []
    heads: list[str] = []
    for raw in SEED_TEXT.read_text(encoding="utf-8").splitlines():
        text = raw.strip()
        if not text:
            continue
        if len(text) <= 24 and text[-1] not in "。，；：！？”":
            heads.append(text)
        elif heads:
            arts.append(Art(heads[-1], heads[:-1] + [text]))
            heads = []
        elif arts:
            arts[-1].paragraphs.append(text)
    return [a for a in arts if max(map(len, a.paragraphs)) >= 50]


def _rows(art: Art) -> list[tuple[str, str, int]]:
    """(kind, text, paragraph index) of each printed row of an article."""
    rows = [("headline", art.title, -1)]
    for k, para in enumerate(art.paragraphs):
        rows += [("body", para[i : i + CHARS], k) for i in range(0, len(para), CHARS)]
    return rows


def build(folder: Path, arts: list[Art], db, key: str, date: str | None, title: str) -> int:
    """Store an issue of ``arts`` (pages drawn into ``folder``); return its id."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(cjk_font(), FONT_PX)
    folder.mkdir(parents=True, exist_ok=True)
    issue = archive.upsert_issue(db, key, str(folder), title, date)
    slots = [(c, r) for c in range(COLS) for r in range(ROWS)]
    placed: list[list[tuple]] = []  # per page: (article index, kind, text, para, box)
    for a, art in enumerate(arts):
        for kind, text, para in _rows(art):
            if not placed or len(placed[-1]) == len(slots):
                placed.append([])
            c, r = slots[len(placed[-1])]
            x0, y0 = 60 + c * 720, 60 + r * 50
            box = Box(x0, y0, x0 + FONT_PX * len(text) + 8, y0 + FONT_PX + 12)
            placed[-1].append((a, kind, text, para, box))
    line_ids: dict[tuple[int, int], int] = {}
    for n, rows in enumerate(placed, start=1):
        img = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
        draw = ImageDraw.Draw(img)
        for _, kind, text, _, box in rows:
            draw.text(
                (box.x0 + 4, box.y0 + 4),
                text,
                font=font,
                fill=RED if kind == "headline" else (20, 20, 20),
            )
        path = folder / f"p{n}.png"
        img.save(path)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        job = PageJob(source=str(path), page_index=0, number=n, issue_key=key, source_sha256=sha)
        page = archive.ensure_page(db, issue, job)
        regions, lines = [], []
        for k, (a, kind, text, _, box) in enumerate(rows):
            if not regions or regions[-1].id != f"r{a}-{kind}":
                regions.append(Region(id=f"r{a}-{kind}", kind=kind, box=box, poly=box.poly()))
            lines.append(
                Line(
                    id=f"l{k}",
                    text=text,
                    confidence=0.95,
                    poly=box.poly(),
                    box=box,
                    region=regions[-1].id,
                    order=k + 1,
                )
            )
        result = PageResult(
            job=job,
            width=WIDTH,
            height=HEIGHT,
            dpi=300,
            deskewed_width=WIDTH,
            deskewed_height=HEIGHT,
            regions=regions,
            lines=lines,
        )
        archive.save_page(db, page["id"], result, "h", archive.provenance_id(db, {"test": 1}))
        stored = {
            ln["ord"]: ln["id"]
            for p in archive.issue_pages(db, issue)
            if p["number"] == n
            for ln in p["lines"]
        }
        for k in range(len(rows)):
            line_ids[(n, k)] = stored[k + 1]
    rows_out = []
    for a, art in enumerate(arts):
        mine = [
            (n, k)
            for n, rows in enumerate(placed, start=1)
            for k, r in enumerate(rows)
            if r[0] == a
        ]
        rows_out.append(
            {
                "title": art.title,
                "text": "\n".join(art.paragraphs),
                "pages": sorted({n for n, _ in mine}),
                "lines": [line_ids[m] for m in mine],
                "jump_lines": [],
                "regions": [],
            }
        )
    archive.save_articles(db, issue, rows_out, {"flags": [], "date": date}, method="test")
    return issue


def build_archive(tmp: Path, db) -> list[int]:
    """The three issues of the module docstring; their ids."""
    import opencc

    arts = seed_articles()
    first = build(tmp / "scans" / "2021-01-20", arts, db, "i1", "2021-01-20", "张庙社区晨报")
    s2t = opencc.OpenCC("s2t")
    lead = arts[0]
    trad = Art(s2t.convert(lead.title), [s2t.convert(p) for p in lead.paragraphs[:3]])
    second = build(
        tmp / "scans" / "2021-02-24", [arts[1], trad], db, "i2", "2021-02-24", "张庙社区晨报"
    )
    brief = Art("园区简讯", lead.paragraphs[3:6])
    third = build(tmp / "scans" / "undated", [brief], db, "i3", None, "张庙社区晨报")
    return [first, second, third]
