"""The three things the model is asked, each grounded in the source.

The model never writes report text. For the narrative it picks among the
numbered clauses that :mod:`gxllm.narrative` cut from section 五 (and the
numbered sentences that might be the fee statement), so every problem,
remedy and fee text returned is a verbatim span of the source. For agency
and year its answer must occur in the text it was shown. For a table row its
numbers must be printed in the row, in column order, and satisfy the row's
own sums. Answers that break these rules are sent back with the reason
(instructor re-asks); when no valid answer comes, the deterministic reading
stands and the log says why.

Only the text a task needs goes to the model: section 五's items cut to
their opening words, the prose sentences that mention fees, the document's
head, or one table row.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from gxllm.document import NormalizedText, Segmented
from gxllm.llm.client import LlmClient
from gxllm.llm.errors import AnswerRejected, AnswerTimeout
from gxllm.llm.prompts import load_prompt
from gxllm.narrative import Narrative, add_item, item_evidence
from gxllm.narrative.clauses import Clause, candidate_clauses, sentences, source_span
from gxllm.narrative.lists import ListName
from gxllm.record import Evidence, Fee, Number
from gxllm.tables.reader import RowSpan
from gxllm.tables.tokens import Kind, Token, tokenize
from gxllm.template import TEMPLATES, Column, TemplateVersion, sum_rules
from gxllm.validate.grounding import parse_token

log = logging.getLogger(__name__)

# Failures that leave the deterministic reading in place; anything else
# (no runtime, no model installed) is a configuration error and propagates.
_NO_ANSWER = (AnswerRejected, AnswerTimeout)

# Items are shown to the model by their opening words only: enough to tell a
# problem from a remedy, and it keeps long sections cheap.
_ITEM_PREVIEW = 60
_KIND_LABEL = {"heading": "标题", "lead_in": "引导语", "closing": "结束语", "sentence": "句"}


def _context(info: ValidationInfo) -> dict[str, Any]:
    if not info.context:
        raise ValueError("answers are validated against the source, which was not given")
    return info.context


def _note(llm: LlmClient, what: str) -> str:
    return f"{what} by {llm.model_id}"


# ------------------------------------------------------------ narrative


class ThemeChoice(BaseModel):
    """Which numbered items of section 五 are problems and which are remedies."""

    problems: list[int]
    remedies: list[int]

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> ThemeChoice:
        count = _context(info)["items"]
        chosen = self.problems + self.remedies
        unknown = sorted({n for n in chosen if not 1 <= n <= count})
        if unknown:
            raise ValueError(f"item numbers {unknown} do not exist: use numbers 1 to {count}")
        both = sorted(set(self.problems) & set(self.remedies))
        if both:
            raise ValueError(f"items {both} cannot be both a problem and a remedy")
        return self


class FeeChoice(BaseModel):
    """The numbered sentence that states whether 信息处理费 was charged, and what it states."""

    sentence: int | None
    phrase: str | None
    charged: bool | None
    amount_yuan: float | None = None

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> FeeChoice:
        texts: list[str] = _context(info)["sentences"]
        if self.sentence is None:
            if self.charged is not None or self.amount_yuan is not None:
                raise ValueError("charged and amount_yuan need the number of the sentence that states them")
            return self
        if not 1 <= self.sentence <= len(texts):
            raise ValueError(f"sentence {self.sentence} does not exist: use 1 to {len(texts)} or null")
        sentence = texts[self.sentence - 1]
        if self.phrase is not None and not _in_order(self.phrase, sentence):
            raise ValueError(f"phrase {self.phrase!r} is not in sentence {self.sentence}: copy its words as printed")
        # The copied words are the check on the judgement: a "未…收取" is no charge.
        if self.charged and self.phrase is not None and _NEGATION.search(self.phrase):
            raise ValueError(f"{self.phrase!r} says no fee was charged, so charged must be false")
        if self.amount_yuan is not None and _amount_span(sentence, self.amount_yuan) is None:
            raise ValueError(f"sentence {self.sentence} does not state an amount of {self.amount_yuan:g} 元")
        return self


_NEGATION = re.compile("[未没不无免]")


def _in_order(phrase: str, sentence: str) -> bool:
    """Whether the phrase's characters occur in the sentence in order ("未收取" in "未对申请收取")."""
    rest = iter(sentence)
    return all(ch in rest for ch in phrase)
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|元)")


def _amount_span(sentence: str, yuan: float) -> tuple[int, int] | None:
    """Where ``sentence`` prints ``yuan`` (as 元 or 万元), read the way the validator reads it."""
    for match in _AMOUNT.finditer(sentence):
        value = parse_token(match.group())[1]
        if value is not None and float(value) == float(yuan):
            return match.span()
    return None


