"""``--compare``: each headline figure against an earlier run, and the cells that newly broke."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from gxllm.errors import GxllmError
from gxllm.evaluate.results import EvalReport, WrongCell, figures


class BadReport(GxllmError):
    """An earlier ``--json`` report that cannot be read back."""


@dataclass(frozen=True)
class FigureChange:
    name: str
    earlier: float | int | None
    now: float | int | None

    @property
    def change(self) -> float | None:
        return None if self.earlier is None or self.now is None else self.now - self.earlier


@dataclass(frozen=True)
class Comparison:
    figures: list[FigureChange]
    newly_broken: list[WrongCell]  # wrong now, right in the earlier run
    newly_fixed: list[WrongCell]  # as the earlier run had them


def load_report(path: Path) -> EvalReport:
    try:
        return EvalReport.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as error:
        raise BadReport(f"{path}: not a gxllm eval --json report ({error.__class__.__name__})") from error


def compare(now: EvalReport, earlier: EvalReport) -> Comparison:
    """Figures of both runs by name; cells compared only on cases both runs scored."""
    before, after = figures(earlier), figures(now)
    changes = [FigureChange(name, before.get(name), after.get(name)) for name in dict.fromkeys([*after, *before])]
    shared = {case.name for case in now.cases} & {case.name for case in earlier.cases}
    wrong_before = {(c.case, c.path): c for c in earlier.wrong_cells if c.case in shared}
    wrong_after = {(c.case, c.path): c for c in now.wrong_cells if c.case in shared}
    return Comparison(
        figures=changes,
        newly_broken=[c for key, c in wrong_after.items() if key not in wrong_before],
        newly_fixed=[c for key, c in wrong_before.items() if key not in wrong_after],
    )


def _figure(value: float | None) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.4f}"


def _change(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "0" if value == 0 else f"{value:+.4f}"


def print_comparison(comparison: Comparison, console: Console) -> None:
    title = "Change against the earlier run"
    table = Table(title=title, title_justify="left", min_width=len(title))
    for column in ("figure", "earlier", "now", "change"):
        table.add_column(column)
    for figure in comparison.figures:
        table.add_row(figure.name, _figure(figure.earlier), _figure(figure.now), _change(figure.change))
    console.print(table)
    console.print(f"{len(comparison.newly_fixed)} cell(s) newly right.")
    if not comparison.newly_broken:
        console.print("No cell newly broke.")
        return
    title = f"Newly broken cells ({len(comparison.newly_broken)})"
    broken = Table(title=title, title_justify="left", min_width=len(title))
    for column in ("case", "cell", "gold", "predicted"):
        broken.add_column(column)
    for cell in comparison.newly_broken:
        broken.add_row(cell.case, cell.path, str(cell.gold), str(cell.predicted))
    console.print(broken)
