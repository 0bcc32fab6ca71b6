"""Writing export files: whole or not at all, a folder that cannot be written an OutputError."""

from __future__ import annotations

from pathlib import Path

from ocr.errors import OutputError


def write_file(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` (parents created) through a temporary file, so no
    half-written file is left; :class:`OutputError` when the place cannot be written."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write the export to {path}: {exc.strerror or exc}") from exc
    return path


def issue_label(issue: dict) -> str:
    """An issue as a reader names it: ``张庙社区晨报 2021-01-20 第75期``."""
    parts = [issue.get("title") or "未命名", issue.get("date") or "日期不详"]
    if issue.get("number") is not None:
        parts.append(f"第{issue['number']}期")
    return " ".join(parts)


def pages_label(pages: list[int]) -> str:
    """Page numbers as printed in Chinese: ``第1、2版``."""
    return "第" + "、".join(str(p) for p in pages) + "版" if pages else ""


def write_through(job, files) -> None:
    """Write ``(relative path, text or bytes)`` pairs through an incremental-export job
    (anything with ``write_text(rel, text)`` and ``write_bytes(rel, data)``: the
    ``IssueExport`` of ``ocr export FORMAT``), which tracks what each issue wrote."""
    for rel, data in files:
        if isinstance(data, bytes):
            job.write_bytes(rel, data)
        else:
            job.write_text(rel, data)


def write_all(out_dir: Path, files) -> list[Path]:
    """Write ``(relative path, text or bytes)`` pairs under ``out_dir``."""
    return [write_file(out_dir / rel, data) for rel, data in files]
