"""The 信息处理费 statement: FEE_STATEMENT, FEE_CONFLICT, and amounts the prose names.

The table labels 行政事业性收费 (section 二, not a disclosure fee) and
收费通知 (a row of section 三) mention charges too and are never statements.
"""

from __future__ import annotations

import re

from gxllm.lexicon import AMOUNT, in_yuan
from gxllm.record import Evidence, Flag, FlagKind, Number
from gxllm.validate.context import Context
from gxllm.validate.messages import show

# Searched in the compact source (no whitespace).
_STATEMENT = re.compile(r"[^。;；]{0,30}(?:信息处理费|收取[^。;；,，]{0,15}?费)[^。;；]{0,30}")
_AMOUNT = re.compile(r"(?:信息处理费|收取[^。;；,，]{0,10}?费用?)[^。;；\d]{0,10}" + AMOUNT.pattern)


def check(ctx: Context) -> list[Flag]:
    return _statement(ctx) + _conflicts(ctx) + _amount_claims(ctx)


def _stated_amounts(ctx: Context) -> list[tuple[Number, Evidence]]:
    """Every fee amount the source names, in yuan, with where it is printed."""
    if ctx.compact is None or ctx.source_text is None:
        return []
    amounts = []
    for match in _AMOUNT.finditer(ctx.compact.text):
        start, end = ctx.compact.span(match.start(), match.end())
        evidence = Evidence(token=ctx.source_text[start:end], span=(start, end), method="text")
        amounts.append((in_yuan(match["value"], match["unit"]), evidence))
    return amounts


def _statement(ctx: Context) -> list[Flag]:
    """FEE_STATEMENT: a 2021-template report states whether 信息处理费 was charged."""
    if ctx.record.template != "2021" or ctx.record.fee.charged is not None:
        return []
    match = _STATEMENT.search(ctx.compact.text) if ctx.compact is not None else None
    if match is not None and ctx.compact is not None and ctx.source_text is not None:
        start, end = ctx.compact.span(match.start(), match.end())
        return [
            Flag(
                rule="FEE_STATEMENT",
                severity="warning",
                kind="extraction",
                cells=["fee.charged"],
                evidence=[Evidence(token=ctx.source_text[start:end], span=(start, end), method="text")],
                message=f"读取有误：原文提到收费情况“{match.group()}”，记录却没有读出是否收取信息处理费。",
            )
        ]
    if ctx.compact is None:
        message = "缺少数据：记录没有说明是否收取信息处理费（2021年版模板要求说明），请对照原文确认。"
        return [Flag(rule="FEE_STATEMENT", severity="warning", kind="missing", cells=["fee.charged"], message=message)]
    message = "报告未说明是否收取信息处理费（2021年版模板要求说明）。"
    return [Flag(rule="FEE_STATEMENT", severity="info", kind="source", cells=["fee.charged"], message=message)]


def _statement_kind(ctx: Context, numbers: list[str]) -> FlagKind:
    """Extraction when the record's fee sentence or a number is not what the source says."""
    fee_text = ctx.record.fee.text
    if fee_text and ctx.compact is not None and re.sub(r"\s+", "", fee_text) not in ctx.compact.text:
        return "extraction"
    return ctx.kind_of(numbers)


def _conflicts(ctx: Context) -> list[Flag]:
    """FEE_CONFLICT: no fee charged, while an amount or unpaid fee notices say otherwise."""
    record = ctx.record
    if record.fee.charged is not False:
        return []
    # (the record's cell that shows a fee, if any; how much; what says so; where it is printed)
    shown: list[tuple[str | None, Number, str, list[Evidence]]] = []
    amount = record.fee.amount_yuan
    if amount:
        shown.append(("fee.amount_yuan", amount, f"记录的收费金额为{show(amount)}元", []))
    overdue = "section3.other_overdue_fee.total"
    count = ctx.value(overdue) if overdue in ctx.readings else None
    if count:
        shown.append((overdue, count, f"表中{ctx.label(overdue)}为{show(count)}件", []))
    for yuan, printed in _stated_amounts(ctx):
        if yuan > 0:
            shown.append((None, yuan, f"正文又称“{printed.token}”", [printed]))
    return [
        ctx.finding(
            "FEE_CONFLICT",
            "warning",
            ["fee.charged", *([path] if path else [])],
            source_lead="收费说明自相矛盾",
            body=f"报告称未收取信息处理费，但{what}，请核实",
            kind=_statement_kind(ctx, [path] if path else []),
            printed=where,
            expected=0,
            found=value,
        )
        for path, value, what, where in shown
    ]


def _amount_claims(ctx: Context) -> list[Flag]:
    """NARRATIVE_CLAIM: a fee amount the prose names that differs from the record's."""
    amount = ctx.record.fee.amount_yuan
    if amount is None:
        return []
    return [
        ctx.finding(
            "NARRATIVE_CLAIM",
            "warning",
            ["fee.amount_yuan"],
            source_lead="正文前后不一",
            body=f"正文称“{printed.token}”，而记录的信息处理费金额为{show(amount)}元",
            printed=[printed],
            expected=yuan,
            found=amount,
        )
        for yuan, printed in _stated_amounts(ctx)
        if float(yuan) != float(amount)
    ]
