"""Rows read line by line: a table whose every row stands on one line of cells.

PDF and OCR converters (Markdown above all) print each row's cells on one
line but lose the row labels: wrapped, moved above the row, cut between two
rows, or dropped. Rows are then taken in the template's order: a line whose
own text names one row is that row, and the lines without a label between
two named ones are the rows between them in order, when the counts agree.
When they do not, those rows are null with the reason; nothing is guessed.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from itertools import groupby

from gxllm.tables.resolve import Choice
from gxllm.tables.rows import cell_paths, null_choice, row_choice
from gxllm.tables.tokens import Kind, Token
from gxllm.template import Row, Table


class _Line:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.values = sum(1 for t in tokens if t.kind in (Kind.VALUE, Kind.NULL))
        label = "".join(t.text for t in tokens if t.kind is Kind.TEXT)
        self.label = re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))


def _named_row(line: _Line, rows: tuple[Row, ...]) -> int | None:
    """The one row whose label the line's own text names, if exactly one."""
    named = [i for i, row in enumerate(rows) if re.search(row.pattern, line.label)]
    return named[0] if len(named) == 1 else None


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of (line, row) pairs whose rows increase with the lines."""
    best: list[list[tuple[int, int]]] = []
    for pair in pairs:
        chains = [chain for chain in best if chain[-1][1] < pair[1]]
        best.append(max(chains, key=len, default=[]) + [pair])
    return max(best, key=len, default=[])


def read_by_lines(table: Table, tokens: list[Token]) -> list[Choice]:
    """A choice for every row of ``table``, reading one line of cells per row."""
    lines = [_Line(list(group)) for _, group in groupby(tokens, key=lambda t: t.line)]
    lines = [line for line in lines if line.values]
    rows = table.rows
    named = [(i, row) for i, line in enumerate(lines) if (row := _named_row(line, rows)) is not None]
    fixed = _increasing(named)
    assigned: dict[int, _Line] = {row: lines[i] for i, row in fixed}
    # A line naming its row out of the template's order is still that row's.
    for i, row in named:
        if row not in assigned and lines[i].values <= len(rows[row].columns):
            assigned[row] = lines[i]
    notes: dict[int, str] = {}
    # Gaps between the named lines (and before the first, after the last).
    edges = [(-1, -1), *fixed, (len(lines), len(rows))]
    for (line_before, row_before), (line_after, row_after) in zip(edges, edges[1:], strict=False):
        gap_rows = list(range(row_before + 1, row_after))
        widths = {len(rows[r].columns) for r in gap_rows}
        unnamed = [lines[i] for i in range(line_before + 1, line_after) if lines[i].values in widths]
        if len(unnamed) == len(gap_rows) and all(
            line.values == len(rows[r].columns) for line, r in zip(unnamed, gap_rows, strict=True)
        ):
            assigned.update(zip(gap_rows, unnamed, strict=True))
        elif unnamed:
            for r in gap_rows:
                notes[r] = f"{len(unnamed)} lines of cells without a label for {len(gap_rows)} rows: cannot tell which is which"
    choices = []
    for r, row in enumerate(rows):
        if r in assigned:
            choice = row_choice(cell_paths(table.section, [row]), row.columns, assigned[r].tokens, False)
            if _named_row(assigned[r], rows) != r:
                choice = _placed(choice, f"row {row.label!r} not named on its line of cells: taken by its place between the rows around it")
            choices.append(choice)
        else:
            choices.append(null_choice([row], table.section, notes.get(r, f"no line of cells found for row {row.label!r}")))
    return choices


def _placed(choice: Choice, note: str) -> Choice:
    """The choice with ``note`` added to every cell: how its row was found."""
    readings = [
        {p: dataclasses.replace(c, note="; ".join(n for n in (c.note, note) if n)) for p, c in reading.items()}
        for reading in choice.readings
    ]
    return Choice(choice.paths, readings, choice.doubt)
