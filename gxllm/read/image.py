"""Scanned pages as images: PNG, JPEG and (multi-page) TIFF, read by OCR.

Sizes are checked from the file's header before any pixel is decoded, so a
decompression bomb is refused rather than unpacked. Boxes are in the
image's pixels.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from gxllm.document import Document
from gxllm.errors import EmptyInput, UnreadableInput, UnsupportedInput
from gxllm.read.pages import PageContent, PageImage, read_pages
from gxllm.read.source import Source
from gxllm.settings import Settings

FORMATS = frozenset({"PNG", "JPEG", "MPO", "TIFF"})
_PLAUSIBLE_DPI = (50, 1200)


def _unit(image: Image.Image) -> float | None:
    """Pixels per PDF point from the file's resolution; None when it gives none
    (OCR then measures it from the text)."""
    dpi = image.info.get("dpi")
    if dpi and _PLAUSIBLE_DPI[0] <= float(dpi[0]) <= _PLAUSIBLE_DPI[1]:
        return float(dpi[0]) / 72.0
    return None


@dataclass(frozen=True)
class _ImagePage:
    """One frame of an image file: no text layer, only pixels."""

    number: int
    file: Image.Image
    settings: Settings

    def text_layer(self) -> PageContent | None:
        return None

    def image(self) -> PageImage:
        """The frame's grey pixels, refused before decoding when over ``max_page_pixels``."""
        try:
            self.file.seek(self.number - 1)
            width, height = self.file.size
            if width * height > self.settings.max_page_pixels:
                raise UnsupportedInput(
                    f"page {self.number} is {width}×{height} pixels, over the limit of "
                    f"{self.settings.max_page_pixels} (GXLLM_MAX_PAGE_PIXELS)"
                )
            pixels = np.asarray(self.file.convert("L"))
        except (OSError, ValueError, EOFError) as error:
            raise UnreadableInput(f"page {self.number} of the image cannot be decoded ({error})") from None
        return PageImage(pixels, 1.0, _unit(self.file))


def read_image(source: Source, settings: Settings) -> Document:
    """OCR every page of an image file into lines, tables rebuilt as rows."""
    try:
        image = Image.open(io.BytesIO(source.data))
    except (UnidentifiedImageError, OSError) as error:
        raise UnreadableInput(f"not a readable PNG, JPEG or TIFF image ({error})") from None
    if image.format not in FORMATS:
        raise UnsupportedInput(f"{image.format} images are not read; gxllm reads PNG, JPEG and TIFF")
    pages = getattr(image, "n_frames", 1)
    if pages > settings.max_pages:
        raise UnsupportedInput(f"the image has {pages} pages, over the limit of {settings.max_pages} (GXLLM_MAX_PAGES)")
    lines = read_pages((_ImagePage(index + 1, image, settings) for index in range(pages)), settings)
    if not any(line.text.strip() for line in lines):
        raise EmptyInput(f"OCR found no text on {'the page' if pages == 1 else f'any of the {pages} pages'}")
    return Document(path=source.name, sha256=source.sha256, kind="image", lines=lines, pages=pages)
