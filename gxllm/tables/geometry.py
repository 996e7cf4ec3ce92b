"""Lines and table rows rebuilt from positions, for PDF pages and OCR'd scans.

A page arrives as :class:`Word` pieces (text with a box: PDF characters or OCR
text lines) and :class:`Rule` segments (ruling lines: PDF strokes and rectangle
edges, or lines found in a scan). A ruled table becomes a grid whose cells are
the rectangles the rules enclose (pdfplumber's edge → intersection → cell
algorithm), so merged header cells and labels spanning several rows keep
their shape. Each grid row becomes one :class:`~gxllm.document.Line` with its
cells joined by tabs, the way the HTML reader flattens ``<table>`` markup: a
merged cell's text sits in the first row and column it covers, an empty cell
is an empty string, and positions covered by a merged cell add nothing.
Unruled text becomes lines in reading order, where a wide gap between words
(an unruled table's column gap) is a tab.

Coordinates are whatever the caller uses (PDF points or image pixels), origin
top-left; ``unit`` is the size of one PDF point in them, so tolerances are
stated once in points.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from gxllm.document import Box, Line
from gxllm.ocr.digits import repair_numeric_cell

# Rules closer than this (points) are one rule; a gap this small in a rule is closed.
RULE_TOLERANCE = 3.0
# A gap between two words wider than this many text heights separates columns.
COLUMN_GAP = 1.6
# Between ASCII letters or digits, a gap wider than this many heights is a space.
SPACE_GAP = 0.25
# A column whose filled cells are numbers at least this often holds counts.
NUMERIC_COLUMN_SHARE = 0.6
# Value lines of one unruled table are at most this many text heights apart
# (the label lines of a long row lie between them).
RUN_GAP = 5.0
# In an unruled table's label area, a gap this wide (text heights) separates a
# group label from the row label beside it.
LABEL_GAP = 0.5
# Page numbers printed in the top or bottom margin ("- 3 -", "第3页", "3/12"),
# with the dashes a faded scan reads as dots or commas (".3-").
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–_－.·•,，。~]*(?:第\s*\d+\s*页(?:\s*[,，/共]\s*共?\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+)[\s\-—–_－.·•,，。~]*$"
)
_MARGIN_SHARE = 0.08
_NUMBER = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
# How a row label (or a report heading) begins: 一、 （一） 1.
_ENUMERATED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@dataclass(frozen=True)
class Word:
    """A piece of text and its box; ``confidence`` is set by OCR, not by a text layer."""

    text: str
    box: Box
    confidence: float | None = None

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def center(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)


@dataclass(frozen=True)
class Rule:
    """A ruling-line segment; thin in one direction."""

    box: Box

    @property
    def orientation(self) -> Literal["h", "v"]:
        x0, top, x1, bottom = self.box
        return "h" if x1 - x0 >= bottom - top else "v"


@dataclass
class Cell:
    box: Box
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    words: list[Word] = field(default_factory=list)
    text: str = ""
    confidence: float | None = None


@dataclass
class Grid:
    """A ruled table: its cells with row and column indices and spans."""

    box: Box
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    cells: list[Cell]

    def rows(self) -> list[list[Cell]]:
        """The cells that start in each grid row, left to right (spans start once)."""
        out: list[list[Cell]] = [[] for _ in range(len(self.ys) - 1)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            out[cell.row].append(cell)
        return [row for row in out if any(cell.text for cell in row)]


@dataclass
class TableRow:
    """One row of a rebuilt table, ready to become a line."""

    page: int
    cells: list[Cell]

    @property
    def box(self) -> Box:
        return _union([c.box for c in self.cells])


@dataclass
class TextLine:
    page: int
    words: list[Word]
    text: str

    @property
    def box(self) -> Box:
        return _union([w.box for w in self.words])


Block = TextLine | Grid


@dataclass
class PageLayout:
    """One page's content in reading order: text lines and ruled tables."""

    page: int
    height: float
    blocks: list[Block]


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


