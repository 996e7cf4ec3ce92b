"""What an evaluation run produces: per-case results and the figures summed over them.

:class:`EvalReport` is also the ``--json`` file (see eval/README.md for each
field) and what ``--compare`` reads back.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean
from typing import Any

from pydantic import BaseModel, Field

from gxllm.evaluate.metrics import FIELDS, FieldResult, ItemScore, Ratio, ThemeScore
from gxllm.evaluate.perturb import CHANGE_KINDS, Change
from gxllm.record import Evidence, Number

STAGES = ("read", "tables", "narrative", "llm", "validate")
MEMORY_MEASURE = "VmHWM (Linux; ru_maxrss elsewhere): the process's own resident-memory high-water mark"


class WrongCell(BaseModel):
    case: str
    path: str
    gold: Number | None
    predicted: Number | None
    evidence: Evidence | None = Field(None, description="where the prediction read its value")
    note: str | None = None
    flagged: bool = Field(False, description="a flag of the prediction names the cell")


class Alarm(BaseModel):
    """A flag, as much of it as a report needs to show."""

    rule: str
    severity: str
    kind: str
    cells: list[str]
    message: str


class ChangeOutcome(Change):
    caught: bool
    caught_by: list[str] = Field(default_factory=list, description="rules of the flags that named the cell")


class CaseResult(BaseModel):
    name: str
    source: str
    gold: str
    error: str | None = Field(None, description="why the case crashed; everything in it then counts as wrong")
    seconds: float
    timings: dict[str, float] = Field(default_factory=dict)
    rss_mib: float = Field(description="the process's peak resident memory after this case")
    cells: Ratio
    cells_by_section: dict[str, Ratio]
    fields: dict[str, FieldResult]
    problems: ItemScore
    remedies: ItemScore
    themes: ThemeScore | None = Field(None, description="null when the gold set gives no themes for the case")
    wrong_unflagged: int = Field(0, description="wrong values (not nulls) that no flag names")
    flags_raised: int
    false_alarms: list[Alarm] = Field(default_factory=list)
    changes: list[ChangeOutcome] = Field(default_factory=list)

    @property
    def all_cells_right(self) -> bool:
        return self.error is None and self.cells.correct == self.cells.total


class PerturbationScore(BaseModel):
    caught: Ratio
    by_section: dict[str, Ratio]
    by_kind: dict[str, Ratio]


class Timing(BaseModel):
    seconds_per_document: float | None
    seconds_total: float
    by_stage: dict[str, float | None] = Field(description="mean seconds per document that did not crash")


class Summary(BaseModel):
    cases: int
    crashed: int
    cells: Ratio
    cells_by_section: dict[str, Ratio]
    cases_all_right: Ratio
    fields: dict[str, Ratio]
    problems: ItemScore
    remedies: ItemScore
    themes: ThemeScore | None
    wrong_unflagged: int
    flags_raised: int
    false_alarms: int
    perturbation: PerturbationScore | None
    timing: Timing
    peak_rss_mib: float
    memory_measure: str = MEMORY_MEASURE


class EvalReport(BaseModel):
    gxllm_version: str
    directory: str
    created: str
    use_llm: bool | None = Field(description="false: run with no language model; null: as configured")
    perturb: int
    seed: int
    summary: Summary
    cases: list[CaseResult]
    wrong_cells: list[WrongCell]


def _ratios(items: list[tuple[str, bool]]) -> dict[str, Ratio]:
    totals: dict[str, Ratio] = defaultdict(Ratio)
    for key, correct in items:
        totals[key] += Ratio(correct=int(correct), total=1)
    return dict(sorted(totals.items()))


def _sum(ratios: list[Ratio]) -> Ratio:
    return sum(ratios, Ratio())


def _perturbation(cases: list[CaseResult], perturb: int) -> PerturbationScore | None:
    if perturb == 0:
        return None
    outcomes = [change for case in cases for change in case.changes]
    by_kind = _ratios([(change.kind, change.caught) for change in outcomes])
    return PerturbationScore(
        caught=_sum(list(by_kind.values())),
        by_section=_ratios([(change.section, change.caught) for change in outcomes]),
        by_kind={kind: by_kind[kind] for kind in CHANGE_KINDS if kind in by_kind},
    )


def _timing(cases: list[CaseResult]) -> Timing:
    ran = [case for case in cases if case.error is None]
    return Timing(
        seconds_per_document=fmean(case.seconds for case in ran) if ran else None,
        seconds_total=sum(case.seconds for case in cases),
        by_stage={stage: fmean(case.timings.get(stage, 0.0) for case in ran) if ran else None for stage in STAGES},
    )


def _themes(cases: list[CaseResult]) -> ThemeScore | None:
    scored = [case.themes for case in cases if case.themes is not None]
    return sum(scored, ThemeScore()) if scored else None


def summarise(cases: list[CaseResult], perturb: int) -> Summary:
    by_section: dict[str, list[Ratio]] = defaultdict(list)
    for case in cases:
        for section, ratio in case.cells_by_section.items():
            by_section[section].append(ratio)
    return Summary(
        cases=len(cases),
        crashed=sum(case.error is not None for case in cases),
        cells=_sum([case.cells for case in cases]),
        cells_by_section={section: _sum(ratios) for section, ratios in sorted(by_section.items())},
        cases_all_right=Ratio(correct=sum(case.all_cells_right for case in cases), total=len(cases)),
        fields={
            name: Ratio(correct=sum(case.fields[name].correct for case in cases), total=len(cases)) for name in FIELDS
        },
        problems=sum((case.problems for case in cases), ItemScore()),
        remedies=sum((case.remedies for case in cases), ItemScore()),
        themes=_themes(cases),
        wrong_unflagged=sum(case.wrong_unflagged for case in cases),
        flags_raised=sum(case.flags_raised for case in cases),
        false_alarms=sum(len(case.false_alarms) for case in cases),
        perturbation=_perturbation(cases, perturb),
        timing=_timing(cases),
        peak_rss_mib=max((case.rss_mib for case in cases), default=0.0),
    )


def figures(report: EvalReport) -> dict[str, float | int | None]:
    """The headline figures by name: what the terminal shows and ``--compare`` diffs."""
    s = report.summary
    out: dict[str, Any] = {"cells": s.cells.share, "cases_all_right": s.cases_all_right.share}
    out |= {f"cells.{section}": ratio.share for section, ratio in s.cells_by_section.items()}
    out |= {f"field.{name}": ratio.share for name, ratio in s.fields.items()}
    for name, score in (("problems", s.problems), ("remedies", s.remedies)):
        out |= {f"{name}.precision": score.precision, f"{name}.recall": score.recall, f"{name}.f1": score.f1}
    if s.themes is not None:
        t = s.themes
        out |= {"themes.accuracy": t.accuracy, "themes.main": t.main_accuracy, "themes.set": t.set_accuracy}
        out |= {"themes.label_precision": t.label_precision, "themes.label_recall": t.label_recall}
    out |= {"cells.wrong_unflagged": s.wrong_unflagged}
    out |= {"flags.raised": s.flags_raised, "flags.false_alarms": s.false_alarms}
    if s.perturbation is not None:
        out["perturbation.recall"] = s.perturbation.caught.share
        out |= {f"perturbation.{k}": r.share for k, r in s.perturbation.by_section.items()}
        out |= {f"perturbation.{k}": r.share for k, r in s.perturbation.by_kind.items()}
    out |= {"cases.crashed": s.crashed, "seconds_per_document": s.timing.seconds_per_document}
    out |= {f"seconds.{stage}": seconds for stage, seconds in s.timing.by_stage.items()}
    out["peak_rss_mib"] = s.peak_rss_mib
    return out
