"""Export benchmark: seconds per page of each format (json, alto, hocr, pdf, text,
markdown, iiif, site), written whole and re-run unchanged; PDF bytes per page; ALTO valid
against the 4.3 XSD, METS valid against the METS 1.12.1 XSD and resolving; and
``pdftotext`` on the PDFs against the stored text (CER, spaces inserted between CJK
characters).

    .venv/bin/python bench/export.py              # writes the "export" section of BENCHMARKS.md
    .venv/bin/python bench/export.py --no-write

The archive is built from stored rows (no OCR; the exports read only the archive and the
scans): the sample issue ``scans/zhangmiao-2021-01-20.pdf`` (8 gray A4 pages at 300 dpi)
with the lines, blocks and articles of its truth file; and, when
``/work/shared/realdata`` is there (read in place, never copied), the real colour page of
农民日报 (992 x 1419, its ground-truth line spans as lines) and the colour Dutch community
paper page (2227 x 3514, its blocks as lines), each a one-page issue. Timings are wall
clock of ``run_export(..., force=True)`` into an empty folder, the best of ``--repeat``
runs, beside two anchors measured in the same run: loading the same page images from
their scans alone (for the formats that write images), and the JSON export of the same
issues (for text and Markdown); then once more unchanged (the incremental check only).
The machine is shared, so the load average is printed with them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "bench", ROOT):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import common  # noqa: E402  (bench/common.py)

from ocr import archive  # noqa: E402
from ocr.export import formats  # noqa: E402
from ocr.export.incremental import run_export  # noqa: E402
from ocr.model import Box, Deskew, Line, PageJob, PageResult, Region  # noqa: E402

OUT = ROOT / "bench" / "out" / "export"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SAMPLE = ROOT / "scans" / "zhangmiao-2021-01-20.pdf"
TRUTH = ROOT / "scans" / "zhangmiao-2021-01-20.truth.json"
REAL = Path("/work/shared/realdata")
NEWSPAPER = (
    REAL / "01_omnidocbench_demo" / "images" / "newspaper_1cddf9d22ca549f3a86cf1512a3110cc_1.jpg"
)
DUTCH = REAL / "02_mdpbench_demo" / "images" / "nl_newspaper_14.jpeg"
XSD = ROOT / "tests" / "data" / "schemas" / "alto-4-3.xsd"
METS_XSD = ROOT / "tests" / "data" / "schemas" / "mets.xsd"
FORMATS = ("json", "alto", "hocr", "pdf", "text", "markdown", "iiif", "site")
BY_JSON = ("text", "markdown")  # compared with the JSON export; the others with the scan load
CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
GAP = re.compile(f"(?=[{CJK}][ \t\u00a0]+[{CJK}])")  # overlapping: 张 庙 街 is two
PROVENANCE = {"engine": "stored rows (bench/export.py)", "settings": {"code": "bench"}}
OMNI_KINDS = {"text_block": "body", "title": "headline", "header": "folio"}
OMNI_KINDS |= {"figure": "photo", "figure_caption": "caption"}


# ---------------------------------------------------------------------------- archive


def build(db_path: Path) -> dict[int, str]:
    """The archive: the sample issue, and the real pages when there. Issue id -> label."""
    db = archive.open_db(db_path)
    prov = archive.provenance_id(db, PROVENANCE)
    labels = {}
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    issue = archive.upsert_issue(db, "sample", str(SAMPLE), "张庙社区晨报", "2021-01-20")
    articles: dict[int, list[int]] = {}
    for page in truth["pages"]:
        ids = store_truth_page(db, issue, page, prov)
        for line_id, art in ids:
            if art is not None:
                articles.setdefault(art, []).append(line_id)
    store_articles(db, issue, articles)
    labels[issue] = "sample issue (8 gray A4 pages, 300 dpi)"
    if NEWSPAPER.exists():
        issue = archive.upsert_issue(db, "real-zh", str(NEWSPAPER), "农民日报", "2010-12-25")
        store_omni_page(
            db, issue, NEWSPAPER, REAL / "01_omnidocbench_demo" / "OmniDocBench_demo.json", prov
        )
        labels[issue] = "农民日报 real page (colour, 992 x 1419, no dpi)"
    if DUTCH.exists():
        issue = archive.upsert_issue(db, "real-nl", str(DUTCH), "Amigoe", "2017-01-01")
        store_omni_page(db, issue, DUTCH, REAL / "02_mdpbench_demo" / "MDPBench_demo.json", prov)
        labels[issue] = "Amigoe real page (colour, photos, 2227 x 3514, no dpi; blocks as lines)"
    db.conn.close()
    return labels


def _job(source: Path, index: int, number: int, issue: int) -> PageJob:
    sha = hashlib.sha256(f"{source}:{index}".encode()).hexdigest()
    return PageJob(str(source), index, number, f"i{issue}", sha, settings=PROVENANCE["settings"])


def store_truth_page(db, issue: int, page: dict, prov: int) -> list[tuple[int, int | None]]:
    """One page of the sample's truth as a stored page: (line id, truth article) pairs."""
    job = _job(SAMPLE, page["number"] - 1, page["number"], issue)
    row = archive.ensure_page(db, issue, job)
    d = Deskew.for_scan(page["skew_degrees"], page["width"], page["height"])
    ox, oy = page["deskewed_offset"]
    regions, lines = [], []
    kinds: dict[int, str] = {}
    for ln in page["lines"]:
        kinds.setdefault(ln["block"], ln["kind"] if ln["kind"] != "jump" else "body")
    for k, b in enumerate(page["blocks"]):
        box = Box(*b["box"]).offset(ox, oy)
        kind = kinds.get(k, b["kind"]) if b["kind"] == "text" else b["kind"]
        regions.append(
            Region(f"r{k}", kind, box, d.to_scan(box.poly()), order=k + 1, text=b["payload"])
        )
    for j, ln in enumerate(page["lines"]):
        box = Box(*ln["box"]).offset(ox, oy)
        poly = [tuple(p) for p in ln["poly"]]
        lines.append(Line(f"l{j}", ln["text"], 0.95, poly, box, f"r{ln['block']}", order=j + 1))
    result = PageResult(
        job,
        page["width"],
        page["height"],
        page["dpi"],
        page["skew_degrees"],
        d.width,
        d.height,
        None,
        regions,
        lines,
        {"printed_number": page["number"]},
    )
    archive.save_page(db, row["id"], result, "bench", prov, confidence=0.95)
    stored = archive.issue_record(db, issue)["pages"][page["number"] - 1]["lines"]
    return [(s["id"], ln["article"]) for s, ln in zip(stored, page["lines"])]


