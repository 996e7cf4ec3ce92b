"""PDF reports: the text layer where a page has one, OCR where it has not.

Each page is judged on its own, so a document that mixes typed pages with
scanned ones (a scanned, stamped table in a typed report) is read both ways.
pypdfium2 opens the file (fast, and clear about passwords and damage) and
renders pages for OCR; pdfplumber gives each character's box and the ruling
lines that rebuild the tables. Every box is in PDF points, origin top-left.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import PdfminerException  # undocumented: pinned in pyproject.toml

from gxllm.document import Box, Document
from gxllm.errors import EmptyInput, UnreadableInput, UnsupportedInput
from gxllm.ocr import get_engine
from gxllm.ocr.page import read_page
from gxllm.read.pdf_limits import check_pdf_limits
from gxllm.settings import Settings
from gxllm.layout.boxes import Rule, Word
from gxllm.layout.page import PageLayout, layout_page
from gxllm.layout.rows import document_rows, to_line

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


def _text_words(page: Page) -> list[Word] | None:
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


def _rules(page: Page) -> list[Rule]:
    return [Rule((e["x0"], e["top"], e["x1"], e["bottom"])) for e in page.edges]


def _ocr_page(document: pdfium.PdfDocument, index: int, settings: Settings) -> tuple[PageLayout, Callable[[Box], Box]]:
    """OCR a page rendered at ``ocr_dpi``; words and boxes are brought back to points."""
    page = document[index]
    width, height = page.get_size()
    scale = settings.ocr_dpi / 72.0
    if width * height * scale * scale > settings.max_page_pixels:
        raise UnsupportedInput(
            f"page {index + 1} is {width:.0f}×{height:.0f} pt, over {settings.max_page_pixels} pixels "
            f"at {settings.ocr_dpi} dpi (GXLLM_MAX_PAGE_PIXELS)"
        )
    pixels = page.render(scale=scale, grayscale=True).to_numpy()
    text = read_page(pixels if pixels.ndim == 2 else pixels[:, :, 0], get_engine(settings), scale)

    def points(box: Box) -> Box:
        return (box[0] / scale, box[1] / scale, box[2] / scale, box[3] / scale)

    words = [Word(w.text, points(w.box), w.confidence) for w in text.words]
    rules = [Rule(points(r.box)) for r in text.rules]
    layout = layout_page(index + 1, text.height / scale, words, rules)

    def to_source(box: Box) -> Box:
        return points(text.to_source((box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)))

    return layout, to_source


def _page_count(data: bytes) -> int | None:
    try:
        with pdfplumber.open(io.BytesIO(data)) as plumber:
            return len(plumber.pages)
    except Exception:  # noqa: BLE001 - any failure means "not a PDF we can count"
        return None


def read_pdf(path: Path, settings: Settings) -> Document:
    """Read every page of a PDF into lines; tables become one line per row."""
    data = path.read_bytes()
    check_pdf_limits(data, settings)  # before PDFium or pdfminer inflates anything
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise UnreadableInput("the PDF is encrypted and needs a password") from None
        # PDFium refuses a document whose page tree is empty without a clear
        # error code: pdfminer tells an empty document from a damaged one.
        if _page_count(data) == 0:
            raise UnreadableInput("the PDF has no pages") from None
        raise UnreadableInput(f"not a readable PDF ({error})") from None
    pages = len(document)
    if pages > settings.max_pages:
        raise UnsupportedInput(f"the PDF has {pages} pages, over the limit of {settings.max_pages} (GXLLM_MAX_PAGES)")
    layouts: list[PageLayout] = []
    mappers: dict[int, Callable[[Box], Box]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as plumber:
            for index, page in enumerate(plumber.pages):
                words = _text_words(page)
                if words is None:
                    layout, mappers[index + 1] = _ocr_page(document, index, settings)
                else:
                    layout, mappers[index + 1] = layout_page(index + 1, page.height, words, _rules(page)), _identity
                layouts.append(layout)
                page.close()
    except (PdfminerException, PDFSyntaxError) as error:
        raise UnreadableInput(f"the PDF's pages cannot be parsed ({error})") from None
    finally:
        document.close()
    lines = [to_line(row, mappers[row.page]) for row in document_rows(layouts)]
    if not any(line.text.strip() for line in lines):
        raise EmptyInput(f"no text on {'the page' if pages == 1 else f'any of the {pages} pages'}, by text layer or OCR")
    return Document(path=str(path), sha256=hashlib.sha256(data).hexdigest(), kind="pdf", lines=lines, pages=pages)
