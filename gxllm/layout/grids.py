"""Ruled tables as grids of cells.

A ruled table becomes a grid whose cells are the rectangles the rules
enclose (pdfplumber's edge → intersection → cell algorithm,
:mod:`gxllm.layout.plumber`), so merged header cells and labels spanning
several rows keep their shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gxllm.document import Box
from gxllm.layout.boxes import Rule, Word, lowest_confidence, union
from gxllm.layout.digits import is_numeric, repair_numeric_cell
from gxllm.layout.lines import cell_text
from gxllm.layout.plumber import ruled_tables

# Rules closer than this (points) are one rule; a gap this small in a rule is closed.
RULE_TOLERANCE = 3.0
# A column whose filled cells are numbers at least this often holds counts.
NUMERIC_COLUMN_SHARE = 0.6


@dataclass
class PageCell:
    """A cell of a table found on a page: its box, its place in the grid (spans kept), the words in it."""

    box: Box
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    words: list[Word] = field(default_factory=list)
    text: str = ""
    confidence: float | None = None

    def fill(self) -> None:
        """The cell's text and confidence from its words."""
        self.text = cell_text(self.words)
        self.confidence = lowest_confidence(w.confidence for w in self.words)


@dataclass
class Grid:
    """A table: its cells with row and column indices and spans."""

    box: Box
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    cells: list[PageCell]

    def rows(self) -> list[list[PageCell]]:
        """The cells that start in each grid row, left to right (spans start once)."""
        out: list[list[PageCell]] = [[] for _ in range(len(self.ys) - 1)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[cell.row].append(cell)
        return [row for row in out if any(cell.text for cell in row)]

    def cell_at(self, x: float, y: float) -> PageCell | None:
        for cell in self.cells:
            x0, top, x1, bottom = cell.box
            if x0 <= x <= x1 and top <= y <= bottom:
                return cell
        return None


def _boundaries(values: list[float], tolerance: float) -> list[float]:
    result: list[float] = []
    for value in sorted(values):
        if result and value - result[-1] <= tolerance:
            continue
        result.append(value)
    return result


def nearest(boundaries: list[float], value: float) -> int:
    """The index of the boundary nearest ``value``."""
    return min(range(len(boundaries)), key=lambda i: abs(boundaries[i] - value))


def find_grids(rules: Sequence[Rule], unit: float = 1.0) -> list[Grid]:
    """Ruled tables: every connected set of cells with at least two columns."""
    tolerance = RULE_TOLERANCE * unit
    grids = []
    for table_cells in ruled_tables(rules, tolerance):
        xs = _boundaries([x for c in table_cells for x in (c[0], c[2])], tolerance)
        ys = _boundaries([y for c in table_cells for y in (c[1], c[3])], tolerance)
        if len(xs) < 3:
            continue  # a framed paragraph, not a table (one row is: the end of a table on its page)
        cells = []
        for x0, top, x1, bottom in table_cells:
            row, col = nearest(ys, top), nearest(xs, x0)
            cells.append(
                PageCell(
                    box=(x0, top, x1, bottom),
                    row=row,
                    col=col,
                    rowspan=max(1, nearest(ys, bottom) - row),
                    colspan=max(1, nearest(xs, x1) - col),
                )
            )
        grids.append(Grid(box=union([c.box for c in cells]), xs=xs, ys=ys, cells=cells))
    return grids


def fill(grid: Grid) -> None:
    """Each cell's text from its words, digit look-alikes read as digits in count columns."""
    for cell in grid.cells:
        cell.fill()
    repair_numeric_columns(grid)


def repair_numeric_columns(grid: Grid) -> None:
    """Read digit look-alikes as digits in the OCR'd cells of count columns."""
    by_column: dict[int, list[PageCell]] = {}
    for cell in grid.cells:
        if cell.colspan == 1 and cell.text:
            by_column.setdefault(cell.col, []).append(cell)
    for cells in by_column.values():
        numbers = sum(is_numeric(repair_numeric_cell(c.text)) for c in cells)
        if len(cells) < 2 or numbers < NUMERIC_COLUMN_SHARE * len(cells):
            continue
        for cell in cells:
            if cell.confidence is not None:
                cell.text = repair_numeric_cell(cell.text)
