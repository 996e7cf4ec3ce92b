"""CROSS_YEAR: this year's 上年结转 is last year's 结转下年度继续办理, column by column."""

from __future__ import annotations

from gxllm.labels import cell_label
from gxllm.record import Flag
from gxllm.template import APPLICANT_COLUMNS, CellPath
from gxllm.validate.context import Context
from gxllm.validate.messages import show


def check(ctx: Context) -> list[Flag]:
    record, previous = ctx.record, ctx.last_year
    if previous is None or record.spec is None or previous.spec is None:
        return []
    flags: list[Flag] = []
    for column in APPLICANT_COLUMNS:
        path = str(CellPath("section3", "carried_over", column.key))
        earlier = str(CellPath("section3", "carried_forward", column.key))
        before = previous.cell(earlier) if previous.section3 else None
        now = ctx.value(path)
        if before is None or now is None or before == now:
            continue
        flags.append(
            ctx.finding(
                "CROSS_YEAR",
                "warning",
                [path],
                source_lead="与上年报告不符",
                body=f"{ctx.label(path)}为{show(now)}，"
                f"而上年报告的{cell_label(previous.spec, earlier)}为{show(before)}",
                expected=before,
                found=now,
                suspect=path,
                suggestion=ctx.readings[path].printed if ctx.kind_of([path]) == "extraction" else None,
            )
        )
    return flags
