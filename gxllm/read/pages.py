"""The page loop of every reader of positioned pages (PDF, scanned images).

A reader hands :func:`read_pages` its pages, each behind :class:`Page`: the
words and rules its own text layer holds, or else its image for OCR. Each
page's words and rules are laid out into text lines and tables
(:mod:`gxllm.layout`), tables continued across pages are joined, and every
box is mapped back to the page as the source gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gxllm.document import Box, Line
from gxllm.layout.boxes import Rule, Word
from gxllm.layout.page import PageLayout, layout_page
from gxllm.layout.rows import document_rows, to_line
from gxllm.ocr import get_engine
from gxllm.ocr.page import read_page
from gxllm.settings import Settings


@dataclass(frozen=True)
class PageContent:
    """A page's words and rules in the reader's coordinates (PDF points, or an image's pixels)."""

    words: list[Word]
    rules: list[Rule]
    height: float
    unit: float  # one PDF point in these coordinates
    to_source: Callable[[Box], Box]  # a box of these coordinates on the page as the source gives it


@dataclass(frozen=True)
class PageImage:
    """A page as grey pixels, for OCR."""

    pixels: np.ndarray
    scale: float  # pixels per unit of the reader's coordinates
    unit: float | None  # pixels per PDF point; None: OCR measures it from the text


class Page(Protocol):
    """One page of a positioned source."""

    number: int  # from 1

    def text_layer(self) -> PageContent | None:
        """The words and rules the source itself holds, or None when OCR must read the page."""
        ...

    def image(self) -> PageImage:
        """The page rendered or decoded for OCR."""
        ...


def _ocr(image: PageImage, settings: Settings) -> PageContent:
    """OCR a page image; words and boxes are brought back to the reader's coordinates."""
    text = read_page(image.pixels, get_engine(settings), image.unit)
    scale = image.scale

    def scaled(box: Box) -> Box:
        return (box[0] / scale, box[1] / scale, box[2] / scale, box[3] / scale)

    def to_source(box: Box) -> Box:
        return scaled(text.to_source((box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)))

    return PageContent(
        words=[Word(w.text, scaled(w.box), w.confidence) for w in text.words],
        rules=[Rule(scaled(r.box)) for r in text.rules],
        height=text.height / scale,
        unit=text.unit / scale,
        to_source=to_source,
    )


def read_pages(pages: Iterable[Page], settings: Settings) -> list[Line]:
    """Every page's lines and table rows, in reading order, boxes on the source's pages."""
    layouts: list[PageLayout] = []
    mappers: dict[int, Callable[[Box], Box]] = {}
    unit: float | None = None
    for page in pages:
        content = page.text_layer() or _ocr(page.image(), settings)
        # Whether a table goes on across a page break is measured in the first page's unit.
        unit = content.unit if unit is None else unit
        layouts.append(layout_page(page.number, content.height, content.words, content.rules, content.unit))
        mappers[page.number] = content.to_source
    return [to_line(row, mappers[row.page]) for row in document_rows(layouts, unit or 1.0)]
