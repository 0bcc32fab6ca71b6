"""Articles: an issue's lines grouped into articles, across columns and pages."""

from ocr.articles.assemble import ArticleDraft, assemble_articles, block_articles
from ocr.articles.issue import effective_numbers, issue_facts, page_flags
from ocr.articles.link import title_similarity

__all__ = [
    "ArticleDraft",
    "assemble_articles",
    "block_articles",
    "effective_numbers",
    "issue_facts",
    "page_flags",
    "title_similarity",
]
