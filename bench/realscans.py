"""Real-scan benchmark: the same generated pages clean and as real scans come.

Two sets of two pages each: our generator's (``tests/synth.py``, ``SYNTH_SEED``: the
first two pages of ``bench/articles.py``'s first issue, whose clean pages read almost
without error, so that what a condition adds is what it costs; the main set; the
preparation was developed on other seeds, 6001) and a held-out masonry page
(``tests/masonry.py`` seed 9000: never looked at or tuned on; its clean reading already
loses articles to the layout), reported apart. Each page is degraded by
``tests/degrade.py``: turned by 90, 180 and 270 degrees, set two to a spread,
photographed on a desk (perspective, a slight curl, uneven light), scanned at 150 dpi.
Each image is read by our pipeline (``process_page``, one page per page the batch's
planner finds in it: a spread as its two pages when the planner's test finds it) and by
PaddleOCR's whole-page pipeline on the same image (its document orientation and
unwarping options need models that are not in the rapidocr wheel and would be
downloaded, so they are off). Scored: orientation found, spreads split in reading
order, line CER and lines found (truth polygons moved with the page, matched in the
degraded image's pixels), and the seconds our preparation adds on the clean pages
(the same pages read with every step turned off, in the same run).

Real pages in ``/work/shared/realdata`` (read in place, never copied; skipped when
absent): the 农民日报 page's line CER, with and without the resolution step, and the
工商晚報 phone photos' page CER against the reading-order text (and, order aside, the
share of the text's characters read).

    .venv/bin/python bench/realscans.py           # writes the BENCHMARKS.md section
    .venv/bin/python bench/realscans.py --quick   # fewer cases, prints only
    .venv/bin/python bench/realscans.py --only synth --seed 6001 --no-paddle --no-real
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import common  # noqa: E402  (bench/common.py)
import realpage  # noqa: E402  (bench/realpage.py)
import scoring  # noqa: E402  (bench/scoring.py)
from scoring import distance as edit_distance  # noqa: E402

OUT = ROOT / "bench" / "out" / "realscans"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "realscans"
SEED = 9000  # held out: never looked at while tuning
SYNTH_SEED = 5001  # our generator: bench/articles.py's first issue (seeds 5001 on not tuned on)
DPI = 200
PAGE_MM = (200.0, 280.0)
QUICK_MM = (120.0, 170.0)  # --quick: small pages, to see that everything runs
CURL = 0.04  # the curled photo's sag: 4% of the page's height at the middle of its foot
CURLED = "phone photo, curled"
PHOTOS_CONDITIONS = ("phone photo", CURLED)
MDP = Path("/work/shared/realdata/02_mdpbench_demo")
PHOTOS = (
    "zh-CHT_newspaper_15_indoor_light_top.JPEG",
    "zh-CHT_newspaper_15_indoor_light_top_bend-out.JPEG",
    "zh-CHT_newspaper_15_outdoor_light_top_bend-out.JPEG",
)


@dataclass
class Case:
    """One degraded image and what it holds: one page's truth, or a spread's two."""

    condition: str
    key: str
    path: Path
    truths: list  # TruthPage per page in the image, in reading order
    turned: int = 0
    dpi: int = DPI
    leaves: tuple[int, ...] = ()  # the pages planned in the image (``planned_leaves``)

    @property
    def skew(self) -> float:
        return self.truths[0].skew_degrees


@dataclass
class Score:
    totals: common.Totals = field(default_factory=common.Totals)
    articles: scoring.Totals = field(default_factory=scoring.Totals)
    seconds: float = 0.0
    pages: int = 0
    right: int = 0  # orientation (or spread order) right
    asked: int = 0
    notes: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # the pages read, by number
    by_page: dict[int, common.Totals] = field(default_factory=dict)  # their line scores

    def versus(self, clean: Score) -> tuple[float, float]:
        """(this line CER, the clean reading's line CER of the same pages)."""
        errors = sum(clean.by_page[n].errors for n in self.numbers if n in clean.by_page)
        chars = sum(clean.by_page[n].chars for n in self.numbers if n in clean.by_page)
        return self.totals.cer, errors / chars if chars else float("nan")


def _save(image, path: Path) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, compress_level=1)
    return path


