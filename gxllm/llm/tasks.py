"""Agency and year, and table cells, where the rules left them unread; each answer grounded in the source.

For agency and year the model's answer must occur in the document's head.
For table cells the model never writes a number: where the table reader's
own row checks (:mod:`gxllm.tables.rows`, the section 四 block reader) leave
a row more than one reading that its sums allow, the model chooses one of
those readings, all the doubtful rows of a table in one question. Answers
that break these rules are sent back with the reason (instructor re-asks);
when no valid answer comes, the deterministic reading stands and the log
says why. The narrative's question is :mod:`gxllm.llm.narrative`.
"""

from __future__ import annotations

import logging
import re
import string
from itertools import groupby

from pydantic import BaseModel, ValidationInfo, model_validator

from gxllm.document import NormalizedText, Segmented
from gxllm.llm.answers import NO_ANSWER, Answer, context_of, model_note
from gxllm.llm.client import LlmClient
from gxllm.llm.prompts import load_prompt
from gxllm.record import Evidence, Number
from gxllm.tables.reader import RowSpan, read_section4
from gxllm.tables.resolve import Cell, Reading
from gxllm.tables.rows import row_cells
from gxllm.tables.tokens import tokenize
from gxllm.template import TEMPLATES, TemplateVersion, sum_rules

log = logging.getLogger(__name__)


# ------------------------------------------------------------ agency and year

# The title, the publisher line and the 统计期限 sentence are near the top:
# the text before section 一 and the opening of 总体情况, within this many characters.
_HEAD_CHARS = 800
_OPENING_CHARS = 200


def _printed(phrase: str, head: str) -> re.Match[str] | None:
    """Where ``phrase`` is printed in ``head``, line breaks and spaces between its characters allowed."""
    return re.search(r"\s*".join(re.escape(ch) for ch in phrase if not ch.isspace()), head)


def _year_printed(year: int, head: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\d){year}\s*年", head)


class MetadataAnswer(Answer):
    agency: str | None
    year: int | None

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> MetadataAnswer:
        head: str = context_of(info)["head"]
        if self.agency is not None and (not self.agency.strip() or _printed(self.agency, head) is None):
            raise ValueError(f"agency {self.agency!r} is not written in the text: copy the name exactly as printed")
        if self.year is not None and _year_printed(self.year, head) is None:
            raise ValueError(f"year {self.year} is not written in the text as {self.year}年")
        return self


class Metadata(BaseModel):
    agency: str | None
    year: int | None
    evidence: dict[str, Evidence]


def resolve_metadata(
    segmented: Segmented, llm: LlmClient, *, agencies: list[str], years: list[int]
) -> Metadata | None:
    """Agency and year read by the model from the document's head, given the rules' candidates.

    None when the model gives no valid answer. Every value returned is
    printed in the head, and its evidence points there.
    """
    text = segmented.text.text
    first = segmented.sections.get(1)
    head = text[: min(_HEAD_CHARS, first.start + _OPENING_CHARS if first else _HEAD_CHARS)]
    try:
        answer = llm.ask(
            load_prompt("metadata", "v1"),
            MetadataAnswer,
            values={
                "head": head,
                "agencies": "、".join(agencies) or "无",
                "years": "、".join(str(y) for y in years) or "无",
            },
            context={"head": head},
            max_tokens=96,
        )
    except NO_ANSWER as error:
        log.warning("agency and year: no model answer: %s", error)
        return None
    agency = re.sub(r"\s+", "", answer.agency) if answer.agency else None
    spans = {
        "agency": (m.start(), m.end()) if agency and (m := _printed(agency, head)) else None,
        "year": (m.start(), m.start() + len(str(answer.year))) if answer.year and (m := _year_printed(answer.year, head)) else None,
    }
    evidence = {
        field: segmented.text.evidence(*span, method="model", note=model_note(llm, f"{field} read"))
        if span
        else Evidence(method="model", note=model_note(llm, f"no {field} found in the head"))
        for field, span in spans.items()
    }
    return Metadata(agency=agency, year=answer.year, evidence=evidence)


# ------------------------------------------------------------ table rows

# A row with more readings than this left by its sums is not asked about: the choice would be a guess.
_MAX_READINGS = 8
_LETTERS = string.ascii_uppercase


class ModelCell(BaseModel):
    value: Number | None
    evidence: Evidence


class RowChoices(Answer):
    """The reading chosen for each asked row: row number ("1", "2", …) to the reading's letter."""

    choices: dict[str, str]

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> RowChoices:
        options: list[int] = context_of(info)["options"]
        rows = [str(n) for n in range(1, len(options) + 1)]
        if set(self.choices) != set(rows):
            raise ValueError(f"give one letter for each of rows {', '.join(rows)}, and for no other")
        for row, count in zip(rows, options, strict=True):
            if self.choices[row] not in _LETTERS[:count]:
                raise ValueError(f"row {row} has readings {', '.join(_LETTERS[:count])} only, not {self.choices[row]!r}")
        return self

    def reading(self, row: int) -> int:
        """The index of the reading chosen for row ``row`` (1-based)."""
        return _LETTERS.index(self.choices[str(row)])


