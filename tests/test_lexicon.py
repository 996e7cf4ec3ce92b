"""Numbers, null marks and money as reports print them (gxllm/lexicon.py)."""

from __future__ import annotations

import re

import pytest

from gxllm.lexicon import AMOUNT, NULL_MARKS, NUMBER, in_yuan, is_null_mark, parse_number


@pytest.mark.parametrize(
    ("printed", "value"),
    [("0", 0), ("18858", 18858), ("18,858", 18858), ("1,234,567", 1234567), ("12.50", 12.5), ("2.0", 2.0), ("-3", -3)],
)
def test_a_printed_number_and_its_value(printed: str, value: int | float) -> None:
    assert re.fullmatch(NUMBER, printed.lstrip("-"))
    assert parse_number(printed) == value and type(parse_number(printed)) is type(value)


def test_thousands_are_groups_of_three() -> None:
    assert re.fullmatch(NUMBER, "1,2345") is None
    assert [m.group() for m in re.finditer(NUMBER, "1,2345")] == ["1,234", "5"]


def test_null_marks_dashes_doubled_or_not() -> None:
    assert NULL_MARKS == ("—", "-", "/", "无")
    assert [is_null_mark(t) for t in ("—", "——", "-", "--", "/", "无")] == [True] * 6
    assert [is_null_mark(t) for t in ("", "0", "//", "无效", "-1")] == [False] * 5


def test_amounts_in_prose_are_read_in_yuan_with_or_without_separators() -> None:
    text = "收取信息处理费1,200元，另0.5 万元；编号A12.3.4元不计"
    found = [(m["value"], m["unit"], in_yuan(m["value"], m["unit"])) for m in AMOUNT.finditer(text)]
    assert found == [("1,200", "元", 1200), ("0.5", "万元", 5000)]
    assert in_yuan("0.35", "元") == 0.35
