"""GROUNDING: every extracted number is what the source prints at its evidence span.

A cell whose value is not there is an extraction error, never a source one.
The readings it looks at (:mod:`gxllm.validate.readings`) also tell every
other rule whether a failing cell is the document's own number or our misreading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gxllm.record import Flag
from gxllm.template import CellPath
from gxllm.validate.messages import join_labels, show

if TYPE_CHECKING:
    from gxllm.validate.context import Context


def check(ctx: Context) -> list[Flag]:
    """One flag per value not found at its evidence span; one per row of values with no evidence."""
    flags = []
    for reading in ctx.readings.values():
        if reading.status != "ungrounded":
            continue
        label = ctx.label(reading.path)
        flags.append(
            Flag(
                rule="GROUNDING",
                severity="error",
                kind="extraction",
                cells=[reading.path],
                expected=reading.printed if reading.printed is not None else reading.token,
                found=reading.value,
                evidence=[reading.evidence] if reading.evidence else [],
                message=f"读取有误：{label}读作{show(reading.value)}，但{reading.problem}。",
                suspect=reading.path,
                suggestion=reading.printed,
            )
        )
    return flags + _without_evidence(ctx)


def _without_evidence(ctx: Context) -> list[Flag]:
    """Values that name no place in the source: nothing shows they were printed there."""
    if not ctx.evidence or ctx.spec is None:
        return []
    by_row: dict[str, list[str]] = {}
    for path, value in ctx.record.cells():
        reading = ctx.readings[path]
        if value is not None and reading.status == "unknown":
            by_row.setdefault(CellPath.parse(path).row_path, []).append(path)
    return [
        Flag(
            rule="GROUNDING",
            severity="warning",
            kind="extraction",
            cells=paths,
            message=f"无从核对：{join_labels([ctx.label(p) for p in paths])}有数值却没有原文位置，请对照原文确认。",
        )
        for paths in by_row.values()
    ]
