"""The exports' templates (Jinja2, strict undefined), in one loader: ``ocr/export/templates``.

Two environments over it. ``render`` (ALTO, METS, hOCR): every value escaped, and
characters XML 1.0 cannot carry (control characters a recognizer or a reviewer let
through) dropped, so the file always parses. ``render_page`` (the site, text, Markdown):
autoescape on for HTML, XML and SVG; plain text and Markdown get the ``md`` filter."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~!])")


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value


def num(value: float) -> str:
    """A coordinate: an integer when it is one, else one decimal."""
    r = round(float(value), 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def md_escape(text: str | None) -> str:
    """``text`` with Markdown's markup characters escaped, so it reads as written."""
    return MD_SPECIAL.sub(r"\\\1", text or "")


def _environment(**options: Any) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ocr.export", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    env.filters["num"] = num
    env.filters["md"] = md_escape
    return env


@cache
def environment() -> jinja2.Environment:
    """The XML exports' environment: everything escaped, non-XML characters dropped."""
    return _environment(autoescape=True, finalize=_finalize)


@cache
def page_environment() -> jinja2.Environment:
    """The site's, text's and Markdown's: escaped by the template's kind."""
    auto = jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True)
    return _environment(autoescape=auto)


def render(template: str, **context: Any) -> str:
    """The XML template ``ocr/export/templates/<template>`` rendered with ``context``."""
    return environment().get_template(template).render(**context)


def render_page(template: str, **context: Any) -> str:
    """The site, text or Markdown template ``template`` rendered with ``context``."""
    return page_environment().get_template(template).render(**context)
