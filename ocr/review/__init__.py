"""The review web app: reviewers correct lines and articles in the browser (``ocr review``).

- ``app``: the Starlette application (:func:`create_app`), its settings, security
  headers, the per-thread archive connection and the ``route`` wrapper every route uses.
- ``auth``: argon2 passwords, sessions, CSRF, roles, login limits.
- ``routes``: the HTML pages (Jinja2 templates in ``templates/``, autoescaped).
- ``api``: the JSON API the scripts in ``static/`` call.
- ``images``: page images and line crops, by page id from the archive's page folder.
"""

from ocr.review.app import create_app

__all__ = ["create_app"]