def source_pages(which: str, quick: bool, seed: int | None = None) -> list:
    """The two clean pages a set degrades: our generator's (``SYNTH_SEED``: the first two
    pages of ``bench/articles.py``'s first issue, the pages its 'our generator' figures
    read) or the held-out masonry issue's (``SEED``; small pages with ``--quick``)."""
    if which == "synth":
        import articles  # bench/articles.py: the same pages, rendered the same way

        return articles.generate(1, seed or SYNTH_SEED)[0].pages[:2]
    import masonry

    w, h = QUICK_MM if quick else PAGE_MM
    return masonry.render_issue(pages=2, seed=seed or SEED, dpi=DPI, width_mm=w, height_mm=h)


def cases(which: str, quick: bool, seed: int | None = None) -> list[Case]:
    """The set's clean pages and the same pages degraded by ``tests/degrade.py``."""
    import degrade

    pages = source_pages(which, quick, seed)
    folder = OUT / which
    out = []
    for i, p in enumerate(pages[: 1 if quick else 2]):
        key = f"clean-{i + 1}"
        out.append(Case("clean", key, _save(p.image, folder / f"{key}.png"), [p]))
    turns = ((90, 0),) if quick else ((90, 0), (180, 1), (270, 0))
    for degrees, i in turns:
        t = degrade.turned(pages[i], degrees)
        key = f"turned{degrees}-{i + 1}"
        out.append(
            Case(f"turned {degrees}", key, _save(t.image, folder / f"{key}.png"), [t], degrees)
        )
    image, left, right = degrade.spread(pages[0], pages[1], shadow=0.35)
    out.append(Case("spread", "spread", _save(image, folder / "spread.png"), [left, right]))
    for i, p in enumerate(pages[:1]):
        ph = degrade.photographed(p, tilt=0.07, curl=0.015, light=0.3, seed=SEED + i)
        key = f"photo-{i + 1}"
        out.append(Case("phone photo", key, _save(ph.image, folder / f"{key}.jpg"), [ph]))
        if quick:
            continue
        ph = degrade.photographed(p, tilt=0.05, curl=CURL, light=0.3, seed=SEED + 10 + i)
        key = f"curled-{i + 1}"
        out.append(Case(CURLED, key, _save(ph.image, folder / f"{key}.jpg"), [ph]))
        c = degrade.coarser(p, 150 / DPI)
        key = f"dpi150-{i + 1}"
        out.append(Case("150 dpi", key, _save(c.image, folder / f"{key}.png"), [c], dpi=150))
    return out


def planned_leaves(path: Path) -> tuple[int, ...]:
    """The pages the batch plans for the image: (1, 2) when it finds a spread in it (the
    planner's own test, ``ocr.batch.plan``: ``spread.gutter`` on the image loaded at
    ``spread.PLAN_DPI``), else (0,) the whole image."""
    from ocr.scan import spread
    from ocr.scan.load import load_page

    image, _ = load_page(path, 0, dpi=spread.PLAN_DPI)
    return (1, 2) if spread.gutter(image) is not None else (0,)


def _truth(page, back=None) -> list:
    back = back or (lambda x, y: (x, y))
    return [(ln.text, [back(*q) for q in ln.poly], ln.kind) for ln in page.lines]


def upright_frame(turned: int, size: tuple[int, int]):
    """The map from a page turned ``turned`` degrees clockwise (``tests/degrade.turned``)
    back to the page upright, and the upright page's size: lines are matched there, so
    that the pieces of a truth line are joined in its own reading order (left to
    right on the page, not in the turned image's x order)."""
    w, h = size
    if turned == 90:  # (x, y) -> (h0 - y, x): back, with h0 = w
        return (lambda x, y: (y, w - x)), (h, w)
    if turned == 180:
        return (lambda x, y: (w - x, h - y)), (w, h)
    if turned == 270:  # (x, y) -> (y, w0 - x): back, with w0 = h
        return (lambda x, y: (h - y, x)), (h, w)
    return (lambda x, y: (x, y)), (w, h)


def page_articles(page) -> list[dict]:
    """The truth articles of one page read alone: each article's part on this page
    (a continuation from or to another page is an article of this page too), as
    ``tests/test_articles.truth_articles`` gives them."""
    import dataclasses

    from test_articles import truth_articles

    alone = [dataclasses.replace(a, jump_from=None, jump_to=None) for a in page.articles]
    return truth_articles([dataclasses.replace(page, articles=alone)])


def run_ours(case: Case, prepare: dict | None = None, detect: str | None = None):
    """Our pipeline on the case: one result per page the batch plans in the image
    (``detect``: how lines are found, ``page`` or ``block``; None: the default)."""
    from ocr.model import PageJob
    from ocr.pipeline import process_page, settings_for

    settings = settings_for(case.dpi, None, prepare=prepare, detect=detect)
    leaves = (0,)
    if prepare is None or prepare.get("split", True):
        leaves = case.leaves = case.leaves or planned_leaves(case.path)
    results = []
    for leaf in leaves:
        job = PageJob(str(case.path), 0, 1, "bench", case.key, case.dpi, None, settings, leaf)
        results.append(process_page(job))
    return results


