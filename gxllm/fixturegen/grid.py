"""A record's tables as the official template lays them out: a grid of cells.

Every renderer (text layouts, HTML, and later PDF and scans) starts from this
grid, so they all print the same labels in the same order. A cell spans rows
and columns as in the published template; :func:`table_rows` expands the spans
into a plain matrix of strings for renderers that draw cells one by one.

Only the printed furniture that the record does not name (the 第二十条 block
titles, the group labels of 三、本年度办理结果, the header above the applicant
columns) is written here; every row and column label comes from
:mod:`gxllm.template`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from gxllm.record import Number, Record
from gxllm.template import OTHER_GROUP, SECTION3_GROUPS, CellPath, Row, Table

CellKind = Literal["title", "header", "group", "label", "value"]
Section = Literal["section2", "section3", "section4"]
SECTIONS: tuple[Section, ...] = ("section2", "section3", "section4")


@dataclass(frozen=True)
class GridCell:
    kind: CellKind
    text: str
    rowspan: int = 1
    colspan: int = 1
    path: str | None = None  # the record cell a value cell shows, if it is one


Grid = list[list[GridCell]]
# How a value is printed: (cell path or None for a printed-only sum, value) -> text.
ValueFormat = Callable[[str | None, Number | None], str]


def plain_number(path: str | None, value: Number | None) -> str:
    """Digits as an agency would type them; an unread cell prints as nothing."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


# ---------------------------------------------------------------- section 2

# The article of 条例 第二十条 each section-2 row is published under.
ARTICLES = {
    "rules": "第二十条第（一）项",
    "normative_docs": "第二十条第（一）项",
    "licensing": "第二十条第（五）项",
    "other_services": "第二十条第（五）项",
    "penalty": "第二十条第（六）项",
    "coercion": "第二十条第（六）项",
    "fees": "第二十条第（八）项",
    "procurement": "第二十条第（九）项",
}
CONTENT_HEADER = "信息内容"
SECTION2_WIDTH = 4


def _value(row: Row, index: int, record: Record, section: str, fmt: ValueFormat, span: int = 1) -> GridCell:
    path = str(CellPath(section, row.key, row.columns[index].key))
    return GridCell("value", fmt(path, record.cell(path)), colspan=span, path=path)


def _section2(record: Record, table: Table, fmt: ValueFormat) -> Grid:
    grid: Grid = []
    article = None
    for row in table.rows:
        fill = SECTION2_WIDTH - 1 - len(row.columns)  # the last cell spans what is left
        if ARTICLES[row.key] != article:
            article = ARTICLES[row.key]
            grid.append([GridCell("title", article, colspan=SECTION2_WIDTH)])
            headers = [GridCell("header", c.label) for c in row.columns]
            headers[-1] = GridCell("header", row.columns[-1].label, colspan=1 + fill)
            grid.append([GridCell("header", CONTENT_HEADER), *headers])
        values = [_value(row, i, record, table.section, fmt) for i in range(len(row.columns))]
        values[-1] = _value(row, len(row.columns) - 1, record, table.section, fmt, span=1 + fill)
        grid.append([GridCell("label", row.label), *values])
    return grid


# ---------------------------------------------------------------- section 3

SECTION3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS_HEADER = "申请人情况"
ORGANISATIONS_HEADER = "法人或其他组织"
RESULTS_GROUP = "三、本年度办理结果"
# Rows outside 三、本年度办理结果: the two inflows and what is carried forward.
OUTSIDE_RESULTS = ("new", "carried_over", "carried_forward")
LABEL_WIDTH = 3


@dataclass(frozen=True)
class _Line:
    """One printed row of section 3 before spans are worked out."""

    label: str
    groups: tuple[str, ...]
    values: tuple[GridCell, ...]


def _outcome_group(key: str) -> str | None:
    """The label of the outcome group printed spanning the row, if it is a numbered sub-row."""
    return next((group.label for group in SECTION3_GROUPS if group.holds(key)), None)


def _section3_lines(record: Record, table: Table, fmt: ValueFormat, other_as_one_row: bool) -> list[_Line]:
    lines: list[_Line] = []
    other_rows = [row for row in table.rows if row.key.startswith("other_")]
    for row in table.rows:
        groups = () if row.key in OUTSIDE_RESULTS else (RESULTS_GROUP,)
        if other_as_one_row and row in other_rows:
            if row is other_rows[0]:
                lines.append(_Line(OTHER_GROUP.label, groups, _summed(record, table, other_rows, fmt)))
            continue
        group = _outcome_group(row.key)
        values = tuple(_value(row, i, record, table.section, fmt) for i in range(len(row.columns)))
        lines.append(_Line(row.label, groups + ((group,) if group else ()), values))
    return lines


