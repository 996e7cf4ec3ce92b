"""The figures of docs/record.md §4 for one case: gold against prediction.

Each function here is pure: it takes records and flags and returns counts, so
every figure can be checked by hand on a tiny example.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, computed_field

from gxllm.narrative.similarity import compact, normalise_item, similarity
from gxllm.record import Flag, Number, Record
from gxllm.template import CellPath

__all__ = ["normalise_item", "similarity"]  # used here, and where items are compared

FIELDS = ("agency", "year", "template", "fee.charged")
MATCH_THRESHOLD = 0.6


# ---------------------------------------------------------------- counts


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class Ratio(BaseModel):
    """``correct`` of ``total``; ``share`` is null when there is nothing to count."""

    correct: int = 0
    total: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share(self) -> float | None:
        return _share(self.correct, self.total)

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(correct=self.correct + other.correct, total=self.total + other.total)


class ItemScore(BaseModel):
    """Matched items of a list (problems or remedies), micro-averaged when summed.

    An empty side scores 1.0 when the other side is empty too (nothing to find,
    nothing found) and 0.0 otherwise.
    """

    matched: int = 0
    gold: int = 0
    predicted: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float:
        if self.predicted == 0:
            return 1.0 if self.gold == 0 else 0.0
        return self.matched / self.predicted

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float:
        if self.gold == 0:
            return 1.0 if self.predicted == 0 else 0.0
        return self.matched / self.gold

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: ItemScore) -> ItemScore:
        return ItemScore(
            matched=self.matched + other.matched,
            gold=self.gold + other.gold,
            predicted=self.predicted + other.predicted,
        )


# ---------------------------------------------------------------- cells


class CellResult(BaseModel):
    path: str
    gold: Number | None
    predicted: Number | None
    correct: bool
    note: str | None = None

    @property
    def section(self) -> str:
        return CellPath.parse(self.path).section


def _template_paths(record: Record | None) -> list[str]:
    return record.spec.cell_paths() if record is not None and record.spec is not None else []


def _value(record: Record, path: str) -> Number | None:
    try:
        return record.cell(path)
    except AttributeError:  # the section or row is missing altogether: unread
        return None


def compare_cells(gold: Record, predicted: Record | None) -> list[CellResult]:
    """Every numeric cell of either record's template, gold against prediction.

    ``predicted=None`` is a case that crashed: every gold cell is wrong. A cell
    that only one record's template has is wrong whatever its value, because
    the other record cannot contain it.
    """
    gold_paths = _template_paths(gold)
    predicted_paths = _template_paths(predicted)
    results = []
    for path in dict.fromkeys(gold_paths + predicted_paths):
        in_gold, in_predicted = path in gold_paths, path in predicted_paths
        gold_value = _value(gold, path) if in_gold else None
        predicted_value = _value(predicted, path) if predicted is not None and in_predicted else None
        note = None
        if predicted is None:
            note = "no prediction: the case crashed"
        elif not in_predicted:
            note = "not in the predicted template"
        elif not in_gold:
            note = "not in the gold template"
        correct = note is None and gold_value == predicted_value
        results.append(CellResult(path=path, gold=gold_value, predicted=predicted_value, correct=correct, note=note))
    return results


def cells_by_section(results: list[CellResult]) -> dict[str, Ratio]:
    sections: dict[str, Ratio] = {}
    for cell in results:
        sections[cell.section] = sections.get(cell.section, Ratio()) + Ratio(correct=int(cell.correct), total=1)
    return sections


# ---------------------------------------------------------------- fields


class FieldResult(BaseModel):
    gold: Any
    predicted: Any
    correct: bool


def same_agency(gold: str | None, predicted: str | None) -> bool:
    """Agencies match when, after NFKC and whitespace removal, one contains the other.

    "连云区科技局" in a title and "连云区科学技术局" in gold do not match: the
    harness does not guess abbreviations.
    """
    if gold is None or predicted is None:
        return gold is predicted
    gold, predicted = compact(gold), compact(predicted)
    return bool(gold) and bool(predicted) and (gold in predicted or predicted in gold)


def field_value(record: Record, path: str) -> Any:
    """A value by dotted path (``year``, ``fee.charged``, ``section3.new.total``)."""
    value: Any = record
    for part in path.split("."):
        value = getattr(value, part, None)
    return value


def compare_fields(gold: Record, predicted: Record | None) -> dict[str, FieldResult]:
    results = {}
    for name in FIELDS:
        gold_value = field_value(gold, name)
        predicted_value = None if predicted is None else field_value(predicted, name)
        if predicted is None:
            correct = False
        elif name == "agency":
            correct = same_agency(gold_value, predicted_value)
        else:
            correct = gold_value == predicted_value
        results[name] = FieldResult(gold=gold_value, predicted=predicted_value, correct=correct)
    return results


# ---------------------------------------------------------------- narrative

def match_items(gold: list[str], predicted: list[str]) -> list[tuple[int, int, float]]:
    """One-to-one pairs (gold index, predicted index, similarity), greedily from the most similar down.

    Ties are broken by position, so the result does not depend on set order.
    """
    pairs = sorted(
        ((similarity(g, p), gi, pi) for gi, g in enumerate(gold) for pi, p in enumerate(predicted)),
        key=lambda pair: (-pair[0], pair[1], pair[2]),
    )
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    matches = []
    for score, gi, pi in pairs:
        if score < MATCH_THRESHOLD:
            break
        if gi in used_gold or pi in used_predicted:
            continue
        used_gold.add(gi)
        used_predicted.add(pi)
        matches.append((gi, pi, score))
    return matches


def score_items(gold: list[str], predicted: list[str]) -> ItemScore:
    return ItemScore(matched=len(match_items(gold, predicted)), gold=len(gold), predicted=len(predicted))


# ---------------------------------------------------------------- themes


class ThemeScore(BaseModel):
    """Themes of the gold items that were matched to a predicted item (as for narrative F1).

    An item's themes are a set with a main theme (the first). ``agreed`` is the
    headline: both main themes are recognised, the predicted main theme being
    one of the gold's themes and the gold's main one of the predicted. Themes
    are a judgement, and annotators order secondary themes as freely as
    readers do; this asks that neither side missed what the item is about.
    ``main_right`` (the same main theme) and ``same_set`` (the same themes)
    are the strict figures; ``labels_*`` count (item, theme) pairs.
    """

    items: int = 0
    agreed: int = 0
    main_right: int = 0
    same_set: int = 0
    labels_right: int = 0
    labels_gold: int = 0
    labels_predicted: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def accuracy(self) -> float | None:
        return _share(self.agreed, self.items)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def main_accuracy(self) -> float | None:
        return _share(self.main_right, self.items)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def set_accuracy(self) -> float | None:
        return _share(self.same_set, self.items)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label_precision(self) -> float | None:
        return _share(self.labels_right, self.labels_predicted)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label_recall(self) -> float | None:
        return _share(self.labels_right, self.labels_gold)

    def __add__(self, other: ThemeScore) -> ThemeScore:
        counts = type(self).model_fields
        return ThemeScore(**{name: getattr(self, name) + getattr(other, name) for name in counts})


def score_themes(
    gold: list[str], gold_themes: list[list[str]], predicted: list[str], predicted_themes: list[list[str]]
) -> ThemeScore:
    """The themes of each gold item against those of the predicted item matched to it."""
    score = ThemeScore()
    for gi, pi, _ in match_items(gold, predicted):
        want, got = gold_themes[gi], predicted_themes[pi] if pi < len(predicted_themes) else []
        score += ThemeScore(
            items=1,
            agreed=int(bool(got) and got[0] in want and want[0] in got),
            main_right=int(bool(got) and got[0] == want[0]),
            same_set=int(set(got) == set(want)),
            labels_right=len(set(got) & set(want)),
            labels_gold=len(set(want)),
            labels_predicted=len(set(got)),
        )
    return score


# ---------------------------------------------------------------- flags


def is_alarm(flag: Flag) -> bool:
    """Flags a reviewer must look at; ``info`` flags are notes, not alarms."""
    return flag.severity != "info"


def _explains(gold_flag: Flag, flag: Flag) -> bool:
    if gold_flag.rule != flag.rule:
        return False
    return bool(set(gold_flag.cells) & set(flag.cells)) or not (gold_flag.cells or flag.cells)


def false_alarms(flags: list[Flag], gold_flags: list[Flag], gold: Record, predicted: Record) -> list[Flag]:
    """The prediction's alarms that nothing justifies.

    An alarm is justified when the validator raises the same rule on the gold
    record over at least one of the same cells (the document's own error), or
    when one of the cells it names is wrong in the prediction (a true catch of
    an extraction error).
    """
    gold_alarms = [f for f in gold_flags if is_alarm(f)]
    unjustified = []
    for flag in filter(is_alarm, flags):
        if any(_explains(g, flag) for g in gold_alarms):
            continue
        if any(field_value(gold, cell) != field_value(predicted, cell) for cell in flag.cells):
            continue
        unjustified.append(flag)
    return unjustified


def _alarm_key(flag: Flag) -> tuple[str, str, tuple[str, ...]]:
    return flag.rule, flag.kind, tuple(sorted(flag.cells))


def catching_flags(path: str, flags: list[Flag], baseline: list[Flag]) -> list[Flag]:
    """The alarms that name ``path`` and were not already raised on the unchanged gold."""
    already = {_alarm_key(f) for f in baseline if is_alarm(f)}
    return [f for f in flags if is_alarm(f) and path in f.cells and _alarm_key(f) not in already]
