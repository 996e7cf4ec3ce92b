"""``gxllm validate``: the command, registered on the app in :mod:`gxllm.cli`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from gxllm import strict_json
from gxllm.console import config_error_exits, fail_line
from gxllm.errors import GxllmError, UnreadableInput, one_line
from gxllm.record import Evidence, Flag, Record
from gxllm.validate import validate

T = TypeVar("T")
_CELLS_SHOWN = 3
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


_EVIDENCE = TypeAdapter(dict[str, Evidence])


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = strict_json.loads(path.read_bytes())
    except OSError as error:
        raise UnreadableInput(f"cannot read: {error.strerror or error}") from None
    except ValueError as error:
        raise UnreadableInput(f"not JSON: {one_line(error)}") from None
    if not isinstance(data, dict):
        raise UnreadableInput("not a record: the JSON is not an object")
    return data


def load_record(path: Path) -> tuple[Record, dict[str, Evidence], dict[str, Any]]:
    """:func:`record_from_json` of the JSON file at ``path``."""
    return record_from_json(_read_json(path))


def record_from_json(data: dict[str, Any]) -> tuple[Record, dict[str, Evidence], dict[str, Any]]:
    """A record with its evidence from an extraction output, or a bare record JSON (docs/record.md; no evidence),
    and the record part of the JSON as read."""
    raw = {key: value for key, value in data.items() if key in Record.model_fields}
    try:
        record = Record.model_validate(raw)
    except ValidationError as error:
        raise _mismatch(error, "record") from None
    try:
        evidence = _EVIDENCE.validate_python(data.get("evidence") or {})
    except ValidationError as error:
        raise _mismatch(error, "evidence") from None
    return record, evidence, raw


def _mismatch(error: ValidationError, part: str) -> UnreadableInput:
    """The first thing wrong, named by where it is: ``section3.new.total``, ``evidence.KEY.page``
    (``record`` or ``evidence`` when the whole part is wrong)."""
    first = error.errors()[0]
    path = [str(step) for step in first["loc"]]
    where = ".".join(path if part == "record" and path else [part, *path])
    return UnreadableInput(f"does not match docs/record.md at {where}: {first['msg']}")


def _or_exit(path: Path, load: Callable[[Path], T]) -> T:
    """``load(path)``, or the one-line error and exit code 2."""
    try:
        return load(path)
    except GxllmError as error:
        fail_line(path, str(error))
        raise typer.Exit(code=2) from None


def _cells_shown(cells: list[str]) -> str:
    """A rule over a whole column names two dozen cells; the message already says which matter."""
    if len(cells) <= _CELLS_SHOWN:
        return "\n".join(cells)
    return "\n".join([*cells[:_CELLS_SHOWN], f"…共{len(cells)}格"])


def _print_table(flags: list[Flag]) -> None:
    console = Console()
    if not flags:
        console.print("[green]没有发现问题。[/green]")
        return
    table = Table(show_lines=True)
    for header, ratio in (("严重程度", 1), ("说明", 4), ("规则", 1), ("类别", 1), ("单元格", 2)):
        table.add_column(header, overflow="fold", ratio=ratio)
    for flag in flags:
        style = _SEVERITY_STYLE[flag.severity]
        table.add_row(
            f"[{style}]{flag.severity}[/{style}]", flag.message, flag.rule, flag.kind, _cells_shown(flag.cells)
        )
    console.print(table)


def validate_command(
    record_file: Annotated[Path, typer.Argument(help="an extraction output (gxllm extract) or a record JSON (docs/record.md)")],
    source: Annotated[
        Path | None, typer.Option("--source", help="the report it was read from: values are checked against its text")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="the same agency's record of the year before (CROSS_YEAR)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the flags as JSON")] = False,
) -> None:
    """Check a record against every rule of docs/record.md §3. Exit 0: no error; 1: errors found; 2: bad input."""
    from gxllm.pipeline import read_normalized
    from gxllm.settings import get_settings

    record, evidence, raw = _or_exit(record_file, load_record)
    earlier = _or_exit(previous, load_record)[0] if previous is not None else None
    source_text = None
    if source is not None:
        with config_error_exits("validate"):
            settings = get_settings()
        source_text = _or_exit(source, lambda path: read_normalized(path, settings)).text
    flags = validate(record, evidence=evidence, source_text=source_text, raw=raw, previous=earlier)
    if as_json:
        dumped = [flag.model_dump(mode="json", exclude_none=True) for flag in flags]
        sys.stdout.write(json.dumps(dumped, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_table(flags)
    if any(flag.severity == "error" for flag in flags):
        raise typer.Exit(code=1)
