"""``gxllm export``: the command, registered on the app in :mod:`gxllm.cli`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gxllm.console import err
from gxllm.store.cli import store_failure_exits
from gxllm.export.formats import WRITERS, ExportFormat


def export_command(
    out: Annotated[Path, typer.Option("--out", help="file to write (replaced whole, never half-written)")],
    export_format: Annotated[ExportFormat, typer.Option("--format", help="jsonl: records with flags and review; csv: one row per cell; narrative: one row per problem or remedy with its themes; xlsx: a sheet per section and the narrative")],
    db: Annotated[str | None, typer.Option("--db", help="database URL (default: sqlite:///gxllm.db here)")] = None,
) -> None:
    """Write every document's current record from the store."""
    from gxllm.export.records import exported_records
    from gxllm.store import open_store

    with store_failure_exits(db), open_store(db)() as session:
        count = WRITERS[export_format](exported_records(session), out)
    err.print(f"{count} records written to {out}", highlight=False)
