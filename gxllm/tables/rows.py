"""One row's cells from its tokens: every reading the text allows.

A row printed in full has one reading. A row short of cells has several:
empty cells around its values, digits of neighbouring cells run together,
or (in a dump whose converter deleted repeated lines) runs of equal cells
printed once. The table's sums choose among them (:mod:`gxllm.tables.resolve`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterator

from gxllm.lexicon import parse_number
from gxllm.tables.resolve import CellReading, Choice
from gxllm.tables.tokens import Kind, Token
from gxllm.template import CellPath, Column, Row

# Readings of one row weighed at most: a row that allows more (a page run
# into one line, hostile input) is left null rather than searched for minutes.
MAX_READINGS = 20000
_REPEAT_NOTE = "printed once: the source's converter deleted the line repeating it; put back as the table's sums allow"


def parse_value(token: Token, kind: str) -> CellReading:
    """A cell from its printed token; a count must be a whole number."""
    if token.kind in (Kind.NULL, Kind.EMPTY):
        note = "empty cell" if token.kind is Kind.EMPTY else f"printed as {token.text!r}: no value"
        return CellReading(None, token if token.kind is Kind.NULL else None, note)
    number = parse_number(token.text)
    if kind != "money" and isinstance(number, float):
        if not number.is_integer():
            return CellReading(None, token, f"{token.text!r} is not a whole number")
        number = int(number)
    return CellReading(number, token)


def _digit_splits(tokens: list[Token], needed: int) -> list[list[tuple[Token, str, int]]] | None:
    """Ways to cut run-together digits into ``needed`` numbers; None when there are more than :data:`MAX_READINGS`.

    Each part is (source token, digits, offset in the token); a part never
    starts with 0 unless it is 0.
    """

    def cuts(text: str, parts: int) -> list[list[tuple[str, int]]]:
        if parts == 1:
            return [[(text, 0)]] if text == "0" or not text.startswith("0") else []
        out = []
        for i in range(1, len(text)):
            head = text[:i]
            if head != "0" and head.startswith("0"):
                continue
            for rest in cuts(text[i:], parts - 1):
                out.append([(head, 0)] + [(t, o + i) for t, o in rest])
        return out

    splittable = [t for t in tokens if t.kind is Kind.VALUE and t.text.isdigit()]
    extra = needed - len(tokens)
    results: list[list[tuple[Token, str, int]]] = []
    # a run of n digits holds at most n numbers
    for distribution in _compositions(extra, [len(t.text) - 1 for t in splittable]):
        per_token = dict(zip((id(t) for t in splittable), distribution, strict=True))
        # Cuts of a digit run into n parts: at most C(len - 1, n - 1).
        ways = math.prod(math.comb(len(t.text) - 1, per_token[id(t)]) for t in splittable)
        if len(results) + ways > MAX_READINGS:
            return None
        options = []
        for token in tokens:
            n = per_token.get(id(token), 0) + 1
            options.append([[(token, text, at) for text, at in c] for c in cuts(token.text, n)] if n > 1 else [[(token, token.text, 0)]])
        for combo in itertools.product(*options):
            results.append([part for parts in combo for part in parts])
    return results


def _compositions(total: int, caps: list[int]) -> Iterator[tuple[int, ...]]:
    """Every way to write ``total`` as counts in order, the i-th at most ``caps[i]``."""
    if not caps:
        if total == 0:
            yield ()
        return
    room = sum(caps[1:])
    for first in range(max(0, total - room), min(caps[0], total) + 1):
        for rest in _compositions(total - first, caps[1:]):
            yield (first, *rest)


def _restorations(columns: tuple[Column, ...], values: list[Token]) -> list[list[CellReading]] | None:
    """Ways to put back the repeats a converter deleted: each value alone on
    its line stands for a run of one or more equal cells. None when there are
    more than :data:`MAX_READINGS`."""
    repeatable = [i for i, t in enumerate(values) if t.alone]
    extra = len(columns) - len(values)
    if math.comb(extra + len(repeatable) - 1, len(repeatable) - 1) > MAX_READINGS:
        return None
    readings = []
    # (value, column kind) -> the cell as printed and as a repeat put back; shared
    # by the readings, of which a section-4 line can have thousands
    made: dict[tuple[int, str], tuple[CellReading, CellReading]] = {}
    for counts in _compositions(extra, [extra] * len(repeatable)):
        # how many of the extra cells repeat each repeatable value
        repeats = dict.fromkeys(range(len(values)), 0)
        repeats.update(zip(repeatable, counts, strict=True))
        cells: list[CellReading] = []
        for i, token in enumerate(values):
            kind = columns[len(cells)].kind
            if (i, kind) not in made:
                first = parse_value(token, kind)
                made[(i, kind)] = (first, dataclasses.replace(first, note=_REPEAT_NOTE, restored=True))
            first, again = made[(i, kind)]
            cells.append(first)
            cells.extend([again] * repeats[i])
        readings.append(cells)
    return readings


def _spanned_repeats(values: list[Token], k: int) -> list[list[Token]] | None:
    """Ways to read a row printed with a spanned cell's value in every column
    it spans (as docling writes tables): drop repeats of the value before.
    None when there are more than :data:`MAX_READINGS`."""
    repeats = [i for i in range(1, len(values)) if values[i].text == values[i - 1].text]
    surplus = len(values) - k
    if math.comb(len(repeats), surplus) > MAX_READINGS:
        return None
    return [
        [t for i, t in enumerate(values) if i not in dropped]
        for dropped in map(set, itertools.combinations(repeats, surplus))
    ]


def row_cells(
    columns: tuple[Column, ...],
    tokens: list[Token],
    repeats_deleted: bool = False,
    printed: tuple[Column, ...] = (),
) -> tuple[list[list[CellReading]], str]:
    """Every reading of one row's cells that its tokens allow, and the doubt.

    ``printed`` are the columns the table's header names above the row, when
    it names fewer than the template has: the values are theirs.
    """
    k = len(columns)
    values = [t for t in tokens if t.kind in (Kind.VALUE, Kind.NULL)]
    if values and len(values) == len(printed) < k:
        by_column = dict(zip(printed, values, strict=True))
        return [
            [
                parse_value(by_column[c], c.kind) if c in by_column else CellReading(None, None, f"column {c.label!r} not printed in this table")
                for c in columns
            ]
        ], ""

    def parsed(tokens_in_order: list[Token]) -> list[CellReading]:
        return [parse_value(t, c.kind) for t, c in zip(tokens_in_order, columns, strict=True)]

    if len(values) == k:
        return [parsed(values)], ""
    if len(values) > k:
        spans = _spanned_repeats(values, k)
        if spans is None:
            return [], _too_many(len(values), k)
        if spans:
            return [parsed(kept) for kept in spans], f"{len(values)} values for {k} cells, a spanned cell printed in each column"
        return [], f"{len(values)} values where the row has {k} cells"
    cells_and_empties = [t for t in tokens if t.is_cell]
    if len(cells_and_empties) > len(values):
        # Empty cells around the values: every window of k cells that keeps
        # all the values is a reading.
        positions = [i for i, t in enumerate(cells_and_empties) if t.kind is not Kind.EMPTY]
        readings = [
            parsed(cells_and_empties[start : start + k])
            for start in range(len(cells_and_empties) - k + 1)
            if not positions or start <= positions[0] and positions[-1] < start + k
        ]
        if readings:
            return readings, "empty cells could belong to more than one column"
    if repeats_deleted and any(t.alone for t in values):
        restored = _restorations(columns, values)
        if restored is None:
            return [], _too_many(len(values), k)
        return restored, f"{len(values)} values printed for {k} cells, repeats deleted"
    splits = _digit_splits(values, k)
    if splits is None:
        return [], _too_many(len(values), k)
    if not splits:
        return [], f"{len(values)} values where the row has {k} cells"
    readings = []
    for split in splits:
        cells = []
        for (token, digits, at), column in zip(split, columns, strict=True):
            if digits == token.text:
                cells.append(parse_value(token, column.kind))
            else:
                part = (token.start + at, token.start + at + len(digits))
                cells.append(CellReading(int(digits), token, f"digits run together in {token.text!r}", part))
        readings.append(cells)
    return readings, f"digits run together: {len(splits)} ways to split them"


def _too_many(printed: int, k: int) -> str:
    return f"{printed} values where the row has {k} cells: more than {MAX_READINGS} ways to read them"


def row_choice(
    paths: list[str],
    columns: tuple[Column, ...],
    tokens: list[Token],
    repeats_deleted: bool,
    printed: tuple[Column, ...] = (),
) -> Choice:
    readings, doubt = row_cells(columns, tokens, repeats_deleted, printed)
    if not readings:
        return Choice(paths, [{p: CellReading(None, None, doubt) for p in paths}], doubt)
    return Choice(paths, [dict(zip(paths, cells, strict=True)) for cells in readings], doubt)


def null_choice(rows: list[Row], section: str, note: str) -> Choice:
    paths = cell_paths(section, rows)
    return Choice(paths, [{p: CellReading(None, None, note) for p in paths}], note)


def cell_paths(section: str, rows: list[Row]) -> list[str]:
    return [str(CellPath(section, r.key, c.key)) for r in rows for c in r.columns]
