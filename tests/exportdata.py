"""A small archive for the export tests, stored through the archive API (no OCR): two
issues, colour scans with the text drawn where its lines are, every kind of region,
vertical and Latin text, a skewed page, articles, provenance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from conftest import cjk_font
from PIL import Image, ImageDraw, ImageFont

from ocr import archive
from ocr.model import Box, Deskew, Line, PageJob, PageResult, Region

PROVENANCE = {
    "engine": "paddleocr",
    "paddleocr": "3.7.0",
    "det_model": "PP-OCRv6_small_det",
    "det_sha256": "d" * 64,
    "rec_model": "PP-OCRv6_small_rec",
    "rec_sha256": "e" * 64,
    "settings": {"dpi": 300, "script": "simplified", "code": "0.1.0", "block_pad": 12},
}

# (kind, lines) per region; a line is (text, x0, y0, x1, y1) in page pixels. A region
# of kind photo has one "line" giving its box and no text.
PAGE_1 = [
    ("masthead", [("张庙社区晨报", 100, 50, 640, 140)]),
    ("masthead", [("2021年1月20日 第75期", 700, 80, 1100, 120)]),
    ("headline", [("科创园开园迎来首批企业", 100, 200, 760, 260)]),
    (
        "body",
        [
            ("2020年12月25日，位于宝山区的", 100, 300, 560, 336),
            ("交运智慧湾科创园开园仪式举行。", 100, 350, 560, 386),
            ("意大利XEV srl等单位共同签约。", 100, 400, 560, 436),
            ("园区占地118亩，原为交运老码头。", 100, 450, 560, 486),
        ],
    ),
    (
        "body",
        [
            ("如今这里成为以机器人、人工智能", 620, 300, 1080, 336),
            ("为主的新型开放式园区（下转第2版）", 620, 350, 1080, 386),
        ],
    ),
    ("headline", [("张庙街道新闻", 1120, 200, 1176, 560)]),  # vertical
    ("photo", [("", 620, 420, 1080, 700)]),
    ("caption", [("图为开园仪式现场", 620, 710, 900, 740)]),
    ("folio", [("第1版", 540, 1560, 660, 1596)]),
]
PAGE_2 = [
    ("folio", [("2021年1月20日 张庙社区晨报 第2版", 100, 40, 700, 76)]),
    (
        "body",
        [
            ("（上接第1版）科创园项目由上海交运集团", 100, 120, 700, 156),
            ("与科房投资公司合作开发，南临呼兰路。", 100, 170, 700, 206),
        ],
    ),
    ("ad", [("热线电话：56789012", 100, 260, 500, 296)]),
]
ISSUE_2 = [
    ("masthead", [("张庙社区晨报", 100, 50, 640, 140)]),
    ("body", [("第二期的一行正文", 100, 200, 500, 236)]),
]


@dataclass
class Built:
    """The archive built: its path, and per issue the pages' lines as stored."""

    db_path: Path
    scans: list[Path] = field(default_factory=list)
    lines: dict[int, list[list[dict]]] = field(default_factory=dict)  # issue -> pages


def build_archive(folder: Path) -> Built:
    """Two issues (the first of two pages, the second page skewed by 1.2 degrees)."""
    folder.mkdir(parents=True, exist_ok=True)
    built = Built(folder / "archive.db")
    db = archive.open_db(built.db_path)
    try:
        prov = archive.provenance_id(db, PROVENANCE)
        for n, (key, pages) in enumerate((("k1", [PAGE_1, PAGE_2]), ("k2", [ISSUE_2]))):
            issue_id = archive.upsert_issue(db, key, f"scans/{key}", "张庙社区晨报", "2021-01-20")
            for number, layout in enumerate(pages, start=1):
                skew = 1.2 if (n, number) == (0, 2) else 0.0
                scan = folder / f"{key}-p{number}.png"
                draw_scan(scan, layout)
                built.scans.append(scan)
                store_page(db, issue_id, scan, number, layout, skew, prov)
            store_articles(db, issue_id)
            record = archive.issue_record(db, issue_id)
            built.lines[issue_id] = [p["lines"] for p in record["pages"]]
    finally:
        db.conn.close()
    return built


