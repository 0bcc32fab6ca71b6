"""Article assembly: an issue's pages become articles in reading order, jumps joined.

:func:`assemble_articles` is a pure function (:class:`PageLayout` in, :class:`ArticleDraft`
out); ``ocr.batch.assemble`` reads an issue from the archive, assembles it and writes the
articles back. Boxes are in deskewed pixels (see ``ocr/model.py``): upright, so "above"
and "beside" mean what they say. The steps live in their own modules: line roles
(:mod:`~ocr.articles.roles`), headline and column items (:mod:`~ocr.articles.blocks`),
ownership (:mod:`~ocr.articles.ownership`), reading order and text
(:mod:`~ocr.articles.order`), jump linking (:mod:`~ocr.articles.link`) and issue facts
(:mod:`~ocr.articles.issue`); what a line is and says comes from :mod:`ocr.text`.

How a page is read:

1. Every line gets a role, named by the kinds of :class:`ocr.model.Kind`, from its
   region's kind. Lines of unclassified (``text``) regions get one from geometry: lines
   of display type (:func:`ocr.text.is_display`, the region classifier's test) are
   headlines; the page furniture the region classifier finds
   (:meth:`ocr.text.TextPage.furniture`: masthead, running head, page number) is
   furniture; the first line snug under a photo is its caption, a short line under a QR
   code is the code's; untitled text in a box of rules (four sides) is an ad. Jump lines
   ("（下转第2版）", "（上接第1版）", "转3版"...) are found in the text, whatever the
   region says. A body-size headline right under body text is a crosshead: running text;
   so are subheads set inside a column (body text of the column close above them and
   close under them or a rule closing them; or opening the column, level with the
   first line of the column beside it or framed by two rules), and headlines framed by
   two rules inside a column, its text close above or under them (a pull quote taken
   for a headline: a headline has no rule between it and its text). A subhead line
   set tight on a column, to its measure, is the column's first line read taller.
2. Headline lines stacked at a similar size (or level columns of a vertical headline)
   form a headline, and so do two pieces close on one row, unless the gap between them
   stands over a gutter of the text below (two headlines side by side, each over its
   own article); a clearly smaller one right under it is a subhead, right above it a
   kicker (a classified subhead too, neither across a rule); unclassified rows right
   under a headline that are bigger than body text, set off by a wider gap or wider
   than the column are subheads too ("bigger": past the page's own break of bigger
   type, ``BodySize.big``). Body lines are cut into
   column blocks (lines overlapping in x, with no wide gap and nothing between, cut
   where a row set off by a blank line starts level with the top of a headline beside
   it, vertical or not), and blocks that follow each other in a column are joined,
   unless the lower one is set off by a blank line level with the top of a headline
   beside it (an article starts there).
3. Each block, photo and caption finds its article by looking straight up: a headline
   there owns it; a photo, caption or block close above passes on its own article. A
   block that meets a rule, another article's text or nothing (or that starts level with
   a vertical headline, no vertical rule between them) is owned by the headline of a
   block or photo beside it whose top is level with its own (not across a vertical rule
   level with that headline and the block beside vertical lines: such a rule parts
   articles; between columns of horizontal lines it may be a column rule inside one
   article), or by a vertical headline
   next to it, if that headline is below what the block met: blocks with the fewest
   choices first, never leaving another block without one, then the headline that sits
   flush left or centred over its blocks; a vertical headline keeps its text on one
   side, with no rule between. A short block not set flush left in the page's column
   grid (a slogan centred in a box) takes no neighbour's headline, unless it starts
   level with a photo, a gutter beside it. A jump line in that met nothing looking up
   is no ceiling for the column under it. A headline above what a block met still
   takes it when what it met (a byline, a photo over a rule) is that headline's. A
   vertical headline takes the block level with it across white space, and the
   columns level on its left (nothing but level blocks between) are not another
   headline's. What no headline beside it takes goes to a headline off to its side
   in its bay (below what it met, nothing of another article between). What is left
   becomes an untitled article (blocks level side by side together; a photo only when
   text passes its article on to it, so that no text is dropped).
4. An article's text: subheads, captions, then its body blocks left to right by columns,
   top to bottom within each (an XY-cut that prefers vertical cuts); lines of a paragraph
   are joined, a paragraph starts at an indented line or after a short one. The title is
   the headline, not part of the text. Articles of a page are ordered by an XY-cut of
   their boxes (bands first). Jump lines are left out of lines and text.
5. Jumps: an article ending "下转第N版" is joined to the article on printed page N that
   says "上接第M版" (M: its own page), the best title match if several; without the
   other side's jump line, a clearly similar title on that page will do (continued titles
   are often shorter).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ocr.articles.blocks import (
    Item,
    attach_subheads,
    body_blocks,
    furniture_items,
    head_items,
    level_with_vertical,
    merge_stacked,
    name_guessed_blocks,
    promote_subheads,
)
from ocr.articles.issue import effective_numbers
from ocr.articles.link import link_jumps
from ocr.articles.order import Part, parts_of
from ocr.articles.ownership import resolve
from ocr.articles.roles import line_roles
from ocr.model import NOT_ARTICLE, Box, Kind, Line, PageLayout
from ocr.text import TextPage, body_size, find_jump

__all__ = ["ArticleDraft", "assemble_articles", "block_articles", "find_jump"]

_union = Box.union


@dataclass
class ArticleDraft:
    """An assembled article. ``lines``: its line ids in reading order (headline first,
    continued headlines where they stand, no jump lines); ``text`` the text in reading
    order without headlines and jump lines; ``pages`` page positions; ``jump_lines`` the
    jump lines it holds (kept out of ``lines``); ``regions`` the regions it covers."""

    title: str | None
    text: str
    pages: list[int]
    lines: list[str]
    jump_lines: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    parts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _page_parts(page: PageLayout) -> list[Part]:
    """The article parts of one page, in reading order."""
    lines = [ln for ln in page.lines if ln.text.strip()]
    if not lines:
        return []
    size = body_size(lines)
    text = TextPage.of(page.regions, lines, page.width, page.height, size)
    role, guessed, inline = line_roles(page, text, size)
    below = [ln for ln in lines if role[ln.id] in (Kind.BODY, Kind.CAPTION)]
    heads = head_items([ln for ln in lines if role[ln.id] == Kind.HEADLINE], size, below)
    furniture, upright = furniture_items(page, lines, role)
    rules = [s.box for s in furniture if s.source == Kind.RULE]
    attach_subheads(heads, [ln for ln in lines if role[ln.id] == Kind.SUBHEAD], rules)
    walls = [h.box for h in heads] + [s.box for s in furniture]
    blocks = body_blocks(lines, role, size, walls, inline, [h.box for h in heads])
    verticals = [h for h in heads if h.vertical]
    fresh = level_with_vertical(blocks, verticals, size, upright)
    blocks = merge_stacked(blocks, size, walls, fresh, [h.box for h in heads if not h.vertical])
    items: list[Item] = heads + furniture + blocks
    name_guessed_blocks(blocks, items, guessed, text, size)
    promote_subheads(items, guessed, size)
    items = [it for it in items if it.rows or it.kind not in (Kind.BODY, Kind.CAPTION)]
    resolve(items, size, upright, fresh | level_with_vertical(blocks, verticals, size, upright))
    return parts_of(page, items, size)


def assemble_articles(pages: list[PageLayout]) -> list[ArticleDraft]:
    """The articles of an issue's pages, in reading order (see the module docstring)."""
    pages = sorted(pages, key=lambda p: p.number)
    numbers = effective_numbers([p.printed_number for p in pages])
    printed = {p.number: n for p, n in zip(pages, numbers)}
    parts = [part for page in pages for part in _page_parts(page)]
    drafts = []
    for chain in link_jumps(parts, printed):
        title = next((p.title for p in chain if p.title), None)
        lines, jumps, regions, pages_of = [], [], [], []
        for p in chain:
            lines += p.lines
            jumps += p.jump_lines
            regions += [r for r in p.regions if r not in regions]
            if p.page not in pages_of:
                pages_of.append(p.page)
        drafts.append(
            ArticleDraft(
                title=title,
                text="\n".join(p.text for p in chain if p.text),
                pages=sorted(pages_of),
                lines=lines,
                jump_lines=jumps,
                regions=regions,
                parts=len(chain),
            )
        )
    return drafts


def block_articles(pages: list[PageLayout]) -> list[ArticleDraft]:
    """One article per text region, in stored order: the fallback when assembly fails."""
    drafts = []
    for page in sorted(pages, key=lambda p: p.number):
        by_region: dict[str | None, list[Line]] = {}
        for ln in sorted(page.lines, key=lambda ln: ln.order):
            by_region.setdefault(ln.region, []).append(ln)
        for r in sorted(page.regions, key=lambda r: r.order):
            lines = by_region.get(r.id, [])
            if r.kind in NOT_ARTICLE or not lines:
                continue
            drafts.append(
                ArticleDraft(
                    None,
                    "\n".join(ln.text for ln in lines),
                    [page.number],
                    [ln.id for ln in lines],
                    regions=[r.id],
                )
            )
    return drafts
