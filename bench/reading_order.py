"""Reading order on real multi-column pages, assembly only (for the "articles" section):
our assembly on the ground truth's own lines (boxes and text; no OCR) of the NZZ pages
(PAGE-XML) and of the 农民日报 page (OmniDocBench blocks), read in place from
``/work/shared/realdata``, never copied. Regions are placed by their first line in our
articles and compared with the ground truth's region order."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import common  # bench/common.py
from realpage import kendall

REAL = Path("/work/shared/realdata")
NZZ = REAL / "03_nzz_blackletter_newspaper_gt" / "xml"
OMNI = REAL / "01_omnidocbench_demo" / "OmniDocBench_demo.json"
OMNI_IMAGE = "newspaper_1cddf9d22ca549f3a86cf1512a3110cc_1.jpg"


def _box(points: list[tuple[float, float]]):
    from ocr.model import Box

    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Box(min(xs), min(ys), max(xs), max(ys))


def _order_of(layout, region_of: dict[str, str]) -> list[str]:
    """Regions in our reading order: by the first of their lines in the articles."""
    from ocr.articles import assemble_articles

    seen: dict[str, int] = {}
    for d in assemble_articles([layout]):
        for line_id in d.lines:
            r = region_of.get(line_id)
            if r is not None and r not in seen:
                seen[r] = len(seen)
    return sorted(seen, key=seen.get)


def nzz_pages() -> list[tuple[str, object, dict, list[str]]]:
    """The NZZ pages as layouts (every line and its region, all kinds 'text'; separators
    as rules) with their regions' reading order."""
    from ocr.model import Line, PageLayout, Region

    ns = {"p": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2013-07-15"}
    out = []
    for path in sorted(NZZ.glob("*.xml")):
        page = ET.parse(path).getroot().find("p:Page", ns)

        def pts(el):
            return [tuple(map(float, q.split(","))) for q in el.get("points").split()]

        regions, lines, region_of = [], [], {}
        for k, sep in enumerate(page.findall("p:SeparatorRegion", ns)):
            b = _box(pts(sep.find("p:Coords", ns)))
            regions.append(Region(f"s{k}", "rule", b, b.poly()))
        for tr in page.findall("p:TextRegion", ns):
            rid = tr.get("id")
            b = _box(pts(tr.find("p:Coords", ns)))
            regions.append(Region(rid, "text", b, b.poly()))
            for tl in tr.findall("p:TextLine", ns):
                u = tl.find("p:TextEquiv/p:Unicode", ns)
                text = (u.text or "").strip() if u is not None else ""
                if not text:
                    continue
                lb = _box(pts(tl.find("p:Coords", ns)))
                lid = f"{rid}/{len(lines)}"
                lines.append(Line(lid, text, 1.0, lb.poly(), lb, region=rid, order=len(lines)))
                region_of[lid] = rid
        refs = page.findall("p:ReadingOrder//p:RegionRefIndexed", ns)
        order = [r.get("regionRef") for r in sorted(refs, key=lambda r: int(r.get("index")))]
        w, h = float(page.get("imageWidth")), float(page.get("imageHeight"))
        out.append((path.stem, PageLayout(1, regions, lines, width=w, height=h), region_of, order))
    return out


OMNI_KINDS = {
    "title": "headline",
    "text_block": "body",
    "figure_caption": "caption",
    "header": "folio",
    "footer": "folio",
    "page_number": "folio",
    "figure": "photo",
}


def omni_page(classified: bool):
    """The 农民日报 page of OmniDocBench as a layout (lines from the line spans, one
    region per block) with its blocks' reading order."""
    from ocr.model import Line, PageLayout, Region

    entries = json.loads(OMNI.read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["page_info"]["image_path"].endswith(OMNI_IMAGE))
    regions, lines, region_of, order = [], [], {}, []
    for k, det in enumerate(entry["layout_dets"]):
        cat = det["category_type"]
        if cat == "abandon" or det.get("ignore"):
            continue
        q = det["poly"]
        b = _box([(q[i], q[i + 1]) for i in range(0, len(q), 2)])
        rid = f"b{k}"
        kind = (
            OMNI_KINDS.get(cat, "text") if classified else ("photo" if cat == "figure" else "text")
        )
        regions.append(Region(rid, kind, b, b.poly()))
        if det.get("order") is not None and cat != "figure":
            order.append((det["order"], rid))
        for span in det.get("line_with_spans") or []:
            text = (span.get("text") or "").strip()
            if span.get("category_type") != "text_span" or not text:
                continue
            s = span["poly"]
            lb = _box([(s[i], s[i + 1]) for i in range(0, 8, 2)])
            lid = f"{rid}/{len(lines)}"
            lines.append(Line(lid, text, 1.0, lb.poly(), lb, region=rid, order=len(lines)))
            region_of[lid] = rid
    w, h = entry["page_info"]["width"], entry["page_info"]["height"]
    layout = PageLayout(1, regions, lines, width=w, height=h)
    return layout, region_of, [rid for _, rid in sorted(order)]


def reading_order() -> list[list[str]]:
    rows = []
    if NZZ.exists():
        for name, layout, region_of, order in nzz_pages():
            ours = _order_of(layout, region_of)
            pairs, succ, n = kendall(order, ours)
            rows.append(
                [
                    f"NZZ {name} (PAGE-XML regions)",
                    "all 'text'",
                    f"{n} of {len(order)}",
                    common.fmt_pct(pairs, 1),
                    common.fmt_pct(succ, 1),
                ]
            )
    if OMNI.exists():
        for classified in (False, True):
            layout, region_of, order = omni_page(classified)
            ours = _order_of(layout, region_of)
            pairs, succ, n = kendall(order, ours)
            rows.append(
                [
                    "农民日报 2010-12-25 p.2 (OmniDocBench blocks)",
                    "GT block categories" if classified else "all 'text'",
                    f"{n} of {len(order)}",
                    common.fmt_pct(pairs, 1),
                    common.fmt_pct(succ, 1),
                ]
            )
    return rows
