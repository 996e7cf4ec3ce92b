"""Each numeric value of a record set against what its evidence shows in the source: the
readings every rule asks whether a failing cell is the document's own number (``grounded``)
or our misreading (``ungrounded``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from gxllm.lexicon import AMOUNT, NUMBER, in_yuan, is_null_mark, parse_number
from gxllm.record import Evidence, Number

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
