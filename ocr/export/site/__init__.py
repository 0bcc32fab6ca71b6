"""The ``site`` export: a static archive website (calendar, issues, page viewer with line
outlines, article pages, full-text search in the browser), relative links throughout."""

from ocr.export.site.build import export_site

__all__ = ["export_site"]
