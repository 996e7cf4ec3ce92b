"""How alike two narrative items are, as RECORD.md §4 scores them: the one measure for
narrative F1, the theme score and the validator's check for items repeated from last year."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# Item markers at the start of an item: 一是 / 二是, （一） / (1), 1. / 1、 / 一、
_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+是|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[一二三四五六七八九十]+、)"
)


def compact(text: str) -> str:
    """NFKC, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def normalise_item(text: str) -> str:
    """An item as compared: NFKC, no whitespace, no leading list marker, no punctuation."""
    text = _MARKER.sub("", compact(text))
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, normalise_item(a), normalise_item(b)).ratio()