def _own_sums_hold(reading: Reading, version: TemplateVersion) -> bool:
    """Whether the table's sums that involve only ``reading``'s cells hold."""
    for rule in sum_rules(TEMPLATES[version]):
        paths = (*rule.left, *rule.right)
        if not set(paths) <= reading.keys() or any(reading[p].value is None for p in paths):
            continue  # the sum needs other rows' cells, or a null cell leaves it undecided
        if sum(reading[p].value for p in rule.left) != sum(reading[p].value for p in rule.right):  # type: ignore[misc]
            return False
    return True


def _row_readings(text: str, version: TemplateVersion, request: RowSpan) -> list[Reading]:
    """The distinct readings of one row, as printed, that the reader's own checks and the row's sums allow.

    Values a converter deleted as repeats are not offered: they are not in the
    text for anyone to choose from, and the golds leave such cells null.
    """
    table = next(t for t in TEMPLATES[version].tables if t.section == request.section)
    row = table.row(request.row)
    paths = [f"{table.section}.{row.key}.{c.key}" for c in row.columns]
    tokens = tokenize(text, request.start, request.end)
    if request.section == "section4":  # the section is one block: its rows are read together
        whole = read_section4(table, tokens).readings
        readings = [{p: reading[p] for p in paths} for reading in whole]
    else:
        readings = [dict(zip(paths, cells, strict=True)) for cells in row_cells(row.columns, tokens)[0]]
    distinct = {tuple(c.value for c in reading.values()): reading for reading in readings if _own_sums_hold(reading, version)}
    return list(distinct.values())


def _shown_rows(text: str, version: TemplateVersion, asked: list[tuple[RowSpan, list[Reading]]]) -> str:
    """Each asked row with its readings; the text it was read from once per span
    (section 四 is one block for all its rows)."""
    lines: list[str] = []
    shown: set[tuple[int, int]] = set()
    for number, (request, readings) in enumerate(asked, start=1):
        row = next(t for t in TEMPLATES[version].tables if t.section == request.section).row(request.row)
        lines.append(f"第{number}行 “{row.label}”，{len(row.columns)} 列：{'、'.join(c.label for c in row.columns)}")
        if (request.start, request.end) not in shown:
            shown.add((request.start, request.end))
            lines.append(f"原文：{' '.join(text[request.start : request.end].split())}")
        lines += [
            f"  {letter}: " + " ".join("空" if c.value is None else str(c.value) for c in reading.values())
            for letter, reading in zip(_LETTERS, readings, strict=False)
        ]
    return "\n".join(lines)


def _cell_evidence(text: NormalizedText, cell: Cell, note: str) -> Evidence:
    if cell.token is None:
        return Evidence(method="model", note=note)
    start, end = cell.part or (cell.token.start, cell.token.end)
    return text.evidence(start, end, method="model", note=note)


def read_tables_with_model(
    text: NormalizedText, version: TemplateVersion, rows: list[RowSpan], llm: LlmClient
) -> dict[str, ModelCell]:
    """Cells of the unsettled ``rows`` chosen by the model, keyed by cell path.

    Each table whose rows the sums leave in doubt is one question: every row
    with two or more readings that its own sums allow (at most
    ``_MAX_READINGS``), the model choosing one reading per row. A table whose
    sums settle every row is not asked about; a table the model cannot
    answer validly keeps the template reader's cells.
    """
    prompt = load_prompt("table", "v1")
    cells: dict[str, ModelCell] = {}
    for section, requests in groupby(sorted(rows, key=lambda r: r.section), key=lambda r: r.section):
        asked = [
            (request, readings)
            for request in requests
            if 1 < len(readings := _row_readings(text.text, version, request)) <= _MAX_READINGS
        ]
        if not asked:
            continue
        try:
            answer = llm.ask(
                prompt,
                RowChoices,
                values={
                    "rows": _shown_rows(text.text, version, asked),
                    "shape": '{"choices": {' + ", ".join(f'"{n}": "?"' for n in range(1, len(asked) + 1)) + "}}",
                },
                context={"options": [len(readings) for _, readings in asked]},
                max_tokens=16 + 8 * len(asked),
            )
        except NO_ANSWER as error:
            log.warning("%s: the template reader's cells stand: %s", section, error)
            continue
        note = model_note(llm, "reading chosen among those the row's text and sums allow")
        for number, (_, readings) in enumerate(asked, start=1):
            for path, cell in readings[answer.reading(number)].items():
                cells[path] = ModelCell(value=cell.value, evidence=_cell_evidence(text, cell, note))
    return cells