def draw_scan(path: Path, layout, size=(1240, 1640)) -> None:
    """A colour scan: cream paper, black text where the lines are, a red photo."""
    img = Image.new("RGB", size, (250, 244, 228))
    draw = ImageDraw.Draw(img)
    for kind, lines in layout:
        for text, x0, y0, x1, y1 in lines:
            if kind == "photo":
                draw.rectangle([x0, y0, x1, y1], fill=(200, 30, 30))
                continue
            vertical = (y1 - y0) > 1.5 * (x1 - x0)
            step = (y1 - y0) / len(text) if vertical else (x1 - x0) / len(text)
            font = ImageFont.truetype(cjk_font(), int(min(step, y1 - y0 if not vertical else step)))
            for i, ch in enumerate(text):
                at = (x0, y0 + i * step) if vertical else (x0 + i * step, y0)
                draw.text(at, ch, font=font, fill=(20, 20, 20))
    img.save(path, dpi=(300, 300))


def store_page(db, issue_id, scan: Path, number: int, layout, skew: float, prov: int) -> None:
    w, h = Image.open(scan).size
    job = PageJob(
        source=str(scan),
        page_index=0,
        number=number,
        issue_key=f"i{issue_id}",
        source_sha256=f"{issue_id:02d}{number:02d}".ljust(64, "0"),
        settings=PROVENANCE["settings"],
    )
    page = archive.ensure_page(db, issue_id, job)
    d = Deskew.for_scan(skew, w, h)
    regions, lines = [], []
    for k, (kind, rows) in enumerate(layout):
        boxes = [Box(x0, y0, x1, y1) for _, x0, y0, x1, y1 in rows]
        rbox = Box.union(boxes)
        region = Region(f"r{k}", kind, rbox, d.to_scan(rbox.poly()), order=k + 1, column=0)
        regions.append(region)
        if kind == "photo":
            continue
        for j, ((text, *_), box) in enumerate(zip(rows, boxes)):
            poly = d.to_scan(box.poly())
            conf = 0.9 + 0.01 * (j % 5)
            lines.append(Line(f"l{k}.{j}", text, conf, poly, box, region.id, order=j + 1))
    result = PageResult(
        job=job,
        width=w,
        height=h,
        dpi=300,
        skew_degrees=skew,
        deskewed_width=d.width,
        deskewed_height=d.height,
        image_path=None,
        regions=regions,
        lines=lines,
        meta={"printed_number": number},
    )
    archive.save_page(db, page["id"], result, "s" * 16, prov, confidence=0.92)


def store_articles(db, issue_id: int) -> int:
    """Articles as assembly would make them here: a headline owns the text blocks after
    it; text before any headline on a later page continues the issue's first article
    (a jump). Furniture, ads and photos are in none."""
    articles: list[dict] = []
    for page in archive.issue_record(db, issue_id)["pages"]:
        current = articles[0] if articles else None
        by_region: dict[int, list[dict]] = {}
        for ln in page["lines"]:
            by_region.setdefault(ln["region_id"], []).append(ln)
        for region in page["regions"]:
            lines = by_region.get(region["id"], [])
            if region["kind"] == "headline":
                title = "".join(ln["text"] for ln in lines)
                current = {"title": title, "text": "", "pages": [], "lines": [], "regions": []}
                articles.append(current)
            elif region["kind"] in ("body", "caption") and current is not None:
                current["text"] += "".join(ln["text"] for ln in lines) + "\n"
            else:
                continue
            current["lines"] += [ln["id"] for ln in lines]
            current["regions"].append(region["id"])
            if page["number"] not in current["pages"]:
                current["pages"].append(page["number"])
    for art in articles:
        art["text"] = art["text"].strip()
        art["jump_lines"] = []
    return archive.save_articles(db, issue_id, articles, {"flags": []}, method="test")


def corrected_archive(folder: Path, body: str | None = None, last: str | None = None):
    """The archive built in ``folder`` and opened, with a reviewer's corrections: the body
    line of issue 1 that starts 交运 to ``body``, the last line of issue 2 to ``last``."""
    db = archive.open_db(build_archive(folder).db_path)
    if body is not None:
        lines = archive.issue_record(db, 1)["pages"][0]["lines"]
        line = next(ln for ln in lines if ln["text"].startswith("交运"))
        archive.correct_line(db, line["id"], body, author="reviewer")
    if last is not None:
        line = archive.issue_record(db, 2)["pages"][0]["lines"][-1]
        archive.correct_line(db, line["id"], last, author="reviewer")
    return db


def text_of(built: Built, issue_id: int) -> list[list[str]]:
    """Each page's line texts in stored order."""
    return [[ln["text"] for ln in page] for page in built.lines[issue_id]]


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)
