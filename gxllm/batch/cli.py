"""``gxllm batch``: the command, registered on the app in :mod:`gxllm.cli`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gxllm.batch.executors import ExecutorKind
from gxllm.console import err, fail_line


def batch_command(
    inputs: Annotated[list[Path], typer.Argument(help="report files and folders (searched recursively)")],
    db: Annotated[str | None, typer.Option("--db", help="database URL (default: sqlite:///gxllm.db here)")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="worker processes (or Ray actors)")] = 1,
    executor: Annotated[ExecutorKind, typer.Option("--executor", help="local: processes here; ray: the Ray cluster at RAY_ADDRESS, or a local one")] = ExecutorKind.local,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="try again the files that failed in earlier runs")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="seconds one document may take (local executor)")] = 900,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="use no language model, whatever is configured")] = False,
) -> None:
    """Extract every report into the store; a re-run skips what is done and finishes the rest."""
    from gxllm.batch.runner import run_batch

    summary = run_batch(
        inputs,
        db_url=db,
        workers=workers,
        executor=executor,
        retry_failed=retry_failed,
        timeout=timeout,
        use_llm=False if no_llm else None,
        show_progress=True,
    )
    for failure in summary.failures:
        fail_line(failure.path, f"{failure.error_type}: {failure.message}")
    err.print(
        f"run {summary.run_id}: {summary.found} found, {summary.extracted} extracted ({summary.pages} pages), "
        f"{summary.skipped} done before, {len(summary.failures)} failed",
        highlight=False,
    )
    if summary.skipped_failed:
        err.print(f"{summary.skipped_failed} failed in earlier runs and were left alone; --retry-failed tries them again")
    if summary.failures:
        raise typer.Exit(code=1)
