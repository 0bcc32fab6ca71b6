"""Lines benchmark on masonry pages: our pipeline against PaddleOCR's whole page.

Pages come from ``tests/masonry.py`` with **tuning seeds only (7000-7999)**; the held-out
seeds (9000-9999) are refused. For each page: line CER, lines found (truth lines matched
as in ``bench/accuracy.py``, by ``bench/common.py``), seconds, and whether we found
fewer lines than PaddleOCR's whole page on it (never allowed).

    .venv/bin/python bench/lines.py                          # seeds 7100-7104, 2 pages, 150 dpi
    .venv/bin/python bench/lines.py --seeds 7100 --dpi 300 --pages 1

PaddleOCR's results are cached per page under ``bench/out/lines/`` (git-ignored), so
iterating on our side does not pay for them again; ``--fresh`` runs it again.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import accuracy  # noqa: E402  (bench/accuracy.py: the systems)
import common  # noqa: E402  (bench/common.py: matching and scoring)

OUT = ROOT / "bench" / "out" / "lines"
TUNING = range(7000, 8000)


def pages_of(seed: int, pages: int, dpi: int | None) -> list[accuracy.BenchPage]:
    """The first ``pages`` pages of tuning issue ``seed`` (rendered once, then cached)."""
    if seed not in TUNING:
        raise SystemExit(f"seed {seed}: only tuning seeds 7000-7999 may be used here")
    import masonry

    params = masonry.issue_params(seed)
    if dpi:
        params["dpi"] = dpi
    params["pages"] = min(pages, params["pages"])
    folder = OUT / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    keys = [f"m{seed}-p{n}-{params['dpi']}" for n in range(1, params["pages"] + 1)]
    if not all((folder / f"{k}.json").exists() for k in keys):
        _render(seed, params, folder, keys)
    out = []
    for key in keys:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        truth = [(t, [tuple(p) for p in poly], kind) for t, poly, kind in meta["truth"]]
        out.append(
            accuracy.BenchPage(
                key,
                folder / f"{key}.png",
                truth,
                meta["skew"],
                tuple(meta["size"]),
                params["dpi"],
                {"number": meta["number"]},
            )
        )
    return out


def _render(seed: int, params: dict, folder: Path, keys: list[str]) -> None:
    import masonry
    from PIL import Image

    rendered = masonry.render_issue(seed=seed, scan=True, **params)
    for key, page in zip(keys, rendered):
        Image.fromarray(page.image).save(folder / f"{key}.png", compress_level=1)
        h, w = page.image.shape[:2]
        meta = {
            "truth": [(ln.text, [list(p) for p in ln.poly], ln.kind) for ln in page.lines],
            "skew": page.skew_degrees,
            "size": [w, h],
            "number": page.number,
        }
        (folder / f"{key}.json").write_text(json.dumps(meta, ensure_ascii=False))


def paddle_lines(system, page: accuracy.BenchPage, fresh: bool) -> accuracy.Prediction:
    """PaddleOCR's whole page on ``page``, from the cache when it is there."""
    path = OUT / "paddle" / f"{page.key}.json"
    if path.exists() and not fresh:
        d = json.loads(path.read_text(encoding="utf-8"))
        return accuracy.Prediction(
            [(t, [tuple(p) for p in q]) for t, q in d["lines"]], None, None, d["seconds"]
        )
    pred = accuracy.timed_run(system(), page)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"lines": pred.lines, "seconds": pred.seconds}, ensure_ascii=False))
    return pred


def score(page: accuracy.BenchPage, pred: accuracy.Prediction) -> common.Totals:
    s = common.match_page(page.truth, pred.lines, page.skew or 0.0, page.size)
    t = common.Totals()
    t.add(s.lines, s.spurious)
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(7100, 7105)))
    ap.add_argument("--pages", type=int, default=2, help="pages per issue (the first ones)")
    ap.add_argument("--dpi", type=int, default=150, help="0: the issue's own dpi")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--fresh", action="store_true", help="run PaddleOCR again")
    ap.add_argument("--label", default="ours", help="where our lines go (bench/out/lines/LABEL)")
    ap.add_argument("--text-height", type=int, help="try another DET_TEXT_HEIGHT (tuning)")
    ap.add_argument("--detect", choices=("page", "block"), help="how lines are found")
    args = ap.parse_args(argv)
    if args.text_height:
        import ocr.recognize.lines as lines

        lines.DET_TEXT_HEIGHT = args.text_height
    if args.detect:
        import ocr.recognize.read as read

        read.DEFAULT_DETECT = args.detect
    pages = [p for s in args.seeds for p in pages_of(s, args.pages, args.dpi or None)]
    ours = accuracy.Ours(args.threads)
    holder: list = []

    def paddle():
        if not holder:
            holder.append(accuracy.PaddleWholePage(args.threads))
        return holder[0]

    tot = {"ours": common.Totals(), "paddle": common.Totals()}
    secs = {"ours": 0.0, "paddle": 0.0}
    fewer = []
    for page in pages:
        theirs = paddle_lines(paddle, page, args.fresh)
        t0 = time.perf_counter()
        mine = ours.run(page)
        mine.seconds = time.perf_counter() - t0
        _save(args.label, page, mine)
        row = {}
        for name, pred in (("ours", mine), ("paddle", theirs)):
            t = score(page, pred)
            for f in ("lines", "found", "chars", "errors", "chars_found", "errors_found"):
                setattr(tot[name], f, getattr(tot[name], f) + getattr(t, f))
            secs[name] += pred.seconds
            row[name] = t
        if row["ours"].found < row["paddle"].found:
            fewer.append(page.key)
        print(
            f"{page.key}: {row['ours'].lines} lines | ours found {row['ours'].found} "
            f"CER {common.fmt_pct(row['ours'].cer)}% {mine.seconds:.1f}s | paddle found "
            f"{row['paddle'].found} CER {common.fmt_pct(row['paddle'].cer)}% "
            f"{theirs.seconds:.1f}s" + (f"  ERROR {mine.error}" if mine.error else ""),
            flush=True,
        )
    n = len(pages)
    for name, t in tot.items():
        print(
            f"{name:7s} lines {t.lines} found {common.fmt_pct(t.found_rate)}% "
            f"CER {common.fmt_pct(t.cer)}% (on found {common.fmt_pct(t.cer_found)}%) "
            f"{secs[name] / n:.1f} s/page"
        )
    print(f"pages where ours found fewer than paddle: {fewer or 'none'}")
    return 0


def _save(label: str, page: accuracy.BenchPage, pred: accuracy.Prediction) -> None:
    path = OUT / label / f"{page.key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"lines": pred.lines, "seconds": pred.seconds}, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