def _lines(results, back=None) -> list:
    back = back or (lambda x, y: (x, y))
    return [(ln.text, [back(*p) for p in ln.poly]) for r in results for ln in r.lines]


def score_ours(case: Case, results, score: Score) -> None:
    """Each truth page against the result of its page (all results' lines when the
    image was not split as it holds pages); orientation right on every result, and a
    spread's pages in order (each result finds more of its own page than the other's)."""
    from PIL import Image

    from ocr.articles import assemble_articles

    with Image.open(case.path) as im:
        back, size = upright_frame(case.turned, im.size)
    split_right = len(results) == len(case.truths)
    score.seconds += sum(r.seconds for r in results)
    for i, truth in enumerate(case.truths):
        own = [results[i]] if split_right else results
        score.pages += 1
        s = common.match_page(_truth(truth, back), _lines(own, back), case.skew, size)
        score.totals.add(s.lines, s.spurious)
        score.numbers.append(truth.number)
        score.by_page.setdefault(truth.number, common.Totals()).add(s.lines, s.spurious)
        drafts = assemble_articles([realpage.page_layout(r, truth.number) for r in own])
        got = realpage.drafts_as_articles(drafts)
        score.articles.issues.append(scoring.score_issue(page_articles(truth), got))
        if len(case.truths) > 1:
            score.asked += 1
            if split_right:
                other = case.truths[1 - i]
                o = common.match_page(_truth(other, back), _lines(own, back), case.skew, size)
                score.right += int(sum(x.found for x in s.lines) > sum(x.found for x in o.lines))
    if case.condition.startswith("turned") or case.condition == "clean":
        score.asked += 1
        score.right += int(split_right and results[0].geometry.orientation == case.turned)
    score.notes += [f"{case.key}: {r.error}" for r in results if r.status != "done"]
    if not split_right:
        score.notes.append(f"{case.key}: {len(results)} page(s) planned, {len(case.truths)} held")


class Paddle:
    def __init__(self, threads: int):
        from accuracy import PaddleWholePage

        self.inner = PaddleWholePage(threads)

    def score(self, case: Case, score: Score) -> None:
        from accuracy import BenchPage
        from PIL import Image

        with Image.open(case.path) as im:
            size = im.size
        t = time.perf_counter()
        pred = self.inner.run(BenchPage(case.key, case.path, [], None, size, case.dpi))
        score.seconds += time.perf_counter() - t
        score.pages += 1
        back, upright = upright_frame(case.turned, size)
        lines = [(text, [back(*q) for q in poly]) for text, poly in pred.lines]
        for truth in case.truths:  # a spread: each page's truth against all its lines
            s = common.match_page(_truth(truth, back), lines, case.skew, upright)
            score.totals.add(s.lines, 0)
        # Its articles: the image's text in its order as one article (as bench/articles.py).
        truth = [a for t in case.truths for a in page_articles(t)]
        text = "\n".join(t for t, _ in pred.lines)
        pages = sorted({p for a in truth for p in a["pages"]})
        whole = [{"title": None, "text": text, "pages": pages}]
        score.articles.issues.append(scoring.score_issue(truth, whole))


# ---------------------------------------------------------------------------- real pages


def mdp_text(name: str) -> str | None:
    """The reading-order text of an MDPBench page (its ordered blocks, headers first)."""
    gt = MDP / "MDPBench_demo.json"
    if not gt.exists():
        return None
    entry = next(
        (e for e in json.loads(gt.read_text()) if e["page_info"]["image_path"] == name), None
    )
    if entry is None:
        return None
    dets = [d for d in entry["layout_dets"] if (d.get("text") or "").strip()]
    dets.sort(key=lambda d: (d.get("order") is not None, d.get("order") or 0))
    return common.normalize("".join(d["text"] for d in dets))


def page_scores(truth: str, got: str) -> tuple[float, float]:
    """(page CER in reading order, share of the truth's characters read, order aside)."""
    cer = edit_distance(truth, got) / max(1, len(truth))
    t, g = Counter(truth), Counter(got)
    return cer, sum((t & g).values()) / max(1, len(truth))


