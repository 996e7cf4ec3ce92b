"""The deterministic validator: every rule of docs/record.md §3, and flags a reviewer can act on.

No language model is involved. Each rule family is one module; each flag
says whether the document itself does not add up (``source``: reported,
never fixed), our reading disagrees with the document (``extraction``), or a
value is absent (``missing``).
"""

from __future__ import annotations

from typing import Any

from gxllm.record import Evidence, Flag, Record
from gxllm.validate import (
    arithmetic,
    cross_year,
    fee,
    form,
    grounding,
    narrative_claims,
    presence,
    repeats,
    section_five,
)
from gxllm.validate.context import Context

__all__ = ["CROSS_YEAR_RULES", "cross_year_flags", "validate"]

# Order of the report: what the record lacks, its form, the tables' sums, the
# prose, section 五, the fee statement, last year, and finally each misread value.
_FAMILIES = (presence, form, arithmetic, narrative_claims, section_five, fee, cross_year, repeats, grounding)
# The rules that compare a record with the same agency's record of the year before.
_CROSS_YEAR_FAMILIES = (cross_year, repeats)
CROSS_YEAR_RULES = ("CROSS_YEAR", "NARRATIVE_REPEATED", "REMEDY_NOT_EFFECTIVE")


def validate(
    record: Record,
    *,
    evidence: dict[str, Evidence] | None = None,
    source_text: str | None = None,
    raw: dict[str, Any] | None = None,
    previous: Record | None = None,
) -> list[Flag]:
    """Every finding on ``record``.

    ``evidence`` (path -> where the value was read) and ``source_text`` (the
    normalised text its spans index into) let each failing rule be told apart
    as the source's error or ours; without them a value is taken as printed.
    ``raw`` is the JSON the record was parsed from (what the input lacked),
    ``previous`` the same agency's record of the year before (CROSS_YEAR_RULES).
    """
    ctx = Context(record=record, evidence=evidence or {}, source_text=source_text, raw=raw, previous=previous)
    return [flag for family in _FAMILIES for flag in family.check(ctx)]


def cross_year_flags(
    record: Record,
    *,
    previous: Record,
    evidence: dict[str, Evidence] | None = None,
    source_text: str | None = None,
) -> list[Flag]:
    """The findings of :data:`CROSS_YEAR_RULES` alone: for a store that learns the
    same agency's other year after ``record`` was validated."""
    ctx = Context(record=record, evidence=evidence or {}, source_text=source_text, raw=None, previous=previous)
    return [flag for family in _CROSS_YEAR_FAMILIES for flag in family.check(ctx)]
