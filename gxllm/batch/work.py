"""What one worker does with one task: extract it, or say why it could not."""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import BaseModel

from gxllm.batch.inputs import Task
from gxllm.errors import GxllmError, one_line
from gxllm.pipeline import extract
from gxllm.read import Source
from gxllm.record import Extraction

logger = logging.getLogger(__name__)


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


def process(task: Task, use_llm: bool | None = None, content: bytes | None = None) -> Outcome:
    """Run the pipeline on ``task``; every error, expected or not, becomes a failed outcome.

    ``content`` is the file's bytes when the worker cannot see the path (a
    remote machine): they are read under the task's path, whose suffix says how.
    """
    started = time.perf_counter()
    try:
        extraction = extract(task.path if content is None else Source(task.path, content), use_llm=use_llm)
    except GxllmError as error:
        return Outcome.failed(task, "extract", type(error).__name__, str(error), time.perf_counter() - started)
    except Exception as error:  # a bug on one odd input must not stop the others
        # The user is told in one line; the traceback goes to this process's log (the server's, the batch's).
        logger.exception("extracting %s failed", task.path)
        return Outcome.failed(task, "extract", type(error).__name__, one_line(error), time.perf_counter() - started)
    output = extraction.to_output()
    return Outcome(
        task=task,
        output=output,
        # The text evidence spans index into, for the review page and re-validation.
        text=extraction.text,
        seconds=time.perf_counter() - started,
    )
