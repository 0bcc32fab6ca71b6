"""The article anchor: American Stories' published rule-based association (Dell et al.
2023, "American Stories: A Large-Scale Structured Text Dataset of Historical U.S.
Newspapers"; the rules of their ``ca_simple_rule_based.py`` and the Associating Press
paper's rule algorithm), re-implemented here on our ``PageLayout`` (regions with kinds,
lines with boxes), so that it runs on exactly the lines and regions our pipeline stored
(or on the generator's exact lines).

The rules, page by page (no joins across pages):

- *Boxes.* A region's box is the union of its lines' boxes (regions without lines are
  left out). Headlines are the ``headline`` regions; article blocks are ``body``,
  ``text``, ``subhead`` and ``caption`` regions; everything else (masthead, folio, ad,
  jump, photo, QR, rule) is in no article.
- *Headline to blocks.* A block is under a headline when they overlap horizontally by
  more than 1% of the page width, the block's top is below the headline's bottom less
  1/50 of the page height (slight overlap allowed), and no more than 1/10 of the page
  height below it. A block under several headlines goes to the nearest (the lowest
  headline above it). A headline that gets no block joins the article of the nearest
  block under it (a kicker or a deck over the main headline), else it is dropped.
- *Articles.* A headline with its blocks is an article; a block under no headline is an
  article of its own, untitled. Blocks are read by x then y: sorted by left edge,
  blocks whose left edges lie within 40% of the narrower one's width form a column,
  read top to bottom, columns left to right. The title is the article's headlines top
  to bottom; the text its blocks' lines in their stored order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEADLINE = "headline"
BLOCK_KINDS = frozenset({"body", "text", "subhead", "caption"})
OVERLAP_X = 1 / 100  # of the page width
SLACK_Y = 1 / 50  # of the page height: a block may start this far above the headline's foot
REACH_Y = 1 / 10  # of the page height: and no farther below it than this
COLUMN_MARGIN = 0.40  # left edges within 40% of the narrower width: one column


@dataclass
class _Box:
    id: str
    kind: str
    x0: float
    y0: float
    x1: float
    y1: float
    lines: list = field(default_factory=list)

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def _boxes(layout) -> list[_Box]:
    by_region: dict[str, list] = {}
    for ln in layout.lines:
        if ln.region is not None and ln.text.strip():
            by_region.setdefault(ln.region, []).append(ln)
    out = []
    for r in layout.regions:
        lines = by_region.get(r.id)
        if not lines or (r.kind != HEADLINE and r.kind not in BLOCK_KINDS):
            continue
        lines.sort(key=lambda ln: (ln.order, ln.box.y0, ln.box.x0))
        out.append(
            _Box(
                r.id,
                r.kind,
                min(ln.box.x0 for ln in lines),
                min(ln.box.y0 for ln in lines),
                max(ln.box.x1 for ln in lines),
                max(ln.box.y1 for ln in lines),
                lines,
            )
        )
    return out


def under(head: _Box, block: _Box, width: float, height: float) -> bool:
    """Whether ``block`` is under ``head`` by the American Stories rule."""
    overlap = min(head.x1, block.x1) - max(head.x0, block.x0)
    return (
        overlap > width * OVERLAP_X
        and block.y0 > head.y1 - height * SLACK_Y
        and block.y0 - head.y1 < height * REACH_Y
    )


def x_then_y(blocks: list[_Box]) -> list[_Box]:
    """Blocks in reading order: columns (left edges close) left to right, each top to
    bottom."""
    rest = sorted(blocks, key=lambda b: (b.x0, b.y0))
    out: list[_Box] = []
    while rest:
        first = rest[0]
        column = [
            b
            for b in rest
            if abs(b.x0 - first.x0) < COLUMN_MARGIN * min(max(b.width, 1), max(first.width, 1))
        ]
        out += sorted(column, key=lambda b: b.y0)
        rest = [b for b in rest if b not in column]
    return out


def associate(layout) -> list[dict]:
    """The page's articles by the American Stories rules: ``title``, ``text``,
    ``pages``, ``regions`` (block ids in reading order), ``lines`` (line ids)."""
    boxes = _boxes(layout)
    w, h = float(layout.width), float(layout.height)
    heads = [b for b in boxes if b.kind == HEADLINE]
    blocks = [b for b in boxes if b.kind != HEADLINE]
    owner: dict[str, _Box] = {}
    for b in blocks:
        above = [hd for hd in heads if under(hd, b, w, h)]
        if above:
            owner[b.id] = max(above, key=lambda hd: (hd.y1, -abs(hd.x0 - b.x0)))
    groups: dict[str, list[_Box]] = {}  # article key -> its headlines
    members: dict[str, list[_Box]] = {}
    for b in blocks:
        key = owner[b.id].id if b.id in owner else b.id
        members.setdefault(key, []).append(b)
        groups.setdefault(key, [owner[b.id]] if b.id in owner else [])
    for hd in heads:
        if hd.id in groups:
            continue
        below = [b for b in blocks if under(hd, b, w, h)]
        if below:
            nearest = min(below, key=lambda b: b.y0)
            key = owner[nearest.id].id if nearest.id in owner else nearest.id
            groups[key].append(hd)
    out = []
    for key, bs in members.items():
        ordered = x_then_y(bs)
        titles = sorted(groups[key], key=lambda hd: (hd.y0, hd.x0))
        lines = [ln for b in ordered for ln in b.lines]
        out.append(
            {
                "title": "".join(ln.text for hd in titles for ln in hd.lines) or None,
                "text": "".join(ln.text for ln in lines),
                "pages": [layout.number],
                "regions": [b.id for b in ordered],
                "lines": [hd_ln.id for hd in titles for hd_ln in hd.lines]
                + [ln.id for ln in lines],
            }
        )
    return out


def associate_issue(layouts) -> list[dict]:
    """Every page's articles (American Stories has no joins across pages)."""
    return [a for layout in layouts for a in associate(layout)]
