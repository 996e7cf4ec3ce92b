"""An :class:`EvalReport` as tables: printed with Rich, or written as Markdown.

Both outputs come from the same :func:`summary_tables`, so the terminal and
the Markdown report always show the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from gxllm.evaluate.metrics import ItemScore, Ratio, ThemeScore
from gxllm.evaluate.results import EvalReport

TERMINAL_DETAIL_ROWS = 20  # wrong cells and missed changes printed; the files have all


@dataclass(frozen=True)
class SummaryTable:
    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


def ratio(value: Ratio) -> str:
    return "n/a (0 of 0)" if value.share is None else f"{value.share:.1%} ({value.correct}/{value.total})"


def seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f} s"


def _items(name: str, score: ItemScore) -> tuple[str, ...]:
    return (
        name,
        f"{score.precision:.3f}",
        f"{score.recall:.3f}",
        f"{score.f1:.3f}",
        f"{score.matched} matched / {score.gold} gold / {score.predicted} predicted",
    )


def _themes_table(t: ThemeScore) -> SummaryTable:
    def share(part: int, whole: int) -> str:
        return ratio(Ratio(correct=part, total=whole))

    return SummaryTable(
        f"Themes ({t.items} matched items)",
        ("measure", "value"),
        [
            ("accuracy: each main theme among the other's themes", share(t.agreed, t.items)),
            ("main theme the same", share(t.main_right, t.items)),
            ("the same themes", share(t.same_set, t.items)),
            ("theme labels: precision", share(t.labels_right, t.labels_predicted)),
            ("theme labels: recall", share(t.labels_right, t.labels_gold)),
        ],
    )


def summary_tables(report: EvalReport) -> list[SummaryTable]:
    s = report.summary
    tables = [
        SummaryTable(
            "Numeric cells (sections 2-4)",
            ("measure", "accuracy"),
            [("all cells", ratio(s.cells))]
            + [(section, ratio(r)) for section, r in s.cells_by_section.items()]
            + [("cases with every cell right", ratio(s.cases_all_right))]
            + [("wrong values no flag names", str(s.wrong_unflagged))],
        ),
        SummaryTable("Fields", ("field", "accuracy"), [(name, ratio(r)) for name, r in s.fields.items()]),
        SummaryTable(
            "Narrative (micro-averaged over items)",
            ("list", "precision", "recall", "F1", "items"),
            [_items("problems", s.problems), _items("remedies", s.remedies)],
        ),
        *([_themes_table(s.themes)] if s.themes is not None else []),
        SummaryTable(
            "Flags on the cases as given",
            ("measure", "count"),
            [("alarms raised (error + warning)", str(s.flags_raised)), ("false alarms", str(s.false_alarms))],
        ),
    ]
    if s.perturbation is not None:
        p = s.perturbation
        tables.append(
            SummaryTable(
                f"Deliberate errors caught ({report.perturb} per case, seed {report.seed})",
                ("changes", "caught"),
                [("all", ratio(p.caught))]
                + [(section, ratio(r)) for section, r in p.by_section.items()]
                + [(kind, ratio(r)) for kind, r in p.by_kind.items()],
            )
        )
    t = s.timing
    tables.append(
        SummaryTable(
            "Time and memory",
            ("measure", "value"),
            [("per document", seconds(t.seconds_per_document))]
            + [(f"  {stage}", seconds(value)) for stage, value in t.by_stage.items()]
            + [("total", seconds(t.seconds_total)), ("peak memory", f"{s.peak_rss_mib:.0f} MiB (VmHWM)")],
        )
    )
    tables.append(
        SummaryTable(
            f"Cases ({s.cases}, {s.crashed} crashed)",
            ("case", "cells", "wrong", "false alarms", "seconds", "error"),
            [
                (
                    case.name,
                    ratio(case.cells),
                    str(case.cells.total - case.cells.correct),
                    str(len(case.false_alarms)),
                    f"{case.seconds:.3f}",
                    case.error or "",
                )
                for case in report.cases
            ],
        )
    )
    alarms = [
        (case.name, a.rule, a.kind, ", ".join(a.cells), a.message) for case in report.cases for a in case.false_alarms
    ]
    if alarms:
        tables.append(SummaryTable("False alarms", ("case", "rule", "kind", "cells", "message"), alarms))
    return tables


def _listing(
    title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], limit: int | None
) -> SummaryTable | None:
    """A table of every row, or of the first ``limit`` rows saying so."""
    if not rows:
        return None
    heading = f"{title} ({len(rows)})"
    if limit is not None and len(rows) > limit:
        heading += f", first {limit}; all are in --json and --report"
        rows = rows[:limit]
    return SummaryTable(heading, columns, rows)


def detail_tables(report: EvalReport, limit: int | None) -> list[SummaryTable]:
    """Every wrong cell and every missed deliberate error (the first ``limit`` of each)."""
    wrong = [
        (
            c.case,
            c.path,
            str(c.gold),
            str(c.predicted),
            (c.evidence.token or "") if c.evidence else "",
            c.note or ((c.evidence.note or "") if c.evidence else ""),
        )
        for c in report.wrong_cells
    ]
    missed = [
        (case.name, c.kind, c.path, str(c.original), str(c.changed))
        for case in report.cases
        for c in case.changes
        if not c.caught
    ]
    tables = [
        _listing("Wrong cells", ("case", "cell", "gold", "predicted", "as printed", "note"), wrong, limit),
        _listing("Deliberate errors missed", ("case", "kind", "cell", "gold", "changed to"), missed, limit),
    ]
    return [table for table in tables if table is not None]


def print_summary(report: EvalReport, console: Console) -> None:
    for data in summary_tables(report) + detail_tables(report, TERMINAL_DETAIL_ROWS):
        table = Table(title=data.title, title_justify="left", min_width=cell_len(data.title))
        for column in data.columns:
            table.add_column(column, overflow="fold")
        for row in data.rows:
            table.add_row(*row)
        console.print(table)


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: EvalReport) -> str:
    """The whole report, every wrong cell and missed change included."""
    model = "off" if report.use_llm is False else "as configured"
    lines = [
        f"# gxllm evaluation of `{report.directory}`",
        "",
        f"gxllm {report.gxllm_version}, {report.created}; language model {model}.",
    ]
    for data in summary_tables(report) + detail_tables(report, None):
        lines += ["", f"## {data.title}", "", "| " + " | ".join(data.columns) + " |"]
        lines.append("|" + "---|" * len(data.columns))
        lines += ["| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in data.rows]
    return "\n".join(lines) + "\n"
