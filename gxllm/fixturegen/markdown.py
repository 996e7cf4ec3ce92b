"""A report as PDF and OCR converters write it in Markdown.

Three converters' habits, each from the same grid as every other fixture:

- ``pipe`` (docling): pipe tables, a spanned cell's text repeated in every
  position it spans, and the applicant columns' headers lost to OCR
  (``数据1 … 数据7``), as converters print a header they could not read;
- ``html`` (MinerU): each table as one line of ``<table>`` markup with its
  row and column spans, inside the Markdown;
- ``flat`` (marker on a PDF): tables flattened to one cell a line, long row
  labels wrapped over two lines, a page footer (``— 3 —``) and a page number
  line every so many lines.

Headings become ``##`` headings and prose lines paragraphs; the gold is the
record, every cell printed.
"""

from __future__ import annotations

from typing import Literal

from gxllm.fixturegen.grid import SECTIONS, Grid, expand, grid
from gxllm.fixturegen.html import table_html
from gxllm.fixturegen.seeds import split_seed
from gxllm.record import Record
from gxllm.template import APPLICANT_COLUMNS

MarkdownStyle = Literal["pipe", "html", "flat"]
MARKDOWN_STYLES: tuple[MarkdownStyle, ...] = ("pipe", "html", "flat")
# A flattened page holds this many lines before its footer.
PAGE_LINES = 40
# Row labels longer than this wrap onto a second line in a flattened table.
WRAP = 12
_APPLICANT_HEADERS = {c.label for c in APPLICANT_COLUMNS}


def _pipe_table(cells: Grid) -> str:
    """docling: every spanned position repeats its cell's text; the first row is the header."""
    rows = expand(cells, repeat=True)
    width = max(len(row) for row in rows)
    lines = []
    for index, row in enumerate(rows):
        texts = [f"数据{i + 1}" if text in _APPLICANT_HEADERS else text for i, text in enumerate(row)]
        texts += [""] * (width - len(texts))
        lines.append("| " + " | ".join(texts) + " |")
        if index == 0:
            lines.append("|" + "---|" * width)
    return "\n".join(lines)


def _flat_table(cells: Grid) -> list[str]:
    """marker: one cell a line, a long label wrapped after its first WRAP characters."""
    lines = []
    for row in cells:
        for cell in row:
            if not cell.text:
                continue
            if cell.kind == "label" and len(cell.text) > WRAP:
                lines += [cell.text[:WRAP], cell.text[WRAP:]]
            else:
                lines.append(cell.text)
    return lines


def _paged(lines: list[str]) -> list[str]:
    """Lines with a page footer and a page-number line after every PAGE_LINES."""
    out = []
    for index, line in enumerate(lines, start=1):
        out.append(line)
        if index % PAGE_LINES == 0:
            page = index // PAGE_LINES
            out += [f"— {page} —", f"第 {page} 页"]
    return out


def report_markdown(seed_text: str, record: Record, style: MarkdownStyle) -> str:
    """``seed_text``'s prose around ``record``'s tables, as Markdown in ``style``."""
    parts = split_seed(seed_text)
    *before, heading2 = parts.prose[0].split("\n")
    heading5, *after = parts.prose[3].split("\n")
    headings = [heading2, parts.prose[1], parts.prose[2]]
    lines = [line.strip() for line in before if line.strip()]
    for section, heading in zip(SECTIONS, headings, strict=True):
        cells = grid(record, section)
        lines.append(f"## {heading.strip()}")
        if style == "pipe":
            lines += ["", _pipe_table(cells), ""]
        elif style == "html":
            lines += ["", table_html(cells).replace("\n", ""), ""]
        else:
            lines += _flat_table(cells)
    lines.append(f"## {heading5.strip()}")
    lines += [line.strip() for line in after if line.strip()]
    if style == "flat":
        lines = _paged(lines)
    return "\n".join(lines) + "\n"
