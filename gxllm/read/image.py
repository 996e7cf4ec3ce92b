"""Scanned pages as images: PNG, JPEG and (multi-page) TIFF, read by OCR.

Sizes are checked from the file's header before any pixel is decoded, so a
decompression bomb is refused rather than unpacked.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from gxllm.document import Document
from gxllm.errors import EmptyInput, UnreadableInput, UnsupportedInput
from gxllm.ocr import get_engine
from gxllm.ocr.page import read_page
from gxllm.settings import Settings
from gxllm.layout.page import layout_page
from gxllm.layout.rows import document_rows, to_line

FORMATS = frozenset({"PNG", "JPEG", "MPO", "TIFF"})
_PLAUSIBLE_DPI = (50, 1200)


def _unit(image: Image.Image) -> float | None:
    """Pixels per PDF point from the file's resolution; None when it gives none
    (OCR then measures it from the text)."""
    dpi = image.info.get("dpi")
    if dpi and _PLAUSIBLE_DPI[0] <= float(dpi[0]) <= _PLAUSIBLE_DPI[1]:
        return float(dpi[0]) / 72.0
    return None


def read_image(path: Path, settings: Settings) -> Document:
    """OCR every page of an image file into lines, tables rebuilt as rows."""
    data = path.read_bytes()
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError) as error:
        raise UnreadableInput(f"not a readable PNG, JPEG or TIFF image ({error})") from None
    if image.format not in FORMATS:
        raise UnsupportedInput(f"{image.format} images are not read; gxllm reads PNG, JPEG and TIFF")
    pages = getattr(image, "n_frames", 1)
    if pages > settings.max_pages:
        raise UnsupportedInput(f"the image has {pages} pages, over the limit of {settings.max_pages} (GXLLM_MAX_PAGES)")
    engine = get_engine(settings)
    layouts, mappers, unit = [], {}, 1.0
    for index in range(pages):
        try:
            image.seek(index)
            width, height = image.size
            if width * height > settings.max_page_pixels:
                raise UnsupportedInput(
                    f"page {index + 1} is {width}×{height} pixels, over the limit of "
                    f"{settings.max_page_pixels} (GXLLM_MAX_PAGE_PIXELS)"
                )
            pixels = np.asarray(image.convert("L"))
        except (OSError, ValueError, EOFError) as error:
            raise UnreadableInput(f"page {index + 1} of the image cannot be decoded ({error})") from None
        text = read_page(pixels, engine, _unit(image))
        unit = text.unit if index == 0 else unit
        layouts.append(layout_page(index + 1, text.height, text.words, text.rules, text.unit))
        mappers[index + 1] = text.to_source
    lines = [to_line(row, mappers[row.page]) for row in document_rows(layouts, unit)]
    if not any(line.text.strip() for line in lines):
        raise EmptyInput(f"OCR found no text on {'the page' if pages == 1 else f'any of the {pages} pages'}")
    return Document(
        path=str(path), sha256=hashlib.sha256(data).hexdigest(), kind="image", lines=lines, pages=pages
    )
