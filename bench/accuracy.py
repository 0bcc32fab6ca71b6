"""Accuracy benchmark: our pipeline against PaddleOCR's whole-page pipeline (same models)
and Tesseract ``chi_sim``, on the same generated pages in one run.

Pages come from ``tests/synth.py`` with seeds the tests do not use (1001 on), 300 dpi,
3 to 6 columns, and scan effects (skew within +-3 degrees, blur, noise, JPEG). For each
system: line CER, lines found, skew error (ours only) and seconds per page. Optionally
also the real 农民日报 page of OmniDocBench's demo set, when it is on this machine.

    .venv/bin/python bench/accuracy.py            # 2 issues x 4 pages, writes BENCHMARKS.md
    .venv/bin/python bench/accuracy.py --quick    # 2 pages, prints only

Page images, truth and every system's lines go to ``bench/out/accuracy/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import common  # noqa: E402  (bench/common.py)

OUT = ROOT / "bench" / "out" / "accuracy"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SECTION = "accuracy"

PAGE_MM = (250.0, 350.0)  # the sample issue's page size (tests/synth.py --width/height-mm)
COLUMNS = (3, 4, 5, 6)  # page k of the run has COLUMNS[k % 4] columns
SKEW_RANGE = 3.0
TARGETS = {"cer": 0.005, "found": 0.995, "skew": 0.1, "speed": 1.0}

REAL_DIR = Path("/work/shared/realdata/01_omnidocbench_demo")
REAL_IMAGE = "newspaper_1cddf9d22ca549f3a86cf1512a3110cc_1.jpg"
REAL_DPI = 72  # about 72 dpi: 992 x 1419 pixels for a broadsheet page

OURS, PADDLE, TESS = "ours", "paddle", "tesseract"
LABELS = {
    OURS: "ours (process_page)",
    PADDLE: "anchor A: PaddleOCR whole page",
    TESS: "anchor B: Tesseract chi_sim",
}


@dataclass
class BenchPage:
    key: str
    path: Path
    truth: list[tuple[str, list, str]]  # (text, scan poly, kind)
    skew: float | None  # truth skew (None: unknown)
    size: tuple[int, int]  # (width, height)
    dpi: int
    params: dict = field(default_factory=dict)
    private: bool = False  # third-party material: keep none of its truth text

    @property
    def number(self) -> int:
        return int(self.params.get("number", 1))


@dataclass
class Prediction:
    lines: list[tuple[str, list]]
    skew: float | None = None
    error: str | None = None
    seconds: float = 0.0  # wall clock
    cpu: float = 0.0  # CPU seconds of this process and its children (all threads)


@dataclass
class Run:
    """One system's results over the pages."""

    system: str
    setup_seconds: float = 0.0
    pages: list[tuple[BenchPage, Prediction, common.PageScore]] = field(default_factory=list)

    @property
    def totals(self) -> common.Totals:
        t = common.Totals()
        for _, _, score in self.pages:
            t.add(score.lines, score.spurious)
        return t

    @property
    def seconds(self) -> float:
        return sum(p.seconds for _, p, _ in self.pages)

    @property
    def per_page(self) -> float:
        return self.seconds / len(self.pages) if self.pages else float("nan")

    @property
    def per_minute(self) -> float:
        return 60 / self.per_page if self.pages and self.seconds > 0 else float("nan")

    @property
    def cpu_per_page(self) -> float:
        return sum(p.cpu for _, p, _ in self.pages) / len(self.pages) if self.pages else 0.0

    def skew_errors(self) -> list[float]:
        return [
            abs(p.skew - page.skew)
            for page, p, _ in self.pages
            if p.skew is not None and page.skew is not None and p.error is None
        ]

    @property
    def failures(self) -> list[str]:
        return [f"{page.key}: {p.error}" for page, p, _ in self.pages if p.error]


# ---------------------------------------------------------------------------- pages


