"""What a count cell looks like, and the character confusions inside it that
are undone only where the cell can hold nothing but a number.

OCR reads a lone 0 as O or o and a 1 as l, I or |: shapes that are the same
glyph in many fonts. In a cell of a column of counts these letters cannot be
meant, so they are read as the digit. 6/9 swaps and dropped or doubled digits
are not character-level: they are left as read, with the recogniser's
confidence, for the table reader's sums to settle or flag.
"""

from __future__ import annotations

import re

_CONFUSIONS = str.maketrans({"O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1"})
# A cell made only of digits, look-alike letters and thousands separators.
_REPAIRABLE = re.compile(r"^[0-9Oo〇lI|,，]+$")
# Digits with separators anywhere: layout tells count cells from labels by
# their shape alone, before any number is read (the table reader reads them,
# with the report's own separators, in gxllm.lexicon).
_NUMERIC = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")


def repair_numeric_cell(text: str) -> str:
    """``text`` with digit look-alikes read as digits, when it is a count cell's text.

    Anything else in the cell (a CJK character, a dash meaning "none") means
    it is not a plain number, and it is returned unchanged.
    """
    compact = text.replace(" ", "")
    if not compact or not _REPAIRABLE.match(compact):
        return text
    return compact.translate(_CONFUSIONS).replace("，", ",")


def is_numeric(text: str) -> bool:
    """Whether ``text`` (spaces aside) is shaped like a number."""
    return bool(_NUMERIC.match(text.replace(" ", "")))
