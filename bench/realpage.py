"""The whole pipeline on a real page: the 农民日报 2010-12-25 p.2 of OmniDocBench's demo
set (``/work/shared/realdata/01_omnidocbench_demo``, read in place, never copied; skipped
when absent). Our pipeline reads the image (``process_page``), our assembly (and the
American Stories anchor, on the same lines and regions) makes the articles; our lines
are then matched to the ground truth's blocks by overlap and scored on

- *block reading order*: pairs of blocks in the ground truth's order (Kendall), and
  its consecutive blocks kept consecutive;
- *article grouping*: pairwise precision and recall of "same article" over blocks, and
  how many of the ground truth's ``truncated`` relations (a text going on in another
  block) end up in one article.

The ground truth has block categories, a reading order and relations but no article
ids: :func:`gt_articles` derives them from its order (stated there), and the report
lists them so they can be checked against the page.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

REAL_DIR = Path("/work/shared/realdata/01_omnidocbench_demo")
GT_JSON = REAL_DIR / "OmniDocBench_demo.json"
IMAGE = "newspaper_1cddf9d22ca549f3a86cf1512a3110cc_1.jpg"
DPI = 72  # 992 x 1419 px for a broadsheet page
IN_ARTICLES = ("text_block", "title", "figure_caption")
MAIN_TITLE = 1.5  # a title this much taller (thinner side) than the page's least starts one
CONTINUED = ("上接", "[上接", "（上接", "(上接")
KINDS = {"title": "headline", "text_block": "body", "figure_caption": "caption"}


@dataclass
class Block:
    anno: int
    category: str
    box: tuple[float, float, float, float]
    order: int | None
    text: str
    article: int | None = None  # the derived ground-truth article
    lines: list = field(default_factory=list)  # [(text, box)] of the GT's line spans


def available() -> bool:
    return (REAL_DIR / "images" / IMAGE).exists() and GT_JSON.exists()


def _rect(q: list[float]) -> tuple[float, float, float, float]:
    xs, ys = q[0::2], q[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def load() -> tuple[list[Block], list[dict]]:
    """The page's blocks (not 'abandon', not ignored) and its relations."""
    entries = json.loads(GT_JSON.read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["page_info"]["image_path"].endswith(IMAGE))
    blocks = []
    for det in entry["layout_dets"]:
        if det["category_type"] == "abandon" or det.get("ignore"):
            continue
        b = Block(
            det["anno_id"],
            det["category_type"],
            _rect(det["poly"]),
            det.get("order"),
            det.get("text") or "",
        )
        for span in det.get("line_with_spans") or []:
            text = (span.get("text") or "").strip()
            if span.get("category_type") == "text_span" and text:
                b.lines.append((text, _rect(span["poly"])))
        blocks.append(b)
    return blocks, entry.get("extra", {}).get("relation", [])


def gt_articles(blocks: list[Block], relations: list[dict]) -> list[list[int]]:
    """Articles of the ground truth (lists of anno ids in its order), derived so:
    walking the blocks in the ground truth's reading order, a new article starts at a
    *main* title (its thinner side at least 1.5x the page's thinnest title: the
    smaller titles are subheads inside an article; consecutive main titles are one
    heading) and at a text block that starts with 上接 ("continued from") not right
    after a title; captions of a figure (its ``parent_son`` relation) are the figure's
    article; headers, page numbers and figures are in none."""

    def size(b: Block) -> float:
        return min(b.box[2] - b.box[0], b.box[3] - b.box[1])

    titles = [size(b) for b in blocks if b.category == "title"]
    least = min(titles) if titles else 0.0
    captions = {r["target_anno_id"] for r in relations if r["relation_type"] == "parent_son"}
    groups: list[list[int]] = []
    photo: list[int] = []
    prev_main, prev_title = False, False
    for b in sorted((b for b in blocks if b.order is not None), key=lambda b: b.order):
        if b.category not in IN_ARTICLES:
            continue
        if b.anno in captions:
            photo.append(b.anno)
            continue
        main = b.category == "title" and size(b) >= MAIN_TITLE * least
        cont = b.category == "text_block" and b.text.lstrip().startswith(CONTINUED)
        if not groups or (main and not prev_main) or (cont and not prev_title):
            groups.append([])
        groups[-1].append(b.anno)
        prev_main, prev_title = main, b.category == "title"
    if photo:
        groups.append(photo)
    return groups


