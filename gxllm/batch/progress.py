"""The batch's progress bar: documents, pages, rate, errors so far, time left."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from gxllm.console import err


class DocumentsPerMinute(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("–/min" if speed is None else f"{speed * 60:,.0f}/min", style="progress.data.speed")


def batch_progress(*, disable: bool = False) -> Progress:
    """A Rich progress display on standard error; its task carries ``pages`` and ``errors`` fields."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=16),
        MofNCompleteColumn(),
        TextColumn("{task.fields[pages]} pages"),
        DocumentsPerMinute(),
        TextColumn("[red]{task.fields[errors]} errors"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=disable,
    )
