"""Section 五's problems and remedies and the fee statement, read by rule.

Every item returned is a span of the normalised text (line breaks removed),
never a paraphrase, and keeps its evidence under "problems.N", "remedies.N",
"fee.text", "fee.charged" and "fee.amount_yuan"; the themes of item N of a
list keep theirs under "themes.problems.N.M" (M: 0 for the main theme).
The language-model stage adds to this reading, never takes from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from gxllm.document import NormalizedText, Segmented
from gxllm.lexicon import is_page_furniture
from gxllm.narrative.clauses import Clause, candidate_clauses
from gxllm.narrative.fee import read_fee
from gxllm.narrative.lists import LISTS, ListName, split_lists
from gxllm.narrative.table import table_lists
from gxllm.narrative.themes import item_themes
from gxllm.record import Evidence, Fee

__all__ = ["Clause", "Narrative", "add_item", "candidate_clauses", "extract_narrative", "fifth_lists", "item_evidence"]


class Narrative(BaseModel):
    """Section 五's items by list (source spans), each item's themes (main first), and the fee."""

    items: dict[ListName, list[Clause]] = Field(default_factory=lambda: {name: [] for name in LISTS})
    themes: dict[ListName, list[list[str]]] = Field(default_factory=lambda: {name: [] for name in LISTS})
    fee: Fee = Field(default_factory=Fee)
    evidence: dict[str, Evidence] = Field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        return [item.text for item in self.items["problems"]]

    @property
    def remedies(self) -> list[str]:
        return [item.text for item in self.items["remedies"]]


def fifth_lists(body: str, offset: int) -> dict[ListName, list[Clause]]:
    """Section 五's items by list: from its table when it is printed as one, else from its prose."""
    return table_lists(body, offset) or split_lists(candidate_clauses(body, offset))


def item_evidence(item: Clause, text: NormalizedText, method: Literal["rule", "model"], note: str | None) -> Evidence:
    return text.evidence(item.start, item.end, method=method, note=note)


def extract_narrative(segmented: Segmented) -> Narrative:
    """Problems and remedies from section 五 with their themes, the fee statement from 六 (or anywhere)."""
    fee = read_fee(segmented)
    narrative = Narrative(fee=fee.fee, evidence=dict(fee.evidence))
    fifth = segmented.sections.get(5)
    if fifth is None:
        missing = "section 五 (存在的主要问题及改进情况) not found"
        narrative.evidence["problems"] = Evidence(method="rule", note=missing)
        narrative.evidence["remedies"] = Evidence(method="rule", note=missing)
        return narrative
    fee_span = fee.evidence["fee.text"].span if "fee.text" in fee.evidence else None
    for name, items in fifth_lists(segmented.body(5), fifth.start).items():
        # The fee statement (六 printed before 五 leaves it after 五's items)
        # and a web page's furniture are no problem or remedy.
        items = [i for i in items if not is_page_furniture(i.text) and not _within(i, fee_span)]
        for item in items:
            note = f"listed as {item.marker}" if item.marker else None
            add_item(narrative, name, item, item_evidence(item, segmented.text, "rule", note), segmented.text)
        if not items:
            narrative.evidence[name] = Evidence(method="rule", note=f"no {name} found in section 五")
    return narrative


def _within(item: Clause, span: tuple[int, int] | None) -> bool:
    return span is not None and span[0] <= item.start and item.end <= span[1]


def add_item(narrative: Narrative, name: ListName, item: Clause, evidence: Evidence, text: NormalizedText) -> None:
    """``item`` appended to list ``name`` with its evidence, and its themes read by rule."""
    index = len(narrative.items[name])
    narrative.items[name].append(item)
    narrative.evidence[f"{name}.{index}"] = evidence
    themes, theme_evidence = item_themes(item, text, f"themes.{name}.{index}")
    narrative.themes[name].append(themes)
    narrative.evidence.update(theme_evidence)
