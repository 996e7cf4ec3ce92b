"""What the model adds to the narrative the rules read: one question per report, asked only
where the rules are unsure, never taking anything away.

The rules are unsure of three things, each asked only when it arises:

- **lists**: section 五 has text, yet the rules found no problems (or no
  remedies) in it. The model picks among the section's own spans at every
  grain (each sentence, each ;- and ,-clause, each enumeration item) that no
  rule item covers, so what it adds is verbatim source text.
- **themes**: an item names no theme of the taxonomy. The model names one or
  more and copies the words of the item that show each.
- **fee**: a sentence speaks of a fee but the rules could not read whether one
  was charged. The model picks the sentence and copies the words that say so.

Every answer goes through the same checks a rule reading would (spans inside
the section, not overlapping what is already read, themes from the taxonomy,
words copied from the item, the fee phrase printed in the sentence and
agreeing with the judgement); an answer that fails is sent back with the reason, and what never
passes leaves the rules' reading as it was.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationInfo, model_validator

from gxllm.document import Segmented
from gxllm.llm.answers import NO_ANSWER, Answer, context_of, model_note
from gxllm.llm.client import LlmClient
from gxllm.llm.prompts import load_prompt
from gxllm.narrative import Narrative, add_item, item_evidence
from gxllm.narrative.clauses import Clause, source_span, spans_at_every_grain
from gxllm.narrative.fee import REQUEST_FEE, fee_sentences
from gxllm.narrative.lists import LISTS, ListName, says_nothing
from gxllm.narrative.taxonomy import OTHER, THEME_NAMES
from gxllm.record import Evidence, Fee

log = logging.getLogger(__name__)

# Spans are shown by their opening words and at most this many of them are
# offered: enough to tell what each is, and the prompt stays short.
_PREVIEW = 60
_MAX_CANDIDATES = 40
_LIST_WORDS = {"problems": "存在的问题", "remedies": "改进措施"}
_ITEM_LABEL = "T{}"
_ANSWER_TOKENS = {"lists": 64, "themes": 48, "fee": 64}


@dataclass
class Questions:
    """What the rules are unsure of in one report."""

    missing: list[ListName] = field(default_factory=list)  # lists found empty in a section 五 with text
    candidates: list[Clause] = field(default_factory=list)  # spans the missing lists may take
    themeless: list[tuple[ListName, int]] = field(default_factory=list)  # items naming no theme
    fee: list[Clause] = field(default_factory=list)  # sentences on fees the rules could not read

    @property
    def parts(self) -> list[str]:
        asked = {"lists": bool(self.missing and self.candidates), "themes": bool(self.themeless), "fee": bool(self.fee)}
        return [name for name, needed in asked.items() if needed]


def questions(segmented: Segmented, narrative: Narrative) -> Questions:
    found = Questions(
        themeless=[(name, i) for name in LISTS for i, themes in enumerate(narrative.themes[name]) if themes == [OTHER.name]]
    )
    fifth = segmented.sections.get(5)
    found.missing = [name for name in LISTS if not narrative.items[name]] if fifth else []
    if found.missing and fifth is not None:
        taken = [item for name in LISTS for item in narrative.items[name]]
        found.candidates = [
            span
            for span in spans_at_every_grain(segmented.body(5), fifth.start)
            if not says_nothing(span.text) and not any(span.start < item.end and item.start < span.end for item in taken)
        ][:_MAX_CANDIDATES]
    if narrative.fee.text is None:
        found.fee = [sentence for sentence in fee_sentences(segmented) if REQUEST_FEE.search(sentence.text)]
    return found


# ------------------------------------------------------------ the answer


class ThemeAnswer(Answer):
    item: str
    theme: str
    words: str


class FeeAnswer(Answer):
    """The numbered sentence that states whether 信息处理费 was charged, and what it states.

    No amount is asked: a sentence printing one is read by the rules already.
    """

    sentence: int | None
    phrase: str | None = None
    charged: bool | None = None

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> FeeAnswer:
        texts: list[str] = context_of(info)["fee_sentences"]
        if self.sentence is None:
            if self.charged is not None:
                raise ValueError("charged needs the number of the sentence that states it")
            return self
        if not 1 <= self.sentence <= len(texts):
            raise ValueError(f"sentence {self.sentence} does not exist: use 1 to {len(texts)} or null")
        if self.phrase is None or not _in_order(self.phrase, texts[self.sentence - 1]):
            raise ValueError(f"phrase {self.phrase!r} is not in sentence {self.sentence}: copy its words as printed")
        # The copied words are the check on the judgement: a "未…收取" is no charge.
        if self.charged and _NEGATION.search(self.phrase):
            raise ValueError(f"{self.phrase!r} says no fee was charged, so charged must be false")
        return self


class NarrativeAnswer(Answer):
    problems: list[int] = []
    remedies: list[int] = []
    themes: list[ThemeAnswer] = []
    fee: FeeAnswer | None = None

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> NarrativeAnswer:
        context = context_of(info)
        candidates: list[Clause] = context["candidates"]
        for name in LISTS:
            chosen = getattr(self, name)
            if chosen and name not in context["missing"]:
                raise ValueError(f"{name} were not asked for: leave the key out")
            unknown = sorted({n for n in chosen if not 1 <= n <= len(candidates)})
            if unknown:
                raise ValueError(f"span numbers {unknown} do not exist: use numbers 1 to {len(candidates)}")
        both = sorted(set(self.problems) & set(self.remedies))
        if both:
            raise ValueError(f"spans {both} cannot be both a problem and a remedy")
        spans = sorted({n: candidates[n - 1] for n in self.problems + self.remedies}.items(), key=lambda p: p[1].start)
        for (first, a), (second, b) in zip(spans, spans[1:], strict=False):
            if b.start < a.end:
                raise ValueError(f"spans {first} and {second} overlap: choose one of them")
        items: dict[str, str] = context["items"]
        for answer in self.themes:
            if answer.item not in items:
                raise ValueError(f"item {answer.item!r} was not asked about: use one of {', '.join(items)}")
            if answer.theme not in THEME_NAMES:
                raise ValueError(f"theme {answer.theme!r} is not one of {'、'.join(THEME_NAMES)}")
            if answer.theme != OTHER.name and _words_at(answer.words, items[answer.item]) is None:
                raise ValueError(f"words {answer.words!r} are not in item {answer.item}: copy them as printed")
        return self


_KEYS = {"lists": LISTS, "themes": ("themes",), "fee": ("fee",)}


@cache
def _asking(keys: tuple[str, ...]) -> type[NarrativeAnswer]:
    """:class:`NarrativeAnswer` with a schema showing only ``keys``: every token of it costs time."""

    class Asked(NarrativeAnswer):
        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            schema = super().model_json_schema(*args, **kwargs)
            return {**schema, "properties": {k: v for k, v in schema["properties"].items() if k in keys}}

    return Asked


_NEGATION = re.compile("[未没不无免零]")


def _in_order(phrase: str, sentence: str) -> bool:
    """Whether the phrase's characters occur in the sentence in order ("未收取" in "未对申请收取")."""
    rest = iter(sentence)
    return all(ch in rest for ch in phrase)


