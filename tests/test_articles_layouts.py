"""Assembly on hand-set page layouts that our older generator never made: headlines
narrower than their article, a centred headline over a byline, a rule inside a column.

Each page is one article; each test fails when its rule of ownership is missing."""

from __future__ import annotations

import pytest

from ocr.articles import assemble_articles
from ocr.model import Box, Line, PageLayout, Region

TEXT = "张庙街道召开党政负责干部学习讨论会明确今年工作重点推动区域发展"
H = 20  # body line height, px; characters are square
LEAD = 30  # line pitch


class Page:
    """A page built region by region: text blocks of lines, rules."""

    def __init__(self) -> None:
        self.regions: list[Region] = []
        self.lines: list[Line] = []

    def block(
        self,
        kind: str,
        x0: float,
        y0: float,
        width: float,
        rows: int,
        h: float = H,
        text: str | None = None,
    ):
        """A region of ``rows`` lines (``text``: the one line's own text, set flush right)."""
        rid = f"r{len(self.regions)}"
        chars = int(width // h) if text is None else len(text)
        for k in range(rows):
            n = len(self.lines)
            words = (TEXT * 3)[n % len(TEXT) :][:chars] if text is None else text
            left = x0 if text is None else x0 + width - chars * h
            box = Box(left, y0 + k * (h * LEAD / H), left + chars * h, y0 + k * (h * LEAD / H) + h)
            self.lines.append(Line(f"l{n}", words, 0.99, box.poly(), box, region=rid, order=k))
        y1 = y0 + (rows - 1) * (h * LEAD / H) + h
        self.regions.append(
            Region(rid, kind, Box(x0, y0, x0 + width, y1), [], order=len(self.regions))
        )
        return self

    def rule(self, x0: float, y0: float, x1: float, y1: float):
        box = Box(x0, y0, x1, y1)
        self.regions.append(
            Region(f"r{len(self.regions)}", "rule", box, [], order=len(self.regions))
        )
        return self

    def vertical(self, x0: float, y0: float, chars: int, h: float = 40):
        """A one-column vertical headline of ``chars`` characters."""
        rid = f"r{len(self.regions)}"
        box = Box(x0, y0, x0 + h, y0 + chars * h)
        n = len(self.lines)
        self.lines.append(Line(f"l{n}", TEXT[:chars], 0.99, box.poly(), box, region=rid, order=0))
        self.regions.append(Region(rid, "headline", box, [], order=len(self.regions)))
        return self

    def layout(self) -> PageLayout:
        return PageLayout(1, self.regions, self.lines, printed_number=None, width=1000, height=1400)


def _one_article(page: Page) -> None:
    body = [ln.id for ln in page.lines if page.regions[int(ln.region[1:])].kind == "body"]
    drafts = assemble_articles([page.layout()])
    holding = [d for d in drafts if set(d.lines) & set(body)]
    assert len(holding) == 1, [(d.title, len(d.lines)) for d in drafts]
    assert set(body) <= set(holding[0].lines)
    assert holding[0].title


def test_columns_beside_a_narrow_headline_on_its_right_are_its_article():
    # A headline over the first two of four columns; columns 3 and 4 start level with
    # the headline's top (the article's text reads on beside its headline).
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 420, 1, h=40)
    page.block("body", 40, 150, 200, 20).block("body", 260, 150, 200, 20)
    page.block("body", 500, 80, 200, 22).block("body", 740, 80, 200, 22)
    page.rule(40, 780, 960, 782)
    _one_article(page)


def test_a_centred_headline_over_a_byline_heads_the_columns_beside_the_byline():
    # The headline is centred over three columns and narrower than them; a byline under
    # it opens the middle column, so the middle column starts a row above the others.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 260, 80, 480, 1, h=40)
    page.block("body", 420, 140, 160, 1)  # the byline, centred
    page.block("body", 40, 170, 280, 12).block("body", 360, 140, 280, 13)
    page.block("body", 680, 170, 280, 12)
    page.rule(40, 560, 960, 562)
    _one_article(page)


