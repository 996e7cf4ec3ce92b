"""JSON read the one way gxllm reads JSON it is given: records, gold files, API requests.

Numbers as I-JSON (RFC 7493) allows them, so any other JSON reader (a
browser, a spreadsheet, PostgreSQL) reads back exactly what was written: no
NaN or Infinity, no integer past ±(2^53 − 1). A UTF-8 byte-order mark is
skipped; nesting deeper than the parser follows is refused, not a crash.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from gxllm.record import MAX_SAFE_INTEGER

_MAX_DIGITS = len(str(MAX_SAFE_INTEGER))


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number")


def _safe_int(text: str) -> int:
    # The digits are counted first, so a 5,000-digit integer is refused without being converted.
    if len(text.lstrip("-")) > _MAX_DIGITS or abs(value := int(text)) > MAX_SAFE_INTEGER:
        raise ValueError(f"the integer {text[:24]}{'…' if len(text) > 24 else ''} is past ±(2^53 − 1)")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:24]} is past the largest number")
    return value


def loads(data: str | bytes) -> Any:
    """The value ``data`` holds (bytes: UTF-8, -16 or -32); :class:`ValueError`, one line, when it is
    not JSON or breaks the rules above."""
    try:
        return json.loads(data, parse_constant=_no_constant, parse_int=_safe_int, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("nested too deeply") from None