def _words_at(words: str, text: str) -> tuple[int, int] | None:
    """Where ``words`` (spaces aside) stand in ``text``."""
    match = re.search(r"\s*".join(re.escape(ch) for ch in words if not ch.isspace()), text) if words.strip() else None
    return match.span() if match else None


# ------------------------------------------------------------ asking and adding


def _shown(clauses: list[Clause], label: str = "{}") -> str:
    def preview(text: str) -> str:
        return text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…"

    return "\n".join(f"[{label.format(n)}] {preview(c.text)}" for n, c in enumerate(clauses, start=1))


def add_to_narrative(segmented: Segmented, narrative: Narrative, llm: LlmClient) -> Narrative:
    """The rules' narrative with what the model adds where they were unsure; unchanged when
    they were sure of everything or the model gives no valid answer."""
    asked = questions(segmented, narrative)
    if not asked.parts:
        return narrative
    items = {
        _ITEM_LABEL.format(n): narrative.items[name][i].text for n, (name, i) in enumerate(asked.themeless, start=1)
    }
    known = [item for name in LISTS for item in narrative.items[name]]
    parts = {
        "lists": {
            "wanted": "、".join(_LIST_WORDS[name] for name in asked.missing),
            "candidates": _shown(asked.candidates),
            "known": _shown(known) if known else "（无）",
            "keys": "、".join(f'"{name}"' for name in asked.missing),
        },
        "themes": {"items": "\n".join(f"[{k}] {v}" for k, v in items.items()), "taxonomy": "、".join(THEME_NAMES)},
        "fee": {"sentences": _shown(asked.fee)},
    }
    try:
        keys = tuple(key for part in asked.parts for key in _KEYS[part] if part != "lists" or key in asked.missing)
        answer = llm.ask(
            load_prompt("narrative", "v2"),
            _asking(keys),
            values={},
            parts={name: parts[name] for name in asked.parts},
            context={
                "missing": asked.missing,
                "candidates": asked.candidates,
                "items": items,
                "fee_sentences": [c.text for c in asked.fee],
            },
            max_tokens=sum(_ANSWER_TOKENS[name] for name in asked.parts) + 16 * len(items),
        )
    except NO_ANSWER as error:
        log.warning("narrative: the rules' reading stands: %s", error)
        return narrative
    added = narrative.model_copy(deep=True)
    _add_items(segmented, added, asked, answer, llm)
    _add_themes(segmented, added, asked, answer, llm)
    if answer.fee is not None and answer.fee.sentence is not None:
        added.fee, fee_evidence = _fee(segmented, asked.fee[answer.fee.sentence - 1], answer.fee, llm)
        added.evidence.update(fee_evidence)
    return added


