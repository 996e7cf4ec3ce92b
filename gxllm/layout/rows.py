"""A document's pages as the pipeline's lines: a table continued on the next
page joined to its start, each table row one line with its cells joined by tabs.

A merged cell's text sits in the first row and column it covers, an empty
cell is an empty string, and positions covered by a merged cell add nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gxllm.document import Box, Line
from gxllm.layout.boxes import lowest_confidence, union
from gxllm.layout.digits import is_numeric
from gxllm.layout.grids import RULE_TOLERANCE, Grid, PageCell, nearest
from gxllm.layout.lines import TextLine, join_cell_lines
from gxllm.layout.page import PageLayout


@dataclass
class TableRow:
    """One row of a rebuilt table, ready to become a line."""

    page: int
    cells: list[PageCell]

    @property
    def box(self) -> Box:
        return union([c.box for c in self.cells])


def _same_columns(a: Grid, b: Grid, unit: float) -> bool:
    """Whether ``b`` has the columns of ``a`` (a table continued on the next page)."""
    tolerance = 2 * RULE_TOLERANCE * unit
    inner_b = b.xs[1:-1]
    return (
        abs(a.xs[0] - b.xs[0]) <= tolerance
        and abs(a.xs[-1] - b.xs[-1]) <= tolerance
        and all(any(abs(x - y) <= tolerance for y in a.xs) for x in inner_b)
    )


def _use_columns(grid: Grid, reference: Grid) -> None:
    """Number ``grid``'s columns as ``reference`` numbers them, so a continued
    table's cells keep their column whatever rules the new page repeats."""
    for cell in grid.cells:
        cell.col = nearest(reference.xs, cell.box[0])
        cell.colspan = max(1, nearest(reference.xs, cell.box[2]) - cell.col)
    grid.xs = reference.xs


def _split_row(above: list[PageCell], below: list[PageCell]) -> bool:
    """Whether two rows are one table row broken by a page break.

    A broken row leaves its label on both sides, or the label on one side and
    the values on the other; a new row starts with a label and values of its
    own, and a header row has text over the value columns.
    """
    above_numbers = {c.col for c in above if is_numeric(c.text)}
    below_numbers = {c.col for c in below if is_numeric(c.text)}
    if bool(above_numbers) == bool(below_numbers):
        return False
    numbers = above_numbers | below_numbers
    other = below if above_numbers else above
    texts = [c for c in other if c.text]
    return bool(texts) and all(c.col + c.colspan - 1 < min(numbers) for c in texts)


def _merge_rows(above: list[PageCell], below: list[PageCell]) -> list[PageCell]:
    merged: dict[int, PageCell] = {c.col: c for c in above}
    for cell in below:
        if cell.col in merged and merged[cell.col].text and cell.text:
            first = merged[cell.col]
            merged[cell.col] = PageCell(
                box=first.box,
                row=first.row,
                col=first.col,
                rowspan=first.rowspan,
                colspan=first.colspan,
                words=first.words + cell.words,
                text=join_cell_lines([first.text, cell.text]),
                confidence=lowest_confidence([first.confidence, cell.confidence]),
            )
        elif cell.text or cell.col not in merged:
            merged[cell.col] = cell
    return [merged[col] for col in sorted(merged)]


def document_rows(layouts: Sequence[PageLayout], unit: float = 1.0) -> list[TableRow | TextLine]:
    """Every page's blocks as rows and lines, tables continued across pages joined.

    A table that opens the next page with the columns of the table that ended
    this one is its continuation: a row broken by the page break is put back
    together, so its label and values stay on one line.
    """
    out: list[TableRow | TextLine] = []
    previous: Grid | None = None
    for layout in layouts:
        for position, block in enumerate(layout.blocks):
            if isinstance(block, TextLine):
                out.append(block)
                previous = None
                continue
            continued = position == 0 and previous is not None and _same_columns(previous, block, unit)
            if continued and previous is not None:
                _use_columns(block, previous)
            rows = [TableRow(layout.page, cells) for cells in block.rows()]
            if continued and rows and isinstance(out[-1], TableRow) and _split_row(out[-1].cells, rows[0].cells):
                numbers_below = any(is_numeric(c.text) for c in rows[0].cells)
                page = rows[0].page if numbers_below else out[-1].page
                out[-1] = TableRow(page, _merge_rows(out[-1].cells, rows[0].cells))
                rows = rows[1:]
            out.extend(rows)
            previous = previous if continued else block
    return out


def to_line(item: TableRow | TextLine, to_source: Callable[[Box], Box] | None = None) -> Line:
    """A row or text line as the :class:`~gxllm.document.Line` the pipeline reads.

    ``to_source`` maps boxes back to the page as it was given (OCR reads a
    page turned upright and straightened).
    """
    place = to_source or (lambda box: box)
    if isinstance(item, TextLine):
        return Line(
            text=item.text,
            page=item.page,
            box=place(item.box),
            confidence=lowest_confidence(w.confidence for w in item.words),
        )
    confidence = lowest_confidence(c.confidence for c in item.cells)
    return Line(
        text="\t".join(c.text.replace("\t", " ") for c in item.cells),
        page=item.page,
        box=place(item.box),
        cell_boxes=[place(c.box) for c in item.cells],
        cell_confidences=[c.confidence for c in item.cells] if confidence is not None else None,
        confidence=confidence,
    )