def store_omni_page(db, issue: int, image: Path, gt: Path, prov: int) -> None:
    """A real page with its OmniDocBench-format ground truth: blocks as regions, their
    line spans (or, without spans, the block's text) as lines."""
    from PIL import Image

    entry = next(
        e
        for e in json.loads(gt.read_text(encoding="utf-8"))
        if e["page_info"]["image_path"] == image.name
    )
    with Image.open(image) as im:
        width, height = im.size
    job = _job(image, 0, 1, issue)
    row = archive.ensure_page(db, issue, job)
    regions, lines = [], []
    for k, det in enumerate(sorted(entry["layout_dets"], key=lambda e: e.get("order") or 0)):
        kind = OMNI_KINDS.get(det["category_type"])
        if kind is None:
            continue
        box = _box(det["poly"])
        regions.append(Region(f"r{k}", kind, box, box.poly(), order=k + 1))
        spans = [s for s in det.get("line_with_spans", []) if s.get("text")]
        spans = spans or ([{"poly": det["poly"], "text": det["text"]}] if det.get("text") else [])
        for text, sbox in _rows(spans):
            lines.append(
                Line(f"l{len(lines)}", text, 0.9, sbox.poly(), sbox, f"r{k}", order=len(lines) + 1)
            )
    result = PageResult(job, width, height, None, 0.0, width, height, None, regions, lines, {})
    archive.save_page(db, row["id"], result, "bench", prov, confidence=0.9)
    rows = [ln["id"] for ln in archive.issue_record(db, issue)["pages"][0]["lines"]]
    store_articles(db, issue, {0: rows})


def _rows(spans: list[dict]) -> list[tuple[str, Box]]:
    """The spans of a block joined into lines: a span (text, or an inline formula such
    as ``35%``) level with the one before it continues its line."""
    rows: list[tuple[str, Box]] = []
    for span in spans:
        box, text = _box(span["poly"]), " ".join(span["text"].split())
        if rows and box.y_overlap(rows[-1][1]) > 0.5 * min(box.height, rows[-1][1].height):
            rows[-1] = (rows[-1][0] + text, Box.union([rows[-1][1], box]))
        else:
            rows.append((text, box))
    return rows


def _box(poly: list[float]) -> Box:
    xs, ys = poly[0::2], poly[1::2]
    return Box(max(0.0, min(xs)), max(0.0, min(ys)), max(xs), max(ys))


def store_articles(db, issue: int, articles: dict[int, list[int]]) -> None:
    record = archive.issue_record(db, issue)
    by_line = {ln["id"]: (p["number"], ln) for p in record["pages"] for ln in p["lines"]}
    rows = []
    for ids in articles.values():
        pages = sorted({by_line[i][0] for i in ids})
        regions = sorted({by_line[i][1]["region_id"] for i in ids})
        text = "".join(by_line[i][1]["text"] for i in ids)
        rows.append(
            {
                "title": None,
                "text": text,
                "pages": pages,
                "lines": ids,
                "jump_lines": [],
                "regions": regions,
            }
        )
    archive.save_articles(db, issue, rows, {"flags": []}, method="bench")


