"""Templates for the XML and HTML exports (Jinja2, autoescape on, strict undefined).

Every value a template prints is escaped, and characters XML 1.0 cannot carry (control
characters a recognizer or a reviewer let through) are dropped, so an ALTO, METS or hOCR
file always parses."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ocr.export", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = num
    return env


def render(template: str, **context: Any) -> str:
    """The template ``ocr/export/templates/<template>`` rendered with ``context``."""
    return environment().get_template(template).render(**context)