# ---------------------------------------------------------------- text lines


def group_lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into text lines (top to bottom), each left to right.

    A word joins a line when its vertical centre falls inside the line's band
    (the union of its words) and the line's centre falls inside the word: OCR
    boxes are taller than the glyphs, and in an unruled table the wrapped
    labels of neighbouring columns overlap, so either test alone would chain
    rows together.
    """
    lines: list[list[Word]] = []
    bands: list[tuple[float, float]] = []
    center_sums: list[float] = []  # of each line's word centres, for its mean
    for word in sorted(words, key=lambda w: (w.center[1], w.box[0])):
        center = word.center[1]
        for index in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bands[index]
            line_center = center_sums[index] / len(lines[index])
            if top <= center <= bottom and word.box[1] <= line_center <= word.box[3]:
                lines[index].append(word)
                bands[index] = (min(top, word.box[1]), max(bottom, word.box[3]))
                center_sums[index] += center
                break
        else:
            lines.append([word])
            bands.append((word.box[1], word.box[3]))
            center_sums.append(center)
    return [sorted(line, key=lambda w: w.box[0]) for line in lines]


def segments(words: Sequence[Word], gap: float = COLUMN_GAP) -> list[list[Word]]:
    """One line's words cut where a gap is ``gap`` text heights or wider."""
    if not words:
        return []
    height = statistics.median(w.height for w in words) or 1.0
    out = [[words[0]]]
    for before, word in zip(words, words[1:], strict=False):
        if word.box[0] - before.box[2] > gap * height:
            out.append([])
        out[-1].append(word)
    return out


def join_words(words: Sequence[Word], *, columns: bool) -> str:
    """The text of one line's words; ``columns`` turns wide gaps into tabs."""
    if columns:
        return "\t".join(join_words(part, columns=False) for part in segments(words))
    if not words:
        return ""
    height = statistics.median(w.height for w in words) or 1.0
    parts = [words[0].text]
    for before, word in zip(words, words[1:], strict=False):
        if word.box[0] - before.box[2] > SPACE_GAP * height and not (_is_cjk(before.text[-1]) or _is_cjk(word.text[0])):
            parts.append(" ")
        parts.append(word.text)
    return "".join(parts)


def _join_cell_lines(lines: list[str]) -> str:
    """A cell's lines as one string: a label wrapped inside its cell is one label."""
    text = ""
    for line in lines:
        if text and not (_is_cjk(text[-1]) or _is_cjk(line[0])):
            text += " "
        text += line
    return text


# ---------------------------------------------------------------- ruled grids


def _boundaries(values: list[float], tolerance: float) -> list[float]:
    result: list[float] = []
    for value in sorted(values):
        if result and value - result[-1] <= tolerance:
            continue
        result.append(value)
    return result


def _index(boundaries: list[float], value: float) -> int:
    return min(range(len(boundaries)), key=lambda i: abs(boundaries[i] - value))


