"""What every command shares: the error console, the one-line error, atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rich.console import Console

err = Console(stderr=True)


def fail_line(subject: Path | str, reason: str) -> None:
    """The one-line error every command uses: what it is about (a file, a store, a command), and why.

    Printed as plain text (no Rich markup): a path or a reason holding ``[/red]`` is shown as it is.
    """
    err.print(f"gxllm: {subject}: {reason}", style="red", soft_wrap=True, markup=False, highlight=False)


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