def real_photos(paddle: Paddle | None) -> list[list[str]]:
    from ocr.model import PageJob
    from ocr.pipeline import process_page, settings_for

    rows = []
    for name in PHOTOS:
        path, truth = MDP / "images" / name, mdp_text(name)
        if not path.exists() or truth is None:
            continue
        settings = settings_for(300, None, script="as-read")
        res = process_page(PageJob(str(path), 0, 1, "bench", name, 300, None, settings))
        ours = common.normalize("".join(ln.text for ln in res.lines))
        luckin = any(w in ln.text.lower() for ln in res.lines for w in ("uckin", "coffee"))
        cer, read = page_scores(truth, ours)
        row = [name, f"{common.fmt_pct(cer, 1)}% / {common.fmt_pct(read, 1)}%",
               "yes" if luckin else "no"]  # fmt: skip
        print(f"  {name} ours: CER {cer:.3f}, read {read:.3f}, {res.seconds:.0f}s", file=sys.stderr)
        if paddle is not None:
            from accuracy import BenchPage

            pred = paddle.inner.run(BenchPage(name, path, [], None, (0, 0), 300))
            theirs = common.normalize("".join(t for t, _ in pred.lines))
            cer, read = page_scores(truth, theirs)
            row.append(f"{common.fmt_pct(cer, 1)}% / {common.fmt_pct(read, 1)}%")
        prep = res.preparation
        sides = [e["side"] for e in prep.get("outline", {}).get("edges", [])]
        beyond = f" (beyond its {'/'.join(sides)} edge masked)" if sides else ""
        row.append(
            f"outline {'found' if prep.get('outline', {}).get('found') else 'none'}{beyond}, "
            f"scale {prep.get('scale', {}).get('factor')}, "
            f"cleaned {prep.get('clean', {}).get('cleaned')}"
        )
        rows.append(row)
    return rows


BOOK_SPREAD = Path(
    "/work/shared/realdata/01_omnidocbench_demo/images/"
    "docstructbench_dianzishu_zhongwenzaixian-o.O-60599898.pdf_30.jpg"
)


def real_spread() -> list[str]:
    """A real two-page spread (a book's pages 44 and 45, OmniDocBench demo): found as a
    spread, and the page numbers its two pages print, in the order we give them."""
    from ocr.model import PageJob
    from ocr.pipeline import process_page, settings_for
    from ocr.scan import spread
    from ocr.scan.load import load_page

    if not BOOK_SPREAD.exists():
        return []
    image, dpi = load_page(BOOK_SPREAD, 0)
    cut = spread.gutter(image)
    out = [f"cut at x = {cut} of {image.shape[1]}" if cut else "not found as a spread"]
    for leaf in (1, 2) if cut else ():
        job = PageJob(str(BOOK_SPREAD), 0, leaf, "bench", "book", dpi or 200, None,
                      settings_for(200, None), leaf)  # fmt: skip
        res = process_page(job)
        out.append(f"page {leaf}: prints {res.meta.get('printed_number')}, {len(res.lines)} lines")
    return out


def error_kinds(scores: list, chars: int) -> list[list[str]]:
    """Where a page's errors are, by the truth's block kind: characters of lines not
    found (missed) and edits in lines found (misread), each as a share of the page."""
    by: dict[str, list[int]] = {}
    for ls in scores:
        if not ls.text:
            continue
        b = by.setdefault(ls.kind or "?", [0, 0, 0, 0, 0])
        b[0] += 1
        b[1] += len(ls.text)
        if ls.found:
            b[4] += ls.distance
        else:
            b[2] += 1
            b[3] += len(ls.text)
    rows = []
    for kind, (n, c, missed, missed_c, misread) in sorted(by.items(), key=lambda kv: -kv[1][1]):
        own = common.fmt_pct((missed_c + misread) / c, 1)
        rows.append(
            [kind, str(n), str(c), f"{missed} ({common.fmt_pct(missed_c / chars)}%)",
             f"{common.fmt_pct(misread / chars)}%", f"{own}%"]
        )  # fmt: skip
    return rows


# A hand-checked sample of the 农民日报 page's lines (its truth text corrected by eye
# against the image): ``anno_id<TAB>line index<TAB>text`` per line. Made by hand, kept
# beside the benchmark's other output (never committed: the page's text is not ours).
SAMPLE = OUT / "nongmin-sample.tsv"


