"""How reports print numbers, "no value" and sums of money: written once for every stage.

The table reader cuts cells with these, the validator reads back what an
evidence span prints with them, and the fixture generator prints with them.
"""

from __future__ import annotations

import re

from gxllm.record import Number

# A number as reports print it: digits, in groups of three separated by commas
# or not, and decimals. No sign: a stage says whether one may stand before it.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

# What a table prints in a cell for "no value" (the cell is null), a dash
# sometimes doubled ("--", "——").
_DASHES = "—-"
_OTHER_NULL_MARKS = ("/", "无")
NULL_MARKS = (*_DASHES, *_OTHER_NULL_MARKS)
NULL_MARK = re.compile("|".join([f"[{re.escape(_DASHES)}]+", *map(re.escape, _OTHER_NULL_MARKS)]))

# Money is printed in 元 or 万元; the value is kept in yuan.
YUAN_UNITS: dict[str, int] = {"元": 1, "万元": 10_000}
YUAN_UNIT = "|".join(sorted(YUAN_UNITS, key=len, reverse=True))  # the longest first: 万元 is not 元
# An amount of money ("1,200元", "0.5 万元"), never the tail of a longer number.
AMOUNT = re.compile(rf"(?<![\d.])(?P<value>{NUMBER})\s*(?P<unit>{YUAN_UNIT})")


# What a web page prints around a report and a crawler keeps: print and close
# buttons, the mobile-site QR line, site switches, a translation extension's name.
_FURNITURE_WORDS = (
    r"[【\[]?(?:打印|关闭|打印本页|关闭窗口|返回顶部|收藏|分享)[】\]]?",
    r"扫一扫在手机(?:上)?打开当前页",
    r"(?:电脑|手机|移动)版",
    r"沉浸式翻译",
)
PAGE_FURNITURE = re.compile(r"(?:\s*(?:" + "|".join(_FURNITURE_WORDS) + r")\s*)+")


# Marks a line may open with before its words: bullets, and the brackets or
# Markdown emphasis a heading is set in ("【五、存在的主要问题】", "**五、…**").
# An ASCII mark counts only with a space after it ("- 加强培训", not "-3").
LINE_OPENING = re.compile(r"(?:[•●◆◇■□▪▫○◎·※➢►▶√✓【〖\[]|[-*+#]+(?=[\s*])|\*\*)[ \t\u3000*]*")


_CLOSING = {"【": "】", "〖": "〗", "[": "]", "**": "**"}


def line_words(line: str) -> tuple[int, int]:
    """Where a line's words start and end: after the mark it opens with
    (:data:`LINE_OPENING`) and before the bracket or emphasis closing that mark."""
    start, end = len(line) - len(line.lstrip()), len(line.rstrip())
    opening = LINE_OPENING.match(line, start)
    if opening is None:
        return start, end
    closing = _CLOSING.get(opening.group().strip(" \t\u3000"))
    if closing and line[opening.end() : end].endswith(closing):
        end -= len(closing)
    return opening.end(), end


def is_page_furniture(text: str) -> bool:
    """Whether ``text`` is nothing but a web page's furniture ("【打印】【关闭】扫一扫在手机打开当前页")."""
    return bool(text.strip()) and PAGE_FURNITURE.fullmatch(text) is not None


def parse_number(text: str) -> Number:
    """The value of a printed number (:data:`NUMBER`, a sign allowed): an int unless it prints decimals."""
    plain = text.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def is_null_mark(text: str) -> bool:
    return NULL_MARK.fullmatch(text) is not None


def in_yuan(value: str, unit: str) -> Number:
    """An amount printed as the number ``value`` and ``unit``, in yuan: an int when whole."""
    amount = parse_number(value) * YUAN_UNITS[unit]
    return int(amount) if float(amount).is_integer() else amount
