"""Region kinds: what each block of a page is, from geometry and text.

:func:`classify_regions` runs after recognition. It takes the layout's blocks (kind
``text`` for text, plus ``photo``, ``qr`` and ``rule``) and the recognized lines, gives
every line a kind, and cuts each text block into regions of one kind each:

* ``masthead``: the paper's big title at the top of page 1 and the lines beside it
  (date, issue number, publisher), down to the rule under it.
* ``folio``: the running head at the top of other pages (date, paper, ``第N版``) above
  the rule under it, and the page number at the foot.
* ``jump``: a line that is only a jump (``（下转第2版）``, ``（上接第1版）``, ``转3版``).
* ``caption``: small text just under (or over) a photo or a QR code.
* ``ad``: text in a box framed by rules (centred, or boxed on four sides), or text that
  reads like an advertisement (a telephone number and the words around one).
* ``subhead`` and ``headline``: display type, from where a line stands (pull quotes,
  crossheads, small headline blocks, headlines and their subheads and kickers): see
  :mod:`ocr.regions.display`. A byline (``本报记者 X``, ``通讯员 X 记者 Y``, ``文/X 图/Y``)
  is ``body`` (given before captions).
* ``body``: the rest.

The kinds are given in that order: a line keeps the first kind it gets. Sizes are
measured against the page's body text (the median height of horizontal lines of four
characters or more), and the cut-offs come from the page's own distribution of line
sizes (:func:`ocr.text.lines.size_breaks`: ``small`` below the body cluster, ``big``
above it), not from fixed ratios; display type is 1.28 above the body cluster. The
page's leading is the median gap between a body line and the body line under it.
Vertical lines (half again taller than wide, read top to bottom) are read right to
left. Boxes are in deskewed pixels (see ``ocr/model.py``). A block
whose lines change kind is cut: pieces of one kind that do not overlap another kind's
lines are kept together; the first piece keeps the block's id, the others get ``b``,
``c``... after it. Region boxes are made tight around their lines; ``order`` is the
blocks' reading order, pieces in reading order within their block; ``Line.order`` is
the reading order within a region. A page set in vertical lines (most of its text) is
read as such across its blocks (:mod:`ocr.text.vertical`): bands top to bottom, right
to left within a band, the regions ranked by their first line. A text block in which
nothing was read stays ``text``; photos, QR codes and rules are passed on as they are.
"""

from __future__ import annotations

import re
import string

import numpy as np

from ocr.model import NOT_TEXT, Box, Deskew, Kind, Line, Poly, Region, Transform
from ocr.regions import display
from ocr.text import (
    RUNNING_PUNCT,
    TextPage,
    is_vertical,
    jump_target,
    normalize,
    reading_order,
    units,
    vertical_order,
    vertical_page,
)

_CAPTION_START = ("图为", "图：", "图:", "上图", "下图", "左图", "右图", "图片", "▲", "△", "◀")
_CAPTION_WORDS = re.compile(r"摄$|摄影|供图|图片来源|（摄）|记者\s*\S{2,4}\s*摄")
_QR_WORDS = re.compile(r"扫|二维码|关注|微信|公众号|码上")
_AD_WORDS = re.compile(
    r"热线|电话|咨询|订购|订阅|招聘|招租|优惠|促销|特价|折扣|广告|欢迎|地址|联系|报名|"
    r"营业|开业|专卖|加盟|代理|敬请|垂询"
)
# A byline: who wrote the article (本报记者 X, 通讯员 X 记者 Y, 记者 X 报道, 文/X 图/Y): titles,
# each with a name of two or three characters (four when spaces part them: the
# recognizer often drops the spaces), maybe 报道 after them (NFKC text, spaces removed).
_BYLINE_TITLE = r"(?:本报(?:特约|见习)?记者|(?:特约|见习|实习)?记者|(?:本报)?通讯员|[文图]/)"
_BYLINE = {
    n: re.compile(rf"^(?:{_BYLINE_TITLE}[\u4e00-\u9fff]{{2,{n}}})+(?:报道)?$") for n in (3, 4)
}
_PHONE = re.compile(r"(?<![0-9])(?:\d{3,4}[-－—]\d{7,8}|1[3-9]\d{9}|\d{8})(?![0-9])")


_xov = Box.x_overlap
_yov = Box.y_overlap
_union = Box.union


# ---------------------------------------------------------------------------- kinds


