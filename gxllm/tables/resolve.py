"""Choosing among the readings the text allows, by the table's own sums.

Each row (or block of rows) the reader could not read one way only becomes a
:class:`Choice` of readings. The readings of all choices are searched
together, branch and bound, for the combinations that break the fewest sums
(then hold the most): two rows whose doubt lies in the same column settle
each other only when they are chosen together. Cells every best combination
agrees on keep their value; the others are null, with the doubt as reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from gxllm.record import Number
from gxllm.tables.tokens import Token
from gxllm.template import SumRule

# Combinations looked at before the search gives up and leaves the doubtful
# cells null: a table of ordinary doubt needs a few hundred.
_MAX_NODES = 20_000


@dataclass(frozen=True)
class CellReading:
    """One reading of one cell: a value with its token, or null with a reason."""

    value: Number | None
    token: Token | None = None
    note: str | None = None
    # The span of the token the value was cut from, when digits ran together.
    part: tuple[int, int] | None = None
    # Not printed: a repeat of the token, which the source's converter deleted.
    restored: bool = False


Reading = dict[str, CellReading]  # cell path -> cell


@dataclass
class Choice:
    """The readings the text allows for some cells; the sums pick one."""

    paths: list[str]
    readings: list[Reading]
    doubt: str  # why the cells stay null if the sums cannot choose


@dataclass(frozen=True)
class OpenChoice:
    """Cells the sums leave open: the cells each surviving reading gives them
    (one option per distinct set of values)."""

    paths: list[str]
    options: list[Reading]
    doubt: str


@dataclass
class TableReading:
    cells: Reading = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # The doubtful cells the sums could not settle, with the readings they allow.
    open: list[OpenChoice] = field(default_factory=list)


@dataclass
class _Search:
    """State of the branch-and-bound search over the pending choices."""

    choices: list[Choice]
    rules: list[SumRule]
    known: dict[str, Number | None]
    # per rule: indexes of the pending choices with a cell in it
    touching: list[list[int]] = field(default_factory=list)
    # per choice, per reading, per rule it touches: its share of left - right (None: a null cell)
    shares: list[list[dict[int, Number | None]]] = field(default_factory=list)
    best: tuple[int, int] | None = None
    winners: list[list[int]] = field(default_factory=list)
    # per choice: the readings' indexes in the order the search tries them
    orders: list[list[int]] = field(default_factory=list)
    nodes: int = 0

    def __post_init__(self) -> None:
        where = {path: i for i, choice in enumerate(self.choices) for path in choice.paths}
        self.touching = [sorted({where[p] for p in rule.paths if p in where}) for rule in self.rules]
        self.shares = [[{} for _ in choice.readings] for choice in self.choices]
        for r, rule in enumerate(self.rules):
            for i in self.touching[r]:
                for k, reading in enumerate(self.choices[i].readings):
                    self.shares[i][k][r] = _share(rule, {p: c.value for p, c in reading.items()})
        self.fixed = [_share(rule, self.known, where) for rule in self.rules]
        # Readings that break fewest of their choice's own sums first: the
        # search meets a good combination early and prunes by it.
        own = [[r for r in range(len(self.rules)) if self.touching[r] == [i]] for i in range(len(self.choices))]
        for i in range(len(self.choices)):
            order = sorted(range(len(self.shares[i])), key=lambda k: self._own_broken(i, k, own[i]))
            self.shares[i] = [self.shares[i][k] for k in order]
            self.orders.append(order)

    def _own_broken(self, i: int, k: int, rules: list[int]) -> int:
        shares = self.shares[i][k]
        return sum(
            1
            for r in rules
            if shares[r] is not None and self.fixed[r] is not None and abs(shares[r] + self.fixed[r]) > 1e-9  # type: ignore[operator]
        )

    def run(self) -> bool:
        """Search every combination worth it; False when the budget ran out."""
        try:
            self._branch(0, [])
        except _OutOfBudget:
            return False
        return True

    def _branch(self, depth: int, picked: list[int]) -> None:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            raise _OutOfBudget
        broken, holding, bound = self._score(picked)
        if self.best is not None and bound > self.best[0]:
            return
        if depth == len(self.choices):
            score = (broken, -holding)
            if self.best is None or score < self.best:
                self.best, self.winners = score, [list(picked)]
            elif score == self.best:
                self.winners.append(list(picked))
            return
        for k in range(len(self.choices[depth].readings)):
            picked.append(k)
            self._branch(depth + 1, picked)
            picked.pop()

    def _score(self, picked: list[int]) -> tuple[int, int, int]:
        """(broken, holding) among the rules decided by ``picked``, and a lower
        bound on the broken rules of any completion."""
        broken = holding = bound = 0
        for r in range(len(self.rules)):
            if self.fixed[r] is None:
                continue  # a null cell outside the choices: never decided
            residual: Number = self.fixed[r]  # type: ignore[assignment]
            low = high = 0
            undecided = False
            for i in self.touching[r]:
                if i < len(picked):
                    share = self.shares[i][picked[i]][r]
                    if share is None:
                        undecided = True
                        break
                    residual += share
                else:
                    options = [s[r] for s in self.shares[i]]
                    if any(s is None for s in options):
                        low, high = float("-inf"), float("inf")
                    else:
                        low += min(options)  # type: ignore[type-var]
                        high += max(options)  # type: ignore[type-var]
            if undecided:
                continue
            complete = all(i < len(picked) for i in self.touching[r])
            if complete:
                if abs(residual) < 1e-9:
                    holding += 1
                else:
                    broken += 1
                    bound += 1
            elif residual + low > 1e-9 or residual + high < -1e-9:
                bound += 1
        return broken, holding, bound


class _OutOfBudget(Exception):
    pass


def _share(rule: SumRule, values: dict[str, Number | None], only: dict[str, int] | None = None) -> Number | None:
    """The part of ``left - right`` that ``values`` gives (skipping paths in
    ``only``, which the choices give); None when one of its cells is null."""
    total: Number = 0
    for sign, paths in ((1, rule.left), (-1, rule.right)):
        for path in paths:
            if only is not None and path in only:
                continue
            if path not in values:
                if only is None:
                    continue  # a cell of another choice
                return None  # a cell no reading gives: undecidable
            value = values[path]
            if value is None:
                return None
            total += sign * value
    return total


@dataclass(frozen=True)
class ProseClaim:
    """A number the report's prose states about the tables: one of ``sums``
    (each a set of cells added up) should come to ``number``."""

    sums: tuple[tuple[str, ...], ...]
    number: int
    text: str  # as printed, for the note


def resolve(choices: list[Choice], rules: tuple[SumRule, ...], claims: tuple[ProseClaim, ...] = ()) -> TableReading:
    """Fix every choice with one reading; let the sums choose among the rest,
    and where they cannot, the numbers the prose states about the tables."""
    result = TableReading()
    pending = []
    for choice in choices:
        if not choice.readings:
            result.cells.update(_doubtful(choice, [], "no reading fits"))
        elif len(choice.readings) == 1:
            result.cells.update(choice.readings[0])
        else:
            pending.append(choice)
    if not pending:
        return _drop_misfits(result, choices, rules)
    known = {p: c.value for p, c in result.cells.items()}
    pending_paths = {p for choice in pending for p in choice.paths}
    # A sum with a null cell outside the choices is never decided: it links nothing.
    decidable = [
        r for r in rules if set(r.paths) & pending_paths and all(known.get(p) is not None for p in r.paths if p not in pending_paths)
    ]
    for group, group_rules in _components(pending, decidable):
        group = sorted(group, key=lambda c: len(c.readings))
        search = _Search(group, group_rules, known)
        if not search.run():
            for choice in group:
                result.cells.update(_doubtful(choice, choice.readings, "too many readings to check against the sums"))
            continue
        combinations, told = _told_by_prose(group, search, claims, known)
        for i, choice in enumerate(group):
            winners = [choice.readings[search.orders[i][k]] for k in sorted({w[i] for w in combinations})]
            cells = winners[0] if _agree(winners) else _doubtful(choice, winners)
            if told:
                # cells the sums left open and the prose settled say so
                by_sums = [choice.readings[search.orders[i][k]] for k in {w[i] for w in search.winners}]
                settled = {p: c for p, c in cells.items() if c.value is not None and len({r[p].value for r in by_sums}) > 1}
                cells = {**cells, **_told(settled, choice.doubt, told)}
            result.cells.update(cells)
            if not _agree(winners):
                result.open.append(_open(choice, winners))
    return _drop_misfits(result, choices, rules)


def _told_by_prose(
    group: list[Choice], search: _Search, claims: tuple[ProseClaim, ...], known: dict[str, Number | None]
) -> tuple[list[list[int]], list[str]]:
    """The best combinations of the sums, narrowed to those the prose's claims
    agree with most, when the claims tell them apart; and the claims that did."""
    if len(search.winners) < 2 or not claims:
        return search.winners, []
    scored = []
    for combination in search.winners:
        values = dict(known)
        for i, k in enumerate(combination):
            values.update({p: c.value for p, c in group[i].readings[search.orders[i][k]].items()})
        agreeing = [claim for claim in claims if _claim_holds(claim, values)]
        scored.append((len(agreeing), combination, agreeing))
    best = max(score for score, _, _ in scored)
    if best == min(score for score, _, _ in scored):
        return search.winners, []
    kept = [(combination, agreeing) for score, combination, agreeing in scored if score == best]
    return [c for c, _ in kept], sorted({claim.text for _, agreeing in kept for claim in agreeing})


def _claim_holds(claim: ProseClaim, values: dict[str, Number | None]) -> bool:
    return any(
        all(values.get(p) is not None for p in cells) and sum(values[p] for p in cells) == claim.number  # type: ignore[misc]
        for cells in claim.sums
    )


def _told(reading: Reading, doubt: str, claims: list[str]) -> Reading:
    note = f"{doubt}; the sums allow more than one reading, the prose ({'；'.join(claims)}) tells which"
    return {p: dataclasses.replace(c, note="; ".join(n for n in (c.note, note) if n)) for p, c in reading.items()}


def _components(choices: list[Choice], rules: list[SumRule]) -> list[tuple[list[Choice], list[SumRule]]]:
    """Choices linked by sums they share, each group with its sums: groups are searched apart."""
    parent = list(range(len(choices)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    where = {path: i for i, choice in enumerate(choices) for path in choice.paths}
    for rule in rules:
        linked = [where[p] for p in rule.paths if p in where]
        for i in linked[1:]:
            parent[root(i)] = root(linked[0])
    groups: dict[int, tuple[list[Choice], list[SumRule]]] = {}
    for i, choice in enumerate(choices):
        groups.setdefault(root(i), ([], []))[0].append(choice)
    for rule in rules:
        groups[root(next(where[p] for p in rule.paths if p in where))][1].append(rule)
    return list(groups.values())


def _drop_misfits(result: TableReading, choices: list[Choice], rules: tuple[SumRule, ...]) -> TableReading:
    """A row whose deleted repeats were put back is kept only if more of the
    sums it takes part in hold than break: otherwise the restoration was a
    guess (cells left blank, not deleted, print the same way)."""
    values = {p: c.value for p, c in result.cells.items()}
    for choice in choices:
        if not any(result.cells[p].restored for p in choice.paths if p in result.cells):
            continue
        broken = holding = 0
        for rule in rules:
            if not set(rule.paths) & set(choice.paths) or any(values.get(p) is None for p in rule.paths):
                continue
            if abs(sum(values[p] for p in rule.left) - sum(values[p] for p in rule.right)) < 1e-9:  # type: ignore[misc]
                holding += 1
            else:
                broken += 1
        if broken >= holding and broken:
            note = "no way of putting back the repeats the source deleted fits the table's sums"
            result.cells.update({p: CellReading(None, None, note) for p in choice.paths})
            result.open = [o for o in result.open if not set(o.paths) & set(choice.paths)]
    return result


def _open(choice: Choice, winners: list[Reading]) -> OpenChoice:
    """The cells the winners disagree on, and each distinct set of their values."""
    paths = [p for p in choice.paths if len({w[p].value for w in winners}) > 1]
    options: dict[tuple[Number | None, ...], Reading] = {}
    for winner in winners:
        options.setdefault(tuple(winner[p].value for p in paths), {p: winner[p] for p in paths})
    return OpenChoice(paths, list(options.values()), choice.doubt)


def _agree(readings: list[Reading]) -> bool:
    first = readings[0]
    return all({p: c.value for p, c in r.items()} == {p: c.value for p, c in first.items()} for r in readings)


def _doubtful(choice: Choice, winners: list[Reading], why: str = "the table's sums cannot tell which") -> Reading:
    """Cells all readings agree on keep their value; the rest are null."""
    cells: Reading = {}
    for path in choice.paths:
        options = {w[path].value for w in winners} if winners else set()
        if len(options) == 1 and winners:
            cells[path] = winners[0][path]
        else:
            cells[path] = CellReading(None, None, f"{choice.doubt}; {why}")
    return cells
