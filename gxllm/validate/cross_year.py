"""CROSS_YEAR: this year's 上年结转 is last year's 结转下年度继续办理, column by column."""

from __future__ import annotations

from gxllm.record import Flag
from gxllm.template import APPLICANT_COLUMNS
from gxllm.validate.context import Context
from gxllm.validate.messages import cell_label, show


def check(ctx: Context) -> list[Flag]:
    record, previous = ctx.record, ctx.previous
    if previous is None or record.spec is None or previous.spec is None:
        return []
    if record.year is not None and previous.year is not None and previous.year != record.year - 1:
        return []
    flags = []
    for column in APPLICANT_COLUMNS:
        path, earlier = f"section3.carried_over.{column.key}", f"section3.carried_forward.{column.key}"
        before = previous.cell(earlier) if previous.section3 else None
        now = ctx.value(path)
        if before is None or now is None or before == now:
            continue
        kind = ctx.kind_of([path])
        lead = "与上年报告不符" if kind == "source" else "读取有误"
        flags.append(
            Flag(
                rule="CROSS_YEAR",
                severity="warning",
                kind=kind,
                cells=[path],
                expected=before,
                found=now,
                evidence=ctx.evidence_of([path]),
                message=(
                    f"{lead}：{ctx.label(path)}为{show(now)}，"
                    f"而上年报告的{cell_label(previous.spec, earlier)}为{show(before)}。"
                ),
                suspect=path,
                suggestion=ctx.readings[path].printed if kind == "extraction" else None,
            )
        )
    return flags
