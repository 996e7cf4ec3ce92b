"""Markdown reports, as PDF and OCR converters (docling, MinerU, marker) write them.

Markup is taken off so the later stages see the report's own words: heading
marks, emphasis, images, links and block quotes go; pipe tables stay as
pipe-separated lines (the table reader's own shape; it skips the rule under
their header); HTML ``<table>`` blocks inside the Markdown (MinerU's habit)
become tab-separated lines as in an HTML page. In either, a count cell that
an OCR converter printed with look-alike letters (O for 0, l for 1) is read
as its digits, as a scan's cells are (:mod:`gxllm.layout.digits`).
"""

from __future__ import annotations

import re

from gxllm.document import Document, Line
from gxllm.errors import EmptyInput
from gxllm.layout.digits import repair_numeric_cell
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
_LOOK_ALIKE = re.compile(r"[Oo〇lI]")


def _plain(line: str) -> list[str]:
    """The text of one Markdown line (a ``<br>`` inside it makes several, except in a table row)."""
    if _THEMATIC_BREAK.fullmatch(line):
        return []
    line = _QUOTE.sub("", _HEADING.sub("", line))
    line = _LINK.sub(r"\1", _IMAGE.sub("", line))
    line = _EMPHASIS.sub(r"\2", line)
    line = _ESCAPE.sub(r"\1", line)
    if line.lstrip().startswith("|"):
        return [_table_row(_BREAK_TAG.sub("", line))]  # a break inside a cell wraps its label
    return _BREAK_TAG.split(line)


def _table_row(line: str) -> str:
    """A table row with the digit look-alikes an OCR converter printed in its
    count cells read as digits ("| 规章 | O | l |"); other cells as printed."""
    separator = "|" if line.lstrip().startswith("|") else "\t"
    if separator not in line or not _LOOK_ALIKE.search(line):
        return line
    cells = [(cell, repair_numeric_cell(cell)) for cell in line.split(separator)]
    # the cell's own padding stays around what it is read as
    return separator.join(
        cell if read == cell else cell[: len(cell) - len(cell.lstrip())] + read + cell[len(cell.rstrip()) :] for cell, read in cells
    )


def markdown_to_lines(markup: str) -> list[str]:
    lines: list[str] = []
    cursor = 0
    markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    for table in _HTML_TABLE.finditer(markup):
        for line in markup[cursor : table.start()].split("\n"):
            lines.extend(_plain(line))
        lines.extend(map(_table_row, html_to_lines(table.group())))
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
