"""How exports name an issue and its pages for readers (``张庙社区晨报 2021-01-20 第75期``,
``第1、2版``)."""

from __future__ import annotations


def issue_label(issue: dict) -> str:
    """An issue as a reader names it: ``张庙社区晨报 2021-01-20 第75期``."""
    parts = [issue.get("title") or "未命名", issue.get("date") or "日期不详"]
    if issue.get("number") is not None:
        parts.append(f"第{issue['number']}期")
    return " ".join(parts)


def pages_label(pages: list[int]) -> str:
    """Page numbers as printed in Chinese: ``第1、2版``."""
    return "第" + "、".join(str(p) for p in pages) + "版" if pages else ""