# ---------------------------------------------------------------------------- ours


def run_pipeline(threads: int) -> tuple[object, float]:
    """Our pipeline on the page: its ``PageLayout`` (regions, lines) and seconds."""
    from ocr.model import PageJob
    from ocr.pipeline import init_worker, process_page

    init_worker(None, threads=threads)
    job = PageJob(
        source=str(REAL_DIR / "images" / IMAGE),
        page_index=0,
        number=1,
        issue_key="bench-real",
        source_sha256="real-nongmin-ribao",
        dpi=DPI,
    )
    t = time.perf_counter()
    res = process_page(job)
    seconds = time.perf_counter() - t
    if res.status != "done":
        raise RuntimeError(f"our pipeline failed on the real page: {res.error}")
    return page_layout(res), seconds


def page_layout(res, number: int = 1):
    """A ``PageResult`` as the ``PageLayout`` assembly reads (page ``number``)."""
    from ocr.model import PageLayout

    return PageLayout(
        number,
        res.regions,
        res.lines,
        printed_number=res.meta.get("printed_number"),
        width=res.deskewed_width or res.width,
        height=res.deskewed_height or res.height,
        meta=res.meta,
    )


def gt_layout(blocks: list[Block]):
    """The ground truth's own lines and blocks as a layout (block categories as kinds)."""
    from ocr.model import Box, Line, PageLayout, Region

    regions, lines = [], []
    for b in blocks:
        if b.category not in IN_ARTICLES:
            continue
        rid = f"b{b.anno}"
        box = Box(*b.box)
        regions.append(Region(rid, KINDS[b.category], box, box.poly()))
        for k, (text, r) in enumerate(b.lines):
            lb = Box(*r)
            lines.append(Line(f"{rid}/{k}", text, 1.0, lb.poly(), lb, region=rid, order=k))
    from PIL import Image

    with Image.open(REAL_DIR / "images" / IMAGE) as im:
        w, h = im.size
    return PageLayout(1, regions, lines, width=w, height=h)


def block_of_lines(layout, blocks: list[Block], use_poly: bool = True) -> dict[str, int]:
    """Each line's ground-truth block: the one holding the centre of its box (scan
    pixels), else the one it overlaps most if that is at least half of the line."""
    cands = [b for b in blocks if b.category in IN_ARTICLES]
    out = {}
    for ln in layout.lines:
        if use_poly and ln.poly:
            xs, ys = [p[0] for p in ln.poly], [p[1] for p in ln.poly]
            r = (min(xs), min(ys), max(xs), max(ys))
        else:
            r = (ln.box.x0, ln.box.y0, ln.box.x1, ln.box.y1)
        cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
        inside = [b for b in cands if b.box[0] <= cx < b.box[2] and b.box[1] <= cy < b.box[3]]
        if inside:
            out[ln.id] = min(inside, key=lambda b: _area(b.box)).anno
            continue
        area = max(_area(r), 1e-9)
        best = max(cands, key=lambda b: _inter(r, b.box), default=None)
        if best is not None and _inter(r, best.box) >= 0.5 * area:
            out[ln.id] = best.anno
    return out


def _area(r) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _inter(a, b) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


# ---------------------------------------------------------------------------- scores


@dataclass
class RealScore:
    blocks: int  # ground-truth blocks in articles
    read: int  # of them, blocks some predicted line fell in
    in_articles: int  # of them, blocks whose lines are in a predicted article
    pairs: float | None  # share of block pairs in the GT's order
    successors: float | None
    precision: float
    recall: float
    truncated: tuple[int, int]  # (kept in one article, relations)
    articles: int  # predicted articles


def kendall(truth_order: list, ours: list) -> tuple[float, float, int]:
    """(share of pairs in the same order, share of truth successors that follow each
    other in ours too, items compared) over the items both orders hold."""
    pos = {x: i for i, x in enumerate(ours)}
    items = [x for x in truth_order if x in pos]
    n = len(items)
    if n < 2:
        return float("nan"), float("nan"), n
    agree = sum(1 for i in range(n) for j in range(i + 1, n) if pos[items[i]] < pos[items[j]])
    nxt = sum(1 for a, b in zip(items, items[1:]) if pos[b] == pos[a] + 1)
    return agree / (n * (n - 1) / 2), nxt / (n - 1), n


