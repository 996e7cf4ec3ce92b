"""A page's positioned pieces: words and ruling-line segments, each with its box."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from gxllm.document import Box


@dataclass(frozen=True)
class Word:
    """A piece of text and its box; ``confidence`` is set by OCR, not by a text layer."""

    text: str
    box: Box
    confidence: float | None = None

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def center(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


@dataclass(frozen=True)
class Rule:
    """A ruling-line segment; thin in one direction."""

    box: Box

    @property
    def orientation(self) -> Literal["h", "v"]:
        x0, top, x1, bottom = self.box
        return "h" if x1 - x0 >= bottom - top else "v"


def union(boxes: Sequence[Box]) -> Box:
    """The smallest box holding all of ``boxes``."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def lowest_confidence(confidences: Iterable[float | None]) -> float | None:
    """The lowest OCR confidence among pieces; None when none was OCR'd."""
    known = [c for c in confidences if c is not None]
    return min(known) if known else None
