"""Readers: one per input kind, each turning a :class:`Source` into a :class:`~gxllm.document.Document`."""

from __future__ import annotations

import os
from pathlib import Path

from gxllm.document import Document
from gxllm.errors import EmptyInput, UnreadableInput, UnsupportedInput
from gxllm.read.source import Source
from gxllm.settings import Settings

__all__ = ["SUPPORTED_SUFFIXES", "Source", "load_source", "read_document"]

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
PDF_SUFFIXES = frozenset({".pdf"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | MARKDOWN_SUFFIXES | PDF_SUFFIXES | IMAGE_SUFFIXES


def _check_suffix(suffix: str) -> None:
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedInput(
            f"unsupported file type {suffix or '(none)'}; gxllm reads {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )


def _check_size(size: int, settings: Settings) -> None:
    if size == 0:
        raise EmptyInput("the file is empty")
    if size > settings.max_file_bytes:
        raise UnreadableInput(f"the file is {size} bytes, over the limit of {settings.max_file_bytes} (GXLLM_MAX_FILE_BYTES)")


def load_source(path: str | os.PathLike[str], settings: Settings) -> Source:
    """A report file as a :class:`Source` named by its path; a file of a type gxllm
    does not read, missing, empty or too large is refused before it is read."""
    file = Path(path)
    _check_suffix(file.suffix.lower())
    if not file.is_file():
        raise UnreadableInput("no such file" if not file.exists() else "not a regular file")
    _check_size(file.stat().st_size, settings)
    try:
        return Source(os.fspath(path), file.read_bytes())
    except OSError as error:
        raise UnreadableInput(f"cannot read: {error.strerror or error}") from None


def read_document(source: Source, settings: Settings) -> Document:
    """Read a report of any supported kind; errors say why in one line."""
    _check_suffix(source.suffix)
    _check_size(len(source.data), settings)
    if source.suffix in PDF_SUFFIXES:
        from gxllm.read.pdf import read_pdf

        return read_pdf(source, settings)
    if source.suffix in IMAGE_SUFFIXES:
        from gxllm.read.image import read_image

        return read_image(source, settings)
    if source.suffix in HTML_SUFFIXES:
        from gxllm.read.html import read_html

        return read_html(source)
    if source.suffix in MARKDOWN_SUFFIXES:
        from gxllm.read.markdown import read_markdown

        return read_markdown(source)
    from gxllm.read.text import read_text

    return read_text(source)
