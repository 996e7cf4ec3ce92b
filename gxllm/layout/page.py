"""One page's words and rules as text lines and tables in reading order."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from gxllm.layout.boxes import Rule, Word
from gxllm.layout.grids import Grid, fill, find_grids
from gxllm.layout.lines import TextLine, group_lines, join_words
from gxllm.layout.unruled import unruled_tables

# Page numbers printed in the top or bottom margin ("- 3 -", "第3页", "3/12"),
# with the dashes a faded scan reads as dots or commas (".3-").
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–_－.·•,，。~]*(?:第\s*\d+\s*页(?:\s*[,，/共]\s*共?\s*\d+\s*页)?|\d+\s*/\s*\d+|\d+)[\s\-—–_－.·•,，。~]*$"
)
_MARGIN_SHARE = 0.08

Block = TextLine | Grid


@dataclass
class PageLayout:
    """One page's content in reading order: text lines and tables."""

    page: int
    height: float
    blocks: list[Block]


def layout_page(page: int, height: float, words: Sequence[Word], rules: Sequence[Rule], unit: float = 1.0) -> PageLayout:
    """One page's words and rules as text lines and tables in reading order."""
    grids = find_grids(rules, unit)
    loose: list[Word] = []
    for word in words:
        x, y = word.center
        cell = next((c for g in grids if (c := g.cell_at(x, y)) is not None), None)
        if cell is None:
            loose.append(word)
        else:
            cell.words.append(word)
    for grid in grids:
        fill(grid)
    blocks: list[Block] = [g for g in grids if any(c.text for c in g.cells)]
    blocks += unruled_tables([TextLine(page, line, join_words(line, columns=True)) for line in group_lines(loose)])
    blocks.sort(key=lambda b: b.box[1])
    return PageLayout(page=page, height=height, blocks=_without_page_numbers(blocks, height))


def _without_page_numbers(blocks: list[Block], height: float) -> list[Block]:
    """Drop page numbers in the margins: they would split a table continued
    on the next page, and they are no part of the report."""

    def furniture(block: Block) -> bool:
        if not isinstance(block, TextLine) or not _PAGE_NUMBER.match(block.text):
            return False
        top, bottom = block.box[1], block.box[3]
        return bottom < height * _MARGIN_SHARE or top > height * (1 - _MARGIN_SHARE)

    return [b for b in blocks if not furniture(b)]
