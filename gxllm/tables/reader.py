"""The template-anchored table reader for sections 二, 三 and 四.

Rows are found by their labels (the template's patterns, matched on the label
text with whitespace and numbers taken out), never by line positions. The
values between two row labels belong to one of them: to the first when labels
precede their numbers, to the second when every label follows its numbers.

Where the text allows more than one reading (a row short of cells with empty
cells around it, digits of neighbouring cells run together, a block of rows
printed without telling row order from column order), every reading is kept
as a candidate and the table's own sums choose; when they cannot, the cells
stay null and the evidence says why. No value is ever made up.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

import regex

from gxllm.claims import claims
from gxllm.document import Compact, Segmented
from gxllm.record import Evidence, Record
from gxllm.tables.lines import read_by_lines
from gxllm.tables.resolve import CellReading, Choice, ProseClaim, Reading, resolve
from gxllm.tables.rows import cell_paths, null_choice, parse_value, row_choice
from gxllm.tables.tokens import Kind, Token, tokenize
from gxllm.template import (
    OTHER_GROUP,
    TEMPLATES,
    CellPath,
    Column,
    Row,
    Table,
    Template,
    sum_rules,
)

# A row label phrase not found as printed (OCR misread characters) is looked
# for with one character in three substituted, when it is long enough (four
# characters) that what is left still names its row alone.
_FUZZY_MIN_CHARS = 4
_FUZZY_SHARE = 3
# A lost row's label is looked for only in a stretch of label text at most this
# many times its length, with at most this many characters wrong: fuzzy search
# of a long label with a third of it wrong takes a tenth of a second.
_FUZZY_WINDOW = 8
_FUZZY_MAX_ERRORS = 5
# A table printed one cell a line holds at least this many lines of one number.
_MIN_LONE_NUMBERS = 12
_LONE_NUMBER = re.compile(r"\s*-?\d[\d,.]*\s*")


@dataclass
class TablesResult:
    """The three tables read: cells, evidence, notes, and the cells the sums
    leave open between readings the text allows (a second reader, the
    language model, may choose among those readings, never write a number)."""

    record: Record
    evidence: dict[str, Evidence]
    notes: list[str]
    open_choices: list[OpenQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class OpenQuestion:
    """An open choice of the sums, with the text its rows are printed in."""

    paths: list[str]
    options: list[Reading]  # per reading the sums allow, its cells (value and printed token)
    doubt: str
    start: int
    end: int


# ------------------------------------------------------------------ anchors


@dataclass(frozen=True)
class Anchor:
    row: Row | None  # None: the 2021 （六）其他处理 group heading
    start: int
    end: int
    read_as: str | None = None  # the label phrase as printed, when one character differs


def _projection(tokens: list[Token]) -> tuple[str, list[int]]:
    """The label text of the region (no whitespace, no numbers), with offsets."""
    chars, offsets = [], []
    for token in tokens:
        if token.kind is Kind.TEXT:
            for i, ch in enumerate(token.text):
                chars.append(ch)
                offsets.append(token.start + i)
    return "".join(chars), offsets


def _compact_label(label: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))


# 三（六） as the normalised text prints it, "(六)其他处理": for its anchor and the notes.
_OTHER_GROUP = _compact_label(OTHER_GROUP.label)


def _label_start(projected: str, start: int, pattern: str, label: str) -> int:
    """Where the row's label begins: a match of "总计" in "(七)总计" is moved
    back over "(七)", so numbers printed inside a broken label stay with it."""
    inside = re.search(pattern, label)
    prefix = label[: inside.start()] if inside else ""
    for length in range(len(prefix), 0, -1):
        if projected[max(0, start - length) : start] == prefix[-length:]:
            return start - length
    return start


def _label_matches(pattern: str, projected: str) -> list[tuple[int, int, str | None]]:
    """(start, end, misread phrase or None) of each place the row's label phrase is printed."""
    exact = [(m.start(), m.end(), None) for m in re.finditer(pattern, projected)]
    if exact or re.escape(pattern) != pattern or len(pattern) < _FUZZY_MIN_CHARS:
        return exact
    fuzzy = f"(?:{pattern}){{s<={len(pattern) // _FUZZY_SHARE}}}"
    return [(m.start(), m.end(), m.group()) for m in regex.finditer(fuzzy, projected)]


