"""The tables' own sums: S3_BALANCE, S3_ROW_TOTAL, S3_OUTCOME_TOTAL, S4_TOTAL.

Each rule is a set of equations ``sum(totals) == sum(parts)`` built from the
template. An equation with a null cell cannot be decided and raises nothing.
When one cell alone explains every failing equation it shares with the
others, it is named as the suspect, with the value that would make them hold
(or, for a misread cell, the value the source prints).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from gxllm.labels import row_label
from gxllm.record import Flag, Number
from gxllm.template import APPLICANT_COLUMNS, TEMPLATES, CellPath, sum_rules
from gxllm.validate.context import Context
from gxllm.validate.messages import show

# Terms listed one by one in a message up to this many; longer sums are named by their ends.
_TERMS_SHOWN = 4


@dataclass(frozen=True)
class Equation:
    rule: str
    totals: tuple[str, ...]
    parts: tuple[str, ...]
    along: Literal["row", "column"]  # cells differ by column (a row's sum) or by row
    scope: str  # the row or column the equation runs along, as the template names it

    @property
    def cells(self) -> tuple[str, ...]:
        return self.totals + self.parts

    def residual(self, values: dict[str, Number]) -> Number:
        return sum(values[p] for p in self.totals) - sum(values[p] for p in self.parts)

    def sign(self, path: str) -> int:
        return 1 if path in self.totals else -1


@cache
def equations(version: str) -> tuple[Equation, ...]:
    """The template's sum rules, with the words a reviewer's message needs."""
    spec = TEMPLATES[version]
    columns = {c.key: c.label for c in APPLICANT_COLUMNS}
    result = []
    for rule in sum_rules(spec):
        if rule.rule == "S3_ROW_TOTAL":
            along, scope = "row", row_label(spec, "section3", rule.scope)
        elif rule.rule == "S4_TOTAL":
            along, scope = "row", spec.section4.row(rule.scope).label
        else:
            along, scope = "column", f"{columns[rule.scope]}列"
        result.append(Equation(rule.rule, rule.left, rule.right, along, scope))  # type: ignore[arg-type]
    return tuple(result)


def check(ctx: Context) -> list[Flag]:
    if ctx.spec is None:
        return []
    values = {path: r.value for path, r in ctx.readings.items() if r.value is not None}
    decidable = [eq for eq in equations(ctx.spec.version) if all(p in values for p in eq.cells)]
    failing = [eq for eq in decidable if eq.residual(values) != 0]
    suspects = _suspects(ctx, failing, [eq for eq in decidable if eq not in failing], values)
    return [_flag(ctx, eq, values, suspects.get(eq)) for eq in failing]


def _suspects(
    ctx: Context, failing: list[Equation], holding: list[Equation], values: dict[str, Number]
) -> dict[Equation, tuple[str, Number]]:
    """For each group of failing equations that share cells, the one cell (and its other
    reading) that alone explains them all, when there is exactly one."""
    found: dict[Equation, tuple[str, Number]] = {}
    for group in _connected(failing):
        shared = set(group[0].cells).intersection(*(eq.cells for eq in group[1:]))
        fixes = {}
        for path in sorted(shared):
            candidate = values[path] - group[0].sign(path) * group[0].residual(values)
            trial = {**values, path: candidate}
            still_fine = all(eq.residual(trial) == 0 for eq in group + [h for h in holding if path in h.cells])
            if still_fine and candidate >= 0:
                fixes[path] = candidate
        misread = [p for p in fixes if ctx.readings[p].status == "ungrounded"]
        if len(fixes) == 1 or len(misread) == 1:
            path = next(iter(fixes)) if len(fixes) == 1 else misread[0]
            printed = ctx.readings[path].printed if ctx.readings[path].status == "ungrounded" else None
            for eq in group:
                found[eq] = (path, printed if printed is not None else fixes[path])
    return found


def _connected(equations_: list[Equation]) -> list[list[Equation]]:
    """Failing equations grouped by shared cells: one misread cell breaks a connected group."""
    groups: list[list[Equation]] = []
    for eq in equations_:
        touching = [g for g in groups if any(set(eq.cells) & set(other.cells) for other in g)]
        merged = [eq] + [e for g in touching for e in g]
        groups = [g for g in groups if g not in touching] + [merged]
    return groups


def _terms(ctx: Context, eq: Equation, paths: tuple[str, ...], values: dict[str, Number]) -> str:
    def name(path: str) -> str:
        if eq.along == "column":
            return ctx.label(CellPath.parse(path).row_path)
        assert ctx.spec is not None
        return ctx.spec.column(path).label

    if len(paths) == 1:
        return name(paths[0])
    if len(paths) > _TERMS_SHOWN:
        return f"{name(paths[0])}至{name(paths[-1])}{len(paths)}项之和"
    return "加".join(f"{name(p)}（{show(values[p])}）" for p in paths)


def _flag(ctx: Context, eq: Equation, values: dict[str, Number], suspect: tuple[str, Number] | None) -> Flag:
    found = sum(values[p] for p in eq.totals)
    expected = sum(values[p] for p in eq.parts)
    body = (
        f"{eq.scope}中{_terms(ctx, eq, eq.totals, values)}为{show(found)}，"
        f"而{_terms(ctx, eq, eq.parts, values)}为{show(expected)}"
    )
    if suspect is not None:
        path, reading = suspect
        body += f"；单独改动{ctx.label(path)}（现为{show(values[path])}）即可全部相符，可能应为{show(reading)}"
    return ctx.finding(
        eq.rule,
        "error",
        list(eq.cells),
        source_lead="原表自身不平衡",
        body=body,
        expected=expected,
        found=found,
        suspect=suspect[0] if suspect else None,
        suggestion=suspect[1] if suspect else None,
    )
