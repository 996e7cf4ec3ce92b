"""Digits of neighbouring cells printed with no space between them.

PDF text often loses the gap between two cells ("65 3 0 0 0 0 68" comes out as
"653 0 0 0 0 68"). A reader can only undo that with the table's own sums, so a
fixture may run cells together only where exactly one way of cutting the
digits back into cells keeps every sum; this module finds such places.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from itertools import combinations, pairwise, product

from gxllm.record import Number, Record
from gxllm.template import CellPath, Template
from gxllm.validate.arithmetic import Equation, equations

# The cell paths printed on one line, in order.
PrintedLine = tuple[str, ...]
# Lines to run together in one fixture: a few rows of section 3 and the one
# line of section 4, so that both kinds of sum are needed.
SECTION3_LINES = 2
TRIES = 400


def splits(tokens: Sequence[str], count: int) -> list[tuple[int, ...]]:
    """Every way to cut the digit strings ``tokens`` into ``count`` numbers, in order.

    Pieces with a leading zero ("03") are allowed: a reader that refuses them
    sees fewer readings, so a split that is unique here is unique for it too.
    """
    if not tokens:
        return [()] if count == 0 else []
    first, rest = tokens[0], tokens[1:]
    found = []
    for pieces in range(1, min(len(first), count - len(rest)) + 1):
        for cuts in combinations(range(1, len(first)), pieces - 1):
            bounds = (0, *cuts, len(first))
            head = tuple(int(first[a:b]) for a, b in pairwise(bounds))
            found += [head + tail for tail in splits(rest, count - pieces)]
    return found


def failing(spec: Template, values: Mapping[str, Number]) -> list[Equation]:
    """The template's sum equations (the validator's) that ``values`` breaks; an
    equation with a cell missing from ``values`` decides nothing."""
    return [
        eq for eq in equations(spec.version) if all(p in values for p in eq.cells) and eq.residual(dict(values)) != 0
    ]


def readings(record: Record, printed: Mapping[PrintedLine, Sequence[str]]) -> list[dict[str, int]]:
    """Every reading of the printed lines that keeps all of the record's sums.

    ``printed`` maps each run-together line to the tokens printed on it; every
    other cell is taken from ``record``. The true reading is among the results
    when ``record`` keeps its sums; a fixture may use the lines only when it is
    the only one.
    """
    spec = record.spec
    assert spec is not None
    known = {path: value for path, value in record.cells() if value is not None}
    options = []
    for line, tokens in printed.items():
        # A line's own totals (a row total, a section-4 group) prune its splits early.
        inside = [eq for eq in equations(spec.version) if set(eq.cells) <= set(line)]
        candidates = (dict(zip(line, numbers, strict=True)) for numbers in splits(tokens, len(line)))
        options.append([v for v in candidates if all(eq.residual({**known, **v}) == 0 for eq in inside)])
    found = []
    for combination in product(*options):
        values = {path: value for part in combination for path, value in part.items()}
        if not failing(spec, {**known, **values}):
            found.append(values)
    return found


def printed_tokens(record: Record, line: PrintedLine, glue: frozenset[str]) -> list[str]:
    """The tokens of ``line`` when each cell in ``glue`` runs into the next one."""
    tokens = [""]
    for path in line:
        tokens[-1] += str(record.cell(path))
        if path not in glue:
            tokens.append("")
    return [t for t in tokens if t]


def lines(record: Record) -> list[PrintedLine]:
    """The numeric lines of sections 3 and 4 in a row-per-line layout."""
    spec = record.spec
    assert spec is not None
    section3 = [tuple(str(CellPath("section3", row.key, c.key)) for c in row.columns) for row in spec.section3.rows]
    section4 = tuple(str(CellPath("section4", row.key, c.key)) for row in spec.section4.rows for c in row.columns)
    return [*section3, section4]


def _candidate(record: Record, line: PrintedLine, rng: random.Random, *, need_sums: bool) -> str | None:
    """A cell of ``line`` to run into its right neighbour.

    The left cell is never 0 (a token like "068" reads as a typo, not as two
    cells); with ``need_sums`` the digits alone must split more than one way, so
    that only the sums can tell the reading.
    """
    pairs = [i for i in range(len(line) - 1) if record.cell(line[i])]
    rng.shuffle(pairs)
    for i in pairs:
        tokens = printed_tokens(record, line, frozenset({line[i]}))
        if not need_sums or len(splits(tokens, len(line))) > 1:
            return line[i]
    return None


def pick_glue(record: Record, rng: random.Random) -> frozenset[str] | None:
    """Cells to print run into their right neighbour, readable back in exactly one way.

    A few section-3 rows whose digits alone split more than one way, plus one
    pair on the section-4 line where it has a non-zero cell; together they have
    exactly one reading that keeps every sum. None when the record offers no
    such place (an all-zero table, say).
    """
    *section3, section4 = lines(record)
    for _ in range(TRIES):
        glue = {line: _candidate(record, line, rng, need_sums=True) for line in section3}
        eligible = [line for line, cell in glue.items() if cell is not None]
        if not eligible:
            return None
        chosen = {line: glue[line] for line in rng.sample(eligible, min(SECTION3_LINES, len(eligible)))}
        chosen[section4] = _candidate(record, section4, rng, need_sums=False)
        cells = frozenset(cell for cell in chosen.values() if cell is not None)
        printed = {line: printed_tokens(record, line, cells) for line, cell in chosen.items() if cell}
        if len(readings(record, printed)) == 1:
            return cells
    return None