# ---------------------------------------------------------------------------- checks


def check_alto(folder: Path) -> tuple[int, int, int, int, int]:
    """(ALTO files valid, ALTO files, METS files valid, METS files resolving, METS files)."""
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(XSD)))
    mets_schema = etree.XMLSchema(etree.parse(str(METS_XSD)))
    altos = sorted(folder.glob("*/alto/*.xml"))
    valid = sum(bool(schema.validate(etree.parse(str(p)))) for p in altos)
    mets = sorted(folder.glob("*/mets.xml"))
    mets_valid = sum(bool(mets_schema.validate(etree.parse(str(p)))) for p in mets)
    return valid, len(altos), mets_valid, sum(mets_resolves(p) for p in mets), len(mets)


def mets_resolves(path: Path) -> bool:
    """Well-formed; every file exists with its checksum; every area names an ALTO id."""
    from lxml import etree

    ns = {"mets": "http://www.loc.gov/METS/", "xlink": "http://www.w3.org/1999/xlink"}
    doc = etree.parse(str(path))
    files = {}
    for f in doc.iterfind(".//mets:file", namespaces=ns):
        target = path.parent / f.find("mets:FLocat", ns).get("{http://www.w3.org/1999/xlink}href")
        if hashlib.sha256(target.read_bytes()).hexdigest() != f.get("CHECKSUM"):
            return False
        files[f.get("ID")] = target
    ids = {
        fid: {e.get("ID") for e in etree.parse(str(p)).iter() if e.get("ID")}
        for fid, p in files.items()
        if fid.startswith("ALTO")
    }
    areas = list(doc.iterfind(".//mets:area", namespaces=ns))
    return bool(areas) and all(a.get("BEGIN") in ids.get(a.get("FILEID"), ()) for a in areas)


def check_pdf(db, issue: int, pdf: Path) -> dict[str, float]:
    """pdftotext (reading-order mode) against the stored lines, page by page: CER (NFKC,
    whitespace ignored, as the accuracy benchmark counts it), stored lines found whole
    and in order, and spaces between two CJK characters that are neither in the stored
    text nor where two stored lines meet (pdftotext joins lines that share a row)."""
    from ocr.export.pageview import page_view

    record = archive.issue_record(db, issue)
    chars = errors = gaps = whole = total = 0
    for n, page in enumerate(record["pages"], start=1):
        # pdftotext writes a run of spaces as one: so are the stored lines compared.
        stored = [" ".join(ln.text.split()) for ln in page_view(page).lines if ln.text]
        out = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        truth, read = common.normalize("".join(stored)), common.normalize(out)
        chars += len(truth)
        errors += common.levenshtein(truth, read)
        found, joins = _in_order(stored, out)
        whole += found
        total += len(stored)
        gaps += len(GAP.findall(out)) - len(GAP.findall("\n".join(stored))) - joins
    return {"cer": errors / max(chars, 1), "gaps": gaps, "chars": chars, "whole": whole / total}


def _in_order(stored: list[str], out: str) -> tuple[int, int]:
    """(stored lines found whole, in order, in the output; CJK-space-CJK joins between
    two consecutive ones)."""
    at, found, joins, last_end = 0, 0, 0, None
    for line in stored:
        i = out.find(line, at)
        if i < 0 or out[at:i].strip():
            last_end = None
            continue
        if last_end is not None and GAP.match(out[last_end - 1 : i + 1]):
            joins += 1
        found += 1
        at = last_end = i + len(line)
    return found, joins


# ---------------------------------------------------------------------------- run


def timed(db, name: str, out: Path, issues: list[int], repeat: int):
    """(best seconds written whole, seconds of a re-run with nothing changed, the report
    of the last whole run)."""
    best, report = float("inf"), None
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        report = run_export(db, formats.get(name), out, issues, force=True)
        best = min(best, time.perf_counter() - t)
    t = time.perf_counter()
    again = run_export(db, formats.get(name), out, issues)
    unchanged = time.perf_counter() - t
    assert not again.written, f"{name}: an unchanged re-run wrote {again.written[:3]}"
    return best, unchanged, report