def score(
    articles: list[dict], line_block: dict[str, int], blocks, relations, ordered: bool
) -> RealScore:
    """Score predicted ``articles`` (``lines``: line ids in reading order) against the
    ground truth. ``ordered``: whether the articles come in a page reading order (the
    anchor orders only within an article: its order is not scored)."""
    groups = gt_articles(blocks, relations)
    gt_of = {a: k for k, g in enumerate(groups) for a in g}
    gt_order = [b.anno for b in sorted(blocks, key=lambda b: (b.order is None, b.order or 0))]
    gt_order = [a for a in gt_order if a in gt_of]
    read = set(line_block.values()) & set(gt_of)
    seq: list[int] = []
    votes: dict[int, dict[int, int]] = {}
    for k, art in enumerate(articles):
        for lid in art["lines"]:
            b = line_block.get(lid)
            if b is None or b not in gt_of:
                continue
            if b not in seq:
                seq.append(b)
            votes.setdefault(b, {}).setdefault(k, 0)
            votes[b][k] += 1
    ours_of = {b: max(v, key=v.get) for b, v in votes.items()}
    pairs = succ = None
    if ordered:
        pairs, succ, _ = kendall(gt_order, seq)
    compared = sorted(read)
    # A block read but in no article is an article of its own.
    label = {b: ours_of.get(b, f"alone{b}") for b in compared}
    tp = fp = fn = 0
    for i, a in enumerate(compared):
        for b in compared[i + 1 :]:
            same_gt, same_ours = gt_of[a] == gt_of[b], label[a] == label[b]
            tp += same_gt and same_ours
            fp += same_ours and not same_gt
            fn += same_gt and not same_ours
    trunc = [r for r in relations if r["relation_type"] == "truncated"]
    kept = sum(
        1
        for r in trunc
        if r["source_anno_id"] in ours_of
        and ours_of.get(r["source_anno_id"]) == ours_of.get(r["target_anno_id"])
    )
    return RealScore(
        blocks=len(gt_of),
        read=len(read),
        in_articles=len(ours_of),
        pairs=pairs,
        successors=succ,
        precision=tp / (tp + fp) if tp + fp else float("nan"),
        recall=tp / (tp + fn) if tp + fn else float("nan"),
        truncated=(kept, len(trunc)),
        articles=len(articles),
    )


def drafts_as_articles(drafts) -> list[dict]:
    return [{"title": d.title, "text": d.text, "pages": d.pages, "lines": d.lines} for d in drafts]


def evaluate(threads: int) -> dict | None:
    """All rows of the real-page table (None when the page is not on this machine)."""
    if not available():
        return None
    import anchor

    from ocr.articles import assemble_articles

    blocks, relations = load()
    layout, seconds = run_pipeline(threads)
    ours_lines = block_of_lines(layout, blocks)
    gt = gt_layout(blocks)
    gt_lines = block_of_lines(gt, blocks, use_poly=False)
    rows = {
        "ours": score(
            drafts_as_articles(assemble_articles([layout])), ours_lines, blocks, relations, True
        ),
        "anchor": score(anchor.associate(layout), ours_lines, blocks, relations, False),
        "ours-gt": score(
            drafts_as_articles(assemble_articles([gt])), gt_lines, blocks, relations, True
        ),
        "anchor-gt": score(anchor.associate(gt), gt_lines, blocks, relations, False),
    }
    groups = gt_articles(blocks, relations)
    order_of = {b.anno: b.order for b in blocks}
    spans = []
    for g in groups:
        orders = sorted(order_of[a] for a in g)
        spans.append(f"{orders[0]}-{orders[-1]}" if len(orders) > 1 else f"{orders[0]}")
    return {
        "rows": rows,
        "seconds": seconds,
        "lines": len(layout.lines),
        "regions": len(layout.regions),
        "groups": spans,
        "size": (int(layout.width), int(layout.height)),
    }