def nongmin_sample() -> tuple[list, list] | None:
    """The sample's lines as truth ``(text, poly, kind)``, and the ground truth's own
    text of the same lines as a reading ``(text, poly)``; None without the sample."""
    if not SAMPLE.exists():
        return None
    blocks, _ = realpage.load()
    by = {b.anno: b for b in blocks}
    truth, theirs = [], []
    for row in SAMPLE.read_text(encoding="utf-8").splitlines():
        if not row.strip():
            continue
        anno, k, text = row.split("\t")
        gt_text, (x0, y0, x1, y1) = by[int(anno)].lines[int(k)]
        poly = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        truth.append((text, poly, by[int(anno)].category))
        theirs.append((gt_text, poly))
    return truth, theirs


def _sample_cer(sample, lines, size) -> common.Totals:
    t = common.Totals()
    t.add(common.match_page(sample, lines, 0.0, size).lines)
    return t


def real_newspaper() -> tuple[list[list[str]], list[list[str]]]:
    """The 农民日报 page's line CER (against its noisy ground truth), prepared as by
    default and with the resolution step off; and where the default's errors are."""
    import accuracy

    from ocr.model import PageJob
    from ocr.pipeline import process_page, settings_for

    page = accuracy.real_page()
    if page is None:
        return [], []
    rows, kinds = [], []
    sample = nongmin_sample()
    if sample is not None:
        t = _sample_cer(sample[0], sample[1], page.size)
        rows.append(
            ["(the ground truth's own text)", "", "", "", "", f"{t.errors}/{t.chars}, "
             f"{common.fmt_pct(t.cer, 1)}%"]
        )  # fmt: skip
    for label, prep in (("all steps", None), ("`--no-scale`", {"scale": False})):
        settings = settings_for(page.dpi, None, prepare=prep)
        res = process_page(
            PageJob(str(page.path), 0, 1, "bench", page.key, page.dpi, None, settings)
        )
        lines = [(ln.text, [tuple(p) for p in ln.poly]) for ln in res.lines]
        s = common.match_page(page.truth, lines, 0.0, page.size)
        t = common.Totals()
        t.add(s.lines, s.spurious)
        if not kinds:
            kinds = error_kinds(s.lines, t.chars)
        scale = res.preparation.get("scale", {})
        checked = ""
        if sample is not None:
            c = _sample_cer(sample[0], lines, page.size)
            checked = f"{c.errors}/{c.chars}, {common.fmt_pct(c.cer, 1)}%"
        rows.append(
            [label, f"{common.fmt_pct(t.cer, 1)}%", f"{common.fmt_pct(t.found_rate, 1)}%",
             f"{scale.get('text_px')} px, x{scale.get('factor', 1.0)}", f"{res.seconds:.0f}",
             checked]
        )  # fmt: skip
        print(f"  nongmin {label}: CER {t.cer:.4f} found {t.found_rate:.3f}", file=sys.stderr)
    return rows, kinds


# NZZ front pages (PAGE-XML regions and reading order; Fraktur: layout only).
NZZ = Path("/work/shared/realdata/03_nzz_blackletter_newspaper_gt")
PAGE_NS = "{http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15}"


