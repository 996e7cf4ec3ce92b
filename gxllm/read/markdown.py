"""Markdown reports, as PDF and OCR converters (docling, MinerU, marker) write them.

Markup is taken off so the later stages see the report's own words: heading
marks, emphasis, images, links and block quotes go; pipe tables stay as
pipe-separated lines (the table reader's own shape; it skips the rule under
their header); HTML ``<table>`` blocks inside the Markdown (MinerU's habit)
become tab-separated lines as in an HTML page.
"""

from __future__ import annotations

import re

from gxllm.document import Document, Line
from gxllm.errors import EmptyInput
from gxllm.read.html import html_to_lines
from gxllm.read.source import Source
from gxllm.read.text import decode_bytes

_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_THEMATIC_BREAK = re.compile(r"\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def _plain(line: str) -> list[str]:
    """The text of one Markdown line (a ``<br>`` inside it makes several)."""
    if _THEMATIC_BREAK.fullmatch(line):
        return []
    line = _QUOTE.sub("", _HEADING.sub("", line))
    line = _LINK.sub(r"\1", _IMAGE.sub("", line))
    line = _EMPHASIS.sub(r"\2", line)
    line = _ESCAPE.sub(r"\1", line)
    return _BREAK_TAG.split(line)


def markdown_to_lines(markup: str) -> list[str]:
    lines: list[str] = []
    cursor = 0
    markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    for table in _HTML_TABLE.finditer(markup):
        for line in markup[cursor : table.start()].split("\n"):
            lines.extend(_plain(line))
        lines.extend(html_to_lines(table.group()))
        cursor = table.end()
    for line in markup[cursor:].split("\n"):
        lines.extend(_plain(line))
    return lines


def read_markdown(source: Source) -> Document:
    markup, encoding = decode_bytes(source.data)
    lines = markdown_to_lines(markup)
    if not any(line.strip() for line in lines):
        raise EmptyInput("the file holds no text once Markdown markup is removed")
    return Document(
        path=source.name, sha256=source.sha256, kind="markdown", encoding=encoding, lines=[Line(text=t) for t in lines]
    )
