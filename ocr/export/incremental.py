"""Incremental exports: each issue written once per change, its files tracked in a manifest.

Every format writes into its own output folder through :func:`run_export`. Per issue
the archive's record (``archive.issue_record``: the issue, its pages with regions and
lines, its articles) is read once and given a content fingerprint (SHA-256 of the
record without its time stamps, plus the format's name and version, its options and
the code version). The fingerprint and the files written are kept in the folder's
manifest ``.ocr-export/FORMAT.json``: an issue whose fingerprint is unchanged and whose
files are all still there is not written again. Files are written atomically (a
temporary file, then a rename); a file an issue no longer produces (its title, hence
its name, changed) is removed. A place that cannot be written raises
:class:`OutputError`.

A format with archive-wide files (the site's calendar and search index, the IIIF
collection) writes them in its ``finish(job)`` after the issues, through an
:class:`ExportJob` of its own; they are fingerprinted too (the format, its options, the
code version and every issue's fingerprint as the manifest has it), so they are written
again when any issue was, or when one of them is gone, and only then.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr import __version__, archive
from ocr.errors import InputError, OutputError

MANIFEST_VERSION = 1
MANIFEST_DIR = ".ocr-export"
ARCHIVE = "archive"  # the manifest's key for a format's archive-wide files
SAVE_EVERY = 5.0  # seconds between saves of the manifest during an export (and at its end)
# Columns that change when nothing readers see changed (a page re-read to the same
# result, a lease taken and freed): left out of the fingerprint.
VOLATILE = frozenset(
    {
        "updated_at",
        "created_at",
        "processed_at",
        "seconds",
        "timings",
        "attempts",
        "lease_run",
        "lease_pid",
        "lease_host",
        "lease_at",
    }
)

Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class ExportJob:
    """What a format writes into: files go through :meth:`write_text` /
    :meth:`write_bytes` / :meth:`write_with` with paths relative to ``out_dir``,
    written atomically and tracked (``files``) for the manifest. The archive-wide part
    of an export (a format's ``finish``) gets one of these."""

    db: Any
    out_dir: Path
    options: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # written, but not all of it

    def path(self, rel: str) -> Path:
        return self.out_dir / rel

    def write_text(self, rel: str, text: str) -> Path:
        return self._write(rel, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> Path:
        return self._write(rel, lambda tmp: tmp.write_bytes(data))

    def write_with(self, rel: str, writer: Callable[[Path], Any]) -> Path:
        """Write ``rel`` by calling ``writer(temporary_path)`` (for libraries that write
        files themselves), then move it in place."""
        return self._write(rel, writer)

    def write_all(self, files) -> None:
        """Write ``(relative path, text or bytes)`` pairs."""
        for rel, data in files:
            if isinstance(data, bytes):
                self.write_bytes(rel, data)
            else:
                self.write_text(rel, data)

    def _write(self, rel: str, writer: Callable[[Path], Any]) -> Path:
        path = inside(self.out_dir, rel)
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer(tmp)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise cannot_write(path, exc) from exc
        if rel not in self.files:
            self.files.append(rel)
        return path


@dataclass
class IssueExport(ExportJob):
    """One issue being exported: what a format's writer reads and where it writes.

    ``record`` is ``archive.issue_record(db, issue_id)``; ``options`` the format's
    options."""

    issue_id: int = 0
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExportReport:
    """What :func:`run_export` did: files written, issues written and left unchanged."""

    format: str
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    issues_written: list[int] = field(default_factory=list)
    issues_unchanged: list[int] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (issue, why)
    warnings: list[str] = field(default_factory=list)
    archive_written: bool = False  # the archive-wide files (a format's ``finish``)


def run_export(
    db,
    fmt,
    out_dir: Path,
    issue_ids: list[int] | None = None,
    options: dict[str, Any] | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> ExportReport:
    """Export the issues ``issue_ids`` (all by default) in the format ``fmt`` (a
    :class:`ocr.export.formats.Format`) into ``out_dir``; only issues changed since the
    last export into that folder are written (every one with ``force``). An issue whose
    scan cannot be read (gone, changed) is left out and reported in ``failed``; the
    others are exported."""
    options = {**fmt.defaults(), **(options or {})}
    ids = _issue_ids(db, issue_ids)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(out_dir, exc) from exc
    manifest = Manifest.load(out_dir, fmt.name)
    report = ExportReport(fmt.name, out_dir)
    notify = progress or (lambda event, data: None)
    notify("start", {"format": fmt.name, "total": len(ids)})
    try:
        for issue_id in ids:
            _export_issue(db, fmt, issue_id, options, force, manifest, report, notify)
            if time.monotonic() - manifest.saved_at > SAVE_EVERY:
                manifest.save()
        if fmt.finisher is not None:
            _finish(db, fmt, options, force, manifest, report)
    finally:  # what was written is recorded, even when the export stops half-way
        if manifest.dirty:
            try:
                manifest.save()
            except OutputError:
                if sys.exc_info()[0] is None:
                    raise
    notify("end", {"written": len(report.issues_written)})
    return report


def _finish(db, fmt, options, force, manifest, report) -> None:
    """The format's archive-wide files, unless nothing they are made of changed."""
    prints = {str(i): manifest.issues.get(str(i), {}).get("fingerprint")
              for i in archive.issue_ids(db)}  # fmt: skip
    print_ = fingerprint({"issues": prints}, fmt, options)
    if not force and manifest.unchanged(ARCHIVE, print_):
        return
    job = ExportJob(db, manifest.out_dir, options)
    fmt.finish(job)
    report.removed += manifest.record(ARCHIVE, print_, job.files)
    report.written += [manifest.out_dir / f for f in job.files]
    report.warnings += job.warnings
    report.archive_written = True


def _export_issue(db, fmt, issue_id, options, force, manifest, report, notify) -> None:
    """Write one issue unless its fingerprint is the one the manifest has."""
    out_dir = manifest.out_dir
    record = archive.issue_record(db, issue_id)
    print_ = fingerprint(record, fmt, options)
    if not force and manifest.unchanged(issue_id, print_):
        report.issues_unchanged.append(issue_id)
        notify("issue", {"issue": issue_id, "written": False, "files": []})
        return
    job = IssueExport(db, out_dir, options, issue_id=issue_id, record=record)
    try:
        fmt.write(job)
    except InputError as exc:  # a scan gone or changed: this issue only
        manifest.discard(job.files)
        report.failed.append((issue_id, f"issue {issue_id}: {exc}"))
        notify("issue", {"issue": issue_id, "written": False, "failed": str(exc)})
        return
    report.removed += manifest.record(issue_id, print_, job.files)
    report.issues_written.append(issue_id)
    report.written += [out_dir / f for f in job.files]
    report.warnings += [f"issue {issue_id}: {w}" for w in job.warnings]
    notify("issue", {"issue": issue_id, "written": True, "files": list(job.files)})


def _issue_ids(db, wanted: list[int] | None) -> list[int]:
    known = archive.issue_ids(db)
    if not wanted:
        return known
    missing = sorted(set(wanted) - set(known))
    if missing:
        raise InputError(f"--issue {missing[0]}", "no such issue in the archive")
    return [i for i in known if i in set(wanted)]


def fingerprint(record: dict[str, Any], fmt, options: dict[str, Any]) -> str:
    """The SHA-256 of what an issue's export is made of: its stored content (without
    time stamps), the format's name and version, its options and the code version."""
    content = {
        "format": fmt.name,
        "format_version": fmt.version,
        "code": __version__,
        "options": {k: str(v) for k, v in sorted(options.items())},
        "record": _stable(record),
    }
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    return value


class Manifest:
    """The output folder's record of one format's export: per issue its fingerprint and
    files (relative paths), and the same for the archive-wide files under
    :data:`ARCHIVE`. A missing or unreadable manifest is an empty one: every
    issue is written again."""

    def __init__(self, out_dir: Path, fmt: str, issues: dict[str, dict[str, Any]]):
        self.out_dir = out_dir
        self.fmt = fmt
        self.issues = issues
        self.dirty = False
        self.saved_at = time.monotonic()

    @classmethod
    def path_for(cls, out_dir: Path, fmt: str) -> Path:
        """``OUT/.ocr-export/FORMAT.json``: in a folder of its own, so that a reader
        taking ``*.json`` from the export folder does not take the manifest."""
        return out_dir / MANIFEST_DIR / f"{fmt}.json"

    @classmethod
    def load(cls, out_dir: Path, fmt: str) -> Manifest:
        try:
            data = json.loads(cls.path_for(out_dir, fmt).read_text(encoding="utf-8"))
            ok = data.get("version") == MANIFEST_VERSION and data.get("format") == fmt
            issues = data["issues"] if ok and isinstance(data.get("issues"), dict) else {}
        except (OSError, ValueError, AttributeError):
            issues = {}
        return cls(out_dir, fmt, issues)

    def unchanged(self, issue_id: int | str, print_: str) -> bool:
        entry = self.issues.get(str(issue_id))
        if not entry or entry.get("fingerprint") != print_:
            return False
        try:
            return all(inside(self.out_dir, f).is_file() for f in entry.get("files", []))
        except OutputError:
            return False

    def record(self, issue_id: int | str, print_: str, files: list[str]) -> list[Path]:
        """Note the issue's new export; remove the files its last export wrote that
        this one did not (return them)."""
        old = self.issues.get(str(issue_id), {}).get("files", [])
        self.issues[str(issue_id)] = {"fingerprint": print_, "files": list(files)}
        self.dirty = True
        removed = []
        for rel in set(old) - set(files):
            try:
                path = inside(self.out_dir, rel)
                path.unlink()
            except (OSError, OutputError):
                continue
            removed.append(path)
        return removed

    def discard(self, files: list[str]) -> None:
        """Remove the files a failed export of an issue wrote, except those an earlier
        export of it (still in the manifest) wrote too."""
        kept = {f for entry in self.issues.values() for f in entry.get("files", [])}
        for rel in set(files) - kept:
            try:
                inside(self.out_dir, rel).unlink()
            except (OSError, OutputError):
                continue

    def save(self) -> None:
        path = self.path_for(self.out_dir, self.fmt)
        tmp = path.with_name(path.name + ".tmp")
        data = {"format": self.fmt, "version": MANIFEST_VERSION, "issues": self.issues}
        try:
            path.parent.mkdir(exist_ok=True)
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise cannot_write(path, exc) from exc
        self.dirty = False
        self.saved_at = time.monotonic()


def slug(text: str | None) -> str:
    """A file-name-safe form of ``text`` (letters, CJK and digits kept), at most 80 long."""
    s = re.sub(r"[^\w.-]+", "-", text or "issue", flags=re.UNICODE).strip("-.")
    return s[:80] or "issue"


def issue_file_name(issue: dict[str, Any], suffix: str = "") -> str:
    """``issue-<id>-<title>`` plus ``suffix``: how every export names an issue's files."""
    return f"issue-{issue['id']}-{slug(issue['title'])}{suffix}"


def inside(out_dir: Path, rel: str) -> Path:
    """``out_dir / rel``, refused (:class:`OutputError`) when ``rel`` leads out of it."""
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        raise OutputError(f"{rel}: not a path inside the export folder {out_dir}")
    return out_dir / rel


def cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write the export to {path}: {exc.strerror or exc}")