def nzz_truth(xml: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The page's text regions (id, box) in its reading order (those it orders first)."""
    import xml.etree.ElementTree as ET

    root = ET.parse(xml).getroot()
    boxes = {}
    for reg in root.iter(PAGE_NS + "TextRegion"):
        pts = reg.find(PAGE_NS + "Coords").get("points").split()
        boxes[reg.get("id")] = common.rect_of([tuple(map(float, p.split(","))) for p in pts])
    refs = sorted(root.iter(PAGE_NS + "RegionRefIndexed"), key=lambda r: int(r.get("index")))
    order = [r.get("regionRef") for r in refs if r.get("regionRef") in boxes]
    order += [k for k in boxes if k not in order]
    return [(k, boxes[k]) for k in order]


def nzz_scores(truth, ours: list) -> dict:
    """Our text regions (scan rects, in our reading order) against the truth's: area
    recall and precision, truth regions found one to one (an our region covering at least
    half of it and lying at least half inside it), merged (our best region covers half of
    another truth region too) or split (no region covers half of it), and the truth's
    reading order against ours (Kendall pairs, ``bench/realpage.kendall``)."""
    t_rects = [r for _, r in truth]
    t_area = common.union_area(t_rects)
    o_area = common.union_area(ours)
    inter = common.union_area(
        [c for t in t_rects for o in ours if (c := common.intersect(t, o))]
    )  # fmt: skip

    def cover(a, b) -> float:  # share of a inside b
        c = common.intersect(a, b)
        return common.area(c) / max(common.area(a), 1e-9) if c else 0.0

    one = merged = split = 0
    best_of = {}
    for k, t in enumerate(t_rects):
        if not ours:
            split += 1
            continue
        j = max(range(len(ours)), key=lambda j: cover(t, ours[j]))
        if cover(t, ours[j]) < 0.5:
            split += 1
            continue
        best_of[k] = j
        others = [m for m, u in enumerate(t_rects) if m != k and cover(u, ours[j]) >= 0.5]
        if others:
            merged += 1
        elif cover(ours[j], t) >= 0.5:
            one += 1

    # Reading order: each truth region at its best region's place (ties by top, left).
    def place(k):
        r = t_rects[k]
        return (best_of.get(k, len(ours)), r[1], r[0])

    seq = sorted(best_of, key=place)
    pairs, succ, n = realpage.kendall([k for k in range(len(t_rects)) if k in best_of], seq)
    return {
        "truth": len(t_rects), "ours": len(ours),
        "recall": inter / max(t_area, 1e-9), "precision": inter / max(o_area, 1e-9),
        "one": one, "merged": merged, "split": split, "pairs": pairs, "successors": succ,
    }  # fmt: skip


def real_nzz() -> list[list[str]]:
    """Our layout (prepared, segmented; no recognition: Fraktur) on the NZZ pages."""
    from ocr.layout import segment
    from ocr.model import TEXT_KINDS
    from ocr.scan.load import load_page
    from ocr.scan.prepare import prepare

    rows = []
    for xml in sorted((NZZ / "xml").glob("*.xml")) if NZZ.exists() else []:
        img = next(iter(sorted((NZZ / "img").glob(f"*{xml.stem}.tif"))), None)
        if img is None:
            continue
        t = time.perf_counter()
        image, _ = load_page(img, 0)
        page = prepare(image)
        regions = segment(page.gray, page.transform)
        secs = time.perf_counter() - t
        ours = [common.rect_of(r.poly) for r in regions if r.kind in TEXT_KINDS or r.kind == "text"]
        sc = nzz_scores(nzz_truth(xml), ours)
        rows.append(
            [xml.stem.split("_")[1], f"{image.shape[1]} x {image.shape[0]}",
             f"{sc['truth']} / {sc['ours']}",
             f"{common.fmt_pct(sc['recall'], 1)}% / {common.fmt_pct(sc['precision'], 1)}%",
             f"{sc['one']} / {sc['merged']} / {sc['split']}",
             f"{common.fmt_pct(sc['pairs'], 1)}% / {common.fmt_pct(sc['successors'], 1)}%",
             f"{secs:.1f}"]
        )  # fmt: skip
        print(f"  nzz {xml.stem}: {sc}", file=sys.stderr)
    return rows


# ---------------------------------------------------------------------------- report


def condition_table(ours: dict[str, Score], paddle: dict[str, Score]) -> str:
    rows = []
    clean = ours.get("clean")
    for cond, s in ours.items():
        p = paddle.get(cond)
        cer, ref = s.versus(clean) if clean else (float("nan"), float("nan"))
        vs = f"{cer / ref:.1f}x of {common.fmt_pct(ref)}%" if ref else f"(clean {ref:.2%})"
        rows.append(
            [
                cond,
                f"{s.right}/{s.asked}" if s.asked else "",
                f"{common.fmt_pct(s.articles.cer)}%",
                f"{common.fmt_pct(s.articles.whole, 0)}%",
                f"{common.fmt_pct(s.totals.cer)}%",
                vs if cond != "clean" else "",
                f"{common.fmt_pct(s.totals.found_rate, 1)}%",
                f"{s.seconds / max(1, s.pages):.1f}",
                f"{common.fmt_pct(p.articles.cer)}%" if p else "",
                f"{common.fmt_pct(p.totals.cer)}%" if p else "",
                f"{common.fmt_pct(p.totals.found_rate, 1)}%" if p else "",
            ]
        )
    header = ["same pages as", "orientation / order right", "article CER", "articles whole",
              "line CER", "line CER vs the same pages clean", "lines found", "s/page",
              "PaddleOCR article CER", "PaddleOCR line CER", "PaddleOCR found"]  # fmt: skip
    return common.table(header, rows)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small pages, print only")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-paddle", action="store_true")
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--only-book", action="store_true", help="only the real book spread")
    ap.add_argument("--only-nzz", action="store_true", help="only the NZZ layout (prints)")
    ap.add_argument("--only", choices=("synth", "masonry"), help="one set of generated pages")
    ap.add_argument("--seed", type=int, help="another seed for the set (prints only)")
    ap.add_argument("--no-bare", action="store_true", help="skip the steps-off clean run")
    ap.add_argument("--no-unwarp-rows", action="store_true", help="skip the photos read unwarp off")
    ap.add_argument(
        "--detect", choices=("page", "block"), help="how lines are found (default: the pipeline's)"
    )
    return ap.parse_args(argv)