def generate(pages: int, per_issue: int, seed: int, dpi: int) -> list[BenchPage]:
    """Render the run's pages (issue ``k`` has seed ``seed + k``); write each page as PNG
    with its truth JSON under ``bench/out/accuracy/pages``."""
    import synth
    from PIL import Image

    folder = OUT / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for g in range(pages):
        issue_seed = seed + g // per_issue
        number = g % per_issue + 1
        rng = random.Random(f"bench-accuracy:{issue_seed}:{number}")
        params = {
            "number": number,
            "seed": issue_seed,
            "columns": COLUMNS[g % len(COLUMNS)],
            "dpi": dpi,
            "width_mm": PAGE_MM[0],
            "height_mm": PAGE_MM[1],
            "body_pt": rng.choice((9.0, 10.0, 10.5)),
            "photos": rng.choice((0, 1, 1, 2)),
            "rules": rng.random() > 0.15,
            "qr": 2 if number == 1 else 0,
            "masthead": number == 1,
            "skew_degrees": round(rng.uniform(-SKEW_RANGE, SKEW_RANGE), 2),
            "blur": round(rng.uniform(0.4, 0.9), 2),
            "noise": round(rng.uniform(1.5, 4.0), 2),
            "jpeg_quality": rng.randint(70, 92),
            "color": rng.random() < 0.5,
        }
        page = synth.render_page(**params)
        key = f"s{issue_seed}-p{number}"
        path = folder / f"{key}.png"
        Image.fromarray(page.image).save(path, compress_level=1)
        synth.save_truth([page], folder / f"{key}.truth.json")
        h, w = page.image.shape[:2]
        truth = [(ln.text, [tuple(p) for p in ln.poly], ln.kind) for ln in page.lines]
        out.append(BenchPage(key, path, truth, page.skew_degrees, (w, h), dpi, params))
        print(
            f"  {key}: {params['columns']} columns, skew {params['skew_degrees']:+.2f}, "
            f"{len(truth)} lines",
            file=sys.stderr,
        )
    return out


def real_page() -> BenchPage | None:
    """The 农民日报 page of OmniDocBench's demo set with its line GT, if present."""
    image, gt = REAL_DIR / "images" / REAL_IMAGE, REAL_DIR / "OmniDocBench_demo.json"
    if not (image.exists() and gt.exists()):
        return None
    from PIL import Image

    pages = json.loads(gt.read_text(encoding="utf-8"))
    entry = next((p for p in pages if p["page_info"]["image_path"].endswith(REAL_IMAGE)), None)
    if entry is None:
        return None
    truth = []
    for det in entry["layout_dets"]:
        for span in det.get("line_with_spans") or []:
            text = (span.get("text") or "").strip()
            if span.get("category_type") != "text_span" or not text:
                continue
            q = span["poly"]
            truth.append((text, [(q[i], q[i + 1]) for i in range(0, 8, 2)], det["category_type"]))
    with Image.open(image) as im:
        size = im.size
    return BenchPage("real-nongmin-ribao", image, truth, None, size, REAL_DPI, private=True)


# ---------------------------------------------------------------------------- systems


class Ours:
    def __init__(self, threads: int):
        from ocr.pipeline import engine, init_worker

        init_worker(None, threads=threads)
        self.provenance = engine().provenance()

    def run(self, page: BenchPage) -> Prediction:
        from ocr.model import PageJob
        from ocr.pipeline import process_page

        job = PageJob(
            source=str(page.path),
            page_index=0,
            number=page.number,
            issue_key="bench",
            source_sha256=page.key,  # only names the kept page image, which is not kept
            dpi=page.dpi,
        )
        res = process_page(job)
        if res.status != "done":
            return Prediction([], None, res.error or res.status)
        lines = [(ln.text, [tuple(p) for p in ln.poly]) for ln in res.lines]
        return Prediction(lines, res.skew_degrees)


