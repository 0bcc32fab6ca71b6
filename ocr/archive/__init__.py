"""The archive: the SQLite database, the only code that reads or writes SQL.

Callers use the functions re-exported here (``from ocr import archive``;
``archive.save_page(db, ...)``), never the modules behind them, so that patching
``archive.save_page`` or ``archive.open_db`` reaches every caller.

- ``db``: opening an archive (``open_db``), ``migrate``, ``transaction``, ``now``.
- ``migrations``: the schema as numbered migrations, each run in a transaction and
  recorded by name in ``_migrations`` (a released migration never changes: existing
  archives must open).
- ``pages``: issues, page rows, a processed page's regions and lines, provenance,
  failures, file hashes, the paper's name.
- ``leases``: which batch holds which pages (claimed, renewed, freed as stored).
- ``corrections``: reviewer corrections, kept through re-OCR, and conflicts.
- ``articles``: an issue's articles, replaced at once.
- ``queries``: every read.
- ``search``: full-text search over articles and lines (FTS5 tables of migration 0006,
  kept current by triggers), ``rebuild_index``.
- ``users``: reviewers' accounts, login sessions and failed logins.
- ``review``: reviewers' changes of lines and pages (text, checks, conflicts, status),
  each recorded with who, when, before and after; undo.
- ``edits``: reviewers' article edits (title, move, merge, split, reorder, continue),
  pinned so that re-assembly works around them.
- ``review_queries``: reads for review (issue overviews, a page, the work queues, search
  hits with their pages).
- ``carry``: what a re-read page carries over from the lines it replaces.

Rows are plain dicts in and out (through sqlite-utils). One process writes: the batch's
main process stores every page in one transaction, so a batch killed at any moment
leaves every page either fully stored or not at all. Lines and articles carry a
``version``; every change of a line's text is kept in ``line_history``, so reviewer
corrections are never lost.

Coordinates: ``poly`` columns hold JSON ``[[x, y] x 4]`` in original-scan pixels;
``x0 y0 x1 y1`` columns hold the box in the deskewed page image.
"""

from ocr.archive.articles import save_articles
from ocr.archive.corrections import conflicts, correct_line, count_conflicts
from ocr.archive.db import migrate, now, open_db, rollback, transaction
from ocr.archive.edits import (
    article_changes,
    article_snapshot,
    link_continuation,
    merge_articles,
    move_block,
    pinned_lines,
    reorder_blocks,
    retitle,
    split_article,
    undo_article_change,
)
from ocr.archive.leases import claim_pages, lease_holders, release_leases, renew_leases
from ocr.archive.migrations import MIGRATIONS
from ocr.archive.pages import (
    ensure_page,
    known_sha256,
    name_paper,
    page_by_identity,
    provenance_id,
    record_failure,
    remember_sha256,
    save_page,
    set_page_count,
    upsert_issue,
)
from ocr.archive.queries import (
    articles_across_pages,
    count_suspects,
    failed_issue_files,
    failures,
    highest_dpi,
    issue_ids,
    issue_layouts,
    issue_pages,
    issue_record,
    issue_row,
    pages_done,
    paper_names,
    provenance_records,
    recent_confidences,
    retry_settings,
    sources_with_failures,
    sources_with_suspects,
    status_counts,
    summary,
    suspects,
)
from ocr.archive.review import (
    PAGE_STATUSES,
    change_row,
    check_line,
    line_changes,
    line_on_page,
    line_texts,
    resolve_conflict,
    save_line,
    set_review_status,
    undo_line_change,
)
from ocr.archive.review_queries import (
    article_view,
    conflict_queue,
    issue_articles,
    issue_choices,
    issue_overviews,
    issue_review_pages,
    line_box,
    low_confidence_queue,
    page_head,
    page_image,
    review_page,
    search_hits,
)
from ocr.archive.search import (
    count_hits,
    index_counts,
    rebuild_index,
    search,
    search_lines,
)
from ocr.archive.users import (
    ROLES,
    add_user,
    clear_login_failures,
    end_session,
    login_attempt,
    remove_user,
    session_user,
    set_password,
    start_session,
    user_by_name,
    users,
)

__all__ = [
    "search_hits",
    "search_lines",
    "search",
    "rebuild_index",
    "index_counts",
    "count_hits",
    "MIGRATIONS",
    "PAGE_STATUSES",
    "ROLES",
    "add_user",
    "article_changes",
    "article_snapshot",
    "article_view",
    "articles_across_pages",
    "change_row",
    "check_line",
    "clear_login_failures",
    "claim_pages",
    "conflict_queue",
    "conflicts",
    "correct_line",
    "count_conflicts",
    "count_suspects",
    "end_session",
    "ensure_page",
    "failed_issue_files",
    "failures",
    "highest_dpi",
    "issue_articles",
    "issue_choices",
    "issue_ids",
    "issue_layouts",
    "issue_overviews",
    "issue_pages",
    "issue_record",
    "issue_review_pages",
    "issue_row",
    "known_sha256",
    "lease_holders",
    "line_box",
    "line_changes",
    "line_on_page",
    "line_texts",
    "link_continuation",
    "login_attempt",
    "low_confidence_queue",
    "merge_articles",
    "migrate",
    "move_block",
    "name_paper",
    "now",
    "open_db",
    "page_by_identity",
    "page_head",
    "page_image",
    "pages_done",
    "paper_names",
    "pinned_lines",
    "provenance_id",
    "provenance_records",
    "recent_confidences",
    "record_failure",
    "release_leases",
    "remember_sha256",
    "remove_user",
    "renew_leases",
    "reorder_blocks",
    "resolve_conflict",
    "retitle",
    "retry_settings",
    "review_page",
    "rollback",
    "save_articles",
    "save_line",
    "save_page",
    "session_user",
    "set_page_count",
    "set_password",
    "set_review_status",
    "sources_with_failures",
    "sources_with_suspects",
    "split_article",
    "start_session",
    "status_counts",
    "summary",
    "suspects",
    "transaction",
    "undo_article_change",
    "undo_line_change",
    "upsert_issue",
    "user_by_name",
    "users",
]