def test_a_rule_between_two_runs_of_a_column_closes_no_article():
    # One column: text, a short rule (round a pull quote, say), more text; no headline
    # opens anything under the rule.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 280, 1, h=40)
    page.block("body", 40, 150, 280, 8)
    page.rule(60, 395, 300, 397)
    page.block("body", 40, 410, 280, 8)
    _one_article(page)


def test_marks_read_into_a_qr_code_or_photo_are_no_article():
    # What a recognizer reads into a QR code's modules or a photo's texture: a line of a
    # few symbols inside the picture.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 420, 1, h=40)
    page.block("body", 40, 150, 420, 10)
    page.regions.append(Region("qr", "qr", Box(600, 150, 760, 310), [], order=90))
    page.regions.append(Region("photo", "photo", Box(40, 500, 460, 800), [], order=91))
    for k, (text, box) in enumerate(
        [
            ("■", Box(620, 170, 640, 190)),
            ("回铣口", Box(640, 220, 700, 240)),
            ("号", Box(100, 600, 120, 620)),
        ]
    ):
        page.regions.append(Region(f"t{k}", "text", box, [], order=92 + k))
        page.lines.append(Line(f"m{k}", text, 0.9, box.poly(), box, region=f"t{k}", order=k))
    drafts = assemble_articles([page.layout()])
    kept = "".join((d.title or "") + d.text for d in drafts)
    assert "■" not in kept and "回铣口" not in kept and "号" not in kept
    assert TEXT[:10] in kept  # the article's own text is kept


def _headline_row(page: Page, pieces: list[tuple[float, int]], y0: float = 80, h: float = 40):
    """Headline pieces (x0, characters) on one row in one region (the layout did not
    cut between them)."""
    rid = f"r{len(page.regions)}"
    boxes = []
    for k, (x0, chars) in enumerate(pieces):
        box = Box(x0, y0, x0 + chars * h, y0 + h)
        text = TEXT[7 * k : 7 * k + chars]
        n = len(page.lines)
        page.lines.append(Line(f"l{n}", text, 0.99, box.poly(), box, region=rid, order=k))
        boxes.append(box)
    page.regions.append(Region(rid, "headline", Box.union(boxes), [], order=len(page.regions)))
    return page


def test_two_headlines_side_by_side_over_a_gutter_head_their_own_articles():
    # Two articles of two columns each; their headlines on one row, in one region, 20 px
    # apart (half their height: close enough to be one headline cut in two), the gap
    # over the gutter between the articles.
    page = Page().rule(40, 60, 960, 62)
    _headline_row(page, [(40, 10), (460, 10)])
    page.block("body", 40, 150, 180, 12).block("body", 240, 150, 180, 12)
    page.block("body", 460, 150, 180, 12).block("body", 660, 150, 180, 12)
    page.rule(40, 560, 960, 562)
    drafts = assemble_articles([page.layout()])
    titled = [d for d in drafts if d.title]
    assert len(titled) == 2, [(d.title, len(d.lines)) for d in drafts]
    left, right = sorted(titled, key=lambda d: d.lines[0])
    assert left.title == TEXT[:10] and right.title == TEXT[7:17]


def test_a_headline_cut_in_two_over_its_own_columns_stays_one():
    # The same row over one article whose columns run under the gap: one headline.
    page = Page().rule(40, 60, 960, 62)
    _headline_row(page, [(40, 6), (300, 6)])
    page.block("body", 40, 150, 280, 12).block("body", 340, 150, 280, 12)
    page.rule(40, 560, 960, 562)
    _one_article(page)


