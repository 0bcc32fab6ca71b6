"""Helpers for the benchmarks: text normalization, edit distance, line matching, the
Tesseract wrapper, machine facts and the ``BENCHMARKS.md`` section writer.

Geometry follows ``ocr/model.py``: pixels, origin top-left, ``y`` down. A line is
``(text, poly)`` with ``poly`` four ``(x, y)`` points in scan pixels.

Matching works in the *upright* page (the scan turned back by the known skew), so the
boxes of long skewed lines are not inflated: each predicted line is given to at most
one truth line (the one whose box holds its centre, else the one it covers most); a
truth line is *found* when the boxes of the predictions given to it cover at least
``FOUND_COVER`` of its box; its text is theirs, joined left to right.
"""

from __future__ import annotations

import math
import os
import platform
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

FOUND_COVER = 0.5  # share of a truth line's box that its predictions must cover
FALLBACK_COVER = 0.5  # a prediction whose centre is in no truth box must cover this much

Rect = tuple[float, float, float, float]


# ---------------------------------------------------------------------------- text


def normalize(text: str) -> str:
    """NFKC (full-width and half-width forms compare equal), all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions all cost 1)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def edits(a: str, b: str) -> list[tuple[str, str]]:
    """The edits of one cheapest alignment turning truth ``a`` into ``b``: ``(x, y)``
    pairs, ``x`` or ``y`` empty for a deletion or an insertion."""
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
    out = []
    i, j = n, m
    while i or j:
        if i and j and d[i][j] == d[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            if a[i - 1] != b[j - 1]:
                out.append((a[i - 1], b[j - 1]))
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            out.append((a[i - 1], ""))
            i -= 1
        else:
            out.append(("", b[j - 1]))
            j -= 1
    return out[::-1]


_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def join_words(words: list[str]) -> str:
    """Join OCR words: a space only between two Latin letters or digits (none between
    CJK characters, which Tesseract separates with spaces)."""
    out = ""
    for w in words:
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(w[0]):
            out += " "
        out += w
    return out


# ---------------------------------------------------------------------------- geometry


def rect_of(poly) -> Rect:
    xs = [float(p[0]) for p in poly]
    ys = [float(p[1]) for p in poly]
    return min(xs), min(ys), max(xs), max(ys)


def area(r: Rect) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def intersect(a: Rect, b: Rect) -> Rect | None:
    r = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return r if r[2] > r[0] and r[3] > r[1] else None


def union_area(rects: list[Rect]) -> float:
    """Area of the union of a few rectangles (coordinate compression)."""
    rects = [r for r in rects if area(r) > 0]
    if not rects:
        return 0.0
    if len(rects) == 1:
        return area(rects[0])
    xs = sorted({v for r in rects for v in (r[0], r[2])})
    ys = sorted({v for r in rects for v in (r[1], r[3])})
    total = 0.0
    for x0, x1 in zip(xs, xs[1:]):
        for y0, y1 in zip(ys, ys[1:]):
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if any(r[0] <= cx < r[2] and r[1] <= cy < r[3] for r in rects):
                total += (x1 - x0) * (y1 - y0)
    return total


def upright(poly, skew_degrees: float, width: int, height: int) -> list[tuple[float, float]]:
    """Scan points turned back by ``skew_degrees`` about the page centre: the inverse of
    the rotation ``tests/synth.py`` applies (OpenCV's ``getRotationMatrix2D`` about
    ``(w/2, h/2)``, counter-clockwise positive on screen)."""
    if not skew_degrees:
        return [(float(x), float(y)) for x, y in poly]
    a = math.radians(skew_degrees)
    c, s = math.cos(a), math.sin(a)
    cx, cy = width / 2, height / 2
    # Forward (synth): x' = c*dx + s*dy, y' = -s*dx + c*dy (about the centre).
    out = []
    for x, y in poly:
        dx, dy = float(x) - cx, float(y) - cy
        out.append((cx + c * dx - s * dy, cy + s * dx + c * dy))
    return out


# ---------------------------------------------------------------------------- matching


@dataclass
class LineScore:
    text: str  # normalized truth text
    got: str | None  # normalized predicted text (None: not found)
    distance: int
    kind: str = ""
    cover: float = 0.0

    @property
    def found(self) -> bool:
        return self.got is not None


@dataclass
class PageScore:
    lines: list[LineScore] = field(default_factory=list)
    spurious: int = 0  # predicted lines matched to no truth line
    predicted: int = 0


def match_page(
    truth: list[tuple[str, list, str]],
    predicted: list[tuple[str, list]],
    skew_degrees: float = 0.0,
    size: tuple[int, int] = (0, 0),
) -> PageScore:
    """Score one page. ``truth`` is ``(text, scan poly, kind)``, ``predicted`` is
    ``(text, scan poly)``; ``skew_degrees`` is the truth skew and ``size`` the scan's
    ``(width, height)``, used to turn all polygons upright before matching."""
    w, h = size
    t_rects = [rect_of(upright(poly, skew_degrees, w, h)) for _, poly, _ in truth]
    preds = [(text, rect_of(upright(poly, skew_degrees, w, h))) for text, poly in predicted]
    given: list[list[tuple[str, Rect]]] = [[] for _ in truth]
    spurious = 0
    for text, pr in preds:
        cx, cy = (pr[0] + pr[2]) / 2, (pr[1] + pr[3]) / 2
        inside = [i for i, tr in enumerate(t_rects) if tr[0] <= cx < tr[2] and tr[1] <= cy < tr[3]]
        best = None
        if inside:
            best = max(inside, key=lambda i: area(intersect(pr, t_rects[i]) or (0, 0, 0, 0)))
        else:
            cover = [
                (area(intersect(pr, tr) or (0, 0, 0, 0)) / max(area(tr), 1e-9), i)
                for i, tr in enumerate(t_rects)
            ]
            c, i = max(cover, default=(0.0, -1))
            if c >= FALLBACK_COVER:
                best = i
        if best is None:
            spurious += 1
        else:
            given[best].append((text, pr))
    score = PageScore(spurious=spurious, predicted=len(predicted))
    for (text, _, kind), tr, hits in zip(truth, t_rects, given):
        t = normalize(text)
        clipped = [c for c in (intersect(pr, tr) for _, pr in hits) if c]
        cover = union_area(clipped) / max(area(tr), 1e-9)
        if hits and cover >= FOUND_COVER:
            got = normalize("".join(s for s, pr in sorted(hits, key=lambda x: x[1][0] + x[1][2])))
            score.lines.append(LineScore(t, got, levenshtein(t, got), kind, round(cover, 3)))
        else:
            score.lines.append(LineScore(t, None, len(t), kind, round(cover, 3)))
    return score


@dataclass
class Totals:
    lines: int = 0
    found: int = 0
    chars: int = 0
    errors: int = 0
    chars_found: int = 0
    errors_found: int = 0
    spurious: int = 0

    def add(self, scores: list[LineScore], spurious: int = 0) -> None:
        for s in scores:
            if not s.text:
                continue
            self.lines += 1
            self.chars += len(s.text)
            self.errors += s.distance
            if s.found:
                self.found += 1
                self.chars_found += len(s.text)
                self.errors_found += s.distance
        self.spurious += spurious

    @property
    def found_rate(self) -> float:
        return self.found / self.lines if self.lines else float("nan")

    @property
    def cer(self) -> float:
        return self.errors / self.chars if self.chars else float("nan")

    @property
    def cer_found(self) -> float:
        return self.errors_found / self.chars_found if self.chars_found else float("nan")


# ---------------------------------------------------------------------------- tesseract


def tesseract_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout
    except OSError:
        return "not installed"
    return out.splitlines()[0].strip() if out else "unknown"


def tesseract_lines(
    image: Path, lang: str = "chi_sim", psm: int = 3, dpi: int = 300, threads: int = 2
) -> list[tuple[str, list]]:
    """Run the ``tesseract`` CLI and return its lines as ``(text, scan poly)``: words
    grouped by (block, paragraph, line), joined without spaces between CJK characters."""
    env = dict(os.environ, OMP_THREAD_LIMIT=str(threads))
    cmd = ["tesseract", str(image), "-", "-l", lang, "--psm", str(psm), "--dpi", str(dpi), "tsv"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract failed: {proc.stderr.strip()[-500:]}")
    groups: dict[tuple[int, ...], list[tuple[str, Rect]]] = {}
    for row in proc.stdout.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5":
            continue
        text = f[11].strip()
        if not text:
            continue
        key = (int(f[1]), int(f[2]), int(f[3]), int(f[4]))
        x, y, w, h = (float(v) for v in f[6:10])
        groups.setdefault(key, []).append((text, (x, y, x + w, y + h)))
    out = []
    for words in groups.values():
        x0 = min(r[0] for _, r in words)
        y0 = min(r[1] for _, r in words)
        x1 = max(r[2] for _, r in words)
        y1 = max(r[3] for _, r in words)
        out.append((join_words([t for t, _ in words]), [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]))
    return out


# ---------------------------------------------------------------------------- report


def git_commit() -> str:
    """The commit the benchmark ran on (short hash, and whether the tree was dirty)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head or 'no commit'}{' + uncommitted changes' if dirty else ''}"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except (OSError, ValueError):
        pass
    return f"{os.cpu_count()} CPUs (nproc), {cpu}{mem}, {platform.system()} {platform.release()}"


def machine_busy_seconds() -> float:
    """CPU seconds all processes have spent busy since boot (``/proc/stat``; 0 if absent)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the ``<!-- name:start -->`` ... ``<!-- name:end -->`` section of ``path``
    (appending it, or creating the file, when it is missing); leave the rest alone."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    i, j = text.find(start), text.find(end)
    if i >= 0 and j > i:
        text = text[:i] + block + text[j + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def fmt_pct(v: float, digits: int = 2) -> str:
    return "n/a" if v != v else f"{100 * v:.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table (also readable as plain text)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])
