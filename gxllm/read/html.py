"""HTML reports: scraped pages with real <table> markup or flattened tables.

Table rows become lines whose cells are joined by tabs (the same shape a
tab-separated text report has), so the table reader sees one kind of text.
Scripts, styles and other non-content elements are dropped before anything
is read: a report page may carry digits in its scripts.
"""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from gxllm.document import Document, Line
from gxllm.errors import EmptyInput
from gxllm.read.source import Source
from gxllm.read.text import decode_bytes

_DROPPED = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg", "canvas")
_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "dl",
    "caption", "form", "main", "nav", "aside", "figure", "figcaption", "address",
}


def _cell_text(cell: Tag) -> str:
    """A cell's text: inline runs joined as they are (Word cuts "18858" into
    "18" and "858" in two spans), paragraphs and line breaks as one space."""
    pieces: list[str] = []
    for node in cell.descendants:
        if isinstance(node, Tag):
            if node.name in _BLOCKS:
                pieces.append(" ")
        elif isinstance(node, NavigableString) and not _is_markup_only(node):
            pieces.append(str(node))
    return " ".join("".join(pieces).split())


def _is_markup_only(node: NavigableString) -> bool:
    return node.__class__.__name__ in ("Comment", "Doctype", "CData", "ProcessingInstruction", "Declaration")


def _table_lines(table: Tag) -> list[str]:
    lines = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = [c for c in row.find_all(["td", "th"]) if c.find_parent("tr") is row]
        lines.append("\t".join(_cell_text(c) for c in cells))
    return lines


def _walk(root: Tag, out: list[str], current: list[str]) -> None:
    """The text under ``root``, in order: tables as tab-separated lines, a line break around each block.

    Walked with a stack of its own rather than by recursion, so markup nested
    thousands of levels deep (broken or hostile) reads like any other page.
    """
    # Each level: the children still to read, and whether that element is a block.
    levels: list[tuple[Iterator[PageElement], bool]] = [(iter(root.children), False)]
    while levels:
        children, block = levels[-1]
        child = next(children, None)
        if child is None:
            levels.pop()
            if block:
                _flush(out, current)
            continue
        if isinstance(child, NavigableString):
            if _is_markup_only(child):
                continue
            current.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name == "table":
            _flush(out, current)
            out.extend(_table_lines(child))
            continue
        block = child.name in _BLOCKS
        if block:
            _flush(out, current)
        levels.append((iter(child.children), block))


def _flush(out: list[str], current: list[str]) -> None:
    text = "".join(current)
    current.clear()
    for piece in text.split("\n"):
        if piece.strip():
            out.append(piece.strip())


def html_to_lines(markup: str) -> list[str]:
    soup = BeautifulSoup(markup, "lxml")
    for element in soup.find_all(_DROPPED):
        element.decompose()
    root = soup.body or soup
    out: list[str] = []
    current: list[str] = []
    _walk(root, out, current)
    _flush(out, current)
    return out


def read_html(source: Source) -> Document:
    markup, encoding = decode_bytes(source.data)
    lines = html_to_lines(markup)
    if not any(line.strip() for line in lines):
        raise EmptyInput("the page holds no text once markup, scripts and styles are removed")
    return Document(
        path=source.name, sha256=source.sha256, kind="html", encoding=encoding, lines=[Line(text=t) for t in lines]
    )
