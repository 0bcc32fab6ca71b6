"""The exports' one Jinja2 environment: templates in ``ocr/export/templates``, autoescape
on for HTML, XML and SVG; plain text and Markdown get their own escaping filter."""

from __future__ import annotations

import re
from functools import lru_cache

MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~!])")


def md_escape(text: str | None) -> str:
    """``text`` with Markdown's markup characters escaped, so it reads as written."""
    return MD_SPECIAL.sub(r"\\\1", text or "")


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("ocr.export", "templates"),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_escape
    return env


def render(name: str, **context) -> str:
    """The template ``name`` rendered with ``context``."""
    return environment().get_template(name).render(**context)