def _furniture(page: TextPage, kind: dict[str, str]) -> None:
    """Masthead (and its QR captions) or running head at the top; page number at the
    foot."""
    lines = {ln.id: ln for ln in page.lines if ln.id not in kind}
    for lid, k in page.furniture(list(lines.values())).items():
        qr = k == Kind.MASTHEAD and _qr_caption(page, lines[lid])
        kind[lid] = Kind.CAPTION if qr else k


def _qr_caption(page: TextPage, ln: Line) -> bool:
    """A short line just under (or over) a QR code."""
    if units(ln.text) > 12:
        return False
    b = ln.box
    for q in page.qrs:
        if _xov(b, q) < 0.5 * min(b.width, q.width):
            continue
        below = -0.3 * b.height <= b.y0 - q.y1 <= 1.5 * page.body
        above = -0.3 * b.height <= q.y0 - b.y1 <= 1.0 * page.body
        if below or (above and _QR_WORDS.search(ln.text)):
            return True
    return False


def _bylines(page: TextPage, kind: dict[str, str]) -> None:
    """Bylines are body text: a short line short of display type that reads as one
    (``本报记者 X``, ``通讯员 X 记者 Y``, ``文/X 图/Y``), not a photo credit (``记者 X 摄``)."""
    for ln in page.lines:
        t = normalize(ln.text)
        if ln.id in kind or is_vertical(ln) or units(t) > 24 or RUNNING_PUNCT.search(t):
            continue
        byline = _BYLINE[4 if " " in t else 3].match(t.replace(" ", ""))
        if byline and page.ratio(ln) < page.size.display and not _CAPTION_WORDS.search(t):
            kind[ln.id] = Kind.BODY


def _captions(page: TextPage, kind: dict[str, str], lead: float) -> None:
    """Captions: QR codes' short lines; small lines (or lines that read like a caption)
    right under a photo, with the lines that continue them (small, or closer than half
    the page's leading ``lead``: set as the caption), or right over it."""
    free = [ln for ln in page.lines if ln.id not in kind and not is_vertical(ln)]
    for ln in free:
        if _qr_caption(page, ln):
            kind[ln.id] = Kind.CAPTION

    def captionish(ln: Line) -> bool:
        t = normalize(ln.text)
        small = page.ratio(ln) <= page.size.small
        return small or t.startswith(_CAPTION_START) or bool(_CAPTION_WORDS.search(t))

    for p in page.photos:
        near = [ln for ln in free if ln.id not in kind and _xov(ln.box, p) >= 0.5 * ln.box.width]
        under = sorted(
            (ln for ln in near if ln.box.y0 >= p.y1 - 0.5 * ln.box.height), key=lambda ln: ln.box.y0
        )
        if under and under[0].box.y0 - p.y1 <= 1.5 * page.body and captionish(under[0]):
            first = under[0]
            chosen = [first]
            for ln in under[1:]:
                prev = chosen[-1]
                same_row = _yov(ln.box, prev.box) >= 0.5 * min(ln.box.height, prev.box.height)
                gap = ln.box.y0 - prev.box.y1
                goes_on = (  # of the caption's size (a short line's ink may be lower)
                    gap <= 0.6 * first.box.height
                    and 0.6 * first.box.height <= ln.box.height <= 1.15 * first.box.height
                    and (page.ratio(ln) <= page.size.small or gap <= 0.5 * lead)
                    and (  # not indented: flush left, or centred as the first line
                        ln.box.x0 <= first.box.x0 + 0.5 * first.box.height
                        or abs(ln.box.center[0] - first.box.center[0]) <= 0.5 * first.box.height
                    )
                )
                if not (same_row or goes_on):
                    break
                chosen.append(ln)
            for ln in chosen:
                kind[ln.id] = Kind.CAPTION
        over = [ln for ln in near if ln.id not in kind and ln.box.y1 <= p.y0 + 0.5 * ln.box.height]
        if over:
            last = max(over, key=lambda ln: ln.box.y1)
            if p.y0 - last.box.y1 <= 1.0 * page.body and page.ratio(last) <= page.size.small:
                kind[last.id] = Kind.CAPTION


