"""The OCR engine interface: what an engine must provide to the recognize stage."""

from __future__ import annotations

import abc
import os
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np

    from ocr.recognize.model_files import ModelSet

# A detected text line: its quadrilateral (4x2 float array, pixels of the image given,
# any corner order) and the detector's score.
ScoredQuad = tuple["np.ndarray", float]


class OcrEngine(abc.ABC):
    """An OCR engine: text line detection and recognition, like OCRmyPDF's ``OcrEngine``.

    The engine is pluggable (``--engine module:Class``; the default is
    :class:`ocr.recognize.paddle.PaddleEngine`, the fault-injection fakes of
    ``tests/fakes.py`` are others). A subclass provides:

    * ``Engine(models, threads)`` -- build the engine from a :class:`ModelSet` (``None``
      for the default models) with ``threads`` compute threads. It is built once per
      worker process (:func:`ocr.pipeline.init_worker`), so loading models belongs here;
      a model problem raises :class:`ocr.errors.ModelError` or ``EngineError``.
    * :meth:`detect` -- the text lines in one text block of the deskewed page.
    * :meth:`recognize` -- the text and confidence of each line's crop; optionally
      :meth:`recognize_placed`, the same with each character's place along the crop.
    * :attr:`name` and :meth:`version` -- what the engine is, for the provenance.
    * :meth:`settings` -- the engine's own settings that decide what it reads. They go
      into each page's settings hash (:func:`ocr.pipeline.settings_for`): when they
      change, pages read before are read again. A classmethod, so the hash is known
      without loading any model.
    * :meth:`provenance` -- what is recorded with every page read (models, versions,
      settings); by default the name, version and settings.

    Images are uint8 arrays, gray (HxW) or BGR (HxWx3, OpenCV's order). A subclass
    converts its library's output to the plain tuples below: nothing engine-specific
    travels further.
    The engine-independent reading (blocks, crops, order) is :mod:`ocr.recognize.read`.
    """

    name: ClassVar[str] = ""  # short and stable, e.g. "paddleocr"

    def __init__(self, models: ModelSet | None = None, threads: int | None = None):
        self.models = models
        self.threads = threads or max(1, os.cpu_count() or 1)

    @classmethod
    @abc.abstractmethod
    def version(cls) -> str:
        """The engine's version (of the library it wraps, or its own)."""

    @classmethod
    def settings(cls) -> dict[str, Any]:
        """The engine's settings that decide what it reads (JSON-serializable): part of
        every page's settings hash. None by default."""
        return {}

    @abc.abstractmethod
    def detect(self, image: np.ndarray) -> list[ScoredQuad]:
        """The text lines in ``image`` (one text block of the deskewed page, with a
        margin): their quadrilaterals in ``image``'s pixels, with their scores."""

    @abc.abstractmethod
    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence (0-1) for each line crop (upright, reading left to
        right), in the order given; ``("", 0.0)`` for a crop with nothing to read."""

    def recognize_placed(
        self, crops: list[np.ndarray]
    ) -> list[tuple[str, float, list[float] | None]]:
        """:meth:`recognize`, with each character's centre along the crop (a fraction of
        its width, one per character of the text) where the engine knows it; None by
        default."""
        return [(text, score, None) for text, score in self.recognize(crops)]

    def provenance(self) -> dict[str, Any]:
        """What is recorded with every page this engine read (JSON-serializable)."""
        return {"engine": self.name, "version": self.version(), **self.settings()}
