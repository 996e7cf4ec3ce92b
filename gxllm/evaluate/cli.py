"""``gxllm eval``: the command, registered on the app in :mod:`gxllm.cli`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from gxllm.errors import GxllmError
from gxllm.evaluate.compare import compare, load_report, print_comparison
from gxllm.evaluate.harness import Stages, evaluate
from gxllm.evaluate.report import print_summary, to_markdown

DEFAULT_PERTURB = 20


def eval_command(
    directory: Annotated[Path, typer.Argument(help="gold directory: NAME.EXT with NAME.gold.json beside it")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="write every figure and every wrong cell as JSON")
    ] = None,
    report_out: Annotated[Path | None, typer.Option("--report", help="write the report as Markdown")] = None,
    earlier: Annotated[Path | None, typer.Option("--compare", help="an earlier --json report to compare with")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="use no language model, whatever is configured")] = False,
    perturb: Annotated[
        int, typer.Option("--perturb", min=0, help="deliberate single-cell errors per case for the flag test (0: none)")
    ] = DEFAULT_PERTURB,
    seed: Annotated[int, typer.Option("--seed", help="seed of the deliberate errors")] = 0,
) -> None:
    """Score a gold directory (docs/record.md §4): cells, fields, narrative, flags, time and memory."""
    from gxllm.console import err, fail_line, write_atomically
    from gxllm.llm import open_client
    from gxllm.settings import get_settings

    console = Console()
    try:
        settings = get_settings(no_llm=no_llm)
        stages = Stages.pipeline(settings, open_client(settings))
        previous = load_report(earlier) if earlier is not None else None
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            disable=not err.is_terminal,
            transient=True,
        ) as progress:
            task = progress.add_task("evaluating", total=None)
            report = evaluate(
                directory,
                stages,
                use_llm=False if no_llm else None,
                perturb=perturb,
                seed=seed,
                on_case=lambda total, _result: progress.update(task, total=total, advance=1),
            )
    except GxllmError as error:
        fail_line("eval", str(error))
        raise typer.Exit(code=1) from error
    print_summary(report, console)
    if previous is not None:
        print_comparison(compare(report, previous), console)
    if json_out is not None:
        write_atomically(json_out, json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    if report_out is not None:
        write_atomically(report_out, to_markdown(report))
