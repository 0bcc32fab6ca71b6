"""Which preparation steps run: :class:`PrepareOptions`, part of the page settings.

Apart from ``ocr.scan.prepare`` so that the batch's planner knows the settings without
loading OpenCV.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PrepareOptions:
    """Which preparation steps run (all by default); part of the page settings."""

    orient: bool = True
    split: bool = True
    outline: bool = True
    unwarp: bool = True
    scale: bool = True
    deskew: bool = True
    clean: bool = True

    def settings(self) -> dict[str, bool]:
        return asdict(self)

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> PrepareOptions:
        known = {k: bool(v) for k, v in (settings or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)
