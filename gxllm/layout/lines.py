"""Words grouped into text lines, and a line's words joined into text.

Unruled text becomes lines in reading order, where a wide gap between words
(an unruled table's column gap) is a tab.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from gxllm.document import Box
from gxllm.layout.boxes import Word, union

# A gap between two words wider than this many text heights separates columns.
COLUMN_GAP = 1.6
# Between ASCII letters or digits, a gap wider than this many heights is a space.
SPACE_GAP = 0.25
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@dataclass
class TextLine:
    page: int
    words: list[Word]
    text: str

    @property
    def box(self) -> Box:
        return union([w.box for w in self.words])


def _is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


def group_lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into text lines (top to bottom), each left to right.

    A word joins a line when its vertical centre falls inside the line's band
    (the union of its words) and the line's centre falls inside the word: OCR
    boxes are taller than the glyphs, and in an unruled table the wrapped
    labels of neighbouring columns overlap, so either test alone would chain
    rows together.
    """
    lines: list[list[Word]] = []
    bands: list[tuple[float, float]] = []
    center_sums: list[float] = []  # of each line's word centres, for its mean
    for word in sorted(words, key=lambda w: (w.center[1], w.box[0])):
        center = word.center[1]
        for index in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bands[index]
            line_center = center_sums[index] / len(lines[index])
            if top <= center <= bottom and word.box[1] <= line_center <= word.box[3]:
                lines[index].append(word)
                bands[index] = (min(top, word.box[1]), max(bottom, word.box[3]))
                center_sums[index] += center
                break
        else:
            lines.append([word])
            bands.append((word.box[1], word.box[3]))
            center_sums.append(center)
    return [sorted(line, key=lambda w: w.box[0]) for line in lines]


def segments(words: Sequence[Word], gap: float = COLUMN_GAP) -> list[list[Word]]:
    """One line's words cut where a gap is ``gap`` text heights or wider."""
    if not words:
        return []
    height = statistics.median(w.height for w in words) or 1.0
    out = [[words[0]]]
    for before, word in zip(words, words[1:], strict=False):
        if word.box[0] - before.box[2] > gap * height:
            out.append([])
        out[-1].append(word)
    return out


def join_words(words: Sequence[Word], *, columns: bool) -> str:
    """The text of one line's words; ``columns`` turns wide gaps into tabs."""
    if columns:
        return "\t".join(join_words(part, columns=False) for part in segments(words))
    if not words:
        return ""
    height = statistics.median(w.height for w in words) or 1.0
    parts = [words[0].text]
    for before, word in zip(words, words[1:], strict=False):
        if word.box[0] - before.box[2] > SPACE_GAP * height and not (_is_cjk(before.text[-1]) or _is_cjk(word.text[0])):
            parts.append(" ")
        parts.append(word.text)
    return "".join(parts)


def join_cell_lines(lines: list[str]) -> str:
    """A cell's lines as one string: a label wrapped inside its cell is one label."""
    text = ""
    for line in lines:
        if text and not (_is_cjk(text[-1]) or _is_cjk(line[0])):
            text += " "
        text += line
    return text


def cell_text(words: Sequence[Word]) -> str:
    """The text of a table cell's words, read as the cell's own lines."""
    return join_cell_lines([join_words(line, columns=False) for line in group_lines(words)])
