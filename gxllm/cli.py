"""The ``gxllm`` command line."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from gxllm.batch.cli import batch_command
from gxllm.console import config_error_exits, err, fail_line, write_atomically
from gxllm.errors import GxllmError
from gxllm.evaluate.cli import eval_command
from gxllm.export.cli import export_command
from gxllm.service.cli import serve_command, users_app
from gxllm.llm.cli import models_app
from gxllm.ocr.cli import ocr_app
from gxllm.validate.cli import validate_command

app = typer.Typer(
    name="gxllm",
    help="Read 政府信息公开工作年度报告 into checked, structured records.",
    no_args_is_help=True,
    add_completion=False,
)


class OutputFormat(StrEnum):
    json = "json"
    jsonl = "jsonl"


def _output_names(files: list[Path]) -> dict[Path, str]:
    """NAME.json per input; inputs sharing a name get a tag of their full path."""
    stems = Counter(path.stem for path in files)
    return {
        path: path.stem
        + ("" if stems[path.stem] == 1 else "-" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8])
        + ".json"
        for path in files
    }


@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="report files: .txt .md .html .htm .pdf .png .jpg .tif")],
    out: Annotated[Path | None, typer.Option("--out", help="folder for the records (default: standard output)")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", help="json: one file per report; jsonl: one line per report")] = OutputFormat.json,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="use no language model, whatever is configured")] = False,
) -> None:
    """Extract one record per report. Files that fail are named with the reason; the others still finish."""
    from gxllm.llm import open_client
    from gxllm.pipeline import extract as run_pipeline
    from gxllm.settings import get_settings

    with config_error_exits("extract"):
        settings = get_settings(no_llm=no_llm)
        llm = open_client(settings)
    results: list[tuple[Path, dict[str, Any]]] = []
    failed = 0
    names = _output_names(files)
    show_progress = len(files) > 1 and err.is_terminal
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, disable=not show_progress, transient=True,
    ) as progress:
        task = progress.add_task("extracting", total=len(files))
        for path in files:
            try:
                with config_error_exits("extract"):
                    extraction = run_pipeline(path, settings=settings, llm=llm)
            except GxllmError as error:
                fail_line(path, str(error))
                failed += 1
            else:
                output = extraction.to_output()
                if out is not None and output_format is OutputFormat.json:
                    write_atomically(out / names[path], json.dumps(output, ensure_ascii=False, indent=2) + "\n")
                results.append((path, output))
            progress.advance(task)
    if out is not None and output_format is OutputFormat.jsonl and results:
        write_atomically(out / "records.jsonl", "".join(json.dumps(o, ensure_ascii=False) + "\n" for _, o in results))
    if out is None:
        if output_format is OutputFormat.jsonl:
            for _, output in results:
                sys.stdout.write(json.dumps(output, ensure_ascii=False) + "\n")
        elif results:
            payload: Any = results[0][1] if len(files) == 1 else [o for _, o in results]
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    if failed:
        raise typer.Exit(code=1)


# Commands that live with their stage.
app.command("batch")(batch_command)
app.command("eval")(eval_command)
app.command("export")(export_command)
app.command("validate")(validate_command)
app.add_typer(models_app, name="models")
app.add_typer(ocr_app, name="ocr")
app.command("serve")(serve_command)
app.add_typer(users_app, name="users")


if __name__ == "__main__":  # pragma: no cover
    app()