def _add_items(segmented: Segmented, narrative: Narrative, asked: Questions, answer: NarrativeAnswer, llm: LlmClient) -> None:
    for name in asked.missing:
        chosen = sorted((asked.candidates[n - 1] for n in set(getattr(answer, name))), key=lambda c: c.start)
        note = model_note(llm, f"chosen among the spans of section 五 where the rules found no {name}")
        for clause in chosen:
            add_item(narrative, name, clause, item_evidence(clause, segmented.text, "model", note), segmented.text)
        if chosen:
            narrative.evidence.pop(name, None)


def _add_themes(segmented: Segmented, narrative: Narrative, asked: Questions, answer: NarrativeAnswer, llm: LlmClient) -> None:
    text = segmented.text
    for n, (name, i) in enumerate(asked.themeless, start=1):
        given = [a for a in answer.themes if a.item == _ITEM_LABEL.format(n)]
        themes = list(dict.fromkeys(a.theme for a in given))
        if not themes:
            continue
        clause, key = narrative.items[name][i], f"themes.{name}.{i}"
        narrative.themes[name][i] = themes
        for m, theme in enumerate(themes):
            words = _words_at(next(a.words for a in given if a.theme == theme), clause.text)
            if words is None:  # 其他 names nothing
                narrative.evidence[f"{key}.{m}"] = Evidence(method="model", note=model_note(llm, theme))
                continue
            span = source_span(clause, text.text, *words)
            narrative.evidence[f"{key}.{m}"] = text.evidence(*span, method="model", note=model_note(llm, theme))


def _fee(segmented: Segmented, clause: Clause, answer: FeeAnswer, llm: LlmClient) -> tuple[Fee, dict[str, Evidence]]:
    text = segmented.text
    statement = text.evidence(clause.start, clause.end, method="model", note=model_note(llm, "fee statement chosen"))
    phrase = source_span(clause, text.text, *_words_at(answer.phrase or "", clause.text) or (0, len(clause.text)))
    charged = text.evidence(*phrase, method="model", note=model_note(llm, "charged or not, in these words"))
    return Fee(charged=answer.charged, text=clause.text), {"fee.text": statement, "fee.charged": charged}
