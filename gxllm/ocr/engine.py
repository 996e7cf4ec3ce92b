"""What gxllm asks of an OCR engine: find text lines, read them in batches,
and tell which ones are upside down."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class OcrEngine(Protocol):
    """A text detector, a line recogniser and a 0/180 line classifier.

    Images are ``uint8`` arrays of shape (height, width, 3) in BGR order, as
    OpenCV and both PP-OCR runtimes use them.
    """

    name: str

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """Text-line quadrilaterals, each a (4, 2) array of corners in pixels.

        The image is read at the scale given: the caller sizes it for the
        detector (see ``gxllm.ocr.page.DETECT_DPI``).
        """
        ...

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Each crop's text and confidence (0-1), read in batches."""
        ...

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[float]:
        """For each crop, the probability that its text is rotated by 180°."""
        ...
