"""Reading order of pages set in vertical lines (issue 12): prints, writes nothing.

The constructed traditional page of ``tests/vertical_page.py`` (seeds 0-2), and the
工商晚報 1956 phone photos of the MDPBench demo (read in place, never copied; skipped
when absent), each through ``process_page`` with the default ``--script auto``:

* page CER: the page's text in our reading order against the truth's reading-order
  text; chars read: the share of the truth's characters found, order aside
  (``bench/realscans.page_scores``);
* order: of our lines that can be placed in the truth's text (two character pairs or
  more agreeing on one place), the share of pairs, and of successive lines, in the
  truth's order: the order itself, apart from how well the lines are read;
* the script found.

    .venv/bin/python bench/vertical.py [--no-real] [--no-synth]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT / "tests", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import common  # noqa: E402  (bench/common.py)
import realscans  # noqa: E402  (bench/realscans.py: the photos, their truth, the scores)


def placed(lines, truth: str) -> dict[str, int]:
    """Where each line's text stands in ``truth``: the place two or more of its
    character pairs agree on (within 4 characters); lines not placed are left out."""
    at = defaultdict(list)
    for p in range(len(truth) - 1):
        at[truth[p : p + 2]].append(p)
    out = {}
    for ln in lines:
        t = common.normalize(ln.text)
        votes = Counter()
        for k in range(len(t) - 1):
            for p in at.get(t[k : k + 2], ())[:50]:
                votes[(p - k) // 4] += 1
        if votes:
            ((where, n),) = votes.most_common(1)
            if n >= 2:
                out[ln.id] = where * 4
    return out


def order_scores(lines, truth: str) -> tuple[float, float, int]:
    """(pairs in the truth's order, successive lines in it, lines placed)."""
    pos = placed(lines, truth)
    xs = [pos[ln.id] for ln in lines if ln.id in pos]
    pairs = sum(1 for i in range(len(xs)) for j in range(i + 1, len(xs)) if xs[i] < xs[j])
    total = len(xs) * (len(xs) - 1) // 2
    succ = sum(1 for a, b in zip(xs, xs[1:]) if a < b)
    return pairs / max(1, total), succ / max(1, len(xs) - 1), len(xs)


def read(path: Path, dpi: int, prepare: dict | None = None):
    from ocr.model import PageJob
    from ocr.pipeline import process_page, settings_for

    settings = settings_for(dpi, None, prepare=prepare)
    return process_page(PageJob(str(path), 0, 1, "bench", path.name, dpi, None, settings))


def row(name: str, truth: str, res) -> str:
    got = common.normalize("".join(ln.text for ln in res.lines))
    cer, chars = realscans.page_scores(truth, got)
    pairs, succ, n = order_scores(res.lines, truth)
    script = res.preparation.get("script", {}).get("script")
    return (
        f"| {name} | {100 * cer:.1f}% | {100 * chars:.1f}% | {100 * pairs:.1f}% / "
        f"{100 * succ:.1f}% ({n} of {len(res.lines)} lines) | {script} | {res.seconds:.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-real", action="store_true", help="skip the 工商晚報 photos")
    ap.add_argument("--no-synth", action="store_true", help="skip the constructed page")
    args = ap.parse_args(argv)
    from ocr.pipeline import init_worker

    init_worker(None, 1)
    print("| page | page CER | chars read | order: pairs / successors | script | s |")
    print("|---|---|---|---|---|---|")
    if not args.no_synth:
        from PIL import Image
        from vertical_page import render_vertical_page

        with tempfile.TemporaryDirectory() as tmp:
            for seed in (0, 1, 2):
                page = render_vertical_page(seed)
                path = Path(tmp) / f"vertical-{seed}.png"
                Image.fromarray(page.image).save(path)
                res = read(path, 200)  # the orientation test keeps it upright
                print(row(f"tests/vertical_page.py seed {seed}", common.normalize(page.text), res))
    if not args.no_real:
        for name in realscans.PHOTOS:
            path, truth = realscans.MDP / "images" / name, realscans.mdp_text(name)
            if path.exists() and truth is not None:
                print(row(name, truth, read(path, 300)), flush=True)
    return 0


if __name__ == "__main__":
    t = time.perf_counter()
    code = main()
    print(f"{time.perf_counter() - t:.0f} s", file=sys.stderr)
    sys.exit(code)
