"""GROUNDING: every extracted number is what the source prints at its evidence span.

A cell whose value is not there is an extraction error, never a source one.
The readings made here also tell every other rule whether a failing cell is
the document's own number (``grounded``) or our misreading (``ungrounded``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from gxllm.lexicon import AMOUNT, NUMBER, in_yuan, is_null_mark, parse_number
from gxllm.record import Evidence, Flag, Number
from gxllm.template import CellPath
from gxllm.validate.messages import join_labels, show

if TYPE_CHECKING:
    from gxllm.validate.context import Context

Status = Literal["grounded", "ungrounded", "unknown"]

_SIGNED_NUMBER = re.compile("[+-]?" + NUMBER)


@dataclass(frozen=True)
class Reading:
    """One numeric value of the record, set against what its evidence shows."""

    path: str
    value: Number | None
    status: Status
    printed: Number | None  # the number at the evidence span; the value itself when unknown
    token: str | None  # the text at the evidence span
    evidence: Evidence | None
    problem: str | None = None  # why the value is not grounded, in Chinese


def parse_token(token: str) -> tuple[bool, Number | None]:
    """``(True, number)`` for a number or an amount of money, ``(True, None)`` for a
    null mark or an empty cell (the cell is null, and that is grounded), ``(False, None)`` otherwise."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", token))
    if not text or is_null_mark(text):
        return True, None
    # Money read from prose keeps its unit in the token ("200元", "0.5万元").
    amount = AMOUNT.fullmatch(text)
    if amount is not None:
        return True, in_yuan(amount["value"], amount["unit"])
    if not _SIGNED_NUMBER.fullmatch(text):
        return False, None
    return True, parse_number(text)


def _same(a: Number | None, b: Number | None) -> bool:
    return a is None and b is None or (a is not None and b is not None and float(a) == float(b))


def read_value(path: str, value: Number | None, evidence: Evidence | None, source_text: str | None) -> Reading:
    """Ground ``value`` in the text at its evidence span (or in its token when there is no text)."""
    unknown = Reading(path, value, "unknown", value, None, evidence)
    if evidence is None:
        return unknown
    token, problem = evidence.token, None
    if evidence.span is not None and source_text is not None:
        start, end = evidence.span
        if not 0 <= start <= end <= len(source_text):
            return Reading(path, value, "ungrounded", None, token, evidence, f"证据位置{start}–{end}超出原文范围")
        printed_there = source_text[start:end]
        if token is not None and printed_there != token:
            problem = f"证据位置上的原文是“{printed_there}”而不是“{token}”"
        token = printed_there
    if token is None:
        return unknown
    is_number, printed = parse_token(token)
    if not is_number:
        return Reading(path, value, "ungrounded", None, token, evidence, f"原文该处是“{token}”，不是数字")
    if problem is None and not _same(printed, value):
        problem = f"原文该处印的是“{token}”"
    return Reading(path, value, "ungrounded" if problem else "grounded", printed, token, evidence, problem)


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
