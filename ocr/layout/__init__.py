"""Stage 2, layout (OpenCV): a deskewed page cut into text blocks, photos, QR codes, rules."""

from ocr.layout.segment import binarize, crop, segment

__all__ = ["binarize", "crop", "segment"]
