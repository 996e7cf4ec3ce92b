"""Deliberate errors: single-cell changes of a gold record, seeded and reproducible.

Each change imitates a misreading an extractor or OCR makes: a value off by
one, two digits swapped, a digit dropped, a value read into the neighbouring
cell, a value lost. The validator is then asked whether it notices.

Only integer cells are changed (counts and the 2019 ``change`` cells): digit
edits of money amounts are not well defined.
"""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel

from gxllm.record import Record
from gxllm.template import CellPath

ChangeKind = Literal["plus_minus_one", "swap_digits", "drop_digit", "move_to_neighbour", "set_null"]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "plus_minus_one",
    "swap_digits",
    "drop_digit",
    "move_to_neighbour",
    "set_null",
)


class Change(BaseModel):
    """``path`` goes from ``original`` to ``changed``; for a move, the value came from ``moved_from``."""

    kind: ChangeKind
    path: str
    original: int | None
    changed: int | None
    moved_from: str | None = None

    @property
    def section(self) -> str:
        return CellPath.parse(self.path).section


def _integer_cells(gold: Record) -> dict[str, int | None]:
    assert gold.spec is not None  # gold records always have a template (gold.load_gold)
    return {
        path: value
        for path, value in gold.cells()
        if gold.spec.column(path).kind != "money" and not isinstance(value, float)
    }


def _with_digits(value: int, digits: str) -> int:
    return -int(digits) if value < 0 else int(digits)


def _plus_minus_one(value: int, signed: bool) -> list[int]:
    # A count cannot print as -1: a reader one off on a 0 reads 1.
    return [v for v in (value - 1, value + 1) if signed or v >= 0]


def _swap_digits(value: int, signed: bool) -> list[int]:
    digits = str(abs(value))
    swaps = {digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :] for i in range(len(digits) - 1)}
    # A 0 put in front is a dropped digit, not a swap.
    return sorted(_with_digits(value, d) for d in swaps if d != digits and not d.startswith("0"))


def _drop_digit(value: int, signed: bool) -> list[int]:
    digits = str(abs(value))
    if len(digits) < 2:
        return []
    return sorted({_with_digits(value, digits[:i] + digits[i + 1 :]) for i in range(len(digits))})


# For each digit edit: the values a misreading of ``value`` could give.
_DIGIT_EDITS = {"plus_minus_one": _plus_minus_one, "swap_digits": _swap_digits, "drop_digit": _drop_digit}


def _neighbour(path: str, cells: dict[str, int | None]) -> str | None:
    """The next integer cell of the same row (the previous one for a row's last cell)."""
    row = CellPath.parse(path).row_path
    same_row = [p for p in cells if CellPath.parse(p).row_path == row]
    if len(same_row) < 2:
        return None
    i = same_row.index(path)
    return same_row[i + 1] if i + 1 < len(same_row) else same_row[i - 1]


def _candidates(kind: ChangeKind, gold: Record, cells: dict[str, int | None]) -> list[list[Change]]:
    """Every cell ``kind`` can alter, each with the changes it could make there."""
    if kind == "set_null":
        return [[Change(kind=kind, path=p, original=v, changed=None)] for p, v in cells.items() if v is not None]
    if kind == "move_to_neighbour":
        moves = []
        for source, value in cells.items():
            target = _neighbour(source, cells)
            if target is not None and value is not None and cells[target] != value:
                moves.append([Change(kind=kind, path=target, original=cells[target], changed=value, moved_from=source)])
        return moves
    assert gold.spec is not None
    options = []
    for path, value in cells.items():
        if value is None:
            continue
        signed = gold.spec.column(path).kind == "signed"
        edits = [Change(kind=kind, path=path, original=value, changed=v) for v in _DIGIT_EDITS[kind](value, signed)]
        if edits:
            options.append(edits)
    return options


def plan_changes(gold: Record, count: int, seed: int, case: str) -> list[Change]:
    """``count`` single-cell changes of ``gold``, no two of one kind on one cell (fewer if it has fewer).

    The generator is seeded with the seed and the case name, so a case's
    changes do not depend on which other cases are in the directory. A kind
    is drawn first (among kinds that still have a cell to change), then a
    cell, then one of the values that kind of misreading could give there.
    """
    rng = random.Random(f"{seed}/{case}")
    cells = _integer_cells(gold)
    pools = {kind: _candidates(kind, gold, cells) for kind in CHANGE_KINDS}
    changes: list[Change] = []
    while len(changes) < count:
        kinds = [kind for kind in CHANGE_KINDS if pools[kind]]
        if not kinds:
            break
        pool = pools[rng.choice(kinds)]
        changes.append(rng.choice(pool.pop(rng.randrange(len(pool)))))
    return changes


def apply_change(gold: Record, change: Change) -> Record:
    """A copy of ``gold`` with the one change made."""
    changed = gold.model_copy(deep=True)
    changed.set_cell(change.path, change.changed)
    return changed