def test_a_vertical_headline_across_a_rule_starts_no_article_beside_it():
    # Left: a headline, a byline and a column starting level with the vertical headline
    # of the article on the right, across a vertical rule.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 400, 1, h=40)
    page.block("body", 40, 140, 300, 1)  # the byline
    page.block("body", 40, 180, 400, 12)
    page.rule(470, 80, 472, 560)
    rid = f"r{len(page.regions)}"
    box = Box(500, 180, 550, 480)  # a vertical headline, its top level with the column
    page.lines.append(Line("v0", TEXT[:6], 0.99, box.poly(), box, region=rid, order=0))
    page.regions.append(Region(rid, "headline", box, [], order=len(page.regions)))
    page.block("body", 580, 180, 360, 12)
    drafts = assemble_articles([page.layout()])
    left = [ln.id for ln in page.lines if ln.box.x1 < 470 and ln.box.y0 > 100]
    (mine,) = [d for d in drafts if set(left) & set(d.lines)]
    assert set(left) <= set(mine.lines) and mine.title == TEXT[:10]
    assert all(d.title for d in drafts)


def test_a_short_column_beside_a_photo_under_a_headline_is_its_article():
    # A headline over the first column, a photo under it, its caption, text under the
    # caption; the article's second column, three rows, starts level with the photo's
    # top beside it (short, and off the page's grid of long columns).
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 400, 1, h=40)
    page.regions.append(Region("photo", "photo", Box(40, 140, 440, 300), [], order=90))
    page.block("caption", 40, 310, 300, 1, h=16)
    page.block("body", 40, 350, 400, 8)
    page.block("body", 460, 140, 300, 3)
    page.rule(40, 600, 960, 602)
    _one_article(page)


def _holder(drafts, line_ids):
    """The one draft holding all of ``line_ids``."""
    found = [d for d in drafts if set(line_ids) & set(d.lines)]
    assert len(found) == 1, [(d.title, len(d.lines)) for d in found]
    assert set(line_ids) <= set(found[0].lines)
    return found[0]


def test_a_kicker_over_its_headline_is_its_text():
    # A small line (a subhead region) right above the headline: the kicker.
    page = Page().rule(40, 60, 960, 62)
    page.block("subhead", 40, 80, 300, 1, h=24)
    page.block("headline", 40, 115, 420, 1, h=40)
    page.block("body", 40, 180, 200, 10).block("body", 260, 180, 200, 10)
    page.rule(40, 500, 960, 502)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines if ln.region != "r2"])
    assert mine.text.startswith(page.lines[0].text) and mine.title == page.lines[1].text


@pytest.mark.parametrize("kind", ["subhead", "headline"])
def test_a_pull_quote_between_rules_inside_a_column_stays_in_its_article(kind):
    # One column: text, a rule, a pull quote (two rows of bigger type, a subhead region,
    # or a headline region when the classifier took it for one, set in the measure with
    # space round it), a rule, more text.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 280, 1, h=40)
    page.block("body", 40, 150, 280, 8)
    page.rule(60, 395, 300, 397)
    page.block(kind, 70, 420, 220, 2, h=28)
    page.rule(60, 505, 300, 507)
    page.block("body", 40, 525, 280, 8)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines])
    quote = "".join(ln.text for ln in page.lines if ln.region == "r4")
    assert quote in "".join(mine.text.split()) and len(drafts) == 1


def test_a_column_under_a_jump_line_goes_with_the_continued_headline():
    # A continued part: its short headline over the first column only; "（上接第1版）"
    # set flush right over the second column, which starts level with the first.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 200, 1, h=30)
    page.block("jump", 260, 118, 280, 1, text="（上接第1版）")
    page.block("body", 40, 150, 280, 12).block("body", 320, 150, 280, 12)
    page.block("headline", 660, 80, 280, 1, h=40)  # another article on the right
    page.block("body", 660, 150, 280, 12)
    page.rule(40, 560, 960, 562)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines if ln.box.x1 <= 600 and ln.id != "l1"])
    assert mine.title == page.lines[0].text and mine.jump_lines == [page.lines[1].id]


