"""Reports whose crawler deleted every line equal to the one before it (the 莆田 dumps).

The tables are printed one cell a line, as the crawler stored them, and then
each line that repeats the line above is removed, like ``uniq``: a row
``0 0 0`` prints as one ``0``, ``60 0 0 0 3 0 63`` as ``60 0 3 0 63``. The gold
is what the table's own sums can restore: every way of putting the repeats
back is tried (here by brute force, apart from the reader's search), and a
cell is null where the readings that keep every sum disagree on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations, product

from gxllm.fixturegen.grid import SECTIONS, Grid, grid
from gxllm.fixturegen.runtogether import failing
from gxllm.record import Number, Record
from gxllm.validate.arithmetic import equations

# Combinations of doubtful rows tried per section before the record is refused.
MAX_COMBINATIONS = 200_000


class TooManyReadings(ValueError):
    """The record's printed table leaves too many readings to check by brute force."""


def delete_repeats(text: str) -> str:
    """``text`` without every line equal to the line just before it."""
    lines = text.split("\n")
    return "\n".join(line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1])


def one_cell_a_line(cells: Grid) -> str:
    """Every cell on a line of its own, no blank lines (the crawler's dump)."""
    return "\n".join(cell.text for row in cells for cell in row if cell.text)


def _runs(values: list[Number], width: int) -> Iterator[tuple[Number, ...]]:
    """Every row of ``width`` cells that prints as ``values`` once repeats are deleted."""
    extra = width - len(values)
    for bars in combinations(range(extra + len(values) - 1), len(values) - 1):
        edges = (-1, *bars, extra + len(values) - 1)
        yield tuple(v for i, v in enumerate(values) for _ in range(edges[i + 1] - edges[i]))


def printed_lines(record: Record, section: str) -> list[tuple[str, ...]]:
    """The cell paths whose values stand on consecutive lines once the table is
    printed one cell a line: a row's cells (section 4: all fifteen)."""
    lines: list[tuple[str, ...]] = []
    for row in grid(record, section):  # type: ignore[arg-type]
        paths = tuple(cell.path for cell in row if cell.path)
        if not paths:
            continue
        if lines and section == "section4":
            lines[-1] += paths
        else:
            lines.append(paths)
    return lines


def restorable_gold(record: Record) -> Record:
    """``record`` with null wherever the sums cannot undo the deleted repeats."""
    options = {}
    for section in SECTIONS:
        for line in printed_lines(record, section):
            values = [record.cell(p) for p in line]
            printed = [v for i, v in enumerate(values) if i == 0 or v != values[i - 1]]
            options[line] = [dict(zip(line, cells, strict=True)) for cells in _runs(printed, len(line))]  # type: ignore[arg-type]
    return gold_the_sums_allow(record, options)


def gold_the_sums_allow(record: Record, options: dict[tuple[str, ...], list[dict[str, Number]]]) -> Record:
    """``record`` with null in every cell on which the readings of its printed
    lines (``options``: each line's possible cell values) that keep every sum
    disagree. Sums never cross sections, so each is tried on its own."""
    spec = record.spec
    assert spec is not None
    gold = record.model_copy(deep=True)
    for section in SECTIONS:
        kept = []
        for line, readings in options.items():
            if not line[0].startswith(section):
                continue
            inside = [eq for eq in equations(spec.version) if set(eq.cells) <= set(line)]
            kept.append([r for r in readings if all(eq.residual(r) == 0 for eq in inside)])
        count = 1
        for readings in kept:
            count *= len(readings)
        if count > MAX_COMBINATIONS:
            raise TooManyReadings(f"{section}: {count} readings to check")
        agreeing: dict[str, set[Number]] = {}
        for combination in product(*kept):
            values = {p: v for part in combination for p, v in part.items()}
            if not failing(spec, values):
                for path, value in values.items():
                    agreeing.setdefault(path, set()).add(value)
        for path, seen in agreeing.items():
            if len(seen) > 1:
                gold.set_cell(path, None)
    return gold