class PaddleWholePage:
    """PaddleOCR's own OCR pipeline on the whole page, default settings, same models."""

    def __init__(self, threads: int):
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        os.environ.setdefault("PADDLE_PDX_LOG_LEVEL", "ERROR")
        from paddleocr import PaddleOCR

        from ocr.recognize.model_files import load_model_set

        ms = load_model_set()
        self.ocr = PaddleOCR(
            text_detection_model_name=ms.det_name,
            text_detection_model_dir=str(ms.det_dir),
            text_recognition_model_name=ms.rec_name,
            text_recognition_model_dir=str(ms.rec_dir),
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            engine="onnxruntime",
            device="cpu",
            engine_config={"intra_op_num_threads": threads},
        )

    def run(self, page: BenchPage) -> Prediction:
        try:
            (res,) = self.ocr.predict(str(page.path))
        except Exception as exc:  # report it, keep benchmarking
            return Prediction([], None, f"{type(exc).__name__}: {exc}")
        polys = res["rec_polys"] if len(res["rec_polys"]) else res["dt_polys"]
        lines = [
            (str(text), [(float(x), float(y)) for x, y in poly])
            for text, poly in zip(res["rec_texts"], polys)
        ]
        return Prediction(lines)


class Tesseract:
    def __init__(self, threads: int):
        self.threads = threads
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
        if "chi_sim" not in langs.stdout.split():
            raise RuntimeError("tesseract has no chi_sim (apt-get install tesseract-ocr-chi-sim)")

    def run(self, page: BenchPage) -> Prediction:
        try:
            lines = common.tesseract_lines(page.path, dpi=page.dpi, threads=self.threads)
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            return Prediction([], None, str(exc))
        return Prediction(lines)


FACTORIES = {OURS: Ours, PADDLE: PaddleWholePage, TESS: Tesseract}