def test_a_headline_centred_over_a_photo_takes_the_column_beside_the_photo():
    # The headline is centred over the whole article; a photo under it spans the last
    # three columns; the first column opens with a byline under the headline's side,
    # beside the photo, and the three columns go on under the photo.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 400, 80, 200, 1, h=40)
    page.block("body", 40, 128, 160, 1)  # the byline, under nothing but the rule
    page.block("body", 40, 165, 200, 14)
    page.regions.append(Region("photo", "photo", Box(260, 165, 960, 400), [], order=90))
    for x in (260, 500, 740):
        page.block("body", x, 420, 200, 4)
    page.rule(40, 600, 960, 602)
    _one_article(page)


def test_a_vertical_headline_takes_the_text_beside_it_across_white_space():
    # A vertical headline at the right edge of its article, white space between it and
    # its column (wider than half the column), then its text below it.
    page = Page().rule(40, 60, 960, 62)
    page.block("body", 40, 80, 200, 10)
    page.vertical(400, 80, 6)
    page.block("body", 280, 360, 160, 2)
    page.rule(40, 440, 460, 442)
    page.block("headline", 40, 460, 400, 1, h=40)  # the next article
    page.block("body", 40, 520, 400, 4)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines if ln.box.y1 < 440])
    assert mine.title == TEXT[:6] and all(d.title for d in drafts)


def test_a_vertical_headline_above_leaves_the_text_level_with_another_beside_it():
    # Article A: its text left of a vertical headline at its right edge. Under them,
    # article B: a vertical headline at its left edge, its text right of it, under A's
    # headline, and a column under both (a short rule beside B's column).
    page = Page().rule(40, 60, 960, 62)
    page.block("body", 40, 80, 300, 12)
    page.vertical(400, 80, 10)
    page.vertical(40, 520, 4)
    page.block("body", 160, 520, 280, 5)
    page.block("body", 40, 700, 400, 2)
    page.rule(150, 700, 152, 760)
    page.rule(40, 780, 460, 782)
    drafts = assemble_articles([page.layout()])
    b = _holder(drafts, [ln.id for ln in page.lines if ln.box.y0 >= 520])
    assert b.title == TEXT[:4]
    a = _holder(drafts, [ln.id for ln in page.lines if ln.box.y1 < 500])
    assert a.title == TEXT[:10]


def test_a_column_under_a_byline_set_off_by_a_wide_gap_is_the_headlines():
    # A headline over two columns; a byline under it over the first, then a gap of
    # three lines before both columns start (the first met the byline looking up).
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 420, 1, h=40)
    page.block("body", 40, 140, 160, 1)  # the byline
    page.block("body", 40, 250, 200, 10).block("body", 260, 250, 200, 10)
    page.block("headline", 500, 80, 420, 1, h=40)  # another article beside it
    page.block("body", 500, 140, 420, 14)
    page.rule(40, 600, 960, 602)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines if ln.box.x1 <= 470])
    assert mine.title == page.lines[0].text and len(drafts) == 2


def test_a_jump_line_over_the_last_column_is_no_ceiling_for_it():
    # A continued part: its headline over the first column, "（上接第4版）" flush right
    # over the third column, level with the byline of the next article on the right;
    # the third column opens with a crosshead, narrower than the jump line's reach.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 200, 1, h=30)
    page.block("jump", 520, 118, 240, 1, text="（上接第4版）")
    page.block("body", 40, 160, 240, 12).block("body", 280, 160, 240, 12)
    page.block("subhead", 540, 160, 150, 1, h=24)
    page.block("body", 520, 200, 240, 11)
    page.block("headline", 800, 80, 160, 1, h=30)
    page.block("body", 800, 118, 160, 1)  # its byline, level with the jump line
    page.block("body", 800, 150, 160, 12)
    page.rule(40, 560, 960, 562)
    drafts = assemble_articles([page.layout()])
    left = [ln.id for ln in page.lines if ln.box.x1 <= 780 and ln.id != "l1"]
    mine = _holder(drafts, left)
    assert mine.title == page.lines[0].text and mine.jump_lines == ["l1"]


