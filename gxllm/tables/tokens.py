"""Cut a table region of the normalised text into label text, values and empty cells.

Three line shapes are told apart: pipe-separated (``label | 0 | 0 |``),
tab-separated, and whitespace-separated (which includes one cell per line).
Only the first two can carry an empty cell; in the third, a missing cell
leaves no trace and the row is simply short.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import StrEnum

from gxllm.document import RUN_IN_LINE
from gxllm.lexicon import NUMBER, YUAN_UNIT, is_null_mark


class Kind(StrEnum):
    TEXT = "text"
    VALUE = "value"
    NULL = "null"  # printed as a null mark (gxllm.lexicon): the document says "no value"
    EMPTY = "empty"  # a pipe- or tab-delimited cell with nothing in it


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    start: int
    end: int
    # The token is its line's only text: a line a converter could have
    # deleted as a repeat of the line before.
    alone: bool = False
    line: int = 0  # the line of the tokenized region it stands on

    @property
    def is_cell(self) -> bool:
        return self.kind is not Kind.TEXT


_NUMBER = re.compile("-?" + NUMBER)
# "1.属于国家秘密", "3、其他", "3." alone: a list marker, part of the label. A
# cell's number is never followed by a full stop that no digit follows.
_MARKER_AFTER = re.compile(r"[.、](?!\d)")
# "2024年", "6条": a number with a unit is prose, not a cell. A yuan amount
# ("33800元") is a money cell printed with its unit.
_UNIT_AFTER = re.compile(r"\s*[年月日号条项款件个次%]")
_YUAN_AFTER = re.compile(rf"\s*(?:{YUAN_UNIT})")
# "1申请人…": a label's list marker whose full stop an OCR lost; a cell's
# number is never run into the Chinese text after it.
_CJK_AFTER = re.compile(r"[\u4e00-\u9fff]")


def _is_label_number(piece: str, start: int, end: int, following: str = "", run_in: bool = False) -> bool:
    """Whether ``piece[start:end]``, a number, is part of a label or of prose.

    ``following`` is the line after a line holding only this number: crawler
    dumps break prose at every span, so "2019" may stand alone between "（"
    and "年起）". In a page run into one line (``run_in``) every row's digits
    run into the next row's label ("3000003二、上年结转"), so a number before
    Chinese text is a cell unless a unit or a list mark follows it.
    """
    before, after = piece[:start], piece[end:]
    if run_in and _CJK_AFTER.match(after) and not _UNIT_AFTER.match(after):
        return False
    # "第3项", "A1"; "数据1" is a column header a converter could not read.
    if before.endswith(("第", "数据")) or (before and before[-1].isascii() and before[-1].isalpha()):
        return True
    if not after.strip() and not before.strip():
        return bool(_UNIT_AFTER.match(following))
    if before.endswith("(") and after.startswith(")"):
        return True
    if _YUAN_AFTER.match(after):
        return False
    return bool(_MARKER_AFTER.match(after) or _UNIT_AFTER.match(after) or _CJK_AFTER.match(after))


def _scan(piece: str, offset: int, following: str = "", run_in: bool = False) -> list[Token]:
    """Tokens of one cell (or one whole whitespace-separated line, then
    ``following`` is the start of the next line)."""
    tokens: list[Token] = []
    for word in re.finditer(r"\S+", piece):
        start = offset + word.start()
        if is_null_mark(word.group()):
            tokens.append(Token(Kind.NULL, word.group(), start, start + len(word.group())))
            continue
        tokens.extend(_split_word(piece, word, offset, following, run_in))
    return _merge_markers(tokens)


def _split_word(piece: str, word: re.Match[str], offset: int, following: str, run_in: bool) -> list[Token]:
    tokens = []
    text = word.group()
    cursor = 0
    for number in _NUMBER.finditer(text):
        start, end = number.start(), number.end()
        if run_in and end - start > 1 and _MARKER_AFTER.match(text, end) and text[start:end].isdigit():
            end -= 1  # "00000002.其他…": the cells' digits, then the next row's list number
        is_label = _is_label_number(piece, word.start() + start, word.start() + end, following, run_in)
        if text[start] == "-" and start > 0:
            start += 1  # a dash after text is a hyphen, not a sign
        if start > cursor:
            tokens.append(Token(Kind.TEXT, text[cursor:start], offset + word.start() + cursor, offset + word.start() + start))
        kind = Kind.TEXT if is_label else Kind.VALUE
        tokens.append(Token(kind, text[start:end], offset + word.start() + start, offset + word.start() + end))
        cursor = end
    if cursor < len(text):
        tokens.append(Token(Kind.TEXT, text[cursor:], offset + word.start() + cursor, offset + word.end()))
    return tokens


def _merge_markers(tokens: list[Token]) -> list[Token]:
    """Join adjacent text tokens of one word so label fragments stay whole."""
    merged: list[Token] = []
    for token in tokens:
        if merged and token.kind is Kind.TEXT and merged[-1].kind is Kind.TEXT and merged[-1].end == token.start:
            last = merged.pop()
            token = Token(Kind.TEXT, last.text + token.text, last.start, token.end)
        merged.append(token)
    return merged


def _pipe_cells(line: str) -> list[tuple[str, int]]:
    """Cells of a pipe-separated line with their offsets in the line.

    A pipe ends a cell: ``65 |`` is one cell, ``|||`` three empty ones; a
    leading pipe (markdown style) opens the row and makes no cell.
    """
    pieces, cursor = [], 0
    for part in line.split("|"):
        pieces.append((part, cursor))
        cursor += len(part) + 1
    if line.rstrip().endswith("|") and pieces and not pieces[-1][0].strip():
        pieces.pop()
    if line.lstrip().startswith("|") and pieces and not pieces[0][0].strip():
        pieces.pop(0)
    return pieces


def _tab_cells(line: str) -> list[tuple[str, int]]:
    """Cells of a tab-separated line; leading empties (indentation, cells
    merged from the rows above) are not cells of this row."""
    pieces, cursor = [], 0
    for part in line.split("\t"):
        pieces.append((part, cursor))
        cursor += len(part) + 1
    while len(pieces) > 1 and not pieces[0][0].strip():
        pieces.pop(0)
    return pieces


# Page numbers of a PDF that land inside a table: "- 3 -", "第3页 共12页", "3/12".
_PAGE_NUMBER = re.compile(r"\s*(?:[-—]\s*\d{1,4}\s*[-—]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*")



def _whole_line_length(text: str, offset: int) -> int:
    """The length of the line of ``text`` holding ``offset`` (a section may start mid-line)."""
    end = text.find("\n", offset)
    return (len(text) if end < 0 else end) - (text.rfind("\n", 0, offset) + 1)

# The line under a Markdown table's header: |---|:---:|.
_MARKDOWN_RULE = re.compile(r"\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?")


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """Tokens of ``text[start:end]``, offsets absolute in ``text``."""
    tokens: list[Token] = []
    offset = start
    lines = text[start:end].split("\n")
    for index, line in enumerate(lines):
        if _PAGE_NUMBER.fullmatch(line) or _MARKDOWN_RULE.fullmatch(line):
            cells: list[tuple[str, int]] | None = []
        elif "|" in line:
            cells = _pipe_cells(line)
        elif "\t" in line:
            cells = _tab_cells(line)
        else:
            cells = None
        if cells is None:
            following = next((n for n in lines[index + 1 :] if n.strip()), "")
            scanned = _scan(line, offset, following, run_in=_whole_line_length(text, offset) > RUN_IN_LINE)
            alone = len(scanned) == 1 and scanned[0].is_cell
            tokens.extend(dataclasses.replace(t, alone=alone, line=index) for t in scanned)
        else:
            for cell, at in cells:
                if cell.strip():
                    tokens.extend(dataclasses.replace(t, line=index) for t in _scan(cell, offset + at))
                else:
                    tokens.append(Token(Kind.EMPTY, "", offset + at, offset + at, line=index))
        offset += len(line) + 1
    return _headers_stay_text(tokens)


def _headers_stay_text(tokens: list[Token]) -> list[Token]:
    """A header printed one character a line (本 年 增 / 减, or （ 四 ） 无 法)
    can put a null marker on a line of its own: between two one-character
    label tokens, or as the slash of 本年增/减 broken over three lines, it is
    part of the label, not a cell."""
    out = list(tokens)
    for i in range(1, len(out) - 1):
        before, token, after = out[i - 1], out[i], out[i + 1]
        if token.kind is not Kind.NULL or len(token.text) != 1 or not all(t.kind is Kind.TEXT for t in (before, after)):
            continue
        one_character = len(before.text) == 1 and len(after.text) == 1
        if one_character or (token.text == "/" and before.text.endswith("增") and after.text.startswith("减")):
            out[i] = dataclasses.replace(token, kind=Kind.TEXT)
    return out
