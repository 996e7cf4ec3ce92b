"""What every command shares: the error console, the one-line error, atomic writes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from gxllm.errors import ConfigError

err = Console(stderr=True)


def fail_line(subject: Path | str, reason: str) -> None:
    """The one-line error every command uses: what it is about (a file, a store, a command), and why.

    Printed as plain text (no Rich markup): a path or a reason holding ``[/red]`` is shown as it is.
    """
    err.print(f"gxllm: {subject}: {reason}", style="red", soft_wrap=True, markup=False, highlight=False)


@contextmanager
def config_error_exits(command: str) -> Iterator[None]:
    """A command's work: if gxllm is set up wrong (:class:`ConfigError`), one line naming the
    command and why, and exit code 1; nothing more is tried."""
    try:
        yield
    except ConfigError as error:
        fail_line(command, str(error))
        raise typer.Exit(code=1) from None


def write_atomically(target: Path, text: str) -> None:
    """Write ``target`` whole or not at all: a crash leaves no half file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