def test_a_pull_quote_under_a_photo_heads_its_column_for_the_photos_article():
    # A headline over a photo across three columns; the first two columns start under
    # the photo; the third opens with a pull quote between rules, a row lower.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 400, 1, h=40)
    page.regions.append(Region("photo", "photo", Box(40, 140, 940, 400), [], order=90))
    page.block("body", 40, 430, 280, 10).block("body", 340, 430, 280, 10)
    page.rule(660, 428, 920, 430)
    page.block("subhead", 690, 462, 200, 1, h=28)
    page.rule(660, 505, 920, 507)
    page.block("body", 640, 520, 280, 7)
    page.rule(40, 760, 960, 762)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines])
    assert mine.title == page.lines[0].text and len(drafts) == 1


def test_a_column_beside_a_headline_opening_with_one_line_over_a_pull_quote_is_its():
    # The headline over the first two columns; the third column starts level with the
    # headline's top with one line, then a pull quote between rules, then its text;
    # the first two columns start under the headline, below that one line.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 560, 1, h=50)
    page.block("body", 40, 170, 280, 12).block("body", 340, 170, 280, 12)
    page.block("body", 660, 82, 280, 1)
    page.rule(660, 112, 940, 114)
    page.block("subhead", 690, 128, 220, 1, h=28)
    page.rule(660, 170, 940, 172)
    page.block("body", 660, 186, 280, 10)
    page.rule(40, 560, 960, 562)
    _one_article(page)


def test_a_column_right_beside_a_headline_over_only_its_byline_is_its_article():
    # A headline with only a byline under it (nothing else below); its text is the
    # column right beside it, starting level with its top.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 400, 1, h=40)
    page.block("body", 40, 140, 200, 1)  # the byline
    page.block("body", 500, 80, 280, 8)
    page.rule(40, 340, 960, 342)
    _one_article(page)


def _vertical_columns(page: Page, right: float, y0: float, n: int, chars: int, rid: str):
    """``n`` vertical body lines (columns) of ``chars`` characters from ``right`` leftwards."""
    for k in range(n):
        x0 = right - H - k * LEAD
        box = Box(x0, y0, x0 + H, y0 + chars * H)
        t = (TEXT * 3)[len(page.lines) % len(TEXT) :][:chars]
        page.lines.append(Line(f"l{len(page.lines)}", t, 0.99, box.poly(), box, region=rid))


def test_a_vertical_headline_takes_no_text_across_a_rule_beside_its_vertical_lines():
    # A page set in vertical lines. Right: a vertical headline at the right edge of its
    # article, its columns (vertical lines) on its left across white space; a vertical
    # rule, level with both; left of it, another article: its headline (a horizontal
    # line, not found: in the body region) level with the right article's columns, and
    # its columns under it.
    page = Page().rule(40, 60, 960, 62)
    page.vertical(900, 100, 8)
    rid = f"r{len(page.regions)}"
    _vertical_columns(page, 870, 80, 9, 12, rid)
    page.rule(590, 80, 592, 560)
    head = Box(400, 80, 560, 104)
    page.lines.append(Line(f"l{len(page.lines)}", TEXT[:8], 0.99, head.poly(), head, region=rid))
    _vertical_columns(page, 560, 124, 6, 10, rid)
    page.regions.append(Region(rid, "body", Box(380, 80, 870, 324), [], order=len(page.regions)))
    page.rule(40, 580, 960, 582)
    drafts = assemble_articles([page.layout()])
    right = [ln.id for ln in page.lines[1:10]]
    mine = _holder(drafts, right)
    assert mine.title == TEXT[:8] and set(mine.lines) == {page.lines[0].id, *right}