def find_anchors(tokens: list[Token], rows: list[Row | None], patterns: list[str]) -> list[Anchor]:
    """The row labels in template order: the longest run of matches whose
    positions increase, so a stray header word cannot pull rows out of place."""
    projected, offsets = _projection(tokens)
    # chains[k] = the chain of k+1 anchors ending earliest, as in longest
    # increasing subsequence.
    chains: list[list[Anchor]] = []
    for row, pattern in zip(rows, patterns, strict=True):
        label = _compact_label(row.label) if row else _OTHER_GROUP
        matches = [
            Anchor(row, offsets[_label_start(projected, start, pattern, label)], offsets[end - 1] + 1, read_as)
            for start, end, read_as in _label_matches(pattern, projected)
        ]
        updated = list(chains)
        for anchor in matches:
            k = sum(1 for chain in chains if chain[-1].start < anchor.start)
            # chains are ordered by length and their ends increase with length.
            base = chains[k - 1] if k else []
            candidate = base + [anchor]
            if k < len(updated):
                if anchor.start < updated[k][-1].start:
                    updated[k] = candidate
            else:
                updated.append(candidate)
        chains = updated
    return _between_anchors(chains[-1] if chains else [], rows, projected, offsets)


def _between_anchors(anchors: list[Anchor], rows: list[Row | None], projected: str, offsets: list[int]) -> list[Anchor]:
    """Rows whose label phrase was not found, looked for by their whole label
    between the rows found before and after them (one character in three may
    be misread, dropped or added: an OCR'd label can lose its phrase's words)."""
    if not anchors:
        return anchors
    out: list[Anchor] = []
    following = 0  # the next found anchor, in template order
    begin = 0  # projected position where the next row may begin
    for row in rows:
        if following < len(anchors) and anchors[following].row is row:
            out.append(anchors[following])
            begin = bisect.bisect_left(offsets, anchors[following].end)
            following += 1
            continue
        end = bisect.bisect_left(offsets, anchors[following].start) if following < len(anchors) else len(projected)
        label = _compact_label(row.label) if row else ""
        if len(label) < _FUZZY_MIN_CHARS or end <= begin or end - begin > _FUZZY_WINDOW * len(label):
            continue
        fuzzy = f"(?:{regex.escape(label)}){{e<={min(len(label) // _FUZZY_SHARE, _FUZZY_MAX_ERRORS)}}}"
        match = regex.search(fuzzy, projected, pos=begin, endpos=end, flags=regex.BESTMATCH)
        if match is not None:
            out.append(Anchor(row, offsets[match.start()], offsets[match.end() - 1] + 1, match.group()))
            begin = match.end()
    return out