def _numbered(clauses: list[Clause]) -> tuple[str, list[Clause]]:
    """Section 五 as the model sees it: items numbered, headings and lead-ins as context."""
    lines, items = [], []
    for clause in clauses:
        if clause.kind == "item":
            items.append(clause)
            text = clause.text if len(clause.text) <= _ITEM_PREVIEW else clause.text[:_ITEM_PREVIEW] + "…"
            marker = f"（{clause.marker}）" if clause.marker else ""
            lines.append(f"[{len(items)}] {marker}{text}")
        else:
            lines.append(f"（{_KIND_LABEL[clause.kind]}）{clause.text}")
    return "\n".join(lines), items


def refine_narrative(segmented: Segmented, baseline: Narrative, llm: LlmClient) -> Narrative:
    """Problems, remedies and fee chosen by the model among the source's own clauses.

    What the model cannot answer validly keeps the baseline's reading.
    """
    narrative = baseline.model_copy(deep=True)
    lists = _choose_themes(segmented, llm)
    if lists is not None:
        kept = {k: v for k, v in baseline.evidence.items() if not k.startswith(("problems", "remedies", "themes."))}
        narrative = Narrative(fee=baseline.fee, evidence=kept)
        for name, chosen in lists.items():
            for clause in chosen:
                note = _note(llm, "chosen among the clauses of section 五")
                add_item(narrative, name, clause, item_evidence(clause, segmented.text, "model", note), segmented.text)
            if not chosen:
                narrative.evidence[name] = Evidence(method="model", note=_note(llm, f"no {name} found in section 五"))
    fee_reading = _choose_fee(segmented, llm)
    if fee_reading is not None:
        narrative.fee, fee_evidence = fee_reading
        narrative.evidence = {k: v for k, v in narrative.evidence.items() if not k.startswith("fee.")} | fee_evidence
    return narrative


def _choose_themes(segmented: Segmented, llm: LlmClient) -> dict[ListName, list[Clause]] | None:
    fifth = segmented.sections.get(5)
    if fifth is None:
        return None
    shown, items = _numbered(candidate_clauses(segmented.body(5), fifth.start))
    if not items:
        return None
    try:
        answer = llm.ask(
            load_prompt("narrative", "v1"),
            ThemeChoice,
            values={"clauses": shown},
            context={"items": len(items)},
            max_tokens=160,
        )
    except _NO_ANSWER as error:
        log.warning("narrative: keeping the rule-based reading: %s", error)
        return None
    return {
        "problems": [items[n - 1] for n in sorted(set(answer.problems))],
        "remedies": [items[n - 1] for n in sorted(set(answer.remedies))],
    }


def _fee_candidates(segmented: Segmented) -> list[Clause]:
    """Prose sentences that mention a fee or a charge: section 六 first, then 一 and 五."""
    bodies = [(segmented.body(n), segmented.sections[n].start) for n in (6, 1, 5) if n in segmented.sections]
    if not segmented.sections:
        bodies = [(segmented.text.text, 0)]
    return [s for body, offset in bodies for s in sentences(body, offset) if s.kind == "sentence" and re.search("费|收取", s.text)]


def _choose_fee(segmented: Segmented, llm: LlmClient) -> tuple[Fee, dict[str, Evidence]] | None:
    candidates = _fee_candidates(segmented)
    if not candidates:
        return None
    texts = [c.text for c in candidates]
    try:
        answer = llm.ask(
            load_prompt("fee", "v1"),
            FeeChoice,
            values={"sentences": "\n".join(f"[{i}] {t}" for i, t in enumerate(texts, start=1))},
            context={"sentences": texts},
            max_tokens=96,
        )
    except _NO_ANSWER as error:
        log.warning("fee: keeping the rule-based reading: %s", error)
        return None
    if answer.sentence is None:
        note = _note(llm, "no sentence about 信息处理费 found")
        return Fee(), {"fee.text": Evidence(method="model", note=note)}
    clause = candidates[answer.sentence - 1]
    text = segmented.text
    statement = text.evidence(clause.start, clause.end, method="model", note=_note(llm, "fee statement chosen"))
    evidence = {"fee.text": statement, "fee.charged": statement}
    amount: Number | None = None
    if answer.amount_yuan is not None:
        start, end = _amount_span(clause.text, answer.amount_yuan)  # type: ignore[misc]  # validated
        span = source_span(clause, text.text, start, end)
        evidence["fee.amount_yuan"] = text.evidence(*span, method="model", note=_note(llm, "amount read"))
        amount = int(answer.amount_yuan) if float(answer.amount_yuan).is_integer() else answer.amount_yuan
    return Fee(charged=answer.charged, amount_yuan=amount, text=clause.text), evidence


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


class MetadataAnswer(BaseModel):
    agency: str | None
    year: int | None

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> MetadataAnswer:
        head: str = _context(info)["head"]
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
    except _NO_ANSWER as error:
        log.warning("agency and year: no model answer: %s", error)
        return None
    agency = re.sub(r"\s+", "", answer.agency) if answer.agency else None
    spans = {
        "agency": (m.start(), m.end()) if agency and (m := _printed(agency, head)) else None,
        "year": (m.start(), m.start() + len(str(answer.year))) if answer.year and (m := _year_printed(answer.year, head)) else None,
    }
    evidence = {
        field: segmented.text.evidence(*span, method="model", note=_note(llm, f"{field} read"))
        if span
        else Evidence(method="model", note=_note(llm, f"no {field} found in the head"))
        for field, span in spans.items()
    }
    return Metadata(agency=agency, year=answer.year, evidence=evidence)


