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
    for c in range(columns):
        x0, x1 = c * col_w + 40, (c + 1) * col_w - 40
        head = Box(x0, 80 + shift, x1, 150 + shift)
        body = Box(x0, 180 + shift, x1, 180 + shift + body_lines * 44)
        hid, bid = f"p{page}c{c}h", f"p{page}c{c}b"
        regions += [
            Region(hid, "headline", head, head.poly(), order=2 * c + 1, column=c),
            Region(bid, "body", body, body.poly(), order=2 * c + 2, column=c),
        ]
        lines.append(Line(f"{hid}1", f"第{page}版标题{c + 1}", 0.97, head.poly(), head, hid))
        for k in range(body_lines):
            b = Box(x0, body.y0 + k * 44, x1, body.y0 + k * 44 + 36)
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


def page_image(folder: Path, name: str) -> str:
    """A page image with dark bars where the generated lines are."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        img = Image.new("L", (WIDTH, HEIGHT), 250)
        draw = ImageDraw.Draw(img)
        for y in range(80, HEIGHT - 80, 44):
            draw.rectangle([60, y + 6, WIDTH - 60, y + 30], fill=40)
        img.save(path)
    return str(path)


def build_archive(db_path: Path, issues: int = 1, pages: int = 2, **kw) -> dict:
    """An archive of ``issues`` issues of ``pages`` pages each, articles assembled."""
    db = archive.open_db(db_path)
    image = page_image(db_path.parent / "pages", "page.png")
    out = {"db": db, "issues": [], "pages": []}
    for n in range(issues):
        issue = archive.upsert_issue(
            db, f"issue-{n}", f"scans/{n}.pdf", "张庙社区晨报", f"2021-01-{n + 1:02d}"
        )
        for k in range(pages):
            job = PageJob(f"scans/{n}.pdf", k, k + 1, f"issue-{n}", f"{n:064d}")
            row = archive.ensure_page(db, issue, job)
            archive.save_page(
                db, row["id"], page_result(job, k + 1, image_path=image, **kw), "h", None
            )
            out["pages"].append(row["id"])
        assemble_issue(db, issue)
        out["issues"].append(issue)
    return out
