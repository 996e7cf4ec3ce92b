"""Readers: one per input kind, each returning a :class:`~gxllm.document.Document`."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gxllm.document import Document
from gxllm.errors import EmptyInput, UnreadableInput, UnsupportedInput
from gxllm.settings import Settings, get_settings

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | MARKDOWN_SUFFIXES | PDF_SUFFIXES | IMAGE_SUFFIXES


def read_document(path: str | Path, settings: Settings | None = None) -> Document:
    """Read a report file of any supported kind; errors say why in one line."""
    settings = settings or get_settings()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedInput(
            f"unsupported file type {suffix or '(none)'}; gxllm reads {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    if not path.is_file():
        raise UnreadableInput("no such file" if not path.exists() else "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise EmptyInput("the file is empty")
    if size > settings.max_file_bytes:
        raise UnreadableInput(f"the file is {size} bytes, over the limit of {settings.max_file_bytes} (GXLLM_MAX_FILE_BYTES)")
    if suffix in PDF_SUFFIXES:
        from gxllm.read.pdf import read_pdf

        return read_pdf(path, settings)
    if suffix in IMAGE_SUFFIXES:
        from gxllm.read.image import read_image

        return read_image(path, settings)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableInput(f"cannot read: {error.strerror or error}") from None
    sha256 = hashlib.sha256(data).hexdigest()
    if suffix in HTML_SUFFIXES:
        from gxllm.read.html import read_html

        return read_html(path, data, sha256)
    if suffix in MARKDOWN_SUFFIXES:
        from gxllm.read.markdown import read_markdown

        return read_markdown(path, data, sha256)
    from gxllm.read.text import read_text

    return read_text(path, data, sha256)
