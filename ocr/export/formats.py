"""The export formats: name, writer, options (the one list ``ocr export FORMAT`` offers).

A format is a writer ``write(job: IssueExport) -> None`` that writes one issue's files
through ``job.write_text`` / ``job.write_bytes`` (see :mod:`ocr.export.incremental`),
and optionally ``finish(job: ExportJob) -> None``, run after the issues when any of
them changed, which writes the archive-wide files (the site's calendar and search
index, the IIIF collection) the same way. Writers are named as
``"module:function"`` and imported when used, so ``ocr export --help`` stays light.
Bump a format's ``version`` when its output changes: every issue is written again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Option:
    """A format's own option (``--NAME`` on the command line)."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] = ()  # the values allowed, when a few
    minimum: int | None = None  # the least value allowed, for a number


@dataclass(frozen=True)
class Format:
    """One export format."""

    name: str
    help: str  # what it writes, one line
    writer: str  # "module:function", the issue writer
    version: int = 1
    options: tuple[Option, ...] = ()
    finisher: str | None = None  # "module:function", run once after the issues
    default_out: str | None = None  # default: output/export/NAME

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.options}

    def out_dir(self) -> Path:
        return Path(self.default_out or f"output/export/{self.name}")

    def write(self, job) -> None:
        _resolve(self.writer)(job)

    @property
    def finish(self) -> Callable[..., None] | None:
        return _resolve(self.finisher) if self.finisher else None


def _resolve(spec: str) -> Callable[..., Any]:
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


IMAGES = Option(
    "images", str, "jpeg", "Page images (the original scan, full size) as", ("jpeg", "png")
)
QUALITY = Option("quality", int, 90, "JPEG quality of the page images (1-95).")

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "json",
            "One JSON file per issue: pages, regions, lines and articles (the contract).",
            "ocr.export.jsondoc:write_issue",
            default_out="output/export",
        ),
        Format(
            "alto",
            "ALTO 4.3 XML per page, a METS file per issue (NDNP style), the page images.",
            "ocr.export.alto:write_issue",
            options=(IMAGES, QUALITY),
        ),
        Format(
            "hocr",
            "hOCR per page (ocr_page, ocr_carea, ocr_par, ocr_line, ocrx_word), the page images.",
            "ocr.export.hocr:write_issue",
            options=(
                Option(
                    "images",
                    str,
                    "jpeg",
                    "Page images (the original scan) as, or none (name the scan file)",
                    ("jpeg", "png", "none"),
                ),
                QUALITY,
            ),
        ),
        Format(
            "pdf",
            "A searchable PDF per issue: page images with an invisible text layer.",
            "ocr.export.pdf:write_issue",
            options=(
                Option("dpi", int, 200, "Resolution of the page images (at most the scan's)."),
                Option("quality", int, 60, "JPEG quality of the page images (1-95)."),
                Option(
                    "font",
                    str,
                    "glyphless",
                    "The text layer's font: glyphless (an empty glyph per character), "
                    "cjk (a subset of the installed Noto Sans CJK SC) or FILE[:FACE].",
                ),
            ),
        ),
        Format(
            "text",
            "One plain-text file per article (title, date, pages, then its text), in "
            "reading order.",
            "ocr.export.text:write_text_issue",
            default_out="output/text",
        ),
        Format(
            "markdown",
            "One Markdown file per article and an index.md per issue, in reading order.",
            "ocr.export.text:write_markdown_issue",
            default_out="output/markdown",
        ),
        Format(
            "iiif",
            "IIIF Presentation 3: a manifest per issue (pages, articles as ranges, line "
            "annotations), a collection.json to open in Mirador or Universal Viewer.",
            "ocr.export.iiif:write_issue",
            finisher="ocr.export.iiif:finish",
            default_out="output/iiif",
            options=(
                Option(
                    "base_url",
                    str,
                    "http://127.0.0.1:8000/",
                    "Where the --out folder will be served (IIIF ids are absolute URLs).",
                ),
                Option(
                    "max_side",
                    int,
                    0,
                    "Page images at most this many pixels on the longer side (0: the scan's).",
                    minimum=0,
                ),
            ),
        ),
        Format(
            "site",
            "A static archive website: a calendar of issues, page viewers with line "
            "outlines, article pages, search in the browser; no server code.",
            "ocr.export.site.build:write_issue",
            finisher="ocr.export.site.build:finish",
            default_out="output/site",
            options=(Option("name", str, "", "The site's name (default: the archive's paper)."),),
        ),
    )
}


def get(name: str) -> Format:
    return FORMATS[name]
