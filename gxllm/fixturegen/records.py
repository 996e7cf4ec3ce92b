"""Random records that keep every rule of docs/record.md §3, for fixtures with real numbers.

Four of the five seeds print nothing but zeros, and an all-zero table cannot tell
a right reading from a wrong one. These records have the sparse, lopsided shape
of real district reports: most requests come from natural persons, most
outcomes are 予以公开 or 不掌握, most cells are 0, and section 2 counts run from
a handful to tens of thousands.
"""

from __future__ import annotations

import math
import random
from typing import Any

from gxllm.record import Record
from gxllm.template import TEMPLATES, TemplateVersion

# Share of a column's decided requests that end in each outcome row; rows not
# named here are rare outcomes, and the 2019 "other" row takes the weight of the
# 2021 "other_other".
_OUTCOME_WEIGHTS = {
    "granted": 40,
    "partial": 8,
    "unavailable_not_held": 20,
    "unavailable_needs_creation": 3,
    "unavailable_unclear": 2,
    "rejected_petition": 3,
    "rejected_duplicate": 3,
    "other_overdue_correction": 2,
    "other_other": 6,
    "other": 8,
}
_RARE_OUTCOME_WEIGHT = 0.5
# (chance the applicant column has any request at all, most requests it may have)
_APPLICANT_ACTIVITY = {
    "natural_person": (1.0, 90),  # every fixture needs some requests to read
    "commercial": (0.6, 12),
    "research": (0.15, 3),
    "social_welfare": (0.15, 3),
    "legal_service": (0.35, 6),
    "other": (0.2, 4),
}


def _log_uniform(rng: random.Random, high: int, zero_chance: float) -> int:
    """0 with ``zero_chance``, else a count from 1 to ``high`` spread over magnitudes."""
    if rng.random() < zero_chance:
        return 0
    return int(math.exp(rng.uniform(0, math.log(high + 1))))


def _money(rng: random.Random, high: int, zero_chance: float) -> int | float:
    amount = _log_uniform(rng, high, zero_chance)
    if amount and rng.random() < 0.5:
        return round(amount + rng.randint(1, 99) / 100, 2)  # 万元 with two decimals
    return amount


def _section2_2021(rng: random.Random) -> dict[str, dict[str, Any]]:
    def documents(most_issued: int, in_force: int) -> dict[str, int]:
        issued = _log_uniform(rng, most_issued, 0.5)
        return {
            "issued": issued,
            "repealed": _log_uniform(rng, most_issued, 0.6),
            "in_force": issued + _log_uniform(rng, in_force, 0.2),
        }

    return {
        "rules": documents(2, 5),
        "normative_docs": documents(15, 80),
        "licensing": {"decisions": _log_uniform(rng, 30000, 0.2)},
        "penalty": {"decisions": _log_uniform(rng, 5000, 0.3)},
        "coercion": {"decisions": _log_uniform(rng, 500, 0.5)},
        "fees": {"amount_wan_yuan": _money(rng, 5000, 0.4)},
    }


def _section2_2019(rng: random.Random) -> dict[str, dict[str, Any]]:
    def documents(most_made: int, published: int) -> dict[str, int]:
        made = _log_uniform(rng, most_made, 0.5)
        new_published = rng.randint(0, made)
        return {
            "new_made": made,
            "new_published": new_published,
            "total_published": new_published + _log_uniform(rng, published, 0.2),
        }

    def items(most_items: int) -> dict[str, int]:
        previous = _log_uniform(rng, most_items, 0.3)
        return {"prev_items": previous, "change": rng.randint(-min(previous, 5), 5)}  # 本年增/减 may be negative

    def decided_items(most_items: int, most_decisions: int) -> dict[str, int]:
        return {**items(most_items), "decisions": _log_uniform(rng, most_decisions, 0.3)}

    return {
        "rules": documents(2, 5),
        "normative_docs": documents(15, 80),
        "licensing": decided_items(300, 30000),
        "other_services": decided_items(100, 3000),
        "penalty": decided_items(200, 5000),
        "coercion": decided_items(50, 500),
        "fees": items(30),
        "procurement": {"items": _log_uniform(rng, 50, 0.4), "amount": _money(rng, 5000, 0.4)},
    }


def _section3(template: TemplateVersion, rng: random.Random) -> dict[str, dict[str, int]]:
    spec = TEMPLATES[template]
    outcomes = spec.outcome_rows
    weights = [_OUTCOME_WEIGHTS.get(key, _RARE_OUTCOME_WEIGHT) for key in outcomes]
    table: dict[str, dict[str, int]] = {key: {} for key in spec.section3.row_keys}
    for column, (active_chance, most) in _APPLICANT_ACTIVITY.items():
        decided = rng.randint(1, most) if rng.random() < active_chance else 0
        counts = dict.fromkeys(outcomes, 0)
        for key in rng.choices(outcomes, weights, k=decided):
            counts[key] += 1
        carried_forward = rng.randint(0, min(3, decided))
        carried_over = rng.randint(0, min(10, decided + carried_forward))
        for key, count in counts.items():
            table[key][column] = count
        table["total"][column] = decided
        table["carried_forward"][column] = carried_forward
        table["carried_over"][column] = carried_over
        # S3_BALANCE fixes the one free inflow.
        table["new"][column] = decided + carried_forward - carried_over
    for row in table.values():
        row["total"] = sum(row.values())
    return table


def _section4(rng: random.Random) -> dict[str, dict[str, int]]:
    groups = {}
    for key, most in (("review", 6), ("litigation_direct", 3), ("litigation_after_review", 2)):
        counts = {c: _log_uniform(rng, most, 0.6) for c in ("upheld", "corrected", "other", "pending")}
        groups[key] = {**counts, "total": sum(counts.values())}
    return groups


def random_record(template: TemplateVersion, rng: random.Random) -> Record:
    """A record of ``template`` with random counts that keep every rule of docs/record.md §3.

    Only sections 2-4 are filled; agency, year and the narrative are left empty
    for the caller to take from the report the numbers are printed into.
    """
    section2 = _section2_2021(rng) if template == "2021" else _section2_2019(rng)
    return Record.model_validate(
        {"template": template, "section2": section2, "section3": _section3(template, rng), "section4": _section4(rng)}
    )