def _ads(page: TextPage, kind: dict[str, str], blocks: list[tuple[Region, list[Line]]]) -> None:
    """Text in a box of rules (on four sides; or on two, when a few lines sit in the
    middle of it, as a slogan or a notice does); text that reads like an advertisement
    (a telephone number and the words around one)."""
    for _, lines in blocks:
        free = [ln for ln in lines if ln.id not in kind]
        if not free:
            continue
        box = _union(ln.box for ln in free)
        found = page.frame(box)
        ad = False
        if found is not None:
            frame, sides = found
            centred = (
                abs(box.center[0] - frame.center[0]) <= 0.1 * frame.width + page.body
                and abs(box.center[1] - frame.center[1]) <= 0.15 * frame.height + page.body
            )
            slogan = not any(RUNNING_PUNCT.search(ln.text) for ln in free)
            ad = sides >= 4 or (len(free) <= 4 and centred and slogan)
        if not ad and len(free) <= 8:
            text = "".join(normalize(ln.text) for ln in free)
            ad = bool(_PHONE.search(text)) and len(_AD_WORDS.findall(text)) >= 2
        if ad:
            for ln in free:
                kind[ln.id] = Kind.AD


def _jumps(page: TextPage, kind: dict[str, str]) -> None:
    for ln in page.lines:
        if ln.id not in kind and jump_target(ln.text) is not None:
            kind[ln.id] = Kind.JUMP


# ---------------------------------------------------------------------------- regions


def _scan_map(regions: list[Region], deskew: Deskew | Transform | None):
    """A function from deskewed to scan points: ``deskew.to_scan``, or the affine map
    that the layout's own regions (box and polygon) show."""
    if deskew is not None:
        return deskew.to_scan
    src, dst = [], []
    for r in regions:
        if len(r.poly) == 4 and r.box.width > 0 and r.box.height > 0:
            src += r.box.poly()
            dst += r.poly
    if len(src) < 3:
        return lambda pts: [(float(x), float(y)) for x, y in pts]
    a = np.hstack([np.asarray(src, float), np.ones((len(src), 1))])
    m, *_ = np.linalg.lstsq(a, np.asarray(dst, float), rcond=None)

    def to_scan(pts: Poly) -> Poly:
        p = np.hstack([np.asarray(pts, float), np.ones((len(pts), 1))]) @ m
        return [(round(float(x), 1), round(float(y), 1)) for x, y in p]

    return to_scan


def _pieces(lines: list[Line], kind: dict[str, str]) -> list[list[Line]]:
    """Cut a block's lines (in reading order) into runs of one kind, then join runs
    of a kind whose joined box overlaps no line of another kind."""
    runs: list[list[Line]] = []
    for ln in lines:
        if runs and kind[runs[-1][-1].id] == kind[ln.id]:
            runs[-1].append(ln)
        else:
            runs.append([ln])
    while (pair := _joinable(runs, lines, kind)) is not None:
        i, j = pair
        runs[i] = runs[i] + runs[j]
        del runs[j]
    return runs


def _joinable(
    runs: list[list[Line]], lines: list[Line], kind: dict[str, str]
) -> tuple[int, int] | None:
    """The first two runs of one kind whose joined box overlaps no line of another kind."""
    for i, a in enumerate(runs):
        for j in range(i + 1, len(runs)):
            b = runs[j]
            if kind[a[0].id] != kind[b[0].id]:
                continue
            box = _union(ln.box for ln in a + b)
            if not any(
                kind[o.id] != kind[a[0].id] and o.box.intersection(box) > 0.2 * o.box.area
                for o in lines
            ):
                return i, j
    return None


def classify_regions(
    regions: list[Region],
    lines: list[Line],
    width: float,
    height: float,
    deskew: Deskew | Transform | None = None,
) -> tuple[list[Region], list[Line]]:
    """The page's final regions and lines: every text region holds lines of one kind
    (see the module docstring). ``width``/``height`` are the deskewed page's size;
    ``deskew`` maps region boxes to scan polygons (without it, the map the input
    regions show is used). Pure: the inputs are not changed."""
    lines = [Line.from_dict(ln.to_dict()) for ln in lines]
    blocks = _text_blocks(regions, lines)
    kind = _kinds(TextPage.of(regions, lines, width, height), blocks)
    to_scan = _scan_map(regions, deskew)
    out: list[tuple[tuple[int, int], Region]] = []
    new_lines: list[Line] = []
    for r in regions:
        if r.kind in NOT_TEXT:
            out.append(((r.order, 0), Region.from_dict(r.to_dict())))
    for r, ls in blocks:
        if not ls:
            out.append(((r.order, 0), Region.from_dict(r.to_dict())))
            continue
        for k, piece in enumerate(_pieces(reading_order(ls), kind)):
            region = _piece_region(r, k, piece, kind, to_scan)
            out.append(((r.order, k), region))
            for i, ln in enumerate(reading_order(piece), start=1):
                ln.region, ln.order = region.id, i
                new_lines.append(ln)
    out.sort(key=lambda t: t[0])
    final = []
    rank = {}
    for n, (_, region) in enumerate(out, start=1):
        region.order = n
        rank[region.id] = n
        final.append(region)
    new_lines.sort(key=lambda ln: (rank.get(ln.region, 0), ln.order))
    if vertical_page(new_lines):
        return _read_vertically(final, new_lines)
    return final, new_lines


