"""What extracting one content comes to, as the store takes it in: a :class:`Task` (a content at
the first path it was found under) and its :class:`Outcome` (its extraction, or why it failed).
Batch and upload workers make them; :func:`gxllm.store.ingest.store_outcome` stores them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from gxllm.record import Extraction


class Task(BaseModel):
    """One content to extract, at the first path it was found under."""

    path: str
    sha256: str
    size_bytes: int


class Outcome(BaseModel):
    """A task's result: an extraction (as its JSON output) with the normalised text, or a failure.

    The record models are built at import time and cannot be pickled, so the
    extraction crosses the process boundary as plain JSON data.
    """

    task: Task
    output: dict[str, Any] | None = None
    text: str | None = None
    stage: str | None = None
    error_type: str | None = None
    message: str | None = None
    seconds: float = 0.0

    @classmethod
    def failed(cls, task: Task, stage: str, error_type: str, message: str, seconds: float = 0.0) -> Outcome:
        return cls(task=task, stage=stage, error_type=error_type, message=message, seconds=seconds)

    def extraction(self) -> Extraction | None:
        return None if self.output is None else Extraction.from_output(self.output)
