"""OCR for pages without a text layer: engines, and one page read into words and rules.

RapidOCR is the default engine: PP-OCR's ONNX models ship inside its wheel,
so nothing is downloaded at run time. PaddleOCR is the second, when installed
and given model folders (docs/ocr.md). Another engine plugs in by implementing
:class:`OcrEngine` and a name in :func:`_engine`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gxllm.errors import UnsupportedInput
from gxllm.ocr.engine import OcrEngine
from gxllm.settings import Settings

__all__ = ["OcrEngine", "get_engine"]


@lru_cache(maxsize=2)
def _engine(name: str, threads: int, model_dir: Path | None) -> OcrEngine:
    if name == "rapidocr":
        from gxllm.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine(threads)
    if name == "paddleocr":
        from gxllm.ocr.paddle import PaddleOcrEngine

        return PaddleOcrEngine(model_dir, threads)
    raise UnsupportedInput(f"unknown OCR engine {name!r} (GXLLM_OCR_ENGINE): use rapidocr or paddleocr")


def get_engine(settings: Settings) -> OcrEngine:
    """The configured engine, loaded once per process (models take seconds to load)."""
    return _engine(settings.ocr_engine, settings.ocr_threads, settings.ocr_model_dir)
