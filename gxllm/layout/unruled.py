"""Unruled tables: runs of text lines whose numbers stand in columns, made grids.

A table printed without rules is told from prose by its value lines (numbers
set apart by column gaps); the label lines between them, wrapped around their
values, join the nearer row.
"""

from __future__ import annotations

import re
import statistics

from gxllm.layout.boxes import Word, union
from gxllm.layout.digits import is_numeric
from gxllm.layout.grids import Grid, PageCell, fill
from gxllm.layout.lines import TextLine, join_words, segments

# Value lines of one unruled table are at most this many text heights apart
# (the label lines of a long row lie between them).
RUN_GAP = 5.0
# In an unruled table's label area, a gap this wide (text heights) separates a
# group label from the row label beside it.
LABEL_GAP = 0.5
# How a row label (or a report heading) begins: 一、 （一） 1.
_ENUMERATED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")


def _numeric_segments(line: TextLine) -> list[list[Word]]:
    return [part for part in segments(line.words) if is_numeric(join_words(part, columns=False))]


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
        # Read as a cell's own lines: OCR boxes of a label wrapped in a narrow
        # column can share a table line and overlap across.
        cells.append(PageCell(box=union([w.box for w in words]), row=row, col=column, words=words))
    grid = Grid(box=union([c.box for c in cells]), xs=xs, ys=ys, cells=cells)
    fill(grid)
    return grid


def unruled_tables(lines: list[TextLine]) -> list[TextLine | Grid]:
    """Text lines, with each run of lines that forms an unruled table made a grid."""
    blocks: list[TextLine | Grid] = []
    taken = 0
    for first, last in _runs(lines):
        blocks += lines[taken:first]
        blocks.append(_unruled_grid(lines[first : last + 1]))
        taken = last + 1
    return blocks + lines[taken:]
