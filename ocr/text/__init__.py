"""What a line of text is and what it says: one copy of each rule, for every stage.

Its
length in ems, whether it is vertical, its type size, rows and reading order, body size
and display type (:mod:`~ocr.text.lines`); numerals, dates, issue and page numbers,
jumps (:mod:`~ocr.text.numbers`); page furniture and frames of rules
(:mod:`~ocr.text.page`); the reading order of a page set in vertical lines
(:mod:`~ocr.text.vertical`).
"""

from ocr.text.lines import (
    RUNNING_PUNCT,
    BodySize,
    advance,
    body_size,
    is_display,
    is_han,
    is_tall,
    is_vertical,
    join_text,
    line_rows,
    reading_order,
    row_text,
    size_band,
    type_size,
    units,
    vertical_columns,
    vertical_page,
)
from ocr.text.numbers import (
    DATE,
    PAGE_MARK,
    Jump,
    cn_int,
    find_jump,
    issue_number,
    jump_target,
    normalize,
    page_number,
    parse_date,
    strip_jump,
)
from ocr.text.page import TextPage
from ocr.text.vertical import box_order, vertical_order

__all__ = [
    "is_han",
    "DATE",
    "PAGE_MARK",
    "RUNNING_PUNCT",
    "BodySize",
    "Jump",
    "TextPage",
    "advance",
    "body_size",
    "box_order",
    "cn_int",
    "find_jump",
    "is_display",
    "is_tall",
    "is_vertical",
    "issue_number",
    "join_text",
    "jump_target",
    "line_rows",
    "size_band",
    "normalize",
    "page_number",
    "parse_date",
    "reading_order",
    "row_text",
    "strip_jump",
    "type_size",
    "units",
    "vertical_columns",
    "vertical_order",
    "vertical_page",
]
