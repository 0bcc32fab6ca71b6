"""Archives for the review tests and benchmark, built from stored rows (no OCR): pages
of generated lines in headline + body columns, each with a page image in pages/."""

from __future__ import annotations

from pathlib import Path

from ocr import archive
from ocr.batch.assemble import assemble_issue
from ocr.model import Box, Line, PageJob, PageResult, Region

WIDTH, HEIGHT = 1200, 1700
BODY = "社区居民踊跃参加志愿服务活动共建美好家园"


def page_result(
    job: PageJob,
    page: int,
    columns: int = 2,
    body_lines: int = 8,
    image_path: str | None = None,
    shift: float = 0.0,
) -> PageResult:
    """A page of ``columns`` articles: a headline line over ``body_lines`` body lines
    (``shift`` moves every box down, as a new reading might)."""
    regions, lines = [], []
    col_w = WIDTH / columns
    pitch = min(44, (HEIGHT - 260) // max(1, body_lines))  # the lines fit on the page
    for c in range(columns):
        x0, x1 = c * col_w + 40, (c + 1) * col_w - 40
        head = Box(x0, 80 + shift, x1, 150 + shift)
        body = Box(x0, 180 + shift, x1, 180 + shift + body_lines * pitch)
        hid, bid = f"p{page}c{c}h", f"p{page}c{c}b"
        regions += [
            Region(hid, "headline", head, head.poly(), order=2 * c + 1, column=c),
            Region(bid, "body", body, body.poly(), order=2 * c + 2, column=c),
        ]
        lines.append(Line(f"{hid}1", f"第{page}版标题{c + 1}", 0.97, head.poly(), head, hid))
        for k in range(body_lines):
            b = Box(x0, body.y0 + k * pitch, x1, body.y0 + k * pitch + round(pitch * 0.82))
            text = f"{BODY[(k + c) % 7 :][:12]}{page}{c}{k}"
            conf = 0.5 + ((page * 31 + c * 17 + k * 7) % 50) / 100
            lines.append(Line(f"{bid}{k}", text, round(conf, 3), b.poly(), b, bid, order=k))
    return PageResult(
        job=job,
        width=WIDTH,
        height=HEIGHT,
        dpi=150,
        deskewed_width=WIDTH,
        deskewed_height=HEIGHT,
        image_path=image_path,
        regions=regions,
        lines=lines,
        meta={"printed_number": page},
    )


def cjk_font() -> str | None:
    import subprocess

    out = subprocess.run(
        ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
    ).stdout
    files = sorted(line.split(":")[0].strip() for line in out.splitlines() if line.strip())
    preferred = [f for f in files if "NotoSansCJK-Regular" in f or "NotoSerifCJK-Regular" in f]
    return (preferred or files or [None])[0]


def page_image(folder: Path, name: str, result: PageResult | None = None) -> str:
    """The page's image: its lines' text drawn in their boxes (dark bars without a CJK
    font, or without ``result``)."""
    from PIL import Image, ImageDraw, ImageFont

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.exists():
        return str(path)
    img = Image.new("L", (WIDTH, HEIGHT), 250)
    draw = ImageDraw.Draw(img)
    font = cjk_font()
    for line in result.lines if result else []:
        b = line.box
        if font:
            size = max(8, int(min(b.height * 0.85, b.width / max(1, len(line.text)) * 1.1)))
            draw.text((b.x0, b.y0), line.text, font=ImageFont.truetype(font, size), fill=20)
        else:
            draw.rectangle([b.x0, b.y0 + 4, b.x1, b.y1 - 4], fill=40)
    img.save(path)
    return str(path)


def build_archive(db_path: Path, issues: int = 1, pages: int = 2, **kw) -> dict:
    """An archive of ``issues`` issues of ``pages`` pages each, articles assembled."""
    db = archive.open_db(db_path)
    folder = db_path.parent / "pages"
    out = {"db": db, "issues": [], "pages": []}
    for n in range(issues):
        issue = archive.upsert_issue(
            db, f"issue-{n}", f"scans/{n}.pdf", "张庙社区晨报", f"2021-01-{n + 1:02d}"
        )
        for k in range(pages):
            job = PageJob(f"scans/{n}.pdf", k, k + 1, f"issue-{n}", f"{n:064d}")
            row = archive.ensure_page(db, issue, job)
            result = page_result(job, k + 1, **kw)
            result.image_path = page_image(folder, f"page-{k + 1}.png", result)
            archive.save_page(db, row["id"], result, "h", None)
            out["pages"].append(row["id"])
        assemble_issue(db, issue)
        out["issues"].append(issue)
    return out
