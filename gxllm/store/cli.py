"""What every command that opens the store shares: its faults as one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from gxllm.console import fail_line
from gxllm.store.engine import StoreUnavailable, store_errors


@contextmanager
def store_failure_exits(url: str | None) -> Iterator[None]:
    """A command's work on the store at ``url``: if the database itself fails (damaged, read-only,
    full, out of reach), one line naming the store and why, and exit code 1."""
    try:
        with store_errors(url):
            yield
    except StoreUnavailable as error:
        fail_line(error.store, error.reason)
        raise typer.Exit(code=1) from None
