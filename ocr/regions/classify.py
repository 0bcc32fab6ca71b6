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
* ``subhead`` (before headlines, from where a line stands): a pull quote (a few lines
  of one size centred between two rules of one width, running text of the column over
  or under them, no frame down their sides); a crosshead (a line bigger than body text
  right under a line of running text at the page's leading, no punctuation of running
  text, narrower than the column or alone in its block). A byline (``本报记者 X``,
  ``通讯员 X 记者 Y``, ``文/X 图/Y``) is ``body`` (before captions).
* ``headline``: lines clearly bigger than body text (taller, with wider characters),
  horizontal or vertical, and the lines of a small block of a few lines all bigger than
  the text right under it (past a byline; over a photo, than body text) and under no
  bigger headline nor right over one (a kicker); ``subhead``: up to two smaller display
  lines right under a headline (smaller in height and pitch together: see
  :func:`_scale`; none under two headlines side by side), or one over it (a kicker:
  bigger than body text, or set centred on it), or what else a block set apart by the
  layout holds beside a headline.
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

import math
import re
import statistics
import string

import numpy as np

from ocr.model import NOT_TEXT, Box, Deskew, Kind, Line, Poly, Region, Transform
from ocr.text import (
    RUNNING_PUNCT,
    TextPage,
    advance,
    is_display,
    is_vertical,
    jump_target,
    line_rows,
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


def _headlines(page: TextPage, kind: dict[str, str], block_of: dict[str, str], lead: float) -> None:
    """Headlines; then subheads: up to two lines right under a headline (or one over it,
    a kicker), smaller than it (display-sized too, at most 0.8 of it) and bigger than
    the text after them, or the rest of a block holding only a headline and them."""
    free = [ln for ln in page.lines if ln.id not in kind]
    for ln in free:
        if is_display(ln, page.size):
            kind[ln.id] = Kind.HEADLINE
    heads = [h for h in page.lines if kind.get(h.id) == Kind.HEADLINE and not is_vertical(h)]
    for h in sorted(heads, key=lambda h: h.box.y0):
        if kind.get(h.id) != Kind.HEADLINE:
            continue  # taken for a bigger headline's subhead
        hh = h.box.height
        chain = [h]
        while len(chain) <= 2:
            last = chain[-1]
            cands = [
                ln
                for ln in page.lines
                if (ln.id not in kind or (kind[ln.id] == Kind.HEADLINE and _scale(ln, h) <= 0.88))
                and not is_vertical(ln)
                and _xov(ln.box, last.box) > 0.3 * min(ln.box.width, last.box.width)
                and -0.2 * last.box.height
                <= ln.box.y0 - last.box.y1
                <= 0.9 * min(last.box.height, 1.5 * ln.box.height)
            ]
            if not cands:
                break
            ln = min(cands, key=lambda ln: ln.box.y0)
            if _scale(ln, h) > 0.88 or _under_two(ln, h, heads):
                break
            if len(chain) > 1 and abs(ln.box.height - chain[1].box.height) > 0.15 * hh:
                break
            block_only = (
                _headline_block_only(page, ln, kind, block_of)
                and page.ratio(ln) > page.size.small
                and not RUNNING_PUNCT.search(ln.text[:-1])
            )
            least = page.size.big  # bigger than body text; running text, more so
            if RUNNING_PUNCT.search(ln.text[:-1]):
                least = (page.size.big + page.size.display) / 2
            if not block_only and not (
                page.ratio(ln) >= least and _above_smaller(page, ln, block_of)
            ):
                break
            if _paragraph_start(page, ln):
                break
            kind[ln.id] = Kind.SUBHEAD
            chain.append(ln)
        _kicker(page, h, kind, lead)


def _under_two(ln: Line, h: Line, heads: list[Line]) -> bool:
    """Whether ``ln`` stands under ``h`` and another headline on its row (two kickers
    side by side over one headline: no subhead of either)."""
    return any(
        o is not h
        and _yov(o.box, h.box) >= 0.5 * min(o.box.height, h.box.height)
        and _xov(o.box, ln.box) > 0.3 * min(o.box.width, ln.box.width)
        for o in heads
    )


def _scale(ln: Line, h: Line) -> float:
    """The size of ``ln`` against ``h``'s: the geometric mean of their heights' and
    their characters' pitch's ratios (ink heights alone differ by a few pixels between
    lines of one headline set in one size)."""
    return math.sqrt(ln.box.height / h.box.height * advance(ln) / advance(h))


def _kicker(page: TextPage, h: Line, kind: dict[str, str], lead: float) -> None:
    """The line right over headline ``h`` (a kicker: a subhead), smaller than it and
    bigger than body text, or set centred on it; none inside running text."""
    hh = h.box.height
    above = [
        ln
        for ln in page.lines
        if ln.id not in kind
        and not is_vertical(ln)
        and _xov(ln.box, h.box) > 0.3 * min(ln.box.width, h.box.width)
        and -0.2 * hh <= h.box.y0 - ln.box.y1 <= 0.6 * ln.box.height
        and ln.box.height <= 0.88 * hh
    ]
    if not above:
        return
    ln = max(above, key=lambda ln: ln.box.y1)
    centred = abs(ln.box.center[0] - h.box.center[0]) <= page.advance
    plain = not RUNNING_PUNCT.search(ln.text) and _text_above(page, ln, kind, lead) is None
    if page.ratio(ln) >= page.size.big or (centred and plain and units(ln.text) >= 2):
        kind[ln.id] = Kind.SUBHEAD


def _leading(page: TextPage) -> float:
    """The page's leading: the median gap between a line of body text and the body-sized
    line right under it (one body height when there are none)."""
    body = [
        ln
        for ln in page.lines
        if not is_vertical(ln) and page.size.small < page.ratio(ln) < page.size.big
    ]
    gaps = []
    for ln in body:
        under = [
            o.box.y0 - ln.box.y1
            for o in body
            if o is not ln
            and _xov(o.box, ln.box) > 0.5 * min(o.box.width, ln.box.width)
            and -0.2 * page.body <= o.box.y0 - ln.box.y1 <= 2 * page.body
        ]
        if under:
            gaps.append(min(under))
    return statistics.median(gaps) if gaps else page.body


def _text_above(
    page: TextPage, ln: Line, kind: dict[str, str], lead: float, first: bool = True
) -> Line | None:
    """The line of running text right above ``ln`` at the page's leading (body-sized,
    in its column, no headline, itself under another such line: no kicker), or None:
    ``ln`` then stands inside running text (a crosshead), set apart by no space from
    the text above it."""
    above = [
        o
        for o in page.lines
        if o is not ln
        and not is_vertical(o)
        and o.box.y1 <= ln.box.y0 + 0.3 * ln.box.height
        and _xov(o.box, ln.box) > 0.5 * min(o.box.width, ln.box.width)
    ]
    if not above:
        return None
    o = max(above, key=lambda o: o.box.y1)
    sized = page.size.small < page.ratio(o) < page.size.big
    close = ln.box.y0 - o.box.y1 <= lead + 0.5 * page.body
    running = kind.get(o.id, Kind.BODY) == Kind.BODY
    if not (sized and close and running):
        return None
    return o if not first or _text_above(page, o, kind, lead, False) is not None else None


def _crossheads(
    page: TextPage, kind: dict[str, str], block_of: dict[str, str], lead: float
) -> None:
    """Display lines inside running text (right under a line of it, at the page's
    leading) are no headlines: a bigger line there with no punctuation of running text,
    after a paragraph's end (the line above stops short or ends a sentence), narrower
    than the column's text or alone in its block, is a crosshead (a subhead)."""
    for ln in page.lines:
        if ln.id in kind or is_vertical(ln) or units(ln.text) < 2:
            continue
        if page.ratio(ln) < page.size.big or RUNNING_PUNCT.search(ln.text) or "、" in ln.text:
            continue
        above = _text_above(page, ln, kind, lead)
        if above is None or ln.text.rstrip().endswith("。"):
            continue
        near = [  # the column's body text round it
            o
            for o in page.lines
            if o is not ln
            and not is_vertical(o)
            and _xov(o.box, ln.box) > 0.5 * min(o.box.width, ln.box.width)
            and abs(o.box.center[1] - ln.box.center[1]) <= 4 * page.body
            and page.size.small < page.ratio(o) < page.size.big
        ]
        col = _union(o.box for o in near)
        ended = above.box.x1 < col.x1 - page.advance or above.text.rstrip()[-1:] in "。！？”"
        if not ended:
            continue  # the line above runs on: ``ln`` ends its paragraph
        narrow = ln.box.x1 < col.x1 - page.advance or ln.box.x0 > col.x0 + page.advance
        alone = all(o is ln for o in page.lines if block_of.get(o.id) == block_of.get(ln.id))
        if narrow or alone:
            kind[ln.id] = Kind.SUBHEAD


def _pull_quotes(page: TextPage, kind: dict[str, str]) -> None:
    """A pull quote: a few lines of one size centred between two rules of one width (no
    frame's: no rule down their sides), with running text of the column over the upper
    rule or under the lower one (a headline has its text right under it, not under a
    rule of its own width)."""
    body = page.body
    for u in page.hrules:
        for d in page.hrules:
            if not (0 < d.y0 - u.y1 <= 8 * body):
                continue
            if abs(u.x0 - d.x0) > body or abs(u.x1 - d.x1) > body:
                continue
            inside = [
                ln
                for ln in page.lines
                if ln.box.y0 >= u.y1 - 2
                and ln.box.y1 <= d.y0 + 2
                and u.x0 <= ln.box.center[0] <= u.x1
            ]
            if not inside or any(ln.id in kind or is_vertical(ln) for ln in inside):
                continue
            if any(u.y1 < r.y0 < d.y0 and _xov(r, u) > 0 for r in page.hrules):
                continue
            box = _union(ln.box for ln in inside)
            if abs(box.center[0] - u.center[0]) > body or len(line_rows(inside)) > 5:
                continue
            heights = [ln.box.height for ln in inside]
            if max(heights) > 1.15 * min(heights) or _boxed(page, Box(u.x0, u.y1, u.x1, d.y0)):
                continue  # a headline over its text, a boxed article: no quote
            if _running_text_by(page, u, -1) or _running_text_by(page, d, 1):
                for ln in inside:
                    kind[ln.id] = Kind.SUBHEAD


def _boxed(page: TextPage, box: Box) -> bool:
    """Whether a vertical rule runs down a side of ``box`` (the rules over and under it
    are a frame's)."""
    return any(
        _yov(r, box) >= 0.8 * box.height
        and min(abs(r.center[0] - box.x0), abs(r.center[0] - box.x1)) <= page.body
        for r in page.vrules
    )


def _running_text_by(page: TextPage, rule: Box, side: int) -> bool:
    """Whether body-sized text of the rule's column is right over (``side`` -1) or
    under (1) the rule, within two lines of body text."""
    for o in page.lines:
        if is_vertical(o) or not page.size.small < page.ratio(o) < page.size.big:
            continue
        if _xov(o.box, rule) < 0.5 * min(o.box.width, rule.width):
            continue
        gap = o.box.y0 - rule.y1 if side > 0 else rule.y0 - o.box.y1
        if -2 <= gap <= 2 * page.body:
            return True
    return False


def _paragraph_start(page: TextPage, ln: Line) -> bool:
    """Whether ``ln`` starts a paragraph of the text under it: indented on the left,
    flush with the next line on the right."""
    under = [
        o
        for o in page.lines
        if o is not ln
        and not is_vertical(o)
        and 0 <= o.box.y0 - ln.box.y1 + 0.2 * ln.box.height <= 1.5 * ln.box.height
        and _xov(o.box, ln.box) > 0
    ]
    if not under:
        return False
    nxt = _union(o.box for o in line_rows(under)[0])
    indent = ln.box.x0 - nxt.x0
    return indent >= 1.2 * page.advance and abs(ln.box.x1 - nxt.x1) <= page.advance


def _small_headline_blocks(
    page: TextPage, kind: dict[str, str], blocks: list[tuple[Region, list[Line]]]
) -> None:
    """A block of a few lines, all bigger than the text right under it and with no
    punctuation of running text, is a headline (a small one: a narrow column's, a
    continued article's); its smaller last lines are left to the subhead rules."""
    for _, lines in blocks:
        free = [ln for ln in lines if ln.id not in kind]
        if not free or len(free) > 4 or len(free) != len(lines) or any(map(is_vertical, free)):
            continue
        box = _union(ln.box for ln in free)
        under, bottom = _text_under(page, box, free, kind)
        if len(under) >= 2:
            ref = min(statistics.median(o.box.height for o in under), page.size.big * page.body)
        elif any(
            _xov(p, box) > 0.5 * box.width and 0 <= p.y0 - bottom <= 2 * page.body
            for p in page.photos
        ):  # right over a photo: bigger than body text
            ref = page.body
        else:  # nothing right under it: clearly bigger than body text
            ref = page.size.big * page.body
        rows = line_rows(free)
        top = rows[0]
        top_box = _union(ln.box for ln in top)
        if any(  # right under a bigger headline: a subhead
            (kind.get(o.id) == Kind.HEADLINE or (o.id not in kind and is_display(o, page.size)))
            and o not in free
            and -0.2 * o.box.height <= top_box.y0 - o.box.y1 <= o.box.height
            and _xov(o.box, top_box) > 0
            and o.box.height >= 1.15 * top_box.height
            for o in page.lines
        ):
            continue
        if _over_bigger(page, _union(ln.box for ln in rows[-1]), free):
            continue  # a kicker: left to the subhead rules
        if all(
            ln.box.height >= page.size.big * ref
            and page.ratio(ln) >= page.size.big
            and units(ln.text) >= 2
            and not RUNNING_PUNCT.search(ln.text)
            for ln in top
        ):
            h = max(ln.box.height for ln in top)
            for row in rows:
                if all(
                    ln.box.height >= 0.92 * h and not RUNNING_PUNCT.search(ln.text) for ln in row
                ):
                    for ln in row:
                        kind[ln.id] = Kind.HEADLINE
                else:
                    break


def _over_bigger(page: TextPage, box: Box, free: list[Line]) -> bool:
    """Whether a clearly bigger display line (a headline: a fifth taller, past the
    page's break of bigger type) stands right under ``box`` (a kicker over it)."""
    return any(
        o not in free
        and not is_vertical(o)
        and -0.2 * box.height <= o.box.y0 - box.y1 <= 0.8 * box.height
        and _xov(o.box, box) > 0
        and o.box.height >= 1.2 * box.height
        and page.ratio(o) >= page.size.big
        and not RUNNING_PUNCT.search(o.text[:-1])
        for o in page.lines
    )


def _text_under(
    page: TextPage, box: Box, free: list[Line], kind: dict[str, str]
) -> tuple[list[Line], float]:
    """The first lines (up to six) of the text right under ``box`` (within three lines
    of body text, past a byline under it), and the foot of ``box`` and its byline."""
    bottom = box.y1
    for o in sorted(page.lines, key=lambda o: o.box.y0):
        byline = kind.get(o.id) == Kind.BODY  # the only kind given before headlines
        if byline and _xov(o.box, box) > 0 and -2 <= o.box.y0 - bottom <= page.body:
            bottom = o.box.y1
    under = sorted(
        (
            o
            for o in page.lines
            if o.id not in kind
            and o not in free
            and not is_vertical(o)
            and o.box.y0 >= box.y1 - 2
            and o.box.y0 - bottom <= 3 * page.body
            and _xov(o.box, box) > 0
        ),
        key=lambda o: o.box.y0,
    )[:6]
    return under, bottom


def _above_smaller(page: TextPage, ln: Line, block_of: dict[str, str]) -> bool:
    """Whether ``ln`` is clearly bigger than the lines under it in its block (a
    subhead over body text); True when nothing is under it."""
    block = block_of.get(ln.id)
    under = sorted(
        (
            o
            for o in page.lines
            if block_of.get(o.id) == block
            and o.box.y0 >= ln.box.y1 - 0.2 * ln.box.height
            and _xov(o.box, ln.box) > 0
            and not is_vertical(o)
        ),
        key=lambda o: o.box.y0,
    )[:6]
    if len(under) < 2:
        return True
    return ln.box.height >= page.size.big * statistics.median(o.box.height for o in under)


def _headline_block_only(
    page: TextPage, ln: Line, kind: dict[str, str], block_of: dict[str, str]
) -> bool:
    """Whether the layout set ``ln`` apart from running text: its block holds, besides
    headlines and subheads, only ``ln`` and at most one line under it."""
    block = block_of.get(ln.id)
    rest = [
        o
        for o in page.lines
        if block_of.get(o.id) == block
        and o is not ln
        and kind.get(o.id) not in (Kind.HEADLINE, Kind.SUBHEAD)
    ]
    return len(rest) <= 1 and all(o.box.y0 >= ln.box.y0 - 1 for o in rest)


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
    lead = _leading(page)
    _bylines(page, kind)
    _captions(page, kind, lead)
    _ads(page, kind, blocks)
    _pull_quotes(page, kind)
    _crossheads(page, kind, block_of, lead)
    _small_headline_blocks(page, kind, blocks)
    _headlines(page, kind, block_of, lead)
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
