"""The record's form: TEMPLATE_YEAR (the template fits the year) and NON_NEGATIVE."""

from __future__ import annotations

import re

from gxllm.record import Flag, FlagKind
from gxllm.template import TEMPLATES, template_for_year
from gxllm.validate.context import Context
from gxllm.validate.messages import show


def check(ctx: Context) -> list[Flag]:
    return _template_year(ctx) + _non_negative(ctx)


def _template_year(ctx: Context) -> list[Flag]:
    record = ctx.record
    if record.template is None or record.year is None or record.template == template_for_year(record.year):
        return []
    expected = template_for_year(record.year)
    message = f"模板与年度不符：{record.year}年度的报告应使用{expected}年版模板，记录却是{record.template}年版"
    kind: FlagKind = "source"
    if ctx.compact is not None:
        printed = _signatures(ctx, record.template) >= _signatures(ctx, expected)
        if printed and ctx.source_has(f"{record.year}年"):
            message += "，原表确实如此"
        else:
            kind = "extraction"
            message += "，而原文的表格或年份与记录不符"
    return [
        Flag(
            rule="TEMPLATE_YEAR",
            severity="warning",
            kind=kind,
            cells=["template", "year"],
            expected=expected,
            found=record.template,
            evidence=ctx.evidence_of(["year"]),
            message=message + "。",
        )
    ]


def _signatures(ctx: Context, version: str) -> int:
    """How many labels printed only in ``version`` of the template the source contains."""
    assert ctx.compact is not None
    return sum(bool(re.search(p, ctx.compact.text)) for p in TEMPLATES[version].signature_patterns)


def _non_negative(ctx: Context) -> list[Flag]:
    """Counts and amounts are never below zero; the 2019 本年增/减 cells may be."""
    if ctx.spec is None:
        return []
    flags = []
    for path, value in ctx.record.cells():
        if value is None or value >= 0 or ctx.spec.column(path).kind == "signed":
            continue
        kind = ctx.kind_of([path])
        flags.append(
            ctx.finding(
                "NON_NEGATIVE",
                "error",
                [path],
                source_lead="原表数值为负",
                body=f"{ctx.label(path)}为{show(value)}，该项不能小于0",
                expected="≥0",
                found=value,
                suspect=path,
                suggestion=ctx.readings[path].printed if kind == "extraction" else None,
            )
        )
    return flags