def _summed(record: Record, table: Table, rows: list[Row], fmt: ValueFormat) -> tuple[GridCell, ...]:
    """The one printed row of a report that folds the 2021 sub-rows of 三（六） together."""
    cells = []
    for column in rows[0].columns:
        parts = [record.cell(str(CellPath(table.section, row.key, column.key))) for row in rows]
        total = None if None in parts else sum(parts)  # type: ignore[arg-type]
        cells.append(GridCell("value", fmt(None, total)))
    return tuple(cells)


def _section3(record: Record, table: Table, fmt: ValueFormat, other_as_one_row: bool) -> Grid:
    columns = table.rows[0].columns
    organisations = columns[1:-1]
    grid: Grid = [
        [
            GridCell("title", SECTION3_NOTE, rowspan=3, colspan=LABEL_WIDTH),
            GridCell("header", APPLICANTS_HEADER, colspan=len(columns)),
        ],
        [
            GridCell("header", columns[0].label, rowspan=2),
            GridCell("header", ORGANISATIONS_HEADER, colspan=len(organisations)),
            GridCell("header", columns[-1].label, rowspan=2),
        ],
        [GridCell("header", c.label) for c in organisations],
    ]
    lines = _section3_lines(record, table, fmt, other_as_one_row)
    for index, line in enumerate(lines):
        cells: list[GridCell] = []
        for depth, group in enumerate(line.groups):
            starts_run = index == 0 or len(lines[index - 1].groups) <= depth or lines[index - 1].groups[depth] != group
            if starts_run:
                span = 1
                while index + span < len(lines) and lines[index + span].groups[depth : depth + 1] == (group,):
                    span += 1
                cells.append(GridCell("group", group, rowspan=span))
        cells.append(GridCell("label", line.label, colspan=LABEL_WIDTH - len(line.groups)))
        grid.append(cells + list(line.values))
    return grid


# ---------------------------------------------------------------- section 4

LITIGATION_SEPARATOR = "·"  # template labels read "行政诉讼·未经复议直接起诉"


def _section4(record: Record, table: Table, fmt: ValueFormat) -> Grid:
    columns = table.rows[0].columns
    width = len(columns)
    top: list[GridCell] = []
    middle: list[GridCell] = []
    bottom: list[GridCell] = []
    values: list[GridCell] = []
    for row in table.rows:
        parent, _, child = row.label.rpartition(LITIGATION_SEPARATOR)
        if not parent:
            top.append(GridCell("header", row.label, colspan=width))
            middle += [GridCell("header", c.label, rowspan=2) for c in columns]
        else:
            if not top or top[-1].text != parent:
                top.append(GridCell("header", parent, colspan=0))
            top[-1] = GridCell("header", parent, colspan=top[-1].colspan + width)
            middle.append(GridCell("header", child, colspan=width))
            bottom += [GridCell("header", c.label) for c in columns]
        values += [_value(row, i, record, table.section, fmt) for i in range(width)]
    return [top, middle, bottom, values]


# ---------------------------------------------------------------- public


def grid(
    record: Record,
    section: Section,
    *,
    fmt: ValueFormat = plain_number,
    other_as_one_row: bool = False,
) -> Grid:
    """The cells of one table of ``record``, row by row, with their spans.

    ``other_as_one_row`` prints 三（六）其他处理 of a 2021 record as a single row
    holding the sums of its three sub-rows, as some 2021 reports still do.
    """
    spec = record.spec
    if spec is None:
        raise ValueError("the record names no template")
    table = getattr(spec, section)
    if section == "section2":
        return _section2(record, table, fmt)
    if section == "section3":
        return _section3(record, table, fmt, other_as_one_row)
    return _section4(record, table, fmt)


def placed(cells: Grid) -> list[tuple[int, int, GridCell]]:
    """Each cell with the (row, column) of its top-left corner once spans are laid out."""
    taken: set[tuple[int, int]] = set()
    found = []
    for r, row in enumerate(cells):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            found.append((r, c, cell))
            taken |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan
    return found


def expand(cells: Grid, *, repeat: bool = False) -> list[list[str]]:
    """The grid as a plain matrix: a spanned cell's text at its top-left and ""
    elsewhere, or (``repeat``) in every position it spans, as docling writes it."""
    covering = {}
    for r, c, cell in placed(cells):
        for dr in range(cell.rowspan if repeat else 1):
            for dc in range(cell.colspan if repeat else 1):
                covering[(r + dr, c + dc)] = cell
    width = max(c + cell.colspan for (_, c), cell in ((k, v) for k, v in covering.items()))
    return [[covering[(r, c)].text if (r, c) in covering else "" for c in range(width)] for r in range(len(cells))]


def table_rows(
    record: Record,
    section: Section,
    *,
    fmt: ValueFormat = plain_number,
    other_as_one_row: bool = False,
) -> list[list[str]]:
    """One table of ``record`` as rows of strings, spans expanded (see :func:`grid`)."""
    return expand(grid(record, section, fmt=fmt, other_as_one_row=other_as_one_row))
