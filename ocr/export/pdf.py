"""The searchable PDF export: one PDF per issue, the page images with an invisible text layer.

Each page is the original scan (colour kept) as a JPEG at ``--dpi`` (200 by default;
never above the scan's own) on a page of the scan's physical size (a scan that states no
resolution is taken as being at ``--dpi``). Over it, each line
of text is one string in invisible text (render mode 3), in the page's reading order,
set in an embedded font and stretched (horizontal scaling, ``Tz``) to the line's length,
its glyph box the line's box: ``pdftotext`` reads each line as it is
stored, with no space inserted between CJK characters (placing characters one by one
with gaps, as OCRmyPDF's renderer does, makes ``中 华 人 民``), and a selection
highlights the line on the image. A vertical line is set along its length, top to
bottom (the string turned a quarter clockwise); a skewed page's lines follow its skew.
fpdf2 writes the PDF (fonts subset by fontTools). The font is by default a glyphless
one made for the issue (``ocr.export.glyphless``: every character searchable, a few
bytes each); ``--font cjk`` embeds a subset of the installed Noto Sans CJK SC instead
(glyph outlines: about 0.3 MB more on a dense page), with fallbacks for the lines it
cannot set (DejaVu, WenQuanYi, AR PL UMing; a character none has is reported and is not
searchable), and ``--font FILE[:FACE]`` a font of one's own first.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ocr import __version__
from ocr.errors import OutputError
from ocr.export.glyphless import glyphless_font, usable
from ocr.export.images import encode, scaled, scan_image
from ocr.export.incremental import IssueExport, issue_file_name
from ocr.export.pageview import LineView, PageView, page_row, page_views
from ocr.model import Point

GLYPHLESS = "glyphless"
# Fonts with CJK glyphs from the Debian packages the Makefile installs (file, face in
# the collection); the first one found is the text layer's, the others fallbacks.
FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Noto Sans CJK SC
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),  # accented Latin, symbols
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


@dataclass(frozen=True)
class Font:
    path: str
    index: int = 0

    @property
    def key(self) -> str:
        return "f" + hashlib.sha1(f"{self.path}:{self.index}".encode()).hexdigest()[:10]


def fonts(choice: str) -> list[Font]:
    """The fonts of ``--font cjk`` or ``--font FILE[:FACE]``: that file first when given,
    then those of :data:`FONTS` that are installed, else what fontconfig offers for
    Chinese. An :class:`OutputError` when there is none."""
    found = []
    if choice != "cjk":
        path, _, index = choice.partition(":")
        if not Path(path).is_file():
            raise OutputError(f"--font {choice}: no such font file")
        found.append(Font(path, int(index or 0)))
    found += [Font(p, i) for p, i in FONTS if Path(p).is_file()]
    if not found and (fc := _fontconfig_chinese()) is not None:
        found.append(fc)
    if not found:
        raise OutputError(
            "no CJK font for the PDF text layer: install fonts-noto-cjk or pass --font FILE"
        )
    return found


def _fontconfig_chinese() -> Font | None:
    if not shutil.which("fc-match"):
        return None
    out = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}", ":lang=zh-cn"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    return Font(out[0], int(out[1] or 0)) if len(out) == 2 and Path(out[0]).is_file() else None


@cache
def _cmap(font: Font) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def write_issue(job: IssueExport) -> None:
    """The ``pdf`` format's writer: ``issue-ID-TITLE.pdf``."""
    name = issue_file_name(job.record["issue"], ".pdf")
    views = page_views(job.db, job.record)
    if not views:  # no page of the issue is processed yet: nothing to write
        return
    with tempfile.TemporaryDirectory(prefix="ocr-pdf-") as tmp:
        if job.options["font"] == GLYPHLESS:
            chars = {c for view in views for line in view.lines for c in line.text}
            font_list = [Font(str(glyphless_font(chars, Path(tmp) / "glyphless.ttf")))]
        else:
            font_list = fonts(job.options["font"])
        doc = IssuePdf(job.record["issue"], font_list)
        for view in views:
            image = scan_image(page_row(job.record, view))
            doc.add_page(view, image, job.options["dpi"], job.options["quality"])
        job.write_with(name, doc.output)
    if doc.missing:
        chars = "".join(sorted(doc.missing))
        job.warnings.append(f"no glyph for {chars!r} in the PDF's fonts: not searchable there")