def test_a_column_rule_between_columns_of_horizontal_lines_parts_no_article():
    # A vertical headline at the right edge, its column beside it, then a column rule
    # (level with both) and the article's next column, wider (the first is set beside
    # the headline): columns of horizontal lines, one article.
    page = Page().rule(40, 60, 960, 62)
    page.vertical(900, 100, 8)
    page.block("body", 560, 80, 320, 12)
    page.rule(530, 80, 532, 560)
    page.block("body", 40, 80, 460, 12)
    page.rule(40, 580, 960, 582)
    _one_article(page)


def test_a_column_run_on_into_the_next_article_is_cut_where_a_vertical_headline_starts():
    # A continued part's column in one region with the next article's text under it (the
    # layout did not cut them): a blank line, then rows beside a vertical headline whose
    # top is level with the first of them; they are the vertical headline's article.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 40, 80, 280, 1, h=40)
    page.block("body", 40, 150, 280, 6)
    page.block("body", 40, 350, 200, 6)  # a blank line above it (30 px), beside the headline
    page.vertical(270, 350, 5)
    page.rule(40, 560, 960, 562)
    for ln in page.lines:  # one region: the layout ran the column on
        if ln.region == "r3":
            ln.region = "r2"
    upper = [ln.id for ln in page.lines if ln.region == "r2" and ln.box.y0 < 340]
    lower = [ln.id for ln in page.lines if ln.region == "r2" and ln.box.y0 > 340]
    drafts = assemble_articles([page.layout()])
    assert _holder(drafts, upper).title == page.lines[0].text
    assert _holder(drafts, lower).title == page.lines[-1].text


def test_a_columns_first_line_read_taller_as_a_subhead_is_its_text():
    # A headline centred over a photo (its caption and text under it) and a column
    # beside the photo; the column's first line, read a little taller, came out as a
    # subhead set tight on the column. It is the column's text: the headline does not
    # grow down over the photo's top and keeps the photo's article.
    page = Page().rule(40, 60, 960, 62)
    page.block("headline", 300, 80, 400, 1, h=40)
    page.block("subhead", 520, 132, 260, 1, h=28)  # foot at 160: the column's top
    page.block("body", 520, 160, 260, 12)
    page.regions.append(Region("photo", "photo", Box(40, 150, 480, 330), [], order=90))
    page.block("caption", 40, 336, 200, 1, h=16)
    page.block("body", 40, 380, 440, 6)
    page.rule(40, 580, 960, 582)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines])
    assert mine.title == page.lines[0].text and len(drafts) == 1


def test_text_under_a_photo_that_no_headline_owns_is_kept():
    # A photo with nothing above it, its caption and a column under it: no headline
    # takes them, and the text is still an (untitled) article, not dropped.
    page = Page().rule(40, 60, 960, 62)
    page.regions.append(Region("photo", "photo", Box(40, 80, 480, 260), [], order=90))
    page.block("caption", 40, 266, 200, 1, h=16)
    page.block("body", 40, 310, 440, 6)
    drafts = assemble_articles([page.layout()])
    assert _holder(drafts, [ln.id for ln in page.lines])


def test_a_continued_headline_read_as_text_over_its_jump_line_heads_the_part():
    # A continued part: its (smaller) repeat of the headline came out as a body line,
    # "（上接第1版）" right under it, the column under that; another article on the right.
    page = Page().rule(40, 60, 960, 62)
    page.block("body", 40, 80, 280, 1, h=28, text=TEXT[:9])
    page.block("jump", 40, 118, 280, 1, text="（上接第1版）")
    page.block("body", 40, 150, 280, 12)
    page.block("headline", 360, 80, 400, 1, h=40)
    page.block("body", 360, 150, 280, 12).block("body", 660, 150, 280, 12)
    page.rule(40, 560, 960, 562)
    drafts = assemble_articles([page.layout()])
    mine = _holder(drafts, [ln.id for ln in page.lines if ln.box.x1 <= 330 and ln.id != "l1"])
    assert mine.title == TEXT[:9] and mine.jump_lines == ["l1"]