def _read_vertically(regions: list[Region], lines: list[Line]) -> tuple[list[Region], list[Line]]:
    """A page set in vertical lines, read as such across its blocks
    (:func:`ocr.text.vertical_order`): its lines in that order, each region's numbered
    in it, the regions ranked by their first line (one without lines after the region
    before it)."""
    rules = [r.box for r in regions if r.kind == Kind.RULE and r.box.height > r.box.width]
    lines = vertical_order(lines, rules)
    first: dict[str | None, float] = {}
    count: dict[str | None, int] = {}
    for k, ln in enumerate(lines):
        first.setdefault(ln.region, k)
        count[ln.region] = ln.order = count.get(ln.region, 0) + 1
    keys, last = [], -1.0
    for r in regions:
        last = first.get(r.id, last + 1e-6)
        keys.append(last)
    ranked = [regions[i] for i in sorted(range(len(regions)), key=lambda i: (keys[i], i))]
    for n, r in enumerate(ranked, start=1):
        r.order = n
    return ranked, lines


def _text_blocks(regions: list[Region], lines: list[Line]) -> list[tuple[Region, list[Line]]]:
    """The text blocks of the layout with their lines; lines outside any block make a
    block of their own."""
    known = {r.id for r in regions}
    blocks: list[tuple[Region, list[Line]]] = []
    by_region: dict[str | None, list[Line]] = {}
    for ln in lines:
        by_region.setdefault(ln.region if ln.region in known else None, []).append(ln)
    extra = by_region.pop(None, [])
    for r in regions:
        if r.kind not in NOT_TEXT:
            blocks.append((r, by_region.get(r.id, [])))
    if extra:
        box = _union(ln.box for ln in extra)
        rid = next(f"r{n}" for n in range(len(regions) + 1, 10**6) if f"r{n}" not in known)
        blocks.append((Region(rid, Kind.TEXT, box, [], order=len(regions) + 1), extra))
    return blocks


def _kinds(page: TextPage, blocks: list[tuple[Region, list[Line]]]) -> dict[str, str]:
    """Every line's kind, given in the order of the module docstring."""
    block_of = {ln.id: r.id for r, ls in blocks for ln in ls}
    kind: dict[str, str] = {}
    _jumps(page, kind)
    _furniture(page, kind)
    lead = display.leading(page)
    _bylines(page, kind)
    _captions(page, kind, lead)
    _ads(page, kind, blocks)
    display.pull_quotes(page, kind)
    display.crossheads(page, kind, block_of, lead)
    display.small_headline_blocks(page, kind, blocks)
    display.headlines(page, kind, block_of, lead)
    for ln in page.lines:
        kind.setdefault(ln.id, Kind.BODY)
    return kind


def _piece_region(r: Region, k: int, piece: list[Line], kind: dict[str, str], to_scan) -> Region:
    """The region of the ``k``-th piece of block ``r``: tight around its lines."""
    box = _union(ln.box for ln in piece)
    return Region(
        id=r.id if k == 0 else f"{r.id}{_suffix(k)}",
        kind=kind[piece[0].id],
        box=box,
        poly=[(round(x, 1), round(y, 1)) for x, y in to_scan(box.poly())],
        order=r.order,
        text=None,
        article=r.article,
        column=r.column,
    )


def _suffix(k: int) -> str:
    """b, c, ... z, then ba, bb ... (the first piece keeps the block's id)."""
    letters = string.ascii_lowercase
    out = ""
    while k:
        k, d = divmod(k, 26)
        out = letters[d] + out
    return out