def run_set(which: str, args) -> SetResult:
    """Every case of one set read by us (and the photos without unwarping, the clean
    pages with every step off) and by PaddleOCR."""
    all_cases = cases(which, args.quick, args.seed)
    ours: dict[str, Score] = {}
    for case in all_cases:
        results, one = run_ours(case, detect=args.detect), Score()
        for sc in (ours.setdefault(case.condition, Score()), one):
            score_ours(case, results, sc)
        print(f"  {which} {case.key}: line CER {one.totals.cer:.4f}, article CER "
              f"{one.articles.cer:.4f}, right {one.right}/{one.asked}, {one.seconds:.0f}s; "
              f"{[r.preparation for r in results]}", file=sys.stderr)  # fmt: skip
    for case in (
        c for c in all_cases if c.condition in PHOTOS_CONDITIONS and not args.no_unwarp_rows
    ):
        score = ours.setdefault(f"{case.condition}, `--no-unwarp`", Score())
        score_ours(case, run_ours(case, {"unwarp": False}, args.detect), score)
    off = {k: False for k in ("orient", "split", "outline", "unwarp", "scale", "clean")}
    bare = Score()
    for case in (c for c in all_cases if c.condition == "clean" and not args.no_bare):
        score_ours(case, run_ours(case, off, args.detect), bare)
    print(condition_table(ours, {}), file=sys.stderr)
    print(f"  {which} clean pages: {ours['clean'].seconds:.1f}s with every step, "
          f"{bare.seconds:.1f}s bare", file=sys.stderr)  # fmt: skip
    for sc in ours.values():
        for note in sc.notes:
            print(f"  note: {note}", file=sys.stderr)
    paddle_scores: dict[str, Score] = {}
    if args.paddle is not None:
        for case in all_cases:
            args.paddle.score(case, paddle_scores.setdefault(case.condition, Score()))
            t = paddle_scores[case.condition].totals
            print(f"  {case.key}: paddle CER {t.cer:.4f} found {t.found_rate:.3f}", file=sys.stderr)
    return SetResult(ours, bare, paddle_scores)


@dataclass
class SetResult:
    ours: dict[str, Score]
    bare: Score
    paddle: dict[str, Score]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, busy0, load0 = time.time(), common.machine_busy_seconds(), os.getloadavg()[0]
    from ocr.pipeline import init_worker

    init_worker(None, threads=args.threads)
    if args.only_book:
        print("; ".join(real_spread()))
        return 0
    if args.only_nzz:
        print(nzz_report(real_nzz()))
        return 0
    args.paddle = None if args.no_paddle else Paddle(args.threads)
    sets = {}
    for which in ("synth", "masonry"):
        if args.only in (None, which):
            sets[which] = run_set(which, args)
    if args.only or args.seed:
        return 0  # one set, or another seed: printed only
    real, kinds = ([], []) if args.no_real else real_newspaper()
    book = [] if args.no_real else real_spread()
    photos = [] if args.no_real else real_photos(args.paddle)
    nzz = [] if args.no_real else real_nzz()
    elapsed = time.time() - started
    busy = common.machine_busy_seconds() - busy0
    loads = (load0, os.getloadavg()[0])
    body = report(sets, (real, kinds), photos, elapsed, busy, loads)
    if nzz:
        body += nzz_report(nzz)
    if book:
        body += "\nA real book spread (OmniDocBench demo, pages 44-45): " + "; ".join(book) + ".\n"
    print(body)
    if not args.quick:
        common.write_section(BENCHMARKS, SECTION, body)
    return 0


SET_TITLES = {
    "synth": f"Our generator (`tests/synth.py` seed {SYNTH_SEED}: pages 1 and 2 of "
    "`bench/articles.py`'s first issue, the pages its 'our generator' figures read; 200 dpi, "
    "250 x 350 mm, skew, blur, noise and JPEG as there). The main set: its clean pages "
    "read as well as the generator's pages do, so what a condition adds is what it costs.",
    "masonry": f"Unseen layouts (`tests/masonry.py` seed {SEED}, held out: never looked at "
    f"or tuned on; {DPI} dpi, {PAGE_MM[0]:.0f} x {PAGE_MM[1]:.0f} mm). A harder second "
    "set: its clean pages already lose articles and lines to the layout (issue 9's), so "
    "its figures say less about what a condition costs.",
}


