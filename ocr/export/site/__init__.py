"""The ``site`` export: a static archive website (calendar, issues, page viewer with line
outlines, article pages, full-text search in the browser), relative links throughout;
written by ``ocr export site`` (``build.write_issue``, ``build.finish``)."""