def warm_up(system, page: BenchPage) -> None:
    """One untimed call on a small crop, so first-call set-up is not charged to page 1."""
    from PIL import Image

    path = OUT / "warmup.png"
    with Image.open(page.path) as im:
        w, h = im.size
        im.crop((w // 4, h // 3, w // 4 + 900, h // 3 + 900)).save(path)
    system.run(BenchPage("warmup", path, [], None, (900, 900), page.dpi))


def cpu_seconds() -> float:
    """CPU time used so far by this process (all threads) and its waited-for children."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed_run(system, page: BenchPage) -> Prediction:
    cpu, wall = cpu_seconds(), time.perf_counter()
    pred = system.run(page)
    pred.seconds = time.perf_counter() - wall
    pred.cpu = cpu_seconds() - cpu
    return pred


def save_lines(system: str, page: BenchPage, pred: Prediction, score: common.PageScore) -> None:
    folder = OUT / system
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "page": page.key,
        "seconds": round(pred.seconds, 3),
        "cpu_seconds": round(pred.cpu, 3),
        "skew": pred.skew,
        "error": pred.error,
        "lines": [
            {"text": t, "poly": [[round(x, 1), round(y, 1)] for x, y in p]} for t, p in pred.lines
        ],
        "scores": [
            {
                "truth": None if page.private else s.text,
                "got": s.got,
                "distance": s.distance,
                "kind": s.kind,
                "cover": s.cover,
            }
            for s in score.lines
        ],
    }
    (folder / f"{page.key}.json").write_text(json.dumps(data, ensure_ascii=False, indent=0))


def score_page(name: str, system, page: BenchPage) -> tuple[Prediction, common.PageScore]:
    """Run one system on one page, score it, keep its lines; print one progress line."""
    pred = timed_run(system, page)
    score = common.match_page(page.truth, pred.lines, page.skew or 0.0, page.size)
    save_lines(name, page, pred, score)
    t = common.Totals()
    t.add(score.lines, score.spurious)
    extra = f", skew {pred.skew:+.3f}" if pred.skew is not None else ""
    print(
        f"  {page.key} {name}: {pred.seconds:.1f}s (cpu {pred.cpu:.1f}s), found "
        f"{common.fmt_pct(t.found_rate)}%, CER {common.fmt_pct(t.cer)}%{extra}"
        + (f"  FAILED: {pred.error}" if pred.error else ""),
        file=sys.stderr,
    )
    return pred, score


# ---------------------------------------------------------------------------- report


def versions(runs: dict[str, Run], ours_prov: dict | None) -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for pkg in ("paddleocr", "paddlex", "onnxruntime"):
        try:
            parts.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            pass
    if ours_prov:
        parts.append(
            f"models {ours_prov['det_model']} ({ours_prov['det_sha256'][:12]}) + "
            f"{ours_prov['rec_model']} ({ours_prov['rec_sha256'][:12]})"
        )
    if TESS in runs:
        parts.append(common.tesseract_version())
    return ", ".join(parts)


def num(v: float, fmt: str = ".2f") -> str:
    return "n/a" if v != v else format(v, fmt)


def main_table(runs: dict[str, Run]) -> str:
    anchor = runs.get(PADDLE)
    rows = []
    for name, run in runs.items():
        t = run.totals
        errs = run.skew_errors()
        skew = f"{sum(errs) / len(errs):.3f} / {max(errs):.3f}" if errs else "-"
        ratio = "-"
        if anchor is not None and anchor.pages:
            ratio = num(run.per_minute / anchor.per_minute)
        rows.append(
            [
                LABELS[name],
                str(len(run.pages)) + (f" ({len(run.failures)} failed)" if run.failures else ""),
                str(t.lines),
                common.fmt_pct(t.found_rate),
                common.fmt_pct(t.cer),
                common.fmt_pct(t.cer_found),
                str(t.spurious),
                skew,
                num(run.per_page, ".1f"),
                num(run.cpu_per_page, ".1f"),
                num(run.per_minute),
                ratio,
            ]
        )
    header = [
        "system",
        "pages",
        "truth lines",
        "lines found %",
        "line CER %",
        "CER on found %",
        "unmatched predicted lines",
        "skew error mean / max (°)",
        "s / page",
        "CPU s / page",
        "pages / min",
        "pages/min vs anchor A",
    ]
    return common.table(header, rows)


def kind_table(runs: dict[str, Run]) -> str:
    kinds: dict[str, dict[str, common.Totals]] = {}
    for name, run in runs.items():
        for _, _, score in run.pages:
            for s in score.lines:
                kinds.setdefault(s.kind, {}).setdefault(name, common.Totals()).add([s])
    header = ["line kind", "truth lines"] + [
        f"{LABELS[n].split(':')[0]} found % / CER %" for n in runs
    ]
    rows = []
    for kind in sorted(kinds, key=lambda k: -next(iter(kinds[k].values())).lines):
        cells = [kind, str(next(iter(kinds[kind].values())).lines)]
        for name in runs:
            t = kinds[kind].get(name)
            cells.append(
                f"{common.fmt_pct(t.found_rate, 1)} / {common.fmt_pct(t.cer)}" if t else "-"
            )
        rows.append(cells)
    return common.table(header, rows)


def page_table(runs: dict[str, Run]) -> str:
    ours = runs.get(OURS)
    first = next(iter(runs.values()))
    header = ["page", "columns", "skew (°)", "truth lines"]
    if ours:
        header += ["ours skew (°)", "ours found %", "ours CER %"]
    header += [f"{n} s" for n in runs]
    rows = []
    for k, (page, _, _) in enumerate(first.pages):
        cells = [page.key, str(page.params["columns"]), f"{page.skew:+.2f}", str(len(page.truth))]
        if ours:
            _, pred, score = ours.pages[k]
            t = common.Totals()
            t.add(score.lines)
            skew = "failed" if pred.skew is None else f"{pred.skew:+.3f}"
            cells += [skew, common.fmt_pct(t.found_rate), common.fmt_pct(t.cer)]
        cells += [f"{run.pages[k][1].seconds:.1f}" for run in runs.values()]
        rows.append(cells)
    return common.table(header, rows)


def targets(runs: dict[str, Run], dpi: int) -> tuple[str, list[tuple[str, str]]]:
    ours = runs.get(OURS)
    if ours is None:
        return "", []
    t = ours.totals
    errs = ours.skew_errors()
    anchor = runs.get(PADDLE)

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("PASS" if ok else "FAIL")

    rows = [
        [
            f"line CER ≤ {100 * TARGETS['cer']:.1f}% at 300 dpi",
            f"{common.fmt_pct(t.cer)}% at {dpi} dpi",
            verdict(t.cer <= TARGETS["cer"] if dpi == 300 else None),
        ],
        [
            f"lines found ≥ {100 * TARGETS['found']:.1f}%",
            f"{common.fmt_pct(t.found_rate)}%",
            verdict(t.found_rate >= TARGETS["found"]),
        ],
        [
            f"skew error ≤ {TARGETS['skew']}° (every page)",
            f"max {max(errs):.3f}°" if errs else "n/a",
            verdict(max(errs) <= TARGETS["skew"] and not ours.failures if errs else None),
        ],
        ["pages/min ≥ anchor A's", "anchor A not run", verdict(None)],
    ]
    if anchor is not None and anchor.pages:
        ratio = ours.per_minute / anchor.per_minute
        rows[3][1] = f"{num(ours.per_minute)} vs {num(anchor.per_minute)} (×{num(ratio)})"
        rows[3][2] = verdict(ratio >= TARGETS["speed"])
    return common.table(["target", "measured (ours)", "result"], rows), [(r[0], r[2]) for r in rows]


def real_table(real: dict[str, tuple[Prediction, common.PageScore]], page: BenchPage) -> str:
    rows = []
    for name, (pred, score) in real.items():
        t = common.Totals()
        t.add(score.lines, score.spurious)
        rows.append(
            [
                LABELS[name] + (f" (FAILED: {pred.error})" if pred.error else ""),
                str(t.lines),
                str(t.chars),
                common.fmt_pct(t.found_rate),
                common.fmt_pct(t.cer),
                common.fmt_pct(t.cer_found),
                str(t.spurious),
                f"{pred.seconds:.1f}",
            ]
        )
    header = [
        "system",
        "GT lines",
        "GT chars",
        "lines found %",
        "line CER %",
        "CER on found %",
        "unmatched predicted lines",
        "s",
    ]
    return common.table(header, rows)


def confusions(runs: dict[str, Run], n: int = 12) -> str:
    """The most frequent character edits of each system, over found lines."""
    rows = []
    for name, run in runs.items():
        if name == TESS:  # its lines are too often merged for character pairs to mean much
            continue
        count: dict[tuple[str, str], int] = {}
        for _, _, score in run.pages:
            for s in score.lines:
                if s.found and s.distance:
                    for e in common.edits(s.text, s.got):
                        count[e] = count.get(e, 0) + 1
        top = sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        shown = ", ".join(f"{a or '∅'}→{b or '∅'} ×{c}" for (a, b), c in top) or "none"
        rows.append([LABELS[name], str(sum(count.values())), shown])
    return common.table(["system", "edits", f"most frequent (truth→read, up to {n})"], rows)


def worst_lines(run: Run, n: int) -> list[str]:
    bad = [
        (s.distance, page.key, s)
        for page, _, score in run.pages
        for s in score.lines
        if s.distance and s.text
    ]
    bad.sort(key=lambda x: (-x[0] / max(1, len(x[2].text)), x[1]))
    out = []
    for _, key, s in bad[:n]:
        got = "(not found)" if s.got is None else s.got
        out.append(f"{key} [{s.kind}] truth: {s.text} | got: {got}")
    return out


def report(args, runs, real, real_pg, pages, elapsed, ours_prov) -> str:
    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    exe = Path(sys.executable)
    try:
        exe_s = str(exe.relative_to(ROOT))
    except ValueError:
        exe_s = "python"
    cmd = shlex.join([exe_s, "bench/accuracy.py", *args.argv])
    issues = sorted({p.params["seed"] for p in pages})
    skews = ", ".join(f"{p.skew:+.2f}" for p in pages)
    target_md, _ = targets(runs, args.dpi)
    parts = [
        "## Accuracy (generated issues)",
        "",
        f"- Date: {now}; run took {elapsed / 60:.1f} min (page generation and model loading "
        "included; per-page times below exclude both).",
        f"- Machine: {common.machine()}; {args.threads} threads for every system; other "
        f"processes used {args.others:.0%} of the machine's CPU time while pages were timed.",
        "- Model loading and warm-up (not in the per-page times): "
        + ", ".join(f"{n} {r.setup_seconds:.1f} s" for n, r in runs.items())
        + ".",
        f"- Command: `{cmd}`",
        f"- Code: commit {common.git_commit()}; {versions(runs, ours_prov)}.",
        f"- Pages: {len(pages)} pages from {len(issues)} generated issue(s) (tests/synth.py "
        f"`render_page`, seeds {', '.join(map(str, issues))}), {args.dpi} dpi, "
        f"{PAGE_MM[0]:.0f}x{PAGE_MM[1]:.0f} mm, columns "
        f"{', '.join(str(p.params['columns']) for p in pages)}; skews {skews}°; "
        "blur 0.4-0.9 px, noise 1.5-4, JPEG quality 70-92, about half in colour. "
        "Images under bench/out/accuracy/ (not kept in git).",
        "",
        main_table(runs),
        "",
        *(["Targets (ours):", "", target_md, ""] if target_md else []),
        "Most frequent character errors on found lines (∅: nothing):",
        "",
        confusions(runs),
        "",
        "By line kind (found % / line CER %):",
        "",
        kind_table(runs),
        "",
        "Per page:",
        "",
        page_table(runs),
        "",
    ]
    if real:
        parts += [
            "Real page: 农民日报 2010-12-25 p.2 (OmniDocBench demo, "
            f"{real_pg.size[0]}x{real_pg.size[1]} px, about 72 dpi; ours run with dpi={REAL_DPI}). "
            "Its GT text is an uncorrected OCR layer with wrong characters (e.g. 肥代 for 现代), "
            "so a few percent of CER is the GT's own; compare the systems, not the absolute "
            "figure. The vertical headline is counted as a line like the others.",
            "",
            real_table(real, real_pg),
            "",
        ]
    elif not args.no_real:
        parts += [f"Real page: skipped ({REAL_DIR} is not on this machine).", ""]
    parts += [
        "How it is measured:",
        "",
        "- Text is compared after NFKC normalization (full-width and half-width punctuation "
        "and digits compare equal) with all whitespace removed.",
        "- Matching is done in the upright page (the scan's polygons turned back by the truth "
        "skew). Each predicted line goes to at most one truth line: the one whose box holds "
        "its centre, else the one it covers at least half of. A truth line is found when the "
        f"predictions given to it cover ≥ {common.FOUND_COVER:.0%} of its box (intersection "
        "over the truth line's area); their texts are joined left to right (split lines are "
        "not penalized, merged lines are: the extra text counts as insertions).",
        "- Line CER = total edit distance / total truth characters over all truth lines, a "
        'line not found counting as fully deleted. "CER on found" uses found lines only.',
        "- Seconds per page are wall-clock for one page from the PNG file to lines (decoding "
        "included, model loading and a warm-up call excluded); Tesseract's include starting "
        "the process and loading chi_sim. The systems take turns page by page (the order "
        "rotating), so other load on the machine falls on all of them; CPU s / page (user + "
        "system time of all threads and child processes) is less sensitive to such load. "
        "Anchor A uses PaddleOCR's default settings (it limits the page's long side to "
        "4000 px).",
        "",
        "Not measured here: reading order, region/article segmentation and their kinds, QR "
        "decoding, text in photos, predicted lines that match no truth line (counted in "
        '"unmatched predicted lines", not in CER), vertical text and real-scan degradations '
        "beyond blur, noise, JPEG and skew (no warping, bleed-through or uneven lighting).",
    ]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(
        description="Line CER, lines found, skew error and speed of our pipeline against "
        "PaddleOCR's whole-page pipeline and Tesseract chi_sim, on generated pages.",
        epilog="example: .venv/bin/python bench/accuracy.py --quick --systems ours,paddle",
    )
    parser.add_argument("--pages", type=int, help="number of pages (default 8; 2 with --quick)")
    parser.add_argument("--quick", action="store_true", help="2 pages; BENCHMARKS.md untouched")
    parser.add_argument("--pages-per-issue", type=int, default=4, help="default 4")
    parser.add_argument("--seed", type=int, default=1001, help="first issue's seed (1001)")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2, help="threads per system (2)")
    parser.add_argument(
        "--systems",
        default=f"{OURS},{PADDLE},{TESS}",
        help="comma-separated subset of ours,paddle,tesseract",
    )
    parser.add_argument("--no-real", action="store_true", help="skip the real 农民日报 page")
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write the BENCHMARKS.md section (default: yes, except with --quick)",
    )
    parser.add_argument("--examples", type=int, default=15, help="worst lines to print")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.pages is None:
        args.pages = 2 if args.quick else 8
    if args.write is None:
        args.write = not args.quick
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.systems) - set(FACTORIES)
    if unknown or not args.systems:
        parser.error(f"--systems: unknown {sorted(unknown)}; choose from {sorted(FACTORIES)}")
    if args.pages < 1 or args.pages_per_issue < 1:
        parser.error("--pages and --pages-per-issue must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"rendering {args.pages} pages ...", file=sys.stderr)
    pages = generate(args.pages, args.pages_per_issue, args.seed, args.dpi)
    real_pg = None if args.no_real else real_page()
    systems, runs = {}, {}
    for name in args.systems:
        print(f"{LABELS[name]}: loading ...", file=sys.stderr)
        t = time.perf_counter()
        systems[name] = FACTORIES[name](args.threads)
        if name in (OURS, PADDLE):
            warm_up(systems[name], pages[0])
        runs[name] = Run(name, time.perf_counter() - t)
    ours_prov = getattr(systems.get(OURS), "provenance", None)
    busy, mine, wall = common.machine_busy_seconds(), cpu_seconds(), time.perf_counter()
    # Page by page, every system in turn (the order rotating from page to page), so that
    # anything else running on the machine slows all systems alike.
    for k, page in enumerate(pages):
        print(f"page {k + 1}/{len(pages)} {page.key}", file=sys.stderr)
        for j in range(len(args.systems)):
            name = args.systems[(k + j) % len(args.systems)]
            pred, score = score_page(name, systems[name], page)
            runs[name].pages.append((page, pred, score))
    real: dict[str, tuple[Prediction, common.PageScore]] = {}
    if real_pg is not None:
        print(f"real page {real_pg.key}", file=sys.stderr)
        for name in (n for n in args.systems if n in (OURS, PADDLE)):
            real[name] = score_page(name, systems[name], real_pg)
    others = common.machine_busy_seconds() - busy - (cpu_seconds() - mine)
    args.others = max(0.0, others) / ((time.perf_counter() - wall) * (os.cpu_count() or 1))
    elapsed = time.perf_counter() - started

    text = report(args, runs, real, real_pg, pages, elapsed, ours_prov)
    print()
    print(text)
    for name, run in runs.items():
        for failure in run.failures:
            print(f"{name} FAILED {failure}", file=sys.stderr)
    if OURS in runs and args.examples:
        print(f"Worst lines of ours (of {runs[OURS].totals.lines}):")
        for line in worst_lines(runs[OURS], args.examples):
            print("  " + line)
    print(f"\nlines and per-line scores: {OUT.relative_to(ROOT)}/<system>/<page>.json")
    if args.write:
        common.write_section(BENCHMARKS, SECTION, text)
        print(f"wrote the '{SECTION}' section of {BENCHMARKS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
