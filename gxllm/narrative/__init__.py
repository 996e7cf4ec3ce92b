"""Section 五's problems and remedies and the fee statement, read by rule.

Every item returned is a span of the normalised text (line breaks removed),
never a paraphrase, and keeps its evidence under "problems.N", "remedies.N",
"fee.text", "fee.charged" and "fee.amount_yuan". The language-model stage
chooses among the same :func:`candidate_clauses`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from gxllm.document import Segmented
from gxllm.narrative.clauses import Clause, candidate_clauses
from gxllm.narrative.fee import read_fee
from gxllm.narrative.lists import ListName, split_lists
from gxllm.narrative.table import table_lists
from gxllm.record import Evidence, Fee

__all__ = ["Clause", "Narrative", "candidate_clauses", "extract_narrative", "fifth_lists"]


class Narrative(BaseModel):
    problems: list[str] = Field(default_factory=list)
    remedies: list[str] = Field(default_factory=list)
    fee: Fee = Field(default_factory=Fee)
    evidence: dict[str, Evidence] = Field(default_factory=dict)


def fifth_lists(body: str, offset: int) -> dict[ListName, list[Clause]]:
    """Section 五's items by list: from its table when it is printed as one, else from its prose."""
    return table_lists(body, offset) or split_lists(candidate_clauses(body, offset))


def extract_narrative(segmented: Segmented) -> Narrative:
    """Problems and remedies from section 五, the fee statement from 六 (or anywhere)."""
    fee = read_fee(segmented)
    narrative = Narrative(fee=fee.fee, evidence=dict(fee.evidence))
    fifth = segmented.sections.get(5)
    if fifth is None:
        missing = "section 五 (存在的主要问题及改进情况) not found"
        narrative.evidence["problems"] = Evidence(method="rule", note=missing)
        narrative.evidence["remedies"] = Evidence(method="rule", note=missing)
        return narrative
    lists = fifth_lists(segmented.body(5), fifth.start)
    for name, items in lists.items():
        getattr(narrative, name).extend(item.text for item in items)
        for i, item in enumerate(items):
            note = f"listed as {item.marker}" if item.marker else None
            narrative.evidence[f"{name}.{i}"] = segmented.text.evidence(item.start, item.end, method="rule", note=note)
        if not items:
            narrative.evidence[name] = Evidence(method="rule", note=f"no {name} found in section 五")
    return narrative
