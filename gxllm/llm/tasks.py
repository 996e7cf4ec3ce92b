"""Agency and year where the rules left them unread, each answer grounded in the source.

The model's answer must occur in the document's head. Answers that break
this are sent back with the reason (instructor re-asks); when no valid answer
comes, the rules' reading stands and the log says why. The narrative's
question is :mod:`gxllm.llm.narrative`; the choice among the readings a
table's sums leave open is :mod:`gxllm.llm.readings`.
"""

from __future__ import annotations

import logging
import re

from pydantic import BaseModel, ValidationInfo, model_validator

from gxllm.document import Segmented
from gxllm.llm.answers import NO_ANSWER, Answer, context_of, model_note
from gxllm.llm.client import LlmClient
from gxllm.llm.prompts import load_prompt
from gxllm.record import Evidence

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
