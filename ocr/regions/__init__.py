"""Regions: what each block and line of a page is, and what the page says.

What the page says of itself: date, issue and page numbers.
"""

from ocr.model import TEXT_KINDS
from ocr.regions.classify import classify_regions
from ocr.regions.metadata import page_meta

__all__ = ["TEXT_KINDS", "classify_regions", "page_meta"]