# ------------------------------------------------------------ table rows


class ModelCell(BaseModel):
    value: Number | None
    evidence: Evidence


class RowCells(BaseModel):
    cells: list[Number | None]

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> RowCells:
        context = _context(info)
        columns: tuple[Column, ...] = context["columns"]
        if len(self.cells) != len(columns):
            raise ValueError(f"give exactly {len(columns)} cells, one per column, not {len(self.cells)}")
        for column, value in zip(columns, self.cells, strict=True):
            if value is None:
                continue
            if column.kind != "money" and not float(value).is_integer():
                raise ValueError(f"{column.label} is a count: {value} is not a whole number")
            if column.kind == "count" and value < 0:
                raise ValueError(f"{column.label} is a count: {value} cannot be negative")
        align(self.cells, context["tokens"])
        values = dict(zip(context["paths"], self.cells, strict=True))
        for left, right in context["sums"]:
            parts = [values[p] for p in (*left, *right)]
            if None not in parts and sum(values[p] for p in left) != sum(values[p] for p in right):  # type: ignore[misc]
                raise ValueError(f"the cells do not add up: {' + '.join(left)} must equal {' + '.join(right)}")
        return self


def align(values: list[Number | None], tokens: list[Token]) -> list[tuple[int, int] | None]:
    """The span each value was printed at, taking the row's numbers in order.

    A value is a whole number token, or the leading digits of one whose
    cells ran together ("300003" read as 3, 0, 0, 0, 0, 3). Tokens may be
    passed over (for cells left null), never cut into. Raises ValueError
    when a value is not printed where the order allows.
    """
    spans: list[tuple[int, int] | None] = []
    position, used = 0, 0  # token index, characters of it already taken
    for value in values:
        if value is None:
            spans.append(None)
            continue
        while True:
            if position >= len(tokens):
                raise ValueError(f"{value} is not printed in the row after the cells before it")
            token = tokens[position]
            rest = token.text[used:]
            digits = str(int(value)) if float(value).is_integer() and value >= 0 else None
            if used == 0 and parse_token(token.text)[1] == value:
                spans.append((token.start, token.end))
                position += 1
                break
            if token.text.isdigit() and digits is not None and rest.startswith(digits):
                spans.append((token.start + used, token.start + used + len(digits)))
                used += len(digits)
                if used == len(token.text):
                    position, used = position + 1, 0
                break
            if used:
                raise ValueError(f"{value} does not follow the digits {token.text[:used]} of {token.text}")
            position += 1
    return spans


def _row_sums(version: TemplateVersion, paths: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The table's own sums that involve only this row's cells (row totals, section 四 totals)."""
    inside = set(paths)
    return [(r.left, r.right) for r in sum_rules(TEMPLATES[version]) if set(r.left + r.right) <= inside]


def read_rows_with_model(
    text: NormalizedText, version: TemplateVersion, rows: list[RowSpan], llm: LlmClient
) -> dict[str, ModelCell]:
    """Cells of ``rows`` read by the model from each row's text, keyed by cell path.

    Every value is printed in its row (evidence method "model", span on the
    digits) and the row's sums hold; a row the model cannot read validly is
    left out, so the template reader's cells stand.
    """
    template = TEMPLATES[version]
    prompt = load_prompt("table_row", "v1")
    tables = {t.section: t for t in template.tables}
    cells: dict[str, ModelCell] = {}
    for request in rows:
        row = tables[request.section].row(request.row)
        paths = [f"{request.section}.{row.key}.{c.key}" for c in row.columns]
        tokens = [t for t in tokenize(text.text, request.start, request.end) if t.kind is Kind.VALUE]
        shown = " ".join(text.text[request.start : request.end].split())
        try:
            answer = llm.ask(
                prompt,
                RowCells,
                values={
                    "label": row.label,
                    "columns": "\n".join(f"{i}. {c.label}" for i, c in enumerate(row.columns, start=1)),
                    "count": str(len(row.columns)),
                    "row": shown,
                },
                context={"columns": row.columns, "tokens": tokens, "paths": paths, "sums": _row_sums(version, paths)},
                max_tokens=32 + 8 * len(row.columns),
            )
        except _NO_ANSWER as error:
            log.warning("%s.%s: the template reader's cells stand: %s", request.section, row.key, error)
            continue
        note = _note(llm, "read from the row text")
        for path, value, span in zip(paths, answer.cells, align(answer.cells, tokens), strict=True):
            if span is None:
                cells[path] = ModelCell(value=None, evidence=Evidence(method="model", note=_note(llm, "no value printed")))
            else:
                number = int(value) if value is not None and float(value).is_integer() else value
                cells[path] = ModelCell(value=number, evidence=text.evidence(*span, method="model", note=note))
    return cells