def set_report(which: str, res: SetResult) -> list[str]:
    clean = res.ours["clean"]
    added = (clean.seconds - res.bare.seconds) / max(res.bare.seconds, 1e-9)
    notes = sorted({n for sc in res.ours.values() for n in sc.notes})
    return [
        "",
        SET_TITLES[which],
        "",
        condition_table(res.ours, res.paddle),
        "",
        f"Seconds added by the preparation on the clean pages: {added * 100:+.1f}% "
        f"({clean.seconds:.1f} s with every step, {res.bare.seconds:.1f} s with "
        "orient/split/outline/unwarp/scale/clean off, deskew on as before the preparation "
        "stage, same pages, same run, one after the other)."
        + (" Pages not as planned or failed: " + "; ".join(notes) + "." if notes else ""),
    ]


def report(sets: dict[str, SetResult], real, photos, elapsed, busy, loads) -> str:
    parts = [
        "## Real scans (`bench/realscans.py`)",
        "",
        "Generated pages degraded by `tests/degrade.py` (turned 90/180/270; two pages set "
        "side by side as a spread, a binding shadow between them; a phone photo with "
        "perspective, a slight curl and uneven light, and one curled by 4%; 150 dpi), each "
        "read as the batch plans it (a spread found by the planner's own test is read as "
        "its two pages), scored against the same pages' truth moved with them. "
        f"Commit {common.git_commit()}; {common.machine()}; "
        f"load average {loads[0]:.1f} before, {loads[1]:.1f} after; "
        f"run took {elapsed:.0f} s, the machine's cores were busy {busy:.0f} s meanwhile "
        "(shared with other developers: seconds are only comparable within this run).",
    ]
    for which, res in sets.items():
        parts += set_report(which, res)
    parts += [
        "",
        "PaddleOCR: its whole-page pipeline, same models, its document orientation and "
        "unwarping off (their models are not in the rapidocr wheel; nothing is downloaded); "
        "its article CER is its page text as one article (as in `bench/articles.py`): such "
        "a text matches no article one to one, so it is there to show that a whole-page "
        "reading has no articles, not as a fair article figure.",
    ]
    real, kinds = real
    if real:
        parts += [
            "",
            "农民日报 2010-12-25 p.2 (OmniDocBench demo, 992 x 1419 px, no dpi; its ground "
            "truth's own text has OCR errors):",
            "",
            common.table(
                [
                    "preparation",
                    "line CER",
                    "lines found",
                    "type size, scale",
                    "s",
                    "hand-checked sample: errors / chars, CER",
                ],
                real,
            ),  # fmt: skip
            "",
            "Where the errors are (all steps), by the ground truth's block kind: lines not "
            "found and the characters they hold, edits in the lines found (both as shares "
            "of the page's characters), and the kind's own CER:",
            "",
            common.table(
                ["kind", "lines", "chars", "missed lines (chars)", "misread", "kind CER"], kinds
            ),  # fmt: skip
        ]
    if photos:
        header = ["工商晚報 photo", "ours: page CER / chars read", "ours: `luckin` read"]
        if len(photos[0]) == 5:
            header.append("PaddleOCR: page CER / chars read")
        header.append("our preparation")
        parts += [
            "",
            "工商晚報 1956-11-20 p.2, phone photos (MDPBench demo), against the ground "
            "truth's reading-order text (traditional characters kept: `--script as-read`); "
            "'chars read' is the share of the text's characters found, order aside:",
            "",
            common.table(header, photos),
        ]
    return "\n".join(parts) + "\n"


def nzz_report(rows: list[list[str]]) -> str:
    header = ["NZZ page", "px", "text regions: truth / ours", "area recall / precision",
              "truth regions: one to one / merged / split", "reading order: pairs / successors",
              "s (prepare + layout)"]  # fmt: skip
    return (
        "\n".join(
            [
                "",
                "NZZ front pages (impresso NZZ ground truth, PAGE-XML; Fraktur, so layout only: "
                "prepared and segmented, not read): our text blocks against the truth's text "
                "regions. One to one: our best block covers half of the region and lies half "
                "inside it; merged: that block also covers half of another region; split: no "
                "block covers half of it. Reading order: the truth's regions at their best "
                "block's place in ours (`bench/realpage.kendall`).",
                "",
                common.table(header, rows),
            ]
        )
        + "\n"
    )


if __name__ == "__main__":
    sys.exit(main())
