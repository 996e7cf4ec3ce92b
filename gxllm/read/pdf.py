"""PDF reports: the text layer where a page has one, OCR where it has not.

Each page is judged on its own, so a document that mixes typed pages with
scanned ones (a scanned, stamped table in a typed report) is read both ways.
pypdfium2 opens the file (fast, and clear about passwords and damage) and
renders pages for OCR; pdfplumber gives each character's box and the ruling
lines that rebuild the tables. Every box is in PDF points, origin top-left.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.page import Page as PlumberPage
from pdfplumber.utils.exceptions import PdfminerException  # undocumented: pinned in pyproject.toml

from gxllm.document import Box, Document
from gxllm.errors import EmptyInput, UnreadableInput, UnsupportedInput
from gxllm.layout.boxes import Rule, Word
from gxllm.read.pages import PageContent, PageImage, read_pages
from gxllm.read.pdf_limits import check_pdf_limits
from gxllm.read.source import Source
from gxllm.settings import Settings

# A page's text layer is used when it has at least this many readable
# characters and nearly all its characters are readable: fonts without a
# Unicode map give "(cid:12)" or private-use code points instead of text.
MIN_TEXT_CHARS = 20
MIN_READABLE_SHARE = 0.9
# A page mostly covered by images whose text layer says little over them is a
# scan with a typed header or stamp text: it is read by OCR.
IMAGE_COVER_SHARE = 0.5
_READABLE = re.compile(r"[\u0020-\u007e\u00a0-\u024f\u2000-\u206f\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def _identity(box: Box) -> Box:
    return box


def _text_words(page: PlumberPage) -> list[Word] | None:
    """The page's characters as words, or None when OCR must read the page."""
    chars = [c for c in page.dedupe_chars().chars if c["text"].strip()]
    readable = [c for c in chars if len(c["text"]) == 1 and _READABLE.match(c["text"])]
    if len(readable) < MIN_TEXT_CHARS or len(readable) < MIN_READABLE_SHARE * len(chars):
        return None
    area = float(page.width * page.height) or 1.0
    images = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images]
    covered = sum((x1 - x0) * (bottom - top) for x0, top, x1, bottom in images)
    if covered > IMAGE_COVER_SHARE * area:
        over_images = [
            c for c in readable if any(x0 <= c["x0"] <= x1 and top <= c["top"] <= bottom for x0, top, x1, bottom in images)
        ]
        if len(over_images) < MIN_TEXT_CHARS:
            return None
    return [Word(c["text"], (c["x0"], c["top"], c["x1"], c["bottom"])) for c in readable]


@dataclass(frozen=True)
class _PdfPage:
    """A page as pdfplumber parses it (the text layer) and PDFium renders it (for OCR)."""

    number: int
    parsed: PlumberPage
    document: pdfium.PdfDocument
    settings: Settings

    def text_layer(self) -> PageContent | None:
        words = _text_words(self.parsed)
        if words is None:
            return None
        rules = [Rule((e["x0"], e["top"], e["x1"], e["bottom"])) for e in self.parsed.edges]
        return PageContent(words, rules, self.parsed.height, 1.0, _identity)

    def image(self) -> PageImage:
        """The page rendered at ``ocr_dpi``, refused when that is over ``max_page_pixels``."""
        page = self.document[self.number - 1]
        width, height = page.get_size()
        scale = self.settings.ocr_dpi / 72.0
        if width * height * scale * scale > self.settings.max_page_pixels:
            raise UnsupportedInput(
                f"page {self.number} is {width:.0f}×{height:.0f} pt, over {self.settings.max_page_pixels} pixels "
                f"at {self.settings.ocr_dpi} dpi (GXLLM_MAX_PAGE_PIXELS)"
            )
        pixels = page.render(scale=scale, grayscale=True).to_numpy()
        return PageImage(pixels if pixels.ndim == 2 else pixels[:, :, 0], scale, scale)


def _pages(plumber: pdfplumber.PDF, document: pdfium.PdfDocument, settings: Settings) -> Iterator[_PdfPage]:
    for index, parsed in enumerate(plumber.pages):
        yield _PdfPage(index + 1, parsed, document, settings)
        parsed.close()  # a parsed page holds its objects until closed: pages are read one at a time


def _page_count(data: bytes) -> int | None:
    try:
        with pdfplumber.open(io.BytesIO(data)) as plumber:
            return len(plumber.pages)
    except Exception:  # noqa: BLE001 - any failure means "not a PDF we can count"
        return None


def read_pdf(source: Source, settings: Settings) -> Document:
    """Read every page of a PDF into lines; tables become one line per row."""
    check_pdf_limits(source.data, settings)  # before PDFium or pdfminer inflates anything
    try:
        document = pdfium.PdfDocument(source.data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise UnreadableInput("the PDF is encrypted and needs a password") from None
        # PDFium refuses a document whose page tree is empty without a clear
        # error code: pdfminer tells an empty document from a damaged one.
        if _page_count(source.data) == 0:
            raise UnreadableInput("the PDF has no pages") from None
        raise UnreadableInput(f"not a readable PDF ({error})") from None
    pages = len(document)
    if pages > settings.max_pages:
        raise UnsupportedInput(f"the PDF has {pages} pages, over the limit of {settings.max_pages} (GXLLM_MAX_PAGES)")
    try:
        with pdfplumber.open(io.BytesIO(source.data)) as plumber:
            lines = read_pages(_pages(plumber, document, settings), settings)
    except (PdfminerException, PDFSyntaxError) as error:
        raise UnreadableInput(f"the PDF's pages cannot be parsed ({error})") from None
    finally:
        document.close()
    if not any(line.text.strip() for line in lines):
        raise EmptyInput(f"no text on {'the page' if pages == 1 else f'any of the {pages} pages'}, by text layer or OCR")
    return Document(path=source.name, sha256=source.sha256, kind="pdf", lines=lines, pages=pages)
