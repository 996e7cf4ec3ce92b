"""MISSING: a field, section, row or cell that the template has and the record lacks.

Absent from the input (a malformed record) is an error; null (not read) is a
warning; null where the source prints a dash or 无 is the document's own
blank, a note. One flag per row keeps a missing table from burying the rest.
"""

from __future__ import annotations

from typing import Any

from gxllm.record import Flag, FlagKind, Severity
from gxllm.template import CellPath, Row, Table
from gxllm.validate.context import Context
from gxllm.validate.messages import join_labels

# The 2021 template splits 三（六）其他处理 into three rows; many reports still print one.
_OTHER_SPLIT_2021 = ("other_overdue_correction", "other_overdue_fee", "other_other")


def check(ctx: Context) -> list[Flag]:
    flags = [_missing_field(ctx, name) for name in ("template", "year", "agency") if getattr(ctx.record, name) is None]
    if ctx.spec is None:
        return flags
    one_other_row = _other_printed_as_one_row(ctx)
    if one_other_row is not None:
        flags.append(one_other_row)
    for table in ctx.spec.tables:
        if getattr(ctx.record, table.section) is None:
            flags.append(_missing_section(ctx, table))
            continue
        for row in table.rows:
            if one_other_row is not None and row.key in _OTHER_SPLIT_2021:
                continue
            flags.extend(_missing_cells(ctx, table, row))
    return flags


def _absent(ctx: Context, *keys: str) -> bool:
    """Whether the input lacked ``keys`` (a path) altogether, rather than holding null there."""
    if ctx.raw is not None:
        node: Any = ctx.raw
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return True
            node = node[key]
        return False
    node = ctx.record
    for key in keys:
        if node is None:
            return False
        if key not in node.model_fields_set:
            return True
        node = getattr(node, key)
    return False


def _flag(cells: list[str], severity: Severity, kind: FlagKind, message: str, ctx: Context) -> Flag:
    return Flag(
        rule="MISSING", severity=severity, kind=kind, cells=cells, evidence=ctx.evidence_of(cells), message=message
    )


def _missing_field(ctx: Context, name: str) -> Flag:
    absent = _absent(ctx, name)
    where = "输入中没有" if absent else "未读出"
    consequence = "，无法按模板核对各表" if name == "template" else ""
    severity: Severity = "error" if absent or name == "template" else "warning"
    return _flag([name], severity, "missing", f"缺少数据：{where}{ctx.label(name)}{consequence}。", ctx)


def _missing_section(ctx: Context, table: Table) -> Flag:
    absent = _absent(ctx, table.section)
    state = "在输入中缺失" if absent else "整表未读出"
    return _flag([table.section], "error" if absent else "warning", "missing", f"缺少数据：{table.title}{state}。", ctx)


def _missing_cells(ctx: Context, table: Table, row: Row) -> list[Flag]:
    paths = [str(CellPath(table.section, row.key, c.key)) for c in row.columns]
    null = [p for p in paths if ctx.value(p) is None]
    if not null:
        return []
    # The source prints a dash or 无 there: the document's own blank, grounded.
    blank = [p for p in null if ctx.readings[p].status == "grounded"]
    unread = [p for p in null if p not in blank]
    flags = []
    if blank:
        message = f"原表未填：{join_labels([ctx.label(p) for p in blank])}在报告中印作空白或“—”。"
        flags.append(_flag(blank, "info", "source", message, ctx))
    if unread:
        absent = [p for p in unread if _absent(ctx, *CellPath.parse(p))]
        if len(unread) == len(paths):
            subject = f"{ctx.label(CellPath.parse(paths[0]).row_path)}整行"
        else:
            subject = join_labels([ctx.label(p) for p in unread])
        state = "在输入中缺失" if absent else "为空（未读出）"
        flags.append(_flag(unread, "error" if absent else "warning", "missing", f"缺少数据：{subject}{state}。", ctx))
    return flags


def _other_printed_as_one_row(ctx: Context) -> Flag | None:
    """A note instead of alarms when a 2021 record's three 三（六） rows are all null because
    the report printed 其他处理 as one row (its sub-row labels are nowhere in the source;
    without a source, three wholly null rows are taken to mean the same)."""
    if ctx.spec is None or ctx.spec.version != "2021" or ctx.record.section3 is None:
        return None
    paths = [str(CellPath("section3", key, c.key)) for key in _OTHER_SPLIT_2021 for c in ctx.spec.section3.row(key).columns]
    if any(ctx.value(p) is not None for p in paths):
        return None
    sub_labels = [ctx.spec.section3.row(key).pattern for key in _OTHER_SPLIT_2021[:2]]
    if any(ctx.source_has(pattern) for pattern in sub_labels):
        return None
    kind: FlagKind = "source" if ctx.source_text is not None else "missing"
    message = "原表格式不同：报告将三（六）其他处理列为一行，未分三个分项，故三个分项为空，三（七）总计无法逐项核对。"
    return _flag(paths, "info", kind, message, ctx)
