"""Page images of PDF and scanned sources, with the boxes of flagged values drawn on them.

A page is rendered from the stored source file and sent as a PNG made here:
the file's own bytes are never sent back. Evidence boxes are in PDF points
for a PDF (:mod:`gxllm.read.pdf`) and in the image's own pixels for an image
(:mod:`gxllm.read.image`), origin top-left.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from gxllm.document import Box
from gxllm.record import Evidence, Flag
from gxllm.store import StoredDocument

# Pixels per PDF point on the review page: 1.5 is 108 dpi, sharp enough to read digits.
RENDER_SCALE = 1.5
# Scans are shrunk to at most this width before boxes are drawn.
_MAX_WIDTH = 1400
_OUTLINE = (179, 38, 30)  # --error in review.css
_PAGED_KINDS = ("pdf", "image")


def source_file(document: StoredDocument) -> Path | None:
    """The first path the document was stored under that still holds a file, for PDFs and images."""
    if document.kind not in _PAGED_KINDS:
        return None
    return next((Path(p.path) for p in document.paths if Path(p.path).is_file()), None)


def flagged_boxes(evidence: dict[str, Evidence], open_flags: list[Flag]) -> dict[int, list[Box]]:
    """Page number → the boxes of the cells that open flags name (and of the flags' own evidence)."""
    pages: dict[int, list[Box]] = {}
    items = [evidence[path] for flag in open_flags for path in flag.cells if path in evidence]
    items += [item for flag in open_flags for item in flag.evidence]
    for item in items:
        if item.page is not None and item.box is not None and item.box not in pages.get(item.page, []):
            pages.setdefault(item.page, []).append(item.box)
    return dict(sorted(pages.items()))


def _pdf_page(path: Path, page: int, max_pixels: int) -> tuple[Image.Image, float]:
    document = pdfium.PdfDocument(path)
    try:
        if not 1 <= page <= len(document):
            raise LookupError(f"第 {page} 页不存在")
        width, height = document[page - 1].get_size()
        if width * height * RENDER_SCALE**2 > max_pixels:
            raise LookupError("页面过大，不予显示")
        return document[page - 1].render(scale=RENDER_SCALE).to_pil().convert("RGB"), RENDER_SCALE
    finally:
        document.close()


def _image_page(path: Path, page: int) -> tuple[Image.Image, float]:
    with Image.open(path) as image:
        if not 1 <= page <= getattr(image, "n_frames", 1):
            raise LookupError(f"第 {page} 页不存在")
        image.seek(page - 1)
        frame = image.convert("RGB")
    shrink = min(1.0, _MAX_WIDTH / frame.width)
    if shrink < 1.0:
        frame = frame.resize((round(frame.width * shrink), round(frame.height * shrink)))
    return frame, shrink


def render_page(path: Path, kind: str, page: int, boxes: list[Box], max_pixels: int) -> bytes:
    """PNG of ``page`` (1-based) of the file, each box outlined; LookupError for a page it lacks."""
    if kind == "pdf":
        image, scale = _pdf_page(path, page, max_pixels)
    else:
        with Image.open(path) as probe:
            if probe.width * probe.height > max_pixels:
                raise LookupError("页面过大，不予显示")
        image, scale = _image_page(path, page)
    draw = ImageDraw.Draw(image)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle((x0 * scale - 3, y0 * scale - 3, x1 * scale + 3, y1 * scale + 3), outline=_OUTLINE, width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