def find_grids(rules: Sequence[Rule], unit: float = 1.0) -> list[Grid]:
    """Ruled tables: every connected set of cells with at least two columns."""
    tolerance = RULE_TOLERANCE * unit
    edges = []
    for rule in rules:
        x0, top, x1, bottom = rule.box
        if rule.orientation == "h":
            y = (top + bottom) / 2
            edges.append({"orientation": "h", "x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0})
        else:
            x = (x0 + x1) / 2
            edges.append({"orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom, "width": 0, "height": bottom - top})
    if not edges:
        return []
    edges = merge_edges(edges, tolerance, tolerance, tolerance, tolerance)
    intersections = edges_to_intersections(edges, tolerance, tolerance)
    grids = []
    for table_cells in cells_to_tables(intersections_to_cells(intersections)):
        xs = _boundaries([x for c in table_cells for x in (c[0], c[2])], tolerance)
        ys = _boundaries([y for c in table_cells for y in (c[1], c[3])], tolerance)
        if len(xs) < 3:
            continue  # a framed paragraph, not a table (one row is: the end of a table on its page)
        cells = []
        for x0, top, x1, bottom in table_cells:
            row, col = _index(ys, top), _index(xs, x0)
            cells.append(
                Cell(
                    box=(x0, top, x1, bottom),
                    row=row,
                    col=col,
                    rowspan=max(1, _index(ys, bottom) - row),
                    colspan=max(1, _index(xs, x1) - col),
                )
            )
        grids.append(Grid(box=_union([c.box for c in cells]), xs=xs, ys=ys, cells=cells))
    return grids


def _cell_at(grid: Grid, x: float, y: float) -> Cell | None:
    for cell in grid.cells:
        x0, top, x1, bottom = cell.box
        if x0 <= x <= x1 and top <= y <= bottom:
            return cell
    return None


def _fill(grid: Grid) -> None:
    for cell in grid.cells:
        lines = group_lines(cell.words)
        cell.text = _join_cell_lines([join_words(line, columns=False) for line in lines])
        confidences = [w.confidence for w in cell.words if w.confidence is not None]
        cell.confidence = min(confidences) if confidences else None
    _repair_numeric_columns(grid)


def _repair_numeric_columns(grid: Grid) -> None:
    """Read digit look-alikes as digits in the OCR'd cells of count columns."""
    by_column: dict[int, list[Cell]] = {}
    for cell in grid.cells:
        if cell.colspan == 1 and cell.text:
            by_column.setdefault(cell.col, []).append(cell)
    for cells in by_column.values():
        numbers = sum(_is_number(repair_numeric_cell(c.text)) for c in cells)
        if len(cells) < 2 or numbers < NUMERIC_COLUMN_SHARE * len(cells):
            continue
        for cell in cells:
            if cell.confidence is not None:
                cell.text = repair_numeric_cell(cell.text)


# ---------------------------------------------------------------- a page


def layout_page(page: int, height: float, words: Sequence[Word], rules: Sequence[Rule], unit: float = 1.0) -> PageLayout:
    """One page's words and rules as text lines and tables in reading order."""
    grids = find_grids(rules, unit)
    loose: list[Word] = []
    for word in words:
        x, y = word.center
        cell = next((c for g in grids if (c := _cell_at(g, x, y)) is not None), None)
        if cell is None:
            loose.append(word)
        else:
            cell.words.append(word)
    for grid in grids:
        _fill(grid)
    blocks: list[Block] = [g for g in grids if any(c.text for c in g.cells)]
    blocks += unruled_tables([TextLine(page, line, join_words(line, columns=True)) for line in group_lines(loose)])
    blocks.sort(key=lambda b: b.box[1])
    return PageLayout(page=page, height=height, blocks=_without_page_numbers(blocks, height))


# ---------------------------------------------------------------- unruled tables


def _numeric_segments(line: TextLine) -> list[list[Word]]:
    return [part for part in segments(line.words) if _is_number(join_words(part, columns=False))]


def _is_value_line(line: TextLine) -> bool:
    """A table row's values: numbers set apart by column gaps (prose never
    leaves a lone number a column gap away from its words)."""
    parts = segments(line.words)
    numbers = _numeric_segments(line)
    return bool(numbers) and (len(parts) >= 2 or len(numbers) == len(parts))


def _clusters(values: list[float], tolerance: float) -> list[float]:
    """Centres of groups of ``values`` that lie within ``tolerance`` of a neighbour."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [statistics.fmean(g) for g in groups]


def _runs(lines: list[TextLine]) -> list[tuple[int, int]]:
    """(first, last) indices of runs of lines that form an unruled table: value
    lines, the label lines between them, and a label line tight below the last."""
    runs: list[tuple[int, int]] = []
    values = [i for i, line in enumerate(lines) if _is_value_line(line)]
    if not values:
        return runs
    start = end = values[0]
    for index in values[1:]:
        gap = lines[index].box[1] - lines[end].box[3]
        height = lines[end].box[3] - lines[end].box[1]
        if gap <= RUN_GAP * height:
            end = index
            continue
        runs.append((start, end))
        start = end = index
    runs.append((start, end))
    out = []
    for first, last in runs:
        height = lines[first].box[3] - lines[first].box[1]
        value_left = min(p[0].box[0] for i in range(first, last + 1) for p in _numeric_segments(lines[i]))
        # Label lines tight above the first row or below the last, left of
        # every value, belong to those rows (a label wrapped around its values).
        while first > 0 and lines[first].box[1] - lines[first - 1].box[3] < 0.8 * height:
            if _is_value_line(lines[first - 1]) or lines[first - 1].box[2] >= value_left:
                break
            first -= 1
        # A line that opens with its own number (a heading, the next label) starts something new.
        below = lines[last + 1] if last + 1 < len(lines) else None
        if (
            below
            and not _is_value_line(below)
            and below.box[2] < value_left
            and not _ENUMERATED.match(below.text)
            and below.box[1] - lines[last].box[3] < 0.8 * height
        ):
            last += 1
        if last - first >= 1:
            out.append((first, last))
    return out


def _label_text_left_of(line: TextLine, boundary: float) -> bool:
    return any(w.box[2] <= boundary for w in line.words)


def _unruled_grid(lines: list[TextLine]) -> Grid:
    """Rows anchored on value lines; each label line joins the nearer value line
    (on a tie, the one above when the one below has a label of its own)."""
    anchors = [i for i, line in enumerate(lines) if _is_value_line(line)]
    height = statistics.median(w.height for line in lines for w in line.words)
    numbers = [part for i in anchors for part in _numeric_segments(lines[i])]
    value_left = min(p[0].box[0] for p in numbers) - height / 2
    members: dict[int, list[TextLine]] = {i: [lines[i]] for i in anchors}
    for index, line in enumerate(lines):
        if index in members:
            continue
        middle = (line.box[1] + line.box[3]) / 2
        above = max((a for a in anchors if a < index), default=None)
        below = min((a for a in anchors if a > index), default=None)
        if above is None or below is None:
            members[above if below is None else below].append(line)  # type: ignore[index]
            continue
        up = middle - (lines[above].box[1] + lines[above].box[3]) / 2
        down = (lines[below].box[1] + lines[below].box[3]) / 2 - middle
        if abs(up - down) > height / 4:
            members[above if up < down else below].append(line)
        else:
            members[above if _label_text_left_of(lines[below], value_left) else below].append(line)
    pieces = []
    for row, anchor in enumerate(anchors):
        for line in members[anchor]:
            for part in segments(line.words):
                finer = segments(part, LABEL_GAP) if part[0].box[0] < value_left else [part]
                pieces += [(row, piece) for piece in finer]
    value_columns = _clusters([(p[0].box[0] + p[-1].box[2]) / 2 for _r, p in pieces if p[0].box[0] >= value_left], 1.5 * height)
    label_columns = _clusters([p[0].box[0] for _r, p in pieces if p[0].box[0] < value_left], height)
    by_cell: dict[tuple[int, int], list[list[Word]]] = {}
    for row, part in pieces:
        x0 = part[0].box[0]
        if x0 >= value_left:
            center = (x0 + part[-1].box[2]) / 2
            column = len(label_columns) + min(range(len(value_columns)), key=lambda c: abs(value_columns[c] - center))
        else:
            column = max((c for c, start in enumerate(label_columns) if start <= x0 + height), default=0)
        by_cell.setdefault((row, column), []).append(part)
    ys = [min(line.box[1] for line in members[a]) for a in anchors] + [max(line.box[3] for line in members[anchors[-1]])]
    xs = label_columns + [value_left] + value_columns[1:]
    xs = sorted(xs) + [max(w.box[2] for line in lines for w in line.words)]
    cells = []
    for (row, column), parts in sorted(by_cell.items()):
        words = [w for p in parts for w in p]
        cell = Cell(box=_union([w.box for w in words]), row=row, col=column, words=words)
        # Read as a cell's own lines: OCR boxes of a label wrapped in a narrow
        # column can share a table line and overlap across.
        cell.text = _join_cell_lines([join_words(line, columns=False) for line in group_lines(words)])
        known = [w.confidence for w in words if w.confidence is not None]
        cell.confidence = min(known) if known else None
        cells.append(cell)
    grid = Grid(box=_union([c.box for c in cells]), xs=xs, ys=ys, cells=cells)
    _repair_numeric_columns(grid)
    return grid


def unruled_tables(lines: list[TextLine]) -> list[Block]:
    """Text lines, with each run of lines that forms an unruled table made a grid."""
    blocks: list[Block] = []
    taken = 0
    for first, last in _runs(lines):
        blocks += lines[taken:first]
        blocks.append(_unruled_grid(lines[first : last + 1]))
        taken = last + 1
    return blocks + lines[taken:]


def _without_page_numbers(blocks: list[Block], height: float) -> list[Block]:
    """Drop page numbers in the margins: they would split a table continued
    on the next page, and they are no part of the report."""

    def furniture(block: Block) -> bool:
        if not isinstance(block, TextLine) or not _PAGE_NUMBER.match(block.text):
            return False
        top, bottom = block.box[1], block.box[3]
        return bottom < height * _MARGIN_SHARE or top > height * (1 - _MARGIN_SHARE)

    return [b for b in blocks if not furniture(b)]


# ---------------------------------------------------------------- a document


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.replace(" ", "")))


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
        cell.col = _index(reference.xs, cell.box[0])
        cell.colspan = max(1, _index(reference.xs, cell.box[2]) - cell.col)
    grid.xs = reference.xs


def _split_row(above: list[Cell], below: list[Cell]) -> bool:
    """Whether two rows are one table row broken by a page break.

    A broken row leaves its label on both sides, or the label on one side and
    the values on the other; a new row starts with a label and values of its
    own, and a header row has text over the value columns.
    """
    above_numbers = {c.col for c in above if _is_number(c.text)}
    below_numbers = {c.col for c in below if _is_number(c.text)}
    if bool(above_numbers) == bool(below_numbers):
        return False
    numbers = above_numbers | below_numbers
    other = below if above_numbers else above
    texts = [c for c in other if c.text]
    return bool(texts) and all(c.col + c.colspan - 1 < min(numbers) for c in texts)


def _merge_rows(above: list[Cell], below: list[Cell]) -> list[Cell]:
    merged: dict[int, Cell] = {c.col: c for c in above}
    for cell in below:
        if cell.col in merged and merged[cell.col].text and cell.text:
            first = merged[cell.col]
            merged[cell.col] = Cell(
                box=first.box,
                row=first.row,
                col=first.col,
                rowspan=first.rowspan,
                colspan=first.colspan,
                words=first.words + cell.words,
                text=_join_cell_lines([first.text, cell.text]),
                confidence=min((c for c in (first.confidence, cell.confidence) if c is not None), default=None),
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
                numbers_below = any(_is_number(c.text) for c in rows[0].cells)
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
        confidences = [w.confidence for w in item.words if w.confidence is not None]
        return Line(
            text=item.text, page=item.page, box=place(item.box), confidence=min(confidences) if confidences else None
        )
    known = [c.confidence for c in item.cells if c.confidence is not None]
    return Line(
        text="\t".join(c.text.replace("\t", " ") for c in item.cells),
        page=item.page,
        box=place(item.box),
        cell_boxes=[place(c.box) for c in item.cells],
        cell_confidences=[c.confidence for c in item.cells] if known else None,
        confidence=min(known) if known else None,
    )