def lines_repeats_deleted(text: str) -> bool:
    """Whether a converter deleted every line equal to the one before it.

    Such a dump prints its table one cell a line, so the zeros of an
    ordinary table would stand on consecutive lines; when many cells stand
    alone on their lines and no two consecutive lines are equal, the
    repeats were deleted (like ``uniq``). Blank lines are not looked at: a
    crawler may add them (two in a row, or between cells) after the deletion.
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if any(a == b for a, b in itertools.pairwise(lines)):
        return False
    return sum(1 for line in lines if _LONE_NUMBER.fullmatch(line)) >= _MIN_LONE_NUMBERS


def _row_patterns(table: Table, template: Template) -> tuple[list[Row | None], list[str]]:
    rows: list[Row | None] = list(table.rows)
    patterns = [row.pattern for row in table.rows]
    if table.section == "section3" and template.version == "2021":
        # The （六） heading absorbs the numbers of a report that prints it as
        # one row, so they are not taken for the row above.
        at = rows.index(table.row("other_overdue_correction"))
        rows.insert(at, None)
        patterns.insert(at, re.escape(OTHER_GROUP.name))
    return rows, patterns


def _groups(tokens: list[Token], anchors: list[Anchor]) -> tuple[list[list[Token]], bool]:
    """Tokens belonging to each anchor, and whether labels follow their numbers.

    Numbers printed inside a label broken across lines (between its first
    and last characters) belong to that label's row in either order.
    """
    cells = [t for t in tokens if t.kind in (Kind.VALUE, Kind.NULL)]
    labels_after = any(t.end <= anchors[0].start for t in cells) and not any(
        t.start >= anchors[-1].end for t in cells
    )
    groups = []
    for i, anchor in enumerate(anchors):
        if labels_after:
            low, high = (anchors[i - 1].end if i else -1), anchor.end
        else:
            low, high = anchor.start, (anchors[i + 1].start if i + 1 < len(anchors) else tokens[-1].end + 1)
        groups.append([t for t in tokens if low <= t.start < high])
    return groups, labels_after


def _printed_columns(tokens: list[Token], anchors: list[Anchor]) -> dict[str, tuple[Column, ...]]:
    """Per row, the template columns the header printed above it names (a
    header stands between the row before's cells and the row's label, or
    is the one above the row before)."""
    found: dict[str, tuple[Column, ...]] = {}
    header: list[str] = []
    cursor = 0
    for anchor in anchors:
        above = [t for t in tokens if cursor <= t.start < anchor.start]
        last_cell = max((i for i, t in enumerate(above) if t.is_cell), default=-1)
        words = [_compact_label(t.text) for t in above[last_cell + 1 :] if t.kind is Kind.TEXT]
        if words:
            header = words
        if anchor.row is not None:
            found[anchor.row.key] = tuple(c for c in anchor.row.columns if any(_names(w, c.label) for w in header))
        cursor = anchor.end
    return found


def _names(word: str, label: str) -> bool:
    """Whether a header word names the column ``label`` (项目数量 names 上一年项目数量)."""
    label = _compact_label(label)
    return word == label or (len(word) >= 4 and word in label) or (len(label) >= 4 and label in word)


def _share_out(anchors: list[Anchor], groups: list[list[Token]]) -> list[list[Token]]:
    """A row holding the cells of the rows after it, whose labels came later.

    ``pdftotext`` prints a label that spans rows (其他处理 over （七）总计 and
    四、结转…) after the rows' numbers: 3.其他 then holds three rows of cells,
    and （七）总计 and 四、结转… none. Whole rows of cells go to the rows that
    follow in order, when exactly that many rows follow with no cells.
    """
    groups = [list(g) for g in groups]
    for i, anchor in enumerate(anchors):
        if anchor.row is None:
            continue
        width = len(anchor.row.columns)
        values = [t for t in groups[i] if t.kind in (Kind.VALUE, Kind.NULL)]
        rows = len(values) // width
        following = anchors[i + 1 : i + rows]
        if (
            rows < 2
            or len(_runs(groups[i])) != 1  # headers between the numbers: a block printed by column
            or len(values) % width
            or len(following) != rows - 1
            or any(a.row is None or len(a.row.columns) != width for a in following)
            or any(any(t.is_cell for t in groups[i + 1 + j]) for j in range(rows - 1))
        ):
            continue
        for j in range(1, rows):
            groups[i + j] = values[j * width : (j + 1) * width]
        groups[i] = [t for t in groups[i] if t not in values[width:]]
    return groups


def _runs(tokens: list[Token]) -> list[list[Token]]:
    """Value runs separated by label text (column headers in a column-major block)."""
    runs: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind is Kind.TEXT:
            if runs[-1]:
                runs.append([])
        elif token.kind is not Kind.EMPTY:
            runs[-1].append(token)
    return [r for r in runs if r]


def _block_choice(rows: list[Row], section: str, tokens: list[Token]) -> Choice:
    """Several row labels printed together, then all their numbers."""
    paths = cell_paths(section, rows)
    widths = {len(r.columns) for r in rows}
    values = [t for t in tokens if t.kind in (Kind.VALUE, Kind.NULL)]
    m = len(rows)
    if len(widths) != 1 or len(values) != m * next(iter(widths)):
        return Choice(paths, [], f"{len(values)} values for a block of {m} rows")
    k = next(iter(widths))
    runs = [len(r) for r in _runs(tokens)]

    def by_rows() -> Reading:
        return {
            str(CellPath(section, r.key, c.key)): parse_value(values[i * k + j], c.kind)
            for i, r in enumerate(rows)
            for j, c in enumerate(r.columns)
        }

    def by_columns() -> Reading:
        return {
            str(CellPath(section, r.key, c.key)): parse_value(values[j * m + i], c.kind)
            for i, r in enumerate(rows)
            for j, c in enumerate(r.columns)
        }

    if runs == [m] * k and k > 1:
        return Choice(paths, [by_columns()], "")
    if runs == [k] * m and m > 1:
        return Choice(paths, [by_rows()], "")
    return Choice(paths, [by_rows(), by_columns()], "rows printed as one block: row order or column order")


def read_rows(
    table: Table, template: Template, tokens: list[Token], repeats_deleted: bool = False
) -> tuple[list[Choice], list[str], dict[str, tuple[int, int]], dict[str, str]]:
    """Choices for every row of a labelled table (sections 二 and 三), each
    found row's span of text, and a note for each row found by a label
    printed (or OCR'd) with characters wrong."""
    section = table.section
    rows, patterns = _row_patterns(table, template)
    anchors = find_anchors(tokens, rows, patterns) if tokens else []
    if any(a.row is not None and a.row.key.startswith("other_") for a in anchors):
        # The sub-rows are printed: the （六） heading is only a heading.
        anchors = [a for a in anchors if a.row is not None]
    choices: list[Choice] = []
    notes: list[str] = []
    unread: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    if anchors:
        groups, labels_after = _groups(tokens, anchors)
        for anchor, group in zip(anchors, groups, strict=True):
            if anchor.row is not None:
                spans[anchor.row.key] = (min([anchor.start, *(t.start for t in group)]), max([anchor.end, *(t.end for t in group)]))
        if not labels_after:
            groups = _share_out(anchors, groups)
        order = list(zip(anchors, groups, strict=True))
        if labels_after:
            order.reverse()
        if repeats_deleted and any(a.row is not None and not any(t.is_cell for t in g) for a, g in order):
            # A row printed with no cells at all: this table leaves cells
            # blank, and a blank and a deleted repeat print the same.
            return _blank_cell_rows(table, order, anchors, spans)
        printed = _printed_columns(tokens, anchors) if section == "section2" else {}
        pending: list[Row] = []
        for anchor, group in order:
            has_cells = any(t.is_cell for t in group)
            if anchor.row is None:
                if has_cells:
                    notes.append(f"{_OTHER_GROUP} printed as one row: the 2021 template's sub-rows are not in the report")
                continue
            if not has_cells:
                pending.append(anchor.row)
                continue
            block = [*pending, anchor.row] if not labels_after else [anchor.row, *reversed(pending)]
            pending = []
            if len(block) == 1:
                columns = block[0].columns
                choices.append(
                    row_choice(cell_paths(section, block), columns, group, repeats_deleted, printed.get(block[0].key, ()))
                )
            else:
                choices.append(_block_choice(block, section, group))
        unread.update({row.key: f"no values found for row {row.label!r}" for row in pending})
    misread = {a.row.key: _misread_note(a) for a in anchors if a.row is not None and a.read_as is not None}
    found = {a.row.key for a in anchors if a.row is not None}
    unread.update({row.key: f"row label {row.label!r} not found" for row in table.rows if row.key not in found})
    for key, note in unread.items():
        if notes and key.startswith("other_"):
            note = f"{_OTHER_GROUP} printed as one row; this sub-row is not in the report"
        choices.append(null_choice([table.row(key)], section, note))
    return choices, notes, spans, misread


def _blank_cell_rows(
    table: Table, order: list[tuple[Anchor, list[Token]]], anchors: list[Anchor], spans: dict[str, tuple[int, int]]
) -> tuple[list[Choice], list[str], dict[str, tuple[int, int]], dict[str, str]]:
    """A table whose converter deleted repeats and whose agency left cells
    blank: only rows printed in full can be read."""
    section = table.section
    choices = []
    seen = set()
    for anchor, group in order:
        if anchor.row is None:
            continue
        seen.add(anchor.row.key)
        paths = cell_paths(section, [anchor.row])
        values = [t for t in group if t.kind in (Kind.VALUE, Kind.NULL)]
        if len(values) == len(anchor.row.columns):
            choices.append(row_choice(paths, anchor.row.columns, group, repeats_deleted=False))
        elif not values:
            choices.append(null_choice([anchor.row], section, "row printed with no values: its cells are blank"))
        else:
            note = (
                f"{len(values)} values printed for {len(anchor.row.columns)} cells in a table that leaves cells "
                "blank and whose repeats were deleted: a blank and a deleted repeat cannot be told apart"
            )
            choices.append(null_choice([anchor.row], section, note))
    for row in table.rows:
        if row.key not in seen:
            choices.append(null_choice([row], section, f"row label {row.label!r} not found"))
    misread = {a.row.key: _misread_note(a) for a in anchors if a.row is not None and a.read_as is not None}
    return choices, [], spans, misread


def _misread_note(anchor: Anchor) -> str:
    assert anchor.row is not None
    return f"row label found as {anchor.read_as!r}, which differs from {anchor.row.label!r} in a character or two"


def read_section4(table: Table, tokens: list[Token], repeats_deleted: bool = False) -> Choice:
    """Section 四 is one row of fifteen numbers under a two-level header."""
    columns = tuple(c for row in table.rows for c in row.columns)
    return row_choice(cell_paths("section4", list(table.rows)), columns, tokens, repeats_deleted)


def read_tables(segmented: Segmented) -> TablesResult:
    """Sections 二, 三 and 四 of a segmented report, with evidence for every cell."""
    template_version = segmented.template
    if template_version is None:
        raise ValueError("the template version must be known before the tables are read")
    template = TEMPLATES[template_version]
    text = segmented.text.text
    record = Record.empty(template_version)
    repeats_deleted = lines_repeats_deleted(text)
    choices: list[Choice] = []
    notes: list[str] = []
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    label_notes: dict[tuple[str, str], str] = {}
    for table, number in ((template.section2, 2), (template.section3, 3), (template.section4, 4)):
        section = segmented.sections.get(number)
        tokens = tokenize(text, section.start, section.end) if section else []
        if section is None:
            note = f"section {number} not found"
            choices.append(null_choice(list(table.rows), table.section, note))
            notes.append(note)
        elif number == 4:
            choices.append(read_section4(table, tokens, repeats_deleted))
            spans.update({("section4", row.key): (section.start, section.end) for row in table.rows})
        else:
            table_choices, table_notes, row_spans, misread = read_rows(table, template, tokens, repeats_deleted)
            by_lines = read_by_lines(table, tokens)
            if _readable(by_lines) > _readable(table_choices):
                table_choices, misread = by_lines, {}
                table_notes = [f"section {number}: rows read one line of cells each, in the template's order"]
            choices.extend(table_choices)
            notes.extend(table_notes)
            spans.update({(table.section, key): span for key, span in row_spans.items()})
            label_notes.update({(table.section, key): note for key, note in misread.items()})
    reading = resolve(choices, sum_rules(template), _prose_claims(template, text))
    evidence: dict[str, Evidence] = {}
    for path, cell in reading.cells.items():
        record.set_cell(path, cell.value)
        evidence[path] = _evidence(segmented, cell)
        at = CellPath.parse(path)
        row = (at.section, at.row)
        if row in label_notes:
            note = "; ".join(n for n in (evidence[path].note, label_notes[row]) if n)
            evidence[path] = evidence[path].model_copy(update={"note": note})
    questions = []
    for choice in reading.open:
        rows = {(cell.section, cell.row) for cell in map(CellPath.parse, choice.paths)}
        found = [spans[r] for r in rows if r in spans]
        if found:
            start, end = min(a for a, _ in found), max(b for _, b in found)
            questions.append(OpenQuestion(choice.paths, choice.options, choice.doubt, start, end))
    return TablesResult(record, evidence, notes, questions)


def _prose_claims(template: Template, text: str) -> tuple[ProseClaim, ...]:
    """What the prose says about the tables, for choosing among readings the sums leave open."""
    compact = Compact.of(text)
    return tuple(
        ProseClaim(claim.quantity.readings, claim.number, compact.text[claim.start : claim.end])
        for claim in claims(template, compact.text)
    )


def _readable(choices: list[Choice]) -> int:
    """How many cells some reading of ``choices`` gives a value."""
    return sum(1 for c in choices for p in c.paths if any(r[p].value is not None for r in c.readings))


def _evidence(segmented: Segmented, cell: CellReading) -> Evidence:
    if cell.token is None:
        return Evidence(note=cell.note)
    start, end = cell.part or (cell.token.start, cell.token.end)
    return segmented.text.evidence(start, end, note=cell.note)