def load_seconds(db, issue: int, repeat: int) -> float:
    """The second anchor: loading the issue's page images from their scans alone (what
    every image-writing format must do first), best of ``repeat``."""
    from ocr.export.images import scan_image

    pages = archive.issue_record(db, issue)["pages"]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for page in pages:
            scan_image(page)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    labels = build(OUT / "archive.db")
    db = archive.open_db(OUT / "archive.db")
    load_before = os.getloadavg()
    rows, pdf_rows, checks = [], [], {}
    for issue, label in labels.items():
        pages = len(archive.issue_record(db, issue)["pages"])
        seconds = {"scan": load_seconds(db, issue, args.repeat)}
        for name in FORMATS:
            seconds[name], seconds[f"{name} again"], report = timed(
                db, name, OUT / name / str(issue), [issue], args.repeat
            )
            if name == "alto":
                checks[issue] = check_alto(OUT / name / str(issue))
            if name == "pdf":
                (pdf,) = report.written
                pdf_rows.append((label, pages, pdf.stat().st_size, check_pdf(db, issue, pdf)))
        rows.append((label, pages, seconds))
    load_after = os.getloadavg()
    db.conn.close()
    body = report_text(rows, pdf_rows, checks, labels, load_before, load_after, args.repeat)
    print(body)
    if not args.no_write:
        common.write_section(BENCHMARKS, "export", body)


def report_text(rows, pdf_rows, checks, labels, load_before, load_after, repeat) -> str:
    speed = [
        [label, str(pages)] + [f"{s[n] / pages:.3f}" for n in ("scan", *FORMATS)]
        for label, pages, s in rows
    ]
    header = ["issue", "pages", "scan load s/page"] + [f"{n} s/page" for n in FORMATS]
    anchor = {n: "json" if n in BY_JSON else "scan" for n in FORMATS[1:]}
    ratios = [
        [label] + [f"{s[n] / s[anchor[n]]:.2f}" for n in FORMATS[1:]] for label, pages, s in rows
    ]
    ratio_header = ["issue"] + [f"{n} / {anchor[n]}" for n in FORMATS[1:]]
    again = [
        [label] + [f"{1e3 * s[n + ' again'] / pages:.1f}" for n in FORMATS]
        for label, pages, s in rows
    ]
    pdf_table = [
        [
            label,
            str(pages),
            f"{size / pages / 1e3:.0f} kB",
            common.fmt_pct(c["cer"], 3),
            common.fmt_pct(c["whole"], 1),
            str(c["gaps"]),
            str(c["chars"]),
        ]
        for label, pages, size, c in pdf_rows
    ]
    for row in pdf_table:  # a whole block set as one line: pdftotext splits it at spaces
        row[4] = "n/a" if "blocks as lines" in row[0] else row[4]
    valid = [
        [labels[i], f"{v}/{n}", f"{mv}/{k}", f"{m}/{k}"] for i, (v, n, mv, m, k) in checks.items()
    ]
    return "\n".join(
        [
            "## Exports (`bench/export.py`)",
            "",
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {common.git_commit()}, "
            f"{common.machine()}; load average {load_before[0]:.1f} before, "
            f"{load_after[0]:.1f} after (the machine is shared: other developers' jobs run "
            f"beside it). Best of {repeat} runs. Anchors, same issues in the same run: "
            "loading the page images from the scans alone (a PDF page rasterized at its "
            "300 dpi: what every format that writes images must do first), and the JSON "
            "export (no images). PDFs at the default 200 dpi, JPEG quality 60; ALTO and "
            "hOCR write the full-size page image (JPEG quality 90), IIIF the full-size "
            "image (JPEG 82, progressive), the site two (1600 px and full size, JPEG 82) "
            "plus its calendar, search index and assets; text and Markdown no image. "
            "Every format through `run_export` (`ocr export FORMAT`).",
            "",
            common.table(header, speed),
            "",
            "The same as ratios to the anchor of the same run (`scan`: loading the page "
            "images alone; `json`: the JSON export; text and Markdown write no images):",
            "",
            common.table(ratio_header, ratios),
            "",
            "A re-run with nothing changed (each issue's record read and fingerprinted, "
            "nothing written), milliseconds per page:",
            "",
            common.table(["issue"] + [f"{n} ms/page" for n in FORMATS], again),
            "",
            "Searchable PDF: bytes per page, and `pdftotext -raw` against the stored text: "
            "CER (NFKC, whitespace ignored), stored lines found whole and in reading order, "
            "and spaces between two CJK characters that are neither in the stored text nor "
            "where two stored lines meet on one row (pdftotext joins those with a space):",
            "",
            common.table(
                [
                    "issue",
                    "pages",
                    "PDF per page",
                    "CER %",
                    "lines whole, in order %",
                    "CJK spaces inserted",
                    "characters",
                ],
                pdf_table,
            ),
            "",
            "ALTO files valid against the ALTO 4.3 XSD, METS files valid against the "
            "METS 1.12.1 XSD (`tests/data/schemas/mets.xsd`) and resolving (every file "
            "there with its SHA-256, every logical `area` naming an ID in its ALTO file):",
            "",
            common.table(["issue", "ALTO valid", "METS valid", "METS resolving"], valid),
        ]
    )


if __name__ == "__main__":
    main()
