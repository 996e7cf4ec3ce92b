"""OCR for pages without a text layer: engines, and one page read into words and rules.

RapidOCR is the default engine: PP-OCR's ONNX models ship inside its wheel,
so nothing is downloaded at run time. PaddleOCR is the second, when installed
and given model folders (docs/ocr.md). Another engine plugs in by implementing
:class:`OcrEngine`, its name in ``OcrEngineName`` (:mod:`gxllm.settings`) and in :func:`_engine`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gxllm.ocr.engine import OcrEngine
from gxllm.settings import OcrEngineName, Settings

__all__ = ["OcrEngine", "get_engine"]


@lru_cache(maxsize=2)
def _engine(name: OcrEngineName, threads: int, model_dir: Path | None) -> OcrEngine:
    if name == "paddleocr":
        from gxllm.ocr.paddle import PaddleOcrEngine

        return PaddleOcrEngine(model_dir, threads)
    from gxllm.ocr.rapid import RapidOcrEngine

    return RapidOcrEngine(threads)


def get_engine(settings: Settings) -> OcrEngine:
    """The configured engine, loaded once per process (models take seconds to load); a
    :class:`~gxllm.errors.ConfigError` when it cannot be (paddleocr not installed, no model folders)."""
    return _engine(settings.ocr_engine, settings.ocr_threads, settings.ocr_model_dir)
