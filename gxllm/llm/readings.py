"""Choosing among the readings the table's sums leave open: the model picks, never writes.

When a crawler deleted repeated lines, or digits ran together, the table
reader may find several readings of a row that every sum allows (a section-4
line printed ``0 1 0 1 0`` is seven tables). The report's prose often says
which ("行政复议1件，已纠正"), so the model is shown the prose and the open
readings, each as a letter, and answers with letters only. A letter it did
not offer is sent back; a question it leaves open keeps its nulls. One
request per report. The chosen values satisfy every sum already (they are
readings the sums allow), and the validator checks the record again after.
"""

from __future__ import annotations

import logging
import string

from pydantic import BaseModel, ValidationInfo, model_validator

from gxllm.document import Segmented
from gxllm.llm.answers import NO_ANSWER, Answer, context_of, model_note
from gxllm.llm.client import LlmClient
from gxllm.llm.prompts import load_prompt
from gxllm.record import Evidence, Number
from gxllm.tables.reader import OpenQuestion
from gxllm.template import TEMPLATES, CellPath, TemplateVersion

log = logging.getLogger(__name__)

# The prose shown: 总体情况 first (where reports restate their tables), cut to this length.
_PROSE_CHARS = 2400
# More readings than letters would not fit one question.
_LETTERS = string.ascii_uppercase


class ReadingChoice(Answer):
    """For each question number, the letter of the reading the prose supports, or null."""

    choices: dict[str, str | None]

    @model_validator(mode="after")
    def _offered(self, info: ValidationInfo) -> ReadingChoice:
        offered: dict[str, int] = context_of(info)["offered"]
        for number, letter in self.choices.items():
            if number not in offered:
                raise ValueError(f"question {number} was not asked: answer questions {sorted(offered)} only")
            if letter is not None and letter not in _LETTERS[: offered[number]]:
                raise ValueError(f"question {number} has readings {_LETTERS[0]}-{_LETTERS[offered[number] - 1]} only")
        return self


class ChosenCell(BaseModel):
    value: Number | None
    evidence: Evidence


def _label(version: TemplateVersion, path: str) -> str:
    spec, cell = TEMPLATES[version], CellPath.parse(path)
    row = {t.section: t for t in spec.tables}[cell.section].row(cell.row)
    return f"{row.label}·{spec.column(path).label}"


def _question(number: int, question: OpenQuestion, segmented: Segmented) -> str:
    assert segmented.template is not None
    printed = " ".join(segmented.text.text[question.start : question.end].split())
    lines = [f"问题{number}：原文印作“{printed[:300]}”。以下格子有 {len(question.options)} 种读法："]
    for letter, option in zip(_LETTERS, question.options, strict=False):
        cells = "，".join(f"{_label(segmented.template, p)}={_shown(option[p].value)}" for p in question.paths)
        lines.append(f"  {letter}. {cells}")
    return "\n".join(lines)


def choose_readings(segmented: Segmented, questions: list[OpenQuestion], llm: LlmClient) -> dict[str, ChosenCell]:
    """Values for the open cells the model chose a reading for, by cell path."""
    asked = {str(n): q for n, q in enumerate(questions, start=1) if len(q.options) <= len(_LETTERS)}
    if not asked or segmented.template is None:
        return {}
    prose = "\n".join(segmented.body(n) for n in (1, 5, 6) if n in segmented.sections)[:_PROSE_CHARS]
    try:
        answer = llm.ask(
            load_prompt("table_choice", "v1"),
            ReadingChoice,
            values={
                "prose": prose,
                "questions": "\n".join(_question(int(n), q, segmented) for n, q in asked.items()),
                "shape": '{"choices": {' + ", ".join(f'"{n}": "?"' for n in asked) + "}}",
            },
            context={"offered": {n: len(q.options) for n, q in asked.items()}},
            max_tokens=24 + 10 * len(asked),
        )
    except NO_ANSWER as error:
        log.warning("open table readings stay null: %s", error)
        return {}
    chosen: dict[str, ChosenCell] = {}
    for number, letter in answer.choices.items():
        if letter is None:
            continue
        question = asked[number]
        option = question.options[_LETTERS.index(letter)]
        note = model_note(
            llm, f"chosen among the {len(question.options)} readings the table's sums allow ({question.doubt}), by the report's prose"
        )
        for path in question.paths:
            cell = option[path]
            span = cell.part or ((cell.token.start, cell.token.end) if cell.token else None)
            evidence = (
                segmented.text.evidence(*span, method="model", note=note) if span else Evidence(method="model", note=note)
            )
            chosen[path] = ChosenCell(value=cell.value, evidence=evidence)
    return chosen


def _shown(value: Number | None) -> str:
    return "空" if value is None else str(value)
