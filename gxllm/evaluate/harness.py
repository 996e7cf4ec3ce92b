"""Scoring a gold directory: run the pipeline on each case and measure it.

The pipeline and the validator come in as :class:`Stages`, so the harness can
be tested with fakes and run on the real ones alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Protocol

from gxllm.errors import ConfigError
from gxllm.evaluate.gold import GoldCase, load_gold_dir
from gxllm.evaluate.metrics import (
    Ratio,
    catching_flags,
    cells_by_section,
    compare_cells,
    compare_fields,
    false_alarms,
    is_alarm,
    score_items,
    score_themes,
    ThemeScore,
)
from gxllm.evaluate.perturb import Change, apply_change, plan_changes
from gxllm.evaluate.results import Alarm, CaseResult, ChangeOutcome, EvalReport, WrongCell, summarise
from gxllm.memory import peak_rss_mib
from gxllm.record import Evidence, Extraction, Flag, Record
from gxllm.settings import Settings

if TYPE_CHECKING:
    from gxllm.llm.client import LlmClient


class Validator(Protocol):
    """``gxllm.validate.validate``; ``raw`` is left at its default: the records here are complete."""

    def __call__(self, record: Record, *, evidence: dict[str, Evidence], source_text: str | None) -> list[Flag]: ...


@dataclass(frozen=True)
class Stages:
    """The parts of gxllm the harness measures."""

    extract: Callable[[Path], Extraction]  # .text is what evidence spans index
    validate: Validator

    @classmethod
    def pipeline(cls, settings: Settings, llm: LlmClient | None = None) -> Stages:
        """gxllm's own, with ``settings`` and the model the caller opened (None: the rules alone)."""
        from gxllm.pipeline import extract
        from gxllm.validate import validate

        return cls(extract=partial(extract, settings=settings, llm=llm), validate=validate)


def _alarm(flag: Flag) -> Alarm:
    return Alarm(rule=flag.rule, severity=flag.severity, kind=flag.kind, cells=flag.cells, message=flag.message)


def _score(
    case: GoldCase,
    prediction: Extraction | None,
    error: str | None,
    seconds: float,
    gold_flags: list[Flag],
    outcomes: list[ChangeOutcome],
) -> tuple[CaseResult, list[WrongCell]]:
    if prediction is None:
        predicted, themes, evidence, flags, timings = None, {}, {}, [], {}
        unjustified: list[Flag] = []
    else:
        predicted, themes, evidence, flags, timings = (
            prediction.record,
            prediction.themes,
            prediction.evidence,
            prediction.flags,
            prediction.timings,
        )
        unjustified = false_alarms(flags, gold_flags, case.gold, predicted)
    cells = compare_cells(case.gold, predicted)
    named = {path for flag in flags for path in flag.cells}
    wrong = [
        WrongCell(
            case=case.name,
            path=c.path,
            gold=c.gold,
            predicted=c.predicted,
            evidence=evidence.get(c.path),
            note=c.note,
            flagged=c.path in named,
        )
        for c in cells
        if not c.correct
    ]
    result = CaseResult(
        name=case.name,
        source=str(case.source),
        gold=str(case.gold_path),
        error=error,
        seconds=seconds,
        timings=timings,
        rss_mib=peak_rss_mib(),
        cells=Ratio(correct=sum(c.correct for c in cells), total=len(cells)),
        cells_by_section=cells_by_section(cells),
        fields=compare_fields(case.gold, predicted),
        problems=score_items(case.gold.problems, predicted.problems if predicted else []),
        remedies=score_items(case.gold.remedies, predicted.remedies if predicted else []),
        themes=None
        if case.themes is None
        else sum(
            (
                score_themes(
                    getattr(case.gold, name),
                    case.themes.get(name, []),
                    getattr(predicted, name) if predicted else [],
                    themes.get(name, []),
                )
                for name in ("problems", "remedies")
            ),
            ThemeScore(),
        ),
        wrong_unflagged=sum(1 for w in wrong if w.predicted is not None and not w.flagged),
        flags_raised=sum(map(is_alarm, flags)),
        false_alarms=[_alarm(f) for f in unjustified],
        changes=outcomes,
    )
    return result, wrong


def _try_change(
    change: Change, case: GoldCase, stages: Stages, prediction: Extraction, source_text: str | None, gold_flags: list[Flag]
) -> ChangeOutcome:
    flags = stages.validate(apply_change(case.gold, change), evidence=prediction.evidence, source_text=source_text)
    caught_by = [f.rule for f in catching_flags(change.path, flags, gold_flags)]
    return ChangeOutcome(**change.model_dump(), caught=bool(caught_by), caught_by=caught_by)


def evaluate_case(case: GoldCase, stages: Stages, *, perturb: int, seed: int) -> tuple[CaseResult, list[WrongCell]]:
    """One case; anything it raises but a ConfigError makes it a crashed case, wrong in every figure."""
    changes = plan_changes(case.gold, perturb, seed, case.name)
    start = perf_counter()
    try:
        prediction = stages.extract(case.source)
        seconds = perf_counter() - start
        source_text = prediction.text
        gold_flags = stages.validate(case.gold, evidence=prediction.evidence, source_text=source_text)
        outcomes = [_try_change(c, case, stages, prediction, source_text, gold_flags) for c in changes]
    except ConfigError:
        raise  # gxllm set up wrong would crash every case: the run stops with the reason
    except Exception as exc:  # noqa: BLE001 - a crash is a result to report, not a reason to stop
        missed = [ChangeOutcome(**c.model_dump(), caught=False) for c in changes]
        return _score(case, None, f"{type(exc).__name__}: {exc}", perf_counter() - start, [], missed)
    return _score(case, prediction, None, seconds, gold_flags, outcomes)


def evaluate(
    directory: Path,
    stages: Stages,
    *,
    use_llm: bool | None = None,
    perturb: int = 0,
    seed: int = 0,
    on_case: Callable[[int, CaseResult], None] | None = None,
) -> EvalReport:
    """Score every case under ``directory`` with ``stages``; :class:`~gxllm.errors.BadGold` before any work
    if the gold is bad.

    ``use_llm`` is what the report says of the model: False, run with no
    language model; None, as configured. ``on_case(number_of_cases, result)``
    is called after each case.
    """
    cases = load_gold_dir(directory)
    results: list[CaseResult] = []
    wrong_cells: list[WrongCell] = []
    for case in cases:
        result, wrong = evaluate_case(case, stages, perturb=perturb, seed=seed)
        results.append(result)
        wrong_cells += wrong
        if on_case is not None:
            on_case(len(cases), result)
    return EvalReport(
        gxllm_version=version("gxllm"),
        directory=str(directory),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        use_llm=use_llm,
        perturb=perturb,
        seed=seed,
        summary=summarise(results, perturb),
        cases=results,
        wrong_cells=wrong_cells,
    )
