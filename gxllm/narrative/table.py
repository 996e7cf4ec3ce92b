"""Section 五 printed as a table: problems and remedies in columns, or in rows.

HTML and Word reports sometimes put 五 in a grid: a header row naming the
columns (序号 | 存在的主要问题 | 改进措施) with one problem and its remedy per
row, or one row per list (存在问题 | …, 改进措施 | …). Readers hand tables on
as lines whose cells are separated by tabs (HTML) or pipes (Markdown), so the
cells are found there, and each cell's text is cut into items as prose is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gxllm.narrative.clauses import THEME_HEADING_RE, Clause, candidate_clauses
from gxllm.narrative.lists import LISTS, ListName, list_announced

_SEPARATOR = re.compile(r"\t|\|")
_RULE_ROW = re.compile(r"[\s|:\-—]+")  # a Markdown table's |---|---| line
_ROW_NUMBER = re.compile(r"\s*(?:序号|\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、]?\s*")


@dataclass(frozen=True)
class _Cell:
    start: int  # offset in the section text
    text: str


def _cells(line: str, start: int) -> list[_Cell]:
    """A row's cells in column order, empty ones included; a Markdown row's outer pipes are not cells."""
    bounds = [-1, *(m.start() for m in _SEPARATOR.finditer(line)), len(line)]
    cells = [_Cell(start + a + 1, line[a + 1 : b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    if line.strip().startswith("|"):
        cells = cells[1:-1] if line.strip().endswith("|") else cells[1:]
    return cells


def _rows(text: str) -> list[list[_Cell]]:
    """The section's table rows: lines with two cells or more, rule lines left out."""
    rows = []
    position = 0
    for line in text.split("\n"):
        if _SEPARATOR.search(line) and not _RULE_ROW.fullmatch(line):
            cells = _cells(line, position)
            if sum(1 for cell in cells if cell.text.strip()) >= 2:
                rows.append(cells)
        position += len(line) + 1
    return rows


def _names(cell: _Cell) -> ListName | None:
    """The list a header cell names (存在的主要问题, 整改措施), if it is one."""
    words = cell.text.strip()
    return list_announced(words) if THEME_HEADING_RE.fullmatch(words) else None


def _items(cell: _Cell, offset: int) -> list[Clause]:
    return [c for c in candidate_clauses(cell.text, offset + cell.start) if c.kind == "item"]


def table_lists(text: str, offset: int = 0) -> dict[ListName, list[Clause]] | None:
    """The items of a section printed as a table, by list; None when it is not one.

    Offsets are ``offset`` plus the position in ``text``, as for prose.
    """
    lists: dict[ListName, list[Clause]] = {name: [] for name in LISTS}
    rows = _rows(text)
    header = next((row for row in rows if len({_names(c) for c in row} - {None}) == len(LISTS)), None)
    if header is not None:
        columns = {i: name for i, cell in enumerate(header) if (name := _names(cell)) is not None}
        for row in rows[rows.index(header) + 1 :]:
            for i, cell in enumerate(row):
                if i in columns:
                    lists[columns[i]] += _items(cell, offset)
    else:
        for row in rows:
            labels = [cell for cell in row if cell.text.strip() and not _ROW_NUMBER.fullmatch(cell.text)]
            name = _names(labels[0]) if labels else None
            if name is not None:
                lists[name] += [item for cell in labels[1:] for item in _items(cell, offset)]
    return lists if any(lists.values()) else None
