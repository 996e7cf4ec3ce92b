"""``gxllm batch``: the command, registered on the app in :mod:`gxllm.cli`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gxllm.batch.executors import ExecutorKind
from gxllm.console import config_error_exits, err, fail_line
from gxllm.settings import get_settings
from gxllm.store.cli import store_failure_exits

if TYPE_CHECKING:
    from gxllm.store import Run


def batch_command(
    inputs: Annotated[list[Path] | None, typer.Argument(help="report files and folders (searched recursively)", show_default=False)] = None,
    db: Annotated[str | None, typer.Option("--db", help="database URL (default: sqlite:///gxllm.db here)")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="worker processes (or Ray actors)")] = 1,
    executor: Annotated[ExecutorKind, typer.Option("--executor", help="local: processes here; ray: the Ray cluster at RAY_ADDRESS, or a local one")] = ExecutorKind.local,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="try again the files that failed in earlier runs")] = False,
    timeout: Annotated[float | None, typer.Option("--timeout", min=1, help="seconds one document may take (local executor; default GXLLM_DOCUMENT_TIMEOUT_S, 900)", show_default=False)] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="use no language model, whatever is configured")] = False,
    status: Annotated[bool, typer.Option("--status", help="list the latest runs and upload jobs instead (runs whose process died show as interrupted)")] = False,
) -> None:
    """Extract every report into the store; a re-run skips what is done and finishes the rest."""
    from gxllm.batch.runner import latest_runs, run_batch

    if status:
        with store_failure_exits(db):
            _print_runs(latest_runs(db))
        return
    if not inputs:
        fail_line("batch", "name report files or folders (or --status)")
        raise typer.Exit(code=2)
    with config_error_exits("batch"), store_failure_exits(db):
        summary = run_batch(
            inputs,
            settings=get_settings(no_llm=no_llm),
            db_url=db,
            workers=workers,
            executor=executor,
            retry_failed=retry_failed,
            timeout=timeout,
            show_progress=True,
        )
    for failure in summary.failures:
        fail_line(failure.path, f"{failure.error_type}: {failure.message}")
    err.print(
        f"run {summary.run_id}: "
        + _counts(summary.found, summary.extracted, summary.pages, summary.skipped, len(summary.failures)),
        highlight=False,
    )
    if summary.skipped_failed:
        err.print(f"{summary.skipped_failed} failed in earlier runs and were left alone; --retry-failed tries them again")
    if summary.failures:
        raise typer.Exit(code=1)


def _counts(found: int, extracted: int, pages: int, skipped: int, failed: int) -> str:
    return f"{found} found, {extracted} extracted ({pages} pages), {skipped} done before, {failed} failed"


def _print_runs(runs: list[Run]) -> None:
    """One line per run, latest first: what it is, how it stands, what it did."""
    for run in runs:
        times = [f"{what} {moment:%Y-%m-%d %H:%M:%S} UTC" for what, moment in (("started", run.started_at), ("ended", run.finished_at)) if moment]
        sys.stdout.write(
            f"run {run.id} ({run.kind}): {', '.join([run.status, *times])}; "
            f"{_counts(run.documents, run.extracted, run.pages, run.skipped, run.failed)}\n"
        )