class IssuePdf:
    """One issue's PDF being built (fpdf2, units of points)."""

    def __init__(self, issue: dict[str, Any], font_list: list[Font]):
        from fpdf import FPDF

        self.pdf = FPDF(unit="pt")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(0, 0, 0)
        self.pdf.set_creator(f"zhangmiao-ocr {__version__}")
        self.pdf.set_title(" ".join(str(v) for v in (issue["title"], issue["date"]) if v))
        self.pdf.set_lang("zh-CN")
        self.fonts = font_list
        self.loaded: set[Font] = set()
        self.missing: set[str] = set()

    def add_page(self, view: PageView, image, dpi: int, quality: int) -> None:
        """The page: its image at ``dpi`` and its lines as invisible text."""
        from fpdf.enums import TextMode

        scan_dpi = view.dpi or dpi  # a scan that states no resolution: taken as at ``dpi``
        k = 72.0 / scan_dpi  # points per scan pixel
        pdf = self.pdf
        pdf.add_page(format=(view.width * k, view.height * k))
        picture = scaled(image, min(1.0, dpi / scan_dpi))
        data = encode(picture, "jpeg", quality, dpi=min(dpi, scan_dpi), progressive=True)
        pdf.image(_stream(data), x=0, y=0, w=view.width * k, h=view.height * k)
        pdf.text_mode = TextMode.INVISIBLE
        for line in view.lines:
            if line.text:
                self._line(line, k)
        pdf.text_mode = TextMode.FILL

    def _line(self, line: LineView, k: float) -> None:
        """One line as one string, its glyph box on the line's box, stretched along it."""
        pdf = self.pdf
        font = self._font_for(line.text)
        head, foot, far = _frame(line)
        length, thickness = math.dist(head, far) * k, math.dist(head, foot) * k
        ascent, descent = self._metrics(font)
        pdf.set_font(font.key, size=max(thickness / (ascent + descent), 0.5))
        pdf.set_stretching(100)
        natural = pdf.get_string_width(line.text)
        f = ascent / (ascent + descent)  # the baseline, from the glyphs' top edge
        bx = (head[0] + (foot[0] - head[0]) * f) * k
        by = (head[1] + (foot[1] - head[1]) * f) * k
        angle = -math.degrees(math.atan2(far[1] - head[1], far[0] - head[0]))
        with pdf.rotation(angle, x=bx, y=by):
            pdf.set_stretching(100 * length / natural if natural > 0 else 100)
            pdf.text(bx, by, line.text)
        pdf.set_stretching(100)

    def _font_for(self, text: str) -> Font:
        """The first font with a glyph for every character of ``text`` (else the first)."""
        if len(self.fonts) == 1 and self.fonts[0].path.endswith("glyphless.ttf"):
            self.missing |= {c for c in text if not usable(c)}
            return self._load(self.fonts[0])
        needed = {ord(c) for c in text if not c.isspace()}
        for font in self.fonts:
            if needed <= _cmap(font):
                return self._load(font)
        self.missing |= {chr(c) for c in needed - _cmap(self.fonts[0])}
        return self._load(self.fonts[0])

    def _load(self, font: Font) -> Font:
        if font not in self.loaded:
            self.pdf.add_font(font.key, fname=font.path, collection_font_number=font.index)
            self.loaded.add(font)
        return font

    def _metrics(self, font: Font) -> tuple[float, float]:
        """The font's ascent and descent in ems (what viewers take as a glyph's box)."""
        desc = self.pdf.fonts[font.key.lower()].desc
        return desc.ascent / 1000, abs(desc.descent) / 1000

    def output(self, path: Path) -> None:
        self.pdf.output(str(path))


def _frame(line: LineView) -> tuple[Point, Point, Point]:
    """Three corners of the line's polygon: ``head``, where the glyphs' top edge starts;
    ``foot``, across from it on their bottom edge; ``far``, where the top edge ends. A
    vertical line's string is turned a quarter clockwise: its glyphs' tops face right."""
    tl, tr, br, bl = line.poly
    if line.vertical:
        return tr, tl, br
    return tl, bl, tr


def _stream(data: bytes):
    import io

    return io.BytesIO(data)
