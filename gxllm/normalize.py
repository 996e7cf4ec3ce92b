"""Character-level normalisation that keeps the document's line structure.

NFKC turns full-width digits and punctuation into ASCII; OpenCC turns
traditional characters into simplified ones; zero-width and control
characters go. Line breaks stay: the table reader needs them. Joining words
and numbers broken across lines is done where the meaning is known (labels in
the table reader, sentences in the narrative), not here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from gxllm.document import Document, NormalizedText
from gxllm.settings import Settings

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b-\x1f\x7f]")
# Dashes that print as a null cell or a minus sign, unified after NFKC.
_DASHES = str.maketrans({"\u2014": "—", "\u2015": "—", "\u2500": "—", "\u2212": "-", "\u2013": "-", "\u2012": "-"})


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def normalize_line(text: str, settings: Settings) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = _INVISIBLE.sub("", text)
    return _converter(settings.opencc_config).convert(text)


def normalize(document: Document, settings: Settings) -> NormalizedText:
    lines = [normalize_line(line.text, settings) for line in document.lines]
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return NormalizedText(text="\n".join(lines), line_starts=starts, lines=document.lines, kind=document.kind)
