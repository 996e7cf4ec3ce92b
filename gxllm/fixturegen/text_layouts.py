"""A record's tables printed as text in the layouts real reports arrive in.

Each layout turns the grid of :mod:`gxllm.fixturegen.grid` into lines, puts
them into a seed's prose (:func:`gxllm.fixturegen.seeds.splice`), and returns
the text with the gold record it must read back as. The gold differs from the
record only where the layout prints less than the record holds: cells printed
empty or as a dash are null, and a 2021 report that prints 三（六） as one row
has no sub-rows to read.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise

import opencc

from gxllm.fixturegen.grid import (
    SECTIONS,
    Grid,
    GridCell,
    Section,
    ValueFormat,
    expand,
    grid,
    placed,
    plain_number,
)
from gxllm.fixturegen.oneline import NotPrintable, check_printable, one_line, one_line_gold, run_together
from gxllm.fixturegen.repeats import TooManyReadings, delete_repeats, one_cell_a_line, restorable_gold
from gxllm.fixturegen.runtogether import pick_glue
from gxllm.fixturegen.seeds import splice
from gxllm.lexicon import NULL_MARKS, parse_number
from gxllm.record import Number, Record
from gxllm.template import CellPath, Table


class NotApplicable(ValueError):
    """The layout cannot be printed from this record (no number ≥ 1000 to
    separate, a 2019 record for a 2021-only layout, no unambiguous run-in)."""


@dataclass(frozen=True)
class Variant:
    text: str
    gold: Record


# ---------------------------------------------------------------- grid → text


def _texts(row: Iterable[GridCell]) -> list[str]:
    return [cell.text for cell in row if cell.text]


def _values(row: list[GridCell]) -> list[str]:
    return [cell.text for cell in row if cell.kind == "value" and cell.text]


def _labels(row: list[GridCell]) -> list[str]:
    return [cell.text for cell in row if cell.kind != "value" and cell.text]


def _has_values(row: list[GridCell]) -> bool:
    return any(cell.kind == "value" for cell in row)


def cells_per_line(cells: Grid) -> str:
    """Every cell on a line of its own, blank lines between (兰山 2023)."""
    return "\n\n".join(text for row in cells for text in _texts(row))


def pipe_rows(cells: Grid) -> str:
    """A web scrape: one row per line, cells closed by "|", spanned cells printed once."""
    return "\n".join(" | ".join(cell.text for cell in row) + " |" for row in cells)


def tab_rows(cells: Grid) -> str:
    """Tab-separated rows with every spanned position left empty (殷都 2024)."""
    return "\n".join("\t".join(row) for row in expand(cells))


def space_rows(cells: Grid, glue: frozenset[str] = frozenset()) -> str:
    """One row per line, cells separated by a space (连云 科技局 2024).

    A value cell whose path is in ``glue`` runs into the next value with no
    space, as PDF text extraction sometimes prints it.
    """
    lines = []
    for row in cells:
        parts: list[str] = []
        glued = False
        for cell in row:
            if not cell.text:
                continue
            if glued:
                parts[-1] += cell.text
            else:
                parts.append(cell.text)
            glued = cell.path in glue
        lines.append(" ".join(parts))
    return "\n".join(lines)


def label_after(cells: Grid) -> str:
    """Rows whose numbers come first and their labels after them."""
    return "\n".join(
        " ".join(_values(row) + _labels(row)) if _has_values(row) else " ".join(_texts(row)) for row in cells
    )


def vertical_headers(cells: Grid) -> str:
    """Column headers and group labels stood on end, one character a line (海安 2019)."""
    blocks = []
    for row in cells:
        stacked = ["\n".join(cell.text) for cell in row if cell.kind in ("header", "group") and cell.text]
        if _has_values(row):
            blocks += stacked
            blocks.append(" ".join(cell.text for cell in row if cell.kind in ("label", "value") and cell.text))
        else:
            blocks += [cell.text for cell in row if cell.kind == "title"] + stacked
    return "\n\n".join(blocks)


def by_column(cells: Grid) -> str:
    """Blocks printed column by column: the block's labels, then each column's
    header followed by its values for every row of the block."""
    origins = placed(cells)
    value_rows = {r for r, _, cell in origins if cell.kind == "value"}
    lines: list[str] = []
    r = 0
    while r < len(cells):
        header = range(r, next((i for i in range(r, len(cells)) if i in value_rows), len(cells)))
        block = range(header.stop, next((i for i in range(header.stop, len(cells)) if i not in value_rows), len(cells)))
        columns = sorted({c for row, c, cell in origins if row in block and cell.kind == "value"})
        lines += [cell.text for row, c, cell in origins if row in header and c not in columns and cell.text]
        lines += [cell.text for row, _, cell in origins if row in block and cell.kind != "value" and cell.text]
        for column in columns:
            lines += [cell.text for row, c, cell in origins if row in header and c == column and cell.text]
            lines += [cell.text for row, c, cell in origins if row in block and c == column and cell.kind == "value"]
        r = block.stop
    return "\n".join(lines)


# Labels shorter than this stay whole; longer ones break into 2 or 3 pieces.
_BREAKABLE = 9


def _pieces(label: str, rng: random.Random) -> list[str]:
    if len(label) < _BREAKABLE:
        return [label]
    count = 3 if len(label) >= 2 * _BREAKABLE + 2 else 2
    # Cut after the item number ("1.") and before the last character.
    cuts = sorted(rng.sample(range(3, len(label) - 1), count - 1))
    bounds = [0, *cuts, len(label)]
    return [label[a:b] for a, b in pairwise(bounds)]


def broken_labels(cells: Grid, table: Table, rng: random.Random) -> str:
    """Long row labels broken over two or three lines (连云 科技局 2024).

    The numbers follow the last piece, stand on a line of their own, or come
    right after the first piece with the rest of the label below them; the
    last only where the first piece already names the row and the rest names
    no row at all, so the label is still readable.
    """
    patterns = {row.key: row.pattern for row in table.rows}
    lines = []
    for row in cells:
        paths = [cell.path for cell in row if cell.path]
        label = next((cell.text for cell in row if cell.kind == "label"), None)
        if label is None or not paths:
            lines.append(" ".join(_texts(row)))
            continue
        pieces = _pieces(label, rng)
        groups = [cell.text for cell in row if cell.kind == "group"]
        head, rest = " ".join([*groups, pieces[0]]), pieces[1:]
        numbers = " ".join(_values(row))
        own = patterns[CellPath.parse(paths[0]).row]
        readable_first = re.search(own, pieces[0]) and not any(re.search(p, "".join(rest)) for p in patterns.values())
        choice = rng.randrange(3) if rest else 0
        if choice == 2 and readable_first:
            lines += [f"{head} {numbers}", *rest]
        elif choice == 1:
            lines += [head, *rest, numbers]
        elif rest:
            lines += [head, *rest[:-1], f"{rest[-1]} {numbers}"]
        else:
            lines.append(f"{head} {numbers}")
    return "\n".join(lines)


# ---------------------------------------------------------------- value formats


def thousands(path: str | None, value: Number | None) -> str:
    text = plain_number(path, value)
    return f"{parse_number(text):,}" if text else text


def _marks(blank: list[str]) -> ValueFormat:
    """Blank cells printed with each null mark in turn; gold is null for each."""
    mark = {path: NULL_MARKS[i % len(NULL_MARKS)] for i, path in enumerate(blank)}

    def fmt(path: str | None, value: Number | None) -> str:
        return mark[path] if value is None and path in mark else plain_number(path, value)

    return fmt


def _blank(record: Record, rng: random.Random) -> tuple[Record, list[str]]:
    """``record`` with a few of its 0 cells printed as nothing (null in gold).

    Only zeros are blanked, as agencies do, so the sums still hold if read as 0;
    the reader must nevertheless report null, never a guessed 0.
    """
    per_section = {"section2": 2, "section3": 4, "section4": 2}
    gold = record.model_copy(deep=True)
    chosen: list[str] = []
    for section, count in per_section.items():
        zeros = [path for path, value in record.cells() if path.startswith(section) and value == 0]
        chosen += rng.sample(zeros, min(count, len(zeros)))
    if not chosen:
        raise NotApplicable("no zero cells to print blank")
    for path in chosen:
        gold.set_cell(path, None)
    return gold, chosen


# ---------------------------------------------------------------- layouts

Printer = Callable[[Grid], str]


def _tables(record: Record, printer: Printer, fmt: ValueFormat = plain_number) -> dict[Section, str]:
    return {section: printer(grid(record, section, fmt=fmt)) for section in SECTIONS}


def _plain(printer: Printer) -> Callable[[str, Record, random.Random], Variant]:
    def layout(seed_text: str, record: Record, rng: random.Random) -> Variant:
        return Variant(splice(seed_text, _tables(record, printer)), record)

    return layout


def _broken_labels(seed_text: str, record: Record, rng: random.Random) -> Variant:
    spec = record.spec
    assert spec is not None
    tables = {s: broken_labels(grid(record, s), getattr(spec, s), rng) for s in SECTIONS}
    return Variant(splice(seed_text, tables), record)


def _one_other_row(seed_text: str, record: Record, rng: random.Random) -> Variant:
    if record.template != "2021":
        raise NotApplicable("only a 2021 record has sub-rows of 三（六） to fold")
    tables = _tables(record, space_rows)
    tables["section3"] = space_rows(grid(record, "section3", other_as_one_row=True))
    gold = record.model_copy(deep=True)
    for path, _ in record.cells():
        if path.startswith("section3.other_"):
            gold.set_cell(path, None)
    return Variant(splice(seed_text, tables), gold)


def _empty_cells(printer: Printer) -> Callable[[str, Record, random.Random], Variant]:
    def layout(seed_text: str, record: Record, rng: random.Random) -> Variant:
        gold, _ = _blank(record, rng)
        return Variant(splice(seed_text, _tables(gold, printer)), gold)

    return layout


def _dashes(seed_text: str, record: Record, rng: random.Random) -> Variant:
    gold, blank = _blank(record, rng)
    return Variant(splice(seed_text, _tables(gold, space_rows, _marks(blank))), gold)


def _repeats_deleted(seed_text: str, record: Record, rng: random.Random) -> Variant:
    try:
        gold = restorable_gold(record)
    except TooManyReadings as error:
        raise NotApplicable(str(error)) from None
    return Variant(delete_repeats(splice(seed_text, _tables(record, one_cell_a_line))), gold)


# The section-2 column a report with a simplified table leaves out, per
# template, and the header it prints shorter ("项目数量" for 上一年项目数量).
_LEFT_OUT = {"2019": "change", "2021": "repealed"}
_SHORTER_HEADERS = {"上一年项目数量": "项目数量"}


def _fewer_columns(seed_text: str, record: Record, rng: random.Random) -> Variant:
    """Section 2 printed without one column of the template (本年增/减 in 2019,
    本年废止件数 in 2021): the printed cells are read, the others are null."""
    assert record.template is not None
    left_out = _LEFT_OUT[record.template]
    table = grid(record, "section2")
    for row in table:
        row[:] = [
            GridCell(c.kind, _SHORTER_HEADERS.get(c.text, c.text), c.rowspan, c.colspan, c.path)
            for c in row
            if not (c.path and CellPath.parse(c.path).column == left_out) and not (c.kind == "header" and _is_left_out(c.text, left_out, record))
        ]
    tables = _tables(record, space_rows)
    tables["section2"] = space_rows(table)
    gold = record.model_copy(deep=True)
    for path, _ in record.cells():
        if CellPath.parse(path)[::2] == ("section2", left_out):
            gold.set_cell(path, None)
    return Variant(splice(seed_text, tables), gold)


def _is_left_out(header: str, column: str, record: Record) -> bool:
    spec = record.spec
    assert spec is not None
    return any(c.key == column and c.label == header for row in spec.section2.rows for c in row.columns)


# What people print instead of the template's headings, and around them.
_REWORDED = {"存在的主要问题及改进情况": "存在的不足和改进措施", "其他需要报告的事项": "其他应说明事项"}
_FURNITURE_TOP = ("电脑版", "沉浸式翻译", "打印本页 关闭窗口")
_FURNITURE_BOTTOM = ("【打印】【关闭】", "扫一扫在手机打开当前页")
_YEAR = re.compile(r"(20[0-4]\d)年")


def _people_headings(seed_text: str, record: Record, rng: random.Random) -> Variant:
    """Headings as people print them: 五 and 六 reworded, 二 missing, 五 printed
    twice (a stray copy right under 四's heading), 六 before 五; years in the
    prose split over lines as crawlers store them ("20" / "24年"); page
    furniture above and below."""
    text = splice(seed_text, _tables(record, space_rows))
    lines = text.split("\n")
    title, body = lines[0], lines[1:]
    heading = {key: _heading_index(body, words) for key, words in _SECTION_WORDS.items()}
    if None in heading.values():
        raise NotApplicable("a heading of the seed is not printed as the template words it")
    h2, h4, h5, h6 = (heading[k] for k in ("二", "四", "五", "六"))
    for old, new in _REWORDED.items():
        body = [line.replace(old, new) if i in (h5, h6) else line for i, line in enumerate(body)]
    moved = body[:h5] + [body[h6]] + body[h5:h6] + body[h6 + 1 :]  # 六's heading before 五's
    stray = moved[:h4 + 1] + [moved[h5 + 1]] + moved[h4 + 1 :]  # 五's heading again under 四's
    kept = [line for i, line in enumerate(stray) if i != h2]
    split = [_YEAR.sub(lambda m: f"{m.group(1)[:2]}\n{m.group(1)[2:]}年", line) if len(line) > 40 else line for line in kept]
    return Variant("\n".join([*_FURNITURE_TOP, title, *split, *_FURNITURE_BOTTOM]), record)


_SECTION_WORDS = {
    "二": "主动公开政府信息情况",
    "四": "行政复议、行政诉讼情况",
    "五": "存在的主要问题及改进情况",
    "六": "其他需要报告的事项",
}


def _heading_index(lines: list[str], words: str) -> int | None:
    return next((i for i, line in enumerate(lines) if words in line and len(line.strip()) <= len(words) + 8), None)


def _one_line(seed_text: str, record: Record, rng: random.Random) -> Variant:
    try:
        check_printable(record)
        gold = one_line_gold(record)
    except (NotPrintable, TooManyReadings) as error:
        raise NotApplicable(str(error)) from None
    return Variant(one_line(splice(seed_text, _tables(record, run_together))), gold)


def _run_together(seed_text: str, record: Record, rng: random.Random) -> Variant:
    glue = pick_glue(record, rng)
    if glue is None:
        raise NotApplicable("no cells whose run-together digits the sums can split one way only")
    tables = _tables(record, lambda cells: space_rows(cells, glue))
    return Variant(splice(seed_text, tables), record)


_TO_TRADITIONAL = opencc.OpenCC("s2t")
_TO_SIMPLIFIED = opencc.OpenCC("t2s")


def _traditional(seed_text: str, record: Record, rng: random.Random) -> Variant:
    simplified = splice(seed_text, _tables(record, cells_per_line))
    text = _TO_TRADITIONAL.convert(simplified)
    # Gold keeps the seed's simplified wording, which is right only if the
    # reader's t2s conversion gives the simplified text back exactly.
    if _TO_SIMPLIFIED.convert(text) != simplified:
        raise NotApplicable("s2t → t2s does not give this text back")
    return Variant(text, record)


_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _full_width(seed_text: str, record: Record, rng: random.Random) -> Variant:
    return Variant(splice(seed_text, _tables(record, tab_rows)).translate(_FULL_WIDTH_DIGITS), record)


def _thousands(seed_text: str, record: Record, rng: random.Random) -> Variant:
    if not any(value is not None and abs(value) >= 1000 for _, value in record.cells()):
        raise NotApplicable("no number of four digits to separate")
    return Variant(splice(seed_text, _tables(record, space_rows, thousands)), record)


# Layout name → printer; the letters are those of the fixture brief.
LAYOUTS: dict[str, Callable[[str, Record, random.Random], Variant]] = {
    "rows": _plain(space_rows),  # the base the others vary
    "cells": _plain(cells_per_line),  # a
    "pipe": _plain(pipe_rows),  # b
    "tab": _plain(tab_rows),  # c
    "broken-labels": _broken_labels,  # d
    "vertical-headers": _plain(vertical_headers),  # e
    "label-after": _plain(label_after),  # f
    "columns": _plain(by_column),  # g
    "one-other-row": _one_other_row,  # h
    "pipe-empty": _empty_cells(pipe_rows),  # i
    "tab-empty": _empty_cells(tab_rows),  # i
    "dashes": _dashes,  # i
    "run-together": _run_together,  # j
    "traditional": _traditional,  # k
    "fullwidth": _full_width,  # k
    "thousands": _thousands,  # k
    "repeats-deleted": _repeats_deleted,  # one cell a line, each line equal to the one before deleted
    "one-line": _one_line,  # the page in one line: headings mid-line, each row's digits run together
    "fewer-columns": _fewer_columns,  # section 2 without one of the template's columns
    "headings": _people_headings,  # headings reworded, missing, twice, out of order; years split; furniture
}


def render(layout: str, seed_text: str, record: Record, rng: random.Random) -> Variant:
    """``seed_text`` with its tables replaced by ``record``'s, printed in ``layout``."""
    return LAYOUTS[layout](seed_text, record, rng)
