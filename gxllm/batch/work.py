"""What one worker does with one task: extract it, or say why it could not."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from gxllm.errors import ConfigError, GxllmError, one_line
from gxllm.llm import open_client
from gxllm.pipeline import extract
from gxllm.read import Source
from gxllm.settings import Settings
from gxllm.store import Outcome, Task

if TYPE_CHECKING:
    from gxllm.llm.client import LlmClient

logger = logging.getLogger(__name__)


class Worker:
    """A worker process's (or a Ray actor's) pipeline, with the settings of the run that started it,
    never the worker's own environment. The language model is opened on the first task and kept for
    the next ones (loading takes seconds)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._llm: LlmClient | None = None
        self._opened = False

    def _model(self) -> LlmClient | None:
        if not self._opened:
            self._llm = open_client(self.settings)
            self._opened = True
        return self._llm

    def process(self, task: Task, content: bytes | None = None) -> Outcome:
        """Run the pipeline on ``task``; every error, expected or not, becomes a failed outcome, except
        a :class:`~gxllm.errors.ConfigError`: that one is raised, to stop the run it would fail whole.

        ``content`` is the file's bytes when the worker cannot see the path (a
        remote machine): they are read under the task's path, whose suffix says how.
        """
        started = time.perf_counter()
        try:
            source = task.path if content is None else Source(task.path, content)
            extraction = extract(source, settings=self.settings, llm=self._model())
        except ConfigError:
            raise
        except GxllmError as error:
            return Outcome.failed(task, "extract", type(error).__name__, str(error), time.perf_counter() - started)
        except Exception as error:  # a bug on one odd input must not stop the others
            # The user is told in one line; the traceback goes to this process's log (the server's, the batch's).
            logger.exception("extracting %s failed", task.path)
            return Outcome.failed(task, "extract", type(error).__name__, one_line(error), time.perf_counter() - started)
        return Outcome(
            task=task,
            output=extraction.to_output(),
            # The text evidence spans index into, for the review page and re-validation.
            text=extraction.text,
            seconds=time.perf_counter() - started,
        )


# The worker of this process, when it is one of a local pool's (set by :func:`start_worker`): a pool
# runs module-level functions, and the model a worker opened must outlive each task.
_worker: Worker | None = None


def start_worker(settings: Settings) -> None:
    """A pool process's initialiser: its worker, with the run's settings."""
    global _worker
    _worker = Worker(settings)


def process_in_worker(task: Task) -> Outcome:
    """``task`` on this pool process's worker (see :func:`start_worker`)."""
    assert _worker is not None, "a pool process runs start_worker first"
    return _worker.process(task)
